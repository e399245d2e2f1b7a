"""`gbus pki`: init, issue, issue-node, show — and errors that name the bad argument."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gbus.cli.main as cli


@pytest.fixture
def gbus(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run `gbus ARGS...` in-process; returns (exit code, stdout, stderr)."""
    # Only the pki command: the test must not depend on other commands' modules.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("gbus.cli.pki_cmd",))

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_init_issue_and_show_make_an_agency_certificate_that_the_ca_signed(gbus, tmp_path: Path):
    pki = str(tmp_path / "pki")
    assert gbus("pki", "init", "--dir", pki)[0] == 0
    code, out, _ = gbus("pki", "issue", "gov.ubnd@79", "front.mttq@VN", "--dir", pki)
    assert code == 0 and out.count("issued ") == 2
    code, out, _ = gbus("pki", "show", f"{pki}/agencies/front.mttq@VN.pem", "--ca", f"{pki}/ca.pem", "--json")
    shown = json.loads(out)
    assert code == 0
    assert shown["agency"] == "front.mttq@VN" and shown["signed_by_ca"] is True and shown["state"] == "valid"


def test_issue_node_adds_the_names_clients_dial(gbus, tmp_path: Path):
    pki = str(tmp_path)
    gbus("pki", "init", "--dir", pki)
    assert gbus("pki", "issue-node", "79", "--dns", "node79.gbus", "--ip", "10.0.0.7", "--dir", pki)[0] == 0
    shown = json.loads(gbus("pki", "show", f"{pki}/nodes/79.pem", "--json")[1])
    assert shown["san_dns"] == ["localhost", "node79.gbus"]
    assert shown["san_ips"] == ["127.0.0.1", "10.0.0.7"]
    assert shown["node_area"] == "79" and shown["agency"] is None


def test_show_prints_readable_text(gbus, tmp_path: Path):
    gbus("pki", "init", "--dir", str(tmp_path))
    gbus("pki", "issue", "party.tu@79", "--dir", str(tmp_path))
    out = gbus("pki", "show", str(tmp_path / "agencies" / "party.tu@79.pem"))[1]
    assert "agency" in out and "urn:gbus:agency:party.tu@79" in out and "not_after" in out


def test_a_second_init_refuses_to_replace_the_ca_unless_told(gbus, tmp_path: Path):
    gbus("pki", "init", "--dir", str(tmp_path))
    ca = (tmp_path / "ca.pem").read_bytes()
    code, _, err = gbus("pki", "init", "--dir", str(tmp_path))
    assert code == 1 and "already exists" in err and "--keep-existing" in err
    assert gbus("pki", "init", "--dir", str(tmp_path), "--keep-existing")[0] == 0
    assert (tmp_path / "ca.pem").read_bytes() == ca
    assert gbus("pki", "init", "--dir", str(tmp_path), "--force")[0] == 0
    assert (tmp_path / "ca.pem").read_bytes() != ca


def test_a_malformed_agency_id_is_named_and_nothing_is_issued(gbus, tmp_path: Path):
    gbus("pki", "init", "--dir", str(tmp_path))
    code, _, err = gbus("pki", "issue", "gov.ubnd@79", "ubnd79", "--dir", str(tmp_path))
    assert code == 1 and "not an agency id: ubnd79" in err
    assert not (tmp_path / "agencies").exists()


def test_an_agency_unknown_to_the_directory_is_named_unless_allowed(gbus, tmp_path: Path):
    gbus("pki", "init", "--dir", str(tmp_path))
    code, _, err = gbus("pki", "issue", "gov.so-khong-co@79", "--dir", str(tmp_path))
    assert code == 1 and "not in the agency directory: gov.so-khong-co@79" in err
    assert gbus("pki", "issue", "gov.so-khong-co@79", "--allow-unknown", "--dir", str(tmp_path))[0] == 0


def test_an_unknown_area_is_named(gbus, tmp_path: Path):
    gbus("pki", "init", "--dir", str(tmp_path))
    code, _, err = gbus("pki", "issue-node", "99", "--dir", str(tmp_path))
    assert code == 1 and "no such area: 99" in err


def test_issuing_before_init_says_how_to_create_the_ca(gbus, tmp_path: Path):
    code, _, err = gbus("pki", "issue", "gov.ubnd@79", "--dir", str(tmp_path))
    assert code == 1 and "gbus pki init" in err


def test_show_of_a_certificate_another_ca_signed_fails(gbus, tmp_path: Path):
    for name in ("a", "b"):
        gbus("pki", "init", "--dir", str(tmp_path / name))
    gbus("pki", "issue", "gov.ubnd@79", "--dir", str(tmp_path / "a"))
    code, out, err = gbus(
        "pki", "show", str(tmp_path / "a/agencies/gov.ubnd@79.pem"), "--ca", str(tmp_path / "b/ca.pem")
    )
    assert code == 1 and "was not signed by" in err and "signed_by_ca  False" in out


def test_show_of_a_key_file_says_it_is_not_a_certificate(gbus, tmp_path: Path):
    gbus("pki", "init", "--dir", str(tmp_path))
    code, _, err = gbus("pki", "show", str(tmp_path / "ca-key.pem"))
    assert code == 1 and "not a PEM certificate" in err
