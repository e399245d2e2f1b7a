"""The transactional producer's failure handling: abort and retry, re-create when unsure, stop when fenced."""

from __future__ import annotations

import pytest
from kafka import errors as kerr

from gbus.processor.transactions import (
    ABORTABLE,
    FENCED,
    INDEFINITE,
    FencedError,
    TransactionalProducer,
    TxnFailure,
    classify,
    discard,
)


class FakeProducer:
    def __init__(self, log, *, abort_error=None, init_error=None):
        self.log, self.abort_error, self.init_error = log, abort_error, init_error

    def init_transactions(self):
        self.log.append("init")
        if self.init_error:
            raise self.init_error

    def begin_transaction(self):
        self.log.append("begin")

    def abort_transaction(self):
        self.log.append("abort")
        if self.abort_error:
            raise self.abort_error

    def close(self, timeout=None):
        self.log.append("close")


def _producer(**kwargs):
    log: list[str] = []
    txn = TransactionalProducer(lambda: FakeProducer(log, **kwargs))
    txn.start()
    txn.begin()
    return txn, log


def test_errors_are_classified_by_what_the_processor_must_do():
    assert classify(kerr.ProducerFencedError()) == FENCED
    assert classify(kerr.KafkaTimeoutError()) == INDEFINITE
    assert classify(kerr.CommitFailedError()) == ABORTABLE


def test_an_abortable_failure_aborts_and_keeps_the_producer():
    txn, log = _producer()
    assert txn.recover(TxnFailure(ABORTABLE, kerr.CommitFailedError())) is False
    assert log == ["init", "begin", "abort"] and txn.recreations == 0


def test_a_timeout_re_creates_the_producer_without_an_abort_and_reports_an_unknown_outcome():
    txn, log = _producer()
    assert txn.recover(TxnFailure(INDEFINITE, kerr.KafkaTimeoutError())) is True
    # No abort first: the new producer's init resolves the open transaction, and an abort
    # sent to a dead coordinator would only wait out its own deadline.
    assert log == ["init", "begin", "close", "init"] and txn.recreations == 1


def test_a_failed_abort_re_creates_the_producer():
    txn, log = _producer(abort_error=kerr.KafkaError("broken"))
    assert txn.recover(TxnFailure(ABORTABLE, kerr.KafkaError("x"))) is True
    assert txn.recreations == 1


def test_being_fenced_stops_the_processor():
    txn, _ = _producer()
    with pytest.raises(FencedError):
        txn.recover(TxnFailure(FENCED, kerr.ProducerFencedError()))


def test_a_fenced_start_says_another_instance_owns_the_id():
    txn = TransactionalProducer(lambda: FakeProducer([], init_error=kerr.ProducerFencedError()))
    with pytest.raises(FencedError):
        txn.start()


# -- deadlines: no transactional step may wait forever (issue 13, item 0) -----------------


class HangingProducer(FakeProducer):
    """A producer whose offsets step never answers, like kafka-python 3.0.12's after the
    coordinator broker dies between AddPartitions and AddOffsets."""

    def __init__(self, log, release):
        super().__init__(log)
        self.release = release

    def flush(self, timeout=None):
        self.log.append("flush")

    def send_offsets_to_transaction(self, offsets, group_metadata):
        self.log.append("offsets")
        self.release.wait()  # blocks until the test ends

    def commit_transaction(self):
        self.log.append("commit")


def test_a_commit_whose_offsets_step_hangs_fails_as_indefinite_within_its_deadline():
    import threading
    import time

    release = threading.Event()
    log: list[str] = []
    txn = TransactionalProducer(lambda: HangingProducer(log, release), timeout_s=0.5)
    txn.start()
    txn.begin()
    started = time.monotonic()
    try:
        with pytest.raises(TxnFailure) as failure:
            txn.commit({}, "group")
        assert failure.value.kind == INDEFINITE
        assert time.monotonic() - started < 2.0
        assert "commit" not in log  # never committed on top of an unconfirmed offsets step
        # Unknown outcome: the producer is replaced (its init fences the stuck one).
        assert txn.recover(failure.value) is True
        assert txn.recreations == 1 and log.count("init") == 2
    finally:
        release.set()


class NeverDone:
    def wait(self, timeout_ms=None):
        return False  # what TransactionalRequestResult.wait says when its latch times out


