"""`gbus trace` and `gbus dlq` against records written to a real broker under a test topic prefix."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from gbus.domain.status import CaseStatus
from gbus.wire.avro_records import event_record, report_record
from support.cases import case_report, copy_bytes, opened, with_status
from support.node_harness import CODEC, Bus

pytestmark = pytest.mark.integration


@pytest.fixture
def bus(kafka_bootstrap):
    b = Bus(kafka_bootstrap, all_areas=False)
    yield b
    b.close()


def gbus(bus: Bus, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, GBUS__KAFKA__TOPIC_PREFIX=bus.prefix, GBUS__KAFKA__BOOTSTRAP_SERVERS=bus.bootstrap)
    return subprocess.run(
        [sys.executable, "-m", "gbus.cli.main", *args], capture_output=True, text=True, timeout=120, env=env
    )


def write_case(bus: Bus, router, request_id: str, *, forge_seq: int | None = None):
    """A real case history (opened, accepted, in progress) in case-events, and its copy on node.79."""
    state, history = opened(router, request_id)
    state, history = with_status(state, history, CaseStatus.ACCEPTED)
    state, history = with_status(state, history, CaseStatus.IN_PROGRESS)
    written = list(history)
    if forge_seq is not None:
        real = written[forge_seq - 1]
        # The forger rewrites who accepted the case but cannot produce a matching hash.
        written[forge_seq - 1] = dataclasses.replace(real, actor="gov.ubnd@79", at=real.at.replace(year=2025))
    partition = bus.topics.partition_of_shard(state.shard)
    key = state.case_id.encode()
    for event in written:
        bus.produce(
            bus.topics.case_events,
            CODEC.encode("gbus.avro.CaseEvent", event_record(event)),
            key=key,
            partition=partition,
        )
    bus.produce(bus.topics.node("79"), copy_bytes(CODEC, state, history, area="79"), key=key)
    return state, history


def test_trace_verifies_an_intact_history_and_shows_which_node_holds_which_version(bus, router):
    state, history = write_case(bus, router, "trace-ok")
    done = gbus(bus, "trace", state.case_id, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    trace = json.loads(done.stdout)
    assert trace["verified"] and [e["seq"] for e in trace["events"]] == [e.seq for e in history]
    assert [(n["area"], n["version"], n["freshness"]) for n in trace["nodes"]] == [("79", state.version, "current")]


def test_trace_names_a_forged_event_and_exits_1(bus, router):
    state, history = write_case(bus, router, "trace-forged", forge_seq=3)
    forged = history[2]
    done = gbus(bus, "trace", state.case_id)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "HASH CHAIN BROKEN: 1 problem(s)" in done.stdout
    assert f"event {forged.event_id} (seq 3, offset 2): content does not match its hash (altered)" in done.stdout
    # The node's copy carries the genuine history, which the log no longer matches.
    assert "its history differs from the case-events log" in done.stdout


def test_trace_of_an_unknown_case_exits_4_and_a_malformed_id_is_a_usage_error(bus):
    assert gbus(bus, "trace", "79-doesnotexist00").returncode == 4
    bad = gbus(bus, "trace", "not-a-case")
    assert bad.returncode == 2 and "not a case id" in bad.stderr


def dead_letter(bus: Bus, value: bytes | None, *, partition: int, offset: int, key: bytes) -> bytes:
    return CODEC.encode("gbus.avro.DeadLetter", {
        "source_topic": bus.topics.reports, "partition": partition, "offset": offset, "key": key, "value": value,
        "error_type": "UnroutableError", "reason": "no handler for ward 99999", "consumer": "g/p1",
        "failed_at": datetime.now(timezone.utc),
    })  # fmt: skip


def test_dlq_lists_dead_letters_and_replays_the_original_record_to_its_partition(bus):
    report = case_report("dlq-1").report
    original = CODEC.encode(
        "gbus.avro.Report", report_record(report, shard="79", accepted_at=datetime.now(timezone.utc), accepted_by="79")
    )
    partition = bus.topics.partition_of_shard("79")
    bus.produce(
        bus.topics.dead_letters, dead_letter(bus, original, partition=partition, offset=41, key=b"79"), key=b"r"
    )
    bus.produce(
        bus.topics.dead_letters, dead_letter(bus, b"\x00garbage", partition=partition, offset=42, key=b"79"), key=b"r"
    )

    listed = gbus(bus, "dlq", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)["dead_letters"]
    assert [(r["dlq_offset"], r["offset"], r["error_type"], r["size"]) for r in rows] == [
        (0, 41, "UnroutableError", len(original)), (1, 42, "UnroutableError", 8)]  # fmt: skip
    assert rows[0]["decodes_as"].startswith("gbus.avro.Report") and rows[1]["decode_error"]
    text = gbus(bus, "dlq", "list").stdout
    assert f"{bus.topics.reports}[{partition}]@41" in text and "no handler for ward 99999" in text

    dry = gbus(bus, "dlq", "replay", "--offset", "0", "--dry-run")
    assert dry.returncode == 0 and "would replay dead letter 0" in dry.stdout
    assert bus.read_all(bus.topics.reports, idle_s=0.5) == []

    replayed = gbus(bus, "dlq", "replay", "--offset", "0")
    assert replayed.returncode == 0, replayed.stderr
    [record] = bus.read_all(bus.topics.reports, expect=1)
    assert (record.partition, record.key, record.value) == (partition, b"79", original)

    everything = gbus(bus, "dlq", "replay", "--all", "--json")
    assert everything.returncode == 3, "exit 3: the undecodable one was skipped"
    result = json.loads(everything.stdout)
    assert [r["dlq_offset"] for r in result["replayed"]] == [0] and "does not decode" in result["skipped"][0]["why"]
    assert gbus(bus, "dlq", "replay", "--offset", "7").returncode == 2


def test_status_fails_with_exit_1_and_one_line_when_kafka_cannot_be_reached():
    done = subprocess.run([sys.executable, "-m", "gbus.cli.main", "status", "--bootstrap", "127.0.0.1:1", "--timeout", "3"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1 and "gbus: error: cannot reach Kafka at 127.0.0.1:1" in done.stderr
