"""The processor's directory in force: changes come into force at a tick, the tick's shard
moves its affected open cases, and the changes file is re-read when it changes."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from gbus.cases.intake_decisions import open_case
from gbus.directory import DataFileError
from gbus.domain.case import CaseState
from gbus.domain.status import CaseStatus
from gbus.processor.directory_changes import LiveRouting
from support.factories import T0, case_report, router

MERGE = (
    "changes:\n  - {id: merge-ben-thanh, effective: 2026-11-15, type: ward_merged, from: 79.26743, into: 79.25747}\n"
)
BEFORE = datetime(2026, 11, 14, 16, 59, tzinfo=timezone.utc)  # 23:59 on the 14th, Vietnam time
AFTER = datetime(2026, 11, 14, 17, 0, tzinfo=timezone.utc)  # 00:00 on the 15th


class _View:
    """The batch view a tick sees: the shard's cases; `staged` shards were changed in this batch."""

    def __init__(self, cases: list[CaseState], staged: set[str] | None = None) -> None:
        self.cases, self.staged, self.walks = cases, staged or set(), 0

    def states_of_shard(self, shard: str) -> list[CaseState]:
        self.walks += 1
        return [c for c in self.cases if c.shard == shard]

    def shards(self) -> set[str]:
        return self.staged


def _live(tmp_path, text: str = MERGE) -> LiveRouting:
    path = tmp_path / "changes.yaml"
    path.write_text(text, encoding="utf-8")
    return LiveRouting(router(), path, now=T0)


def _cases() -> tuple[CaseState, CaseState]:
    open_one = open_case(router(), case_report(), now=T0)[0]
    closed = replace(open_case(router(), case_report(), now=T0)[0], status=CaseStatus.CLOSED)
    return open_one, closed


def test_nothing_moves_before_the_effective_day_and_the_directory_stays(tmp_path):
    live = _live(tmp_path)
    assert live.reroute_shard("79", BEFORE, _View(list(_cases()))) == []
    assert live.directory.get("gov.ubnd@79.26743").id == "gov.ubnd@79.26743"


def test_at_the_first_tick_in_force_open_cases_move_and_new_reports_route_to_the_merged_ward(tmp_path):
    live = _live(tmp_path)
    open_one, closed = _cases()
    moved = live.reroute_shard("79", AFTER, _View([open_one, closed]))
    assert [(before.case_id, after.handler) for before, after, _ in moved] == [(open_one.case_id, "gov.ubnd@79.25747")]
    assert [e.body.change_ids for _, _, events in moved for e in events] == [("merge-ben-thanh",)]
    # From now on decisions use the changed directory: a new report naming the old ward.
    fresh = open_case(live.router, case_report(), now=AFTER)[0]
    assert fresh.handler == "gov.ubnd@79.25747"
    assert live.directory.superior_of("gov.p-kt@79.26743").id == "gov.ubnd@79.25747"


def test_a_shard_is_swept_until_its_committed_state_has_nothing_left_to_move(tmp_path):
    live = _live(tmp_path)
    open_one, closed = _cases()
    assert len(live.reroute_shard("79", AFTER, _View([open_one, closed]))) == 1
    # The move was rolled back (not committed): the next tick sweeps and moves it again.
    assert len(live.reroute_shard("79", AFTER + timedelta(minutes=1), _View([open_one, closed]))) == 1
    _, after, _ = live.reroute_shard("79", AFTER, _View([open_one]))[0]
    # Nothing left, but this batch staged a change of the shard: not settled yet.
    assert live.reroute_shard("79", AFTER, _View([after, closed], staged={"79"})) == []
    committed = _View([after, closed])
    assert live.reroute_shard("79", AFTER, committed) == [] and committed.walks == 1
    settled = _View([open_one])
    assert live.reroute_shard("79", AFTER + timedelta(hours=1), settled) == [] and settled.walks == 0


def test_the_file_is_read_again_when_it_changes_and_a_bad_edit_keeps_the_last_good_one(tmp_path):
    live = _live(tmp_path, "changes: []\n")
    open_one, _ = _cases()
    assert live.reroute_shard("79", AFTER, _View([open_one])) == []
    path = tmp_path / "changes.yaml"
    path.write_text(MERGE, encoding="utf-8")
    os.utime(path, ns=(1, 2))  # a different stamp even within the file system's time resolution
    assert len(live.reroute_shard("79", AFTER, _View([open_one]))) == 1
    path.write_text(MERGE + "  - {id: broken, effective: someday}\n", encoding="utf-8")
    assert len(live.reroute_shard("79", AFTER, _View([open_one]))) == 1
    assert [c.id for c in live.changes.changes] == ["merge-ben-thanh"]


def test_a_bad_file_stops_the_processor_at_start_naming_file_and_line(tmp_path):
    with pytest.raises(DataFileError, match=r"changes.yaml:2: change x: type must be one of"):
        _live(tmp_path, "changes:\n  - {id: x, effective: 2026-11-15, type: ward_split}\n")
