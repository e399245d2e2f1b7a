"""A point-in-time picture of the cluster as the operator tools need it. Pure data.

`ClusterSnapshot` is filled by `gbus.ops.kafka_view.read_cluster` and read by
`gbus status` and `gbus monitor`; keeping it plain data lets the lag arithmetic
and the rendering be tested without a broker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TP = tuple[str, int]  # (topic, partition)


@dataclass(frozen=True, slots=True)
class Broker:
    node_id: int
    host: str
    port: int
    rack: str | None = None
    controller: bool = False
    fenced: bool = False

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class GroupInfo:
    group_id: str
    state: str  # Stable, Empty, PreparingRebalance, Dead... as the coordinator says
    members: int
    committed: dict[TP, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClusterSnapshot:
    cluster_id: str
    brokers: tuple[Broker, ...]
    # Only the bus's topics (those with the prefix): name -> partition count.
    topics: dict[str, int]
    start_offsets: dict[TP, int]
    end_offsets: dict[TP, int]
    # Only groups with committed offsets on the bus's topics.
    groups: dict[str, GroupInfo]
    prefix: str = "gbus."

    def records_in(self, topic: str) -> int:
        """Offsets spanned by the topic's retained log (transaction markers included)."""
        return sum(
            self.end_offsets.get((topic, p), 0) - self.start_offsets.get((topic, p), 0)
            for p in range(self.topics.get(topic, 0))
        )
