"""Benchmark: the bus end to end — reports/s from submit until the case is at the node, and
latency percentiles at a fixed moderate rate — next to plain kafka-python on the same broker.

    .venv/bin/python bench/bench_e2e.py [--reports 3000] [--rate 100] [--seconds 20] [--bootstrap HOST:PORT]

Targets (issue 5): >= 1,000 reports/s end to end on this 2-core machine (broker included);
p99 < 250 ms at 100 reports/s.

What runs: a Kafka broker (started here on free ports unless --bootstrap is given), one
`gbus processor` and one `gbus node --area 79` as separate processes, exactly as `make run`
starts them. The load generator submits through the node's public gRPC API
(SubmitReports streams for throughput, unary SubmitReport paced for latency) and sees the
cases arrive through WatchCases as the origin system (every report comes from the
province hotline `gov.ubnd@79`, so the origin's node is the handler's node, 79).

Baseline, measured in the same run on the same broker: plain kafka-python producing the
same Avro-encoded Report records (acks=all) and one consumer reading them back — what a bus
that did nothing between submit and delivery would achieve here.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import grpc
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from gbus.codec import AvroCodec
from gbus.config import KafkaSettings
from gbus.devrun.sample_flow import report_message
from gbus.devrun.supervisor import Supervisor
from gbus.directory import Directory
from gbus.domain.report_fields import report_from_mapping
from gbus.kafka_io.admin import ensure_topics
from gbus.topics import Topics, TopicSpec, topic_specs
from gbus.v1 import case_pb2, case_pb2_grpc, intake_pb2, intake_pb2_grpc
from gbus.wire.avro_records import report_record

ORIGIN = "gov.ubnd@79"
STREETS = ["Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Pasteur", "Điện Biên Phủ", "Cách Mạng Tháng Tám", "Võ Văn Tần",
           "Lý Tự Trọng", "Nam Kỳ Khởi Nghĩa", "Trần Hưng Đạo", "Nguyễn Trãi", "Huỳnh Tấn Phát"]  # fmt: skip
TEMPLATES = [
    ("ha_tang_giao_thong", "Ổ gà lớn trên đường {street} số {n}", "Mặt đường {street} trước nhà số {n} có ổ gà sâu {d}cm, xe máy té ngã nhiều lần."),
    ("moi_truong", "Rác thải tồn đọng hẻm {n} {street}", "Rác thải sinh hoạt ở hẻm {n} đường {street} không được thu gom {d} ngày, bốc mùi hôi."),
    ("trat_tu_do_thi", "Lấn chiếm vỉa hè số {n} {street}", "Hộ kinh doanh số {n} đường {street} bày hàng kín vỉa hè dài {d}m, người đi bộ phải xuống lòng đường."),
    ("dien_nuoc", "Mất nước sinh hoạt khu vực {street}", "Khu dân cư quanh số {n} đường {street} mất nước {d} ngày liên tục chưa có thông báo."),
    ("an_ninh_trat_tu", "Tụ tập đua xe đường {street}", "Thanh niên tụ tập đua xe trên đường {street} đoạn số {n} lúc {d} giờ đêm."),
]  # fmt: skip


def make_lines(count: int, wards: list[str], seed: int) -> list[dict]:
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        category, title, body = rng.choice(TEMPLATES)
        street, n, d = rng.choice(STREETS), rng.randint(1, 999), rng.randint(2, 60)
        lines.append({
            "kind": "phan_anh", "category": category, "channel": "hotline_1022", "province_code": "79",
            "ward_code": rng.choice(wards), "title": title.format(street=street, n=n, d=d),
            "description": body.format(street=street, n=n, d=d), "origin_agency": ORIGIN,
            "submitted_at": datetime.now(timezone.utc).isoformat(), "request_id": f"bench-{seed}-{i}",
            "reporter": {"name": "Người dân", "phone": f"09{rng.randint(10_000_000, 99_999_999)}"},
        })  # fmt: skip
    return lines


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# -- baseline -----------------------------------------------------------------


def baseline(bootstrap: str, prefix: str, lines: list[dict], rate: float, seconds: float) -> tuple[float, list[float]]:
    """Plain produce (acks=all) + consume of the same Avro records; throughput and paced latency."""
    codec = AvroCodec()
    topic = f"{prefix}baseline"
    ensure_topics(KafkaSettings(bootstrap_servers=bootstrap), [TopicSpec(topic, 1, {})])
    now = datetime.now(timezone.utc)
    payloads = [
        codec.encode("gbus.avro.Report", report_record(report_from_mapping(line, report_id=line["request_id"]), shard="79",
                                                        accepted_at=now, accepted_by="79"))
        for line in lines
    ]  # fmt: skip
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, auto_offset_reset="latest"
    )
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_end(tp)
    consumer.position(tp)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    arrived: dict[bytes, float] = {}
    done = threading.Event()

    def read(expected: int) -> None:
        while len(arrived) < expected and not done.is_set():
            for batch in consumer.poll(timeout_ms=100).values():
                for m in batch:
                    arrived.setdefault(m.key, time.perf_counter())

    reader = threading.Thread(target=read, args=(len(payloads),), daemon=True)
    reader.start()
    start = time.perf_counter()
    for i, p in enumerate(payloads):
        producer.send(topic, key=str(i).encode(), value=p)
    producer.flush()
    reader.join(120)
    throughput = len(arrived) / (max(arrived.values()) - start)

    # Paced latency.
    arrived.clear()
    sent: dict[bytes, float] = {}
    total = int(rate * seconds)
    reader = threading.Thread(target=read, args=(total,), daemon=True)
    reader.start()
    t0 = time.perf_counter()
    for i in range(total):
        due = t0 + i / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        key = f"lat-{i}".encode()
        sent[key] = time.perf_counter()
        producer.send(topic, key=key, value=payloads[i % len(payloads)]).get(timeout=10)
    reader.join(30)
    done.set()
    producer.close()
    consumer.close()
    return throughput, [arrived[k] - sent[k] for k in sent if k in arrived]


# -- the bus ------------------------------------------------------------------


class Arrivals:
    """Report ids seen in WatchCases changes at the node, with the first time each was seen."""

    def __init__(self, address: str) -> None:
        self.seen: dict[str, float] = {}
        self._cond = threading.Condition()
        self._channel = grpc.insecure_channel(address)
        stub = case_pb2_grpc.CaseServiceStub(self._channel)
        self._call = stub.WatchCases(case_pb2.WatchCasesRequest(), metadata=(("x-agency-id", ORIGIN),))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for change in self._call:
                now = time.perf_counter()
                with self._cond:
                    for r in change.case.reports:
                        self.seen.setdefault(r.report_id, now)
                    self._cond.notify_all()
        except grpc.RpcError:
            pass

    def wait_for(self, ids: set[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not ids <= self.seen.keys():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 1.0))
        return True

    def close(self) -> None:
        self._call.cancel()
        self._channel.close()


def bus_throughput(address: str, lines: list[dict], arrivals: Arrivals, streams: int = 4) -> tuple[float, int]:
    stub = intake_pb2_grpc.IntakeServiceStub(grpc.insecure_channel(address))
    ids: set[str] = set()
    lock = threading.Lock()

    def send(chunk: list[dict]) -> None:
        reply = stub.SubmitReports(
            (intake_pb2.SubmitReportsRequest(report=report_message(line)) for line in chunk),
            metadata=(("x-agency-id", ORIGIN),), timeout=300,
        )  # fmt: skip
        with lock:
            ids.update(o.report_id for o in reply.outcomes if o.report_id)

    start = time.perf_counter()
    chunks = [lines[i::streams] for i in range(streams)]
    threads = [threading.Thread(target=send, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    submitted = time.perf_counter()
    arrivals.wait_for(ids, timeout=600)
    got = [arrivals.seen[i] for i in ids if i in arrivals.seen]
    elapsed = max(got) - start
    print(f"   submitted {len(ids)} in {submitted - start:.1f} s; all at the node after {elapsed:.1f} s")
    return len(got) / elapsed, len(ids) - len(got)


def bus_latency(address: str, lines: list[dict], arrivals: Arrivals, rate: float) -> list[float]:
    channel = grpc.insecure_channel(address)
    stub = intake_pb2_grpc.IntakeServiceStub(channel)
    sent: dict[str, float] = {}
    t0 = time.perf_counter()
    for i, line in enumerate(lines):
        due = t0 + i / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        began = time.perf_counter()
        reply = stub.SubmitReport(intake_pb2.SubmitReportRequest(report=report_message(line)),
                                  metadata=(("x-agency-id", ORIGIN),), timeout=30)  # fmt: skip
        sent[reply.report_id] = began
    arrivals.wait_for(set(sent), timeout=60)
    channel.close()
    return [arrivals.seen[r] - t for r, t in sent.items() if r in arrivals.seen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=3000, help="reports for the throughput run")
    parser.add_argument("--rate", type=float, default=100.0, help="reports/s for the latency run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the latency run")
    parser.add_argument("--bootstrap", help="use this broker instead of starting one")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    wards = [w.code for w in Directory.default().wards_of("79")]
    work = Path(tempfile.mkdtemp(prefix="gbus-bench-"))
    cluster = None
    if args.bootstrap:
        bootstrap = args.bootstrap
    else:
        from gbus.kafka_harness import KafkaCluster

        cluster = KafkaCluster(work / "kafka", brokers=1).start()
        bootstrap = cluster.bootstrap_servers
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    partitions = 8
    kafka = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=prefix, partitions=partitions)
    ensure_topics(kafka, topic_specs(Topics(prefix, partitions)))  # the processor writes to every node topic
    # Placement wait 0: a submit is answered at the Kafka ack, as before placement answers existed.
    # This bench times submit -> case at the node through WatchCases; a submit that also waited
    # for its placement would hold one paced sender per report for that long instead.
    supervisor = Supervisor(work, env={"GBUS__KAFKA__TOPIC_PREFIX": prefix, "GBUS__KAFKA__PARTITIONS": str(partitions),
                                       "GBUS__LOGGING__LEVEL": "WARNING", "GBUS__NODE__PLACEMENT_WAIT_S": "0"})  # fmt: skip
    try:
        print(f"broker {bootstrap}; topics {prefix}*; processor and node 79 as separate processes")
        common = ["--bootstrap", bootstrap, "--metrics-listen", "127.0.0.1:0"]
        supervisor.spawn("processor", "processor", "*", ["processor", *common, "--data-dir", str(work / "p"),
                         "--instance-id", "bench", "--group-id", f"{prefix}processor"],
                         re.compile(r"processor (?P<i>\S+) .*metrics=(?P<metrics>\S+)"))  # fmt: skip
        node = supervisor.spawn("node-79", "node", "79", ["node", "--area", "79", *common, "--grpc-listen", "127.0.0.1:0",
                                "--data-dir", str(work / "n")], re.compile(r"node 79 grpc=(?P<grpc>\S+) metrics=(?P<metrics>\S+)"))  # fmt: skip
        address = node.ready["grpc"]
        arrivals = Arrivals(address)

        print("== baseline: plain kafka-python, same Avro records, same broker")
        base_lines = make_lines(args.reports, wards, args.seed + 1)
        base_tput, base_lat = baseline(bootstrap, prefix, base_lines, args.rate, args.seconds)
        print(f"   throughput {base_tput:,.0f} records/s; at {args.rate:.0f}/s p50 {pct(base_lat, 50) * 1000:.1f} ms "
              f"p99 {pct(base_lat, 99) * 1000:.1f} ms")  # fmt: skip

        print(f"== the bus: {args.reports} reports, submit -> case at the node (SubmitReports streams)")
        warm = make_lines(200, wards, args.seed + 2)
        bus_throughput(address, warm, arrivals)  # first transactions, metadata, JIT of caches
        tput, missing = bus_throughput(address, make_lines(args.reports, wards, args.seed), arrivals)
        print(f"   throughput {tput:,.0f} reports/s end to end ({missing} missing)")

        total = int(args.rate * args.seconds)
        print(f"== the bus: {total} reports at {args.rate:.0f}/s, submit -> case at the node")
        lat = bus_latency(address, make_lines(total, wards, args.seed + 3), arrivals, args.rate)
        print(f"   latency p50 {pct(lat, 50) * 1000:.1f} ms, p95 {pct(lat, 95) * 1000:.1f} ms, "
              f"p99 {pct(lat, 99) * 1000:.1f} ms, max {max(lat) * 1000:.1f} ms ({total - len(lat)} missing)")  # fmt: skip
        arrivals.close()

        print("== summary")
        print(f"   end-to-end throughput  {tput:8,.0f} reports/s   baseline {base_tput:8,.0f}/s   ratio {tput / base_tput:.2f}"
              f"   target >= 1,000/s: {'met' if tput >= 1000 else 'NOT met'}")  # fmt: skip
        print(f"   p99 latency at {args.rate:.0f}/s  {pct(lat, 99) * 1000:8.1f} ms        baseline {pct(base_lat, 99) * 1000:8.1f} ms   "
              f"ratio {pct(lat, 99) / pct(base_lat, 99):.1f}   target < 250 ms: {'met' if pct(lat, 99) < 0.25 else 'NOT met'}")  # fmt: skip
        print(
            f"   median latency         {statistics.median(lat) * 1000:8.1f} ms        baseline {statistics.median(base_lat) * 1000:8.1f} ms"
        )
    finally:
        supervisor.stop_all()
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
