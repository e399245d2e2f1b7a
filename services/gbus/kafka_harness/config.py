"""Node layout and rendered server.properties for 1 or 3 combined broker+controller nodes."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from string import Template
from typing import Any

from gbus.kafka_harness.errors import HarnessError
from gbus.kafka_harness.port_claims import PortClaims
from gbus.kafka_harness.ports import HOST, pick_free_ports

SINGLE_TEMPLATE = "server.properties.template"
CLUSTER_TEMPLATE = "cluster-node.properties.template"
SUPPORTED_SIZES = (1, 3)


@dataclass(frozen=True, slots=True)
class NodeHost:
    """Where one node listens when not on 127.0.0.1 (fault tests only): an address of its own,
    optionally inside a network namespace (`ip netns`, made by the caller) so that it can be cut
    off from the others. Every node of such a cluster needs an address the others can reach:
    127.0.0.1 inside a namespace is that namespace's own loopback.
    """

    host: str
    netns: str = ""


@dataclass(frozen=True, slots=True)
class NodeSpec:
    node_id: int
    port: int
    controller_port: int
    # The defaults are the loopback cluster every test and `gbus kafka up` use.
    host: str = HOST
    netns: str = ""

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def ports(self) -> tuple[int, int]:
        return (self.port, self.controller_port)

    def to_json(self) -> dict[str, int | str]:
        data: dict[str, int | str] = {
            "node_id": self.node_id,
            "port": self.port,
            "controller_port": self.controller_port,
        }
        # Only a placed node records its place: a loopback cluster's cluster.json stays as it was.
        if self.host != HOST:
            data["host"] = self.host
        if self.netns:
            data["netns"] = self.netns
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "NodeSpec":
        return cls(
            int(data["node_id"]),
            int(data["port"]),
            int(data["controller_port"]),
            str(data.get("host", HOST)),
            str(data.get("netns", "")),
        )

    def placed(self, where: NodeHost | None) -> "NodeSpec":
        return self if where is None else replace(self, host=where.host, netns=where.netns)


def new_cluster_id() -> str:
    """16 random bytes, URL-safe base64 without padding: what StorageTool random-uuid prints.

    Standard base64 would put '+' or '/' in the id, which KRaft rejects. An id that starts
    with '-' is drawn again, as Kafka's own Uuid.randomUuid() does: StorageTool's argument
    parser would take it for an option (one start in 64 failed that way).
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode("ascii")
        if not cluster_id.startswith("-"):
            return cluster_id


def plan_nodes(
    brokers: int,
    base_port: int | None,
    claims: PortClaims | None = None,
    hosts: Mapping[int, NodeHost] | None = None,
) -> list[NodeSpec]:
    """Node i listens on base+2(i-1) (clients) and base+2(i-1)+1 (controller): 9092/9093, 9094/9095...

    Without a base port every port is picked free, so tests never collide with a developer's
    cluster on 9092 or with each other. hosts: node id -> where it listens (default 127.0.0.1).
    """
    hosts = hosts or {}
    if hosts and brokers == 1:
        # A single node is its own quorum on 127.0.0.1 (controller.quorum.bootstrap.servers).
        raise HarnessError("node hosts are for a 3-node cluster only")
    unknown = set(hosts) - set(range(1, brokers + 1))
    if unknown:
        raise HarnessError(f"hosts given for nodes {sorted(unknown)}, but the nodes are 1..{brokers}")
    return [n.placed(hosts.get(n.node_id)) for n in _plan_ports(brokers, base_port, claims)]


def _plan_ports(brokers: int, base_port: int | None, claims: PortClaims | None) -> list[NodeSpec]:
    if brokers not in SUPPORTED_SIZES:
        raise HarnessError(f"--brokers must be one of {SUPPORTED_SIZES}, not {brokers}")
    if base_port is None:
        free = pick_free_ports(2 * brokers, claims=claims)
        return [NodeSpec(i + 1, free[2 * i], free[2 * i + 1]) for i in range(brokers)]
    if not 1024 <= base_port <= 65535 - 2 * brokers:
        raise HarnessError(f"port {base_port} is out of range (1024..{65535 - 2 * brokers})")
    return [NodeSpec(i + 1, base_port + 2 * i, base_port + 2 * i + 1) for i in range(brokers)]


def render_node_config(
    deploy_dir: Path,
    node: NodeSpec,
    nodes: list[NodeSpec],
    log_dir: Path,
    extra: Mapping[str, str] | None = None,
) -> str:
    template_name = SINGLE_TEMPLATE if len(nodes) == 1 else CLUSTER_TEMPLATE
    template = Template((deploy_dir / template_name).read_text(encoding="utf-8"))
    voters = ",".join(f"{n.node_id}@{n.host}:{n.controller_port}" for n in nodes)
    text = template.substitute(
        node_id=node.node_id,
        port=node.port,
        controller_port=node.controller_port,
        voters=voters,
        log_dir=str(log_dir),
    )
    if node.host != HOST:
        # The templates listen on 127.0.0.1; a placed node listens and is reached on its own address.
        listeners = f"PLAINTEXT://{node.host}:{node.port},CONTROLLER://{node.host}:{node.controller_port}"
        text += (
            "\n# This node's own address (KafkaCluster(hosts=...))\n"
            f"listeners={listeners}\nadvertised.listeners={listeners}\n"
        )
    if extra:
        # Later keys win in java.util.Properties, so overrides simply go last.
        lines = [f"{key}={value}" for key, value in sorted(extra.items())]
        text += "\n# Overrides passed to KafkaCluster(extra_config=...)\n" + "\n".join(lines) + "\n"
    return text
