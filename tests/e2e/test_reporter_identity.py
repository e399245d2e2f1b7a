"""Reporter identity end to end (docs/identity.md): never in plaintext on any topic, readable by the
handler, not by a watcher, and by nobody once erased."""

from __future__ import annotations

import grpc
import pytest

from gbus.config import SecuritySettings
from gbus.dedup.reporter import normalise_phone
from gbus.security.identity_access import open_reporters
from gbus.security.provisioning import area_agencies, node_keyring_from_settings
from gbus.v1 import case_pb2, intake_pb2, report_pb2
from gbus.wire.avro_records import state_from_snapshot
from support.identity import keyring_for
from support.node_harness import CODEC, as_agency, sample_report, wait_until
from support.raw_topics import read_every_record

pytestmark = pytest.mark.e2e

ACCUSED = "gov.ubnd@79.25747"
HANDLER = "gov.ubnd@79"  # a ward committee is denounced: the province handles it
WATCHER = "party.ubkt@79"  # the party inspection committee watches denunciations
INSPECTORATE = "gov.thanhtra@79"
# Distinct grievances, so the duplicate engine keeps them apart.
GRIEVANCES = (
    (
        "Cán bộ địa chính phường nhận tiền để cấp sổ đỏ",
        "Cán bộ địa chính yêu cầu nộp 50 triệu đồng ngoài quy định để được cấp giấy chứng nhận quyền sử dụng đất.",
    ),
    (
        "Chủ tịch phường bao che xây dựng trái phép",
        "Công trình 5 tầng trên đất nông nghiệp ở khu phố 6 được chủ tịch phường làm ngơ dù đã có biên bản.",
    ),
    (
        "Phó chủ tịch phường chiếm dụng quỹ hỗ trợ",
        "Tiền hỗ trợ hộ nghèo dịp Tết bị giữ lại, người dân ký nhận nhưng không được nhận đủ số tiền.",
    ),
)
DENOUNCERS = (
    report_pb2.Reporter(
        name="Phạm Thị Hồng Nhung", phone="+84 912 345 678", national_id="079188001234", address="45 Nguyễn Huệ"
    ),
    report_pb2.Reporter(name="Võ Minh Tuấn", phone="0938 765 432", national_id="079199005678", address="7 Hàm Nghi"),
)


def _secrets() -> list[bytes]:
    out = []
    for who in DENOUNCERS:
        out += [
            who.name,
            who.phone,
            who.phone.replace(" ", ""),
            normalise_phone(who.phone),
            who.national_id,
            who.address,
        ]
    return [s.encode("utf-8") for s in out]


def _submit(node, request_id: str, reporter: report_pb2.Reporter, grievance: tuple[str, str]) -> str:
    title, description = grievance
    pb = sample_report(request_id, kind="to_cao", subject_agency=ACCUSED, reporter=reporter,
                       title=title, description=description)  # fmt: skip
    return node.intake.SubmitReport(
        intake_pb2.SubmitReportRequest(report=pb), metadata=as_agency(pb.origin_agency), timeout=15
    ).report_id


def _case_of(node, report_id: str, agency: str = HANDLER) -> case_pb2.Case:
    def find():
        cases = node.cases.ListCases(case_pb2.ListCasesRequest(), metadata=as_agency(agency), timeout=10).cases
        return next((c for c in cases if any(r.report_id == report_id for r in c.reports)), None)

    return wait_until(find, 30, f"the case of report {report_id} at node 79")


def _get(node, case_id: str, agency: str) -> case_pb2.Case:
    return node.cases.GetCase(case_pb2.GetCaseRequest(case_id=case_id), metadata=as_agency(agency), timeout=10).case


def _latest_snapshot(bus, case_id: str):
    mine = [r for r in read_every_record(bus.bootstrap, bus.topics.case_state) if r.key == case_id.encode()]
    return state_from_snapshot(CODEC.decode(mine[-1].value, expected="gbus.avro.CaseSnapshot"))


