"""Helpers shared by CLI commands: errors to stderr with exit codes, JSONL input."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3  # some input lines were bad; the rest were processed


class CliError(Exception):
    """A user-facing failure: printed as `gbus: error: ...` with an exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def settings_with(config: str | None, overrides: Iterable[tuple[str, str, Any]]) -> Any:
    """Settings from the config file and GBUS__* environment, then the command's flags.

    `overrides` are (section, key, value); a flag that was not given (None or "")
    leaves the file's value alone. A bad file is a usage error naming the key.
    """
    from gbus.config import ConfigError, load_settings

    try:
        settings = load_settings(config)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    for section, key, value in overrides:
        if value is not None and value != "":
            settings = settings.replace(section, **{key: value})
    return settings


def stop_on_signals() -> threading.Event:
    """An event that SIGTERM or SIGINT sets: every long-running command stops cleanly on either."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def bad_line(path: str | Path, line_no: int, reason: str) -> None:
    """Report one bad input line the one way every command does: `FILE:LINE: reason` on stderr."""
    name = "<stdin>" if str(path) == "-" else str(path)
    print(f"{name}:{line_no}: {reason}", file=sys.stderr)


def fail(message: str) -> None:
    print(f"gbus: error: {message}", file=sys.stderr)


@dataclass(frozen=True, slots=True)
class JsonLine:
    line_no: int
    value: dict[str, Any] | None
    error: str | None


def read_jsonl(path: str | Path, stream: TextIO | None = None) -> Iterator[JsonLine]:
    """Yield each non-blank line of a JSONL file with its 1-based line number.

    A line that is not a JSON object is yielded with `error` set, so callers
    can report it by number and carry on with the rest.
    """
    handle: TextIO
    if str(path) == "-":
        handle = stream or sys.stdin
        close = False
    else:
        try:
            handle = open(path, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc.strerror}") from exc
        close = True
    try:
        for line_no, raw in enumerate(handle, start=1):
            text = raw.strip()
            if not text:
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield JsonLine(line_no, None, f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(value, dict):
                yield JsonLine(line_no, None, "expected a JSON object")
                continue
            yield JsonLine(line_no, value, None)
    finally:
        if close:
            handle.close()


def print_json_line(obj: dict[str, Any], out: TextIO | None = None) -> None:
    (out or sys.stdout).write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


def freeze_startup_heap() -> None:
    """Exempt everything loaded at start-up from the cyclic garbage collector.

    A long-running process holds ~130k start-up objects (directory, routing tables,
    dedup lexicons and gazetteer, protobuf and Avro schemas) that live as long as it
    does. Every full (generation 2) collection walked them all: pauses of 45-130 ms
    in the processor and 50-70 ms in a node under bench/bench_e2e.py, each stalling
    every report in flight. Frozen, they are never scanned again (measured after:
    5-40 ms, growing only with what the process keeps of its own); what is allocated
    afterwards is collected as before. Call once, when start-up is done.
    """
    import gc

    gc.collect()  # what start-up left as garbage goes now, not into the frozen set
    gc.freeze()
