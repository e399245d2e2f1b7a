"""Nodes on addresses of their own (KafkaCluster(hosts=...), the fault campaign's partition)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gbus.kafka_harness import HarnessError, KafkaCluster
from gbus.kafka_harness.config import NodeHost, NodeSpec, plan_nodes, render_node_config
from gbus.kafka_harness.netns import Network, names_with_prefix
from gbus.kafka_harness.paths import deploy_dir


def parse_properties(text: str) -> dict[str, str]:
    # Later keys win, as in java.util.Properties.
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_a_loopback_node_is_recorded_in_cluster_json_exactly_as_before_hosts_existed() -> None:
    (node, *_) = plan_nodes(3, 19092)
    assert node.to_json() == {"node_id": 1, "port": 19092, "controller_port": 19093}
    assert node.address == "127.0.0.1:19092"


def test_a_placed_node_keeps_its_address_and_namespace_through_cluster_json() -> None:
    nodes = plan_nodes(3, 19092, hosts={3: NodeHost("169.254.77.2", "gbusfault-b3")})
    restored = [NodeSpec.from_json(n.to_json()) for n in nodes]
    assert restored == nodes
    assert restored[2].address == "169.254.77.2:19096" and restored[2].netns == "gbusfault-b3"


def test_a_loopback_config_has_no_listener_override(tmp_path: Path) -> None:
    nodes = plan_nodes(3, 19092)
    text = render_node_config(deploy_dir(), nodes[0], nodes, tmp_path)
    assert "KafkaCluster(hosts=...)" not in text
    assert text.count("listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093") == 2


def test_a_placed_node_listens_and_advertises_on_its_address_and_every_voter_names_its_own(tmp_path: Path) -> None:
    hosts = {1: NodeHost("169.254.77.1"), 2: NodeHost("169.254.77.1"), 3: NodeHost("169.254.77.2", "ns")}
    nodes = plan_nodes(3, 19092, hosts=hosts)
    rendered = [parse_properties(render_node_config(deploy_dir(), n, nodes, tmp_path)) for n in nodes]
    assert rendered[2]["listeners"] == "PLAINTEXT://169.254.77.2:19096,CONTROLLER://169.254.77.2:19097"
    assert rendered[2]["advertised.listeners"] == rendered[2]["listeners"]
    assert rendered[0]["advertised.listeners"] == "PLAINTEXT://169.254.77.1:19092,CONTROLLER://169.254.77.1:19093"
    voters = "1@169.254.77.1:19093,2@169.254.77.1:19095,3@169.254.77.2:19097"
    assert {p["controller.quorum.voters"] for p in rendered} == {voters}


def test_hosts_for_nodes_that_do_not_exist_or_for_a_single_node_are_refused() -> None:
    with pytest.raises(HarnessError, match=r"nodes \[4\]"):
        plan_nodes(3, 19092, hosts={4: NodeHost("169.254.77.2")})
    with pytest.raises(HarnessError, match="3-node"):
        plan_nodes(1, 19092, hosts={1: NodeHost("169.254.77.2")})


def test_a_secure_cluster_refuses_hosts_its_certificates_do_not_name(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="secure"):
        KafkaCluster(tmp_path / "k", brokers=3, secure=True, hosts={3: NodeHost("169.254.77.2")})


def test_reopening_a_data_dir_with_other_hosts_is_refused(tmp_path: Path) -> None:
    from gbus.kafka_harness.state import ClusterState, save_state

    placed = plan_nodes(3, 19092, hosts={3: NodeHost("169.254.77.2", "ns")})
    (tmp_path / "k").mkdir()
    save_state(tmp_path / "k", ClusterState("id", "4.0.0", placed))
    KafkaCluster(tmp_path / "k", brokers=3, hosts={3: NodeHost("169.254.77.2", "ns")})  # the same: fine
    KafkaCluster(tmp_path / "k", brokers=3)  # no hosts given: the recorded ones are used
    with pytest.raises(HarnessError, match="node hosts"):
        KafkaCluster(tmp_path / "k", brokers=3, hosts={})


def test_the_partition_network_puts_one_node_in_the_namespace_and_the_rest_on_the_root_end() -> None:
    hosts = Network().hosts(isolated=3)
    assert hosts[3].netns == "gbusfault-b3" and hosts[3].host != hosts[1].host
    assert hosts[1] == hosts[2] and hosts[1].netns == ""


def test_leftovers_are_found_by_prefix_in_ip_link_and_netns_listings() -> None:
    links = (
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\\    link/loopback 00:00\n"
        "4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400\n"
        "6: gbusfault-r3@if5: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 link-netns gbusfault-b3\n"
    )
    namespaces = "gbusfault-b3 (id: 0)\nsomeone-elses\n\n"
    assert names_with_prefix(links) == ["gbusfault-r3"]
    assert names_with_prefix(namespaces) == ["gbusfault-b3"]
