"""Fault campaign: the bus under steady load while one thing at a time breaks (`make test-faults`).

    .venv/bin/python bench/fault_campaign.py [--faults NAME,...] [--rate 100] [--seconds 45]
        [--client-tuning production|defaults]

A 3-broker Kafka cluster of its own (replication 3, min ISR 2; free ports, temp dir), and
for every fault a fresh bus on it (its own topic prefix and processor group): `gbus
processor` and `gbus node --area 79` as separate processes, exactly as `make run` starts
them, with the Kafka client timeouts of deploy/config/{node,processor}.toml (what
deploy/kafka/TUNING.md explains; --client-tuning defaults runs the bus's built-in ones). A
load generator submits reports at --rate per second through node 79's public
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
15 s after a broker freeze, a partition or a coordinator kill; no acknowledgement wait over
15 s). `--faults control` runs the same load with nothing broken (not in the default set):
the baseline that tells a fault's cost from what the machine costs anyway.

The partition fault (broker-partition-30s) needs a cluster of its own, started after the
others are done: broker 3 runs in a network namespace behind a veth pair
(gbus.kafka_harness.netns), brokers 1 and 2 and every client on the veth's root end, and
the fault takes the namespace's end of the veth down for 30 s. There is no iptables or nft
on the machine this was written on, and the sandbox kernel has no netem; a link down is
the partition (established connections stall without a reset, new ones find no route).
Each such run picks its topic prefix and group so that broker 3 leads the reports partition
of the load's shard and coordinates the processor's group and transactions. The fault is
SKIPPED (not failed) where the namespace cannot be made (not root, no iproute2), with why.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from collections import Counter, defaultdict
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
from gbus.kafka_harness import HarnessError, KafkaCluster
from gbus.kafka_harness.coordinators import HARNESS_COORDINATOR_PARTITIONS, coordinator_partition
from gbus.kafka_harness.netns import NetnsUnavailable, Network
from gbus.kafka_io.admin import ensure_topics
from gbus.observability.logging import configure_logging
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

# The client timeouts deploy/kafka/TUNING.md explains; read from the production config files
# so that the campaign measures what is deployed, not a copy of it.
TUNED_KEYS = {
    "kafka": ("request_timeout_ms", "delivery_timeout_ms", "metadata_max_age_ms", "transaction_timeout_ms",
              "session_timeout_ms"),
    "processor": ("transaction_step_timeout_s",),
}  # fmt: skip
DEPLOY_CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "config"


def client_tuning(role: str) -> dict[str, str]:
    """GBUS__<SECTION>__* variables of deploy/config/<role>.toml's tuned keys (timeouts)."""
    config = tomllib.loads((DEPLOY_CONFIG / f"{role}.toml").read_text(encoding="utf-8"))
    return {f"GBUS__{section.upper()}__{key.upper()}": str(config[section][key])
            for section, keys in TUNED_KEYS.items() for key in keys if key in config.get(section, {})}  # fmt: skip


