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

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kafka import KafkaProducer
from kafka import errors as kerr

from gbus.observability.logging import get_logger
from gbus.processor.outputs import OutRecord

_log = get_logger("gbus.processor.txn")

ABORTABLE, INDEFINITE, FENCED = "abortable", "indefinite", "fenced"
# Tries of init_transactions(): at start (a new cluster may still be making its
# transaction-state topic: 60 s in all, as kafka-python's default max_block_ms allowed)
# and when replacing a producer mid-run (the processor's step deadline applies).
_START_TRIES = 6
_RECREATE_TRIES = 3


def _start_pause_s(attempt: int) -> float:
    """Between init tries at start: 1, 2, ... 5 s, while a new cluster makes its transaction-state topic."""
    return float(min(attempt, 5))


def _recreate_pause_s(attempt: int) -> float:
    """Between a replacement's init tries: hardly any. Each try already waited its whole bound
    (kafka-python backs off inside it), and the processing thread is stalled meanwhile."""
    return 0.1


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

    def start(self, tries: int = _START_TRIES, pause_s: Callable[[int], float] = _start_pause_s) -> None:
        """A producer with its transactions initialised; a few tries, each bounded by max_block_ms.

        init_transactions() may have to wait for the transaction coordinator to move (its
        broker just died) or, on a new cluster, for the transaction-state topic to be made.
        Past the last try the error is raised and the process restarts.
        """
        for attempt in range(1, tries + 1):
            try:
                self._producer = self._init_one()
                return
            except FencedError:
                raise
            except Exception as exc:
                if attempt == tries:
                    raise
                _log.warning("producer_init_failed", attempt=attempt, error=f"{type(exc).__name__}: {exc}")
                time.sleep(pause_s(attempt))

    def _init_one(self) -> KafkaProducer:
        producer = self._make()
        try:
            producer.init_transactions()
        except Exception as exc:
            discard(producer)
            if classify(exc) == FENCED:
                raise FencedError(str(exc)) from exc
            raise
        self._warm_metadata(producer)
        return producer

    def begin(self) -> None:
        self._require().begin_transaction()
        self._open = True

    def send(self, out: OutRecord) -> None:
        self._require().send(out.topic, key=out.key, value=out.value, partition=out.partition,
                             headers=list(out.headers) or None)  # fmt: skip

    def commit(self, offsets: Mapping[Any, Any], group_metadata: Any) -> None:
        """Flush, add the consumed offsets, commit, all within one deadline. Raises TxnFailure.

        Every wait here is bounded: kafka-python 3.0.12's send_offsets_to_transaction()
        and commit_transaction() wait without a timeout, and a coordinator broker that
        dies between the two left the processor blocked for good (issue 13). Past the
        deadline the outcome is unknown (INDEFINITE): recover() replaces the producer.
        """
        producer = self._require()
        deadline = time.monotonic() + self._timeout_ms / 1000
        try:
            # Offsets after the flush, not overlapped with it: AddPartitionsToTxn retries
            # CONCURRENT_TRANSACTIONS (the previous commit still writing its markers) after
            # 20 ms but AddOffsetsToTxn after retry_backoff_ms (100 ms); sent while an
            # AddPartitions backs off, it can hit exactly that. Tried (offsets first) under
            # bench/bench_e2e.py: 100-250 ms commits and a p99 near 300 ms at 100 reports/s.
            producer.flush(timeout=_remaining_s(deadline))
            self._await(
                "send_offsets_to_transaction", producer, deadline,
                lambda manager: manager.send_offsets_to_transaction(dict(offsets), group_metadata),
                lambda: producer.send_offsets_to_transaction(dict(offsets), group_metadata),
            )  # fmt: skip
            self._await("commit_transaction", producer, deadline, lambda manager: manager.begin_commit(),
                        producer.commit_transaction)  # fmt: skip
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
        # After an unknown outcome an abort is pointless (the new producer's
        # init_transactions completes or aborts the open transaction) and costs a whole
        # deadline when the coordinator is gone: 10-30 s of stall, measured in
        # tests/integration/processor/test_coordinator_failover.py.
        if self._open and self._producer is not None and not must_recreate:
            try:
                self._abort(self._producer)
            except Exception as exc:  # the producer is unusable (or did not answer in time); a new one fences it
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
                self._abort(self._producer)
            except Exception as exc:
                _log.warning("abort_on_close_failed", error=f"{type(exc).__name__}: {exc}")
        try:
            self._producer.close(timeout=5)
        except Exception as exc:  # closing is best effort: the process is ending or replacing it
            _log.warning("producer_close_failed", error=f"{type(exc).__name__}: {exc}")
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
            discard(old)
        self.recreations += 1
        self.start(tries=_RECREATE_TRIES, pause_s=_recreate_pause_s)

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

    def _abort(self, producer: KafkaProducer) -> None:
        deadline = time.monotonic() + self._timeout_ms / 1000
        self._await("abort_transaction", producer, deadline, lambda manager: manager.begin_abort(),
                    producer.abort_transaction)  # fmt: skip

    @staticmethod
    def _await(
        what: str,
        producer: KafkaProducer,
        deadline: float,
        start: Callable[[Any], Any],
        public_call: Callable[[], Any],
    ) -> None:
        """Run one transactional step and wait for it until `deadline`, never longer.

        Java's client bounds these by max.block.ms; kafka-python 3.0.12 waits forever.
        We start the step through the transaction manager the public method uses
        internally (version pinned in pyproject.toml) and wait on its result with a
        timeout. If those internals change, the public call runs on a helper thread
        that is abandoned, with the producer, when the deadline passes.
        """
        manager = getattr(producer, "_transaction_manager", None)
        sender = getattr(producer, "_sender", None)
        if manager is not None and sender is not None and hasattr(manager, "begin_commit"):
            result = start(manager)
            sender.wakeup()
            if not result.wait(timeout_ms=_remaining_s(deadline) * 1000):
                raise kerr.KafkaTimeoutError(f"{what} not confirmed before its deadline")
            return
        run_bounded(what, public_call, _remaining_s(deadline))


def discard(producer: KafkaProducer) -> None:
    """Close a producer we give up on at once, its I/O thread and connections with it.

    kafka-python 3.0.12's close(timeout=0) first flushes, and that raises while batches are
    unfinished (a frozen broker, a fenced transaction) before the I/O thread is stopped:
    the thread and its connections lived on, and at garbage collection `__del__` tried
    again and failed in the same way. So the I/O thread is force-closed here and the
    producer marked closed (kafka-python internals, version pinned in pyproject.toml).
    """
    try:
        producer.close(timeout=0)
        return
    except Exception as exc:  # noqa: BLE001 - it is being thrown away either way
        _log.warning("producer_close_failed", error=f"{type(exc).__name__}: {exc}")
    sender = getattr(producer, "_sender", None)
    if sender is not None and hasattr(sender, "force_close") and sender.is_alive():
        sender.force_close()
    if hasattr(producer, "_closed"):
        producer._closed = True


def _remaining_s(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def run_bounded(what: str, call: Callable[[], Any], timeout_s: float) -> Any:
    """Call `call` on a daemon thread; raise KafkaTimeoutError if it has not returned in time.

    The thread is left behind if it hangs: the caller must then treat whatever it was
    using as lost (here, the producer is replaced and the old one fenced).
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=target, name=f"bounded-{what}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise kerr.KafkaTimeoutError(f"{what} did not return within {timeout_s:.1f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
