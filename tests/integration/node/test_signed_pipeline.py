"""Secure mode end to end, on one broker: a node signing with its mTLS key, a processor
verifying every origin and signing what it writes, the node verifying every copy.
Genuine work must flow exactly as in development mode; nothing is refused."""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from gbus.api.tls import agency_channel
from gbus.config import ProcessorSettings, SecuritySettings, Settings
from gbus.node.app import NodeApp
from gbus.observability.metrics import Metrics
from gbus.security.pki import issue_agency_certificate
from gbus.v1 import case_pb2, case_pb2_grpc, intake_pb2, intake_pb2_grpc, report_pb2
from gbus.wire.protobuf import timestamp
from support.node_harness import Bus, Running, wait_until
from support.signing import make_signing_pki, processor_security

pytestmark = pytest.mark.integration

WARD = "25747"
HANDLER, ORIGIN = f"gov.ubnd@79.{WARD}", f"front.mttq@79.{WARD}"


@pytest.fixture
def secure_bus(kafka_bootstrap, tmp_path, router):
    bus = Bus(kafka_bootstrap, all_areas=True)
    pki = make_signing_pki(tmp_path / "pki")
    for agency in (HANDLER, ORIGIN):
        issue_agency_certificate(pki.root, agency)
    from gbus.processor.bootstrap import build_processor

    # Secure mode refuses the published development secrets: this installation's own.
    own = {"identity_master_hex": secrets.token_hex(32), "reporter_hmac_secret": secrets.token_hex(16)}
    settings = Settings(kafka=bus.kafka, processor=ProcessorSettings(group_id=f"g-{uuid.uuid4().hex[:8]}", instance_id="p1"),
                        security=replace(processor_security(pki), **own))  # fmt: skip
    metrics = Metrics()
    proc = build_processor(settings, in_memory=True, router=router, metrics=metrics)
    proc.start()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: proc.run(stop, poll_timeout_ms=100), daemon=True)
    thread.start()
    wait_until(lambda: proc.ready_partitions, 30, "the processor's partition assignment")
    node_settings = bus.settings("79", str(tmp_path / "nodes"), insecure_dev_mode=False, tls_cert=str(pki.node_cert("79")),
                                 tls_key=str(pki.node_key("79")), tls_ca=str(pki.ca_cert))  # fmt: skip
    node = Running(
        NodeApp(
            replace(node_settings, security=SecuritySettings(trust_dir=str(pki.root), **own)), router=router
        ).start()
    )
    yield bus, pki, metrics, node
    node.stop()
    stop.set()
    thread.join(30)
    proc.close()
    bus.close()


def test_in_secure_mode_a_report_and_a_command_flow_signed_and_verified_end_to_end(secure_bus):
    bus, pki, metrics, node = secure_bus
    origin = agency_channel(node.app.grpc_address, pki.root, ORIGIN)
    handler = agency_channel(node.app.grpc_address, pki.root, HANDLER)
    pb = report_pb2.Report(
        kind="phan_anh", category="dat_dai", channel="mttq", province_code="79", ward_code=WARD, origin_agency=ORIGIN,
        title="Lấn chiếm đất công ở khu phố 3", description="Hộ dân số 12 xây tường rào lấn ra đường đi chung.",
        submitted_at=timestamp(datetime.now(timezone.utc)), request_id="s-1", reporter=report_pb2.Reporter(name="Lan"),
    )  # fmt: skip
    intake = intake_pb2_grpc.IntakeServiceStub(origin)
    submitted = intake.SubmitReport(intake_pb2.SubmitReportRequest(report=pb), timeout=15)
    cases = case_pb2_grpc.CaseServiceStub(handler)
    case = wait_until(lambda: next(iter(cases.ListCases(case_pb2.ListCasesRequest(), timeout=10).cases), None), 30,
                      "the case at the node, from a processor-signed copy")  # fmt: skip

    def placement():
        return intake.GetReport(intake_pb2.GetReportRequest(report_id=submitted.report_id), timeout=10).placement

    wait_until(lambda: placement().placed, 30, "the report's placement, from a processor-signed verdict")
    assert placement().case_id == case.case_id
    accepted = cases.UpdateStatus(case_pb2.UpdateStatusRequest(
        case_id=case.case_id, status=case_pb2.CASE_STATUS_ACCEPTED, expected_version=case.version, request_id="a-1"), timeout=20)  # fmt: skip
    assert accepted.case.status == case_pb2.CASE_STATUS_ACCEPTED and not accepted.case.integrity_alert
    forged = metrics.registry.get_sample_value
    assert not any(forged("gbus_forged_records_total", {"node": "79", "kind": k}) for k in ("report", "command"))
    origin.close()
    handler.close()
