"""`gbus pki issue-signer` and `gbus pki revoke`: a CA-signed CRL that names exactly the revoked serials."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509

import gbus.cli.main as cli
from gbus.security.pki import PkiLayout
from gbus.security.trust import load_trust


@pytest.fixture
def gbus(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("gbus.cli.pki_cmd",))

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def serial(path: Path) -> int:
    return x509.load_pem_x509_certificate(path.read_bytes()).serial_number


def test_revoking_a_node_and_an_agency_lists_their_serials_and_nothing_else(gbus, tmp_path: Path):
    d = str(tmp_path)
    assert gbus("pki", "init", "--dir", d)[0] == 0
    assert gbus("pki", "issue-node", "79", "01", "--dir", d)[0] == 0
    assert gbus("pki", "issue", "gov.ubnd@79", "--dir", d)[0] == 0
    code, out, _ = gbus("pki", "issue-signer", "operator", "ops", "--dir", d)
    assert code == 0 and "operators/ops.pem" in out
    layout = PkiLayout(tmp_path)

    code, out, _ = gbus("pki", "revoke", "node:79", "gov.ubnd@79", "--dir", d)
    assert code == 0 and out.count("revoked ") == 2
    assert load_trust(tmp_path).revoked == {serial(layout.node_cert("79")), serial(layout.agency_cert("gov.ubnd@79"))}
    # Revoking again changes nothing; the list keeps growing only with new serials.
    assert gbus("pki", "revoke", "79", "--dir", d)[0] == 0
    assert len(load_trust(tmp_path).revoked) == 2


@pytest.mark.parametrize("target, says", [("gov.xx", "cannot revoke 'gov.xx'"), ("02", "no certificate to revoke")])
def test_a_target_that_names_no_issued_certificate_fails_with_the_reason(gbus, tmp_path: Path, target, says):
    gbus("pki", "init", "--dir", str(tmp_path))
    code, _, err = gbus("pki", "revoke", target, "--dir", str(tmp_path))
    assert code != 0 and says in err
