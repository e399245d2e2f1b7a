"""The store after a restore: histories read when first needed, overdue cases found by their due date."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from gbus.cases.intake_decisions import open_case
from gbus.domain.status import CaseStatus
from gbus.processor.history import HistoryMark
from gbus.processor.store import CaseStore, CaseWrite
from gbus.wire.avro_records import snapshot_record, state_from_snapshot
from support.factories import T0, case_report, router

from .conftest import CODEC

MARKS = (HistoryMark(1, 40),)


class RecordingSource:
    def __init__(self) -> None:
        self.loads: list[tuple[str, str, int, tuple]] = []
        self.closed = False

    def load(self, shard, case_id, last_seq, marks):
        self.loads.append((shard, case_id, last_seq, marks))
        return [(seq, f"{case_id}/{seq}".encode()) for seq in range(1, last_seq + 1)]

    def close(self) -> None:
        self.closed = True


def _store(source=None, path=":memory:") -> CaseStore:
    return CaseStore(path, decode_state=lambda blob: state_from_snapshot(CODEC.decode(blob)), history_source=source)


def _restored(state) -> CaseWrite:
    snapshot = CODEC.encode("gbus.avro.CaseSnapshot", snapshot_record(state))
    return CaseWrite(state, snapshot, marks=MARKS, history_loaded=False)


def _case(**overrides):
    state, _ = open_case(router(), case_report(**overrides), now=T0)
    return state


def test_a_restored_case_reads_its_history_once_when_first_needed():
    source = RecordingSource()
    store = _store(source)
    state = _case()
    store.replace_shards(["79"], [_restored(state)])
    assert source.loads == [] and not store.history_loaded(state.case_id)
    expected = [f"{state.case_id}/{seq}".encode() for seq in range(1, state.last_seq + 1)]
    assert store.events(state.case_id) == expected
    assert store.history_size(state.case_id) == sum(map(len, expected))
    assert source.loads == [("79", state.case_id, state.last_seq, MARKS)]
    assert store.history_marks(state.case_id) == MARKS
    store.close()
    assert source.closed


def test_a_committed_change_adds_its_events_to_a_loaded_history_without_reloading_it():
    source = RecordingSource()
    store = _store(source)
    state = _case()
    store.replace_shards(["79"], [_restored(state)])
    store.events(state.case_id)
    later = replace(state, version=state.version + 1, last_seq=state.last_seq + 1)
    snapshot = CODEC.encode("gbus.avro.CaseSnapshot", snapshot_record(later))
    store.apply(
        [CaseWrite(later, snapshot, ((later.last_seq, b"new"),), marks=(*MARKS, HistoryMark(later.last_seq, 99)))]
    )
    assert store.events(state.case_id)[-1] == b"new"
    assert len(store.events(state.case_id)) == later.last_seq
    assert len(source.loads) == 1


def test_a_restored_case_without_a_history_source_is_an_error_not_an_empty_history():
    store = _store()
    state = _case()
    store.replace_shards(["79"], [_restored(state)])
    with pytest.raises(RuntimeError):
        store.events(state.case_id)


def test_overdue_candidates_are_the_open_cases_due_before_the_instant():
    store = _store(RecordingSource())
    due = T0 + timedelta(days=10)
    overdue = replace(_case(), due_at=due)
    not_yet = replace(_case(), due_at=due + timedelta(days=1))
    closed = replace(_case(), due_at=due - timedelta(days=1), status=CaseStatus.CLOSED)
    no_clock = replace(_case(), due_at=None)
    store.replace_shards(["79"], [_restored(s) for s in (overdue, not_yet, closed, no_clock)])
    at = due + timedelta(microseconds=1)
    assert [s.case_id for s in store.overdue_candidates("79", at)] == [overdue.case_id]
    assert store.overdue_candidates("79", due) == []  # due at that very instant: not yet past it
    assert store.overdue_candidates("01", at) == []


def test_a_store_file_of_an_older_layout_is_rebuilt_rather_than_misread(tmp_path):
    path = tmp_path / "p1.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE cases (case_id TEXT PRIMARY KEY, shard TEXT, status TEXT, version INTEGER, snapshot BLOB)")
    db.execute("INSERT INTO cases VALUES ('79-x', '79', 'ASSIGNED', 1, x'00')")
    db.commit()
    db.close()
    store = _store(RecordingSource(), path)
    state = _case()
    store.replace_shards(["79"], [_restored(state)])
    assert store.counts()["cases"] == 1 and store.case(state.case_id) == state
