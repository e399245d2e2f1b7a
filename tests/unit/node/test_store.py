"""The node's local store: versions, integrity, the change log and its cursor, offsets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gbus.codec import AvroCodec
from gbus.domain import events as ev
from gbus.domain.status import CaseStatus
from gbus.node.copies import decode_copy
from gbus.node.store import CaseFilter, NodeStore
from gbus.routing import Router
from support.cases import HANDLER, ORIGIN, UNRELATED, WATCHER, copy_bytes, opened, with_status

ROUTER = Router.default()
CODEC = AvroCodec()
TOPIC = "gbus.node.79"


@pytest.fixture
def store(tmp_path):
    s = NodeStore(tmp_path / "node.sqlite", CODEC)
    yield s
    s.close()


class Feed:
    """Applies copies at increasing offsets, as the copy feed does."""

    def __init__(self, store):
        self.store, self.offset = store, 0

    def __call__(self, state, history, **kw):
        applied = self.store.apply(
            decode_copy(CODEC, copy_bytes(CODEC, state, history, **kw)), topic=TOPIC, partition=0, offset=self.offset
        )
        self.offset += 1
        return applied


def test_a_first_copy_stores_the_case_its_history_and_one_change(store):
    state, history = opened(ROUTER)
    applied = Feed(store)(state, history)
    assert not applied.stale and applied.created and applied.problems == ()
    held = store.case(state.case_id)
    assert held.state == state and not held.integrity_alert
    assert [e.seq for e in store.history(state.case_id)] == [1, 2]
    assert [(c.position, c.first_seq, c.last_seq) for c in store.changes_after(0)] == [(1, 1, 2)]


def test_a_copy_not_newer_than_the_stored_version_changes_nothing_but_the_offset(store):
    feed = Feed(store)
    v1 = opened(ROUTER)
    v2 = with_status(*v1, CaseStatus.ACCEPTED)
    feed(*v2)
    assert feed(*v1).stale and feed(*v2).stale
    assert store.case(v2[0].case_id).state.version == 2
    assert len(store.changes_after(0)) == 1
    assert store.next_offset(TOPIC, 0) == 3


def test_the_offset_is_recorded_with_the_change_and_survives_a_restart(tmp_path):
    first = NodeStore(tmp_path / "n.sqlite", CODEC)
    Feed(first)(*opened(ROUTER))
    epoch = first.epoch
    first.close()
    again = NodeStore(tmp_path / "n.sqlite", CODEC)
    assert again.next_offset(TOPIC, 0) == 1 and again.epoch == epoch and again.last_position == 1
    again.close()


def test_a_later_change_lists_only_the_events_it_added(store):
    feed = Feed(store)
    v1 = opened(ROUTER)
    v2 = with_status(*v1, CaseStatus.ACCEPTED)
    feed(*v1)
    feed(*v2)
    last = store.changes_after(1)
    assert [(c.first_seq, c.last_seq, c.state.status) for c in last] == [(3, 3, CaseStatus.ACCEPTED)]


def test_a_node_that_missed_versions_records_every_event_it_had_not_seen(store):
    feed = Feed(store)
    v1 = opened(ROUTER)
    v3 = with_status(*with_status(*v1, CaseStatus.ACCEPTED), CaseStatus.IN_PROGRESS)
    feed(*v1)
    feed(*v3, new_events=1)
    assert [(c.first_seq, c.last_seq) for c in store.changes_after(1)] == [(3, 4)]


def test_a_broken_hash_chain_is_stored_flagged_with_the_problem(store):
    state, history = with_status(*opened(ROUTER), CaseStatus.ACCEPTED)
    forged = (*history[:2], replace(history[2], body=ev.StatusChanged("ASSIGNED", "REJECTED", "test")))
    applied = Feed(store)(state, forged)
    assert applied.problems and "altered" in applied.problems[0]
    held = store.case(state.case_id)
    assert held.integrity_alert and "altered" in held.integrity_problem
    assert store.changes_after(0)[0].integrity_alert


def test_an_alert_stays_raised_when_a_clean_copy_follows(store):
    feed = Feed(store)
    state, history = opened(ROUTER)
    feed(state, (history[0], replace(history[1], actor="forger")))
    feed(*with_status(state, history, CaseStatus.ACCEPTED))
    assert store.case(state.case_id).integrity_alert


def test_a_consistent_history_that_rewrites_what_the_node_held_is_flagged(store):
    feed = Feed(store)
    v1 = opened(ROUTER)
    feed(*v1)
    other_past = opened(ROUTER, title="Một tiêu đề khác")  # same case id, different recorded history
    applied = feed(*with_status(*other_past, CaseStatus.ACCEPTED))
    assert any("differs" in p for p in applied.problems)


def test_cases_are_listed_by_agency_and_role_newest_first_in_stable_pages(store):
    feed = Feed(store)
    ids = []
    for i in range(5):
        state, history = opened(ROUTER, f"r-{i}", at=opened(ROUTER)[0].opened_at.replace(hour=8 + i))
        feed(state, history)
        ids.append(state.case_id)
    page1 = store.list_cases(CaseFilter(HANDLER, role="handler"), after=None, limit=2)
    page2 = store.list_cases(CaseFilter(HANDLER, role="handler"), after=page1[-1][1], limit=2)
    page3 = store.list_cases(CaseFilter(HANDLER, role="handler"), after=page2[-1][1], limit=2)
    listed = [s.state.case_id for s, _ in page1 + page2 + page3]
    assert listed == list(reversed(ids))
    assert store.list_cases(CaseFilter(WATCHER, role="handler"), after=None, limit=10) == []
    assert len(store.list_cases(CaseFilter(ORIGIN, role="origin"), after=None, limit=10)) == 5
    assert store.list_cases(CaseFilter(UNRELATED), after=None, limit=10) == []


def test_listing_filters_by_status_category_and_update_time(store):
    feed = Feed(store)
    v1 = opened(ROUTER, "a")
    accepted = with_status(*opened(ROUTER, "b"), CaseStatus.ACCEPTED)
    feed(*v1)
    feed(*accepted)
    by_status = store.list_cases(CaseFilter(HANDLER, statuses=("ACCEPTED",)), after=None, limit=10)
    assert [s.state.case_id for s, _ in by_status] == [accepted[0].case_id]
    assert store.list_cases(CaseFilter(HANDLER, category="y_te"), after=None, limit=10) == []
    cutoff = int(v1[0].updated_at.timestamp() * 1000)
    later = store.list_cases(CaseFilter(HANDLER, updated_after_ms=cutoff), after=None, limit=10)
    assert [s.state.case_id for s, _ in later] == [accepted[0].case_id]


def test_waiting_for_a_change_returns_at_once_when_one_exists_and_false_on_timeout(store):
    Feed(store)(*opened(ROUTER))
    assert store.wait_for_change(0, 5.0) is True
    assert store.wait_for_change(1, 0.05) is False
