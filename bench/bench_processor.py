"""Benchmark: the case processor's CPU per report on its hot path, without Kafka's round trips.

    .venv/bin/python bench/bench_processor.py [--reports 3000] [--inputs FILE] [--profile]

Kafka and a shared 2-core machine make end-to-end figures noisy (bench/bench_e2e.py); this
one measures what the processor itself spends per report. Its input is real: a broker and
`gbus node --area 79` are started once, the same reports as bench_e2e.py are submitted
through the node's gRPC API, and the raw records of the `reports` topic (key, value,
headers) are read back (kept in --inputs for the next run). Then a processor built exactly
as `gbus processor` builds it (bootstrap.build_processor: real codec, router, dedup engine,
legal clock, SQLite store on disk) runs its loop over them in polls of 500 records, with
the consumer and the transactional producer replaced by in-process stand-ins: sends are
counted, commits succeed at once. What is left is the processing thread's own work: decode,
dedup, case decisions, encoding, staging, the store, and the Kafka client's send() call.

Prints CPU time per report (process time / reports), the part spent in the duplicate
engine (IndexKeeper.decide + sync, owned by gbus.dedup), and with --profile a breakdown
by area from cProfile (which inflates Python-heavy parts; use the shares, not the sums).
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_e2e import ORIGIN, make_lines, submit_streams  # noqa: E402

from gbus.config import KafkaSettings, Settings  # noqa: E402
from gbus.observability.logging import configure_logging  # noqa: E402
from gbus.observability.metrics import Metrics  # noqa: E402
from gbus.processor.bootstrap import build_processor  # noqa: E402
from gbus.processor.outputs import OutRecord  # noqa: E402
from gbus.processor.transactions import TransactionalProducer  # noqa: E402
from gbus.topics import Topics, topic_specs  # noqa: E402

PARTITIONS = 8


# -- input: real records written by a node --------------------------------------


def capture(count: int, seed: int) -> list[tuple[int, bytes | None, bytes, tuple]]:
    """Submit `count` + 200 reports through a node and return the reports topic's raw records."""
    from kafka import KafkaConsumer, TopicPartition

    from gbus.devrun.supervisor import Supervisor
    from gbus.directory import Directory
    from gbus.kafka_harness import KafkaCluster
    from gbus.kafka_io.admin import ensure_topics

    wards = [w.code for w in Directory.default().wards_of("79")]
    work = Path(tempfile.mkdtemp(prefix="gbus-bench-proc-"))
    cluster = KafkaCluster(work / "kafka", brokers=1).start()
    prefix = f"benchp-{uuid.uuid4().hex[:8]}."
    kafka = KafkaSettings(bootstrap_servers=cluster.bootstrap_servers, topic_prefix=prefix, partitions=PARTITIONS)
    topics = Topics(prefix, PARTITIONS)
    ensure_topics(kafka, topic_specs(topics))
    supervisor = Supervisor(work, env={"GBUS__KAFKA__TOPIC_PREFIX": prefix, "GBUS__KAFKA__PARTITIONS": str(PARTITIONS),
                                       "GBUS__LOGGING__LEVEL": "WARNING", "GBUS__NODE__PLACEMENT_WAIT_S": "0"})  # fmt: skip
    try:
        common = ["--bootstrap", cluster.bootstrap_servers, "--metrics-listen", "127.0.0.1:0"]
        node = supervisor.spawn("node-79", "node", "79", ["node", "--area", "79", *common, "--grpc-listen", "127.0.0.1:0",
                                "--data-dir", str(work / "n")], re.compile(r"node 79 grpc=(?P<grpc>\S+) metrics=(?P<metrics>\S+)"))  # fmt: skip
        lines = make_lines(200, wards, seed + 2) + make_lines(count, wards, seed)
        submit_streams(node.ready["grpc"], lines)
        tp = TopicPartition(topics.reports, topics.partition_of_shard("79"))
        consumer = KafkaConsumer(bootstrap_servers=cluster.bootstrap_servers, enable_auto_commit=False)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        out: list[tuple[int, bytes | None, bytes, tuple]] = []
        deadline = time.monotonic() + 60
        while len(out) < len(lines) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                out.extend((m.offset, m.key, m.value, tuple(m.headers or ())) for m in batch)
        consumer.close()
        print(f"captured {len(out)} report records written by node 79 (origin {ORIGIN})")
        return out
    finally:
        supervisor.stop_all()
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


