"""Changing cases from a node: one command each, answered once the processor decided.

Commands never change the local store directly: the processor of the case's
shard is the one writer. After its OK the answer shows the case as the
processor left it, read from the local store once the matching copy has
arrived (it is written in the same Kafka transaction as the result, so it
follows within milliseconds); a case this node does not hold is answered
with its id and version only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone

from gbus.cases import commands as cmd
from gbus.domain.case import CaseState, shard_of_case
from gbus.domain.request_ids import request_id_problem
from gbus.domain.status import CaseStatus
from gbus.domain.vocabulary import is_agency_id
from gbus.errors import NotFoundError, ValidationError, excerpt, quoted
from gbus.node.commands import CommandGateway, CommandResult, command_id_of
from gbus.node.reading import CaseReader, CaseView
from gbus.node.store import NodeStore
from gbus.topics import Topics

MAX_REASON_CHARS = 2_000
# How long to wait for the processor's copy after its answer: the copy is in the
# same transaction, so only the feed's next poll separates them.
COPY_GRACE_S = 1.0


class CaseActions:
    def __init__(
        self,
        *,
        gateway: CommandGateway,
        store: NodeStore,
        reader: CaseReader,
        topics: Topics,
        timeout_s: float,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self._gateway = gateway
        self._store = store
        self._reader = reader
        self._topics = topics
        self._timeout_s = timeout_s
        self._clock = clock

    def update_status(
        self, caller: str, case_id: str, status: CaseStatus, reason: str, expected_version: int, request_id: str
    ) -> CaseView:
        result = self._run(
            caller, case_id, cmd.UpdateStatus(status.value, _reason(reason)), expected_version, request_id
        )
        return self._resolve(caller, case_id, _at_least(result.case_version), result.case_version)

    def transfer(
        self, caller: str, case_id: str, to_agency: str, reason: str, expected_version: int, request_id: str
    ) -> CaseView:
        if not is_agency_id(to_agency):
            raise ValidationError.single(
                "to_agency", f"must be an agency id like 'gov.ubnd@79', not {quoted(to_agency)}"
            )
        result = self._run(caller, case_id, cmd.TransferCase(to_agency, _reason(reason)), expected_version, request_id)
        return self._resolve(caller, case_id, _at_least(result.case_version), result.case_version)

    def add_note(self, caller: str, case_id: str, text: str, request_id: str) -> CaseView:
        if not text.strip():
            raise ValidationError.single("text", "is required")
        if len(text) > cmd.MAX_NOTE_CHARS:
            raise ValidationError.single("text", f"is longer than {cmd.MAX_NOTE_CHARS} characters")
        result = self._run(caller, case_id, cmd.AddNote(text), 0, request_id)
        return self._resolve(caller, case_id, _at_least(result.case_version), result.case_version)

    def reopen(self, caller: str, case_id: str, reason: str, expected_version: int, request_id: str) -> CaseView:
        result = self._run(caller, case_id, cmd.ReopenCase(_reason(reason)), expected_version, request_id)
        return self._resolve(caller, case_id, _at_least(result.case_version), result.case_version)

    def merge(self, caller: str, source_case_id: str, target_case_id: str, reason: str, request_id: str) -> CaseView:
        """Answers the target case, now holding the source's reports."""
        if not target_case_id:
            raise ValidationError.single("target_case_id", "is required")
        body = cmd.MergeCases(source_case_id, target_case_id, _reason(reason))
        result = self._run(caller, source_case_id, body, 0, request_id, field="source_case_id")
        version = result.case_version if result.case_id == target_case_id else 0
        return self._resolve(caller, target_case_id, lambda s: source_case_id in s.merged_from, version)

    def erase_identity(self, caller: str, case_id: str, reason: str, request_id: str) -> CaseView:
        result = self._run(caller, case_id, cmd.EraseIdentity(_reason(reason)), 0, request_id)
        return self._resolve(caller, case_id, _at_least(result.case_version), result.case_version)

    def extend_time_limit(
        self, caller: str, case_id: str, complexity: str, reason: str, expected_version: int, request_id: str
    ) -> CaseView:
        if not complexity.strip():
            raise ValidationError.single("complexity", "is required: complex or especially_complex")
        if not reason.strip():
            raise ValidationError.single("reason", "is required: the grounds of the extension are recorded")
        body = cmd.ExtendTimeLimit(complexity.strip().lower(), _reason(reason))
        result = self._run(caller, case_id, body, expected_version, request_id)
        return self._resolve(caller, case_id, _at_least(result.case_version), result.case_version)

    def rate_resolution(
        self, caller: str, case_id: str, report_id: str, rating: int, comment: str, request_id: str
    ) -> CaseView:
        if not 1 <= rating <= 5:
            raise ValidationError.single("rating", f"must be 1 (very dissatisfied) to 5 (very satisfied), not {rating}")
        if len(comment) > MAX_REASON_CHARS:
            raise ValidationError.single("comment", f"is longer than {MAX_REASON_CHARS} characters")
        result = self._run(caller, case_id, cmd.RateResolution(report_id.strip(), rating, comment), 0, request_id)
        return self._resolve(caller, case_id, _at_least(result.case_version), result.case_version)

    def unmerge(
        self, caller: str, case_id: str, report_id: str, reason: str, request_id: str
    ) -> tuple[CaseView, CaseView]:
        """(the report's new case, the case it was taken out of)."""
        if not report_id:
            raise ValidationError.single("report_id", "is required")
        result = self._run(caller, case_id, cmd.UnmergeReport(report_id, _reason(reason)), 0, request_id)
        case = self._resolve(caller, case_id, lambda s: s.report(report_id) is None, result.case_version)
        if not result.new_case_id:
            return CaseView("", 0), case
        return self._resolve(caller, result.new_case_id, lambda s: True, 0), case

    # -- internals ----------------------------------------------------------------------

    def _run(
        self, caller: str, case_id: str, body: object, expected_version: int, request_id: str, *, field: str = "case_id"
    ) -> CommandResult:
        shard = self._shard_of(case_id, field)
        if expected_version < 0:
            raise ValidationError.single("expected_version", "must be 0 (do not check) or a case version")
        if request_id and (problem := request_id_problem(request_id)):
            raise ValidationError.single("request_id", problem)
        # Without a request_id a retry cannot be recognised; the generated one is
        # named in a DEADLINE_EXCEEDED answer so the caller can still retry safely.
        request_id = request_id or uuid.uuid4().hex
        command = cmd.CaseCommand(
            command_id=command_id_of(caller, request_id),
            request_id=request_id,
            case_id=case_id,
            actor=caller,
            issued_at=self._clock(),
            expected_version=expected_version,
            body=body,
        )
        return self._gateway.execute(command, shard=shard, timeout_s=self._timeout_s)

    def _shard_of(self, case_id: str, field: str) -> str:
        if not case_id:
            raise ValidationError.single(field, "is required")
        shard = shard_of_case(case_id)
        try:
            self._topics.partition_of_shard(shard)
        except ValueError:
            raise NotFoundError(f"case {excerpt(case_id)} not found") from None
        return shard

    def _resolve(self, caller: str, case_id: str, ready: Callable[[CaseState], bool], version: int) -> CaseView:
        stored = self._store.wait_until(case_id, ready, COPY_GRACE_S)
        view = self._reader.readable(stored, caller)
        # Not held here, or no longer readable by the caller (e.g. it transferred the case away).
        return view if view is not None else CaseView(case_id, version)


def _at_least(version: int) -> Callable[[CaseState], bool]:
    return lambda state: state.version >= version


def _reason(reason: str) -> str:
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError.single("reason", f"is longer than {MAX_REASON_CHARS} characters")
    return reason
