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


def test_a_timeout_re_creates_the_producer_and_reports_an_unknown_outcome():
    txn, log = _producer()
    assert txn.recover(TxnFailure(INDEFINITE, kerr.KafkaTimeoutError())) is True
    assert log == ["init", "begin", "abort", "close", "init"] and txn.recreations == 1


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