class ManagerProducer(FakeProducer):
    """The internals the deadline path uses: a transaction manager whose requests never complete."""

    class _Manager:
        def __init__(self, log):
            self.log = log

        def begin_commit(self):
            self.log.append("manager-commit")
            return NeverDone()

        def begin_abort(self):
            self.log.append("manager-abort")
            return NeverDone()

        def send_offsets_to_transaction(self, offsets, group_metadata):
            self.log.append("manager-offsets")
            return NeverDone()

    class _Sender:
        def wakeup(self):
            pass

    def __init__(self, log):
        super().__init__(log)
        self._transaction_manager = self._Manager(log)
        self._sender = self._Sender()

    def flush(self, timeout=None):
        self.log.append("flush")


def test_the_offsets_step_is_waited_for_with_a_timeout_through_the_transaction_manager():
    log: list[str] = []
    txn = TransactionalProducer(lambda: ManagerProducer(log), timeout_s=0.2)
    txn.start()
    txn.begin()
    with pytest.raises(TxnFailure) as failure:
        txn.commit({}, "group")
    assert failure.value.kind == INDEFINITE
    assert "not confirmed" in str(failure.value)
    assert log[-1] == "manager-offsets"


def test_an_abort_that_is_never_confirmed_replaces_the_producer():
    log: list[str] = []
    txn = TransactionalProducer(lambda: ManagerProducer(log), timeout_s=0.2)
    txn.start()
    txn.begin()
    assert txn.recover(TxnFailure(ABORTABLE, kerr.KafkaError("x"))) is True
    assert "manager-abort" in log and txn.recreations == 1


def test_a_slow_first_init_is_tried_again_before_the_processor_gives_up(monkeypatch):
    import gbus.processor.transactions as txn_module

    monkeypatch.setattr(txn_module.time, "sleep", lambda _s: None)
    log: list[str] = []
    failures = [kerr.KafkaTimeoutError("transaction state not ready"), kerr.KafkaTimeoutError("still not ready")]

    def make():
        return FakeProducer(log, init_error=failures.pop(0) if failures else None)

    txn = TransactionalProducer(make)
    txn.start()
    assert log.count("init") == 3 and log.count("close") == 2  # two timed-out producers closed, the third kept


def test_a_replacement_producer_tries_its_init_again_at_once_while_a_starting_one_waits(monkeypatch):
    # A replacement's init has already waited its whole bound (the step deadline) with the
    # processing thread stalled; a pause of seconds on top was a second of the campaign's stall.
    import gbus.processor.transactions as txn_module

    pauses: list[float] = []
    monkeypatch.setattr(txn_module.time, "sleep", pauses.append)
    log: list[str] = []
    failures: list[Exception] = []

    def make():
        return FakeProducer(log, init_error=failures.pop(0) if failures else None)

    txn = TransactionalProducer(make)
    failures += [kerr.KafkaTimeoutError("transaction state topic not made yet")] * 2
    txn.start()
    assert pauses == [1.0, 2.0]
    txn.begin()
    pauses.clear()
    failures += [kerr.KafkaTimeoutError("coordinator moving")] * 2
    assert txn.recover(TxnFailure(INDEFINITE, kerr.KafkaTimeoutError("commit unconfirmed"))) is True
    assert txn.recreations == 1 and log.count("init") == 6
    assert len(pauses) == 2 and max(pauses) <= 0.1


def test_init_failing_every_time_ends_in_the_error_after_the_last_try(monkeypatch):
    import gbus.processor.transactions as txn_module

    monkeypatch.setattr(txn_module.time, "sleep", lambda _s: None)
    txn = TransactionalProducer(lambda: FakeProducer([], init_error=kerr.KafkaTimeoutError("never")))
    with pytest.raises(kerr.KafkaTimeoutError):
        txn.start(tries=2)


class _StuckSender:
    def __init__(self) -> None:
        self.forced = False

    def is_alive(self) -> bool:
        return not self.forced

    def force_close(self) -> None:
        self.forced = True


class _UnflushableProducer:
    """kafka-python 3.0.12's close(timeout=0) when batches are unfinished: the flush raises first."""

    def __init__(self) -> None:
        self._sender = _StuckSender()
        self._closed = False

    def close(self, timeout: float | None = None) -> None:
        raise kerr.KafkaTimeoutError("Timeout waiting for future")


def test_a_discarded_producer_whose_close_fails_has_its_io_thread_stopped_and_counts_as_closed():
    producer = _UnflushableProducer()
    discard(producer)  # type: ignore[arg-type]
    assert producer._sender.forced and producer._closed
