"""gbus.v1.DirectoryService: look up agencies and explain routing over gRPC.

Every node serves it beside IntakeService and CaseService, so a member system
can find ward codes and agency ids, and test where a report would go, through
the same address it submits to. The directory is public reference data: any
caller that reaches the node may read it, so no method asks for the caller's agency.

A thin entrypoint: each method converts the wire message, calls the directory
or the router, and converts back. Errors are raised as domain errors
(ValidationError, UnroutableError, NotFoundError) with field paths relative
to the request ("report.ward_code"); gbus.api's interceptor maps them to
gRPC statuses, so nothing here calls context.abort.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from gbus.api.server import ServiceBinding
from gbus.directory import Agency, Directory, normalise
from gbus.domain.report_fields import report_from_mapping
from gbus.domain.vocabulary import LEVELS, SECTORS
from gbus.errors import FieldViolation, NotFoundError, UnroutableError, ValidationError
from gbus.node.tokens import decode_page_token, encode_page_token, query_digest
from gbus.routing import RouteDecision, Router
from gbus.v1 import directory_pb2, directory_pb2_grpc
from gbus.wire.protobuf import datetime_of

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# The page-token "epoch": a position in the directory is its agency id, valid at
# any node, so unlike ListCases tokens these do not name the node's store.
_TOKEN_EPOCH = "directory"


class DirectoryServicer(directory_pb2_grpc.DirectoryServiceServicer):
    def __init__(self, router: Router) -> None:
        self._router = router
        self._directory: Directory = router.directory

    def GetAgency(self, request: directory_pb2.GetAgencyRequest, context: Any) -> directory_pb2.GetAgencyResponse:
        agency_id = _agency_id(request.agency_id, "agency_id")
        agency = self._directory.get(agency_id)
        if agency is None:
            raise NotFoundError(f"no agency {agency_id} in the directory")
        return directory_pb2.GetAgencyResponse(agency=agency_to_wire(agency))

    def ListAgencies(
        self, request: directory_pb2.ListAgenciesRequest, context: Any
    ) -> directory_pb2.ListAgenciesResponse:
        area, sector, level = self._filters(request)
        if request.page_size < 0:
            raise ValidationError.single("page_size", "must not be negative")
        size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        digest = query_digest(
            {"area": area, "include_subareas": request.include_subareas, "sector": sector, "level": level}
        )
        last = decode_page_token(request.page_token, _TOKEN_EPOCH, digest, key_types=(str,))
        after = last[0] if last else None
        # One extra tells whether another page exists without a second scan.
        found = self._directory.agencies(
            area=area, include_subareas=request.include_subareas, sector=sector, level=level,
            after=after, limit=size + 1,
        )  # fmt: skip
        page, more = found[:size], len(found) > size
        return directory_pb2.ListAgenciesResponse(
            agencies=[agency_to_wire(a) for a in page],
            next_page_token=encode_page_token(_TOKEN_EPOCH, digest, (page[-1].id,)) if more else "",
        )

    def ExplainRoute(
        self, request: directory_pb2.ExplainRouteRequest, context: Any
    ) -> directory_pb2.ExplainRouteResponse:
        if not request.HasField("report"):
            raise ValidationError.single("report", "is required")
        try:
            decision = self._router.route(report_from_mapping(explain_mapping(request.report)))
        except ValidationError as exc:
            raise _under("report", exc) from exc
        return decision_to_wire(decision)

    def _filters(self, request: directory_pb2.ListAgenciesRequest) -> tuple[str | None, str | None, str | None]:
        violations = []
        area = None
        if request.area:
            try:
                area = normalise.area(request.area)
            except ValueError:
                violations.append(
                    FieldViolation("area", "must be 'VN', a province like '79' or a ward like '79.26743'")
                )
            else:
                if not self._directory.has_area(area):
                    violations.append(FieldViolation("area", f"unknown area {area}"))
        if request.sector and request.sector not in SECTORS:
            violations.append(FieldViolation("sector", f"unknown sector (one of {', '.join(SECTORS)})"))
        if request.level and request.level not in LEVELS:
            violations.append(FieldViolation("level", f"unknown level (one of {', '.join(LEVELS)})"))
        if violations:
            raise ValidationError(violations)
        return area, request.sector or None, request.level or None


def directory_service_binding(router: Router) -> ServiceBinding:
    return ServiceBinding(
        "gbus.v1.DirectoryService", directory_pb2_grpc.add_DirectoryServiceServicer_to_server, DirectoryServicer(router)
    )


# -- wire conversions -------------------------------------------------------------


def agency_to_wire(agency: Agency) -> directory_pb2.Agency:
    return directory_pb2.Agency(
        agency_id=agency.id, name=agency.name, sector=agency.sector, role=agency.role,
        level=agency.level, area=agency.area, superior_id=agency.superior_id or "",
    )  # fmt: skip


def decision_to_wire(decision: RouteDecision) -> directory_pb2.ExplainRouteResponse:
    explanation = decision.explanation
    if decision.excluded:
        kept_out = "; ".join(f"{agency} ({why})" for agency, why in decision.excluded.items())
        explanation = f"{explanation}. Not watching: {kept_out}"
    return directory_pb2.ExplainRouteResponse(
        handler=decision.handler,
        watchers=[directory_pb2.RouteWatcher(agency_id=w, reason=decision.reasons[w]) for w in decision.watchers],
        rule=decision.rule,
        explanation=explanation,
    )


def explain_mapping(report: Any) -> dict[str, Any]:
    """A wire Report as the mapping report_from_mapping validates.

    ExplainRoute takes a *hypothetical* report: fields routing never reads
    (title, description, request_id, submitted_at) may be left empty and get
    stand-ins; every field routing reads is validated as on intake.
    """
    submitted = datetime_of(report, "submitted_at") or datetime.now(timezone.utc)
    return {
        "report_id": "explain",
        "kind": report.kind,
        "category": report.category,
        "channel": report.channel,
        "province_code": report.province_code or None,
        "ward_code": report.ward_code or None,
        "title": report.title or "(explain)",
        "description": report.description or "(explain)",
        "submitted_at": submitted,
        "origin_agency": report.origin_agency,
        "request_id": report.request_id or "explain",
        "subject_agency": report.subject_agency or None,
        "attempt": report.attempt or 1,
    }


def _agency_id(raw: str, field: str) -> str:
    if not raw:
        raise ValidationError.single(field, "is required")
    try:
        return normalise.agency_id(raw)
    except ValueError as exc:
        raise ValidationError.single(field, str(exc)) from exc


def _under(prefix: str, exc: ValidationError) -> ValidationError:
    """The same error with field paths relative to the request (AIP-193 style)."""
    violations = [FieldViolation(f"{prefix}.{v.field}", v.description) for v in exc.violations]
    return (UnroutableError if isinstance(exc, UnroutableError) else ValidationError)(violations)
