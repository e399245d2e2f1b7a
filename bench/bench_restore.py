"""Benchmark: restoring one shard from the topics, with 1x and 3x the events per case, next to the
old restore that read the whole of case-events.

    .venv/bin/python bench/bench_restore.py [--cases 100000] [--events 3] [--million] [--bootstrap HOST:PORT]
        [--index-sample N]

Targets (issue 13.3): restore time independent of history length (1x and 3x within 10%);
1M cases under 60 s on this 2-core machine.

What runs: a Kafka broker (started here unless --bootstrap is given). The bench writes straight
to the topics what a processor would have written for one shard: every case's events to
case-events (in rounds, a few events of every case per round, as a busy shard interleaves
them) and one snapshot per case to case-state (what compaction leaves). The snapshots carry
history marks (CaseSnapshot v4); the same cases are also written, without marks (as before
v4), to a second state topic that shares the events. A restore is gbus.processor.restore
`read_partitions` plus loading the result into a fresh SQLite store, as the processor does
when it is assigned a partition (the dedup index rebuild that follows is the same for both
and is not in the restore times; --index-sample times it apart: from the fingerprints the
snapshots carry since CaseSnapshot v6, next to the same index rebuilt from the reports' texts
as before v6). Each time comes with the process's CPU seconds and the load average, since the
machine is shared.

Baseline, measured in the same run: the old restore, i.e. the same code given the snapshots
without marks, which makes it read and store every event of the partition.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

from kafka import KafkaProducer

from gbus.cases.intake_decisions import open_case
from gbus.codec import AvroCodec
from gbus.config import KafkaSettings
from gbus.dedup.entry import fingerprint_of
from gbus.dedup.features import analyse
from gbus.domain.case import CaseState
from gbus.domain.report import Report
from gbus.domain.report_fields import report_from_mapping
from gbus.kafka_io.admin import ensure_topics
from gbus.processor.dedup_bridge import default_adapter
from gbus.processor.dedup_port import IndexKeeper
from gbus.processor.history import HistoryMark
from gbus.processor.outputs import EVENT, Outputs
from gbus.processor.restore import read_partitions
from gbus.processor.store import CaseStore, gc_paused
from gbus.routing import Router
from gbus.topics import Topics, TopicSpec
from gbus.wire.avro_records import case_report_from_record, event_record, report_record, state_from_snapshot

SHARD = "79"
EVENTS_PER_TRANSACTION = 3  # a change writes a few events at once; one history mark per change


class LegacyStateTopics(Topics):
    """The same case-events, a state topic holding the snapshots as written before CaseSnapshot v4."""

    @property
    def case_state(self) -> str:
        return f"{self.prefix}case-state-v3"


def template_case():
    """One real routed case of shard 79 and its encoded-event records, to be copied under new ids."""
    now = datetime.now(timezone.utc)
    report = report_from_mapping({
        "kind": "phan_anh", "category": "moi_truong", "channel": "hotline_1022", "province_code": SHARD,
        "ward_code": "26743", "title": "Rác thải tồn đọng hẻm 12 Lê Lợi",
        "description": "Rác thải sinh hoạt ở hẻm 12 đường Lê Lợi không được thu gom 5 ngày, bốc mùi hôi.",
        "origin_agency": "gov.ubnd@79", "submitted_at": now.isoformat(), "request_id": "bench-restore",
    }, report_id="bench-restore")  # fmt: skip
    record = report_record(report, shard=SHARD, accepted_at=now, accepted_by=SHARD)
    state, events = open_case(Router.default(), case_report_from_record(record), now=now)
    return state, [event_record(e) for e in events]


# Varied wording, so that each copied case is its own report: a dedup index rebuilt from identical
# copies finds every report id already indexed and every text already analysed, which measured
# neither the rebuild nor the analysis it needs (the figures before December 2026 did that).
_STREETS = (
    "Lê Lợi",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Pasteur",
    "Điện Biên Phủ",
    "Cách Mạng Tháng Tám",
    "Võ Văn Tần",
    "Nam Kỳ Khởi Nghĩa",
    "Lý Tự Trọng",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Phan Đình Phùng",
)
_PROBLEMS = (("Rác thải tồn đọng", "không được thu gom {d} ngày, bốc mùi hôi"),
             ("Đèn đường hỏng", "tắt suốt {d} đêm, người đi đường dễ gặp nạn"),
             ("Nước thải tràn", "tràn ra mặt đường {d} ngày nay, ruồi muỗi nhiều"),
             ("Lấn chiếm vỉa hè", "bị quán xá chiếm hết {d} mét, người đi bộ phải xuống lòng đường"),
             ("Tiếng ồn công trình", "thi công tới {d} giờ đêm, dân không ngủ được"))  # fmt: skip


def case_copy(state: CaseState, i: int, events: int) -> CaseState:
    """Case number i: the template under its own case id, report id, request id and wording,
    with its reports' index fingerprints as the processor keeps them (CaseSnapshot v6).

    5 x 12 x 97 wordings: each is analysed once here (a million analyses would take the
    writer five minutes); report and request ids are every case's own."""
    cid = f"{SHARD}-bench-{i:07d}"
    problem, detail = _PROBLEMS[i % len(_PROBLEMS)]
    street, alley, d = _STREETS[(i // 5) % len(_STREETS)], 1 + (i // 60) % 97, 2 + (i // 60) % 29
    title, body = f"{problem} hẻm {alley} {street}", f"{problem} ở hẻm {alley} đường {street}: {detail.format(d=d)}."
    reports = []
    for n, r in enumerate(state.reports, start=1):
        report = replace(r.report, report_id=f"{cid}-r{n}", request_id=f"bench-{i}-{n}", title=title, description=body)
        reports.append(replace(r, report=report, fingerprint=_fingerprint(r.report, title, body)))
    return replace(state, case_id=cid, reports=tuple(reports), last_seq=events, version=events)


@cache
def _fingerprint(template: Report, title: str, body: str) -> str:
    # Each wording recurs only every 5,820 cases, beyond analyse()'s own 1,024-entry cache.
    return fingerprint_of(replace(template, title=title, description=body))


def write_shard(bootstrap: str, topics: Topics, legacy: Topics | None, cases: int, events_per_case: int) -> None:
    codec, outputs = AvroCodec(), Outputs(AvroCodec(), topics, ())
    state, event_records = template_case()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=50, batch_size=512 * 1024,
                             max_request_size=8 * 1024 * 1024)  # fmt: skip
    ids = [f"{SHARD}-bench-{i:07d}" for i in range(cases)]
    offset = 0
    marks: dict[str, list[HistoryMark]] = {cid: [] for cid in ids}
    for first in range(1, events_per_case + 1, EVENTS_PER_TRANSACTION):
        last = min(first + EVENTS_PER_TRANSACTION - 1, events_per_case)
        for cid in ids:
            marks[cid].append(HistoryMark(first, offset))
            for seq in range(first, last + 1):
                rec = {**event_records[(seq - 1) % len(event_records)], "case_id": cid, "seq": seq}
                producer.send(topics.case_events, key=cid.encode(), value=codec.encode(EVENT, rec), partition=0)
                offset += 1
    for i, cid in enumerate(ids):
        case = case_copy(state, i, events_per_case)
        producer.send(
            topics.case_state, key=cid.encode(), value=outputs.encode_snapshot(case, tuple(marks[cid])), partition=0
        )
        if legacy is not None:
            producer.send(legacy.case_state, key=cid.encode(), value=outputs.encode_snapshot(case), partition=0)
    producer.flush()
    producer.close()


@dataclass
class Restored:
    seconds: float
    cpu_seconds: float  # of this process, all threads: what the restore cost whatever else ran
    cases: int
    events_read: int
    load: float  # 1-minute load average right after the restore
    states: list[CaseState]

    def line(self) -> str:
        return f"{self.seconds:6.1f} s (cpu {self.cpu_seconds:5.1f} s, load {self.load:.1f})"


def restore(bootstrap: str, topics: Topics, work: Path) -> Restored:
    """One restore into a fresh store."""
    codec = AvroCodec()
    settings = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=topics.prefix, partitions=1)
    path = work / f"store-{uuid.uuid4().hex[:6]}.sqlite3"
    started, cpu = time.monotonic(), time.process_time()
    writes, stats = read_partitions(settings, topics, [0], codec, settle_s=0.5, timeout_s=3600)
    store = CaseStore(path, decode_state=lambda blob: state_from_snapshot(codec.decode(blob)))
    store.replace_shards([SHARD], writes)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    store.close()
    return Restored(seconds, cpu, stats.cases, stats.events_read, os.getloadavg()[0], [w.state for w in writes])


