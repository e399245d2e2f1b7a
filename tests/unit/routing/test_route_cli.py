"""`gbus route explain|agencies|check`, driven through its own argparse registration."""

from __future__ import annotations

import argparse
import json

import pytest

from gbus.cli import route_cmd
from gbus.cli.common import EXIT_OK, EXIT_PARTIAL, CliError

GOOD = {
    "report_id": "r-1", "kind": "phan_anh", "category": "dat_dai", "channel": "mttq",
    "province_code": "79", "ward_code": "26743", "title": "Lấn chiếm đất công", "description": "...",
    "submitted_at": "2025-11-02T09:15:00+07:00", "origin_agency": "front.mttq@79.26743", "request_id": "m-1",
}  # fmt: skip


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="gbus")
    route_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return args.func(args)


def write_jsonl(tmp_path, *lines) -> str:
    path = tmp_path / "reports.jsonl"
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8"
    )
    return str(path)


def test_explain_prints_one_json_line_per_report(tmp_path, capsys):
    path = write_jsonl(
        tmp_path, GOOD, {**GOOD, "report_id": "r-2", "category": "y_te", "ward_code": "", "channel": "zalo"}
    )
    assert run("route", "explain", "--input", path) == EXIT_OK
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {"report_id": "r-1", "handler": "gov.ubnd@79.26743", "watchers": ["gov.so-nnmt@79", "front.mttq@79.26743"],
         "rule": "land-environment"},
        {"report_id": "r-2", "handler": "gov.so-yt@79", "watchers": ["front.mttq@79.26743"], "rule": "health"},
    ]  # fmt: skip


def test_bad_lines_are_reported_by_number_and_the_rest_still_routed(tmp_path, capsys):
    path = write_jsonl(
        tmp_path, GOOD, "{not json", {**GOOD, "report_id": "r-3", "ward_code": "70"}, "", {**GOOD, "report_id": "r-5"}
    )
    assert run("route", "explain", "-i", path) == EXIT_PARTIAL
    out, err = capsys.readouterr()
    assert [json.loads(line)["report_id"] for line in out.splitlines()] == ["r-1", "r-5"]
    # One format for a bad line in every command: FILE:LINE: reason.
    assert err.splitlines() == [
        f"{path}:2: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        f"{path}:3: report r-3: ward_code: ward 00070 (Phường Hoàn Kiếm) is in province 01, not 79",
    ]


def test_why_adds_the_explanation_and_a_reason_per_watcher(tmp_path, capsys):
    assert run("route", "explain", "-i", write_jsonl(tmp_path, GOOD), "--why") == EXIT_OK
    decision = json.loads(capsys.readouterr().out)
    assert decision["explanation"].startswith("a local matter")
    assert decision["reasons"]["front.mttq@79.26743"] == (
        "origin: the origin system holds a copy of the report; front-channel: the report came through the Fatherland Front"
    )


def test_explain_uses_the_rules_and_extra_agencies_given(tmp_path, capsys):
    extra = tmp_path / "extra.yaml"
    extra.write_text("agencies:\n  - id: gov.bql-kcn@79\n    name: Ban Quản lý các khu công nghiệp\n", "utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: all-to-trade\n    handler: gov.bql-kcn@{province}\n", "utf-8")
    path = write_jsonl(tmp_path, GOOD)
    assert run("route", "explain", "-i", path, "--rules", str(rules), "--extra-agencies", str(extra)) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == {
        "report_id": "r-1", "handler": "gov.bql-kcn@79", "watchers": [], "rule": "all-to-trade",
    }  # fmt: skip


def test_a_broken_rules_file_stops_before_any_report_is_routed(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: r\n    handler: gov.ubnd@{district}\n", "utf-8")
    with pytest.raises(CliError, match=r"unknown placeholder \{district\}"):
        run("route", "explain", "-i", write_jsonl(tmp_path, GOOD), "--rules", str(rules))


def test_agencies_looks_up_loosely_typed_ids_with_their_chain(capsys):
    assert run("route", "agencies", "GOV.CA@79.26743", "--chain") == EXIT_OK
    agency = json.loads(capsys.readouterr().out)
    assert agency["name"] == "Công an Phường Bến Thành"
    assert agency["chain"] == ["gov.ca@79", "gov.bo-ca@VN", "gov.vpcp@VN"]


def test_agencies_lists_by_area_and_sector(capsys):
    assert run("route", "agencies", "--area", "79", "--sector", "party") == EXIT_OK
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [
        "party.bnc@79", "party.btc@79", "party.btgdv@79", "party.tu@79", "party.ubkt@79",
    ]  # fmt: skip


def test_agencies_reports_an_unknown_id_and_exits_partial(capsys):
    assert run("route", "agencies", "gov.bql-kcn@79") == EXIT_PARTIAL
    assert "no agency gov.bql-kcn@79" in capsys.readouterr().err


def test_check_summarises_what_it_loaded(capsys):
    assert run("route", "check") == EXIT_OK
    assert capsys.readouterr().out.startswith("ok: 50935 agencies, 36 rules and 3 always-watchers")
