"""Every node serves DirectoryService beside intake and cases, and lists it by reflection."""

from __future__ import annotations

import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from gbus.v1 import directory_pb2, directory_pb2_grpc

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("area", ["VN", "79"])
def test_a_node_lists_directory_service_by_reflection(start_node, area):
    node = start_node(area)
    stub = reflection_pb2_grpc.ServerReflectionStub(node.channel)
    replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5)
    names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert {"gbus.v1.IntakeService", "gbus.v1.CaseService", "gbus.v1.DirectoryService"} <= names


def test_a_node_answers_get_agency_with_the_vietnamese_name_and_no_caller_identity(start_node):
    node = start_node("01")
    reply = directory_pb2_grpc.DirectoryServiceStub(node.channel).GetAgency(
        directory_pb2.GetAgencyRequest(agency_id="gov.ubnd@79.26743"), timeout=5
    )
    assert (reply.agency.name, reply.agency.superior_id) == ("Ủy ban nhân dân Phường Bến Thành", "gov.ubnd@79")


def test_a_list_agencies_page_token_from_one_node_continues_at_another(start_node):
    first, second = start_node("79"), start_node("01")
    request = directory_pb2.ListAgenciesRequest(area="79", sector="gov", page_size=3)
    page1 = directory_pb2_grpc.DirectoryServiceStub(first.channel).ListAgencies(request, timeout=5)
    request.page_token = page1.next_page_token
    page2 = directory_pb2_grpc.DirectoryServiceStub(second.channel).ListAgencies(request, timeout=5)
    whole = directory_pb2_grpc.DirectoryServiceStub(first.channel).ListAgencies(
        directory_pb2.ListAgenciesRequest(area="79", sector="gov", page_size=6), timeout=5
    )
    assert [a.agency_id for a in [*page1.agencies, *page2.agencies]] == [a.agency_id for a in whole.agencies]