@dataclass
class Bus:
    cluster: KafkaCluster
    run_dir: Path
    prefix: str
    group: str
    supervisor: Supervisor
    # "production": nodes and processors run with deploy/config's [kafka] timeouts; "defaults": the bus's.
    tuning: str = "production"
    # The children's log level: WARNING keeps their logs short; INFO shows each producer
    # replacement and rebalance step, for finding where a stall's seconds went.
    log_level: str = "WARNING"

    @property
    def kafka(self) -> KafkaSettings:
        return KafkaSettings(bootstrap_servers=self.cluster.bootstrap_servers, topic_prefix=self.prefix,
                             partitions=PARTITIONS, request_timeout_ms=15_000)  # fmt: skip

    @property
    def topics(self) -> Topics:
        return Topics(prefix=self.prefix, partitions=PARTITIONS)

    def env(self, role: str) -> dict[str, str]:
        tuned = client_tuning(role) if self.tuning == "production" else {}
        return {**tuned, "GBUS__KAFKA__BOOTSTRAP_SERVERS": self.cluster.bootstrap_servers,
                "GBUS__KAFKA__TOPIC_PREFIX": self.prefix, "GBUS__KAFKA__PARTITIONS": str(PARTITIONS),
                "GBUS__PROCESSOR__GROUP_ID": self.group, "GBUS__LOGGING__LEVEL": self.log_level}  # fmt: skip

    def processor(self, instance: str) -> Child:
        return self.supervisor.spawn(
            f"processor-{instance}-{int(time.time() * 1000)}", "processor", "*",
            ["processor", "--instance-id", instance, "--data-dir", str(self.run_dir / f"processor-{instance}"),
             "--metrics-listen", "127.0.0.1:0"],
            PROCESSOR_READY, timeout=120, env=self.env("processor"),
        )  # fmt: skip

    def node(self, area: str, port: int = 0) -> Child:
        return self.supervisor.spawn(
            f"node-{area}-{int(time.time() * 1000)}", "node", area,
            ["node", "--area", area, "--grpc-listen", f"127.0.0.1:{port}", "--metrics-listen", "127.0.0.1:0",
             "--data-dir", str(self.run_dir / "nodes")],
            NODE_READY, timeout=120, env=self.env("node"),
        )  # fmt: skip


# -- observing -----------------------------------------------------------------------------


class Load:
    """Submits reports at a steady rate through a node; records every acknowledgement's time."""

    def __init__(self, address: str, rate: float, wards: list[str], tag: str) -> None:
        self.address, self.rate, self.wards, self.tag = address, rate, wards, tag
        self.acked: dict[str, float] = {}
        self.submitted = 0  # distinct reports sent (retries not counted)
        self.errors = 0
        self.last_error = ""
        # Failures by gRPC status: DEADLINE_EXCEEDED means a slow node, UNAVAILABLE a down one.
        self.error_codes: Counter[str] = Counter()
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
            self.submitted = i
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
                    self.error_codes[exc.code().name] += 1
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


OBSERVER_REQUEST_TIMEOUT_MS = 3_000


class CommitTail:
    """Arrival times of committed case snapshots, read as they become visible (read_committed)."""

    def __init__(self, kafka: KafkaSettings, topic: str) -> None:
        self.times: list[float] = []
        self._stop = threading.Event()
        # The observer must not be the slowest client: with kafka-python's 30 s request timeout
        # its own fetch from a frozen leader hid commits for 30 s and counted that as the bus's
        # stall. 3 s (a fetch waits at most 0.5 s for data) bounds what it adds.
        self._consumer = KafkaConsumer(bootstrap_servers=kafka.bootstrap_servers.split(","), group_id=None,
                                       enable_auto_commit=False, isolation_level="read_committed",
                                       auto_offset_reset="earliest", request_timeout_ms=OBSERVER_REQUEST_TIMEOUT_MS,
                                       fetch_max_wait_ms=500)  # fmt: skip
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


