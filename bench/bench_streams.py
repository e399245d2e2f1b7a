"""Benchmark: unary latency at a node while 200 idle WatchCases streams are open (issue 10.4).

    .venv/bin/python bench/bench_streams.py [--streams 200] [--calls 2000] [--bootstrap HOST:PORT]

What runs: a Kafka broker (started here unless --bootstrap is given), the case
processor and node 79 as separate processes (`gbus processor`, `gbus node`), as
in production. One report is submitted and routed; then GetCase of that case is
called `--calls` times, one after another, by its origin agency:

- baseline, measured first in the same run: no stream open;
- then with `--streams` idle WatchCases streams open, spread over 20 other
  agencies (the per-agency limit is 32), each agency on a connection of its own.

Printed: p50/p99/max of GetCase for both, and whether the p99 target (< 100 ms
with 200 streams) is met. Before the stream pool, 16 idle streams took all 16
gRPC workers and GetCase did not answer at all.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gbus.config import KafkaSettings
from gbus.devrun.supervisor import Supervisor
from gbus.kafka_io.admin import ensure_topics
from gbus.topics import Topics, topic_specs
from gbus.v1 import case_pb2, case_pb2_grpc, intake_pb2, intake_pb2_grpc, report_pb2
from gbus.wire.protobuf import timestamp

ORIGIN = "front.mttq@79.25747"
WATCHERS = [f"{role}@79" for role in (
    "gov.ubnd", "gov.thanhtra", "gov.so-nnmt", "gov.so-xd", "gov.so-yt", "gov.so-gddt", "gov.so-nv", "gov.ca",
    "party.tu", "party.bdv", "party.ubkt", "front.mttq", "union.ldld", "union.hnd", "union.hlhpn", "union.doantn",
    "union.hccb")] + ["gov.ubnd@79.26734", "gov.ubnd@79.26737", "gov.ubnd@79.26740"]  # fmt: skip
P99_TARGET_S = 0.100


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def submit_and_find_case(address: str) -> str:
    channel = grpc.insecure_channel(address)
    report = report_pb2.Report(
        kind="phan_anh", category="moi_truong", channel="mttq", province_code="79", ward_code="25747",
        title="Rác thải tồn đọng hẻm 12 Lê Lợi", description="Rác không được thu gom ba ngày, bốc mùi.",
        submitted_at=timestamp(datetime.now(UTC)), origin_agency=ORIGIN,
        request_id=f"bench-{uuid.uuid4().hex[:8]}", reporter=report_pb2.Reporter(anonymous=True),
    )  # fmt: skip
    intake_pb2_grpc.IntakeServiceStub(channel).SubmitReport(
        intake_pb2.SubmitReportRequest(report=report),
        metadata=(("x-agency-id", ORIGIN),),
        timeout=30,
    )
    cases = case_pb2_grpc.CaseServiceStub(channel)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listing = cases.ListCases(
            case_pb2.ListCasesRequest(role=case_pb2.CASE_ROLE_ORIGIN),
            metadata=(("x-agency-id", ORIGIN),),
            timeout=10,
        )
        if listing.cases:
            return listing.cases[0].case_id
        time.sleep(0.2)
    raise SystemExit("the submitted report did not become a case at the node within 60 s")


def get_case_latencies(address: str, case_id: str, calls: int) -> list[float]:
    stub = case_pb2_grpc.CaseServiceStub(grpc.insecure_channel(address))
    request = case_pb2.GetCaseRequest(case_id=case_id)
    metadata = (("x-agency-id", ORIGIN),)
    for _ in range(50):  # warm the channel and the node's caches
        stub.GetCase(request, metadata=metadata, timeout=5)
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        stub.GetCase(request, metadata=metadata, timeout=5)
        out.append(time.perf_counter() - started)
    return out


def open_idle_streams(address: str, count: int) -> list[grpc.Future]:
    calls = []
    per_agency = -(-count // len(WATCHERS))
    for agency in WATCHERS:
        stub = case_pb2_grpc.CaseServiceStub(grpc.insecure_channel(address))
        for _ in range(min(per_agency, count - len(calls))):
            calls.append(stub.WatchCases(case_pb2.WatchCasesRequest(), metadata=(("x-agency-id", agency),)))
    return calls


def open_streams_at(metrics_url: str) -> float:
    import urllib.request

    text = urllib.request.urlopen(metrics_url, timeout=5).read().decode()
    return next(
        (float(line.split()[-1]) for line in text.splitlines() if line.startswith("gbus_grpc_open_streams ")),
        0.0,
    )


def line(label: str, lat: list[float]) -> str:
    return (f"{label:<28} p50 {pct(lat, 50) * 1000:6.2f} ms   p99 {pct(lat, 99) * 1000:6.2f} ms   "
            f"max {max(lat) * 1000:6.2f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--bootstrap", help="use this broker instead of starting one")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gbus-bench-streams-"))
    cluster = None
    if args.bootstrap:
        bootstrap = args.bootstrap
    else:
        from gbus.kafka_harness import KafkaCluster

        cluster = KafkaCluster(work / "kafka", brokers=1).start()
        bootstrap = cluster.bootstrap_servers
    prefix, partitions = f"bench-{uuid.uuid4().hex[:8]}.", 4
    ensure_topics(KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=prefix, partitions=partitions),
                  topic_specs(Topics(prefix, partitions)))  # fmt: skip
    supervisor = Supervisor(work, env={"GBUS__KAFKA__TOPIC_PREFIX": prefix, "GBUS__KAFKA__PARTITIONS": str(partitions),
                                       "GBUS__LOGGING__LEVEL": "WARNING"})  # fmt: skip
    streams: list[grpc.Future] = []
    try:
        common = ["--bootstrap", bootstrap, "--metrics-listen", "127.0.0.1:0"]
        supervisor.spawn("processor", "processor", "*", ["processor", *common, "--data-dir", str(work / "p"),
                         "--instance-id", "bench", "--group-id", f"{prefix}processor"],
                         re.compile(r"processor (?P<i>\S+) .*metrics=(?P<metrics>\S+)"))  # fmt: skip
        node = supervisor.spawn("node-79", "node", "79", ["node", "--area", "79", *common, "--grpc-listen", "127.0.0.1:0",
                                "--data-dir", str(work / "n")], re.compile(r"node 79 grpc=(?P<grpc>\S+) metrics=(?P<metrics>\S+)"))  # fmt: skip
        address, metrics_url = node.ready["grpc"], node.ready["metrics"]
        case_id = submit_and_find_case(address)
        print(f"node 79 at {address}; GetCase {case_id} x{args.calls} by {ORIGIN}")

        baseline = get_case_latencies(address, case_id, args.calls)
        print(line("baseline, 0 streams", baseline))

        streams = open_idle_streams(address, args.streams)
        deadline = time.monotonic() + 60
        while open_streams_at(metrics_url) < args.streams and time.monotonic() < deadline:
            time.sleep(0.2)
        held = open_streams_at(metrics_url)
        loaded = get_case_latencies(address, case_id, args.calls)
        print(line(f"{held:.0f} idle streams open", loaded))
        health = health_pb2_grpc.HealthStub(grpc.insecure_channel(address))
        started = time.perf_counter()
        health.Check(health_pb2.HealthCheckRequest(), timeout=5)
        print(f"{'health check, streams open':<28} {(time.perf_counter() - started) * 1000:6.2f} ms")

        met = held >= args.streams and pct(loaded, 99) < P99_TARGET_S
        print(
            f"target: p99 < {P99_TARGET_S * 1000:.0f} ms with {args.streams} idle streams: {'met' if met else 'NOT met'}"
        )
        if not met:
            raise SystemExit(1)
    finally:
        for call in streams:
            call.cancel()
        supervisor.stop_all()
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
