"""What a node records and answers from the processor's verdicts (pure)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from gbus.intake.placement import Placement, Verdict, apply_verdict

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)


def verdict(kind: str, *, case_id: str = "79-abc", at: datetime = T0, message: str = "") -> Verdict:
    return Verdict("R79-x", "gov.ubnd@79", "req-1", T0, kind, case_id, "gov.so-xd@79", message, at)


def test_the_first_placing_verdict_fixes_case_decision_handler_and_time():
    placed = apply_verdict(None, verdict("link"))
    assert (placed.placed, placed.case_id, placed.decision, placed.handler, placed.placed_at) == (
        True, "79-abc", "link", "gov.so-xd@79", T0,
    )  # fmt: skip


def test_a_later_replay_does_not_move_the_placement():
    first = apply_verdict(None, verdict("new"))
    again = apply_verdict(first, verdict("replay", case_id="79-other", at=T0 + timedelta(hours=1)))
    assert again == first


def test_a_refusal_keeps_the_placement_and_adds_what_was_refused():
    first = apply_verdict(None, verdict("new"))
    refused = apply_verdict(first, verdict("refused", message="differs in title"))
    assert refused.placed and refused.case_id == "79-abc" and refused.refusal == "differs in title"


def test_a_refusal_of_a_report_never_placed_here_names_the_first_contents_case_but_is_not_placed():
    refused = apply_verdict(None, verdict("refused", case_id="79-first", message="differs in title"))
    assert not refused.placed and refused.case_id == "79-first" and refused.refusal


def test_a_placing_verdict_after_a_refusal_clears_it():
    refused = apply_verdict(None, verdict("refused", message="differs"))
    placed = apply_verdict(refused, verdict("replay"))
    assert placed.placed and placed.decision == "replay" and placed.refusal == ""


def test_a_retry_is_answered_as_a_replay_of_the_same_case_and_a_pending_one_stays_pending():
    placed = apply_verdict(None, verdict("new"))
    assert placed.as_replay().decision == "replay" and placed.as_replay().case_id == "79-abc"
    pending = Placement.pending("R79-x", "gov.ubnd@79", "req-1")
    assert pending.as_replay() == pending
