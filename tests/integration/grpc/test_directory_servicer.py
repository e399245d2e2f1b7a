"""DirectoryService on a real gRPC server (port 0), through the bus interceptor: no broker needed."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from gbus.api.error_mapping import field_violations
from gbus.api.server import start_grpc_server
from gbus.config import GrpcSettings
from gbus.directory import Directory
from gbus.node.directory_servicer import directory_service_binding
from gbus.observability.metrics import Metrics
from gbus.routing import Router
from gbus.v1 import directory_pb2, directory_pb2_grpc, report_pb2


@pytest.fixture(scope="module")
def stub():
    running = start_grpc_server([directory_service_binding(Router.default())], GrpcSettings(), Metrics())
    channel = grpc.insecure_channel(running.address)
    yield directory_pb2_grpc.DirectoryServiceStub(channel)
    channel.close()
    running.stop(0)


def rejected(call, request):
    with pytest.raises(grpc.RpcError) as info:
        call(request, timeout=5)
    return info.value.code(), field_violations(info.value)


def test_get_agency_returns_the_agency_with_its_superior(stub):
    reply = stub.GetAgency(directory_pb2.GetAgencyRequest(agency_id="gov.ubnd@79.26743"), timeout=5)
    assert reply.agency == directory_pb2.Agency(
        agency_id="gov.ubnd@79.26743", name="Ủy ban nhân dân Phường Bến Thành", sector="gov", role="ubnd",
        level="commune", area="79.26743", superior_id="gov.ubnd@79",
    )  # fmt: skip


def test_get_agency_accepts_a_loosely_typed_id_and_leaves_the_top_without_superior(stub):
    reply = stub.GetAgency(directory_pb2.GetAgencyRequest(agency_id=" GOV.VPCP@vn"), timeout=5)
    assert (reply.agency.agency_id, reply.agency.superior_id) == ("gov.vpcp@VN", "")


def test_get_agency_of_an_unknown_id_is_not_found(stub):
    code, _ = rejected(stub.GetAgency, directory_pb2.GetAgencyRequest(agency_id="gov.so-khong-co@79"))
    assert code is grpc.StatusCode.NOT_FOUND


def test_get_agency_of_a_malformed_id_names_the_field(stub):
    code, violations = rejected(stub.GetAgency, directory_pb2.GetAgencyRequest(agency_id="ubnd"))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert [field for field, _ in violations] == ["agency_id"]


def test_list_agencies_pages_through_a_province_and_its_communes_exactly_once(stub):
    request = directory_pb2.ListAgenciesRequest(area="79", include_subareas=True, sector="front", page_size=40)
    seen, pages = [], 0
    while True:
        reply = stub.ListAgencies(request, timeout=5)
        seen.extend(a.agency_id for a in reply.agencies)
        pages += 1
        if not reply.next_page_token:
            break
        request.page_token = reply.next_page_token
    communes = len(Directory.default().wards_of("79"))
    assert seen[0] == "front.mttq@79"
    assert len(seen) == len(set(seen)) == 1 + communes
    assert all(a.startswith("front.mttq@79") for a in seen)
    assert pages == -(-(1 + communes) // 40)


def test_list_agencies_filters_by_exact_area_and_level(stub):
    reply = stub.ListAgencies(directory_pb2.ListAgenciesRequest(area="VN", level="central", sector="gov"), timeout=5)
    assert [a.agency_id for a in reply.agencies][:3] == ["gov.bdngs@VN", "gov.bo-ca@VN", "gov.bo-ct@VN"]
    assert len(reply.agencies) == 26 and reply.next_page_token == ""  # the State's central bodies (docs/directory.md)


def test_a_page_token_used_with_other_filters_is_refused(stub):
    first = stub.ListAgencies(directory_pb2.ListAgenciesRequest(area="79", page_size=5), timeout=5)
    code, violations = rejected(
        stub.ListAgencies, directory_pb2.ListAgenciesRequest(area="01", page_size=5, page_token=first.next_page_token)
    )
    assert (code, [f for f, _ in violations]) == (grpc.StatusCode.INVALID_ARGUMENT, ["page_token"])


def test_a_forged_page_token_is_refused(stub):
    code, violations = rejected(stub.ListAgencies, directory_pb2.ListAgenciesRequest(page_token="not-a-token!"))
    assert (code, [f for f, _ in violations]) == (grpc.StatusCode.INVALID_ARGUMENT, ["page_token"])


def test_list_agencies_names_every_bad_filter(stub):
    code, violations = rejected(
        stub.ListAgencies, directory_pb2.ListAgenciesRequest(area="03", sector="army", level="district", page_size=-1)
    )
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in violations] == ["area", "sector", "level"]


def test_explain_route_routes_a_hypothetical_denunciation_with_reasons(stub):
    report = report_pb2.Report(
        kind="to_cao", category="tham_nhung_tieu_cuc", channel="mttq", province_code="79", ward_code="26743",
        origin_agency="front.mttq@79.26743", subject_agency="gov.ubnd@79.26743",
    )  # fmt: skip
    reply = stub.ExplainRoute(directory_pb2.ExplainRouteRequest(report=report), timeout=5)
    assert (reply.handler, reply.rule) == ("gov.ubnd@79", "to-cao")
    assert [w.agency_id for w in reply.watchers] == ["party.ubkt@79", "front.mttq@79.26743"]
    assert reply.watchers[0].reason.startswith("rule to-cao: the party inspection commission")
    assert reply.watchers[1].reason == (
        "origin: the origin system holds a copy of the report; "
        "front-channel: the report came through the Fatherland Front"
    )
    assert "superior of the accused" in reply.explanation


def test_explain_route_says_who_is_kept_from_watching(stub):
    report = report_pb2.Report(
        kind="to_cao", category="dat_dai", channel="tiep_cong_dan", province_code="79",
        origin_agency="gov.ubnd@79.26743", subject_agency="gov.ubnd@79.26743",
        submitted_at=Timestamp(seconds=1_762_000_000),
    )  # fmt: skip
    reply = stub.ExplainRoute(directory_pb2.ExplainRouteRequest(report=report), timeout=5)
    assert [w.agency_id for w in reply.watchers] == ["party.ubkt@79"]
    assert "Not watching: gov.ubnd@79.26743" in reply.explanation


def test_explain_route_of_an_unplaceable_report_names_the_report_field(stub):
    report = report_pb2.Report(kind="phan_anh", category="dat_dai", channel="zalo", province_code="79",
                               ward_code="70", origin_agency="gov.vpcp@VN")  # fmt: skip
    code, violations = rejected(stub.ExplainRoute, directory_pb2.ExplainRouteRequest(report=report))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert violations == [("report.ward_code", "ward 00070 (Phường Hoàn Kiếm) is in province 01, not 79")]


def test_explain_route_of_an_invalid_report_names_every_bad_field(stub):
    report = report_pb2.Report(kind="gop_y", category="nope", channel="zalo", origin_agency="gov.vpcp@VN")
    code, violations = rejected(stub.ExplainRoute, directory_pb2.ExplainRouteRequest(report=report))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in violations] == ["report.category"]


def test_explain_route_without_a_report_is_invalid(stub):
    code, violations = rejected(stub.ExplainRoute, directory_pb2.ExplainRouteRequest())
    assert (code, violations) == (grpc.StatusCode.INVALID_ARGUMENT, [("report", "is required")])
