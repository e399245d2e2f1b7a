"""A running node's files are private to its account: no group or other permission bits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gbus.v1 import intake_pb2
from support.node_harness import as_agency, sample_report

pytestmark = pytest.mark.integration


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    # What a service manager or shell usually gives: without explicit modes, files would be 0644.
    old = os.umask(0o022)
    yield
    os.umask(old)


def shared_with_others(root: Path) -> list[str]:
    return [
        f"{p.relative_to(root)} {oct(p.stat().st_mode & 0o777)}"
        for p in [root, *root.rglob("*")]
        if p.stat().st_mode & 0o077
    ]


def test_a_node_creates_its_store_directories_0700_and_files_0600(permissive_umask, start_node, tmp_path) -> None:
    data_dir = tmp_path / "var" / "node"
    node = start_node("79", data_dir=str(data_dir))
    request = intake_pb2.SubmitReportRequest(report=sample_report("perm-1"))
    node.intake.SubmitReport(request, metadata=as_agency(request.report.origin_agency), timeout=20)
    node.stop()
    assert {"accepted.sqlite", "node.sqlite"} <= {p.name for p in data_dir.rglob("*.sqlite")}
    assert shared_with_others(tmp_path / "var") == []
