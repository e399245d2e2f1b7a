"""A tick escalates the shard's overdue cases, found through the store's due_at index."""

from __future__ import annotations

from datetime import timedelta

from gbus.cli.tick_cmd import tick_record
from gbus.processor.handlers import InputRecord

from .conftest import CODEC, TOPICS, report_input

LATER = timedelta(days=60)


def _open(kit, at, **overrides):
    staging = kit.staging()
    effects = kit.handler.handle(report_input(**overrides), staging, at)
    staging.stage(effects.changes)
    kit.commit(staging)
    return effects.changes[0].after


def _tick(kit, shard, at):
    value = CODEC.encode("gbus.avro.Command", tick_record(shard, at))
    rec = InputRecord(TOPICS.commands, TOPICS.partition_of_shard(shard), 0, shard.encode(), value)
    return kit.handler.handle(rec, kit.staging(), at)


def test_a_tick_escalates_only_the_cases_past_their_limit_without_walking_the_whole_shard(kit, monkeypatch):
    from support.factories import T0

    # Complaints run a legal time limit (feedback does not).
    overdue = _open(kit, T0, kind="khieu_nai", category="dat_dai", title="Khiếu nại quyết định thu hồi đất thửa 12")
    recent = _open(kit, T0 + LATER, kind="khieu_nai", category="dat_dai", title="Khiếu nại bồi thường nhà số 40")
    assert overdue.due_at is not None and recent.due_at is not None and overdue.due_at < recent.due_at
    at = overdue.due_at + timedelta(hours=1)
    assert at < recent.due_at

    def walked(shard):
        raise AssertionError("the tick decoded every case of the shard")

    monkeypatch.setattr(kit.store, "states_of_shard", walked)
    effects = _tick(kit, "79", at)
    assert [ch.after.case_id for ch in effects.changes] == [overdue.case_id]
    sector = overdue.handler.split(".", 1)[0]
    gauges = {labels["sector"]: value for name, labels, value in effects.levels if name == "cases_overdue"}
    assert gauges[sector] == 1.0 and sum(gauges.values()) == 1.0
