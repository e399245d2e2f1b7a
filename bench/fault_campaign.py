"""Fault campaign: the bus under steady load while one thing at a time breaks (`make test-faults`).

    .venv/bin/python bench/fault_campaign.py [--faults NAME,...] [--rate 100] [--seconds 40] [--keep-going]

A 3-broker Kafka cluster of its own (replication 3, min ISR 2; free ports, temp dir), and
for every fault a fresh bus on it (its own topic prefix and processor group): `gbus
processor` and `gbus node --area 79` as separate processes, exactly as `make run` starts
them. A load generator submits reports at --rate per second through node 79's public
gRPC API for --seconds; the fault strikes 10 s in. Then the run settles and is judged:

    acknowledged   submissions the node acknowledged
    found / lost   acknowledged reports in / missing from the latest committed case snapshots
    doubled        reports listed by more than one case
    chains         every case's event chain verifies (gbus.domain.events.verify_chain)
    converged      every node applied all of its copies (its committed position = topic end)
    commit stall   longest time without a newly committed case snapshot (tailed read_committed)
    ack gap        longest time without an acknowledged submission

One line per fault; the exit code is 1 if any fault lost or doubled a report, hung, or
stalled past its target (issue 13: 5 s after a processor restart, 10 s with a standby,
15 s after a broker freeze or a coordinator kill; no acknowledgement wait over 15 s).
A network partition (iptables in a namespace) is not in the campaign yet.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import grpc
from kafka import KafkaConsumer, TopicPartition

from gbus.codec import AvroCodec
from gbus.config import KafkaSettings
from gbus.devrun.sample_flow import report_message
from gbus.devrun.supervisor import Child, Supervisor
from gbus.devtools.fault_outcome import Outcome, Targets, judge
from gbus.directory import Directory
from gbus.domain.events import verify_chain
from gbus.kafka_harness import KafkaCluster
from gbus.kafka_harness.coordinators import HARNESS_COORDINATOR_PARTITIONS, coordinator_partition
from gbus.kafka_io.admin import ensure_topics
from gbus.ops.kafka_view import read_cluster
from gbus.ops.lag import node_deliveries
from gbus.ops.records import read_to_end
from gbus.topics import Topics, topic_specs
from gbus.v1 import intake_pb2, intake_pb2_grpc
from gbus.wire.avro_records import event_from_record

PARTITIONS = 4
ORIGIN = "gov.ubnd@79"
FAULT_AT_S = 10.0
# A client retries what may succeed later; anything else is a bug in this script, shown below.
MAX_ATTEMPTS = 5
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.RESOURCE_EXHAUSTED)
NODE_READY = re.compile(r"node (?P<area>\S+) grpc=(?P<grpc>\S+) metrics=(?P<metrics>\S+)")
PROCESSOR_READY = re.compile(r"processor (?P<instance>\S+) .*?metrics=(?P<metrics>\S+)")
PLACES = ["Lê Lợi", "Nguyễn Huệ", "Pasteur", "Võ Văn Tần", "Lý Tự Trọng", "Trần Hưng Đạo", "Nguyễn Trãi"]
PROBLEMS = [
    ("ha_tang_giao_thong", "Ổ gà sâu trước số {n} đường {p}", "Ổ gà sâu {d}cm trước nhà số {n} đường {p}, xe máy té ngã."),
    ("moi_truong", "Rác tồn đọng hẻm {n} đường {p}", "Rác sinh hoạt hẻm {n} đường {p} {d} ngày không được thu gom."),
    ("dien_nuoc", "Mất nước khu vực số {n} đường {p}", "Các hộ quanh số {n} đường {p} mất nước {d} ngày chưa có thông báo."),
]  # fmt: skip


# -- one bus on the cluster ---------------------------------------------------------------


@dataclass
class Bus:
    cluster: KafkaCluster
    run_dir: Path
    prefix: str
    group: str
    supervisor: Supervisor

    @property
    def kafka(self) -> KafkaSettings:
        return KafkaSettings(bootstrap_servers=self.cluster.bootstrap_servers, topic_prefix=self.prefix,
                             partitions=PARTITIONS, request_timeout_ms=15_000)  # fmt: skip

    @property
    def topics(self) -> Topics:
        return Topics(prefix=self.prefix, partitions=PARTITIONS)

    def env(self) -> dict[str, str]:
        return {"GBUS__KAFKA__BOOTSTRAP_SERVERS": self.cluster.bootstrap_servers, "GBUS__KAFKA__TOPIC_PREFIX": self.prefix,
                "GBUS__KAFKA__PARTITIONS": str(PARTITIONS), "GBUS__PROCESSOR__GROUP_ID": self.group,
                "GBUS__LOGGING__LEVEL": "WARNING"}  # fmt: skip

    def processor(self, instance: str) -> Child:
        return self.supervisor.spawn(
            f"processor-{instance}-{int(time.time() * 1000)}", "processor", "*",
            ["processor", "--instance-id", instance, "--data-dir", str(self.run_dir / f"processor-{instance}"),
             "--metrics-listen", "127.0.0.1:0"],
            PROCESSOR_READY, timeout=120, env=self.env(),
        )  # fmt: skip

    def node(self, area: str, port: int = 0) -> Child:
        return self.supervisor.spawn(
            f"node-{area}-{int(time.time() * 1000)}", "node", area,
            ["node", "--area", area, "--grpc-listen", f"127.0.0.1:{port}", "--metrics-listen", "127.0.0.1:0",
             "--data-dir", str(self.run_dir / "nodes")],
            NODE_READY, timeout=120, env=self.env(),
        )  # fmt: skip


# -- observing -----------------------------------------------------------------------------


class Load:
    """Submits reports at a steady rate through a node; records every acknowledgement's time."""

    def __init__(self, address: str, rate: float, wards: list[str], tag: str) -> None:
        self.address, self.rate, self.wards, self.tag = address, rate, wards, tag
        self.acked: dict[str, float] = {}
        self.errors = 0
        self.last_error = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)

    def _line(self, rng: random.Random, i: int) -> dict[str, Any]:
        category, title, body = rng.choice(PROBLEMS)
        p, n, d = rng.choice(PLACES), rng.randint(1, 400), rng.randint(2, 30)
        return {"kind": "phan_anh", "category": category, "channel": "hotline_1022", "province_code": "79",
                "ward_code": rng.choice(self.wards), "title": title.format(p=p, n=n), "origin_agency": ORIGIN,
                "description": body.format(p=p, n=n, d=d), "submitted_at": datetime.now(timezone.utc).isoformat(),
                "request_id": f"{self.tag}-{i}",
                "reporter": {"name": "Người dân", "phone": f"09{rng.randint(10_000_000, 99_999_999)}"}}  # fmt: skip

    def _run(self) -> None:
        rng = random.Random(self.tag)
        channel = grpc.insecure_channel(self.address)
        stub = intake_pb2_grpc.IntakeServiceStub(channel)
        pending: list[Any] = []
        start, i = time.monotonic(), 0
        while not self._stop.is_set():
            due = start + i / self.rate
            if (wait := due - time.monotonic()) > 0:
                self._stop.wait(wait)
                continue
            request = intake_pb2.SubmitReportRequest(report=report_message(self._line(rng, i)))
            # A retry of the same request id is the same report: resend until acknowledged.
            pending.append(self._submit(stub, request, attempt=1))
            i += 1
        for future in pending:
            try:
                future.result(timeout=60)
            except Exception:  # noqa: BLE001 - counted in _done
                pass
        channel.close()

    def _submit(self, stub: Any, request: Any, attempt: int) -> Any:
        future = stub.SubmitReport.future(request, metadata=(("x-agency-id", ORIGIN),), timeout=20)
        future.add_done_callback(self._done(request, stub, attempt))
        return future

    def _done(self, request: Any, stub: Any, attempt: int) -> Callable[[Any], None]:
        def record(future: Any) -> None:
            try:
                response = future.result()
            except grpc.RpcError as exc:
                with self._lock:
                    self.errors += 1
                    self.last_error = f"{exc.code().name}: {exc.details()}"[:300]
                # Like a real client: the same request id again, after a pause that grows.
                # A submission never acknowledged is not counted (only acknowledged ones can be lost).
                if exc.code() in RETRYABLE and attempt < MAX_ATTEMPTS and not self._stop.is_set():
                    timer = threading.Timer(attempt, self._submit, args=(stub, request, attempt + 1))
                    timer.daemon = True
                    timer.start()
                return
            with self._lock:
                self.acked.setdefault(response.report_id, time.monotonic())

        return record


