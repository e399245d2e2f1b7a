"""`gbus report`'s refusals: each names what to fix, with the usage or runtime exit code."""

from __future__ import annotations

import pytest

from gbus.cli.main import main as gbus_main


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--area", "99"], 2, "--area must be VN or a 2-digit province code"),
        (["--area", "79", "--week", "2026-W60"], 2, "2026 has no ISO week 60"),
        (["--area", "79", "--week", "49"], 2, "week must look like 2026-W49"),
        (["--area", "79", "--format", "pdf", "--out", "-"], 2, "a PDF needs a file"),
        (["--area", "79", "--store", "/nonexistent/node.sqlite"], 1, "no node store at /nonexistent/node.sqlite"),
    ],
)
def test_bad_requests_are_refused_naming_the_problem(args, code, says, capsys, tmp_path):
    argv = ["report", *args] if "--out" in args else ["report", *args, "--out", str(tmp_path / "r.html")]
    assert gbus_main(argv) == code
    assert says in capsys.readouterr().err


def test_an_empty_store_still_makes_a_report_with_zeros(tmp_path):
    import json

    from gbus.codec.single_object import AvroCodec
    from gbus.node.store import NodeStore

    store = tmp_path / "node.sqlite"
    NodeStore(store, AvroCodec()).close()
    out = tmp_path / "r.json"
    assert gbus_main(["report", "--area", "79", "--week", "2026-W49", "--store", str(store), "--out", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert (report["week"], report["area_name"], report["volumes"]["total"]["this_week"]) == (
        "2026-W49",
        "Thành phố Hồ Chí Minh",
        0,
    )
