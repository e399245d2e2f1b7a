"""Read a ClusterSnapshot from Kafka with the admin API (metadata, offsets, groups)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import OffsetSpec

from gbus.config import KafkaSettings
from gbus.ops.cluster import TP, Broker, ClusterSnapshot, GroupInfo


def new_admin(settings: KafkaSettings, client_id: str = "ops") -> KafkaAdminClient:
    return KafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers.split(","),
        client_id=f"{settings.client_id}-{client_id}",
        request_timeout_ms=settings.request_timeout_ms,
        # An unreachable cluster is reported after the same wait as any slow request.
        bootstrap_timeout_ms=settings.request_timeout_ms,
        **settings.client_security(),
    )


@contextmanager
def admin_client(settings: KafkaSettings, client_id: str = "ops") -> Iterator[KafkaAdminClient]:
    """One admin client for a short task; a long-lived reader uses kafka_io.recovering_admin."""
    admin = new_admin(settings, client_id)
    try:
        yield admin
    finally:
        admin.close()


def read_cluster(settings: KafkaSettings, admin: KafkaAdminClient | None = None) -> ClusterSnapshot:
    """Brokers, the bus's topics (by prefix) with start/end offsets, and the groups reading them."""
    if admin is None:
        with admin_client(settings) as own:
            return read_cluster(settings, own)
    prefix = settings.topic_prefix
    cluster = admin.describe_cluster()
    controller = cluster.get("controller_id")
    brokers = tuple(
        Broker(
            b["broker_id"], b["host"], b["port"], b.get("rack"), b["broker_id"] == controller, bool(b.get("is_fenced"))
        )
        for b in sorted(cluster.get("brokers", []), key=lambda b: b["broker_id"])
    )
    names = sorted(t for t in admin.list_topics() if t.startswith(prefix))
    topics: dict[str, int] = {}
    if names:
        for desc in admin.describe_topics(names):
            if desc.get("error_code", 0) == 0:
                topics[desc["name"]] = len(desc["partitions"])
    tps = [TopicPartition(t, p) for t, n in topics.items() for p in range(n)]
    end = _offsets(admin, tps, OffsetSpec.LATEST)
    start = _offsets(admin, tps, OffsetSpec.EARLIEST)
    groups = _groups(admin, set(topics))
    return ClusterSnapshot(cluster.get("cluster_id") or "", brokers, topics, start, end, groups, prefix)


def _offsets(admin: KafkaAdminClient, tps: list[TopicPartition], spec: OffsetSpec) -> dict[TP, int]:
    if not tps:
        return {}
    found = admin.list_partition_offsets({tp: spec for tp in tps})
    return {(tp.topic, tp.partition): found[tp].offset for tp in found}


def _groups(admin: KafkaAdminClient, topics: set[str]) -> dict[str, GroupInfo]:
    listed = [g["group_id"] for g in admin.list_groups()]
    if not listed:
        return {}
    offsets: dict[str, Any] = admin.list_group_offsets({g: None for g in listed})
    ours = {
        g: {
            (tp.topic, tp.partition): om.offset
            for tp, om in (found or {}).items()
            if tp.topic in topics and om.offset >= 0
        }
        for g, found in offsets.items()
    }
    ours = {g: c for g, c in ours.items() if c}
    if not ours:
        return {}
    described = admin.describe_groups(sorted(ours))
    out = {}
    for group_id, committed in ours.items():
        desc = described.get(group_id) or {}
        out[group_id] = GroupInfo(
            group_id, desc.get("group_state") or "Unknown", len(desc.get("members") or ()), committed
        )
    return out
