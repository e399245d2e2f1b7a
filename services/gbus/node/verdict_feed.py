"""The verdict feed: report-results.<area> -> the node's placement store, exactly once.

Like the copy feed, the node is the only reader of its topic: the partition is
assigned by hand and read from the offset kept in SQLite with the verdicts.
A refusal also takes the refused content out of the node's accepted-requests
log, so that a later retry of the content that was placed is answered as a
replay instead of being refused by this node. A refusal nobody waited for
(the submit had answered placed=false before it came) is counted: the
caller learns it only from GetReport.
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
from gbus.observability.logging import get_logger
from gbus.observability.metrics import Metrics

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
    ) -> None:
        self._consumer_factory = consumer_factory
        self._store = store
        self._accepted = accepted
        self._codec = codec
        self._area = area
        self._tp = TopicPartition(topic, 0)
        self._metrics = metrics
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
        try:
            verdict = Verdict.from_record(self._codec.decode(record.value, expected=RESULT_SCHEMA))
        except (CodecError, KeyError, TypeError) as exc:
            # Only the processor writes this topic; an unreadable verdict leaves that report
            # unplaced (GetReport says so) and must not stop the others.
            self._log.error("verdict_undecodable", offset=record.offset, error=str(exc))
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
