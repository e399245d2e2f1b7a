"""One broker JVM: its files in the data dir, launching it detached, signalling, waiting.

A node's JVM runs in its own session (own process group), so Ctrl-C in the terminal that ran
`gbus kafka up`, or a test runner's SIGINT, does not reach it; only `down`/`stop()` ends it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gbus.kafka_harness.jars import KafkaRuntime
from gbus.private_files import PRIVATE_UMASK, open_private, private_dir

MAIN_CLASS = "kafka.Kafka"
# Kafka's scripts default to 1 GB; two or three test brokers on a small machine need less.
DEFAULT_HEAP = "512m"
JVM_FLAGS: tuple[str, ...] = (
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:+ExitOnOutOfMemoryError",  # a broker that is out of heap should die, not limp
    "-Djava.awt.headless=true",
)
_PR_SET_PDEATHSIG = 1
_CLONE_NEWNET = 0x40000000
NETNS_DIR = Path("/run/netns")  # where `ip netns add` keeps its named namespaces


@dataclass(frozen=True, slots=True)
class NodeFiles:
    """Layout of <data-dir>/node-<id>/."""

    root: Path

    @classmethod
    def of(cls, data_dir: Path, node_id: int) -> "NodeFiles":
        return cls(data_dir / f"node-{node_id}")

    @property
    def config(self) -> Path:
        return self.root / "server.properties"

    @property
    def log_dir(self) -> Path:
        """Kafka's log.dirs: partitions and the KRaft metadata log."""
        return self.root / "data"

    @property
    def logs_dir(self) -> Path:
        """kafka.logs.dir: server.log and state-change.log."""
        return self.root / "logs"

    @property
    def console_log(self) -> Path:
        """The JVM's own stdout/stderr: crashes before log4j is up land here."""
        return self.root / "console.log"

    @property
    def pid_file(self) -> Path:
        return self.root / "kafka.pid"

    @property
    def is_formatted(self) -> bool:
        return (self.log_dir / "meta.properties").is_file()


def jvm_command(
    java: str, runtime: KafkaRuntime, log4j_config: Path, files: NodeFiles, heap: str, main: Sequence[str]
) -> list[str]:
    return [
        java,
        f"-Xmx{heap}",
        *JVM_FLAGS,
        f"-Dlog4j2.configurationFile={log4j_config}",
        f"-Dkafka.logs.dir={files.logs_dir}",
        "-cp",
        runtime.classpath,
        *main,
    ]


def launch(
    java: str,
    runtime: KafkaRuntime,
    log4j_config: Path,
    files: NodeFiles,
    heap: str = DEFAULT_HEAP,
    bind_to_parent: bool = False,
    netns: str = "",
) -> subprocess.Popen[bytes]:
    """Start the broker JVM detached and record its pid; returns at once (see readiness).

    netns: the name of an existing network namespace (`ip netns add`) to run the JVM in.
    """
    private_dir(files.logs_dir)
    cmd = jvm_command(java, runtime, log4j_config, files, heap, [MAIN_CLASS, str(files.config)])
    # Opened here, not in the child: a missing namespace is an error with its name in it.
    netns_fd = os.open(NETNS_DIR / netns, os.O_RDONLY | os.O_CLOEXEC) if netns else None
    try:
        with open_private(files.console_log, "ab") as console:
            console.write(f"\n=== starting at {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n".encode())
            console.flush()
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                cwd=files.root,
                start_new_session=True,
                close_fds=True,
                # Log segments hold every record (report texts, sealed identities): private to this account.
                umask=PRIVATE_UMASK,
                preexec_fn=_child_setup(bind_to_parent, netns_fd),
            )
    finally:
        if netns_fd is not None:
            os.close(netns_fd)
    with open_private(files.pid_file, "w") as pid_file:
        pid_file.write(f"{proc.pid}\n")
    return proc


def _child_setup(bind_to_parent: bool, netns_fd: int | None) -> Callable[[], None] | None:
    if not bind_to_parent and netns_fd is None:
        return None

    def setup() -> None:
        if bind_to_parent:
            _die_with_parent()
        if netns_fd is not None:
            # What `ip netns exec` does for the network (setns on /run/netns/<name>), without
            # a wrapper process between the pid file and the JVM.
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.setns(netns_fd, _CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns into the broker's network namespace failed")

    return setup


def _die_with_parent() -> None:
    # Test runs start brokers on random ports in temp dirs; if the runner is killed, nothing
    # would ever stop them. The kernel sends SIGKILL to the JVM when its parent dies.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def running_pid(files: NodeFiles) -> int | None:
    """The pid in the pid file if that process is alive and is this node's broker."""
    try:
        pid = int(files.pid_file.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    return pid if is_node_process(pid, files) else None


def is_node_process(pid: int, files: NodeFiles) -> bool:
    # A pid file can outlive a reboot or a SIGKILL and the pid be reused by anything;
    # the command line must name this node's config.
    _reap(pid)
    proc = Path(f"/proc/{pid}")
    try:
        stat = (proc / "stat").read_text()
        cmdline = (proc / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if _state(stat) in ("Z", "X"):
        return False
    return str(files.config).encode() in cmdline and MAIN_CLASS.encode() in cmdline


def send_signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def wait_exit(pid: int, timeout: float) -> bool:
    """Wait until process `pid` (just signalled by us) is gone, with every thread.

    Not `is_node_process`: a JVM's main thread turns zombie, and its command line reads
    empty, while its other threads are still exiting and holding its sockets; a restart
    on the same ports right after a SIGKILL found them taken (CI). The pid was ours a
    moment ago, so it is not checked for reuse.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.1)
    return _gone(pid)


def _gone(pid: int) -> bool:
    _reap(pid)
    proc = Path(f"/proc/{pid}")
    try:
        stat = (proc / "stat").read_text()
        threads = len(os.listdir(proc / "task"))
    except OSError:
        return True
    return _state(stat) in ("Z", "X") and threads <= 1


def _state(stat: str) -> str:
    return stat.rsplit(")", 1)[1].split()[0]


def _reap(pid: int) -> None:
    # When this process started the JVM, a dead JVM stays a zombie until waited for.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def tail(path: Path, lines: int = 30) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])
