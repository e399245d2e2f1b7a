"""How many copies of each bus topic, and how many must hold a write before it is acknowledged.

Pure: decided from the number of live brokers and what the operator asked for, so the rule is
tested without a cluster. kafka_io.admin applies it when it creates topics.

Defaults: replication min(3, brokers) and min.insync.replicas 2 whenever there are two or more
replicas. With acks=all (every producer of the bus, kafka_io.clients) a record is then
acknowledged only once two brokers have it, so losing any one broker loses nothing
acknowledged, and with three replicas writes keep flowing while one broker is down.
One broker (development) gets one replica and Kafka's default min ISR of 1.
"""

from __future__ import annotations

from dataclasses import dataclass

# Three copies survive one broker lost and one in maintenance; more adds cost, not safety the
# bus needs (Kafka's own recommendation for production topics is the same).
DEFAULT_MAX_REPLICAS = 3
DEFAULT_MIN_INSYNC = 2


class ReplicationError(ValueError):
    """The requested replication cannot be had on this cluster; the message names the option."""


@dataclass(frozen=True, slots=True)
class Replication:
    factor: int
    min_insync: int

    def topic_config(self) -> dict[str, str]:
        """Per-topic overrides; none for one replica (Kafka's default min ISR is 1)."""
        return {"min.insync.replicas": str(self.min_insync)} if self.factor > 1 else {}


def plan_replication(brokers: int, factor: int | None = None, min_insync: int | None = None) -> Replication:
    """The replication to create topics with on a cluster of `brokers` live brokers.

    factor / min_insync None (or 0) mean the defaults above; explicit values are checked
    against the cluster, because Kafka would otherwise accept a min ISR above the replica
    count and then refuse every acks=all write with NotEnoughReplicas.
    """
    if brokers < 1:
        raise ReplicationError("the cluster reports no live broker; cannot choose a replication factor")
    factor = factor or min(DEFAULT_MAX_REPLICAS, brokers)
    if factor < 1:
        raise ReplicationError(f"--replication-factor must be at least 1, not {factor}")
    if factor > brokers:
        raise ReplicationError(f"--replication-factor {factor} needs {factor} brokers; the cluster has {brokers}")
    if min_insync is None or min_insync == 0:
        min_insync = min(DEFAULT_MIN_INSYNC, factor)
    if not 1 <= min_insync <= factor:
        raise ReplicationError(f"--min-insync must be between 1 and the replication factor {factor}, not {min_insync}")
    return Replication(factor, min_insync)
