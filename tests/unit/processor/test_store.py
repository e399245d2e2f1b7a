"""The processor's SQLite store: committed state of owned shards, wiped and rebuilt per shard."""

from __future__ import annotations

import gc
from dataclasses import replace

import pytest

from gbus.cases.intake_decisions import open_case
from gbus.domain.status import CaseStatus
from gbus.processor.history import HistoryMark
from gbus.processor.store import CaseWrite, gc_paused, report_owners
from gbus.wire.avro_records import snapshot_record
from support.factories import HOAN_KIEM, T0, case_report, router

from .conftest import CODEC, new_store


def _write(state, events=()):
    snapshot = CODEC.encode("gbus.avro.CaseSnapshot", snapshot_record(state))
    return CaseWrite(state, snapshot, tuple((e.seq, f"event-{e.seq}".encode()) for e in events))


def _case(**overrides):
    return open_case(router(), case_report(**overrides), now=T0)


def test_an_applied_case_can_be_read_back_with_its_events_and_reports():
    store = new_store()
    state, events = _case()
    store.apply([_write(state, events)])
    assert store.case(state.case_id) == state
    assert store.events(state.case_id) == [b"event-1", b"event-2"]
    assert store.case_of_report(state.reports[0].report_id) == state.case_id


def test_the_decoded_state_survives_a_cold_cache():
    store = new_store()
    state, events = _case()
    store.apply([_write(state, events)])
    store._cache.clear()
    assert store.case(state.case_id) == state


def test_replacing_a_shard_wipes_only_that_shard():
    store = new_store()
    hcm, hcm_events = _case()
    hanoi, hanoi_events = _case(place=HOAN_KIEM)
    store.apply([_write(hcm, hcm_events), _write(hanoi, hanoi_events)])
    store.replace_shards(["79"], [])
    assert store.case(hcm.case_id) is None
    assert store.events(hcm.case_id) == []
    assert store.case_of_report(hcm.reports[0].report_id) is None
    assert store.case(hanoi.case_id) == hanoi


def test_dropping_shards_forgets_their_cases_and_counts_open_ones_per_shard():
    store = new_store()
    a, _ = _case()
    b, _ = _case()
    store.apply([_write(a), _write(replace(b, status=CaseStatus.CLOSED))])
    assert store.open_count("79") == 1
    store.drop_shards(["79"])
    assert store.counts() == {"cases": 0, "events": 0, "reports": 0}


def test_reports_of_a_merged_case_belong_to_the_case_it_was_merged_into():
    source, _ = _case()
    target, _ = _case()
    merged = replace(source, status=CaseStatus.MERGED, merged_into=target.case_id)
    grown = replace(target, reports=(*target.reports, *source.reports))
    for order in ([merged, grown], [grown, merged]):
        owners = report_owners(order)
        assert owners[source.reports[0].report_id] == target.case_id


def test_loading_a_restored_shard_leaves_the_collector_on_and_the_page_cache_at_its_size():
    store = new_store()
    usual = store._db.execute("PRAGMA cache_size").fetchone()[0]
    state, events = _case()
    store.replace_shards(["79"], [_write(state, events)])
    assert gc.isenabled()
    assert store._db.execute("PRAGMA cache_size").fetchone()[0] == usual
    assert store.case(state.case_id) == state


def test_a_failed_shard_load_rolls_back_and_still_restores_the_collector():
    store = new_store()
    state, events = _case()
    store.apply([_write(state, events)])
    broken = CaseWrite(None, b"")  # type: ignore[arg-type]  # fails after the shard was wiped
    with pytest.raises(AttributeError):
        store.replace_shards(["79"], [_write(state, events), broken])
    assert gc.isenabled()
    assert store.case(state.case_id) == state  # the wipe was rolled back too


@pytest.mark.parametrize("enabled", [True, False])
def test_gc_paused_leaves_the_collector_as_it_found_it_even_when_its_body_fails(enabled):
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with pytest.raises(RuntimeError), gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("restore failed")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def _facts(store, case_id):
    return store.history_size(case_id), store.history_marks(case_id), store.events(case_id)


def test_the_remembered_history_size_and_marks_agree_with_the_rows_after_every_kind_of_write():
    store = new_store()
    state, events = _case()
    first = (HistoryMark(1, 40),)
    store.apply([replace(_write(state, events), marks=first)])  # a new case: its whole history
    seen = _facts(store, state.case_id)
    store._info.clear()
    assert _facts(store, state.case_id) == seen == (len(b"event-1event-2"), first, [b"event-1", b"event-2"])

    grown = replace(state, version=state.version + 1, last_seq=3)
    later = (*first, HistoryMark(3, 90))
    store.apply([CaseWrite(grown, b"snap", ((3, b"event-three"),), later)])  # more events for a known history
    seen = _facts(store, state.case_id)
    store._info.clear()
    assert _facts(store, state.case_id) == seen
    assert seen[0] == len(b"event-1event-2event-three") and seen[1] == later

    store._info.clear()
    store.apply([CaseWrite(replace(grown, version=grown.version + 1, last_seq=4), b"snap", ((4, b"e4"),), later)])
    assert store.history_size(state.case_id) == len(b"event-1event-2event-threee4")  # its earlier events unknown


def test_replacing_a_shard_forgets_what_was_remembered_of_its_cases():
    store = new_store()
    state, events = _case()
    store.apply([_write(state, events)])
    assert store.history_size(state.case_id) > 0
    store.replace_shards(["79"], [])
    assert _facts(store, state.case_id) == (0, (), [])
