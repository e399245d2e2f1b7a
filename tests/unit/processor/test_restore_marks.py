"""Restore from snapshots alone when they carry history marks; read events only for older snapshots."""

from __future__ import annotations

from gbus.cases.intake_decisions import link_report, open_case
from gbus.processor.history import HistoryMark
from gbus.processor.outputs import Outputs
from gbus.processor.restore import CaseRebuilder
from gbus.topics import Topics
from support.factories import T0, case_report, router

from .conftest import CODEC

OUT = Outputs(CODEC, Topics(prefix="t.", partitions=4), ())


def _two_versions():
    v1, e1 = open_case(router(), case_report(), now=T0)
    v2, e2 = link_report(router(), v1, case_report(), now=T0, score=1.0, matched_report_id=None)
    return (v1, OUT.encode_events(e1)), (v2, OUT.encode_events(e2))


def test_a_snapshot_with_marks_restores_the_case_without_its_events():
    (v1, _), (v2, _) = _two_versions()
    marks = (HistoryMark(1, 7), HistoryMark(v1.last_seq + 1, 30))
    rb = CaseRebuilder(CODEC)
    rb.add_snapshot(v2.case_id.encode(), OUT.encode_snapshot(v2, marks))
    assert not rb.needs_events
    [write] = rb.writes()
    assert (write.state, write.marks, write.history_loaded, write.new_events) == (v2, marks, False, ())
    assert rb.stats.cases_without_marks == 0


def test_a_snapshot_from_before_marks_needs_the_events_and_gets_exact_marks_from_their_offsets():
    (v1, e1), (v2, e2) = _two_versions()
    rb = CaseRebuilder(CODEC)
    rb.add_snapshot(v2.case_id.encode(), OUT.encode_snapshot(v2))
    assert rb.needs_events
    offsets = [5, 6, 20, 21, 22][: len(e1) + len(e2)]
    for blob, offset in zip((*e1, *e2), offsets, strict=True):
        rb.add_event(blob, offset)
    [write] = rb.writes()
    assert write.history_loaded and [b for _, b in write.new_events] == [*e1, *e2]
    assert write.marks[0] == HistoryMark(1, 5)
    assert [m.first_seq for m in write.marks] == [1, len(e1) + 1]
    assert rb.stats.cases_without_marks == 1
