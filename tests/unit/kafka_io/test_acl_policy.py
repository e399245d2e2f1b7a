"""The ACL policy: each node reads only its own topic; the processor gets what it uses."""

from __future__ import annotations

from gbus.kafka_io.acl_policy import (
    AclRule,
    Operation,
    Pattern,
    Resource,
    bus_acls,
    node_acls,
    processor_acls,
)
from gbus.topics import Topics

TOPICS = Topics(prefix="gbus.", partitions=35)


def grants(rules: list[AclRule], principal: str) -> set[tuple[str, str, str]]:
    return {(r.resource.value, r.name, r.operation.value) for r in rules if r.principal == principal}


def test_a_node_reads_its_own_topic_and_its_own_command_results_and_writes_the_intake_topics() -> None:
    assert grants(node_acls(TOPICS, "79"), "User:node-79") == {
        ("TOPIC", "gbus.node.79", "READ"),
        ("TOPIC", "gbus.node.79", "DESCRIBE"),
        ("TOPIC", "gbus.command-results.79", "READ"),
        ("TOPIC", "gbus.command-results.79", "DESCRIBE"),
        ("TOPIC", "gbus.report-results.79", "READ"),
        ("TOPIC", "gbus.report-results.79", "DESCRIBE"),
        ("TOPIC", "gbus.reports", "WRITE"),
        ("TOPIC", "gbus.reports", "DESCRIBE"),
        ("TOPIC", "gbus.commands", "WRITE"),
        ("TOPIC", "gbus.commands", "DESCRIBE"),
        ("TOPIC", "gbus.dead-letters", "WRITE"),
        ("TOPIC", "gbus.dead-letters", "DESCRIBE"),
        ("GROUP", "gbus.node-monitor.79", "READ"),
        ("GROUP", "gbus.node-monitor.79", "DESCRIBE"),
    }


def test_node_rules_are_literal_so_no_node_matches_another_provinces_topic() -> None:
    rules = node_acls(TOPICS, "79")
    assert all(r.pattern is Pattern.LITERAL for r in rules)
    assert not any(r.name in ("gbus.node.01", "gbus.command-results.01") for r in rules)
    assert not any(r.operation is Operation.READ and r.name in ("gbus.reports", "gbus.case-events") for r in rules)


def test_a_nodes_only_group_is_its_own_monitoring_group_and_it_gets_no_cluster_or_transactional_rights() -> None:
    rules = node_acls(TOPICS, "VN")
    assert {r.resource for r in rules} == {Resource.TOPIC, Resource.GROUP}
    assert {r.name for r in rules if r.resource is Resource.GROUP} == {"gbus.node-monitor.VN"}


def test_node_rules_follow_the_topic_prefix() -> None:
    names = {r.name for r in node_acls(Topics(prefix="test-1.", partitions=3), "01")}
    assert names == {
        "test-1.node.01",
        "test-1.command-results.01",
        "test-1.report-results.01",
        "test-1.reports",
        "test-1.commands",
        "test-1.dead-letters",
        "test-1.node-monitor.01",
    }


def test_the_processor_gets_its_prefix_its_group_and_its_transactional_ids() -> None:
    rules = processor_acls(TOPICS, group_id="gbus-processor")
    got = {(r.resource.value, r.name, r.operation.value, r.pattern.value) for r in rules}
    assert ("TOPIC", "gbus.", "READ", "PREFIXED") in got
    assert ("TOPIC", "gbus.", "WRITE", "PREFIXED") in got
    assert ("GROUP", "gbus-processor", "READ", "LITERAL") in got
    # processor.bootstrap.transactional_id: "<group>-<instance>"
    assert ("TRANSACTIONAL_ID", "gbus-processor-", "WRITE", "PREFIXED") in got
    assert ("CLUSTER", "kafka-cluster", "IDEMPOTENT_WRITE", "LITERAL") in got
    assert {r.principal for r in rules} == {"User:processor"}


def test_the_transactional_id_rule_matches_what_the_processor_uses() -> None:
    from gbus.processor.bootstrap import transactional_id

    rule = next(r for r in processor_acls(TOPICS, "g1") if r.resource is Resource.TRANSACTIONAL_ID)
    assert transactional_id("g1", "host-a").startswith(rule.name)


def test_the_bus_rules_cover_every_area_once() -> None:
    rules = bus_acls(TOPICS, ("79", "01", "VN"))
    principals = {r.principal for r in rules}
    assert principals == {"User:processor", "User:node-79", "User:node-01", "User:node-VN"}
    assert len(rules) == len(set(rules))


def test_a_rule_prints_as_an_operator_reads_it() -> None:
    rule = AclRule("User:node-79", Resource.TOPIC, "gbus.node.79", Operation.READ)
    assert str(rule) == "User:node-79 READ TOPIC:gbus.node.79"
