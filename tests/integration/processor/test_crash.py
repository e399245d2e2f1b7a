"""A processor killed with SIGKILL under load: after a restart every report is in exactly one
case, no event is duplicated and every case's hash chain verifies."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import unicodedata
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import CoordinatorLoadInProgressError, CoordinatorNotAvailableError, NotCoordinatorError

from gbus.domain.events import verify_chain
from gbus.wire.avro_records import event_from_record
from support.factories import case_report

from .conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LOAD = 5000
# Provinces spread over the 4 test partitions, with a ward each (Bến Thành, Hoàn Kiếm, ...).
PLACES = [("79", "26743"), ("01", "00070"), ("48", None), ("31", None), ("92", None), ("22", None)]
TOPICS = [
    ("moi_truong", "Rác thải ùn ứ tại {s}", "Rác thải sinh hoạt ùn ứ ở {s} nhiều ngày chưa được thu gom, bốc mùi hôi."),
    (
        "ha_tang_giao_thong",
        "Ổ gà lớn trên {s}",
        "Mặt đường {s} có ổ gà sâu, xe máy té ngã nhiều lần, đề nghị sửa chữa.",
    ),
    ("dien_nuoc", "Mất nước kéo dài ở {s}", "Khu dân cư {s} mất nước sinh hoạt ba ngày liền, không có thông báo."),
    (
        "trat_tu_do_thi",
        "Lấn chiếm vỉa hè {s}",
        "Các hộ kinh doanh lấn chiếm vỉa hè {s}, người đi bộ phải đi xuống lòng đường.",
    ),
]


def _strip_marks(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _load(rng: random.Random) -> list:
    """Grievances about numbered streets; about a third re-reported through other channels."""
    reports, seen = [], []
    for i in range(LOAD):
        if seen and rng.random() < 0.35:
            place, category, title, text = rng.choice(seen)
            origin = f"union.hnd@{place[0]}.{place[1]}" if place[1] else f"union.hnd@{place[0]}"
            reports.append(case_report(place=place, category=category, title=_strip_marks(title),
                                       description=_strip_marks(text), channel="cong_doan",
                                       origin_agency=origin, request_id=f"crash-{i}"))  # fmt: skip
            continue
        place = PLACES[i % len(PLACES)]
        category, title, text = TOPICS[rng.randrange(len(TOPICS))]
        street = f"đường số {rng.randrange(1, 400)}"
        seen.append((place, category, title.format(s=street), text.format(s=street)))
        reports.append(case_report(place=place, category=category, title=title.format(s=street),
                                   description=text.format(s=street), request_id=f"crash-{i}"))  # fmt: skip
    return reports


def _spawn(bus, tmp_path: Path, log_name: str) -> tuple[subprocess.Popen, str]:
    gbus = Path(sys.executable).with_name("gbus")
    env = {**os.environ, "GBUS__LOGGING__LEVEL": "WARNING"}
    cmd = [str(gbus), "processor", "--bootstrap", bus.bootstrap, "--topic-prefix", bus.prefix,
           "--partitions", str(bus.topics.partitions), "--group-id", bus.group, "--instance-id", "crashy",
           "--data-dir", str(tmp_path / "data"), "--metrics-listen", "127.0.0.1:0"]  # fmt: skip
    err = open(tmp_path / log_name, "wb")  # noqa: SIM115 - closed by the OS with the child
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env, text=True)
    line = proc.stdout.readline()  # type: ignore[union-attr]
    assert line.startswith("processor crashy "), f"processor did not start: {line!r}, see {tmp_path / log_name}"
    return proc, line.rsplit("metrics=", 1)[1].strip()


def _committed_and_end(bus) -> tuple[int, int]:
    """(committed, end) offsets summed over the reports partitions; (-1, -1) while the group's coordinator
    is not ready yet (a broker just started is still loading its offsets topic: ask again)."""
    tps = [TopicPartition(bus.topics.reports, p) for p in range(bus.topics.partitions)]
    admin = KafkaAdminClient(bootstrap_servers=bus.bootstrap)
    probe = KafkaConsumer(bootstrap_servers=bus.bootstrap, group_id=None)
    try:
        offsets = admin.list_group_offsets({bus.group: tps}).get(bus.group, {})
        ends = probe.end_offsets(tps)
    except (CoordinatorNotAvailableError, CoordinatorLoadInProgressError, NotCoordinatorError):
        return -1, -1
    finally:
        admin.close()
        probe.close()
    return sum(o.offset for o in offsets.values() if o.offset >= 0), sum(ends.values())


def test_a_processor_killed_mid_load_leaves_every_report_in_exactly_one_case(bus, tmp_path):
    reports = _load(random.Random(5))
    for r in reports:
        bus.send_report(r, flush=False)
    bus.flush()

    first, _ = _spawn(bus, tmp_path, "first.log")
    try:
        done = wait_until(lambda: (n := _committed_and_end(bus)[0]) >= LOAD // 4 and n, 120, "a quarter of the load")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert done < LOAD, "the load finished before the kill; the test proves nothing"

    second, metrics_url = _spawn(bus, tmp_path, "second.log")  # same id: fences what the dead one left open
    try:
        wait_until(lambda: _committed_and_end(bus) == (LOAD, LOAD), 150, "the rest of the load")
        metrics = urllib.request.urlopen(metrics_url, timeout=5).read().decode()
        assert 'gbus_processor_transactions_total{outcome="committed"}' in metrics
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0

    snapshots = bus.latest_snapshots()
    holders = Counter(r["report_id"] for s in snapshots.values() if s["status"] != "MERGED" for r in s["reports"])
    assert set(holders) == {r.report_id for r in reports}
    assert set(holders.values()) == {1}, "a report is in more than one case"

    events: dict[str, list] = {}
    for rec in bus.decoded(bus.topics.case_events, "gbus.avro.CaseEvent"):
        events.setdefault(rec["case_id"], []).append(event_from_record(rec))
    ids = Counter(e.event_id for history in events.values() for e in history)
    assert ids.most_common(1)[0][1] == 1, "an event was written twice"
    assert set(events) == set(snapshots)
    for case_id, snap in snapshots.items():
        history = events[case_id]
        assert verify_chain(history) == [], case_id
        assert (len(history), history[-1].hash) == (snap["last_seq"], snap["last_hash"]), case_id
    assert bus.read(bus.topics.dead_letters) == []
