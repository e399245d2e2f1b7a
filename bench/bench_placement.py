"""Benchmark: what answering with the placement costs a caller (issue 12.2).

SubmitReport now waits for the case processor's verdict (case id, decision,
handler) before it answers. This measures, on one broker, sequential unary
SubmitReport calls of distinct reports at node 79:

- answered with the placement (the default: wait up to 3 s for the verdict);
- baseline from the same run: the same calls at a second node whose placement
  wait is 0, i.e. answered as soon as Kafka acknowledged the record (what the
  bus answered before), with the same processor running behind it.

    B=$(.venv/bin/gbus kafka up --data-dir var/kafka-bench --port 0 --fresh | tail -n1)
    .venv/bin/python bench/bench_placement.py --bootstrap $B [--reports 200]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone

import grpc

from gbus.config import KafkaSettings, NodeSettings, ProcessorSettings, Settings
from gbus.kafka_io.admin import ensure_topics
from gbus.node.app import NodeApp
from gbus.observability.logging import configure_logging
from gbus.observability.metrics import Metrics
from gbus.processor.bootstrap import build_processor
from gbus.routing import Router
from gbus.topics import Topics, node_areas, topic_specs
from gbus.v1 import intake_pb2, intake_pb2_grpc, report_pb2
from gbus.wire.protobuf import timestamp

ORIGIN = "gov.ubnd@79"
STREETS = ["Lê Lợi", "Nguyễn Huệ", "Pasteur", "Hai Bà Trưng", "Điện Biên Phủ", "Võ Văn Tần", "Lý Tự Trọng"]


def report(i: int, run: str) -> report_pb2.Report:
    street = STREETS[i % len(STREETS)]
    return report_pb2.Report(
        kind="phan_anh", category="ha_tang_giao_thong", channel="hotline_1022", province_code="79", ward_code="26743",
        title=f"Ổ gà số {i} đường {street}", description=f"Mặt đường {street} trước nhà số {i * 7 + 3} có ổ gà sâu {i % 30 + 5}cm.",
        submitted_at=timestamp(datetime.now(timezone.utc)), origin_agency=ORIGIN, request_id=f"bench-{run}-{i}",
        reporter=report_pb2.Reporter(anonymous=True),
    )  # fmt: skip


def latencies(address: str, run: str, count: int) -> tuple[list[float], int]:
    channel = grpc.insecure_channel(address)
    stub = intake_pb2_grpc.IntakeServiceStub(channel)
    out, placed = [], 0
    for i in range(count):
        began = time.perf_counter()
        reply = stub.SubmitReport(
            intake_pb2.SubmitReportRequest(report=report(i, run)), metadata=(("x-agency-id", ORIGIN),), timeout=30
        )
        out.append((time.perf_counter() - began) * 1000)
        placed += reply.placement.placed
    channel.close()
    return out, placed


def summary(name: str, ms: list[float], placed: int) -> str:
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"{name:<34} p50 {statistics.median(ms):6.1f} ms  p99 {p99:6.1f} ms  placed {placed}/{len(ms)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True, help="a running broker (gbus kafka up)")
    parser.add_argument("--reports", type=int, default=200)
    args = parser.parse_args()
    configure_logging("WARNING", "console", process="bench")

    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    kafka = KafkaSettings(bootstrap_servers=args.bootstrap, topic_prefix=prefix, partitions=4)
    ensure_topics(kafka, topic_specs(Topics(prefix, 4), areas=node_areas()))
    router = Router.default()
    work = tempfile.mkdtemp(prefix="gbus-bench-placement-")
    processor = build_processor(Settings(kafka=kafka, processor=ProcessorSettings(group_id=f"g-{prefix}", instance_id="p1")),
                                in_memory=True, router=router, metrics=Metrics())  # fmt: skip
    processor.start()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: processor.run(stop, poll_timeout_ms=50), daemon=True)
    thread.start()
    while not processor.ready_partitions:
        time.sleep(0.1)

    def node(area: str, wait_s: float) -> NodeApp:
        settings = Settings(kafka=kafka, node=NodeSettings(area=area, data_dir=work))
        settings = dataclasses.replace(settings, node=dataclasses.replace(settings.node, placement_wait_s=wait_s))
        return NodeApp(settings, router=router).start()

    waiting, baseline = node("79", 3.0), node("01", 0.0)
    try:
        latencies(waiting.grpc_address, "warm", 20)  # first transactions and connections
        placed_ms, placed = latencies(waiting.grpc_address, "placed", args.reports)
        acked_ms, acked = latencies(baseline.grpc_address, "acked", args.reports)
        print(f"{args.reports} sequential SubmitReport calls of distinct reports:")
        print(summary("answered with the placement", placed_ms, placed))
        print(summary("baseline: answered at the Kafka ack", acked_ms, acked))
    finally:
        waiting.stop(0)
        baseline.stop(0)
        stop.set()
        thread.join(30)
        processor.close()


if __name__ == "__main__":
    main()
