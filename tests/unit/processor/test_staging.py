"""A batch's staged changes: visible to the rest of the batch, invisible to the store until commit."""

from __future__ import annotations

from gbus.cases.intake_decisions import link_report, open_case
from gbus.processor.staging import StagedChange, Staging
from support.factories import T0, case_report, router

from .conftest import CODEC, new_store


def _staged(before, after, events):
    from gbus.processor.outputs import Outputs
    from gbus.topics import Topics

    out = Outputs(CODEC, Topics(prefix="t.", partitions=4), ())
    return StagedChange(before, after, events, out.encode_events(events), out.encode_snapshot(after))


def test_a_staged_case_is_visible_to_the_batch_but_not_in_the_store():
    store = new_store()
    staging = Staging(store)
    state, events = open_case(router(), case_report(), now=T0)
    staging.stage([_staged(None, state, events)])
    assert staging.case(state.case_id) == state
    assert staging.case_of_report(state.reports[0].report_id) == state.case_id
    assert store.case(state.case_id) is None


def test_two_changes_to_one_case_in_a_batch_make_one_delta_that_remembers_the_committed_state():
    store = new_store()
    opened, opened_events = open_case(router(), case_report(), now=T0)
    first = Staging(store)
    first.stage([_staged(None, opened, opened_events)])
    store.apply(first.writes())

    batch = Staging(store)
    one, one_events = link_report(router(), opened, case_report(), now=T0, score=1.0, matched_report_id=None)
    two, two_events = link_report(router(), one, case_report(), now=T0, score=1.0, matched_report_id=None)
    batch.stage([_staged(opened, one, one_events)])
    batch.stage([_staged(one, two, two_events)])
    [delta] = batch.deltas
    assert delta.before == opened and delta.after == two
    new_seqs = list(range(3, two.last_seq + 1))
    assert [e.seq for e in delta.events] == new_seqs
    history = batch.history(opened.case_id)
    assert len(history) == two.last_seq and history[2:] == delta.encoded_events
    assert [seq for seq, _ in batch.writes()[0].new_events] == new_seqs


def test_a_case_opened_in_the_batch_has_only_the_batch_history():
    store = new_store()
    staging = Staging(store)
    state, events = open_case(router(), case_report(), now=T0)
    staging.stage([_staged(None, state, events)])
    assert len(staging.history(state.case_id)) == 2


def test_dropping_a_staging_leaves_the_store_as_committed():
    store = new_store()
    staging = Staging(store)
    state, events = open_case(router(), case_report(), now=T0)
    staging.stage([_staged(None, state, events)])
    del staging
    assert store.counts() == {"cases": 0, "events": 0, "reports": 0}


def test_a_shard_seen_through_the_batch_has_committed_cases_with_staged_changes_and_new_ones():
    store = new_store()
    committed, committed_events = open_case(router(), case_report(), now=T0)
    first = Staging(store)
    first.stage([_staged(None, committed, committed_events)])
    store.apply(first.writes())

    batch = Staging(store)
    grown, grown_events = link_report(router(), committed, case_report(), now=T0, score=1.0, matched_report_id=None)
    fresh, fresh_events = open_case(router(), case_report(), now=T0)
    batch.stage([_staged(committed, grown, grown_events)])
    batch.stage([_staged(None, fresh, fresh_events)])
    assert batch.states_of_shard("79") == [grown, fresh]
    assert batch.states_of_shard("01") == []
