"""consume -> process -> produce, one Kafka transaction per polled batch.

    poll -> settle the assignment (restore new partitions, drop revoked ones)
         -> begin -> for each record: effects -> stage -> send
         -> send each touched case's events, snapshot and node copies
         -> send_offsets_to_transaction -> commit -> apply to the store

A record that cannot be processed is dead-lettered inside the same
transaction and its partition moves on. A transaction that fails is aborted,
its staged changes dropped, the duplicate index of the shards it touched
rebuilt from committed state, and the consumer rewound to the batch's first
records, so the same batch is tried again. A batch is bounded in size
(`max_batch` records) and in time: a poll takes only as many records as the
recent cost per record fits in `batch_seconds`, so under a backlog a report
waits for its commit about that long, not for 500 others. Rebalance callbacks run on
kafka-python's IO thread, so they only take notes; the main thread acts on
them between polls, before any record of a new partition is processed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import IllegalStateError
from kafka.structs import OffsetAndMetadata

from gbus.codec import CodecError
from gbus.config import KafkaSettings
from gbus.observability.logging import get_logger
from gbus.observability.metrics import Metrics
from gbus.processor.dedup_port import IndexKeeper
from gbus.processor.handlers import Effects, InputRecord, RecordHandler
from gbus.processor.history import floors_after_commit
from gbus.processor.lag_reporter import LagReporter
from gbus.processor.outputs import Outputs
from gbus.processor.restore import read_partitions
from gbus.processor.staging import Staging
from gbus.processor.store import CaseStore, gc_paused
from gbus.processor.transactions import TransactionalProducer, TxnFailure, classify
from gbus.processor.watchdog import Watchdog, log_expiry
from gbus.topics import Topics

_log = get_logger("gbus.processor")


# Records in a transaction while their cost is not known yet: well under a second of work
# even at 10-20 ms a record on a loaded machine.
_FIRST_BATCH = 50


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class _RebalanceNotes(ConsumerRebalanceListener):
    """Taken on kafka-python's IO thread, acted on by the main thread."""

    def __init__(self, generation: Callable[[], int]) -> None:
        self._generation = generation
        self._lock = threading.Lock()
        self._notes: list[tuple[str, set[int], int]] = []

    def _note(self, kind: str, tps: Any) -> None:
        with self._lock:
            self._notes.append((kind, {tp.partition for tp in tps}, self._generation()))

    def on_partitions_revoked(self, revoked: Any) -> None:
        self._note("revoked", revoked)

    def on_partitions_lost(self, lost: Any) -> None:
        self._note("lost", lost)

    def on_partitions_assigned(self, assigned: Any) -> None:
        self._note("assigned", assigned)

    def take(self) -> list[tuple[str, set[int], int]]:
        with self._lock:
            notes, self._notes = self._notes, []
        return notes


