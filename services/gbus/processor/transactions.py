"""The processor's one transactional producer: begin, send, commit with offsets, abort.

Failures come in three kinds, and each is handled differently:
- abortable (a rebalance fenced our offsets, a send failed): abort, retry the batch;
- indefinite (a timeout: we cannot know whether the commit happened): abort if
  possible, then throw the producer away and make a new one with the same
  transactional id, whose init_transactions() fences the old epoch and
  completes or aborts whatever it left. Retrying blindly on the old producer
  is what Jepsen showed can lose or tear writes with the pre-KIP-890 protocol
  kafka-python speaks;
- fatal for this process (another process with our transactional id fenced
  us): stop; that process owns the work now.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kafka import KafkaProducer
from kafka import errors as kerr

from gbus.observability.logging import get_logger
from gbus.processor.outputs import OutRecord

_log = get_logger("gbus.processor.txn")

ABORTABLE, INDEFINITE, FENCED = "abortable", "indefinite", "fenced"


class TxnFailure(Exception):
    def __init__(self, kind: str, cause: BaseException) -> None:
        super().__init__(f"{kind}: {type(cause).__name__}: {cause}")
        self.kind = kind
        self.cause = cause


class FencedError(Exception):
    """Another process runs with this processor's transactional id; this one must stop."""


def classify(exc: BaseException) -> str:
    if isinstance(exc, (kerr.ProducerFencedError, kerr.TransactionalIdAuthorizationFailedError)):
        return FENCED
    if isinstance(exc, kerr.KafkaTimeoutError | TimeoutError):
        return INDEFINITE
    return ABORTABLE


class TransactionalProducer:
    def __init__(
        self,
        make_producer: Callable[[], KafkaProducer],
        *,
        timeout_s: float = 30.0,
        output_topics: Sequence[str] = (),
    ) -> None:
        self._make = make_producer
        self._timeout_ms = int(timeout_s * 1000)
        self._output_topics = tuple(output_topics)
        self._producer: KafkaProducer | None = None
        self._open = False
        self.recreations = 0

    def start(self) -> None:
        producer = self._make()
        try:
            producer.init_transactions()
        except Exception as exc:
            producer.close(timeout=0)
            if classify(exc) == FENCED:
                raise FencedError(str(exc)) from exc
            raise
        self._warm_metadata(producer)
        self._producer = producer

    def begin(self) -> None:
        self._require().begin_transaction()
        self._open = True

    def send(self, out: OutRecord) -> None:
        self._require().send(out.topic, key=out.key, value=out.value, partition=out.partition)

    def commit(self, offsets: Mapping[Any, Any], group_metadata: Any) -> None:
        """Flush, add the consumed offsets, commit. Raises TxnFailure."""
        producer = self._require()
        try:
            # Offsets after the flush, not overlapped with it: AddPartitionsToTxn retries
            # CONCURRENT_TRANSACTIONS (the previous commit still writing its markers) after
            # 20 ms but AddOffsetsToTxn after retry_backoff_ms (100 ms); sent while an
            # AddPartitions backs off, it can hit exactly that. Tried (offsets first) under
            # bench/bench_e2e.py: 100-250 ms commits and a p99 near 300 ms at 100 reports/s.
            producer.flush(timeout=self._timeout_ms / 1000)
            producer.send_offsets_to_transaction(dict(offsets), group_metadata)
            self._commit_within_deadline(producer)
        except Exception as exc:
            raise TxnFailure(classify(exc), exc) from exc
        self._open = False

    def recover(self, failure: TxnFailure | None = None) -> bool:
        """After a failed batch: abort, and re-create the producer when the outcome is unknown.

        Returns True when the batch's outcome is unknown (it may have committed):
        the caller must then reload its state and positions from Kafka. The new
        producer's init_transactions() has completed or aborted the old
        transaction by the time this returns, so what Kafka says is final.
        """
        if failure is not None and failure.kind == FENCED:
            raise FencedError(str(failure.cause)) from failure.cause
        must_recreate = failure is not None and failure.kind == INDEFINITE
        if self._open and self._producer is not None:
            try:
                self._producer.abort_transaction()
            except Exception as exc:  # the producer is unusable; a new one fences it
                _log.warning("abort_failed", error=f"{type(exc).__name__}: {exc}")
                if classify(exc) == FENCED:
                    raise FencedError(str(exc)) from exc
                must_recreate = True
        self._open = False
        if must_recreate:
            self._recreate()
        return must_recreate

    def close(self) -> None:
        if self._producer is None:
            return
        if self._open:
            try:
                self._producer.abort_transaction()
            except Exception as exc:
                _log.warning("abort_on_close_failed", error=f"{type(exc).__name__}: {exc}")
        self._producer.close(timeout=5)
        self._producer = None
        self._open = False

    # -- internals ----------------------------------------------------------------

    def _require(self) -> KafkaProducer:
        if self._producer is None:
            raise RuntimeError("producer not started")
        return self._producer

    def _recreate(self) -> None:
        _log.warning("producer_recreated")
        old, self._producer = self._producer, None
        if old is not None:
            try:
                old.close(timeout=0)
            except Exception as exc:  # closing a broken producer may fail too; it is gone either way
                _log.warning("producer_close_failed", error=f"{type(exc).__name__}: {exc}")
        self.recreations += 1
        self.start()

    def _warm_metadata(self, producer: KafkaProducer) -> None:
        """Learn every output topic's partitions in one metadata request.

        Otherwise the first send to each of the ~40 topics blocks for its own
        metadata round trip (about 0.1 s each here), inside the first transactions.
        Uses the producer's cluster metadata directly (kafka-python 3.0.12, pinned);
        without it the first sends simply pay the lookups.
        """
        metadata = getattr(producer, "_metadata", None)
        if not self._output_topics or metadata is None or not hasattr(metadata, "add_topic"):
            return
        for topic in self._output_topics:
            metadata.add_topic(topic)
        try:
            producer.partitions_for(self._output_topics[-1])
        except kerr.KafkaError as exc:  # a missing topic shows up again, with its name, on the first send
            _log.warning("metadata_warmup_failed", error=f"{type(exc).__name__}: {exc}")

    def _commit_within_deadline(self, producer: KafkaProducer) -> None:
        """commit_transaction() with a deadline.

        kafka-python 3.0.12's commit_transaction() waits without a timeout; a
        commit stuck behind an unreachable coordinator would hang the processor
        with its partitions. Java's client bounds it by max.block.ms; we do the
        same through the transaction manager it uses internally (version pinned
        in pyproject.toml), and fall back to the public call if that changes.
        """
        manager = getattr(producer, "_transaction_manager", None)
        sender = getattr(producer, "_sender", None)
        if manager is None or sender is None or not hasattr(manager, "begin_commit"):
            producer.commit_transaction()
            return
        result = manager.begin_commit()
        sender.wakeup()
        if not result.wait(timeout_ms=self._timeout_ms):
            raise kerr.KafkaTimeoutError(f"commit not confirmed within {self._timeout_ms} ms")
