"""What the bus writes to disk is readable by the account that runs it and nobody else.

Node and processor stores hold sealed reporter identities and case texts, Kafka
logs hold every record, run logs name agencies and cases: directories the bus
creates are 0700, files 0600. Two layers, because neither covers everything:

- explicit modes where the bus itself creates a directory or a file (this
  module), which holds whatever umask the embedding process has (tests, a
  service manager);
- `PRIVATE_UMASK` for what the bus does not create itself: SQLite's -wal and
  -shm files (they copy the database file's mode, so `private_file` first),
  Kafka's log segments (the JVM is started with it), and processes `gbus run`
  spawns (`gbus` sets it at start).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | Path) -> Path:
    """`path` and every missing parent, each created 0700 (an existing one is left as it is).

    Path.mkdir(parents=True) would create the parents with the default mode.
    """
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another thread or process made it meanwhile
            pass
    return path


def private_file(path: str | Path) -> Path:
    """Create `path` empty with mode 0600 unless it exists (its directories 0700)."""
    path = Path(path)
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    return path


def private_sqlite(path: str | Path) -> str:
    """The path to give sqlite3.connect, the file made private first; ":memory:" passes through."""
    if str(path) == ":memory:" or str(path).startswith("file:"):
        return str(path)
    return str(private_file(path))


def open_private(path: str | Path, mode: str = "wb") -> IO:
    """open() for writing ("wb", "ab", "w", "a"), creating the file 0600."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    private_dir(Path(path).parent)
    return os.fdopen(os.open(path, flags, FILE_MODE), mode)