# -- the processor with in-process Kafka stand-ins --------------------------------


class _CountingProducer(TransactionalProducer):
    """Begin/send/commit succeed at once; sends are counted."""

    def __init__(self) -> None:
        super().__init__(lambda: None)  # type: ignore[arg-type, return-value]
        self.sent = 0
        self.bytes = 0
        self.commits = 0
        self.by_topic: dict[str, list[int]] = defaultdict(list)

    def start(self, tries: int = 1) -> None:
        pass

    def begin(self) -> None:
        self._open = True

    def send(self, out: OutRecord) -> None:
        self.sent += 1
        self.bytes += len(out.value)
        self.by_topic[out.topic.rsplit(".", 1)[-1] if ".node." not in out.topic else "node"].append(len(out.value))

    def send_many(self, outs: list[OutRecord]) -> None:
        for o in outs:
            self.send(o)

    def commit(self, offsets: Any, group_metadata: Any) -> None:
        self.commits += 1
        self._open = False

    def close(self) -> None:
        pass


class _Record(SimpleNamespace):
    pass


class _FeedingConsumer:
    """Hands out the captured records in polls of at most `max_records`."""

    def __init__(self, topic: str, partition: int, records: list[tuple[int, bytes | None, bytes, tuple]],
                 group: Any = None) -> None:  # fmt: skip
        from kafka import TopicPartition

        self._group = group
        self.tp = TopicPartition(topic, partition)
        self._records = records
        self._at = 0
        self.stop_at: int | None = None  # polls end there (the warm-up's end)
        self.listener: Any = None

    def partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(PARTITIONS))

    def subscribe(self, topics: list[str], listener: Any) -> None:
        self.listener = listener

    def group_metadata(self) -> Any:
        return self._group

    def poll(self, timeout_ms: int = 0, max_records: int = 500) -> dict[Any, list[Any]]:
        end = min(self._at + max_records, self.stop_at if self.stop_at is not None else len(self._records))
        chunk = self._records[self._at : end]
        self._at += len(chunk)
        return {self.tp: [_Record(topic=self.tp.topic, partition=self.tp.partition, offset=o, key=k, value=v,
                                  headers=list(h)) for o, k, v, h in chunk]} if chunk else {}  # fmt: skip

    def seek(self, tp: Any, offset: int) -> None:
        pass

    def close(self) -> None:
        pass

    @property
    def remaining(self) -> int:
        return len(self._records) - self._at


class _GroupId(str):
    """A bare group id (what send_offsets_to_transaction accepts without a consumer group) with a generation."""

    generation_id = 1


def build(data_dir: Path, records: list[tuple[int, bytes | None, bytes, tuple]], prefix: str,
          bootstrap: str | None = None) -> tuple[Any, Any, Any]:  # fmt: skip
    """The processor as bootstrap builds it; with `bootstrap`, its real transactional producer on that broker."""
    settings = Settings().replace("kafka", topic_prefix=prefix, partitions=PARTITIONS,
                                  bootstrap_servers=bootstrap or "127.0.0.1:1")  # fmt: skip
    settings = settings.replace("processor", data_dir=str(data_dir), instance_id="bench", group_id=f"{prefix}processor")
    processor = build_processor(settings, metrics=Metrics())
    topics = Topics(prefix, PARTITIONS)
    partition = topics.partition_of_shard("79")
    consumer = _FeedingConsumer(topics.reports, partition, records, group=_GroupId(f"{prefix}processor"))
    # The stand-ins replace the clients bootstrap made; restore has nothing to read (fresh store).
    producer = processor._txn if bootstrap else _CountingProducer()
    processor._txn = producer
    processor._make_consumer = lambda: consumer
    processor._lag = None
    processor._restore = lambda partitions: None
    return processor, consumer, producer