class CommitTail:
    """Arrival times of committed case snapshots, read as they become visible (read_committed)."""

    def __init__(self, kafka: KafkaSettings, topic: str) -> None:
        self.times: list[float] = []
        self._stop = threading.Event()
        self._consumer = KafkaConsumer(bootstrap_servers=kafka.bootstrap_servers.split(","), group_id=None,
                                       enable_auto_commit=False, isolation_level="read_committed",
                                       auto_offset_reset="earliest")  # fmt: skip
        self._consumer.assign([TopicPartition(topic, p) for p in range(PARTITIONS)])
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)
        self._consumer.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                polled = self._consumer.poll(timeout_ms=200)
            except Exception:  # noqa: BLE001 - a dead broker; the next poll tries the others
                time.sleep(0.2)
                continue
            if polled:
                self.times.append(time.monotonic())


def placements(bus: Bus, codec: AvroCodec) -> tuple[dict[str, list[str]], int]:
    """report id -> cases whose latest snapshot lists it; and the number of chain problems."""
    parts = [(t, p) for t in (bus.topics.case_state, bus.topics.case_events) for p in range(PARTITIONS)]
    records = read_to_end(bus.kafka, parts, timeout_s=120)
    latest: dict[str, dict[str, Any]] = {}
    events: dict[str, list[Any]] = defaultdict(list)
    for r in records:
        if r.value is None:
            continue
        if r.topic == bus.topics.case_state:
            snap = codec.decode(r.value, expected="gbus.avro.CaseSnapshot")
            if snap["case_id"] not in latest or snap["version"] >= latest[snap["case_id"]]["version"]:
                latest[snap["case_id"]] = snap
        else:
            event = event_from_record(codec.decode(r.value, expected="gbus.avro.CaseEvent"))
            events[event.case_id].append(event)
    placed: dict[str, list[str]] = defaultdict(list)
    for case_id, snap in latest.items():
        for report in snap["reports"]:
            placed[report["report_id"]].append(case_id)
    problems = sum(len(verify_chain(sorted(evs, key=lambda e: e.seq))) for evs in events.values())
    return placed, problems