def test_denouncers_are_never_in_plaintext_on_any_topic_open_for_the_handler_only_and_for_nobody_after_erasure(
    bus, start_node, processor
):
    n79, _central = start_node("79"), start_node("VN")  # the central node runs too: it must see no identity
    report_ids = [_submit(n79, f"tc-{i}", who, GRIEVANCES[i]) for i, who in enumerate(DENOUNCERS)]
    anonymous_id = _submit(n79, "tc-anon", report_pb2.Reporter(anonymous=True), GRIEVANCES[2])
    cases = [_case_of(n79, rid) for rid in report_ids]
    assert (
        len({c.case_id for c in cases}) == 2
        and {c.handler for c in cases} == {HANDLER}
        and all(WATCHER in {w.agency_id for w in c.watchers} for c in cases)
    )
    anonymous = _case_of(n79, anonymous_id)

    # The handler, at its node, reads each denouncer; the watcher reads the case but never the reporter.
    for case, who in zip(cases, DENOUNCERS, strict=True):
        seen = _get(n79, case.case_id, HANDLER).reports[0].reporter
        assert (seen.name, seen.national_id) == (who.name, who.national_id)
        assert not _get(n79, case.case_id, WATCHER).reports[0].HasField("reporter")
    nameless = _get(n79, anonymous.case_id, HANDLER).reports[0].reporter
    assert nameless.anonymous and not (nameless.name or nameless.phone or nameless.national_id)

    # The raw case copy: the node of area 79 opens it for the handler; the watcher has no wrap,
    # and the central node (another area) holds no KEK that opens any wrap.
    keyed = _latest_snapshot(bus, cases[0].case_id)
    assert {w.agency_id for w in keyed.key_wraps} == {HANDLER, sample_report().origin_agency}
    at_79 = node_keyring_from_settings(SecuritySettings(), processor_directory(), "79")
    assert [who.name for _, who in open_reporters(keyed, HANDLER, at_79)] == [DENOUNCERS[0].name]
    assert list(open_reporters(keyed, WATCHER, at_79)) == []
    central_ring = keyring_for(*area_agencies(processor_directory(), "VN"))
    assert all(
        list(open_reporters(keyed, agency, central_ring)) == []
        for agency in (HANDLER, WATCHER, *central_ring.agency_keks)
    )

    # Erasure, by the handler, through the processor.
    with pytest.raises(grpc.RpcError) as refused:
        n79.cases.EraseReporterIdentity(case_pb2.EraseReporterIdentityRequest(case_id=cases[0].case_id),
                                        metadata=as_agency(WATCHER), timeout=20)  # fmt: skip
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
    erased = n79.cases.EraseReporterIdentity(
        case_pb2.EraseReporterIdentityRequest(case_id=cases[0].case_id, reason="yêu cầu của người tố cáo", request_id="erase-1"),
        metadata=as_agency(HANDLER), timeout=20,
    ).case  # fmt: skip
    assert not erased.reports[0].HasField("reporter")
    for agency in (HANDLER, sample_report().origin_agency):
        assert not _get(n79, cases[0].case_id, agency).reports[0].HasField("reporter")
    assert (
        _get(n79, cases[1].case_id, HANDLER).reports[0].reporter.name == DENOUNCERS[1].name
    )  # the other case keeps its own

    # A watch replayed from the very start no longer shows it either: the node shredded its change log.
    replayed = _watched_until(n79, HANDLER, cases[0].case_id, erased.version)
    assert replayed[0].version < erased.version and not any(r.HasField("reporter") for c in replayed for r in c.reports)

    shredded = _latest_snapshot(bus, cases[0].case_id)
    assert shredded.key_wraps == () and all(r.reporter_sealed is None for r in shredded.reports)
    assert list(open_reporters(shredded, HANDLER, at_79)) == []

    # Every record of every topic of this bus, aborted transactions included: no identity in clear.
    records = read_every_record(bus.bootstrap, bus.prefix)
    assert {r.topic for r in records} >= {
        bus.topics.reports,
        bus.topics.case_state,
        bus.topics.node("79"),
        bus.topics.commands,
    }
    assert any(r.contains(GRIEVANCES[0][0].encode()) for r in records)  # the search does see text in clear
    leaks = [(r.topic, r.offset, s.decode()) for r in records for s in _secrets() if r.contains(s)]
    assert leaks == []


def test_a_transfer_moves_the_case_key_to_the_new_handler_and_away_from_the_old_one(bus, start_node, processor):
    n79 = start_node("79")
    case = _case_of(n79, _submit(n79, "tc-t", DENOUNCERS[0], GRIEVANCES[0]))
    moved = n79.cases.TransferCase(
        case_pb2.TransferCaseRequest(case_id=case.case_id, to_agency=INSPECTORATE, reason="thuộc thẩm quyền thanh tra"),
        metadata=as_agency(HANDLER), timeout=20,
    ).case  # fmt: skip
    assert moved.handler == INSPECTORATE
    assert _get(n79, case.case_id, INSPECTORATE).reports[0].reporter.name == DENOUNCERS[0].name
    keyed = wait_until(
        lambda: (s := _latest_snapshot(bus, case.case_id)).handler == INSPECTORATE and s, 10, "the new snapshot"
    )
    assert {w.agency_id for w in keyed.key_wraps} == {INSPECTORATE, sample_report().origin_agency}
    at_79 = node_keyring_from_settings(SecuritySettings(), processor_directory(), "79")
    assert list(open_reporters(keyed, HANDLER, at_79)) == []


def _watched_until(node, agency: str, case_id: str, version: int) -> list[case_pb2.Case]:
    """Every change of `case_id` a watch from the start delivers, up to `version`."""
    stream = node.cases.WatchCases(case_pb2.WatchCasesRequest(), metadata=as_agency(agency), timeout=15)
    seen = []
    try:
        for item in stream:
            if item.case.case_id == case_id:
                seen.append(item.case)
                if item.case.version >= version:
                    break
    finally:
        stream.cancel()
    return seen


def processor_directory():
    from gbus.routing import Router

    return Router.default().directory
