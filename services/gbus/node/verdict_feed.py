"""The verdict feed: report-results.<area> -> the node's placement store, exactly once.

Like the copy feed, the node is the only reader of its topic: the partition is
assigned by hand and read from the offset kept in SQLite with the verdicts.
A refusal also takes the refused content out of the node's accepted-requests
log, so that a later retry of the content that was placed is answered as a
replay instead of being refused by this node. A refusal nobody waited for
(the submit had answered placed=false before it came) is counted: the
caller learns it only from GetReport.

With a trust store, only a processor-signed verdict is applied: anyone else who
can write the topic could otherwise tell a member system its report sits in a
case it is not in, or (with a forged refusal) make this node refuse the genuine
retry of a placed report. A verdict refused for that, or unreadable, goes to the
dead-letter topic and the feed moves on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kafka import TopicPartition

from gbus.codec import AvroCodec, CodecError
from gbus.intake.accepted import AcceptedRequests
from gbus.intake.placement import Verdict
from gbus.intake.placement_store import PlacementStore
from gbus.node.dead_letters import send_dead_letter
from gbus.observability.logging import get_logger
from gbus.observability.metrics import Metrics
from gbus.security.trust import RecordRefused, TrustStore

RESULT_SCHEMA = "gbus.avro.ReportResult"
# A submit waits for its verdict: a short poll keeps that wait close to the processor's latency.
_POLL_MS = 100
_RETRY_AFTER_ERROR_S = 1.0


class VerdictFeed:
    def __init__(
        self,
        *,
        consumer_factory: Callable[[], Any],
        store: PlacementStore,
        accepted: AcceptedRequests,
        codec: AvroCodec,
        area: str,
        topic: str,
        metrics: Metrics,
        producer: Any,
        dead_letter_topic: str,
        trust: TrustStore | None = None,
    ) -> None:
        self._consumer_factory = consumer_factory
        self._store = store
        self._accepted = accepted
        self._codec = codec
        self._area = area
        self._tp = TopicPartition(topic, 0)
        self._metrics = metrics
        self._producer = producer
        self._dead_letter_topic = dead_letter_topic
        # None: development, verdicts unverified (as for case copies and command answers).
        self._trust = trust
        self._log = get_logger("gbus.node.verdicts", node=area, topic=topic)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        # Position before answering any submit: no verdict of a later submission can be missed.
        consumer = self._consumer_factory()
        consumer.assign([self._tp])
        self._seek(consumer)
        self._thread = threading.Thread(target=self._run, args=(consumer,), name=f"verdicts-{self._area}", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self, consumer: Any) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    for records in consumer.poll(timeout_ms=_POLL_MS).values():
                        for record in records:
                            self._handle(record)
                except Exception as exc:  # noqa: BLE001 - a dead feed would leave every submit unplaced
                    if self._stopping.is_set():
                        break
                    self._log.error("verdict_feed_failed", error=str(exc), exc_info=exc)
                    self._stopping.wait(_RETRY_AFTER_ERROR_S)
                    self._seek(consumer)
        finally:
            consumer.close()

    def _seek(self, consumer: Any) -> None:
        next_offset = self._store.next_offset(self._tp.topic)
        if next_offset is None:
            consumer.seek_to_beginning(self._tp)
        else:
            consumer.seek(self._tp, next_offset)
        consumer.position(self._tp)

    def _handle(self, record: Any) -> None:
        if self._trust is not None:
            try:
                self._trust.verify_processor_record("a placement verdict", record.topic, record.key, record.value,
                                                    record.headers)  # fmt: skip
            except RecordRefused as exc:
                self._refuse(record, "UntrustedVerdict", f"signature: {exc.reason}")
                self._metrics.integrity_alerts.labels(self._area).inc()
                return
        try:
            verdict = Verdict.from_record(self._codec.decode(record.value, expected=RESULT_SCHEMA))
        except (CodecError, KeyError, TypeError) as exc:
            # An unreadable verdict leaves that report unplaced (GetReport says so) and must not stop the others.
            self._refuse(record, type(exc).__name__, str(exc))
            return
        placement, waited = self._store.apply(verdict, topic=record.topic, offset=record.offset)
        log = self._log.bind(report_id=verdict.report_id, case_id=verdict.case_id, verdict=verdict.verdict)
        if verdict.refused:
            self._accepted.forget(verdict.origin_agency, verdict.request_id)
            if not waited:
                self._metrics.intake_late_refusals.labels(self._area).inc()
                log.warning("report_refused_after_answer", reason=verdict.message)
                return
        log.debug("verdict_applied", placed=placement.placed)

    def _refuse(self, record: Any, error_type: str, reason: str) -> None:
        send_dead_letter(self._producer, self._codec, self._dead_letter_topic, record, error_type=error_type, reason=reason,
                         consumer=f"node-{self._area}")  # fmt: skip
        self._store.skip(topic=record.topic, offset=record.offset)
        self._metrics.dead_letters.labels(record.topic, error_type).inc()
        self._log.error("verdict_dead_lettered", offset=record.offset, error_type=error_type, reason=reason)
