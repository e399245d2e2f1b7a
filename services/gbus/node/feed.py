"""The copy feed: `node.<area>` -> the node's local store, exactly once.

The partition is assigned by hand (no consumer group: each node is the only
reader of its topic) and read from the offset stored in the node's SQLite, in
the same transaction as the change it produced. A node that was down resumes
where it stopped; nothing is committed to Kafka, nothing is applied twice.
A record that cannot be decoded goes to the dead-letter topic, then the feed
moves on; a copy whose history does not verify is stored flagged, counted and
logged as an integrity alert.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from kafka import TopicPartition

from gbus.codec import AvroCodec, CodecError
from gbus.domain import events as ev
from gbus.node.copies import ReceivedCopy, decode_copy
from gbus.node.dead_letters import send_dead_letter
from gbus.node.history_check import snapshot_disagreements
from gbus.node.store import NodeStore
from gbus.observability.logging import get_logger
from gbus.observability.metrics import Metrics
from gbus.security.trust import RecordRefused, TrustStore

# Sub-second delivery needs a short poll; an idle node then asks the broker a few times a second.
_POLL_MS = 200
_RETRY_AFTER_ERROR_S = 1.0
_REPORT_ARRIVALS = (ev.CaseOpened, ev.ReportLinked)


class CopyFeed:
    def __init__(
        self,
        *,
        consumer_factory: Callable[[], Any],
        producer: Any,
        store: NodeStore,
        codec: AvroCodec,
        area: str,
        topic: str,
        dead_letter_topic: str,
        metrics: Metrics,
        trust: TrustStore | None = None,
    ) -> None:
        self._consumer_factory = consumer_factory
        self._producer = producer
        self._store = store
        self._codec = codec
        self._area = area
        self._tp = TopicPartition(topic, 0)
        self._dead_letter_topic = dead_letter_topic
        self._metrics = metrics
        # Signed history: copies must carry a processor's signature (None: development, unverified).
        self._trust = trust
        self._log = get_logger("gbus.node.feed", node=area, topic=topic)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._cases = 0
        # Next offset after everything applied so far, commit markers included (a Kafka
        # position, unlike the store's offset); published for monitoring by PositionReporter.
        self.applied_position: int | None = None

    def start(self) -> None:
        self._cases = self._store.count_cases()
        self._metrics.cases_stored.labels(self._area).set(self._cases)
        self._thread = threading.Thread(target=self._run, name=f"copy-feed-{self._area}", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    # -- the loop -----------------------------------------------------------------

    def _run(self) -> None:
        consumer = self._consumer_factory()
        try:
            consumer.assign([self._tp])
            self._seek(consumer)
            while not self._stopping.is_set():
                try:
                    for records in consumer.poll(timeout_ms=_POLL_MS).values():
                        for record in records:
                            self._handle(record)
                    self._report_lag(consumer)
                except Exception as exc:  # noqa: BLE001 - the feed must survive a bad moment and resume
                    if self._stopping.is_set() or self._store.closed:
                        break
                    self._log.error("copy_feed_failed", error=str(exc), exc_info=exc)
                    self._stopping.wait(_RETRY_AFTER_ERROR_S)
                    self._seek(consumer)  # back to the last applied offset: nothing is skipped
        finally:
            consumer.close()

    def _seek(self, consumer: Any) -> None:
        next_offset = self._store.next_offset(self._tp.topic, self._tp.partition)
        if next_offset is None:
            consumer.seek_to_beginning(self._tp)
        else:
            consumer.seek(self._tp, next_offset)
        self._log.info("copy_feed_positioned", next_offset=next_offset)

    def _handle(self, record: Any) -> None:
        try:
            copy = decode_copy(self._codec, record.value)
        except (CodecError, ValueError, KeyError, TypeError) as exc:
            self._dead_letter(record, type(exc).__name__, str(exc))
            return
        if copy.area != self._area:
            self._dead_letter(record, "WrongArea", f"copy for area {copy.area} on the topic of node {self._area}")
            return
        refused = self._untrusted(record, copy)
        if refused:
            # Not applied: the stored case stays as the processor last (provably) wrote it.
            self._metrics.integrity_alerts.labels(self._area).inc()
            self._log.error("case_integrity_alert", case_id=copy.case_id, version=copy.version, problems=refused,
                            applied=False)  # fmt: skip
            self._dead_letter(record, "IntegrityAlert", "; ".join(refused))
            return
        applied = self._store.apply(copy, topic=record.topic, partition=record.partition, offset=record.offset)
        self._metrics.delivery_position.labels(self._area).set(record.offset)
        if applied.stale:
            self._log.debug("stale_copy_ignored", case_id=copy.case_id, version=copy.version)
            return
        if applied.created:
            self._cases += 1
            self._metrics.cases_stored.labels(self._area).set(self._cases)
        if applied.problems:
            self._metrics.integrity_alerts.labels(self._area).inc()
            self._log.error(
                "case_integrity_alert", case_id=copy.case_id, version=copy.version, problems=list(applied.problems)
            )
        self._observe_latency(copy)
        self._log.debug("copy_applied", case_id=copy.case_id, version=copy.version, position=applied.position)

    def _untrusted(self, record: Any, copy: ReceivedCopy) -> list[str]:
        """Why this copy must not be applied: not signed by a processor, or a snapshot
        that its own history contradicts (gbus.node.history_check)."""
        problems: list[str] = []
        if self._trust is not None:
            try:
                self._trust.verify_processor_record(
                    "a case copy", record.topic, record.key, record.value, record.headers
                )
            except RecordRefused as exc:
                problems.append(f"signature: {exc.reason}")
        problems.extend(snapshot_disagreements(copy.state, copy.events))
        return problems

    def _observe_latency(self, copy: ReceivedCopy) -> None:
        # Submit-to-delivered, per report that arrived with this change. Not from the
        # case's first_submitted_at: for a report joining an old case, or a status
        # change weeks later, that would measure the case's age, not the bus.
        now = datetime.now(timezone.utc)
        new = copy.events[-copy.new_events :] if copy.new_events else ()
        for event in new:
            if isinstance(event.body, _REPORT_ARRIVALS):
                report = copy.state.report(event.body.report_id)
                if report is not None:
                    age = (now - report.submitted_at).total_seconds()
                    self._metrics.delivery_latency.labels(self._area).observe(max(age, 0.0))

    def _report_lag(self, consumer: Any) -> None:
        highwater = consumer.highwater(self._tp)
        if highwater is None:
            return
        position = consumer.position(self._tp, timeout_ms=1_000)  # known after a fetch; never wait long here
        if position is None:
            return
        self.applied_position = position  # called once a poll's records are all handled
        self._metrics.delivery_lag.labels(self._area).set(max(highwater - position, 0))

    def _dead_letter(self, record: Any, error_type: str, reason: str) -> None:
        send_dead_letter(self._producer, self._codec, self._dead_letter_topic, record, error_type=error_type, reason=reason,
                         consumer=f"node-{self._area}")  # fmt: skip
        self._store.skip(topic=record.topic, partition=record.partition, offset=record.offset)
        self._metrics.dead_letters.labels(record.topic, error_type).inc()
        self._log.error("copy_dead_lettered", offset=record.offset, error_type=error_type, reason=reason)
