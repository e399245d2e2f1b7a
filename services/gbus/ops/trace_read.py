"""Collect what `gbus trace` needs from Kafka: the case's events, snapshot and node copies."""

from __future__ import annotations

from gbus.codec import AvroCodec
from gbus.config import KafkaSettings
from gbus.domain.case import shard_of_case
from gbus.ops.kafka_view import admin_client
from gbus.ops.lag import node_topic_prefix
from gbus.ops.records import read_to_end
from gbus.ops.trace import RawRecord, SignerCheck, Trace, build_trace, claimed_signer
from gbus.security.trust import RecordRefused, TrustStore
from gbus.topics import Topics, all_shards


class TraceError(Exception):
    """The case id or the cluster does not allow a trace; the message says why."""


def gather_trace(
    settings: KafkaSettings, case_id: str, codec: AvroCodec | None = None, trust: TrustStore | None = None
) -> Trace:
    shard = shard_of_case(case_id)
    if shard not in all_shards():
        raise TraceError(f"{case_id!r} is not a case id: it must start with its shard, e.g. 79-… or 00-…")
    with admin_client(settings, "trace") as admin:
        names = [t for t in admin.list_topics() if t.startswith(settings.topic_prefix)]
        base = Topics(settings.topic_prefix)
        if base.case_events not in names:
            raise TraceError(f"topic {base.case_events} does not exist on {settings.bootstrap_servers}")
        # The partition count is the cluster's, not the config's: a trace must find the partition
        # the processor actually wrote to.
        partitions = len(admin.describe_topics([base.case_events])[0]["partitions"])
    topics = Topics(settings.topic_prefix, partitions)
    partition = topics.partition_of_shard(shard)
    key = case_id.encode("utf-8")
    events = read_to_end(settings, [(topics.case_events, partition)], key=key)
    states = read_to_end(settings, [(topics.case_state, partition)], key=key) if topics.case_state in names else []
    node_prefix = node_topic_prefix(settings.topic_prefix)
    node_topics = sorted(t for t in names if t.startswith(node_prefix))
    latest: dict[str, RawRecord] = {}
    for record in read_to_end(settings, [(t, 0) for t in node_topics], key=key):
        latest[record.topic[len(node_prefix) :]] = RawRecord(record.offset, record.value)  # offset order: last wins
    return build_trace(
        case_id,
        shard,
        topics.case_events,
        partition,
        codec or AvroCodec(),
        [RawRecord(r.offset, r.value, tuple(r.headers or ())) for r in events],
        RawRecord(states[-1].offset, states[-1].value) if states else None,
        latest,
        signer_of=signature_check(trust, topics.case_events, key) if trust is not None else claimed_signer,
    )


def signature_check(trust: TrustStore, topic: str, key: bytes) -> SignerCheck:
    """Who provably signed a case-events record: only a processor may write case history."""

    def check(raw: RawRecord) -> str:
        try:
            origin = trust.verify_record(topic, key, raw.value, raw.headers, historical=True)
        except RecordRefused as exc:
            return f"{exc.signer or 'unsigned'} (NOT VERIFIED: {exc.reason})"
        if origin.kind != "processor":
            return f"{origin.signer} (NOT VERIFIED: case history must be signed by a processor)"
        return f"{origin.signer} (verified)"

    return check
