"""One input record -> its effects. No Kafka here: the loop sends and commits.

A report is decoded, checked against its partition, looked up (a replay is a
no-op), given to the duplicate index and then opened as a case or linked into
one. A command is decoded and given to the case command handler; the caller
always gets an answer, also when the command is refused.

Anything raised from `handle` means "this record cannot be processed": the
loop dead-letters it and moves on. Effects are computed completely (events and
snapshots encoded) before anything is staged, so a record that fails half way
leaves no trace.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from gbus import errors
from gbus.api.error_mapping import code_name_of
from gbus.cases.commands import CommandHandler
from gbus.cases.deadlines import breach_escalation, hotspot_escalation, overdue_by_sector
from gbus.cases.intake_decisions import link_report, open_case
from gbus.cases.legal_clock import LegalClock, stage_of
from gbus.cases.ports import DirectoryPort, RouterPort
from gbus.cases.resubmission import content_differences
from gbus.domain import events as ev
from gbus.domain.case import CaseState, shard_of_case
from gbus.domain.status import is_open
from gbus.domain.vocabulary import shard_of_province
from gbus.observability.logging import get_logger
from gbus.processor import origin
from gbus.processor.dedup_port import Decision, IndexKeeper
from gbus.processor.directory_changes import LiveRouting
from gbus.processor.history import marks_after
from gbus.processor.origin import ForgedRecord, OriginGate, Voucher
from gbus.processor.outputs import COMMAND, REPORT, Outputs, OutRecord
from gbus.processor.staging import StagedChange
from gbus.security.case_keys import KeyCustodian
from gbus.topics import MAX_CASE_RECORD_BYTES
from gbus.wire.avro_records import case_report_from_record, command_from_record

_log = get_logger("gbus.processor")
# CaseCopy fields besides snapshot and events, plus Avro length prefixes: generous.
_COPY_OVERHEAD = 16 * 1024

# (metric attribute on Metrics, labels): counted only once the batch committed.
Count = tuple[str, dict[str, str]]
# (gauge attribute on Metrics, labels, value): set once the batch committed.
Level = tuple[str, dict[str, str], float]


class MisroutedRecordError(errors.BusError):
    """The record sits in a partition that does not own its shard: processing
    it here would make two writers of one shard. A command is refused with this
    code; a report is dead-lettered."""

    grpc_code = "INVALID_ARGUMENT"


class CaseTooLargeError(errors.ResourceExhaustedError):
    """The change would make the case's snapshot or node copy larger than a topic
    accepts; writing it would fail the transaction again and again."""


class NoReplyAddressError(Exception):
    """A command whose reply_to names no node area: nobody could get the answer."""


@dataclass(frozen=True, slots=True)
class InputRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    # Kafka record headers: the writer's signature (gbus.security.record_signing).
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass(slots=True)
class Effects:
    changes: list[StagedChange] = field(default_factory=list)
    answers: list[OutRecord] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    levels: list[Level] = field(default_factory=list)
    # Set when the record failed but was still answered (a command hit a bug).
    failure: tuple[str, str] | None = None


class RecordHandler:
    def __init__(
        self,
        *,
        outputs: Outputs,
        router: RouterPort,
        commands: CommandHandler,
        index: IndexKeeper,
        known_areas: frozenset[str],
        custodian: KeyCustodian,
        max_record_bytes: int = MAX_CASE_RECORD_BYTES,
        directory: DirectoryPort,
        clock: LegalClock,
        gate: OriginGate | None = None,
        directory_changes: LiveRouting | None = None,
    ) -> None:
        self._out = outputs
        self._codec = outputs.codec
        self._topics = outputs.topics
        self._router = router
        self._commands = commands
        self._index = index
        self._areas = known_areas
        self._custodian = custodian
        self._max_record_bytes = max_record_bytes
        # Legal time limits and escalations (gbus.cases.deadlines) need the directory
        # (who is the handler's superior) and the statutory clock (gbus.cases.legal_clock).
        self._directory = directory
        self._clock = clock
        # Who may speak for which agency (gbus.processor.origin); unverified without one.
        self._gate = gate or OriginGate(None, known_areas)
        # Administrative changes coming into force at a Tick (gbus.processor.directory_changes).
        self._changes = directory_changes

    def handle(self, rec: InputRecord, view: Any, now: datetime) -> Effects:
        try:
            if rec.topic == self._topics.reports:
                return self.handle_report(rec, view, now)
            if rec.topic == self._topics.commands:
                return self.handle_command(rec, view, now)
        except ForgedRecord as exc:
            # Dead-lettered with the reason, counted, and the partition moves on.
            _log.warning("record_forged", topic=rec.topic, partition=rec.partition, offset=rec.offset,
                         node=exc.node, kind=exc.kind, reason=exc.reason)  # fmt: skip
            return Effects(failure=("ForgedRecord", exc.reason),
                           counts=[("forged_records", {"node": exc.node, "kind": exc.kind})])  # fmt: skip
        raise ValueError(f"not an input topic of the processor: {rec.topic}")

    def _admit(self, rec: InputRecord, kind: str, claimed: str, reply_to: str | None = None) -> Voucher | None:
        return self._gate.admit(
            topic=rec.topic, partition=rec.partition, offset=rec.offset, key=rec.key, value=rec.value,
            headers=rec.headers, kind=kind, claimed=claimed, reply_to=reply_to,
        )  # fmt: skip

    # -- reports ----------------------------------------------------------------

    def handle_report(self, rec: InputRecord, view: Any, now: datetime) -> Effects:
        data = self._codec.decode(rec.value, expected=REPORT)  # type: ignore[arg-type]
        # accepted_by is where the verdict goes (report-results.<area>): the signer's own area only.
        voucher = self._admit(rec, origin.REPORT, data["origin_agency"], data["accepted_by"])
        report = case_report_from_record(data)
        shard = self._check_partition(shard_of_province(report.province_code), rec, what="report")
        if data["shard"] != shard:
            raise MisroutedRecordError(f"report says shard {data['shard']}, its province says {shard}")
        holder = view.case_of_report(report.report_id)
        if holder is not None:
            return self._resubmitted(data, report, _follow_merges(view.case(holder), view), now)
        decision = self._index.decide(shard, report, now)
        report = self._index.with_fingerprint(report)
        target = self._link_target(decision, view)
        if target is not None and is_open(target.status):
            after, events = link_report(
                self._router, target, report, now=now, score=decision.score,
                matched_report_id=decision.matched_report_id, reason=decision.reason,
                suggestions=decision.suggestions,
            )  # fmt: skip
            after, hot = hotspot_escalation(after, self._directory, now)
            events = (*events, *hot)
            before: CaseState | None = target
            band = "link"
        else:
            # A duplicate of a case that is already closed (the engine looks back a
            # while) must not disappear into it: it opens a case of its own, marked
            # so that a person can decide.
            similar = target.case_id if target is not None else decision.case_id
            band = "possible_duplicate" if decision.decision == "possible_duplicate" or target is not None else "new"
            after, events = open_case(
                self._router, report, now=now, score=decision.score,
                possible_duplicate_of=similar if band == "possible_duplicate" else None,
                suggestions=decision.suggestions,
            )  # fmt: skip
            before = None
        _log.debug("report_decided", report_id=report.report_id, shard=shard, case_id=after.case_id, decision=band,
                   score=decision.score)  # fmt: skip
        effects = Effects(
            counts=[("dedup_decisions", {"decision": band})], answers=self._verdict(data, band, after, now)
        )
        effects.changes.append(self._staged(before, after, events, view, voucher))
        effects.counts.extend(_event_counts(events))
        return effects

    def _resubmitted(self, data: dict[str, Any], report: Any, case: CaseState | None, now: datetime) -> Effects:
        """A report id the shard has placed: the same content is a retry, other content is refused.

        Either way nothing is written to the case; the node that accepted this
        submission is told which, so its caller hears it (issue 12: no accepted
        submission is dropped silently).
        """
        log = _log.bind(report_id=report.report_id, case_id=case.case_id if case else None)
        placed = case.report(report.report_id) if case is not None else None
        if case is None or placed is None:
            # The holder index and the case disagree (only after a bug): say nothing rather than
            # give a wrong case id; the node answers placed=false and GetReport stays open.
            log.warning("report_holder_missing")
            return Effects(counts=[("dedup_decisions", {"decision": "replay"})])
        differing = content_differences(placed, report)
        if not differing:
            log.debug("report_replayed")
            return Effects(
                counts=[("dedup_decisions", {"decision": "replay"})], answers=self._verdict(data, "replay", case, now)
            )
        message = (
            f"request_id {report.request_id} of {report.origin_agency} was placed before with other content "
            f"(differs in {', '.join(differing)}); a new report needs a new request_id"
        )
        log.info("report_refused_different_content", differing=list(differing))
        return Effects(
            counts=[("report_conflicts", {"shard": data["shard"]})],
            answers=self._verdict(data, "refused", case, now, message=message),
        )

    def _verdict(
        self, data: dict[str, Any], verdict: str, case: CaseState, now: datetime, message: str = ""
    ) -> list[OutRecord]:
        """The verdict for the node that accepted the submission (none for an unknown area)."""
        reply_to = data["accepted_by"]
        if reply_to not in self._areas:
            return []
        return [
            self._out.report_result(
                report_id=data["report_id"],
                origin_agency=data["origin_agency"],
                request_id=data["request_id"],
                reply_to=reply_to,
                submission_accepted_at=data["accepted_at"],
                verdict=verdict,
                case_id=case.case_id,
                handler=case.handler,
                message=message,
                now=now,
            )  # fmt: skip
        ]

    def _link_target(self, decision: Decision, view: Any) -> CaseState | None:
        """The case to link into: the engine's choice, followed through merges."""
        if decision.decision != "link" or not decision.case_id:
            return None
        return _follow_merges(view.case(decision.case_id), view)

    # -- commands ---------------------------------------------------------------

    def handle_command(self, rec: InputRecord, view: Any, now: datetime) -> Effects:
        data = self._codec.decode(rec.value, expected=COMMAND)  # type: ignore[arg-type]
        if data["body"][0].endswith(".Tick"):
            self._admit(rec, origin.TICK, data["actor"])
            return self.handle_tick(rec, data, view, self._admit(rec, origin.TICK, data["actor"]))
        voucher = self._admit(rec, origin.COMMAND, data["actor"], data["reply_to"])
        reply_to = data["reply_to"]
        if reply_to not in self._areas:
            raise NoReplyAddressError(f"reply_to {reply_to!r} is not a node area")
        case_id = data["case_id"]
        log = _log.bind(case_id=case_id, request_id=data["request_id"], actor=data["actor"])

        def answer(code: str, message: str = "", version: int = 0, new_case_id: str | None = None) -> OutRecord:
            return self._out.command_result(
                command_id=data["command_id"], request_id=data["request_id"], case_id=case_id,
                reply_to=reply_to, code=code, message=message, case_version=version,
                new_case_id=new_case_id, now=now,
            )  # fmt: skip

        def refuse(exc: errors.BusError) -> Effects:
            # The answer's code is the error's own (gbus.errors): one table for the API and here.
            code = code_name_of(exc)
            current = view.case(case_id) if code != "NOT_FOUND" else None
            return Effects(answers=[answer(code, exc.message, current.version if current else 0)],
                           counts=[("commands_rejected", {"reason": code})])  # fmt: skip

        try:
            command = command_from_record(data)
        except ValueError as exc:
            log.info("command_unsupported", reason=str(exc))
            return refuse(errors.UnimplementedError(str(exc)))
        kind = type(command.body).__name__
        try:
            self._check_partition(shard_of_case(case_id), rec, what="command")
        except MisroutedRecordError as exc:
            return refuse(exc)
        try:
            outcome = self._commands.handle(command, view.case, now)
        except errors.BusError as exc:
            log.info("command_rejected", command=kind, code=code_name_of(exc), reason=exc.message)
            return refuse(exc)
        except Exception as exc:  # a bug: answer the caller, dead-letter the command
            log.exception("command_failed", command=kind)
            return Effects(
                answers=[answer("INTERNAL", f"internal error processing command {data['command_id']}")],
                counts=[("commands_rejected", {"reason": "INTERNAL"})],
                failure=(type(exc).__name__, f"{type(exc).__name__}: {exc}"),
            )
        effects = Effects()
        try:
            for change in outcome.changes:
                if not change.events:
                    continue  # nothing happened to this case
                effects.changes.append(self._staged(change.before, change.after, change.events, view, voucher))
                effects.counts.extend(_event_counts(change.events))
                effects.counts.extend(_rating_counts(change.after, change.events))
        except CaseTooLargeError as exc:
            log.warning("command_refused_case_too_large", command=kind, reason=exc.message)
            return refuse(exc)
        version = outcome.case.version if outcome.case else 0
        effects.answers.append(
            answer("OK", "already applied" if outcome.replayed else "", version, outcome.new_case_id)
        )
        if not outcome.replayed:
            effects.counts.append(("commands_applied", {"command": kind}))
        log.info("command_applied", command=kind, version=version, replayed=outcome.replayed)
        return effects

    def handle_tick(self, rec: InputRecord, data: dict[str, Any], view: Any, voucher: Voucher | None = None) -> Effects:
        """Time passes for a shard: escalate every open case whose time limit has run out.

        Time is an input (a Tick on the commands topic, sent by `gbus tick`), not the
        processor's clock, so replaying the topics gives the same escalations.
        """
        shard = self._check_partition(data["shard"], rec, what="tick")
        at = data["body"][1]["now"]
        effects = Effects()
        moved: dict[str, CaseState] = {}
        for before, after, events in self._changes.reroute_shard(shard, at, view) if self._changes else ():
            # The stage goes on under the body that answers for the old one: its clock does not restart.
            effects.changes.append(self._staged(before, after, events, view, voucher,
                                                clock_before=replace(before, handler=after.handler)))  # fmt: skip
            moved[after.case_id] = effects.changes[-1].after
            effects.counts.extend(("cases_rerouted", {"change": c}) for e in events if isinstance(e.body, ev.Rerouted)
                                  for c in e.body.change_ids)  # fmt: skip
        # Only cases due before `at` can have run out: the store finds them by its due_at index.
        overdue = [moved.get(c.case_id, c) for c in view.overdue_candidates(shard, at)]
        for case in overdue:
            if case.due_at is None or at <= case.due_at or stage_of(case) is None:
                continue
            after, events = breach_escalation(case, self._directory, at)
            if events:
                effects.changes.append(self._staged(case, after, events, view, voucher))
                effects.counts.extend(_event_counts(events))
        if effects.changes:
            _log.info("time_limits_breached", shard=shard, cases=len(effects.changes))
        # The shard is its province; every sector is set, so one that caught up reads 0.
        for sector, n in overdue_by_sector(overdue, at).items():
            effects.levels.append(("cases_overdue", {"province": shard, "sector": sector}, float(n)))
        return effects

    # -- shared -----------------------------------------------------------------

    def _check_partition(self, shard: str, rec: InputRecord, *, what: str) -> str:
        try:
            expected = self._topics.partition_of_shard(shard)
        except ValueError:
            raise MisroutedRecordError(f"{what} names unknown shard {shard!r}") from None
        if expected != rec.partition:
            raise MisroutedRecordError(
                f"{what} of shard {shard} is in partition {rec.partition}; shard {shard} is partition {expected}"
            )
        return shard

    def _staged(
        self,
        before: CaseState | None,
        after: CaseState,
        events: tuple[ev.CaseEvent, ...],
        view: Any,
        voucher: Voucher | None = None,
        clock_before: CaseState | None = None,
    ) -> StagedChange:
        # The receipt: every event names who vouched for the record that caused it.
        if voucher is not None and events:
            events = ev.vouched(tuple(events), voucher)
            after = replace(after, last_hash=events[-1].hash)
        # A new stage (opened, accepted, reopened, transferred…) starts its legal time limit now.
        after = self._clock.on_change(clock_before or before, after, after.updated_at)
        # Whatever changed the case, its identity keys are re-wrapped for exactly its
        # handler and origins now (a transfer drops the old handler's wrap).
        after = self._custodian.normalise(after, view.case)
        encoded = self._out.encode_events(tuple(events))
        # Where a later owner will find these events (restore reads no events: gbus.processor.history).
        partition = self._topics.partition_of_shard(after.shard)
        marks = marks_after(
            view.history_marks(after.case_id) if before is not None else (),
            before.last_seq if before is not None else 0, after.last_seq,
            floor=view.event_floor(partition), since=view.transaction_floor(partition),
        )  # fmt: skip
        snapshot = self._out.encode_snapshot(after, marks)
        # A node's copy carries the snapshot and the whole history.
        history = view.history_size(after.case_id) if before is not None else 0
        size = len(snapshot) + history + sum(map(len, encoded)) + _COPY_OVERHEAD
        if size > self._max_record_bytes:
            raise CaseTooLargeError(
                f"case {after.case_id} would need a {size}-byte copy; at most {self._max_record_bytes} fit a record"
            )
        return StagedChange(before=before, after=after, events=tuple(events), encoded_events=encoded, snapshot=snapshot,
                            marks=marks)  # fmt: skip


def _follow_merges(case: CaseState | None, view: Any) -> CaseState | None:
    hops = 0
    while case is not None and case.merged_into and hops < 16:
        case, hops = view.case(case.merged_into), hops + 1
    return case


def _rating_counts(case: CaseState, events: tuple[ev.CaseEvent, ...]) -> list[Count]:
    return [
        (
            "resolution_ratings",
            {
                "province": case.province_code or "00",
                "sector": e.body.handler.split(".", 1)[0],
                "rating": str(e.body.rating),
            },
        )  # fmt: skip
        for e in events
        if isinstance(e.body, ev.ResolutionRated)
    ]


def _event_counts(events: tuple[ev.CaseEvent, ...]) -> list[Count]:
    counts: list[Count] = []
    for e in events:
        body = e.body
        if isinstance(body, ev.CaseRouted):
            counts.append(("routing_decisions", {"rule": body.rule}))
        elif isinstance(body, ev.StatusChanged):
            counts.append(("status_transitions", {"from_status": body.from_status, "to_status": body.to_status}))
        elif isinstance(body, ev.CaseEscalated):
            counts.append(("escalations", {"code": body.code}))
    return counts
