"""The sample flow `make run` shows a newcomer: submit, route, merge, work a case, sync.

Everything goes through the public gRPC API exactly as a member system would
use it, with the caller's agency in the `x-agency-id` header (development mode).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from gbus.domain.report_fields import parse_timestamp
from gbus.resources import packaged_path
from gbus.topics import area_of_agency
from gbus.v1 import case_pb2, case_pb2_grpc, intake_pb2, intake_pb2_grpc, report_pb2

# deploy/sample/reports.jsonl in a checkout, shipped with the package (gbus.resources).
SAMPLE_FILE = packaged_path("gbus.devrun", "sample", "reports.jsonl")
Say = Callable[[str], None]
ChannelFactory = Callable[[str, str], grpc.Channel]


@dataclass
class Submitted:
    line: dict[str, Any]
    node: str
    report_id: str


def _md(agency: str) -> tuple[tuple[str, str], ...]:
    return (("x-agency-id", agency),)


def report_message(line: dict[str, Any]) -> report_pb2.Report:
    ts = Timestamp()
    ts.FromDatetime(parse_timestamp(line["submitted_at"]))
    reporter = line.get("reporter") or {}
    return report_pb2.Report(
        kind=line["kind"],
        category=line["category"],
        channel=line["channel"],
        province_code=line.get("province_code", ""),
        ward_code=line.get("ward_code", ""),
        title=line["title"],
        description=line["description"],
        submitted_at=ts,
        origin_agency=line["origin_agency"],
        request_id=line["request_id"],
        subject_agency=line.get("subject_agency", ""),
        attempt=int(line.get("attempt", 1)),
        reporter=report_pb2.Reporter(
            name=reporter.get("name", ""),
            phone=reporter.get("phone", ""),
            national_id=reporter.get("national_id", ""),
            address=reporter.get("address", ""),
            anonymous=bool(reporter.get("anonymous", False)),
        ),
    )


class SampleFlow:
    def __init__(
        self, nodes: dict[str, str], say: Say, directory: Any | None = None, connect: ChannelFactory | None = None
    ) -> None:
        """`nodes` maps a node area to its gRPC address; `connect(address, agency)` opens a
        channel as that agency (mTLS with its certificate), or plaintext when None."""
        self.say = say
        self.nodes = nodes
        self.directory = directory
        self._connect = connect
        self._open: dict[tuple[str, str], grpc.Channel] = {}

    def close(self) -> None:
        for ch in self._open.values():
            ch.close()

    def _channel(self, area: str, agency: str) -> grpc.Channel:
        # With mTLS the certificate is the caller's identity, so each agency has its own channel.
        key = (area, agency if self._connect else "")
        if key not in self._open:
            address = self.nodes[area]
            self._open[key] = self._connect(address, agency) if self._connect else grpc.insecure_channel(address)
        return self._open[key]

    def intake(self, area: str, agency: str) -> intake_pb2_grpc.IntakeServiceStub:
        return intake_pb2_grpc.IntakeServiceStub(self._channel(area, agency))

    def cases(self, area: str, agency: str) -> case_pb2_grpc.CaseServiceStub:
        return case_pb2_grpc.CaseServiceStub(self._channel(area, agency))

    def _name(self, agency_id: str) -> str:
        agency = self.directory.get(agency_id) if self.directory is not None else None
        return f"{agency_id} ({agency.name})" if agency is not None else agency_id

    # -- steps --------------------------------------------------------------

    def submit_all(self, path: Path = SAMPLE_FILE) -> list[Submitted]:
        lines = [json.loads(t) for t in path.read_text(encoding="utf-8").splitlines() if t.strip()]
        self.say(
            f"Submitting {len(lines)} sample reports through IntakeService at nodes {', '.join(sorted({line['node'] for line in lines}))}:"
        )
        out = []
        for line in lines:
            node = line["node"]
            reply = self.intake(node, line["origin_agency"]).SubmitReport(
                intake_pb2.SubmitReportRequest(report=report_message(line)),
                metadata=_md(line["origin_agency"]),
                timeout=15,
            )
            out.append(Submitted(line, node, reply.report_id))
            placed = reply.placement
            where = (f" -> {placed.case_id} ({intake_pb2.PlacementDecision.Name(placed.decision).removeprefix('PLACEMENT_DECISION_').lower()})"
                     if placed.placed else " (not placed yet)")  # fmt: skip
            self.say(
                f"  [node {node:>2}] {line['channel']:<13} {line['origin_agency']:<22} {line['title'][:48]!r} -> {reply.report_id}{where}"
            )
        return out

    def find_case(self, sub: Submitted, timeout: float = 30.0) -> case_pb2.Case:
        """The case holding a report, as the origin system sees it at its own node."""
        origin = sub.line["origin_agency"]
        stub = self.cases(area_of_agency(origin), origin)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            token = ""
            while True:
                page = stub.ListCases(
                    case_pb2.ListCasesRequest(agency_id=origin, page_size=200, page_token=token),
                    metadata=_md(origin),
                    timeout=10,
                )
                for case in page.cases:
                    if any(r.report_id == sub.report_id for r in case.reports):
                        return case
                token = page.next_page_token
                if not token:
                    break
            time.sleep(0.2)
        raise TimeoutError(
            f"report {sub.report_id} did not reach a case at node {area_of_agency(origin)} in {timeout:.0f}s"
        )

    def show_routing(self, submitted: list[Submitted]) -> dict[str, case_pb2.Case]:
        cases: dict[str, case_pb2.Case] = {}
        for sub in submitted:
            case = self.find_case(sub)
            cases[case.case_id] = case
        # Re-read: a case found early may have grown since.
        for sub in submitted:
            case = self.find_case(sub)
            cases[case.case_id] = case
        self.say("")
        self.say(f"Routing and deduplication: {len(submitted)} reports became {len(cases)} cases")
        for case in sorted(cases.values(), key=lambda c: c.case_id):
            self.say(
                f"  {case.case_id}  [{case_pb2.CaseStatus.Name(case.status).removeprefix('CASE_STATUS_')}] {case.kind}/{case.category}: {case.title}"
            )
            self.say(f"    handler  {self._name(case.handler)}   (rule {case.route_rule})")
            for w in case.watchers:
                self.say(f"    watcher  {w.agency_id}: {w.reason}")
            if len(case.reports) > 1:
                channels = ", ".join(f"{r.channel} via {r.origin_agency}" for r in case.reports)
                self.say(f"    MERGED   {len(case.reports)} reports of one grievance: {channels}")
            for dup in case.possible_duplicate_of:
                self.say(f"    possible duplicate of {dup} (a person should confirm)")
        return cases

    def work_case(self, case: case_pb2.Case) -> case_pb2.Case:
        """The handler accepts, works and resolves; a watcher's attempt is refused."""
        area = area_of_agency(case.handler)
        stub = self.cases(area, case.handler)
        self.say("")
        self.say(f"The handler {case.handler} works case {case.case_id} at node {area}:")
        watcher = next((w.agency_id for w in case.watchers if area_of_agency(w.agency_id) in self.nodes), None)
        if watcher:
            try:
                self.cases(area_of_agency(watcher), watcher).UpdateStatus(
                    case_pb2.UpdateStatusRequest(
                        case_id=case.case_id, status=case_pb2.CASE_STATUS_CLOSED, reason="watcher tries"
                    ),
                    metadata=_md(watcher),
                    timeout=15,
                )
            except grpc.RpcError as exc:
                self.say(f"  watcher {watcher} tried to close it: {exc.code().name} ({exc.details()})")
        current = case
        for status, reason in (
            (case_pb2.CASE_STATUS_ACCEPTED, "Đã tiếp nhận, giao bộ phận hạ tầng kiểm tra"),
            (case_pb2.CASE_STATUS_IN_PROGRESS, "Đang nạo vét cống thoát nước"),
            (case_pb2.CASE_STATUS_RESOLVED, "Đã nạo vét xong, đường hết ngập"),
        ):
            reply = stub.UpdateStatus(
                case_pb2.UpdateStatusRequest(
                    case_id=case.case_id,
                    status=status,
                    reason=reason,
                    expected_version=current.version,
                    request_id=f"sample-{case.case_id}-{status}",
                ),
                metadata=_md(case.handler),
                timeout=15,
            )
            current = reply.case
            self.say(
                f"  -> {case_pb2.CaseStatus.Name(status).removeprefix('CASE_STATUS_'):<12} version {current.version}  ({reason})"
            )
        return current

    def show_sync(self, case: case_pb2.Case, timeout: float = 10.0) -> None:
        """Every node that serves an involved agency shows the final version."""
        self.say("")
        self.say(f"Status sync of case {case.case_id} (version {case.version}):")
        involved = [case.handler, *(w.agency_id for w in case.watchers), *(r.origin_agency for r in case.reports)]
        seen: set[str] = set()
        for agency in involved:
            area = area_of_agency(agency)
            if area not in self.nodes or agency in seen:
                continue
            seen.add(agency)
            deadline = time.monotonic() + timeout
            got = None
            while time.monotonic() < deadline:
                try:
                    got = (
                        self.cases(area, agency)
                        .GetCase(case_pb2.GetCaseRequest(case_id=case.case_id), metadata=_md(agency), timeout=5)
                        .case
                    )
                except grpc.RpcError:
                    got = None
                if got is not None and got.version >= case.version:
                    break
                time.sleep(0.2)
            status = case_pb2.CaseStatus.Name(got.status).removeprefix("CASE_STATUS_") if got else "not delivered"
            version = got.version if got else "-"
            self.say(f"  node {area:>2}  {agency:<24} sees {status} v{version}")


def run_sample(
    nodes: dict[str, str], say: Say, directory: Any | None = None, connect: ChannelFactory | None = None
) -> None:
    flow = SampleFlow(nodes, say, directory, connect)
    try:
        submitted = flow.submit_all()
        cases = flow.show_routing(submitted)
        biggest = max(cases.values(), key=lambda c: (len(c.reports), c.case_id))
        final = flow.work_case(biggest)
        flow.show_sync(final)
    finally:
        flow.close()
