"""What the harness tells Kafka: cluster ids, ports and the rendered server.properties."""

from __future__ import annotations

import base64
import random
from pathlib import Path

from gbus.kafka_harness.config import new_cluster_id, plan_nodes, render_node_config
from gbus.kafka_harness.paths import deploy_dir
from gbus.kafka_harness.ports import ephemeral_range, pick_free_ports


def parse_properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_a_cluster_id_is_url_safe_base64_of_16_random_bytes_without_padding() -> None:
    ids = {new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    for cluster_id in ids:
        assert len(cluster_id) == 22
        assert "=" not in cluster_id and "+" not in cluster_id and "/" not in cluster_id
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_nodes_on_a_base_port_take_two_consecutive_ports_each() -> None:
    nodes = plan_nodes(3, 9092)
    assert [(n.node_id, n.port, n.controller_port) for n in nodes] == [
        (1, 9092, 9093),
        (2, 9094, 9095),
        (3, 9096, 9097),
    ]


def test_free_ports_are_distinct_and_outside_the_ephemeral_range() -> None:
    low, high = ephemeral_range()
    ports = pick_free_ports(6, random.Random(7))
    assert len(set(ports)) == 6
    assert all(not low <= p <= high for p in ports)


def test_a_single_node_is_a_standalone_quorum_with_unreplicated_internal_topics(tmp_path: Path) -> None:
    (node,) = plan_nodes(1, 19092)
    props = parse_properties(render_node_config(deploy_dir(), node, [node], tmp_path / "data"))

    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:19093"
    assert "controller.quorum.voters" not in props  # --standalone formats a dynamic quorum
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["log.dirs"] == str(tmp_path / "data")
    assert props["auto.create.topics.enable"] == "false"
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr",
    ):
        assert props[key] == "1", key
    assert props["offsets.topic.num.partitions"] == "3"
    assert props["group.initial.rebalance.delay.ms"] == "0"


def test_three_nodes_share_one_voter_set_and_need_two_in_sync_replicas(tmp_path: Path) -> None:
    nodes = plan_nodes(3, 19092)
    rendered = [parse_properties(render_node_config(deploy_dir(), n, nodes, tmp_path / f"n{n.node_id}")) for n in nodes]
    voters = "1@127.0.0.1:19093,2@127.0.0.1:19095,3@127.0.0.1:19097"
    assert [p["node.id"] for p in rendered] == ["1", "2", "3"]
    assert {p["controller.quorum.voters"] for p in rendered} == {voters}
    assert len({p["log.dirs"] for p in rendered}) == 3
    for props in rendered:
        assert props["default.replication.factor"] == "3"
        assert props["min.insync.replicas"] == "2"
        assert "offsets.topic.replication.factor" not in props  # default 3, like the bus's topics


def test_extra_config_is_appended_so_it_overrides_the_template(tmp_path: Path) -> None:
    (node,) = plan_nodes(1, 19092)
    text = render_node_config(deploy_dir(), node, [node], tmp_path, {"group.initial.rebalance.delay.ms": "500"})
    assert parse_properties(text)["group.initial.rebalance.delay.ms"] == "500"


def test_a_cluster_id_never_starts_with_a_dash_that_storage_tool_would_read_as_an_option(monkeypatch):
    draws = iter([b"\xf8" * 16, b"\x10" * 16])  # the first encodes to "-Pj4…", the second does not
    monkeypatch.setattr("gbus.kafka_harness.config.os.urandom", lambda n: next(draws))
    cluster_id = new_cluster_id()
    assert not cluster_id.startswith("-") and cluster_id.startswith("EBAQ")
