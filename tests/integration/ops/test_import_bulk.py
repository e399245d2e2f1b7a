"""`gbus import` of 10,000 lines with 100 bad ones through a real node, and the real processor behind it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from gbus.domain import events as ev
from gbus.wire.avro_records import event_from_record
from support.node_harness import CODEC, wait_until
from support.ops_import_data import write_import_file

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOTAL, BAD = 10_000, 100


def run_import(path, node) -> tuple[int, dict]:
    """`gbus import` as an operator runs it: its own process, the summary as JSON on stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "gbus.cli.main", "import", "--input", str(path), "--node", node.grpc_address, "--batch", "1000", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "10,000/10,000 100%" in done.stderr, f"no progress bar on stderr: {done.stderr[-500:]}"
    return done.returncode, json.loads(done.stdout)


def report_ids_in_cases(ops_bus) -> Counter:
    """Each report id as often as a case took it in (opened from it or linked it)."""
    seen: Counter = Counter()
    for record in ops_bus.bus.read_all(ops_bus.bus.topics.case_events, idle_s=1.0):
        body = event_from_record(CODEC.decode(record.value)).body
        if isinstance(body, (ev.CaseOpened, ev.ReportLinked)) and not getattr(body, "unmerged_from", None):
            seen[body.report_id] += 1
    return seen


def test_every_good_line_is_accepted_exactly_once_each_bad_line_is_reported_and_a_rerun_creates_nothing(
    ops_bus, tmp_path
):
    ops_bus.start_processor()
    node = ops_bus.start_node("79")
    path = tmp_path / "reports.jsonl"
    expected_bad = write_import_file(path, total=TOTAL, bad=BAD)

    code, first = run_import(path, node)
    assert code == 3, "exit 3: some lines were rejected"
    assert (first["lines"], first["accepted"], first["replayed"], first["rejected"], first["failed"]) == (
        TOTAL,
        TOTAL - BAD,
        0,
        BAD,
        0,
    )
    reported = {p["line"]: p["errors"] for p in first["rejected_lines"]}
    assert sorted(reported) == sorted(expected_bad)
    for line_no, field in expected_bad.items():
        assert any(field in e for e in reported[line_no]), (line_no, reported[line_no])

    reports = ops_bus.bus.read_all(ops_bus.bus.topics.reports, expect=TOTAL - BAD, idle_s=2.0)
    ids = Counter(CODEC.decode(r.value)["report_id"] for r in reports)
    assert len(ids) == TOTAL - BAD and set(ids.values()) == {1}

    code, again = run_import(path, node)
    assert code == 3
    assert (again["accepted"], again["replayed"], again["rejected"]) == (0, TOTAL - BAD, BAD)
    assert [p["line"] for p in again["rejected_lines"]] == [p["line"] for p in first["rejected_lines"]]
    assert len(ops_bus.bus.read_all(ops_bus.bus.topics.reports, idle_s=1.0)) == TOTAL - BAD

    # Behind the node: the processor took each accepted report into exactly one case, once.
    in_cases = wait_until(lambda: (c := report_ids_in_cases(ops_bus)) and len(c) >= TOTAL - BAD and c, 150,
                          "the processor to take in every report")  # fmt: skip
    assert set(in_cases) == set(ids) and set(in_cases.values()) == {1}
