"""Reading a topic's committed records from the beginning up to where it ends now."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from gbus.config import KafkaSettings

# A fetch from a local broker answers in milliseconds; this bounds a broker that stopped answering.
DEFAULT_TIMEOUT_S = 60.0


def read_to_end(
    settings: KafkaSettings,
    partitions: Iterable[tuple[str, int]],
    *,
    key: bytes | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> list[Any]:
    """Every committed record of `partitions` that existed when called, in offset order per partition.

    No consumer group: reading never moves anyone's position. `key` keeps only
    that key's records (the filtering is ours; Kafka has no index by key).
    Raises TimeoutError if the end is not reached in `timeout_s`.
    """
    tps = [TopicPartition(t, p) for t, p in partitions]
    if not tps:
        return []
    consumer = KafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers.split(","),
        client_id=f"{settings.client_id}-ops-reader",
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        request_timeout_ms=settings.request_timeout_ms,
        **settings.client_security(),
    )
    try:
        consumer.assign(tps)
        # read_committed: the end is the last stable offset, so an open transaction cannot keep us waiting.
        ends = consumer.end_offsets(tps)
        consumer.seek_to_beginning(*tps)
        pending = {tp for tp in tps if ends.get(tp, 0) > 0}
        out: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while pending:
            if time.monotonic() > deadline:
                left = ", ".join(f"{tp.topic}[{tp.partition}]" for tp in sorted(pending))
                raise TimeoutError(f"did not reach the end of {left} within {timeout_s:g} s")
            for tp, records in consumer.poll(timeout_ms=200).items():
                out.extend(r for r in records if r.offset < ends[tp] and (key is None or r.key == key))
            # The position passes commit markers too, so "caught up" is position >= end.
            pending = {tp for tp in pending if consumer.position(tp) < ends[tp]}
        return out
    finally:
        consumer.close()
