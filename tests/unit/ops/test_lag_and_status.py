"""Lag arithmetic and the `gbus status` rendering, from hand-made cluster snapshots."""

from __future__ import annotations

from gbus.ops.cluster import Broker, ClusterSnapshot, GroupInfo
from gbus.ops.lag import group_lags, node_deliveries, node_monitor_group
from gbus.ops.status_view import render_status, status_dict


def snapshot(**over) -> ClusterSnapshot:
    fields = dict(
        cluster_id="c1",
        brokers=(Broker(1, "127.0.0.1", 9092, controller=True), Broker(2, "127.0.0.1", 9093)),
        topics={"gbus.reports": 2, "gbus.node.VN": 1, "gbus.node.79": 1, "gbus.node.01": 1},
        start_offsets={("gbus.reports", 0): 0, ("gbus.reports", 1): 5},
        end_offsets={
            ("gbus.reports", 0): 120,
            ("gbus.reports", 1): 40,
            ("gbus.node.VN", 0): 30,
            ("gbus.node.79", 0): 12,
        },
        groups={"gbus-processor": GroupInfo("gbus-processor", "Stable", 1, {("gbus.reports", 0): 100})},
        prefix="gbus.",
    )
    fields.update(over)
    return ClusterSnapshot(**fields)


def test_group_lag_is_end_minus_committed_and_an_uncommitted_partition_counts_from_its_earliest_offset():
    [group] = group_lags(snapshot())
    lags = {(p.topic, p.partition): (p.committed, p.lag) for p in group.partitions}
    assert lags == {("gbus.reports", 0): (100, 20), ("gbus.reports", 1): (None, 35)}
    assert group.total == 55 and group.by_topic() == {"gbus.reports": 55}


def test_node_delivery_position_is_unknown_unless_the_node_commits_it_to_its_monitoring_group():
    monitor = node_monitor_group("gbus.", "79")
    snap = snapshot(groups={monitor: GroupInfo(monitor, "Empty", 0, {("gbus.node.79", 0): 9})})
    by_area = {d.area: d for d in node_deliveries(snap)}
    assert [d.area for d in node_deliveries(snap)][0] == "VN"
    assert (by_area["79"].position, by_area["79"].lag) == (9, 3)
    assert (by_area["VN"].end_offset, by_area["VN"].position, by_area["VN"].lag) == (30, None, None)


def test_node_monitoring_groups_are_reported_as_node_delivery_not_as_consumer_groups():
    monitor = node_monitor_group("gbus.", "79")
    snap = snapshot(groups={monitor: GroupInfo(monitor, "Empty", 0, {("gbus.node.79", 0): 9})})
    assert group_lags(snap) == []


def test_status_text_names_brokers_topics_group_lag_per_partition_and_summarises_empty_node_topics():
    text = "\n".join(render_status(snapshot()))
    assert "2 broker(s)" in text and "127.0.0.1:9092" in text and "controller" in text
    assert "gbus-processor  state=Stable members=1 lag=55" in text
    assert "[ 0] committed      100  end      120  lag 20" in text
    assert "gbus.node.01" not in text and "1 empty node topics" in text
    assert "VN  end       30  position unknown" in text


def test_status_json_carries_every_partition_and_node():
    doc = status_dict(snapshot())
    assert [t["name"] for t in doc["topics"]] == sorted(snapshot().topics)
    assert doc["groups"][0]["partitions"][1] == {
        "topic": "gbus.reports",
        "partition": 1,
        "committed": None,
        "end": 40,
        "lag": 35,
    }
    assert {n["area"] for n in doc["nodes"]} == {"VN", "79", "01"}