def index_rebuild(states: list[CaseState]) -> tuple[float, float]:
    """(seconds, cpu seconds) of the dedup index rebuild the processor runs after a restore."""
    keeper = IndexKeeper(default_adapter())
    started, cpu = time.monotonic(), time.process_time()
    with gc_paused():  # as the processor rebuilds (loop._restore)
        keeper.rebuild(SHARD, states)
    return time.monotonic() - started, time.process_time() - cpu


def index_rebuild_from_texts(states: list[CaseState]) -> tuple[float, float]:
    """The baseline: the same rebuild from snapshots without fingerprints (before CaseSnapshot
    v6), which analyses every report's text again; the analysis cache is emptied first."""
    analyse.cache_clear()
    bare = [replace(s, reports=tuple(replace(r, fingerprint="") for r in s.reports)) for s in states]
    return index_rebuild(bare)


def create_topics(bootstrap: str, topics: Topics, legacy: Topics) -> None:
    settings = KafkaSettings(bootstrap_servers=bootstrap, topic_prefix=topics.prefix, partitions=1)
    ensure_topics(
        settings, [TopicSpec(name, 1, {}) for name in (topics.case_events, topics.case_state, legacy.case_state)]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=3, help="events per case at 1x")
    parser.add_argument("--million", action="store_true", help="also restore 1M cases (snapshots only)")
    parser.add_argument("--bootstrap", help="use this broker instead of starting one")
    parser.add_argument("--index-sample", type=int, default=0, metavar="N",
                        help="also time the dedup index rebuild of N restored cases (1x)")  # fmt: skip
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gbus-bench-restore-"))
    cluster = None
    if args.bootstrap:
        bootstrap = args.bootstrap
    else:
        from gbus.kafka_harness import KafkaCluster

        cluster = KafkaCluster(work / "kafka", brokers=1).start()
        bootstrap = cluster.bootstrap_servers
    try:
        print(f"broker {bootstrap}; one shard of {args.cases:,} cases; restore = read topics + load a fresh store; "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")  # fmt: skip
        results, cpu = {}, {}
        for factor in (1, 3):
            prefix = f"bench-restore-{uuid.uuid4().hex[:6]}-{factor}x."
            topics, legacy = Topics(prefix, 1), LegacyStateTopics(prefix, 1)
            create_topics(bootstrap, topics, legacy)
            started = time.monotonic()
            write_shard(bootstrap, topics, legacy, args.cases, args.events * factor)
            print(
                f"   {factor}x: wrote {args.cases:,} cases x {args.events * factor} events in {time.monotonic() - started:.0f} s"
            )
            new = restore(bootstrap, topics, work)
            old = restore(bootstrap, legacy, work)
            assert new.cases == old.cases == args.cases, (new.cases, old.cases)
            results[factor] = (new.seconds, old.seconds)
            cpu[factor] = new.cpu_seconds
            print(f"   {factor}x: new restore {new.line()} ({new.events_read:,} events read)   "
                  f"old restore (baseline) {old.line()} ({old.events_read:,} events read)")  # fmt: skip
            if factor == 1 and args.index_sample:
                sample = new.states[: args.index_sample]
                wall, rebuild_cpu = index_rebuild(sample)
                _, base_cpu = index_rebuild_from_texts(sample)
                per_case = 1e6 / len(sample)
                print(f"   dedup index rebuild after a restore (not in the restore times): {len(sample):,} cases in "
                      f"{wall:.1f} s (cpu {rebuild_cpu:.1f} s), {rebuild_cpu * per_case:.0f} us cpu a case from the "
                      f"stored fingerprints; baseline from the texts (snapshots before v6) "
                      f"{base_cpu * per_case:.0f} us cpu a case ({base_cpu / rebuild_cpu:.1f}x); "
                      f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
            del new, old
        (new1, old1), (new3, old3) = results[1], results[3]
        print(f"== restore of {args.cases:,} cases, 3x/1x events per case:")
        print(f"   new: {new1:.1f} s -> {new3:.1f} s, ratio {new3 / new1:.2f} (target within 10%: 0.90-1.10)")
        print(f"   new, cpu seconds of the process (the wall times above depend on what else runs): "
              f"{cpu[1]:.1f} s -> {cpu[3]:.1f} s, ratio {cpu[3] / cpu[1]:.2f}")  # fmt: skip
        print(f"   old (baseline, same run): {old1:.1f} s -> {old3:.1f} s, ratio {old3 / old1:.2f}")
        if args.million:
            prefix = f"bench-restore-{uuid.uuid4().hex[:6]}-1m."
            topics, legacy = Topics(prefix, 1), LegacyStateTopics(prefix, 1)
            create_topics(bootstrap, topics, legacy)
            write_shard(bootstrap, topics, None, 1_000_000, 0)  # the new restore reads no events anyway
            million = restore(bootstrap, topics, work)
            print(f"== 1M cases: new restore {million.line()} for {million.cases:,} cases (target < 60 s)")
        else:
            print(f"== 1M cases not run (--million): restore is linear in cases, so about "
                  f"{new1 * 1_000_000 / args.cases:.0f} s by the 1x figure (target < 60 s)")  # fmt: skip
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)  # a 1M-case run leaves gigabytes of stores and broker logs


if __name__ == "__main__":
    main()
