"""Topic names and the shard -> partition mapping: the contract between processes.

Every topic is partitioned by shard (a province code, "00" for no province)
so that one processor owns all of a province's state. With the default 35
partitions each shard has a partition of its own; with fewer, shards share
partitions but never split across them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from gbus.domain.vocabulary import CENTRAL_AREA, NO_PROVINCE_SHARD


@lru_cache(maxsize=1)
def all_shards() -> tuple[str, ...]:
    """ "00" first, then the 34 province codes in numeric order (vietnam-provinces data)."""
    from vietnam_provinces import Province

    codes = sorted(f"{int(p.code):02d}" for p in Province.iter_all())
    return (NO_PROVINCE_SHARD, *codes)


def node_areas() -> tuple[str, ...]:
    """Every node area: the central node and one per province."""
    return (CENTRAL_AREA, *all_shards()[1:])


def area_of_agency(agency_id: str) -> str:
    """The node area that serves an agency: its province, or VN for central bodies."""
    area = agency_id.rpartition("@")[2]
    return area.split(".", 1)[0] if area != CENTRAL_AREA else CENTRAL_AREA


@dataclass(frozen=True)
class Topics:
    prefix: str = "gbus."
    partitions: int = 35

    @property
    def reports(self) -> str:
        return f"{self.prefix}reports"

    @property
    def commands(self) -> str:
        return f"{self.prefix}commands"

    @property
    def case_events(self) -> str:
        return f"{self.prefix}case-events"

    @property
    def case_state(self) -> str:
        return f"{self.prefix}case-state"

    def command_results_of(self, area: str) -> str:
        """The processor's answers to one node's commands. A topic per node, not a partition of a
        shared topic: Kafka ACLs grant READ per topic, so only node-<area> can read its answers."""
        return f"{self.prefix}command-results.{area}"

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}dead-letters"

    def node(self, area: str) -> str:
        return f"{self.prefix}node.{area}"

    def report_results(self, area: str) -> str:
        """The processor's verdicts on the reports a node accepted: one topic per node, read by it alone."""
        return f"{self.prefix}report-results.{area}"

    def used_by_node(self, area: str) -> list[str]:
        """The topics a node of `area` reads or writes (and its Kafka ACLs cover)."""
        return [
            self.reports,
            self.commands,
            self.command_results_of(area),
            self.dead_letters,
            self.node(area),
            self.report_results(area),
        ]

    def partition_of_shard(self, shard: str) -> int:
        try:
            index = all_shards().index(shard)
        except ValueError:
            raise ValueError(f"unknown shard {shard!r}") from None
        return index % self.partitions

    def shards_of_partition(self, partition: int) -> tuple[str, ...]:
        return tuple(s for s in all_shards() if self.partition_of_shard(s) == partition)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str]


# The audit trail and the intake log are kept forever: a case's history is
# evidence, and a replay after a bug fix must be able to start from the first
# report. Snapshots and node copies are compacted: only the latest per case.
_FOREVER = {"retention.ms": "-1"}
_COMPACTED = {"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"}
# A snapshot, and a node's copy (snapshot + complete history), grow with the
# case: a hotspot with hundreds of reports passes Kafka's 1 MB default. The
# processor refuses a change that would make a case's copy larger than this.
MAX_CASE_RECORD_BYTES = 8 * 1024 * 1024
_LARGE = {"max.message.bytes": str(MAX_CASE_RECORD_BYTES + 64 * 1024)}


def topic_specs(topics: Topics, areas: tuple[str, ...] | None = None) -> list[TopicSpec]:
    """Names, partitions and retention; replication is the cluster's business (kafka_io.replication)."""
    p = topics.partitions
    specs = [
        TopicSpec(topics.reports, p, {**_FOREVER}),
        TopicSpec(topics.commands, p, {**_FOREVER}),
        TopicSpec(topics.case_events, p, {**_FOREVER}),
        TopicSpec(topics.case_state, p, {**_COMPACTED, **_LARGE}),
        TopicSpec(topics.dead_letters, 1, {**_FOREVER}),
    ]
    for area in areas if areas is not None else node_areas():
        # Each node's copies: one partition keeps its delivery order total.
        specs.append(TopicSpec(topics.node(area), 1, {**_COMPACTED, **_LARGE}))
        # Answers to its commands: only useful while a caller waits.
        specs.append(TopicSpec(topics.command_results_of(area), 1, {"retention.ms": str(24 * 3600 * 1000)}))
        # Verdicts live as long as the intake log: a node that was down for a week still
        # learns where the reports it accepted went (GetReport answers from them).
        specs.append(TopicSpec(topics.report_results(area), 1, {**_FOREVER}))
    return specs
