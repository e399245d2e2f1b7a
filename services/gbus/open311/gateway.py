"""The Open311 operations over a node: what each GeoReport endpoint does, without HTTP.

Every call but the service list names an api_key; the agency it belongs to is
the caller at the node, so the node's own rules decide what it may see
(NOT_FOUND there is 404 here) and the reports it files are its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from gbus.open311 import catalog
from gbus.open311.errors import Open311Error, bad_request, not_found
from gbus.open311.gateway_store import Filed, GatewayStore
from gbus.open311.keys import ApiKeys
from gbus.open311.locations import Gazetteer
from gbus.open311.node_client import NodeClient
from gbus.open311.request_form import NewRequest, new_request
from gbus.open311.views import Holding, service_request, updates, within
from gbus.v1 import case_pb2, report_pb2
from gbus.wire.protobuf import timestamp

# GeoReport: "when not specified, the range defaults to the most recent 90 days".
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MERGED = case_pb2.CASE_STATUS_MERGED


@dataclass(frozen=True)
class Names:
    """Vietnamese names from the directory: agency_responsible and addresses."""

    agency: Callable[[str], str]
    ward: Callable[[str], str]


class Open311Gateway:
    def __init__(
        self,
        *,
        node: NodeClient,
        store: GatewayStore,
        keys: ApiKeys,
        gazetteer: Gazetteer,
        names: Names,
        channel: str = "app_cong_dan",
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self._node = node
        self._store = store
        self._keys = keys
        self._gazetteer = gazetteer
        self._names = names
        self._channel = channel
        self._clock = clock

    # -- services -------------------------------------------------------------------

    def services(self, query: dict[str, str]) -> list[dict[str, Any]]:
        self._gazetteer.jurisdiction(query.get("jurisdiction_id", ""))
        return [s.as_open311() for s in catalog.services()]

    def definition(self, code: str, query: dict[str, str]) -> dict[str, Any]:
        self._gazetteer.jurisdiction(query.get("jurisdiction_id", ""))
        if catalog.service(code) is None:
            raise not_found(f"service_code {code[:40]!r} not found: see services.json")
        return catalog.definition(code)

    # -- filing -----------------------------------------------------------------------

    def post_request(self, form: dict[str, str]) -> list[dict[str, Any]]:
        agency = self._keys.agency_of(form.get("api_key"))
        filed = new_request(
            form, origin_agency=agency, channel=self._channel, gazetteer=self._gazetteer, now=self._clock()
        )
        answer = self._node.submit(agency, _report_pb(filed))
        token = self._store.new_token()
        loc = filed.location
        self._store.put(Filed(answer.report_id, token, agency, filed.service_code, loc.address_string, loc.lat, loc.long,
                              filed.media_url))  # fmt: skip
        return [{
            "service_request_id": answer.report_id,
            "token": token,
            "service_notice": self._notice(answer.placement),
            "account_id": None,
        }]  # fmt: skip

    def token(self, token: str, query: dict[str, str]) -> list[dict[str, Any]]:
        agency = self._keys.agency_of(query.get("api_key"))
        filed = self._store.by_token(token)
        if filed is None or filed.origin_agency != agency:
            raise not_found(f"token {token[:40]!r} not found")
        return [{"service_request_id": filed.report_id, "token": token}]

    # -- reading ------------------------------------------------------------------------

    def request(self, report_id: str, query: dict[str, str]) -> list[dict[str, Any]]:
        agency = self._keys.agency_of(query.get("api_key"))
        found = self._find(agency, report_id)
        if found is None:
            raise not_found(f"service_request_id {report_id[:40]!r} not found")
        report, holding = found
        return [self._view(report, holding)]

    def requests(self, query: dict[str, str]) -> list[dict[str, Any]]:
        agency = self._keys.agency_of(query.get("api_key"))
        province = self._gazetteer.jurisdiction(query.get("jurisdiction_id", ""))
        wanted_ids = _csv(query.get("service_request_id"))
        if wanted_ids:  # GeoReport: the ids override every other filter; unknown ones are left out
            found_ids = (self._find(agency, rid) for rid in wanted_ids[:MAX_RESULTS])
            return [self._view(report, holding) for report, holding in filter(None, found_ids)]
        codes = set(_csv(query.get("service_code")))
        statuses = set(_csv(query.get("status")))
        if statuses - {"open", "closed"}:
            raise bad_request("status must be open, closed, or both comma separated")
        start, end = self._window(query)
        found = []
        for report, holding in self._visible(agency):
            if province is not None and holding.case.province_code != province:
                continue
            view = self._view(report, holding)
            if codes and view["service_code"] not in codes or statuses and view["status"] not in statuses:
                continue
            if within(view["requested_datetime"], start, end):
                found.append(view)
        found.sort(key=lambda v: v["requested_datetime"] or "", reverse=True)
        return found[:MAX_RESULTS]

    def updates(self, query: dict[str, str]) -> list[dict[str, Any]]:
        """mySociety's servicerequestupdates: every status change of every request the agency may see."""
        agency = self._keys.agency_of(query.get("api_key"))
        start, end = _dates(query)
        seen_cases: set[str] = set()
        found: list[dict[str, Any]] = []
        for _, holding in self._visible(agency):
            if holding.case.case_id in seen_cases:
                continue
            seen_cases.add(holding.case.case_id)
            found.extend(u for u in updates(holding) if within(u["updated_datetime"], start, end))
        found.sort(key=lambda u: u["updated_datetime"] or "")
        return found[:MAX_RESULTS]

    # -- steps -----------------------------------------------------------------------

    def _find(self, agency: str, report_id: str) -> tuple[Any, Holding] | None:
        """The report and its case: through GetReport for the filing agency, else among the visible cases."""
        placement = self._node.placement(agency, report_id)
        if placement is not None and placement.case_id:
            holding = self._holding(agency, placement.case_id)
            report = _report_in(holding.case, report_id) if holding else None
            if report is not None:
                return report, holding  # type: ignore[return-value]
        return next(((r, h) for r, h in self._visible(agency) if r.report_id == report_id), None)

    def _visible(self, agency: str) -> Iterable[tuple[Any, Holding]]:
        """Each report in the agency's cases once, in the case that holds it (not a merged-away copy)."""
        cases = list(self._node.cases(agency))
        holders: dict[str, Any] = {}
        for case in cases:
            for report in case.reports:
                current = holders.get(report.report_id)
                if current is None or (current.status == MERGED and case.status != MERGED):
                    holders[report.report_id] = case
        histories: dict[str, Holding | None] = {}
        for report_id, case in holders.items():
            if case.case_id not in histories:
                histories[case.case_id] = self._holding(agency, case.case_id)
            holding = histories[case.case_id]
            report = _report_in(holding.case, report_id) if holding else None
            if report is not None:
                yield report, holding  # type: ignore[misc]

    def _holding(self, agency: str, case_id: str) -> Holding | None:
        got = self._node.case(agency, case_id)
        if got is None:
            return None
        case, history = got
        if case.status == MERGED and case.merged_into:
            target = self._node.case(agency, case.merged_into)
            if target is not None:
                return Holding(case, history, target[0], target[1])
        return Holding(case, history)

    def _view(self, report: Any, holding: Holding) -> dict[str, Any]:
        return service_request(
            report, holding, self._store.by_report(report.report_id), self._names.agency, self._names.ward
        )

    def _notice(self, placement: Any) -> str:
        if placement.placed:
            return f"Đã chuyển đến {self._names.agency(placement.handler)} (mã hồ sơ {placement.case_id})"
        return "Đã tiếp nhận; đang chuyển đến cơ quan có thẩm quyền"

    def _window(self, query: dict[str, str]) -> tuple[datetime | None, datetime | None]:
        start, end = _dates(query)
        if start is None and end is None:
            return self._clock() - DEFAULT_WINDOW, None
        return start, end


def _report_pb(filed: NewRequest) -> report_pb2.Report:
    r = filed.report
    contact = filed.reporter
    reporter = (
        report_pb2.Reporter(
            name=contact.get("name", ""), phone=contact.get("phone", ""), email=contact.get("email", "")
        )
        if contact
        else report_pb2.Reporter(anonymous=True)
    )
    return report_pb2.Report(
        kind=r["kind"], category=r["category"], channel=r["channel"], province_code=r["province_code"],
        ward_code=r["ward_code"], title=r["title"], description=r["description"],
        submitted_at=timestamp(r["submitted_at"]), origin_agency=r["origin_agency"], request_id=r["request_id"],
        reporter=reporter,
    )  # fmt: skip


def _report_in(case: Any, report_id: str) -> Any | None:
    return next((r for r in case.reports if r.report_id == report_id), None)


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _dates(query: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    return _date(query, "start_date"), _date(query, "end_date")


def _date(query: dict[str, str], name: str) -> datetime | None:
    raw = query.get(name, "").strip()
    if not raw:
        return None
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C datetime such as 2026-11-02T00:00:00Z") from None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)
