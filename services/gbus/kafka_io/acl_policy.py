"""Who may do what on Kafka: the ACLs of each bus principal, derived from gbus.topics.

Pure: no kafka import, so the policy is tested without a broker. kafka_io.acl_admin turns
these rules into kafka-python ACL objects and applies them.

Principals (SCRAM user names; Kafka sees them as User:<name>):
    admin          super user: inter-broker traffic, topic creation, ACLs, operators' tools
    processor      the case processor (all its instances share one principal)
    node-<area>    one per provincial node and the central node (node-79, node-VN ...)

What each needs follows from what it reads and writes:
- a node reads its own copy topic node.<area> and its answers on command-results.<area>, and
  writes reports, commands and dead-letters. It consumes without a group (manual assignment)
  and its producer is idempotent but not transactional, which since Kafka 3.0 (KIP-679)
  needs WRITE on a topic only, not IdempotentWrite on the cluster.
- the processor reads and writes every topic of its prefix, commits offsets in its consumer
  group, and writes in transactions whose ids start with "<group>-" (processor.bootstrap).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from gbus.ops.lag import node_monitor_group
from gbus.topics import Topics

ADMIN_USER = "admin"
PROCESSOR_USER = "processor"
DEFAULT_PROCESSOR_GROUP = "gbus-processor"


def node_user(area: str) -> str:
    return f"node-{area}"


def principal(user: str) -> str:
    return f"User:{user}"


class Resource(str, Enum):
    TOPIC = "TOPIC"
    GROUP = "GROUP"
    CLUSTER = "CLUSTER"
    TRANSACTIONAL_ID = "TRANSACTIONAL_ID"


class Pattern(str, Enum):
    LITERAL = "LITERAL"
    PREFIXED = "PREFIXED"


class Operation(str, Enum):
    READ = "READ"
    WRITE = "WRITE"
    DESCRIBE = "DESCRIBE"
    IDEMPOTENT_WRITE = "IDEMPOTENT_WRITE"


# Kafka's only name for the cluster resource.
CLUSTER_NAME = "kafka-cluster"


@dataclass(frozen=True, slots=True, order=True)
class AclRule:
    """ALLOW `operation` on a resource to `principal` from any host."""

    principal: str
    resource: Resource
    name: str
    operation: Operation
    pattern: Pattern = Pattern.LITERAL

    def __str__(self) -> str:
        star = "*" if self.pattern is Pattern.PREFIXED else ""
        return f"{self.principal} {self.operation.value} {self.resource.value}:{self.name}{star}"


def _grant(
    user: str, resource: Resource, names: list[str], ops: tuple[Operation, ...], pattern: Pattern = Pattern.LITERAL
) -> list[AclRule]:
    return [AclRule(principal(user), resource, n, op, pattern) for n in names for op in ops]


def node_acls(topics: Topics, area: str) -> list[AclRule]:
    """A node reads only its own copies (and command answers) and writes the intake topics."""
    user = node_user(area)
    read = (Operation.READ, Operation.DESCRIBE)
    write = (Operation.WRITE, Operation.DESCRIBE)
    return sorted(
        _grant(
            user,
            Resource.TOPIC,
            [topics.node(area), topics.report_results(area), topics.command_results_of(area)],
            read,
        )
        + _grant(user, Resource.TOPIC, [topics.reports, topics.commands, topics.dead_letters], write)
        # Its monitoring group: the applied position, committed for `gbus status` (gbus.node.position_reporter).
        + _grant(user, Resource.GROUP, [node_monitor_group(topics.prefix, area)], read)
    )


def processor_acls(topics: Topics, group_id: str = DEFAULT_PROCESSOR_GROUP) -> list[AclRule]:
    """Every topic of the bus's prefix, its consumer group, its transactional ids."""
    user = PROCESSOR_USER
    rw = (Operation.READ, Operation.WRITE, Operation.DESCRIBE)
    return sorted(
        # Prefixed: the processor writes every node.<area> topic, including areas added later.
        _grant(user, Resource.TOPIC, [topics.prefix], rw, Pattern.PREFIXED)
        + _grant(user, Resource.GROUP, [group_id], (Operation.READ, Operation.DESCRIBE))
        # transactional.id = "<group>-<instance>": one per processor host.
        + _grant(
            user, Resource.TRANSACTIONAL_ID, [f"{group_id}-"], (Operation.WRITE, Operation.DESCRIBE), Pattern.PREFIXED
        )
        + _grant(user, Resource.CLUSTER, [CLUSTER_NAME], (Operation.IDEMPOTENT_WRITE,))
    )


def bus_acls(topics: Topics, areas: tuple[str, ...], group_id: str = DEFAULT_PROCESSOR_GROUP) -> list[AclRule]:
    """Every ACL of one bus (one topic prefix): the processor's and each node's."""
    rules = processor_acls(topics, group_id)
    for area in areas:
        rules.extend(node_acls(topics, area))
    return rules