class Timers:
    """CPU time of chosen calls, each net of the timed calls inside it (so the parts add up)."""

    def __init__(self) -> None:
        self.own: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[float] = []  # time spent in timed callees of each open call

    def wrap(self, obj: Any, name: str, label: str | None = None) -> None:
        real: Callable[..., Any] = getattr(obj, name)
        label = label or name
        stack, own, calls = self._stack, self.own, self.calls

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            stack.append(0.0)
            t = time.thread_time()
            try:
                return real(*args, **kwargs)
            finally:
                spent = time.thread_time() - t
                inner = stack.pop()
                own[label] += spent - inner
                calls[label] += 1
                if stack:
                    stack[-1] += spent

        object.__setattr__(obj, name, wrapper)  # frozen dataclasses too

    def clear(self) -> None:
        self.own.clear()
        self.calls.clear()


def instrument(processor: Any, timers: Timers) -> None:
    """Time the parts of the hot path, by owner: dedup, codec, cases, security, store, Kafka client."""
    import gbus.processor.handlers as handlers

    handler = processor._handler
    timers.wrap(processor._index, "decide", "dedup: decide")
    timers.wrap(processor._index, "sync", "dedup: index upkeep")
    codec = processor._outputs.codec
    timers.wrap(codec, "encode", "codec: encode")
    timers.wrap(codec, "decode", "codec: decode")
    for fn in ("open_case", "link_report", "hotspot_escalation"):
        timers.wrap(handlers, fn, "cases: decisions and routing")
    timers.wrap(handler._custodian, "normalise", "security: key wraps (custodian.normalise)")
    timers.wrap(handler._gate, "admit", "security: origin check")
    timers.wrap(handler._clock, "on_change", "cases: legal clock")
    store = processor._store
    for name in ("case", "case_of_report", "events", "history_size", "history_marks"):
        timers.wrap(store, name, "store: reads")
    timers.wrap(store, "apply", "store: apply after commit")
    timers.wrap(processor._txn, "send", "kafka: send")
    timers.wrap(processor._txn, "commit", "kafka: commit")
    timers.wrap(processor, "_process", "processor: loop, handlers, staging, outputs (the rest)")


AREAS = [
    ("dedup (gbus.dedup)", ("gbus/dedup/",)),
    ("codec (Avro)", ("gbus/codec/", "fastavro")),
    ("kafka client", ("kafka/",)),
    ("store (sqlite)", ("gbus/processor/store.py", "sqlite3")),
    ("routing", ("gbus/routing/",)),
    ("cases (decisions, clock)", ("gbus/cases/",)),
    ("security (keys, signing)", ("gbus/security/",)),
    ("domain/wire records", ("gbus/domain/", "gbus/wire/")),
    ("logging", ("structlog", "gbus/observability/logging")),
    ("metrics", ("prometheus_client", "gbus/observability/metrics")),
    ("processor (loop, handlers, staging, outputs)", ("gbus/processor/",)),
]


