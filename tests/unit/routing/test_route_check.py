"""`gbus route check` refuses incomplete routing data; `gbus route agencies --sources` cites the law."""

from __future__ import annotations

import argparse
import json

import pytest
import yaml

from gbus.cli import route_cmd
from gbus.cli.common import EXIT_OK, CliError
from gbus.directory.roles import DEFAULT_ROLES_PATH
from gbus.routing.rules import DEFAULT_RULES_PATH


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="gbus")
    route_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return args.func(args)


def _copy(tmp_path, source, name, change) -> str:
    data = yaml.safe_load(source.read_text("utf-8"))
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return str(path)


def test_the_default_data_passes_every_check(capsys):
    assert run("route", "check") == EXIT_OK
    assert "every role cites its legal source and every category has a competent body" in capsys.readouterr().out


def test_a_role_without_a_source_fails_the_check(tmp_path):
    roles = _copy(tmp_path, DEFAULT_ROLES_PATH, "roles.yaml", lambda d: d["province"]["gov.so-tp"].pop("source"))
    with pytest.raises(CliError, match="province: gov.so-tp has no legal source"):
        run("route", "check", "--roles", roles)


def test_a_category_no_rule_can_place_in_a_province_fails_the_check(tmp_path):
    def drop_trade_rule(data):
        data["rules"] = [r for r in data["rules"] if r["id"] != "trade-markets"]

    rules = _copy(tmp_path, DEFAULT_RULES_PATH, "rules.yaml", drop_trade_rule)
    with pytest.raises(
        CliError, match=r"thuong_mai_thi_truong at province level: no handler in 01: .*and 31 more areas"
    ):
        run("route", "check", "--rules", rules)


def test_a_category_without_a_central_body_fails_the_check(tmp_path):
    rules = _copy(tmp_path, DEFAULT_RULES_PATH, "rules.yaml", lambda d: d["maps"]["ministry"].pop("van_hoa_du_lich"))
    with pytest.raises(CliError, match="van_hoa_du_lich at central level: no entry in the rules' 'ministry' map"):
        run("route", "check", "--rules", rules)


def test_a_superior_cycle_fails_the_check(tmp_path):
    def loop(data):
        data["central"]["gov.qh"]["superior"] = "gov.tandtc@VN"

    roles = _copy(tmp_path, DEFAULT_ROLES_PATH, "roles.yaml", loop)
    with pytest.raises(CliError, match="superiors form a cycle"):
        run("route", "check", "--roles", roles)


def test_sources_prints_each_role_with_its_citation(capsys):
    assert run("route", "agencies", "--sources", "--level", "province", "--sector", "gov") == EXIT_OK
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    roles = {line["role"]: line for line in lines if "role" in line}
    assert roles["gov.so-tp"]["source"].startswith("Nghị định 150/2025/NĐ-CP, Điều 8")
    assert roles["gov.tand"]["line"] == "court" and roles["gov.tand"]["superior"] == "gov.tandtc@VN"
    assert roles["gov.so-ng"]["only_in"] == ["01", "79"]
    assert all(line["source"] for line in lines)
    renamed = [line for line in lines if "renamed" in line]
    assert {
        "renamed": "gov.so-tnmt",
        "to": "gov.so-nnmt",
        "levels": ["province"],
        "effective": "2025-03-01",
    }.items() <= next(r for r in renamed if r["renamed"] == "gov.so-tnmt").items()
