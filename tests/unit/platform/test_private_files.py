"""Directories the bus creates are 0700 and files 0600, whatever the process umask."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from gbus.private_files import open_private, private_dir, private_file, private_sqlite


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    # The usual default: without explicit modes, files would be 0644 and directories 0755.
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_every_missing_directory_on_the_way_is_created_0700(tmp_path: Path) -> None:
    private_dir(tmp_path / "a" / "b" / "c")
    assert [mode(tmp_path / p) for p in ("a", "a/b", "a/b/c")] == [0o700, 0o700, 0o700]


def test_an_existing_directory_is_left_as_the_operator_made_it(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir(mode=0o755)
    private_dir(tmp_path / "shared" / "mine")
    assert mode(tmp_path / "shared") == 0o755 and mode(tmp_path / "shared" / "mine") == 0o700


def test_a_written_file_is_0600_and_appending_keeps_its_content(tmp_path: Path) -> None:
    with open_private(tmp_path / "logs" / "x.log", "w") as out:
        out.write("one\n")
    with open_private(tmp_path / "logs" / "x.log", "a") as out:
        out.write("two\n")
    assert mode(tmp_path / "logs" / "x.log") == 0o600 and mode(tmp_path / "logs") == 0o700
    assert (tmp_path / "logs" / "x.log").read_text() == "one\ntwo\n"


def test_an_existing_file_keeps_its_content(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("kept")
    private_file(tmp_path / "f")
    assert (tmp_path / "f").read_text() == "kept"


def test_a_sqlite_store_and_its_wal_and_shm_files_are_0600(tmp_path: Path) -> None:
    db = sqlite3.connect(private_sqlite(tmp_path / "store" / "node.sqlite"))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (a)")
    db.execute("INSERT INTO t VALUES (1)")
    db.commit()
    files = sorted((tmp_path / "store").iterdir())
    assert [f.name for f in files] == [
        "node.sqlite",
        "node.sqlite-shm",
        "node.sqlite-wal",
    ]
    assert {mode(f) for f in files} == {0o600}
    db.close()


def test_an_in_memory_database_name_passes_through_untouched() -> None:
    assert private_sqlite(":memory:") == ":memory:"
