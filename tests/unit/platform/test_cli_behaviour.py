"""The `gbus` command behaves the same everywhere: fast help, quiet closed pipes, documented exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("numpy", "scipy", "datasketch", "grpc", "kafka", "fastavro", "cryptography", "matplotlib")


def _gbus(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gbus.cli.main", *args], capture_output=True, text=True,
                          timeout=120, **kwargs)  # fmt: skip


def test_help_imports_no_heavy_library() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from gbus.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"`gbus --help` imports {done.stdout.strip()}: import them inside the command"


def test_help_lists_the_exit_codes() -> None:
    done = _gbus("--help")
    assert done.returncode == 0
    assert "exit codes:" in done.stdout and "usage error" in done.stdout and "partial failure" in done.stdout


def test_a_closed_pipe_ends_quietly() -> None:
    # `gbus route agencies | head -1`: the reader closes after the first line.
    reader = subprocess.Popen(["head", "-n", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    writer = subprocess.run([sys.executable, "-m", "gbus.cli.main", "route", "agencies", "--area", "VN"],
                            stdout=reader.stdin, stderr=subprocess.PIPE, text=True, timeout=120)  # fmt: skip
    reader.stdin.close()
    first = reader.stdout.read().decode()
    reader.wait(10)
    assert first.strip(), "the first line arrived"
    assert "Traceback" not in writer.stderr and "BrokenPipeError" not in writer.stderr, writer.stderr
    assert writer.returncode == 0


@pytest.mark.parametrize("args", [["--no-such-flag"], ["route", "explain", "--no-such-flag"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert _gbus(*args).returncode == 2


def test_a_broker_that_does_not_answer_is_one_line_naming_it_within_the_timeout() -> None:
    import time

    started = time.monotonic()
    done = _gbus("status", "--bootstrap", "127.0.0.1:1", "--timeout", "2")  # nothing listens on port 1
    elapsed = time.monotonic() - started
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1
    assert len(lines) == 1 and lines[0].startswith("gbus: error: cannot reach Kafka at 127.0.0.1:1: "), done.stderr
    assert lines[0].count("KafkaTimeoutError") <= 1
    # 2 s of waiting for Kafka, plus the interpreter's start on a busy CI machine (8.6 s measured at load 22).
    assert elapsed < 12, f"took {elapsed:.1f} s with --timeout 2"  # the default timeout alone is 30 s


@pytest.mark.parametrize("spelling", [["run", "stop"], ["run", "--stop"]])
def test_gbus_run_stop_is_a_verb_and_the_old_flag_still_works(tmp_path, spelling: list[str]) -> None:
    done = _gbus(*spelling, "--run-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "no bus processes were running" in done.stdout + done.stderr
