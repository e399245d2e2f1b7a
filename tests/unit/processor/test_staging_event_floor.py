"""The lower bound of a newly touched case's event offsets within one batch."""

from __future__ import annotations

from gbus.cases.intake_decisions import open_case
from gbus.processor.staging import StagedChange, Staging
from support.factories import HOAN_KIEM, T0, case_report, router

from .conftest import new_store

PARTITION = {"79": 3, "01": 1}


def _change(**overrides) -> StagedChange:
    state, events = open_case(router(), case_report(**overrides), now=T0)
    return StagedChange(None, state, events, tuple(b"e" for _ in events), b"snapshot")


def test_a_case_touched_later_in_the_batch_starts_after_the_events_of_the_cases_touched_before_it():
    staging = Staging(new_store(), {3: 100, 1: 7}, PARTITION.__getitem__)
    assert staging.event_floor(3) == 100
    first, other_partition = _change(), _change(place=HOAN_KIEM)
    staging.stage([first, other_partition])
    assert staging.event_floor(3) == 100 + len(first.events)
    assert staging.event_floor(1) == 7 + len(other_partition.events)


def test_a_partition_this_process_has_no_floor_for_is_read_from_its_start():
    assert Staging(new_store()).event_floor(2) == 0