def leaders(cluster: KafkaCluster, topics: list[str]) -> dict[tuple[str, int], int]:
    """(topic, partition) -> leader node id (-1 while none), for the topics that exist."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers, client_id="fault-campaign")
    try:
        return {(t["name"], int(p["partition_index"])): int(p["leader_id"])
                for t in admin.describe_topics(topics) for p in t["partitions"]}  # fmt: skip
    finally:
        admin.close()


def leader_of(cluster: KafkaCluster, topic: str, partition: int) -> int:
    leader = leaders(cluster, [topic]).get((topic, partition), -1)
    if leader < 0:
        raise RuntimeError(f"no leader for {topic}-{partition}")
    return leader


def steady_leader(cluster: KafkaCluster, topic: str, partition: int, timeout_s: float = 30.0) -> int:
    """The leader of a partition just created (it has none for a moment)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return leader_of(cluster, topic, partition)
        except Exception:  # noqa: BLE001 - not elected or not in the metadata yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def arrange_on(cluster: KafkaCluster, tag: str, victim: int) -> tuple[str, str, str]:
    """A topic prefix and group whose busiest roles sit on `victim`; and what it got of them.

    The reports partition of the load's shard: its topic is created under new prefixes until
    the victim leads that partition (Kafka places a new topic's leaders from a random start,
    so a third of the tries hit). Coordinators: the group id is chosen so that both its
    __consumer_offsets partition and the processor's transactional id's __transaction_state
    partition are led by the victim.
    """
    from kafka import KafkaAdminClient, KafkaProducer

    # The internal topics exist only once something asked for a coordinator.
    admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap_servers, client_id="fault-campaign")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                admin.describe_groups([f"warmup-{tag}"])
                break
            except Exception:  # noqa: BLE001 - CoordinatorNotAvailable while the topic is being made
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap_servers, transactional_id=f"warmup-{tag}")
    producer.init_transactions()
    producer.close()

    prefix, leads_reports = f"{tag}.", False
    for attempt in range(12):
        prefix = f"{tag}-{attempt}."
        topics = Topics(prefix=prefix, partitions=PARTITIONS)
        settings = KafkaSettings(bootstrap_servers=cluster.bootstrap_servers, topic_prefix=prefix,
                                 partitions=PARTITIONS, request_timeout_ms=15_000)  # fmt: skip
        ensure_topics(settings, [s for s in topic_specs(topics) if s.name == topics.reports])
        if steady_leader(cluster, topics.reports, topics.partition_of_shard("79")) == victim:
            leads_reports = True
            break
    internal = leaders(cluster, ["__consumer_offsets", "__transaction_state"])

    def on_victim(topic: str, key: str) -> bool:
        return internal.get((topic, coordinator_partition(key, HARNESS_COORDINATOR_PARTITIONS))) == victim

    def roles(group: str) -> tuple[bool, bool]:
        return on_victim("__consumer_offsets", group), on_victim("__transaction_state", f"{group}-p1")

    candidates = [f"g-{tag}-{k}" for k in range(200)]
    # Both coordinators if some group has them on the victim, else the transaction one, else none.
    group = max(candidates, key=lambda g: (all(roles(g)), roles(g)[1]))
    group_coord, txn_coord = roles(group)
    got = (f"node {victim} leads the reports partition: {'yes' if leads_reports else 'no'}; "
           f"coordinates the group: {'yes' if group_coord else 'no'}; "
           f"the transactions: {'yes' if txn_coord else 'no'}")  # fmt: skip
    return prefix, group, got


@dataclass
class Running:
    bus: Bus
    processors: dict[str, Child]
    node: Child
    node_port: int
    network: Network | None = None


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


# The broker the freeze stops: the run arranges (arrange_on) that it leads the load's reports
# partition and coordinates the processor's group and transactions, the worst case, so that
# every run measures the same thing (with a random victim the stall was 7-32 s).
FROZEN_BROKER = 1


def freeze_broker(run: Running) -> None:
    cluster = run.bus.cluster
    victim = FROZEN_BROKER
    cluster.kill(victim, signal.SIGSTOP)
    try:
        time.sleep(30)
    finally:
        cluster.kill(victim, signal.SIGCONT)


# The broker the partition fault isolates: the one KafkaCluster(hosts=...) puts in the namespace.
ISOLATED_BROKER = 3


def partition_broker(run: Running) -> None:
    assert run.network is not None, "the partition fault runs on the namespaced cluster only"
    run.network.cut()
    try:
        time.sleep(30)
    finally:
        run.network.heal()