def breakdown(stats: pstats.Stats) -> dict[str, float]:
    """Own time of each function, summed by the area its file belongs to."""
    areas: dict[str, float] = defaultdict(float)
    for (filename, _line, func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{filename}:{func}"
        for area, needles in AREAS:
            if any(n in where for n in needles):
                areas[area] += tt
                break
        else:
            areas["other (stdlib, builtins)"] += tt
    return dict(areas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--inputs", type=Path, help="captured records: read if it exists, else written")
    parser.add_argument("--kafka", action="store_true",
                        help="send through the real transactional producer to a broker started here")  # fmt: skip
    parser.add_argument("--parts", action="store_true", help="time the hot path's parts by owner")
    parser.add_argument("--profile", action="store_true", help="cProfile the measured run and print a breakdown")
    parser.add_argument("--top", type=int, default=0, help="with --profile: also print the N costliest functions")
    parser.add_argument("--log-level", default="WARNING", help="the processor's log level (bench_e2e.py: WARNING)")
    args = parser.parse_args()
    configure_logging(args.log_level, "json", stream=sys.stderr, process="processor")

    if args.inputs and args.inputs.exists():
        records = pickle.loads(args.inputs.read_bytes())
        print(f"{len(records)} captured records from {args.inputs}")
    else:
        records = capture(args.reports, args.seed)
        if args.inputs:
            args.inputs.write_bytes(pickle.dumps(records))
    warm, measured = records[:200], records[200:]
    work = Path(tempfile.mkdtemp(prefix="gbus-bench-proc-"))
    cluster = None
    prefix = "benchp."
    if args.kafka:
        from gbus.kafka_harness import KafkaCluster
        from gbus.kafka_io.admin import ensure_topics

        cluster = KafkaCluster(work / "kafka", brokers=1).start()
        prefix = f"benchp-{uuid.uuid4().hex[:8]}."
        ensure_topics(KafkaSettings(bootstrap_servers=cluster.bootstrap_servers, topic_prefix=prefix,
                                    partitions=PARTITIONS), topic_specs(Topics(prefix, PARTITIONS)))  # fmt: skip
    try:
        run(args, work, warm, measured, prefix, cluster.bootstrap_servers if cluster else None)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)  # the store (and the broker's data)


def run(args: argparse.Namespace, work: Path, warm: list[Any], measured: list[Any], prefix: str,
        bootstrap: str | None) -> None:  # fmt: skip
    processor, consumer, producer = build(work, warm + measured, prefix, bootstrap)
    timers = Timers()
    if args.parts:
        instrument(processor, timers)
    else:
        timers.wrap(processor._index, "decide", "dedup: decide")
        timers.wrap(processor._index, "sync", "dedup: index upkeep")
    processor.start()
    consumer.listener.on_partitions_assigned([consumer.tp])
    consumer.stop_at = len(warm)
    while consumer._at < len(warm):
        processor.poll_once(0)
    consumer.stop_at = None
    timers.clear()
    counting = isinstance(producer, _CountingProducer)
    sent0 = producer.sent if counting else 0
    profiler = cProfile.Profile() if args.profile else None
    wall, cpu, cpu_all = time.perf_counter(), time.thread_time(), time.process_time()
    if profiler:
        profiler.enable()
    done = 0
    while consumer.remaining:
        done += processor.poll_once(0)
    if profiler:
        profiler.disable()
    cpu, wall, cpu_all = time.thread_time() - cpu, time.perf_counter() - wall, time.process_time() - cpu_all
    processor.close()
    n = len(measured)
    if counting:
        sizes = ", ".join(
            f"{t} {len(v) / n:.2f} x {sum(v) / len(v):,.0f} B" for t, v in sorted(producer.by_topic.items())
        )
        print(f"records per report: {sizes}")
        print(
            f"processed {done} of {n} reports in {producer.commits} transactions; {producer.sent - sent0} records sent"
        )
    else:
        print(f"processed {done} of {n} reports through the transactional producer; the process's other threads "
              f"(Kafka client I/O, watchdog): {(cpu_all - cpu) / n * 1000:.3f} ms CPU per report")  # fmt: skip
    per = cpu / n * 1000
    dedup = sum(t for label, t in timers.own.items() if label.startswith("dedup")) / n * 1000
    print(f"CPU per report (processing thread): {per:.3f} ms   wall {wall / n * 1000:.3f} ms   "
          f"({n / wall:,.0f} reports/s on one core)")  # fmt: skip
    print(f"   dedup engine (gbus.dedup): {dedup:.3f} ms ({dedup / per:.0%});  the rest: {per - dedup:.3f} ms")
    if args.parts:
        print("== parts (CPU ms per report, each net of the parts inside it; timers add ~1 us per call)")
        for label, t in sorted(timers.own.items(), key=lambda kv: -kv[1]):
            print(f"   {t / n * 1000:6.3f} ms  {timers.calls[label] / n:5.2f} calls  {label}")
    if profiler:
        stats = pstats.Stats(profiler)
        areas = breakdown(stats)
        total = sum(areas.values())
        print("== cProfile own time by area (shares of the processing thread)")
        for area, t in sorted(areas.items(), key=lambda kv: -kv[1]):
            print(f"   {t / total:6.1%}  {per * t / total:6.3f} ms  {area}")
        if args.top:
            stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
