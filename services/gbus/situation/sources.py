"""Where the report's cases come from: the case-state and case-events topics, or a node's store."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from gbus.codec.single_object import AvroCodec
from gbus.config import KafkaSettings
from gbus.domain.case import CaseState
from gbus.domain.events import CaseEvent
from gbus.domain.vocabulary import shard_of_province
from gbus.ops.kafka_view import admin_client
from gbus.ops.records import read_to_end
from gbus.situation.figures import CaseHistory
from gbus.topics import Topics
from gbus.wire.avro_records import event_from_record, state_from_snapshot

SNAPSHOT = "gbus.avro.CaseSnapshot"
EVENT = "gbus.avro.CaseEvent"


def from_node_store(path: str | Path) -> list[CaseHistory]:
    """A node's local store (its area's cases); read-only use of the SQLite file."""
    from gbus.node.store import NodeStore

    if not Path(path).is_file():
        raise FileNotFoundError(f"no node store at {path}")
    store = NodeStore(path, AvroCodec())
    try:
        return [CaseHistory(state, tuple(events)) for state, events in store.all_cases()]
    finally:
        store.close()


def current_states(
    settings: KafkaSettings, area: str, client_id: str = "report"
) -> tuple[Topics, list[int], list[CaseState]]:
    """Every case's latest snapshot in the compacted case-state topic: the area's shard's
    partition, or every partition for VN. Returns the topics, the partitions read and the states."""
    base = Topics(settings.topic_prefix)
    with admin_client(settings, client_id) as admin:
        if base.case_state not in admin.list_topics():
            raise LookupError(f"topic {base.case_state} does not exist on {settings.bootstrap_servers}")
        # The cluster's partition count, not the config's: the shard must map as the processor wrote it.
        partitions = len(admin.describe_topics([base.case_state])[0]["partitions"])
    topics = Topics(settings.topic_prefix, partitions)
    wanted = list(range(partitions)) if area == "VN" else [topics.partition_of_shard(shard_of_province(area))]
    codec = AvroCodec()
    latest: dict[str, bytes] = {}
    for record in read_to_end(settings, [(topics.case_state, p) for p in wanted]):
        key = record.key.decode("utf-8")
        if record.value is None:
            latest.pop(key, None)  # a tombstone: the case was deleted
        else:
            latest[key] = record.value  # offset order: the last snapshot wins
    return topics, wanted, [state_from_snapshot(codec.decode(blob, expected=SNAPSHOT)) for blob in latest.values()]


def from_topics(settings: KafkaSettings, area: str) -> list[CaseHistory]:
    """The compacted case-state topic and the case-events log: the area's shard, or every shard for VN."""
    topics, wanted, states = current_states(settings, area)
    codec = AvroCodec()
    events: dict[str, list[CaseEvent]] = defaultdict(list)
    for record in read_to_end(settings, [(topics.case_events, p) for p in wanted]):
        if record.value is not None:
            event = event_from_record(codec.decode(record.value, expected=EVENT))
            events[event.case_id].append(event)
    return [CaseHistory(state, tuple(sorted(events.get(state.case_id, ()), key=lambda e: e.seq))) for state in states]
