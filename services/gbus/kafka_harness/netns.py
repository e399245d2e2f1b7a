"""One broker behind a cable that can be pulled: a network namespace and a veth pair (fault tests).

    root namespace                                   namespace gbusfault-b3
    brokers 1, 2, clients ── 169.254.77.1 ─ veth ─ 169.254.77.2 ── broker 3
                             (gbusfault-r3)        (gbusfault-n3)

The other brokers listen on the root end's address (not 127.0.0.1: inside the namespace that
is the namespace's own loopback), so every broker and client reaches every other one, and
the namespaced broker only through the veth. cut() takes the namespace's end of the veth
down: established connections then stall with no reset, as across a failed switch, and new
ones find no route; heal() brings it up again. The root end stays up on purpose: an
interface taken down loses its routes, and traffic for 169.254.77.2 would follow the default
route off this machine (seen here: a connect "succeeded" through the sandbox's gateway). A
blackhole route for the /24, behind the veth's own, keeps it on this machine in any case.

Addresses are link-local (169.254.0.0/16), so they exist only on these two interfaces; every
name starts with PREFIX, so a crashed run's leftovers can be found and removed
(remove_leftovers, which Network.create runs first). The names and addresses are fixed, so
one run at a time per machine: Network.create holds LOCK_FILE. Needs root and iproute2
(`ip`); Network.create raises NetnsUnavailable with the command's own error otherwise.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gbus.kafka_harness.config import NodeHost
from gbus.kafka_harness.errors import HarnessError

PREFIX = "gbusfault-"
SUBNET = "169.254.77.0/24"
ROOT_ADDRESS = "169.254.77.1"
NAMESPACE_ADDRESS = "169.254.77.2"
LOCK_FILE = Path("/run/gbusfault.lock")
_TIMEOUT_S = 20


class NetnsUnavailable(HarnessError):
    """This machine cannot make the namespace (not root, no iproute2, no netns support)."""


def _ip(*args: str, netns: str = "", check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = ["ip", *(["-n", netns] if netns else []), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    if check and done.returncode != 0:
        raise HarnessError(f"`{' '.join(cmd)}` failed ({done.returncode}): {done.stderr.strip()}")
    return done


def names_with_prefix(listing: str, prefix: str = PREFIX) -> list[str]:
    """Names in `ip netns list` or `ip -o link show` output that start with prefix.

    `ip netns list` prints "name" or "name (id: 3)"; `ip -o link show` prints
    "6: name@if5: <...>" (the @ part names the peer of a veth).
    """
    names = []
    for line in listing.splitlines():
        fields = line.split()
        if not fields:
            continue
        word = fields[1] if fields[0].endswith(":") and len(fields) > 1 else fields[0]
        name = word.rstrip(":").split("@", 1)[0]
        if name.startswith(prefix) and name not in names:
            names.append(name)
    return names


def remove_leftovers(prefix: str = PREFIX) -> list[str]:
    """Delete namespaces and links named prefix* (a crashed run's); returns what was removed."""
    removed = []
    for name in names_with_prefix(_ip("-o", "link", "show", check=False).stdout, prefix):
        if _ip("link", "del", name, check=False).returncode == 0:  # a veth takes its peer along
            removed.append(name)
    for name in names_with_prefix(_ip("netns", "list", check=False).stdout, prefix):
        if _ip("netns", "del", name, check=False).returncode == 0:
            removed.append(name)
    if prefix == PREFIX:
        _ip("route", "del", "blackhole", SUBNET, check=False)
    return removed


def unavailable_reason() -> str | None:
    """Why Network.create cannot work here (None: it may; only trying tells for sure)."""
    if os.geteuid() != 0:
        return "not root (network namespaces and veth pairs need CAP_NET_ADMIN and CAP_SYS_ADMIN)"
    if shutil.which("ip") is None:
        return "iproute2's `ip` is not installed"
    return None


@dataclass
class Network:
    """The namespace, its veth pair and addresses; see the module docstring."""

    namespace: str = f"{PREFIX}b3"
    root_link: str = f"{PREFIX}r3"
    namespace_link: str = f"{PREFIX}n3"
    is_cut: bool = False
    # What Network.create removed of a crashed earlier run (names).
    leftovers: list[str] = field(default_factory=list)

    @property
    def root_host(self) -> NodeHost:
        return NodeHost(ROOT_ADDRESS)

    @property
    def isolated_host(self) -> NodeHost:
        return NodeHost(NAMESPACE_ADDRESS, netns=self.namespace)

    def hosts(self, isolated: int, nodes: Sequence[int] = (1, 2, 3)) -> dict[int, NodeHost]:
        """KafkaCluster(hosts=...): node `isolated` in the namespace, the others on the root end."""
        return {n: self.isolated_host if n == isolated else self.root_host for n in nodes}

    @classmethod
    @contextmanager
    def create(cls) -> Iterator["Network"]:
        """Make the namespace and veth pair; remove them on exit, whatever happened."""
        reason = unavailable_reason()
        if reason:
            raise NetnsUnavailable(reason)
        with open(LOCK_FILE, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise NetnsUnavailable(f"another run holds {LOCK_FILE} (the namespace names are fixed)") from exc
            net = cls(leftovers=remove_leftovers())
            try:
                try:
                    _ip("netns", "add", net.namespace)
                except HarnessError as exc:
                    raise NetnsUnavailable(str(exc)) from exc
                net._wire()
                yield net
            finally:
                net.remove()

    def _wire(self) -> None:
        ns = self.namespace
        _ip("link", "add", self.root_link, "type", "veth", "peer", "name", self.namespace_link)
        _ip("link", "set", self.namespace_link, "netns", ns)
        _ip("addr", "add", f"{ROOT_ADDRESS}/24", "dev", self.root_link)
        _ip("link", "set", self.root_link, "up")
        _ip("route", "add", "blackhole", SUBNET, "metric", "4000")
        _ip("link", "set", "lo", "up", netns=ns)
        _ip("addr", "add", f"{NAMESPACE_ADDRESS}/24", "dev", self.namespace_link, netns=ns)
        _ip("link", "set", self.namespace_link, "up", netns=ns)

    def cut(self) -> None:
        """Partition: nothing passes between the namespace and the rest until heal()."""
        _ip("link", "set", self.namespace_link, "down", netns=self.namespace)
        self.is_cut = True

    def heal(self) -> None:
        _ip("link", "set", self.namespace_link, "up", netns=self.namespace)
        self.is_cut = False

    def remove(self) -> None:
        # Deleting one end of a veth deletes both; the namespace outlives its name only while
        # a process still runs in it (stop the broker first).
        _ip("link", "del", self.root_link, check=False)
        _ip("netns", "del", self.namespace, check=False)
        _ip("route", "del", "blackhole", SUBNET, check=False)
