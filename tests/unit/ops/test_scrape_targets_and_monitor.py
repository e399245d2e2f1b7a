"""The file_sd targets `gbus run` writes, and the monitor's gauges from a cluster snapshot."""

from __future__ import annotations

import json

import pytest
from prometheus_client import generate_latest

from gbus.devrun.scrape_targets import ScrapeProcess, scrape_targets, write_scrape_targets
from gbus.observability.metrics import MonitorMetrics
from gbus.ops.cluster import Broker, ClusterSnapshot, GroupInfo
from gbus.ops.lag import node_monitor_group
from gbus.ops.monitor import LabelSets, Monitor, export

PROCESSES = [
    ScrapeProcess("processor", "p1", "http://127.0.0.1:40125/metrics"),
    ScrapeProcess("node", "node-79", "http://127.0.0.1:40124/metrics", area="79"),
    ScrapeProcess("monitor", "monitor", "http://127.0.0.1:40126/metrics"),
]


def test_each_process_is_a_target_labelled_with_its_role_and_nodes_with_their_area():
    groups = scrape_targets(PROCESSES)
    assert groups[1] == {"targets": ["127.0.0.1:40124"], "labels": {"role": "node", "process": "node-79", "area": "79"}}
    assert [g["labels"]["role"] for g in groups] == ["processor", "node", "monitor"]


def test_the_targets_file_is_written_whole_and_replaced_atomically(tmp_path):
    path = write_scrape_targets(tmp_path / "sd" / "gbus.json", PROCESSES)
    write_scrape_targets(path, PROCESSES[:1])
    assert json.loads(path.read_text()) == scrape_targets(PROCESSES[:1])
    assert [p.name for p in path.parent.iterdir()] == ["gbus.json"]


@pytest.mark.parametrize(
    "bad", [ScrapeProcess("node", "n", "127.0.0.1:1/metrics"), ScrapeProcess("db", "x", "http://h:1/metrics")]
)
def test_a_target_without_host_and_port_or_with_an_unknown_role_is_refused(bad):
    with pytest.raises(ValueError):
        scrape_targets([bad])


def snapshot(groups=None, end79=12) -> ClusterSnapshot:
    return ClusterSnapshot(
        cluster_id="c",
        brokers=(Broker(1, "h", 1), Broker(2, "h", 2, fenced=True)),
        topics={"gbus.reports": 1, "gbus.node.79": 1},
        start_offsets={},
        end_offsets={("gbus.reports", 0): 50, ("gbus.node.79", 0): end79},
        groups=groups
        if groups is not None
        else {"gbus-processor": GroupInfo("gbus-processor", "Stable", 1, {("gbus.reports", 0): 45})},
    )


def sample(metrics: MonitorMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_the_monitor_exports_unfenced_brokers_group_lag_and_node_topic_ends():
    metrics = MonitorMetrics()
    export(snapshot(), metrics, LabelSets())
    assert sample(metrics, "gbus_kafka_brokers") == 1
    assert (
        sample(metrics, "gbus_kafka_group_lag_records", group="gbus-processor", topic="gbus.reports", partition="0")
        == 5
    )
    assert sample(metrics, "gbus_node_topic_end_offset", node="79") == 12
    assert sample(metrics, "gbus_node_backlog_records", node="79") is None


def test_a_node_that_commits_its_position_gets_an_exact_backlog():
    metrics = MonitorMetrics()
    group = node_monitor_group("gbus.", "79")
    export(snapshot({group: GroupInfo(group, "Empty", 0, {("gbus.node.79", 0): 10})}, end79=15), metrics, LabelSets())
    assert sample(metrics, "gbus_node_committed_position", node="79") == 10
    assert sample(metrics, "gbus_node_backlog_records", node="79") == 5


def test_series_of_a_group_that_disappeared_are_removed():
    metrics, labels = MonitorMetrics(), LabelSets()
    export(snapshot(), metrics, labels)
    export(snapshot(groups={}), metrics, labels)
    assert b"gbus_kafka_group_lag_records{" not in generate_latest(metrics.registry)


def test_a_failed_reading_is_counted_and_the_last_success_is_kept():
    metrics = MonitorMetrics()
    readings = iter([snapshot(), OSError("broker gone")])

    def read():
        item = next(readings)
        if isinstance(item, Exception):
            raise item
        return item

    monitor = Monitor(read, metrics, clock=lambda: 1000.0)
    assert monitor.poll_once() and not monitor.poll_once()
    assert sample(metrics, "gbus_monitor_polls_total", outcome="ok") == 1
    assert sample(metrics, "gbus_monitor_polls_total", outcome="error") == 1
    assert sample(metrics, "gbus_monitor_last_success_timestamp_seconds") == 1000.0
