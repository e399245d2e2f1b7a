"""Which internal-topic partition coordinates a transactional or group id. Pure.

Fault tests kill "the coordinator broker": the leader of that partition of
`__transaction_state` (or `__consumer_offsets`). Kafka picks it as
Utils.abs(key.hashCode()) % partitions, with Java's String.hashCode.
"""

from __future__ import annotations

# transaction.state.log.num.partitions and offsets.topic.num.partitions of the harness's
# 3-broker template (deploy/kafka/cluster-node.properties.template).
HARNESS_COORDINATOR_PARTITIONS = 3


def coordinator_partition(key: str, partitions: int) -> int:
    h = 0
    for unit in key.encode("utf-16-be").hex(" ", 2).split():
        h = (31 * h + int(unit, 16)) & 0xFFFFFFFF
    signed = h - (1 << 32) if h >= 1 << 31 else h
    return 0 if signed == -(1 << 31) else abs(signed) % partitions
