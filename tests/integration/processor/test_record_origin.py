"""Attack tests, issue 10.1 and 10.7: with one node's credentials nobody speaks for another
node's agencies. Records are written straight to the topics, as a stolen Kafka password
allows; only the signature headers differ from what a node writes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from kafka import KafkaProducer

from gbus.cases import commands as c
from gbus.cli.tick_cmd import tick_record
from gbus.domain.case import make_case_id, shard_of_case
from gbus.kafka_io.signing_producer import SigningProducer
from gbus.ops.trace import render_trace
from gbus.ops.trace_read import gather_trace
from gbus.security.revocation import revoke
from gbus.security.trust import TrustStore
from gbus.wire.avro_records import command_record
from support.factories import T0, case_report
from support.signing import make_signing_pki, node_signer, operator_signer, processor_security

from .conftest import CODEC, wait_until

pytestmark = pytest.mark.integration

HANDLER = "gov.ubnd@79.26743"
RELOAD_S = 1.0


@pytest.fixture
def signed_bus(bus, tmp_path):
    """The test bus with a processor that verifies origins against a fresh PKI."""
    pki = make_signing_pki(tmp_path / "pki")
    plain = bus.settings
    bus.settings = lambda instance="p1", data_dir="": replace(
        plain(instance, data_dir), security=processor_security(pki, RELOAD_S)
    )
    producers: list[KafkaProducer] = []

    def writer(signer):
        raw = KafkaProducer(bootstrap_servers=bus.bootstrap, acks="all")
        producers.append(raw)
        return SigningProducer(raw, signer) if signer is not None else raw

    bus.pki, bus.writer = pki, writer
    yield bus
    for p in producers:
        p.close()


def send_command(producer, bus, command, *, reply_to):
    shard = shard_of_case(command.case_id)
    value = CODEC.encode("gbus.avro.Command", command_record(command, shard=shard, reply_to=reply_to))
    producer.send(
        bus.topics.commands, key=shard.encode(), value=value, partition=bus.topics.partition_of_shard(shard)
    ).get(10)


def send_report(producer, bus, report):
    from gbus.wire.avro_records import report_record

    value = CODEC.encode("gbus.avro.Report", report_record(report.report, shard="79", accepted_at=T0, accepted_by="79"))
    producer.send(bus.topics.reports, key=b"79", value=value, partition=bus.topics.partition_of_shard("79")).get(10)


def accept(case_id, request_id, version):
    return c.CaseCommand(f"cmd-{request_id}", request_id, case_id, HANDLER, T0, version, c.UpdateStatus("ACCEPTED"))


def forged(running, node, kind):
    return running.metrics.registry.get_sample_value("gbus_forged_records_total", {"node": node, "kind": kind}) or 0


def dead_letter_reasons(bus):
    return [d["reason"] for d in bus.decoded(bus.topics.dead_letters, "gbus.avro.DeadLetter")]


def test_forged_command_report_and_tick_are_refused_while_the_genuine_command_is_applied(signed_bus):
    bus = signed_bus
    running = bus.start_processor()
    node79, node01 = bus.writer(node_signer(bus.pki, "79")), bus.writer(node_signer(bus.pki, "01"))
    report = case_report()
    send_report(node79, bus, report)
    case_id = make_case_id("79", report.report_id)
    wait_until(lambda: case_id in bus.latest_snapshots(), 30, "the case opened by node 79's report")

    # node 01's credentials, claiming the 79 handler; a report claiming a 79 origin; a tick ten years ahead.
    send_command(node01, bus, accept(case_id, "forged", 1), reply_to="01")
    send_report(node01, bus, case_report(request_id="forged-report"))
    tick = tick_record("79", T0.replace(year=T0.year + 10))
    node01.send(bus.topics.commands, key=b"79", value=CODEC.encode("gbus.avro.Command", tick),
                partition=bus.topics.partition_of_shard("79")).get(10)  # fmt: skip
    send_command(bus.writer(None), bus, accept(case_id, "unsigned", 1), reply_to="79")
    # Negative control, after the forgeries in the same partition: they did not block it.
    send_command(node79, bus, accept(case_id, "genuine", 1), reply_to="79")

    wait_until(lambda: bus.latest_snapshots()[case_id]["version"] == 2, 30, "the genuine command applied")
    snap = bus.latest_snapshots()[case_id]
    assert snap["status"] == "ACCEPTED"
    wait_until(lambda: len(dead_letter_reasons(bus)) == 4, 30, "four dead letters")
    reasons = dead_letter_reasons(bus)
    assert any(f"command refused: node:01 cannot speak for {HANDLER}" in r for r in reasons)
    assert any("report refused: node:01 cannot speak for front.mttq@79" in r for r in reasons)
    assert any("tick refused: a tick must be signed by an operator, not node:01" in r for r in reasons)
    assert any("command refused: the record is not signed" in r for r in reasons)
    # Counted once the transaction committed, a moment after its dead letters became visible.
    wait_until(lambda: forged(running, "unsigned", "command") == 1, 10, "the forgeries counted")
    assert (forged(running, "01", "command"), forged(running, "01", "report"), forged(running, "01", "tick")) == (
        1,
        1,
        1,
    )
    assert forged(running, "79", "command") == 0

    # The receipt: every event of the case names the node that vouched for its actor.
    events = [e for e in bus.decoded(bus.topics.case_events, "gbus.avro.CaseEvent") if e["case_id"] == case_id]
    assert {e["vouched_by"]["signer"] for e in events} == {"node:79"}
    assert events[-1]["vouched_by"]["source"].startswith(f"{bus.topics.commands}/")
    # Signed history: what the processor wrote carries its signature, and gbus trace says who signed and vouched.
    copy = bus.read(bus.topics.node("79"))[-1]
    assert dict(copy.headers)["gbus-signer"] == b"processor:p1"
    trace = gather_trace(bus.kafka, case_id, trust=TrustStore(bus.pki.root))
    assert trace.verified and [t.signed_by for t in trace.events] == ["processor:p1 (verified)"] * len(events)
    assert all(t.vouched_by.startswith("node:79 (") for t in trace.events)
    lines = render_trace(trace)
    assert any("signed by processor:p1 (verified); actor vouched for by node:79" in line for line in lines)


def test_only_an_operator_signed_tick_reaches_the_cases(signed_bus):
    bus = signed_bus
    running = bus.start_processor()
    operator = bus.writer(operator_signer(bus.pki))
    value = CODEC.encode("gbus.avro.Command", tick_record("79", T0))
    operator.send(bus.topics.commands, key=b"79", value=value, partition=bus.topics.partition_of_shard("79")).get(10)
    marker = case_report(request_id="after-tick")
    send_report(bus.writer(node_signer(bus.pki, "79")), bus, marker)
    wait_until(lambda: make_case_id("79", marker.report_id) in bus.latest_snapshots(), 30, "the report after the tick")
    assert forged(running, "operator", "tick") == 0 and dead_letter_reasons(bus) == []


def test_a_revoked_node_is_refused_within_the_reload_interval(signed_bus):
    bus = signed_bus
    running = bus.start_processor()
    node79 = bus.writer(node_signer(bus.pki, "79"))
    report = case_report()
    send_report(node79, bus, report)
    case_id = make_case_id("79", report.report_id)
    wait_until(lambda: case_id in bus.latest_snapshots(), 30, "the case")

    revoke(bus.pki.root, "79")
    time.sleep(RELOAD_S)  # the promise: refused once one reload interval has passed, no restart
    send_command(node79, bus, accept(case_id, "after-revocation", 1), reply_to="79")
    wait_until(lambda: forged(running, "79", "command") == 1, 30, "the revoked node's command refused")
    assert any("the certificate of node:79 is revoked" in r for r in dead_letter_reasons(bus))
    assert bus.latest_snapshots()[case_id]["version"] == 1

    # The revocation was a mistake: lifted, the dead letter replays with its original signature
    # (DeadLetter v2 keeps the headers) and is applied — `gbus dlq replay`, as an operator runs it.
    bus.pki.crl.unlink()
    time.sleep(RELOAD_S)
    env = dict(os.environ, GBUS__KAFKA__TOPIC_PREFIX=bus.prefix, GBUS__KAFKA__BOOTSTRAP_SERVERS=bus.bootstrap)
    replay = subprocess.run([sys.executable, "-m", "gbus.cli.main", "dlq", "replay", "--offset", "0"],
                            capture_output=True, text=True, timeout=120, env=env)  # fmt: skip
    assert replay.returncode == 0, replay.stderr
    wait_until(lambda: bus.latest_snapshots()[case_id]["version"] == 2, 30, "the replayed command applied")
