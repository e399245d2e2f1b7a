"""Benchmark: the bus end to end — reports/s from submit until the case is at the node, and
latency percentiles at a fixed moderate rate — next to plain kafka-python on the same broker.

    .venv/bin/python bench/bench_e2e.py [--reports 3000] [--rate 100] [--seconds 20] [--bootstrap HOST:PORT]
                                        [--processors 1 2] [--shards N]

Targets (issue 13): one shard >= 1,500 reports/s end to end on this 2-core machine (broker
included), ratio >= 0.15 to the kafka-python baseline of the same run; p99 < 100 ms at 100
reports/s; two processors on two shards >= 1.6x one processor where the cores allow it.

What runs: a Kafka broker (started here on free ports unless --bootstrap is given), the
`gbus processor`s and one `gbus node --area 79` as separate processes, exactly as `make run`
starts them. The load generator submits through the node's public gRPC API
(SubmitReports streams for throughput, unary SubmitReport paced for latency) and sees the
cases arrive through WatchCases as the origin system (every report comes from the
province hotline `gov.ubnd@79`, so the origin's node receives every case).

`--processors 1 2` measures each count in turn on a fresh bus (new topics, new group, new
node) with the same workload, spread over `--shards` shards (default: the largest count):
79 (HCM, partition 4 of 8) and 01 (Hanoi, partition 1), which range assignment gives to
different members of a two-processor group. Each run prints the CPU each process spent per
report in the throughput phase (the processing thread of a processor apart), so the summary
can say what limited it.

Baseline, measured in the same run on the same broker: plain kafka-python producing the
same Avro-encoded Report records (acks=all) and one consumer reading them back — what a bus
that did nothing between submit and delivery would achieve here.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
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
from gbus.topics import Topics, TopicSpec, all_shards, topic_specs
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


# Shards of the workload in order: 79 is partition 4 of 8, 01 partition 1, so a group of two
# processors (range assignment: partitions 0-3 and 4-7) gives them to different members.
SHARDS = ("79", "01")


def make_lines(count: int, wards: list[str] | dict[str, list[str]], seed: int) -> list[dict]:
    """`wards`: of province 79, or per province (the reports then take turns)."""
    rng = random.Random(seed)
    by_province = wards if isinstance(wards, dict) else {"79": wards}
    provinces = list(by_province)
    lines = []
    for i in range(count):
        province = provinces[i % len(provinces)]
        category, title, body = rng.choice(TEMPLATES)
        street, n, d = rng.choice(STREETS), rng.randint(1, 999), rng.randint(2, 60)
        lines.append({
            "kind": "phan_anh", "category": category, "channel": "hotline_1022", "province_code": province,
            "ward_code": rng.choice(by_province[province]), "title": title.format(street=street, n=n, d=d),
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


def submit_streams(address: str, lines: list[dict], streams: int = 4) -> set[str]:
    """Submit the lines over `streams` concurrent SubmitReports streams; the accepted report ids."""
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

    chunks = [lines[i::streams] for i in range(streams)]
    threads = [threading.Thread(target=send, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ids


def bus_throughput(address: str, lines: list[dict], arrivals: Arrivals, streams: int = 4) -> tuple[float, int]:
    start = time.perf_counter()
    ids = submit_streams(address, lines, streams)
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


# -- what each process spent ------------------------------------------------------


def _cpu_s(pid: int, tid: int | None = None) -> float:
    """utime + stime of a process (or one of its threads) in seconds; 0 if it is gone."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    try:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds per named process between start() and stop(); a processor's main thread apart."""

    def __init__(self, pids: dict[str, int], main_threads: tuple[str, ...] = ()) -> None:
        self._pids = pids
        self._main = main_threads
        self._t0: dict[str, float] = {}
        self.spent: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        now = {name: _cpu_s(pid) for name, pid in self._pids.items()}
        now.update({f"{name} (processing thread)": _cpu_s(self._pids[name], self._pids[name]) for name in self._main})
        now["load generator (this process)"] = time.process_time()
        return now

    def start(self) -> None:
        self._t0 = self._now()

    def stop(self) -> None:
        now = self._now()
        self.spent = {name: now[name] - self._t0[name] for name in now}


