"""Two processors in one group; one is killed with SIGKILL mid-load. The other takes over its shards
and finishes the load: every report in exactly one case, no event written twice, every chain intact."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from gbus.domain.events import verify_chain
from gbus.wire.avro_records import event_from_record

from .conftest import wait_until
from .test_crash import _load as _crash_load

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _spawn_victim(bus, tmp_path: Path) -> subprocess.Popen:
    gbus = Path(sys.executable).with_name("gbus")
    cmd = [str(gbus), "processor", "--bootstrap", bus.bootstrap, "--topic-prefix", bus.prefix,
           "--partitions", str(bus.topics.partitions), "--group-id", bus.group, "--instance-id", "victim",
           "--data-dir", str(tmp_path / "victim"), "--metrics-listen", "127.0.0.1:0"]  # fmt: skip
    err = open(tmp_path / "victim.log", "wb")  # noqa: SIM115 - closed by the OS with the child
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True,
                            env={**os.environ, "GBUS__LOGGING__LEVEL": "WARNING"})  # fmt: skip
    line = proc.stdout.readline()  # type: ignore[union-attr]
    assert line.startswith("processor victim "), f"victim did not start: {line!r}, see {tmp_path / 'victim.log'}"
    return proc


def _committed_and_end(bus) -> tuple[dict[int, int], dict[int, int]]:
    """Committed offset and end of each reports partition."""
    tps = [TopicPartition(bus.topics.reports, p) for p in range(bus.topics.partitions)]
    admin = KafkaAdminClient(bootstrap_servers=bus.bootstrap)
    probe = KafkaConsumer(bootstrap_servers=bus.bootstrap, group_id=None)
    try:
        offsets = admin.list_group_offsets({bus.group: tps}).get(bus.group, {})
        ends = probe.end_offsets(tps)
    finally:
        admin.close()
        probe.close()
    return ({tp.partition: max(offsets[tp].offset, 0) if tp in offsets else 0 for tp in tps},
            {tp.partition: ends[tp] for tp in tps})  # fmt: skip


def test_a_processor_killed_mid_load_has_its_shards_served_by_the_other_with_nothing_lost_or_doubled(bus, tmp_path):
    # The crash test's load: 5,000 grievances about numbered streets in six provinces over the
    # four test partitions, about a third re-reported through other channels.
    reports = _crash_load(random.Random(5))
    victim = _spawn_victim(bus, tmp_path)
    feeding = threading.Event()

    def feed() -> None:
        # A steady stream over about half a minute, so that the victim is killed while its
        # partitions still receive work, however fast this machine processes them.
        feeding.set()
        for i, r in enumerate(reports):
            bus.send_report(r, flush=False)
            if i % 100 == 99:
                bus.flush()
                time.sleep(0.5)
        bus.flush()

    feeder = threading.Thread(target=feed, name="load", daemon=True)
    try:
        survivor = bus.start_processor("survivor", wait_ready=False)
        everything = frozenset(range(bus.topics.partitions))
        wait_until(lambda: 0 < len(survivor.processor.ready_partitions) < len(everything), 90, "a shared assignment")
        victims = everything - survivor.processor.ready_partitions
        feeder.start()

        def victim_progress():
            committed, _ = _committed_and_end(bus)
            return sum(committed[p] for p in victims) >= 100

        wait_until(victim_progress, 120, f"the victim at work on partitions {sorted(victims)}")
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        assert feeder.is_alive(), "the load was all sent before the victim was killed: it was not killed mid-load"
    finally:
        if victim.poll() is None:
            victim.kill()
    feeder.join(120)
    assert not feeder.is_alive(), "the load was not sent"

    # The survivor gets the dead member's partitions once its session times out, waits for its
    # open transaction to be aborted, restores them and finishes the load.
    wait_until(lambda: survivor.processor.ready_partitions == everything, 120, "the victim's partitions")
    wait_until(lambda: _committed_and_end(bus)[0] == _committed_and_end(bus)[1], 180, "the whole load")
    survivor.stop()

    snapshots = bus.latest_snapshots()
    holders = Counter(r["report_id"] for s in snapshots.values() if s["status"] != "MERGED" for r in s["reports"])
    assert set(holders) == {r.report_id for r in reports}, "a report was lost"
    assert set(holders.values()) == {1}, "a report is in more than one case"
    events: dict[str, list] = {}
    for rec in bus.decoded(bus.topics.case_events, "gbus.avro.CaseEvent"):
        events.setdefault(rec["case_id"], []).append(event_from_record(rec))
    assert Counter(e.event_id for h in events.values() for e in h).most_common(1)[0][1] == 1, (
        "an event was written twice"
    )
    assert set(events) == set(snapshots)
    for case_id, snap in snapshots.items():
        assert verify_chain(events[case_id]) == [], case_id
        assert (len(events[case_id]), events[case_id][-1].hash) == (snap["last_seq"], snap["last_hash"]), case_id
    copies = {cp["case_id"]: cp for cp in bus.decoded(bus.topics.node("79"), "gbus.avro.CaseCopy")}
    # Node 79's copy of each of its cases carries the complete history, also of cases the survivor took over.
    ours = [cid for cid in snapshots if cid.startswith("79-")]
    assert ours and all(len(copies[cid]["events"]) == snapshots[cid]["last_seq"] for cid in ours)
    assert bus.read(bus.topics.dead_letters) == []
