"""Which open transactions a processor taking over shards may fence: only a dead member's, on what it took."""

from __future__ import annotations

from gbus.processor.predecessors import to_fence

TAKEN = {("t.case-state", 3), ("t.case-events", 3)}


def _choose(open_transactions, live=frozenset()):
    return to_fence(open_transactions, prefix="g-", own_transactional_id="g-p2", live_instances=set(live), taken=TAKEN)


def test_a_gone_instances_transaction_on_a_taken_partition_is_fenced():
    assert _choose({"g-p1": [("t.case-state", 3), ("t.node.79", 0)]}) == ["g-p1"]


def test_a_live_members_transaction_is_never_fenced():
    assert _choose({"g-p1": [("t.case-state", 3)]}, live={"p1"}) == []


def test_our_own_and_other_groups_transactions_are_left_alone():
    assert _choose({"g-p2": [("t.case-state", 3)], "other-p1": [("t.case-state", 3)]}) == []


def test_a_transaction_that_writes_none_of_the_taken_partitions_is_left_alone():
    assert _choose({"g-p1": [("t.case-state", 4), ("t.case-events", 4)]}) == []


def test_several_gone_instances_are_fenced_in_a_stable_order():
    both = {"g-p9": [("t.case-events", 3)], "g-p1": [("t.case-state", 3)]}
    assert _choose(both) == ["g-p1", "g-p9"]


def test_a_check_that_hangs_on_a_frozen_broker_is_given_up_after_its_bound(monkeypatch):
    import threading
    import time

    from gbus.config import KafkaSettings
    from gbus.processor import predecessors
    from gbus.topics import Topics

    released = threading.Event()
    monkeypatch.setattr(predecessors, "_fence", lambda *a, **k: released.wait(30) and ["g-p1"])
    started = time.monotonic()
    fenced = predecessors.fence_predecessors(KafkaSettings(), Topics(), group_id="g", own_transactional_id="g-p2",
                                             partitions={3}, timeout_s=0.3)  # fmt: skip
    released.set()
    assert fenced == [] and time.monotonic() - started < 5
