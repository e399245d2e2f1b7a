"""`gbus route diff --changes FILE`: what an administrative changes file would move, offline.
(With the cases of a running bus, --cases-from, in tests/e2e/test_directory_changes.py.)"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from gbus.cli import route_cmd
from gbus.cli.common import EXIT_OK, EXIT_USAGE, CliError
from gbus.domain.report import Report
from gbus.routing import Router

MERGE = (
    "changes:\n"
    "  - id: merge-ben-thanh\n"
    "    effective: 2026-07-01\n"
    "    type: ward_merged\n"
    "    from: 79.26743\n"
    "    into: 79.25747\n"
)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="gbus")
    route_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return args.func(args)


def _changes(tmp_path, text: str = MERGE) -> str:
    path = tmp_path / "changes.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_without_cases_each_line_is_a_decision_for_the_merged_ward_that_changes(tmp_path, capsys):
    assert run("route", "diff", "--changes", _changes(tmp_path)) == EXIT_OK
    out = capsys.readouterr()
    lines = [json.loads(line) for line in out.out.splitlines()]
    assert lines and {line["area"] for line in lines} == {"79.26743"}
    assert {tuple(line["changes"]) for line in lines} == {("merge-ben-thanh",)}
    land = next(x for x in lines if (x["kind"], x["category"]) == ("phan_anh", "dat_dai"))
    assert (land["before"]["handler"], land["after"]["handler"]) == ("gov.ubnd@79.26743", "gov.ubnd@79.25747")
    # Every line is a real change, and each says what today's routing does for that report.
    today = Router.default()
    assert all(x["before"] != x["after"] for x in lines)
    assert all(x["before"]["handler"] == today.route(_report(x)).handler for x in lines if "handler" in x["before"])
    assert out.err.strip() == f"gbus: {len(lines)} routing decision(s) change with 1 change(s)"


def _report(line) -> Report:
    province, ward = line["area"].split(".")
    return Report(
        report_id="r", kind=line["kind"], category=line["category"], channel="tiep_cong_dan", province_code=province,
        ward_code=ward, title="", description="", submitted_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        origin_agency=f"front.mttq@{line['area']}", request_id="r",
    )  # fmt: skip


def test_at_a_day_before_the_change_nothing_changes(tmp_path, capsys):
    assert run("route", "diff", "--changes", _changes(tmp_path), "--at", "2026-06-30") == EXIT_OK
    out = capsys.readouterr()
    assert out.out == "" and "0 routing decision(s) change with 0 change(s)" in out.err


def test_a_bad_changes_file_is_refused_naming_the_file_and_line(tmp_path):
    path = _changes(tmp_path, MERGE.replace("79.25747", "79.99999"))
    with pytest.raises(CliError, match=rf"{path}:2: change merge-ben-thanh: ward 79.99999 is not in the division data"):
        run("route", "diff", "--changes", path)


def test_a_bad_day_or_case_source_is_a_usage_error(tmp_path):
    with pytest.raises(CliError) as bad_day:
        run("route", "diff", "--changes", _changes(tmp_path), "--at", "1/7/2026")
    assert bad_day.value.exit_code == EXIT_USAGE and "--at" in str(bad_day.value)
    with pytest.raises(CliError) as no_store:
        run("route", "diff", "--changes", _changes(tmp_path), "--cases-from", str(tmp_path / "none.sqlite"))
    assert no_store.value.exit_code == EXIT_USAGE and "no node store" in str(no_store.value)


def test_the_gbus_command_prints_the_file_and_line_of_a_bad_change_and_fails(tmp_path):
    path = _changes(tmp_path, "changes:\n  - {id: x, effective: 2026-07-01, type: ward_split}\n")
    done = subprocess.run([sys.executable, "-m", "gbus.cli.main", "route", "diff", "--changes", path],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1 and f"{path}:2: change x: type must be one of" in done.stderr
    assert done.stdout == ""
