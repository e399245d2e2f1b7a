"""Loopback ports: picking free ones, and naming who holds a taken one."""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

from gbus.kafka_harness.errors import HarnessError, PortInUseError
from gbus.kafka_harness.port_claims import PortClaims

HOST = "127.0.0.1"


# Where pick_free_ports looks when the kernel's ephemeral range cannot be read.
_FALLBACK_EPHEMERAL = (32768, 60999)
_LOWEST = 10000  # below this live well-known services (9092 among them)


def pick_free_ports(count: int, rng: random.Random | None = None, claims: PortClaims | None = None) -> list[int]:
    """Distinct ports that are free now and outside the kernel's ephemeral range.

    With claims, every port is also claimed machine-wide (port_claims.py), so no other harness
    picks it before this cluster's brokers bind it; all of a cluster's ports are chosen together.

    Not port 0's choice: that comes from the ephemeral range, and after a broker is killed a
    client retrying to connect to its dead port can be handed that very port as its own local
    port (a TCP self-connect), which then blocks the broker's restart. Another process could
    still take a chosen port before the broker binds it; start() checks again and names it.
    """
    rng = rng or random.SystemRandom()
    low, high = ephemeral_range()
    candidates = [p for p in range(_LOWEST, 65536) if p < low or p > high]
    chosen: list[int] = []
    for port in rng.sample(candidates, min(len(candidates), 200 + count)):
        if port not in chosen and is_port_free(port) and (claims is None or claims.try_claim(port)):
            chosen.append(port)
            if len(chosen) == count:
                return chosen
    raise HarnessError(f"no {count} free ports found outside the ephemeral range {low}-{high}")


def ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return _FALLBACK_EPHEMERAL


def is_port_free(port: int) -> bool:
    # SO_REUSEADDR as the JVM sets it: a TIME_WAIT leftover of a previous broker does not
    # block the new one, only a live listener does.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def is_port_clash(broker_log: str) -> bool:
    """Did a broker die because its port was taken (java.net.BindException in its log)?"""
    return "Address already in use" in broker_log or "BindException" in broker_log


def ensure_ports_free(ports: list[int]) -> None:
    for port in ports:
        if not is_port_free(port):
            raise PortInUseError(port, port_owner(port))


def port_owner(port: int) -> str | None:
    """Who holds port: 'pid 123 (java kafka.Kafka ...)', if /proc lets us see it.

    A listener is the usual culprit; failing that, a connection whose local end is the port
    (see pick_free_ports on self-connects) is named as such.
    """
    listening, connected = _socket_inodes(port)
    for inodes, what in ((listening, ""), (connected, "a connection of ")):
        if inodes:
            pid_dir = _process_holding(inodes)
            if pid_dir is not None:
                return f"{what}pid {pid_dir.name} ({_cmdline(pid_dir)})"
    return None


def _socket_inodes(port: int) -> tuple[set[str], set[str]]:
    listening: set[str] = set()
    connected: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or int(fields[1].rsplit(":", 1)[1], 16) != port:
                continue
            state, inode = fields[3], fields[9]
            if inode == "0":
                continue  # TIME_WAIT and friends belong to no process
            (listening if state == "0A" else connected).add(inode)  # 0A = LISTEN
    return listening, connected


def _process_holding(inodes: set[str]) -> Path | None:
    proc = Path("/proc")
    try:
        pid_dirs = [p for p in proc.iterdir() if p.name.isdigit()]
    except OSError:
        return None
    for pid_dir in pid_dirs:
        try:
            fds = list((pid_dir / "fd").iterdir())
        except OSError:
            continue  # gone, or not ours to look at
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid_dir
    return None


def _cmdline(pid_dir: Path, limit: int = 120) -> str:
    try:
        raw = (pid_dir / "cmdline").read_bytes()
    except OSError:
        return "?"
    parts = [p.decode(errors="replace") for p in raw.split(b"\0") if p]
    if not parts:
        return "?"
    # A JVM's argv is mostly -D flags and a classpath; the program and main class say more.
    shown = [os.path.basename(parts[0])]
    skip_next = False
    for part in parts[1:]:
        if skip_next or part.startswith("-"):
            skip_next = part in ("-cp", "-classpath", "--class-path")
            continue
        shown.append(part)
    text = " ".join(shown)
    return text if len(text) <= limit else text[: limit - 3] + "..."
