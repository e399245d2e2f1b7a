"""The status machine (docs/architecture.md, Case status), table-driven and property-tested."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gbus.domain.status import OPEN_STATES, CaseStatus, allowed_next, can_transition, parse_status

S = CaseStatus

LEGAL = {
    (S.ASSIGNED, S.ACCEPTED),
    (S.ASSIGNED, S.REJECTED),
    (S.ASSIGNED, S.TRANSFERRED),
    (S.TRANSFERRED, S.ASSIGNED),
    (S.ACCEPTED, S.IN_PROGRESS),
    (S.ACCEPTED, S.RESOLVED),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.REOPENED),
    (S.REJECTED, S.REOPENED),
    (S.REJECTED, S.CLOSED),
    (S.REOPENED, S.ACCEPTED),
} | {(s, S.MERGED) for s in OPEN_STATES}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_exactly_the_designed_transitions_are_legal(current, target):
    assert can_transition(current, target) == ((current, target) in LEGAL)


def test_closed_and_merged_cases_go_nowhere():
    assert allowed_next(S.CLOSED) == frozenset()
    assert allowed_next(S.MERGED) == frozenset()


def test_resolved_and_rejected_cases_are_not_open_so_cannot_be_merged():
    assert not can_transition(S.RESOLVED, S.MERGED)
    assert not can_transition(S.REJECTED, S.MERGED)


@given(st.lists(st.sampled_from(list(S)), max_size=30))
def test_any_walk_of_legal_steps_from_assigned_never_leaves_a_terminal_state(steps):
    current = S.ASSIGNED
    for target in steps:
        if can_transition(current, target):
            assert current not in (S.CLOSED, S.MERGED)
            current = target
    assert current in set(S)


@given(st.sampled_from(list(S)))
def test_every_state_except_terminal_ones_has_a_way_forward(state):
    if state in (S.CLOSED, S.MERGED):
        assert not allowed_next(state)
    else:
        assert allowed_next(state)


@pytest.mark.parametrize("text", ["accepted", "ACCEPTED", "CASE_STATUS_ACCEPTED", " Accepted "])
def test_status_names_parse_in_every_spelling_member_systems_use(text):
    assert parse_status(text) is S.ACCEPTED


def test_an_unknown_status_name_is_refused():
    with pytest.raises(ValueError):
        parse_status("DONE")
