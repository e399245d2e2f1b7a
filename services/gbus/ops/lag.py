"""Consumer-group lag and node delivery positions, computed from a ClusterSnapshot. Pure.

Lag is `end offset - committed offset` per topic-partition, the number every
Kafka tool reports. With transactional producers (the processor writes in
transactions) each committed transaction also takes one offset for its commit
marker, so lag can read a few records high while it is small; zero still
means caught up, because a consumer's committed position moves past markers.

Nodes keep their delivery position in their own store (exactly once with the
change it produced), not in Kafka. A node may also commit that position to the
monitoring group `node_monitor_group(prefix, area)`, never to resume from, only
so that its position is visible while it is down; when it does, its delivery
lag is exact. Without it, only the end offset of its topic is known here.
"""

from __future__ import annotations

from dataclasses import dataclass

from gbus.ops.cluster import TP, ClusterSnapshot


def node_monitor_group(prefix: str, area: str) -> str:
    """The group a node commits its applied position to, for monitoring only."""
    return f"{prefix}node-monitor.{area}"


def node_topic_prefix(prefix: str) -> str:
    return f"{prefix}node."


@dataclass(frozen=True, slots=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    committed: int | None  # None: the group never committed here (it starts from the earliest record)
    end: int
    lag: int


@dataclass(frozen=True, slots=True)
class GroupLag:
    group: str
    state: str
    members: int
    partitions: tuple[PartitionLag, ...]

    @property
    def total(self) -> int:
        return sum(p.lag for p in self.partitions)

    def by_topic(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.partitions:
            out[p.topic] = out.get(p.topic, 0) + p.lag
        return out


@dataclass(frozen=True, slots=True)
class NodeDelivery:
    area: str
    topic: str
    end_offset: int
    position: int | None  # next offset to apply, if the node commits it for monitoring
    lag: int | None  # copies not yet applied; None when the position is unknown here


def group_lags(snapshot: ClusterSnapshot, *, include_node_monitors: bool = False) -> list[GroupLag]:
    """Lag of every group on every partition of each topic it has committed on.

    A partition of such a topic without a commit counts from its earliest retained
    offset: that is where a group with auto_offset_reset=earliest starts.
    """
    out = []
    monitor_prefix = node_monitor_group(snapshot.prefix, "")
    for group_id in sorted(snapshot.groups):
        if not include_node_monitors and group_id.startswith(monitor_prefix):
            continue
        info = snapshot.groups[group_id]
        topics = sorted({t for t, _ in info.committed if t in snapshot.topics})
        parts = []
        for topic in topics:
            for p in range(snapshot.topics[topic]):
                tp: TP = (topic, p)
                end = snapshot.end_offsets.get(tp, 0)
                committed = info.committed.get(tp)
                start = committed if committed is not None else snapshot.start_offsets.get(tp, 0)
                parts.append(PartitionLag(group_id, topic, p, committed, end, max(end - start, 0)))
        out.append(GroupLag(group_id, info.state, info.members, tuple(parts)))
    return out


def node_deliveries(snapshot: ClusterSnapshot) -> list[NodeDelivery]:
    """One entry per node.<area> topic of the bus, central node first."""
    topic_prefix = node_topic_prefix(snapshot.prefix)
    out = []
    for topic in snapshot.topics:
        if not topic.startswith(topic_prefix):
            continue
        area = topic[len(topic_prefix) :]
        end = snapshot.end_offsets.get((topic, 0), 0)
        monitor = snapshot.groups.get(node_monitor_group(snapshot.prefix, area))
        position = monitor.committed.get((topic, 0)) if monitor else None
        lag = max(end - position, 0) if position is not None else None
        out.append(NodeDelivery(area, topic, end, position, lag))
    return sorted(out, key=lambda d: (d.area != "VN", d.area))
