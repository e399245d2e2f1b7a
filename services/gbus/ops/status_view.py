"""`gbus status` output: the snapshot as text for a person or as JSON for a script. Pure."""

from __future__ import annotations

from typing import Any

from gbus.ops.cluster import ClusterSnapshot
from gbus.ops.lag import GroupLag, NodeDelivery, group_lags, node_deliveries

UNKNOWN_POSITION = "unknown (kept in the node's own store; see its gbus_node_delivery_lag_records metric)"


def status_dict(snapshot: ClusterSnapshot) -> dict[str, Any]:
    return {
        "cluster_id": snapshot.cluster_id,
        "prefix": snapshot.prefix,
        "brokers": [
            {"id": b.node_id, "address": b.address, "rack": b.rack, "controller": b.controller, "fenced": b.fenced}
            for b in snapshot.brokers
        ],
        "topics": [
            {"name": name, "partitions": n, "records": snapshot.records_in(name)}
            for name, n in sorted(snapshot.topics.items())
        ],
        "groups": [_group_dict(g) for g in group_lags(snapshot)],
        "nodes": [_node_dict(d) for d in node_deliveries(snapshot)],
    }


def _group_dict(g: GroupLag) -> dict[str, Any]:
    return {
        "group": g.group,
        "state": g.state,
        "members": g.members,
        "lag": g.total,
        "lag_by_topic": g.by_topic(),
        "partitions": [
            {"topic": p.topic, "partition": p.partition, "committed": p.committed, "end": p.end, "lag": p.lag}
            for p in g.partitions
        ],
    }


def _node_dict(d: NodeDelivery) -> dict[str, Any]:
    return {"area": d.area, "topic": d.topic, "end_offset": d.end_offset, "position": d.position, "lag": d.lag}


def render_status(snapshot: ClusterSnapshot, *, verbose: bool = False) -> list[str]:
    """Lines for a terminal. Without `verbose`, partitions without lag and empty node topics are summarised."""
    lines = [f"cluster {snapshot.cluster_id or '?'}: {len(snapshot.brokers)} broker(s)"]
    for b in snapshot.brokers:
        notes = [n for n, on in (("controller", b.controller), ("FENCED", b.fenced)) if on]
        lines.append(f"  broker {b.node_id:<3} {b.address:<22} {' '.join(notes)}".rstrip())

    lines.append("")
    lines.append(f"topics (prefix {snapshot.prefix!r}): {len(snapshot.topics)}")
    if not snapshot.topics:
        lines.append("  none: create them with `gbus topics create`")
    shown = [t for t in sorted(snapshot.topics) if verbose or not _is_empty_node_topic(snapshot, t)]
    width = max((len(t) for t in shown), default=10)
    if shown:
        lines.append(f"  {'TOPIC':<{width}}  {'PARTITIONS':>10}  {'OFFSETS':>10}")
    for name in shown:
        lines.append(f"  {name:<{width}}  {snapshot.topics[name]:>10}  {snapshot.records_in(name):>10,}")
    hidden = len(snapshot.topics) - len(shown)
    if hidden:
        lines.append(f"  … and {hidden} empty node topics (--verbose lists them)")

    lines.append("")
    groups = group_lags(snapshot)
    lines.append(f"consumer groups: {len(groups)}")
    for g in groups:
        lines.append(f"  {g.group}  state={g.state} members={g.members} lag={g.total:,}")
        for topic, lag in sorted(g.by_topic().items()):
            parts = [p for p in g.partitions if p.topic == topic]
            lines.append(f"    {topic}: lag {lag:,} over {len(parts)} partitions")
            for p in parts:
                if verbose or p.lag:
                    committed = "-" if p.committed is None else f"{p.committed:,}"
                    lines.append(f"      [{p.partition:>2}] committed {committed:>8}  end {p.end:>8,}  lag {p.lag:,}")

    lines.append("")
    nodes = node_deliveries(snapshot)
    lines.append(f"node delivery (node.<area> topics): {len(nodes)}")
    for d in nodes:
        if not verbose and d.end_offset == 0 and d.position is None:
            continue
        if d.position is None:
            lines.append(f"  {d.area:<3} end {d.end_offset:>8,}  position {UNKNOWN_POSITION}")
        else:
            lines.append(f"  {d.area:<3} end {d.end_offset:>8,}  position {d.position:>8,}  lag {d.lag:,}")
    empty = sum(1 for d in nodes if d.end_offset == 0 and d.position is None)
    if empty and not verbose:
        lines.append(f"  … and {empty} node topics with nothing delivered yet")
    return lines


def _is_empty_node_topic(snapshot: ClusterSnapshot, topic: str) -> bool:
    return topic.startswith(f"{snapshot.prefix}node.") and snapshot.records_in(topic) == 0
