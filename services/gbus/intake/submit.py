"""Accepting reports: validate, check routability, seal the reporter, write durably.

`Intake.submit` answers only after Kafka acknowledged the record (acks=all),
with the deterministic report id, and then waits a bounded time (the
placement wait, 3 s by default) for the case processor's verdict: the case,
the decision and the handler. The processor is the authority on idempotency
for the whole bus: a retry at any node is a replay of the placed report,
other content under a placed (origin_agency, request_id) is refused
(ALREADY_EXISTS). A retry this node accepted before is answered from its
accepted-requests log without a second write.

`Intake.submit_stream` pipelines the writes of a bulk import and settles them
all before answering; a bad report becomes a REJECTED outcome, never the end
of the stream. Only Kafka being unavailable ends it (UNAVAILABLE): resending
the whole stream is safe, accepted reports come back as replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from gbus.api.authz import require_self_submission
from gbus.cases.ports import RouterPort
from gbus.domain.case import make_report_id
from gbus.domain.report import Report
from gbus.domain.report_fields import report_from_mapping
from gbus.domain.vocabulary import shard_of_province
from gbus.errors import (
    AlreadyExistsError,
    BusError,
    PermissionDeniedError,
    UnavailableError,
    UnroutableError,
    ValidationError,
)
from gbus.intake.accepted import AcceptedRequests
from gbus.intake.kafka_sink import ReportSink
from gbus.intake.placement import Placement, Verdict, millis
from gbus.intake.placement_store import PlacementStore
from gbus.intake.reporter import ReporterKeyFn, key_of, reporter_violations
from gbus.observability.logging import get_logger
from gbus.observability.metrics import Metrics
from gbus.security.identity_seal import ReporterIdentity
from gbus.security.keys import NodeKeyring, seal_for_custodian
from gbus.wire.avro_records import report_record

_log = get_logger("gbus.intake")

# One response carries an outcome per report and must fit gRPC's message limit
# (4 MiB by default): 10,000 outcomes stay well under it.
MAX_STREAM_REPORTS = 10_000
# Sends in flight in a stream before the oldest is waited for: bounds memory
# while keeping the producer's batches full.
MAX_IN_FLIGHT = 1_000


@dataclass(frozen=True, slots=True)
class Submission:
    """One report as received: the field mapping plus the reporter, still in clear."""

    mapping: Mapping[str, Any]
    identity: ReporterIdentity | None = None
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class Accepted:
    report_id: str
    replayed: bool
    accepted_at: datetime
    placement: Placement | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    index: int
    request_id: str
    status: str  # accepted | replayed | rejected
    report_id: str = ""
    errors: tuple[str, ...] = ()
    placement: Placement | None = None


@dataclass
class StreamSummary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


@dataclass(frozen=True, slots=True)
class _Prepared:
    report: Report
    shard: str
    identity: ReporterIdentity | None
    anonymous: bool
    fingerprint: str

    @property
    def key(self) -> tuple[str, str]:
        return self.report.origin_agency, self.report.request_id


class Intake:
    def __init__(
        self,
        *,
        area: str,
        router: RouterPort,
        sink: ReportSink,
        accepted: AcceptedRequests,
        keyring: NodeKeyring,
        reporter_secret: str,
        reporter_key_fn: ReporterKeyFn,
        metrics: Metrics,
        placements: PlacementStore,
        placement_wait_s: float,
        placement_waiters: int = 8,
        ack_timeout_s: float = 10.0,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self._area = area
        self._router = router
        self._sink = sink
        self._accepted = accepted
        self._keyring = keyring
        self._secret = reporter_secret
        self._key_fn = reporter_key_fn
        self._metrics = metrics
        self._ack_timeout_s = ack_timeout_s
        self._placements = placements
        self._placement_wait_s = placement_wait_s
        # Threads that may wait for a placement at once; the rest answer unplaced (see
        # NodeSettings.placement_waiters): a slow processor must not stall intake.
        self._wait_slots = threading.Semaphore(placement_waiters)
        self._clock = clock
        self._key_locks: dict[tuple[str, str], list[Any]] = {}
        self._key_locks_guard = threading.Lock()

    # -- one report ---------------------------------------------------------------

    def submit(self, submission: Submission, caller: str) -> Accepted:
        prepared = self._prepare_counted(submission, caller)
        # Concurrent retries of one request wait for the first, then read its answer.
        with self._holding(prepared.key):
            prior = self._replay(prepared)
            if prior is not None:
                with self._placement_wait() as wait_s:
                    placed = self._placements.wait_placed(prior.report_id, wait_s)
                return replace(prior, placement=self._known(prepared, placed).as_replay())
            now = self._now()
            sent = (prepared.report.report_id, millis(now))
            waiter = self._placements.expect(sent)
            try:
                self._sink.wait(self._sink.send(self._record(prepared, now)), self._ack_timeout_s)
            except UnavailableError:
                self._placements.cancel(sent, waiter)
                self._metrics.intake_rejections.labels("unavailable").inc()
                raise
            with self._placement_wait() as wait_s:
                verdict = self._placements.wait(sent, waiter, wait_s)
            self._refuse_if_refused(verdict)
            # Remembered once placed, or unanswered (a late refusal takes it out again).
            self._remember([(prepared, now)])
        _log.debug(
            "report_accepted",
            report_id=prepared.report.report_id,
            shard=prepared.shard,
            origin=prepared.report.origin_agency,
        )
        replayed = verdict is not None and verdict.verdict == "replay"
        return Accepted(prepared.report.report_id, replayed, now, self._placement_after(prepared, verdict))

    @contextmanager
    def _placement_wait(self) -> Iterator[float]:
        """How long this submit may wait for a placement: placement_wait_s while a wait slot is
        free, else 0 (what is known already, at once)."""
        if not self._wait_slots.acquire(blocking=False):
            self._metrics.intake_placement_not_awaited.inc()
            yield 0.0
            return
        try:
            yield self._placement_wait_s
        finally:
            self._wait_slots.release()

    def _refuse_if_refused(self, verdict: Verdict | None) -> None:
        if verdict is not None and verdict.refused:
            self._metrics.intake_rejections.labels("conflict").inc()
            raise AlreadyExistsError(verdict.message)

    def _placement_after(self, prepared: _Prepared, verdict: Verdict | None) -> Placement:
        """What this node knows once the verdict on a submission came (or did not)."""
        if verdict is None:
            return self._known(prepared, None)
        return self._known(prepared, self._placements.get(prepared.report.report_id))

    @staticmethod
    def _known(prepared: _Prepared, placement: Placement | None) -> Placement:
        origin, request_id = prepared.key
        return placement or Placement.pending(prepared.report.report_id, origin, request_id)

    # -- a bulk import ------------------------------------------------------------

    def submit_stream(self, submissions: Iterable[Submission], caller: str) -> StreamSummary:
        summary = StreamSummary()
        in_flight: deque[tuple[_Prepared, Any, datetime]] = deque()
        settled: list[tuple[_Prepared, datetime]] = []
        in_stream: dict[tuple[str, str], _Prepared] = {}
        waiting: dict[int, tuple[tuple[str, int], Any]] = {}
        try:
            for index, submission in enumerate(submissions):
                if index >= MAX_STREAM_REPORTS:
                    summary.outcomes.append(
                        _rejected(
                            index,
                            "",
                            [
                                f"stream: at most {MAX_STREAM_REPORTS} reports per stream; send the rest, from this index on, in a new stream"
                            ],
                        )
                    )
                    break
                outcome, sent = self._stream_one(index, submission, caller, in_stream)
                summary.outcomes.append(outcome)
                if sent is not None:
                    submission_key = (sent[0].report.report_id, millis(sent[2]))
                    waiting[index] = (submission_key, self._placements.expect(submission_key))
                    in_flight.append(sent)
                if len(in_flight) >= MAX_IN_FLIGHT:
                    settled.append(self._settle(in_flight.popleft()))
            while in_flight:
                settled.append(self._settle(in_flight.popleft()))
        except UnavailableError as exc:
            for submission_key, waiter in waiting.values():
                self._placements.cancel(submission_key, waiter)
            self._metrics.intake_rejections.labels("unavailable").inc()
            raise UnavailableError(
                f"{exc.message}; {len(settled)} reports of this stream were accepted before that: resend the whole "
                "stream, accepted reports come back as replayed"
            ) from exc
        finally:
            self._remember(settled)
        summary.outcomes = self._placed_outcomes(summary.outcomes, waiting)
        _log.info(
            "report_stream_done",
            accepted=summary.count("accepted"),
            replayed=summary.count("replayed"),
            rejected=summary.count("rejected"),
        )
        return summary

    def _stream_one(
        self, index: int, submission: Submission, caller: str, in_stream: dict[tuple[str, str], _Prepared]
    ) -> tuple[Outcome, tuple[_Prepared, Any, datetime] | None]:
        request_id = str(submission.mapping.get("request_id") or "")
        try:
            prepared = self._prepare_counted(submission, caller)
            earlier = in_stream.get(prepared.key)
            if earlier is not None:
                self._check_same(prepared, earlier.report.report_id, earlier.fingerprint)
                self._metrics.intake_replays.inc()
                return Outcome(index, request_id, "replayed", prepared.report.report_id), None
            prior = self._replay(prepared)
        except (ValidationError, PermissionDeniedError, AlreadyExistsError) as exc:
            return _rejected(index, request_id, _messages(exc)), None
        if prior is not None:
            return Outcome(index, request_id, "replayed", prior.report_id), None
        in_stream[prepared.key] = prepared
        now = self._now()
        pending = self._sink.send(self._record(prepared, now))
        return Outcome(index, request_id, "accepted", prepared.report.report_id), (prepared, pending, now)

    def _placed_outcomes(
        self, outcomes: list[Outcome], waiting: dict[int, tuple[tuple[str, int], Any]]
    ) -> list[Outcome]:
        """The stream's outcomes with the verdicts that came within one placement wait for all."""
        deadline = time.monotonic() + self._placement_wait_s
        placed: list[Outcome] = []
        for o in outcomes:
            remaining = max(deadline - time.monotonic(), 0.0)
            if o.index in waiting:
                submission_key, waiter = waiting[o.index]
                verdict = self._placements.wait(submission_key, waiter, remaining)
                if verdict is not None and verdict.refused:
                    self._metrics.intake_rejections.labels("conflict").inc()
                    placed.append(_rejected(o.index, o.request_id, [verdict.message]))
                    continue
                status = "replayed" if verdict is not None and verdict.verdict == "replay" else o.status
                placement = self._placements.get(o.report_id) if verdict is not None else None
                placed.append(replace(o, status=status, placement=placement or _pending(o)))
            elif o.status == "replayed":
                found = self._placements.wait_placed(o.report_id, remaining)
                placed.append(replace(o, placement=(found or _pending(o)).as_replay()))
            else:
                placed.append(o)
        return placed

    def _settle(self, sent: tuple[_Prepared, Any, datetime]) -> tuple[_Prepared, datetime]:
        prepared, pending, now = sent
        self._sink.wait(pending, self._ack_timeout_s)
        return prepared, now

    # -- steps --------------------------------------------------------------------

    def _now(self) -> datetime:
        # Millisecond precision, what Avro keeps: a replayed answer repeats it exactly.
        now = self._clock()
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    def _prepare_counted(self, submission: Submission, caller: str) -> _Prepared:
        try:
            return self._prepare(submission, caller)
        except UnroutableError:
            self._metrics.intake_rejections.labels("unroutable").inc()
            raise
        except ValidationError:
            self._metrics.intake_rejections.labels("invalid").inc()
            raise
        except PermissionDeniedError:
            self._metrics.intake_rejections.labels("forbidden").inc()
            raise

    def _prepare(self, submission: Submission, caller: str) -> _Prepared:
        mapping = dict(submission.mapping)
        # A member system submits as itself; naming the origin is then optional.
        mapping["origin_agency"] = mapping.get("origin_agency") or caller
        violations = reporter_violations(submission.identity, submission.anonymous, mapping.get("kind"))
        try:
            report = report_from_mapping(mapping)
        except ValidationError as exc:
            raise ValidationError([*exc.violations, *violations]) from None
        if violations:
            raise ValidationError(violations)
        # The origin system sees the reporter's identity later: nobody may submit as another
        # agency, not even its superior (that would hand the identity to the subordinate).
        require_self_submission(caller, report.origin_agency, metrics=self._metrics)
        shard = shard_of_province(report.province_code)
        report = replace(report, report_id=make_report_id(shard, report.origin_agency, report.request_id))
        self._router.route(report)  # UnroutableError names the field to fix
        return _Prepared(
            report, shard, submission.identity, submission.anonymous, self._fingerprint(report, submission)
        )

    def _fingerprint(self, report: Report, submission: Submission) -> str:
        """Keyed, so the accepted-requests file reveals nothing about the reporter."""
        content = {
            "report": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(report).items()},
            "identity": asdict(submission.identity) if submission.identity else None,
            "anonymous": submission.anonymous,
        }
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hmac.new(self._secret.encode("utf-8"), canonical, hashlib.sha256).hexdigest()

    def _replay(self, prepared: _Prepared) -> Accepted | None:
        prior = self._accepted.get(*prepared.key)
        if prior is None:
            return None
        self._check_same(prepared, prior.report_id, prior.fingerprint)
        self._metrics.intake_replays.inc()
        return Accepted(prior.report_id, True, prior.accepted_at)

    def _check_same(self, prepared: _Prepared, report_id: str, fingerprint: str) -> None:
        if fingerprint != prepared.fingerprint:
            self._metrics.intake_rejections.labels("conflict").inc()
            origin, request_id = prepared.key
            raise AlreadyExistsError(
                f"request_id {request_id} of {origin} was accepted before for a different report ({report_id}); "
                "a new report needs a new request_id"
            )

    def _record(self, prepared: _Prepared, now: datetime) -> dict[str, Any]:
        report = prepared.report
        sealed = (
            seal_for_custodian(prepared.identity, self._keyring, report_id=report.report_id)
            if prepared.identity
            else None
        )
        keyed = replace(report, reporter_key=key_of(prepared.identity, self._secret, self._key_fn))
        return report_record(
            keyed,
            shard=prepared.shard,
            accepted_at=now,
            accepted_by=self._area,
            anonymous=prepared.anonymous,
            reporter_sealed=sealed,
        )

    def _remember(self, accepted: list[tuple[_Prepared, datetime]]) -> None:
        self._accepted.put_many([(*p.key, p.report.report_id, p.fingerprint, at) for p, at in accepted])
        for p, _ in accepted:
            self._metrics.reports_received.labels(p.report.channel, p.report.kind).inc()

    @contextmanager
    def _holding(self, key: tuple[str, str]) -> Iterator[None]:
        with self._key_locks_guard:
            entry = self._key_locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._key_locks_guard:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._key_locks[key]


def _pending(o: Outcome) -> Placement:
    # The origin is not needed in an answer to its own caller; GetReport finds it by report id.
    return Placement.pending(o.report_id, "", o.request_id)


def _rejected(index: int, request_id: str, errors: list[str]) -> Outcome:
    return Outcome(index, request_id, "rejected", errors=tuple(errors))


def _messages(exc: BusError) -> list[str]:
    if isinstance(exc, ValidationError):
        return [f"{v.field}: {v.description}" for v in exc.violations]
    return [exc.message]