def converged(bus: Bus, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            deliveries = {d.area: d for d in node_deliveries(read_cluster(bus.kafka)) if d.area == "79"}
        except Exception:  # noqa: BLE001 - a broker still coming back
            deliveries = {}
        d = deliveries.get("79")
        if d is not None and d.lag == 0:
            return True
        time.sleep(2)
    return False


# -- the faults ----------------------------------------------------------------------------


def leader_of(cluster: KafkaCluster, topic: str, partition: int) -> int:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers, client_id="fault-campaign")
    try:
        for p in admin.describe_topics([topic])[0]["partitions"]:
            if p["partition_index"] == partition:
                return int(p["leader_id"])
    finally:
        admin.close()
    raise RuntimeError(f"no leader for {topic}-{partition}")


@dataclass
class Running:
    bus: Bus
    processors: dict[str, Child]
    node: Child
    node_port: int


def kill_reports_leader(run: Running) -> None:
    cluster = run.bus.cluster
    victim = leader_of(cluster, run.bus.topics.reports, run.bus.topics.partition_of_shard("79"))
    cluster.kill(victim, signal.SIGKILL)
    time.sleep(15)
    cluster.restart(victim)


def kill_coordinator(run: Running) -> None:
    cluster = run.bus.cluster
    victim = leader_of(
        cluster, "__transaction_state", coordinator_partition(f"{run.bus.group}-p1", HARNESS_COORDINATOR_PARTITIONS)
    )
    cluster.kill(victim, signal.SIGKILL)
    time.sleep(15)
    cluster.restart(victim)


def kill_processor_and_restart(run: Running) -> None:
    run.processors["p1"].popen.kill()
    run.processors["p1"].popen.wait()
    time.sleep(3)
    run.processors["p1"] = run.bus.processor("p1")


def kill_processor_with_standby(run: Running) -> None:
    run.processors["p1"].popen.kill()  # p2 has been running since the start
    run.processors["p1"].popen.wait()


def kill_node_and_restart(run: Running) -> None:
    run.node.popen.kill()
    run.node.popen.wait()
    time.sleep(10)
    run.node = run.bus.node("79", run.node_port)  # same port: the clients reconnect


def freeze_broker(run: Running) -> None:
    cluster = run.bus.cluster
    victim = leader_of(cluster, run.bus.topics.reports, run.bus.topics.partition_of_shard("79"))
    cluster.kill(victim, signal.SIGSTOP)
    try:
        time.sleep(30)
    finally:
        cluster.kill(victim, signal.SIGCONT)


@dataclass(frozen=True)
class Fault:
    name: str
    strike: Callable[[Running], None]
    targets: Targets
    standby: bool = False