def owned_shards(metrics_url: str) -> float:
    try:
        with urllib.request.urlopen(metrics_url, timeout=5) as reply:
            text = reply.read().decode()
    except OSError:
        return 0.0
    match = re.search(r"^gbus_processor_owned_shards (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


def await_assignment(urls: list[str], timeout: float = 120.0) -> None:
    """Until every processor owns shards and together they own all of them (the group settled)."""
    total = len(all_shards())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        owned = [owned_shards(u) for u in urls]
        if all(o > 0 for o in owned) and sum(owned) == total:
            return
        time.sleep(0.5)
    raise RuntimeError(f"the processors did not settle on an assignment in {timeout:.0f} s: {owned}")


# -- one bus ------------------------------------------------------------------------


@dataclass
class BusResult:
    processors: int
    shards: int
    throughput: float
    missing: int
    latency: list[float]
    lat_missing: int
    cpu: dict[str, float]
    reports: int


def run_bus(bootstrap: str, count: int, args: argparse.Namespace, wards: dict[str, list[str]], work: Path) -> BusResult:
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    partitions = 8
    kafka = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=prefix, partitions=partitions)
    ensure_topics(kafka, topic_specs(Topics(prefix, partitions)))  # the processor writes to every node topic
    # Placement wait 0: a submit is answered at the Kafka ack, as before placement answers existed.
    # This bench times submit -> case at the node through WatchCases; a submit that also waited
    # for its placement would hold one paced sender per report for that long instead.
    run_dir = work / f"p{count}-{prefix.strip('.')}"
    supervisor = Supervisor(run_dir, env={"GBUS__KAFKA__TOPIC_PREFIX": prefix, "GBUS__KAFKA__PARTITIONS": str(partitions),
                                          "GBUS__LOGGING__LEVEL": "WARNING", "GBUS__NODE__PLACEMENT_WAIT_S": "0"})  # fmt: skip
    try:
        common = ["--bootstrap", bootstrap, "--metrics-listen", "127.0.0.1:0"]
        ready = re.compile(r"processor (?P<i>\S+) .*metrics=(?P<metrics>\S+)")
        procs = []
        for i in range(1, count + 1):
            argv = ["processor", *common, "--data-dir", str(run_dir / f"p{i}"), "--instance-id", f"bench-{i}",
                    "--group-id", f"{prefix}processor"]  # fmt: skip
            procs.append(supervisor.spawn(f"processor-{i}", "processor", "*", argv, ready))
        node = supervisor.spawn("node-79", "node", "79", ["node", "--area", "79", *common, "--grpc-listen", "127.0.0.1:0",
                                "--data-dir", str(run_dir / "n")], re.compile(r"node 79 grpc=(?P<grpc>\S+) metrics=(?P<metrics>\S+)"))  # fmt: skip
        await_assignment([p.ready["metrics"] for p in procs])
        address = node.ready["grpc"]
        arrivals = Arrivals(address)
        shards = ", ".join(wards)
        names = {f"processor-{i}": p.popen.pid for i, p in enumerate(procs, 1)}
        meter = CpuMeter({**names, "node 79": node.popen.pid, **({"broker": args.broker_pid} if args.broker_pid else {})},
                         main_threads=tuple(names))  # fmt: skip

        print(f"== {count} processor(s), shards {shards}: {args.reports} reports, submit -> case at the node")
        warm = make_lines(200, wards, args.seed + 2)
        bus_throughput(address, warm, arrivals)  # first transactions, metadata, JIT of caches
        meter.start()
        tput, missing = bus_throughput(address, make_lines(args.reports, wards, args.seed), arrivals)
        meter.stop()
        print(f"   throughput {tput:,.0f} reports/s end to end ({missing} missing)")
        print("   CPU per report in that phase: " + ", ".join(
            f"{name} {t / args.reports * 1000:.2f} ms" for name, t in meter.spent.items()))  # fmt: skip

        total = int(args.rate * args.seconds)
        lat: list[float] = []
        if total:
            print(f"== {count} processor(s): {total} reports at {args.rate:.0f}/s, submit -> case at the node")
            lat = bus_latency(address, make_lines(total, wards, args.seed + 3), arrivals, args.rate)
            if lat:
                print(f"   latency p50 {pct(lat, 50) * 1000:.1f} ms, p95 {pct(lat, 95) * 1000:.1f} ms, "
                      f"p99 {pct(lat, 99) * 1000:.1f} ms, max {max(lat) * 1000:.1f} ms ({total - len(lat)} missing)")  # fmt: skip
        arrivals.close()
        return BusResult(count, len(wards), tput, missing, lat, total - len(lat), meter.spent, args.reports)
    finally:
        supervisor.stop_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=3000, help="reports for the throughput run")
    parser.add_argument("--rate", type=float, default=100.0, help="reports/s for the latency run")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the latency run (0: none)")
    parser.add_argument("--bootstrap", help="use this broker instead of starting one")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--processors", type=int, nargs="+", default=[1],
                        help="processor counts to measure, each on a fresh bus (e.g. 1 2)")  # fmt: skip
    parser.add_argument("--shards", type=int, choices=range(1, len(SHARDS) + 1),
                        help=f"shards the load is spread over (of {', '.join(SHARDS)}; default: the largest count)")  # fmt: skip
    args = parser.parse_args()
    shards = args.shards or min(max(args.processors), len(SHARDS))
    directory = Directory.default()
    wards = {p: [w.code for w in directory.wards_of(p)] for p in SHARDS[:shards]}

    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores at start")
    work = Path(tempfile.mkdtemp(prefix="gbus-bench-"))
    cluster = None
    args.broker_pid = None
    if args.bootstrap:
        bootstrap = args.bootstrap
    else:
        from gbus.kafka_harness import KafkaCluster

        cluster = KafkaCluster(work / "kafka", brokers=1).start()
        bootstrap = cluster.bootstrap_servers
        args.broker_pid = cluster.pid(cluster.nodes[0].node_id)
    try:
        print(f"broker {bootstrap}; processors and node 79 as separate processes")
        print("== baseline: plain kafka-python, same Avro records, same broker")
        base_lines = make_lines(args.reports, wards, args.seed + 1)
        base_tput, base_lat = baseline(
            bootstrap, f"bench-{uuid.uuid4().hex[:8]}.", base_lines, args.rate, args.seconds or 5
        )
        print(f"   throughput {base_tput:,.0f} records/s; at {args.rate:.0f}/s p50 {pct(base_lat, 50) * 1000:.1f} ms "
              f"p99 {pct(base_lat, 99) * 1000:.1f} ms")  # fmt: skip
        results = [run_bus(bootstrap, n, args, wards, work) for n in args.processors]

        print(f"== summary (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end)")
        print(f"   baseline plain kafka-python {base_tput:8,.0f} records/s   p99 at {args.rate:.0f}/s "
              f"{pct(base_lat, 99) * 1000:.1f} ms   median {statistics.median(base_lat) * 1000:.1f} ms")  # fmt: skip
        for r in results:
            print(f"   {r.processors} processor(s), {r.shards} shard(s): {r.throughput:8,.0f} reports/s   "
                  f"ratio {r.throughput / base_tput:.3f}   target >= 1,500/s and >= 0.15: "
                  f"{'met' if r.throughput >= 1500 and r.throughput / base_tput >= 0.15 else 'NOT met'}")  # fmt: skip
            if r.latency:
                p99 = pct(r.latency, 99)
                print(f"      p99 latency at {args.rate:.0f}/s {p99 * 1000:8.1f} ms (baseline {pct(base_lat, 99) * 1000:.1f} ms, "
                      f"ratio {p99 / pct(base_lat, 99):.1f})   median {statistics.median(r.latency) * 1000:.1f} ms   "
                      f"target < 100 ms: {'met' if p99 < 0.1 else 'NOT met'}")  # fmt: skip
            busiest = max(r.cpu.items(), key=lambda kv: kv[1])
            print(f"      busiest: {busiest[0]}, {busiest[1] / r.reports * 1000:.2f} ms CPU per report")
        if len(results) > 1:
            one = next((r for r in results if r.processors == 1), results[0])
            for r in results:
                if r is not one:
                    print(f"   {r.processors} processors vs {one.processors}: {r.throughput / one.throughput:.2f}x "
                          f"(target >= 1.6x where the cores allow it; {os.cpu_count()} cores here)")  # fmt: skip
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)  # the broker's data and the processes' stores


if __name__ == "__main__":
    main()
