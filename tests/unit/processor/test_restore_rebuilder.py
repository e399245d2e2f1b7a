"""Rebuilding cases from what the compacted snapshot topic and the event log hold."""

from __future__ import annotations

from dataclasses import replace

from gbus.cases.intake_decisions import link_report, open_case
from gbus.processor.outputs import Outputs
from gbus.processor.restore import CaseRebuilder
from gbus.topics import Topics
from support.factories import T0, case_report, router

from .conftest import CODEC

OUT = Outputs(CODEC, Topics(prefix="t.", partitions=4), ())


def _history():
    v1, e1 = open_case(router(), case_report(), now=T0)
    v2, e2 = link_report(router(), v1, case_report(), now=T0, score=1.0, matched_report_id=None)
    return (v1, OUT.encode_events(e1)), (v2, OUT.encode_events(e2))


def test_the_latest_snapshot_wins_and_events_come_back_in_order():
    (v1, e1), (v2, e2) = _history()
    rb = CaseRebuilder(CODEC)
    key = v1.case_id.encode()
    rb.add_snapshot(key, OUT.encode_snapshot(v1))
    for blob in (*e1, *e2):
        rb.add_event(blob)
    rb.add_snapshot(key, OUT.encode_snapshot(v2))
    [write] = rb.writes()
    assert write.state == v2
    assert [blob for _, blob in write.new_events] == [*e1, *e2]
    assert rb.stats.incomplete_histories == 0


def test_an_older_snapshot_read_after_a_newer_one_does_not_win():
    (v1, _), (v2, _) = _history()
    rb = CaseRebuilder(CODEC)
    rb.add_snapshot(b"k", OUT.encode_snapshot(v2))
    rb.add_snapshot(b"k", OUT.encode_snapshot(v1))
    assert rb.writes()[0].state.version == v2.version


def test_an_event_read_twice_is_kept_once():
    (v1, e1), _ = _history()
    rb = CaseRebuilder(CODEC)
    rb.add_snapshot(b"k", OUT.encode_snapshot(v1))
    for blob in (*e1, *e1):
        rb.add_event(blob)
    assert len(rb.writes()[0].new_events) == len(e1)


def test_a_gap_in_the_history_is_counted_and_undecodable_records_are_skipped():
    (v1, e1), _ = _history()
    rb = CaseRebuilder(CODEC)
    rb.add_snapshot(b"k", OUT.encode_snapshot(v1))
    rb.add_event(e1[1])
    rb.add_event(b"garbage")
    rb.add_snapshot(b"k2", b"\xc3\x01garbage")
    writes = rb.writes()
    assert len(writes) == 1
    assert (rb.stats.incomplete_histories, rb.stats.undecodable) == (1, 2)


def test_a_tombstone_removes_the_case():
    (v1, _), _ = _history()
    rb = CaseRebuilder(CODEC)
    rb.add_snapshot(v1.case_id.encode(), OUT.encode_snapshot(replace(v1)))
    rb.add_snapshot(v1.case_id.encode(), None)
    assert rb.writes() == []
