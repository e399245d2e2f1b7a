"""A failed transaction is aborted and retried; an unknown outcome is resolved from Kafka itself."""

from __future__ import annotations

from collections import Counter

import pytest
from kafka.errors import CommitFailedError, KafkaTimeoutError

from gbus.processor.transactions import ABORTABLE, INDEFINITE, TxnFailure
from support.factories import HOAN_KIEM, case_report

from .conftest import wait_until

pytestmark = pytest.mark.integration

REPORTS = [
    dict(title="Đèn đường hỏng phố Hàng Bài", category="ha_tang_giao_thong", place=HOAN_KIEM,
         description="Cả dãy đèn đường phố Hàng Bài hỏng hai tuần nay, buổi tối rất tối."),
    dict(title="Rác thải ùn ứ quanh chợ Bến Thành", category="moi_truong",
         description="Rác thải sinh hoạt ùn ứ quanh chợ Bến Thành ba ngày chưa được thu gom."),
]  # fmt: skip


def _fail_first_commit(processor, *, kind: str, after_commit: bool):
    """The first commit fails; with after_commit it really committed before 'failing' (a lost answer)."""
    txn = processor._txn
    real_commit = txn.commit
    state = {"failed": False}

    def commit(offsets, group_metadata):
        if state["failed"]:
            return real_commit(offsets, group_metadata)
        state["failed"] = True
        if after_commit:
            real_commit(offsets, group_metadata)
        cause = KafkaTimeoutError("commit not confirmed") if kind == INDEFINITE else CommitFailedError("fenced")
        raise TxnFailure(kind, cause)

    txn.commit = commit
    return state


@pytest.mark.parametrize(
    ("kind", "after_commit"),
    [(ABORTABLE, False), (INDEFINITE, False), (INDEFINITE, True)],
    ids=["aborted-then-retried", "timed-out-before-commit", "committed-but-answer-lost"],
)
def test_every_report_takes_effect_exactly_once_whatever_the_commit_failure(bus, kind, after_commit):
    running = bus.start_processor()
    failure = _fail_first_commit(running.processor, kind=kind, after_commit=after_commit)
    reports = [case_report(**fields) for fields in REPORTS]
    for r in reports:
        bus.send_report(r, flush=False)
    bus.flush()

    wait_until(lambda: failure["failed"] and len(bus.latest_snapshots()) == 2, 60, "both cases")
    # A later report shows the processor went on after the failure, from the right place.
    bus.send_report(case_report(title="Mất nước kéo dài ở phường Bến Thành", category="dien_nuoc",
                                description="Khu phố 3 mất nước sinh hoạt ba ngày liền, không có thông báo."))  # fmt: skip
    wait_until(lambda: len(bus.latest_snapshots()) == 3, 60, "the third case")
    events = bus.decoded(bus.topics.case_events, "gbus.avro.CaseEvent")
    assert max(Counter(e["event_id"] for e in events).values()) == 1
    assert sorted(len(s["reports"]) for s in bus.latest_snapshots().values()) == [1, 1, 1]
    assert running.metrics.transactions.labels(outcome="aborted")._value.get() == 1
    if kind == INDEFINITE:
        assert running.processor._txn.recreations == 1
