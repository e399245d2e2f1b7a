"""Trace verification from raw records: an intact history, a forged event, an undecodable one, node copies."""

from __future__ import annotations

import dataclasses

import pytest

from gbus.codec import AvroCodec
from gbus.domain.status import CaseStatus
from gbus.ops.trace import RawRecord, build_trace, render_trace, trace_dict
from gbus.wire.avro_records import event_record
from support.cases import copy_bytes, opened, with_status
from support.factories import router as default_router

CODEC = AvroCodec()


@pytest.fixture(scope="module")
def case():
    state, history = opened(default_router())
    state, history = with_status(state, history, CaseStatus.ACCEPTED)
    state2, history2 = with_status(state, history, CaseStatus.IN_PROGRESS)
    return state, history, state2, history2


def raw_events(history, start_offset=0):
    return [
        RawRecord(start_offset + i, CODEC.encode("gbus.avro.CaseEvent", event_record(e))) for i, e in enumerate(history)
    ]


def test_an_intact_history_verifies_and_lists_every_event_in_order(case):
    _, _, state, history = case
    trace = build_trace(state.case_id, "79", "gbus.case-events", 3, CODEC, raw_events(history))
    assert trace.verified and trace.breaks == []
    assert [t.event.seq for t in trace.events] == list(range(1, len(history) + 1))
    text = "\n".join(render_trace(trace))
    assert f"hash chain verified: {len(history)} event(s)" in text and "status ACCEPTED -> IN_PROGRESS" in text


def test_a_forged_event_is_named_with_its_offset_and_the_reason(case):
    _, _, state, history = case
    forged = list(history)
    victim = forged[1]
    forged[1] = dataclasses.replace(victim, actor="gov.ubnd@79")  # content changed, hash kept
    trace = build_trace(state.case_id, "79", "gbus.case-events", 3, CODEC, raw_events(forged, start_offset=10))
    assert not trace.verified
    [problem] = trace.breaks
    assert (problem.offset, problem.seq, problem.event_id) == (11, 2, victim.event_id)
    assert "altered" in problem.problem
    text = "\n".join(render_trace(trace))
    assert "HASH CHAIN BROKEN" in text and f"event {victim.event_id} (seq 2, offset 11)" in text


def test_a_removed_event_breaks_the_link_of_the_next_one(case):
    _, _, state, history = case
    kept = [e for e in history if e.seq != 2]
    trace = build_trace(state.case_id, "79", "t", 0, CODEC, raw_events(kept))
    problems = {(b.seq, b.problem) for b in trace.breaks}
    assert (3, "sequence 3, expected 2") in problems
    assert (3, "prev_hash does not match the previous event") in problems


def test_an_undecodable_record_is_reported_by_offset_without_stopping_the_trace(case):
    _, _, state, history = case
    records = [*raw_events(history), RawRecord(99, b"\xc3\x01garbage")]
    trace = build_trace(state.case_id, "79", "t", 0, CODEC, records)
    assert len(trace.events) == len(history)
    assert [b.offset for b in trace.breaks] == [99] and "cannot be decoded" in trace.breaks[0].problem


def test_node_copies_show_their_version_against_the_log(case):
    old_state, old_history, state, history = case
    copies = {
        "79": RawRecord(4, copy_bytes(CODEC, state, history, area="79")),
        "VN": RawRecord(2, copy_bytes(CODEC, old_state, old_history, area="VN")),
    }
    trace = build_trace(state.case_id, "79", "t", 0, CODEC, raw_events(history), copies=copies)
    views = {c.area: c for c in trace.copies}
    assert views["79"].freshness(trace.log_version) == "current" and views["79"].matches_log
    assert views["VN"].freshness(trace.log_version) == f"behind (v{old_state.version} of v{state.version})"
    assert trace.verified
    assert [n["area"] for n in trace_dict(trace)["nodes"]] == ["VN", "79"]


def test_a_node_copy_whose_history_differs_from_the_log_fails_verification(case):
    _, _, state, history = case
    tampered = [*history[:-1], dataclasses.replace(history[-1], actor="someone")]
    copies = {"79": RawRecord(0, copy_bytes(CODEC, state, tampered, area="79"))}
    trace = build_trace(state.case_id, "79", "t", 0, CODEC, raw_events(history), copies=copies)
    assert not trace.verified
    assert trace.copies[0].matches_log is False and trace.copies[0].problems


def test_a_case_with_no_record_is_not_found():
    trace = build_trace("79-nothing", "79", "t", 0, CODEC, [])
    assert not trace.found and "not found" in "\n".join(render_trace(trace))
