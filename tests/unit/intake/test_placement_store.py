"""The node's verdict store: exactly-once application, lookups, and waiting for a verdict."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from gbus.errors import NotFoundError, ValidationError
from gbus.intake.accepted import AcceptedRequests
from gbus.intake.lookup import ReportLookup
from gbus.intake.placement import Verdict
from gbus.intake.placement_store import PlacementStore

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
ORIGIN = "gov.ubnd@79"
TOPIC = "t.report-results.79"


def verdict(kind: str = "new", report_id: str = "R79-x", submitted: datetime = T0) -> Verdict:
    return Verdict(report_id, ORIGIN, "req-1", submitted, kind, "79-abc", "gov.so-xd@79", "", T0)


@pytest.fixture
def store():
    s = PlacementStore(":memory:")
    yield s
    s.close()


def test_a_verdict_is_found_by_report_id_and_by_request_and_the_offset_moves_past_it(store):
    store.apply(verdict(), topic=TOPIC, offset=41)
    assert store.get("R79-x").case_id == "79-abc"
    assert store.find(ORIGIN, "req-1").report_id == "R79-x"
    assert store.next_offset(TOPIC) == 42 and store.next_offset("other") is None


def test_the_verdict_on_the_awaited_submission_wakes_its_waiter_and_says_someone_waited(store):
    submission = verdict().submission
    waiter = store.expect(submission)
    threading.Timer(0.05, lambda: store.apply(verdict(), topic=TOPIC, offset=0)).start()
    got = store.wait(submission, waiter, 5.0)
    assert got is not None and got.case_id == "79-abc"
    _, waited = store.apply(verdict(), topic=TOPIC, offset=1)
    assert not waited  # the waiter is gone once answered: a late verdict is told apart


def test_a_verdict_on_an_earlier_submission_of_the_same_report_does_not_answer_a_later_one(store):
    later = verdict(submitted=T0 + timedelta(seconds=5)).submission
    waiter = store.expect(later)
    store.apply(verdict("refused"), topic=TOPIC, offset=0)
    assert store.wait(later, waiter, 0.1) is None


def test_a_retry_waits_until_the_report_is_placed_and_gets_what_is_known_at_the_timeout(store):
    assert store.wait_placed("R79-x", 0.05) is None
    threading.Timer(0.05, lambda: store.apply(verdict(), topic=TOPIC, offset=0)).start()
    assert store.wait_placed("R79-x", 5.0).placed


@pytest.fixture
def lookup(store):
    accepted = AcceptedRequests(":memory:")
    accepted.put_many([(ORIGIN, "req-pending", "R79-p", "fp", T0)])
    store.apply(verdict(), topic=TOPIC, offset=0)
    yield ReportLookup(store, accepted)
    accepted.close()


def test_get_report_finds_a_placed_report_by_either_key_for_its_origin(lookup):
    assert lookup.get(ORIGIN, report_id="R79-x").case_id == "79-abc"
    assert lookup.get(ORIGIN, request_id="req-1").case_id == "79-abc"


def test_get_report_answers_placed_false_for_a_report_accepted_but_not_yet_judged(lookup):
    pending = lookup.get(ORIGIN, request_id="req-pending")
    assert (pending.report_id, pending.placed) == ("R79-p", False)
    assert lookup.get(ORIGIN, report_id="R79-p").request_id == "req-pending"


def test_another_agency_gets_not_found_as_for_a_report_that_does_not_exist(lookup):
    with pytest.raises(NotFoundError):
        lookup.get("gov.ubnd@01", report_id="R79-x")
    with pytest.raises(NotFoundError):
        lookup.get("gov.ubnd@01", origin_agency=ORIGIN, request_id="req-1")
    with pytest.raises(NotFoundError):
        lookup.get(ORIGIN, report_id="R79-none")


def test_get_report_without_a_key_names_the_field(lookup):
    with pytest.raises(ValidationError) as exc:
        lookup.get(ORIGIN)
    assert exc.value.violations[0].field == "report_id"