@dataclass(frozen=True)
class Fault:
    name: str
    strike: Callable[[Running], None]
    targets: Targets
    standby: bool = False
    # Runs on the cluster with broker ISOLATED_BROKER in a network namespace (partition faults).
    isolated: bool = False
    # The victim broker is FROZEN_BROKER, arranged to hold the busiest roles (see freeze_broker).
    arranged: bool = False
    # Part of a plain `make test-faults` run (the control run is asked for by name).
    default: bool = True


def no_fault(run: Running) -> None:
    """The control run: the same load and judgement with nothing broken, to tell the fault's
    cost from what the bus does on this machine anyway."""


FAULTS = [
    Fault("broker-leader-sigkill", kill_reports_leader, Targets(15.0)),
    Fault("coordinator-sigkill", kill_coordinator, Targets(15.0)),
    # 3 s down, then commits within 5 s of the restart.
    Fault("processor-sigkill", kill_processor_and_restart, Targets(8.0)),
    Fault("processor-sigkill-standby", kill_processor_with_standby, Targets(10.0), standby=True),
    # The clients' own node is down for 10 s: their acknowledgements stop, the bus does not. All
    # the load goes through that node, so nothing reaches the processor while it is down: the
    # commit stall is those 10 s plus the usual 15 s target.
    Fault("node-sigkill", kill_node_and_restart, Targets(25.0, max_ack_gap_s=None)),
    Fault("broker-sigstop-30s", freeze_broker, Targets(15.0), arranged=True),
    # The same targets as a freeze: to the others, a cut-off broker is one that stopped answering.
    Fault("broker-partition-30s", partition_broker, Targets(15.0), isolated=True),
    Fault("control", no_fault, Targets(15.0), default=False),
]


def run_fault(
    cluster: KafkaCluster,
    fault: Fault,
    work: Path,
    rate: float,
    seconds: float,
    wards: list[str],
    network: Network | None = None,
    tuning: str = "production",
    log_level: str = "WARNING",
) -> Outcome:
    tag = f"{fault.name}-{uuid.uuid4().hex[:6]}"
    run_dir = work / tag
    prefix, group = f"{tag}.", f"g-{tag}"
    if fault.isolated or fault.arranged:
        prefix, group, got = arrange_on(cluster, tag, ISOLATED_BROKER if fault.isolated else FROZEN_BROKER)
        print(f"   {got}", flush=True)
    bus = Bus(
        cluster, run_dir, prefix=prefix, group=group, supervisor=Supervisor(run_dir), tuning=tuning, log_level=log_level
    )
    ensure_topics(bus.kafka, topic_specs(bus.topics))
    codec = AvroCodec()
    processors = {"p1": bus.processor("p1")}
    if fault.standby:
        processors["p2"] = bus.processor("p2")
    node = bus.node("79")
    port = int(node.ready["grpc"].rsplit(":", 1)[1])
    run = Running(bus, processors, node, port, network)
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
        print(f"   submitted {load.submitted} reports", flush=True)
        if load.errors:
            codes = ", ".join(f"{code} {n}" for code, n in load.error_codes.most_common())
            print(f"   {load.errors} submissions failed ({codes}; retried up to {MAX_ATTEMPTS} times); "
                  f"the last: {load.last_error}", flush=True)  # fmt: skip
    return judge(fault.name, acked=load.acked, placed=placed, chain_problems=problems, nodes_converged=nodes_ok,
                 commit_times=tail.times, ack_times=load.acked.values(), window=(start + 2.0, end),
                 targets=fault.targets, hung=hung)  # fmt: skip


