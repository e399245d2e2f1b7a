"""Attack tests, issue 10.2/10.4: a node applies a case copy only if a processor signed it
and its snapshot says what its own history says, and believes only processor-signed
answers to its commands and placement verdicts. Records are written straight to the topics, as anyone holding
a node or operator Kafka password could."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import grpc
import pytest

from gbus.config import SecuritySettings
from gbus.domain.status import CaseStatus
from gbus.node.app import NodeApp
from gbus.v1 import case_pb2, intake_pb2
from support.cases import HANDLER, UNRELATED, copy_bytes, opened, result_bytes, verdict_bytes, with_status
from support.node_harness import CODEC, ORIGIN, Running, as_agency, sample_report, wait_until
from support.scripted_processor import ScriptedProcessor
from support.signing import PROCESSOR, make_signing_pki, node_signer, signer

pytestmark = pytest.mark.integration


@pytest.fixture
def pki(tmp_path):
    return make_signing_pki(tmp_path / "pki")


@pytest.fixture
def verifying_node(bus, router, tmp_path, pki):
    settings = replace(bus.settings("79", str(tmp_path / "nodes")), security=SecuritySettings(trust_dir=str(pki.root)))
    node = Running(NodeApp(settings, router=router).start())
    yield node
    node.stop()


def deliver(bus, state, history, by):
    topic, key = bus.topics.node("79"), state.case_id.encode()
    value = copy_bytes(CODEC, state, history, area="79")
    headers = by.headers(topic, key, value) if by is not None else None
    bus.producer.send(topic, key=key, value=value, partition=0, headers=headers).get(timeout=10)


def case_as(node, case_id, agency=HANDLER):
    return node.cases.GetCase(case_pb2.GetCaseRequest(case_id=case_id), metadata=as_agency(agency), timeout=10).case


def version_held(node, case_id):
    """0 until the node holds the case: a copy is applied a poll after it is written."""
    try:
        return case_as(node, case_id).version
    except grpc.RpcError as exc:
        if exc.code() is grpc.StatusCode.NOT_FOUND:
            return 0
        raise


def alerts(node):
    text = urllib.request.urlopen(node.app.metrics_url, timeout=5).read().decode()
    return next(
        (
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith('gbus_integrity_alerts_total{node="79"}')
        ),
        0.0,
    )


def dead_letter_reasons(bus):
    return [
        CODEC.decode(r.value, expected="gbus.avro.DeadLetter")["reason"] for r in bus.read_all(bus.topics.dead_letters)
    ]


def test_a_copy_with_a_recomputed_chain_and_a_swapped_handler_is_flagged_and_not_applied(
    bus, router, pki, verifying_node
):
    node = verifying_node
    processor = signer(pki.signer_key("processor", PROCESSOR), f"processor:{PROCESSOR}")
    v1 = opened(router, "a")
    deliver(bus, *v1, by=processor)
    wait_until(lambda: version_held(node, v1[0].case_id) == 1, what="the genuine copy v1")

    # The attacker's v2: a real status change whose chain is recomputed end to end (it verifies),
    # with a snapshot that hands the case to another agency. Written with node 01's key ...
    state, history = with_status(*v1, CaseStatus.ACCEPTED)
    swapped = replace(state, handler=UNRELATED)
    deliver(bus, swapped, history, by=node_signer(pki, "01"))
    # ... and the same snapshot under a processor signature: the history still contradicts it.
    deliver(bus, swapped, history, by=processor)
    wait_until(lambda: alerts(node) == 2, what="two integrity alerts")
    reasons = dead_letter_reasons(bus)
    assert any(
        "a case copy must be signed by a processor, not node:01" in r and f"snapshot handler {UNRELATED}" in r
        for r in reasons
    )
    assert any(r.startswith(f"snapshot handler {UNRELATED}, history says {HANDLER}") for r in reasons)
    with pytest.raises(grpc.RpcError) as refused:
        case_as(node, v1[0].case_id, agency=UNRELATED)
    assert refused.value.code() is grpc.StatusCode.NOT_FOUND

    # Negative control: the genuine v2, signed by the processor, is applied.
    deliver(bus, state, history, by=processor)
    wait_until(lambda: version_held(node, v1[0].case_id) == 2, what="the genuine copy v2")
    held = case_as(node, v1[0].case_id)
    assert (held.handler, held.integrity_alert) == (HANDLER, False)


def test_an_unsigned_copy_is_not_applied_by_a_verifying_node(bus, router, verifying_node):
    state, history = opened(router, "b")
    deliver(bus, state, history, by=None)
    wait_until(lambda: alerts(verifying_node) == 1, what="the integrity alert")
    assert any("signature: the record is not signed" in r for r in dead_letter_reasons(bus))
    with pytest.raises(grpc.RpcError):
        case_as(verifying_node, state.case_id)


def test_a_forged_command_answer_is_ignored_and_the_processor_signed_one_is_delivered(bus, router, pki, verifying_node):
    node = verifying_node
    processor = signer(pki.signer_key("processor", PROCESSOR), f"processor:{PROCESSOR}")
    v1 = opened(router, "c")
    deliver(bus, *v1, by=processor)
    wait_until(lambda: version_held(node, v1[0].case_id) == 1, what="the case at the node")
    request = case_pb2.UpdateStatusRequest(case_id=v1[0].case_id, status=case_pb2.CASE_STATUS_ACCEPTED,
                                           expected_version=1, request_id="acc-1")  # fmt: skip
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(node.cases.UpdateStatus, request, metadata=as_agency(HANDLER), timeout=30)
        command = ScriptedProcessor(bus).next_command()
        topic, key = bus.topics.command_results_of("79"), b"79"

        def answer(by, **result):
            value = result_bytes(CODEC, command_id=command["command_id"], request_id=command["request_id"],
                                 case_id=command["case_id"], reply_to="79", **result)  # fmt: skip
            bus.producer.send(topic, key=key, value=value, partition=0, headers=by.headers(topic, key, value)).get(10)

        # First a refusal written with node 01's key: if the node believed it, the call would fail.
        answer(node_signer(pki, "01"), code="PERMISSION_DENIED", message="forged")
        deliver(bus, *with_status(*v1, CaseStatus.ACCEPTED), by=processor)
        answer(processor, case_version=2)
        reply = pending.result(timeout=30)
    assert reply.case.version == 2 and reply.case.status == case_pb2.CASE_STATUS_ACCEPTED


def test_a_forged_or_unsigned_verdict_is_dead_lettered_and_the_processor_signed_one_is_applied(
    bus, pki, verifying_node
):
    node = verifying_node
    submitted = node.intake.SubmitReport(intake_pb2.SubmitReportRequest(report=sample_report("verdict-1")),
                                         metadata=as_agency(ORIGIN), timeout=15)  # fmt: skip
    assert not submitted.placement.placed  # no processor runs: the verdicts below are the only ones
    topic, key = bus.topics.report_results("79"), submitted.report_id.encode()

    def verdict(by, case_id):
        value = verdict_bytes(CODEC, report_id=submitted.report_id, origin_agency=ORIGIN, request_id="verdict-1",
                              reply_to="79", case_id=case_id, handler=HANDLER)  # fmt: skip
        headers = by.headers(topic, key, value) if by is not None else None
        bus.producer.send(topic, key=key, value=value, partition=0, headers=headers).get(timeout=10)

    def placement():
        request = intake_pb2.GetReportRequest(report_id=submitted.report_id)
        return node.intake.GetReport(request, metadata=as_agency(ORIGIN), timeout=10).placement

    # Believed, either would tell the member system its report went to a case it is not in.
    verdict(node_signer(pki, "01"), "79-FORGED-BY-01")
    verdict(None, "79-FORGED-UNSIGNED")
    wait_until(lambda: alerts(node) == 2, what="two refused verdicts")
    reasons = dead_letter_reasons(bus)
    assert any("a placement verdict must be signed by a processor, not node:01" in r for r in reasons)
    assert any("signature: the record is not signed" in r for r in reasons)
    assert not placement().placed

    # Negative control: the processor's verdict is applied.
    verdict(signer(pki.signer_key("processor", PROCESSOR), f"processor:{PROCESSOR}"), "79-GENUINE")
    wait_until(lambda: placement().placed, what="the processor-signed verdict")
    assert (placement().case_id, placement().handler) == ("79-GENUINE", HANDLER)