FAULTS = [
    Fault("broker-leader-sigkill", kill_reports_leader, Targets(15.0)),
    Fault("coordinator-sigkill", kill_coordinator, Targets(15.0)),
    # 3 s down, then commits within 5 s of the restart.
    Fault("processor-sigkill", kill_processor_and_restart, Targets(8.0)),
    Fault("processor-sigkill-standby", kill_processor_with_standby, Targets(10.0), standby=True),
    # The clients' own node is down for 10 s: their acknowledgements stop, the bus does not.
    Fault("node-sigkill", kill_node_and_restart, Targets(15.0, max_ack_gap_s=None)),
    Fault("broker-sigstop-30s", freeze_broker, Targets(15.0)),
]


def run_fault(
    cluster: KafkaCluster, fault: Fault, work: Path, rate: float, seconds: float, wards: list[str]
) -> Outcome:
    tag = f"{fault.name}-{uuid.uuid4().hex[:6]}"
    run_dir = work / tag
    bus = Bus(cluster, run_dir, prefix=f"{tag}.", group=f"g-{tag}", supervisor=Supervisor(run_dir))
    ensure_topics(bus.kafka, topic_specs(bus.topics))
    codec = AvroCodec()
    processors = {"p1": bus.processor("p1")}
    if fault.standby:
        processors["p2"] = bus.processor("p2")
    node = bus.node("79")
    port = int(node.ready["grpc"].rsplit(":", 1)[1])
    run = Running(bus, processors, node, port)
    tail = CommitTail(bus.kafka, bus.topics.case_state)
    load = Load(node.ready["grpc"], rate, wards, tag)
    hung = False
    try:
        tail.start()
        start = time.monotonic()
        load.start()
        time.sleep(FAULT_AT_S)
        striker = threading.Thread(target=fault.strike, args=(run,), daemon=True)
        striker.start()
        striker.join(120)
        time.sleep(max(0.0, start + seconds - time.monotonic()))
        load.stop()
        end = time.monotonic()
        # Settle: everything acknowledged must reach a committed snapshot, and the node.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            placed, _ = placements(bus, codec)
            if all(placed.get(r) for r in load.acked):
                break
            time.sleep(3)
        else:
            hung = all(not c.alive() for c in run.processors.values()) or not tail.times or tail.times[-1] < end - 60
        placed, problems = placements(bus, codec)
        nodes_ok = converged(bus)
    finally:
        tail.stop()
        bus.supervisor.stop_all()
        if load.errors:
            print(f"   {load.errors} submissions failed (and were retried); the last: {load.last_error}", flush=True)
    return judge(fault.name, acked=load.acked, placed=placed, chain_problems=problems, nodes_converged=nodes_ok,
                 commit_times=tail.times, ack_times=load.acked.values(), window=(start + 2.0, end),
                 targets=fault.targets, hung=hung)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faults", default=",".join(f.name for f in FAULTS), help="comma-separated fault names")
    parser.add_argument("--rate", type=float, default=100.0, help="reports per second (default 100)")
    parser.add_argument("--seconds", type=float, default=45.0, help="load duration per fault (default 45)")
    args = parser.parse_args()
    chosen = [f for f in FAULTS if f.name in args.faults.split(",")]
    unknown = set(args.faults.split(",")) - {f.name for f in FAULTS}
    if unknown:
        parser.error(f"unknown faults: {', '.join(sorted(unknown))} (known: {', '.join(f.name for f in FAULTS)})")
    wards = [w.code for w in Directory.default().wards_of("79")][:20]
    work = Path(tempfile.mkdtemp(prefix="gbus-faults-"))
    cluster = KafkaCluster(work / "kafka", brokers=3, bind_to_parent=True,
                           progress=lambda m: print(f"[kafka] {m}", file=sys.stderr, flush=True))  # fmt: skip
    outcomes: list[Outcome] = []
    cluster.start()
    try:
        for fault in chosen:
            print(
                f"== {fault.name}: {args.rate:g} reports/s for {args.seconds:g} s, fault at {FAULT_AT_S:g} s",
                flush=True,
            )
            outcome = run_fault(cluster, fault, work, args.rate, args.seconds, wards)
            outcomes.append(outcome)
            print(outcome.line(), flush=True)
            for node_id in (1, 2, 3):  # every broker back before the next fault
                if cluster.pid(node_id) is None:
                    cluster.restart(node_id)
    finally:
        cluster.stop(grace=20)
    failed = [o for o in outcomes if not o.passed]
    print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