def main() -> int:
    # The campaign prints its own progress; library info lines (every topic it creates) are noise.
    configure_logging("WARNING", fmt="console")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faults", default=",".join(f.name for f in FAULTS if f.default),
                        help="comma-separated fault names (default: all but control)")  # fmt: skip
    parser.add_argument("--rate", type=float, default=100.0, help="reports per second (default 100)")
    parser.add_argument("--seconds", type=float, default=45.0, help="load duration per fault (default 45)")
    parser.add_argument("--client-tuning", choices=("production", "defaults"), default="production",
                        help="Kafka client timeouts of the node and processor: deploy/config's (default) "
                             "or the bus's built-in defaults")  # fmt: skip
    parser.add_argument("--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), default="WARNING",
                        help="log level of the nodes and processors; their logs stay in the run's "
                             "directory, printed at the end (default WARNING)")  # fmt: skip
    args = parser.parse_args()
    chosen = [f for f in FAULTS if f.name in args.faults.split(",")]
    unknown = set(args.faults.split(",")) - {f.name for f in FAULTS}
    if unknown:
        parser.error(f"unknown faults: {', '.join(sorted(unknown))} (known: {', '.join(f.name for f in FAULTS)})")
    wards = [w.code for w in Directory.default().wards_of("79")][:20]
    work = Path(tempfile.mkdtemp(prefix="gbus-faults-"))
    outcomes: list[Outcome] = []
    skipped = 0
    loopback = [f for f in chosen if not f.isolated]
    if loopback:
        outcomes += run_on_cluster(KafkaCluster(work / "kafka", brokers=3, bind_to_parent=True, progress=progress),
                                   loopback, work, args, wards)  # fmt: skip
    isolated = [f for f in chosen if f.isolated]
    if isolated:
        try:
            with Network.create() as network:
                if network.leftovers:  # a crashed earlier run's namespace and veth
                    print(f"removed leftovers of an earlier run: {', '.join(network.leftovers)}", flush=True)
                cluster = KafkaCluster(work / "kafka-netns", brokers=3, bind_to_parent=True, progress=progress,
                                       hosts=network.hosts(ISOLATED_BROKER))  # fmt: skip
                outcomes += run_on_cluster(cluster, isolated, work, args, wards, network)
        except NetnsUnavailable as exc:
            for fault in isolated:
                print(f"{fault.name:<24} SKIPPED: no network namespace here: {exc}", flush=True)
            skipped = len(isolated)
    failed = [o for o in outcomes if not o.passed]
    print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed" + (f", {skipped} skipped" if skipped else ""))
    tidy(work)
    print(f"logs kept in {work}: the bus's in <fault>-<id>/logs/, the brokers' in kafka*/node-*/", flush=True)
    return 1 if failed else 0


def tidy(work: Path) -> None:
    """Delete the brokers' data and the processors' and nodes' stores (hundreds of MB a run),
    keeping every log: a failed run is read from its logs, never from its data."""
    for data in [*work.glob("kafka*/node-*/data"), *work.glob("*/processor-*"), *work.glob("*/nodes")]:
        if data.is_dir():
            shutil.rmtree(data, ignore_errors=True)


def progress(message: str) -> None:
    print(f"[kafka] {message}", file=sys.stderr, flush=True)


def run_on_cluster(
    cluster: KafkaCluster,
    faults: list[Fault],
    work: Path,
    args: argparse.Namespace,
    wards: list[str],
    network: Network | None = None,
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    cluster.start()
    try:
        for fault in faults:
            print(
                f"== {fault.name}: {args.rate:g} reports/s for {args.seconds:g} s, fault at {FAULT_AT_S:g} s, "
                f"{args.client_tuning} client timeouts",
                flush=True,
            )
            outcome = run_fault(
                cluster, fault, work, args.rate, args.seconds, wards, network, args.client_tuning, args.log_level
            )
            outcomes.append(outcome)
            print(outcome.line(), flush=True)
            if network is not None and network.is_cut:
                network.heal()
            for node_id in (1, 2, 3):  # every broker back before the next fault
                if cluster.pid(node_id) is None:
                    cluster.restart(node_id)
    finally:
        try:
            cluster.stop(grace=20)
        except HarnessError as exc:  # the brokers die with this process anyway (bind_to_parent)
            print(f"stopping the cluster: {exc}", file=sys.stderr, flush=True)
    return outcomes


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