class CaseProcessor:
    def __init__(
        self,
        *,
        kafka: KafkaSettings,
        topics: Topics,
        group_id: str,
        instance_id: str,
        make_consumer: Callable[[], KafkaConsumer],
        producer: TransactionalProducer,
        store: CaseStore,
        handler: RecordHandler,
        outputs: Outputs,
        index: IndexKeeper,
        metrics: Metrics,
        clock: Callable[[], datetime] = utc_now,
        max_batch: int = 500,
        batch_seconds: float = 1.0,
        restore_settle_s: float = 5.0,
        step_limit_s: float = 90.0,
        watchdog: Watchdog | None = None,
        make_lag_consumer: Callable[[], KafkaConsumer] | None = None,
        lag_interval_s: float = 5.0,
        fence_predecessors: Callable[[set[int]], Any] | None = None,
    ) -> None:
        self.kafka, self.topics, self.group_id, self.instance_id = kafka, topics, group_id, instance_id
        self._make_consumer = make_consumer
        self._txn = producer
        self._store, self._handler, self._outputs, self._index = store, handler, outputs, index
        self._metrics, self._clock = metrics, clock
        self._max_batch, self._settle_s = max_batch, restore_settle_s
        # A transaction holds back every record in it until its commit, so a batch is bounded in
        # time too: each poll asks for as many records as fit `batch_seconds` at the recent cost
        # per record (the rest stay in the consumer's buffer for the next poll).
        self._batch_seconds = batch_seconds
        self._record_cost_s = 0.0  # moving average of a record's processing time, 0 = not known yet
        # No step of the processing thread that talks to Kafka may take longer than this;
        # the watchdog ends the process if one does (see gbus.processor.watchdog).
        self._step_limit_s = step_limit_s
        self._watchdog = watchdog or Watchdog(on_expire=log_expiry)
        self._lag = None if make_lag_consumer is None else LagReporter(
            make_consumer=make_lag_consumer, owned=self.owned_input_partitions,
            publish=self._publish_lag, interval_s=lag_interval_s,
        )  # fmt: skip
        # Aborts what a dead processor left open on partitions before we restore them
        # (gbus.processor.predecessors); None: wait for the broker's transaction timeout.
        self._fence_predecessors = fence_predecessors
        self._consumer: KafkaConsumer | None = None
        self._notes = _RebalanceNotes(self._generation)
        self._ready: set[int] = set()  # partitions restored and being processed
        self._held: tuple[set[int], int] | None = None  # revoked, kept until the next assignment
        # case-events partition -> lower bound of where our next transaction writes (gbus.processor.history).
        self._event_floors: dict[int, int] = {}
        self.consumer_name = f"{group_id}/{instance_id}"
        self._log = _log.bind(processor=self.consumer_name)

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        self._txn.start()
        self._consumer = self._make_consumer()
        self._consumer.subscribe([self.topics.reports, self.topics.commands], listener=self._notes)
        self._watchdog.start()
        if self._lag is not None:
            self._lag.start()
        self._log.info("processor_started", topics=[self.topics.reports, self.topics.commands])

    def run(self, stop: threading.Event, poll_timeout_ms: int = 500) -> None:
        while not stop.is_set():
            self.poll_once(poll_timeout_ms)

    def close(self) -> None:
        if self._lag is not None:
            self._lag.close()
        self._txn.close()
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
        self._store.close()
        self._watchdog.close()
        self._log.info("processor_stopped")

    @property
    def ready_partitions(self) -> frozenset[int]:
        return frozenset(self._ready)

    def owned_input_partitions(self) -> list[TopicPartition]:
        """The input partitions this process works on now; safe to call from another thread."""
        ready = frozenset(self._ready)
        return [TopicPartition(t, p) for t in (self.topics.reports, self.topics.commands) for p in ready]

    # -- one round ----------------------------------------------------------------

    def poll_once(self, timeout_ms: int = 500) -> int:
        consumer = self._require()
        with self._watchdog.guard("poll", self._step_limit_s + timeout_ms / 1000):
            polled = consumer.poll(timeout_ms=timeout_ms, max_records=self._batch_limit())
        self._settle_assignment()
        batch: list[Any] = []
        # Each partition's records come in offset order: the batch's first and last of each, from the ends.
        firsts: dict[TopicPartition, int] = {}
        lasts: dict[TopicPartition, int] = {}
        for tp, records in polled.items():
            if not records:
                continue
            if tp.partition in self._ready:
                batch.extend(records)
                firsts[tp], lasts[tp] = records[0].offset, records[-1].offset
            else:
                self._rewind(tp, records[0].offset)  # not ours (yet): read it again once it is
        if not batch:
            return 0
        started = time.monotonic()
        done = self._process(batch, firsts, lasts)
        if done:
            cost = (time.monotonic() - started) / done
            self._record_cost_s = cost if not self._record_cost_s else 0.7 * self._record_cost_s + 0.3 * cost
        return done

    def _batch_limit(self) -> int:
        """Records to take in the next poll: the size bound, or fewer if they would take longer than the time bound."""
        if not self._record_cost_s:
            # Cost unknown (a new process, or a standby taking shards over): a backlog waits, and
            # 500 records at once took 5 s before the first commit (fault campaign); learn first.
            return min(self._max_batch, _FIRST_BATCH)
        return max(1, min(self._max_batch, int(self._batch_seconds / self._record_cost_s)))

    def _process(self, records: list[Any], firsts: dict[TopicPartition, int], lasts: dict[TopicPartition, int]) -> int:
        staging = Staging(self._store, self._event_floors, self.topics.partition_of_shard)
        counts: list[tuple[str, dict[str, str]]] = []
        levels: list[tuple[str, dict[str, str], float]] = []  # gauges set once committed
        try:
            with self._watchdog.guard("transaction", self._step_limit_s):
                self._transact(records, staging, counts, lasts, levels)
        except TxnFailure as failure:
            self._rollback(failure, staging, firsts)
            return 0
        # Committed: the store follows. If this fails the store no longer matches
        # Kafka; the error stops the process and a restart restores from the topics.
        self._store.apply(staging.writes())
        self._event_floors = floors_after_commit(self._event_floors, self._events_written(staging))
        self._count(counts)
        for name, labels, value in levels:
            getattr(self._metrics, name).labels(**labels).set(value)
        self._metrics.transactions.labels(outcome="committed").inc()
        for shard in staging.shards():
            self._metrics.open_cases.labels(shard=shard).set(self._store.open_count(shard))
        return len(records)

    def _transact(self, records: list[Any], staging: Staging, counts: list[tuple[str, dict[str, str]]],
                  lasts: dict[TopicPartition, int], levels: list[tuple[str, dict[str, str], float]]) -> None:  # fmt: skip
        """One Kafka transaction: every record's effects, the touched cases' outputs, the offsets."""
        consumer = self._require()
        try:
            self._txn.begin()
        except Exception as exc:  # a producer left in an error state: recover() replaces it
            raise TxnFailure(classify(exc), exc) from exc
        for r in records:
            now = self._clock()
            rec = InputRecord(r.topic, r.partition, r.offset, r.key, r.value, tuple(r.headers or ()))
            effects = self._effects(rec, staging, now)
            if effects.failure is not None:
                self._send(self._dead_letter(rec, *effects.failure, now))
                counts.append(("dead_letters", {"source_topic": rec.topic, "error_type": effects.failure[0]}))
            if effects.changes:
                staging.stage(effects.changes)
                self._sync_index(effects, staging)
            for answer in effects.answers:
                self._send(answer)
            counts.extend(effects.counts)
            levels.extend(effects.levels)
        now = self._clock()
        for delta in staging.deltas:
            out, unknown = self._outputs.case_records(delta, staging.history(delta.after.case_id), now)
            if unknown:
                self._log.error("case_areas_without_node_topic", case_id=delta.after.case_id, areas=unknown)
            for o in out:
                self._send(o)
        offsets = {tp: OffsetAndMetadata(last + 1, "", -1) for tp, last in lasts.items()}
        self._txn.commit(offsets, consumer.group_metadata())

    def _effects(self, rec: InputRecord, staging: Staging, now: datetime) -> Effects:
        try:
            return self._handler.handle(rec, staging, now)
        except CodecError as exc:
            self._log.warning("record_undecodable", topic=rec.topic, partition=rec.partition,
                              offset=rec.offset, error=str(exc))  # fmt: skip
            return Effects(failure=(type(exc).__name__, str(exc)))
        except Exception as exc:  # one bad record must never block its partition
            self._log.exception("record_failed", topic=rec.topic, partition=rec.partition, offset=rec.offset)
            return Effects(failure=(type(exc).__name__, f"{type(exc).__name__}: {exc}"))

    def _send(self, out: Any) -> None:
        try:
            self._txn.send(out)
        except Exception as exc:  # synchronous send failures (metadata timeout, oversize) fail the batch
            raise TxnFailure(classify(exc), exc) from exc

    def _dead_letter(self, rec: InputRecord, error_type: str, reason: str, now: datetime) -> Any:
        self._log.warning("record_dead_lettered", topic=rec.topic, partition=rec.partition, offset=rec.offset,
                          error_type=error_type)  # fmt: skip
        return self._outputs.dead_letter(
            source_topic=rec.topic, partition=rec.partition, offset=rec.offset, key=rec.key, value=rec.value,
            error_type=error_type, reason=reason, consumer=self.consumer_name, now=now, headers=rec.headers,
        )  # fmt: skip

    def _events_written(self, staging: Staging) -> dict[int, int]:
        written: dict[int, int] = {}
        for delta in staging.deltas:
            partition = self.topics.partition_of_shard(delta.after.shard)
            written[partition] = written.get(partition, 0) + len(delta.encoded_events)
        return written

    def _sync_index(self, effects: Effects, staging: Staging) -> None:
        """Keep the duplicate index in step; if that fails, rebuild the shard's index from the batch's view."""
        for change in effects.changes:
            try:
                self._index.sync(change.before, change.after)
            except Exception:
                shard = change.after.shard
                self._log.exception("dedup_index_sync_failed", case_id=change.after.case_id, shard=shard)
                self._index.rebuild(shard, staging.states_of_shard(shard))
                return

    def _rollback(self, failure: TxnFailure, staging: Staging, firsts: dict[TopicPartition, int]) -> None:
        self._metrics.transactions.labels(outcome="aborted").inc()
        self._log.warning("transaction_failed", kind=failure.kind, error=str(failure))
        with self._watchdog.guard("recover", self._step_limit_s):
            unknown_outcome = self._txn.recover(failure)
        if unknown_outcome:
            self._resync()
            return
        for shard in staging.shards():
            self._index.rebuild(shard, self._store.states_of_shard(shard))
        for tp, offset in firsts.items():
            self._rewind(tp, offset)

    def _resync(self) -> None:
        """The last batch may or may not have committed: take state and positions from Kafka."""
        consumer = self._require()
        owned = set(self._ready)
        if owned:
            self._restore(owned)
        for tp in consumer.assignment():
            with self._watchdog.guard("committed", self._step_limit_s):
                committed = consumer.committed(tp, timeout_ms=int(self._step_limit_s * 1000))
            if committed is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        self._log.warning("resynced_after_unknown_outcome", partitions=sorted(owned))

    def _rewind(self, tp: TopicPartition, offset: int) -> None:
        try:
            self._require().seek(tp, offset)
        except (IllegalStateError, AssertionError):
            pass  # revoked meanwhile: its next owner starts from the committed offset

    # -- assignment ---------------------------------------------------------------

    def _generation(self) -> int:
        consumer = self._consumer
        return consumer.group_metadata().generation_id if consumer is not None else -1

    def _settle_assignment(self) -> None:
        for kind, parts, generation in self._notes.take():
            if kind in ("revoked", "lost"):
                held = parts & self._ready
                self._ready -= parts
                if kind == "lost":
                    self._drop(held)  # someone else may own them already: nothing is kept
                else:
                    previous = self._held[0] if self._held else set()
                    self._held = (previous | held, generation)
                continue
            held, revoked_at = self._held if self._held else (set(), -2)
            # Kept state is valid only if nobody else could have owned the partition
            # in between: the assignment that directly follows our revocation.
            keep = parts & held if generation == revoked_at + 1 else set()
            self._drop(held - keep)
            self._held = None
            fresh = parts - keep - self._ready
            if fresh:
                if self._fence_predecessors is not None:
                    with self._watchdog.guard("fence_predecessors", self._step_limit_s):
                        self._fence_predecessors(fresh)
                self._restore(fresh)
            self._ready |= parts
            self._log.info("partitions_assigned", partitions=sorted(parts), kept=sorted(keep), restored=sorted(fresh))
        self._metrics.owned_shards.set(sum(len(self.topics.shards_of_partition(p)) for p in self._ready))

    def _restore(self, partitions: set[int]) -> None:
        shards = [s for p in sorted(partitions) for s in self.topics.shards_of_partition(p)]
        writes, stats = read_partitions(self.kafka, self.topics, partitions, self._outputs.codec,
                                        settle_s=self._settle_s)  # fmt: skip
        self._store.replace_shards(shards, writes)
        self._event_floors.update(stats.event_ends)
        indexed = 0
        # Like the restore itself, the rebuild allocates much and frees little while every restored
        # case is alive: the collector's full passes over them cost a third of it and more
        # (bench/bench_restore.py --index-sample).
        with gc_paused():
            for shard in shards:
                # The restored states, not the store's: decoding every snapshot once more would double the cost.
                indexed += self._index.rebuild(shard, [w.state for w in writes if w.state.shard == shard])
                self._metrics.open_cases.labels(shard=shard).set(self._store.open_count(shard))
        self._log.info("partitions_restored", partitions=sorted(partitions), cases=stats.cases,
                       events=stats.events_read, reports_indexed=indexed, seconds=stats.seconds,
                       incomplete_histories=stats.incomplete_histories,
                       cases_without_marks=stats.cases_without_marks)  # fmt: skip

    def _drop(self, partitions: set[int]) -> None:
        if not partitions:
            return
        shards = [s for p in sorted(partitions) for s in self.topics.shards_of_partition(p)]
        self._store.drop_shards(shards)
        self._index.drop(shards)
        for p in partitions:
            self._event_floors.pop(p, None)
        for shard in shards:
            self._metrics.open_cases.labels(shard=shard).set(0)
        self._log.info("partitions_dropped", partitions=sorted(partitions))

    # -- metrics ------------------------------------------------------------------

    def _count(self, counts: list[tuple[str, dict[str, str]]]) -> None:
        """Add a batch's counts, one inc() per distinct counter and labels (a batch repeats a few many times)."""
        tally: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter(
            (name, tuple(labels.items())) for name, labels in counts
        )
        for (name, labels), n in tally.items():
            getattr(self._metrics, name).labels(**dict(labels)).inc(n)

    def _publish_lag(self, tp: TopicPartition, lag: int) -> None:
        self._metrics.consumer_lag.labels(group=self.group_id, topic=tp.topic, partition=str(tp.partition)).set(lag)

    def _require(self) -> KafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("processor not started")
        return self._consumer
