"""A wrong merge undone: the report gets its own routed case, and every node involved sees it."""

from __future__ import annotations

import pytest

from gbus.v1 import case_pb2
from support.flows import CENTRAL_UNION, HANDLER, WARD_FRONT, cases_of, flooded_street_case
from support.node_harness import as_agency, wait_until

pytestmark = pytest.mark.e2e


def test_unmerging_a_report_restores_its_own_case_at_every_node_involved(bus, start_node, processor):
    n79, central = start_node("79"), start_node("VN")
    case = flooded_street_case(n79, central)
    union_report = next(r for r in case.reports if r.origin_agency == CENTRAL_UNION)

    reply = n79.cases.UnmergeReport(
        case_pb2.UnmergeReportRequest(case_id=case.case_id, report_id=union_report.report_id, reason="nhầm vụ việc"),
        metadata=as_agency(HANDLER), timeout=20,
    )  # fmt: skip
    new_id = reply.new_case.case_id
    assert new_id and new_id != case.case_id
    assert [r.origin_agency for r in reply.case.reports] == [WARD_FRONT]

    # The union's own case, routed anew, at the central node where the union is.
    own = wait_until(
        lambda: next((c for c in cases_of(central, CENTRAL_UNION) if c.case_id == new_id), None), 10, "new case at VN"
    )
    assert [r.report_id for r in own.reports] == [union_report.report_id]
    assert own.handler == HANDLER and own.status == case_pb2.CASE_STATUS_ASSIGNED
    # The handler sees both cases at node 79; the original no longer holds the union's report.
    at_79 = wait_until(
        lambda: (cs := {c.case_id: c for c in cases_of(n79, HANDLER)}) and new_id in cs and cs, 10, "both at 79"
    )
    assert [r.report_id for r in at_79[case.case_id].reports] != [union_report.report_id]
    assert union_report.report_id not in {r.report_id for r in at_79[case.case_id].reports}
    # History keeps the unmerge on the original case.
    history = n79.cases.GetCase(
        case_pb2.GetCaseRequest(case_id=case.case_id, include_history=True), metadata=as_agency(HANDLER), timeout=10
    ).history
    assert any(e.HasField("unmerged") and e.unmerged.new_case_id == new_id for e in history)
