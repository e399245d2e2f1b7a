"""A processor taking over partitions rebuilds their state from the topics and carries on."""

from __future__ import annotations

from collections import Counter

import pytest

from gbus.cases import commands as c
from gbus.domain.case import make_case_id
from gbus.domain.events import verify_chain
from gbus.wire.avro_records import event_from_record
from support.factories import HOAN_KIEM, T0, case_report
from support.processor_fakes import FakeAdapter

from .conftest import wait_until

pytestmark = pytest.mark.integration

HANDLER = "gov.ubnd@79.26743"


def _check_history(bus):
    """Every case: no event twice, seq 1..last_seq, chain verifies; every report in exactly one case."""
    events: dict[str, list] = {}
    for rec in bus.decoded(bus.topics.case_events, "gbus.avro.CaseEvent"):
        events.setdefault(rec["case_id"], []).append(event_from_record(rec))
    snapshots = bus.latest_snapshots()
    for case_id, snap in snapshots.items():
        history = events[case_id]
        assert [e.seq for e in history] == list(range(1, snap["last_seq"] + 1)), case_id
        assert verify_chain(history) == [], case_id
        assert history[-1].hash == snap["last_hash"]
    holders = Counter(r["report_id"] for s in snapshots.values() if s["status"] != "MERGED" for r in s["reports"])
    assert set(holders.values()) == {1}
    return snapshots, events


def test_a_new_instance_rebuilds_state_and_continues_without_duplicating_anything(bus):
    first = bus.start_processor("p1")
    original = case_report(title="Rác thải ùn ứ quanh chợ Bến Thành",
                           description="Rác thải sinh hoạt ùn ứ quanh chợ Bến Thành ba ngày chưa được thu gom, "
                           "bốc mùi hôi thối, ruồi nhặng nhiều.", category="moi_truong")  # fmt: skip
    hanoi = case_report(title="Đèn đường hỏng phố Hàng Bài", place=HOAN_KIEM, category="ha_tang_giao_thong",
                        description="Cả dãy đèn đường phố Hàng Bài hỏng hai tuần nay, buổi tối rất tối.")  # fmt: skip
    bus.send_report(original)
    bus.send_report(hanoi)
    case_id = make_case_id("79", original.report_id)
    wait_until(lambda: len(bus.latest_snapshots()) == 2, 30, "two cases")
    first.stop()

    second = bus.start_processor("p2")
    bus.send_report(original)  # a replay after the hand-over: still a no-op
    bus.send_report(case_report(title="Rac thai un u cho Ben Thanh", category="moi_truong",
                                description="Rac sinh hoat un u quanh cho Ben Thanh 3 ngay ko thu gom, boc mui hoi "
                                "thoi, ruoi nhang nhieu", origin_agency="union.hnd@79.26743", channel="cong_doan"))  # fmt: skip
    bus.send_command(c.CaseCommand("cmd-1", "accept-1", case_id, HANDLER, T0, 0, c.UpdateStatus("ACCEPTED")))
    wait_until(lambda: bus.latest_snapshots()[case_id]["status"] == "ACCEPTED", 30, "the command")

    snapshots, _ = _check_history(bus)
    assert len(snapshots) == 2 and len(snapshots[case_id]["reports"]) == 2
    assert second.metrics.dedup_decisions.labels(decision="replay")._value.get() == 1
    copies = bus.decoded(bus.topics.node("79"), "gbus.avro.CaseCopy")
    latest = [cp for cp in copies if cp["case_id"] == case_id][-1]
    assert len(latest["events"]) == snapshots[case_id]["last_seq"]  # the complete history, also after restore


def _places_on_every_partition(bus):
    """One province per partition, so both instances own cases."""
    chosen: dict[int, str] = {}
    for shard in ("79", "01", "48", "31", "92", "22", "46", "04", "56", "75"):
        chosen.setdefault(bus.topics.partition_of_shard(shard), shard)
    assert len(chosen) == bus.topics.partitions
    return [(shard, None) for _, shard in sorted(chosen.items())]


def test_two_instances_share_the_partitions_and_every_effect_happens_once(bus):
    # The stand-in engine (same title = duplicate) makes the expected case count exact.
    one = bus.start_processor("p1", dedup=FakeAdapter())
    places = _places_on_every_partition(bus)
    # 4 places x 7 titles: 28 distinct grievances among 40 reports, 12 of them duplicates.
    reports = [case_report(title=f"Phản ánh số {i % 7}", place=places[i % 4]) for i in range(40)]
    for r in reports[:20]:
        bus.send_report(r, flush=False)
    bus.flush()
    wait_until(lambda: len(bus.latest_snapshots()) == 20, 30, "the first 20 reports")

    two = bus.start_processor("p2", dedup=FakeAdapter(), wait_ready=False)
    for r in reports[20:]:
        bus.send_report(r, flush=False)
    bus.flush()
    wait_until(lambda: one.processor.ready_partitions and two.processor.ready_partitions, 60, "a shared assignment")
    assert not one.processor.ready_partitions & two.processor.ready_partitions

    def all_in():
        snaps = bus.latest_snapshots()
        return sum(len(s["reports"]) for s in snaps.values() if s["status"] != "MERGED") == len(reports)

    wait_until(all_in, 60, "every report in a case")
    snapshots, _ = _check_history(bus)
    # Duplicates after the hand-over found their originals: the index was restored too.
    assert len(snapshots) == 28
