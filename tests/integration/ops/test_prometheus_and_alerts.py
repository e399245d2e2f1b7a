"""A real Prometheus server scrapes a running processor, nodes and the monitor, with the alert rules of deploy/.

The scrape config is deploy/prometheus/prometheus.yml with the test's targets
file (written by gbus.devrun.scrape_targets, as `gbus run` does) and a 1 s
interval; the rules are deploy/prometheus/alerts.yml, unchanged.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from support.node_harness import wait_until
from support.ops_import_data import write_import_file
from support.prometheus_server import PrometheusServer, require

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def running(ops_bus, tmp_path_factory):
    ops_bus.start_processor()
    ops_bus.start_node("79")
    ops_bus.start_node("VN")
    ops_bus.start_monitor()
    ops_bus.write_targets()
    prometheus = PrometheusServer(tmp_path_factory.mktemp("prometheus"), ops_bus.targets_file).start()
    yield ops_bus, prometheus
    prometheus.stop()


def gbus(*args: str, env_prefix: str, bootstrap: str) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, GBUS__KAFKA__TOPIC_PREFIX=env_prefix, GBUS__KAFKA__BOOTSTRAP_SERVERS=bootstrap)
    return subprocess.run(
        [sys.executable, "-m", "gbus.cli.main", *args], capture_output=True, text=True, timeout=120, env=env
    )


def import_file(ops_bus, path, area: str) -> dict:
    done = gbus("import", str(path), "--node", ops_bus.nodes[area].grpc_address, "--json", "--no-progress",
                env_prefix=ops_bus.bus.prefix, bootstrap=ops_bus.bus.bootstrap)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_every_process_serves_metrics_that_pass_promtool_check_metrics(running):
    ops_bus, _ = running
    promtool = require("promtool")
    for name, url in ops_bus.metrics_urls().items():
        with urllib.request.urlopen(url, timeout=5) as reply:
            text = reply.read()
        assert text.startswith(b"# HELP"), name
        checked = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, timeout=30)
        assert checked.returncode == 0 and not checked.stdout.strip(), f"{name}: {checked.stdout!r} {checked.stderr!r}"


def test_prometheus_scrapes_every_process_and_promql_counts_the_reports_received(running, tmp_path):
    ops_bus, prometheus = running
    wait_until(lambda: prometheus.value('count(up{job="gbus"} == 1)') == 4, 30, "four targets up")
    roles = {r["metric"]["role"] for r in prometheus.query('up{job="gbus"}')}
    assert roles == {"processor", "node", "monitor"}
    write_import_file(tmp_path / "a.jsonl", total=30, bad=0, province="79", prefix="prom79")
    write_import_file(tmp_path / "b.jsonl", total=20, bad=0, province="01", prefix="prom01")
    assert import_file(ops_bus, tmp_path / "a.jsonl", "79")["accepted"] == 30
    assert import_file(ops_bus, tmp_path / "b.jsonl", "VN")["accepted"] == 20
    wait_until(lambda: prometheus.value("sum(gbus_reports_received_total)") == 50, 30, "Prometheus to count 50 reports")
    by_node = {
        r["metric"]["area"]: float(r["value"][1])
        for r in prometheus.query('sum by (area) (gbus_reports_received_total{role="node"})')
    }
    assert by_node == {"79": 30.0, "VN": 20.0}
    # ...and the processor took them in: 50 dedup decisions, seen through the same server.
    wait_until(
        lambda: prometheus.value('sum(gbus_dedup_decisions_total{role="processor"})') == 50, 60, "50 dedup decisions"
    )


def test_gbus_status_shows_the_processor_group_caught_up_and_the_node_topics(running):
    ops_bus, _ = running
    wait_until(lambda: ops_bus.processor and all(
        v == 0 for v in _group_lags(ops_bus).values()), 60, "the processor group to catch up")  # fmt: skip
    done = gbus("status", "--json", env_prefix=ops_bus.bus.prefix, bootstrap=ops_bus.bus.bootstrap)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    [group] = [g for g in status["groups"] if g["group"] == ops_bus.processor.group_id]
    assert group["state"] == "Stable" and group["members"] == 1 and group["lag"] == 0
    assert {ops_bus.bus.topics.reports} <= set(group["lag_by_topic"])
    # Each node commits its applied position to its monitoring group every few seconds.
    node = wait_until(lambda: (n := _node_status(ops_bus, "79"))["position"] is not None and n["lag"] == 0 and n,
                      30, "node 79's applied position in Kafka")  # fmt: skip
    assert node["end_offset"] > 0 and node["position"] == node["end_offset"]


def _node_status(ops_bus, area: str) -> dict:
    done = gbus("status", "--json", env_prefix=ops_bus.bus.prefix, bootstrap=ops_bus.bus.bootstrap)
    assert done.returncode == 0, done.stderr
    return {n["area"]: n for n in json.loads(done.stdout)["nodes"]}[area]


def _group_lags(ops_bus) -> dict:
    from gbus.ops.kafka_view import read_cluster
    from gbus.ops.lag import group_lags

    return {
        g.group: g.total for g in group_lags(read_cluster(ops_bus.kafka)) if g.group == ops_bus.processor.group_id
    } or {"none": 1}


def test_a_stopped_node_shows_delivery_lag_and_its_alerts_fire_then_it_catches_up_after_a_restart(running, tmp_path):
    ops_bus, prometheus = running
    lag = 'gbus:node_delivery_lag_records{node="79"}'
    wait_until(lambda: prometheus.value(lag) == 0, 30, "node 79 caught up, as Prometheus sees it")

    ops_bus.stop_node("79")  # its target stays in the file, as with a crashed process
    wait_until(lambda: prometheus.value('up{area="79"}') == 0, 30, "the node's target to be down")
    write_import_file(tmp_path / "while-down.jsonl", total=400, bad=0, province="79", prefix="down")
    assert import_file(ops_bus, tmp_path / "while-down.jsonl", "VN")["accepted"] == 400

    # Measured from outside the stopped node: its topic's end (monitor) minus its last reported position.
    behind = wait_until(
        lambda: (v := prometheus.value(lag)) is not None and v > 100 and v, 60, "delivery lag above 100"
    )
    assert behind > 100
    # gbus status reads the position the node committed when it stopped: its lag is exact.
    # (Copies are fewer than reports: a batch writes one copy per touched case.)
    stopped = wait_until(lambda: (n := _node_status(ops_bus, "79"))["lag"] is not None and n["lag"] > 100 and n,
                         60, "gbus status to show the stopped node's lag")  # fmt: skip
    assert stopped["position"] is not None and stopped["lag"] == stopped["end_offset"] - stopped["position"]
    wait_until(lambda: prometheus.query('ALERTS{alertname="GbusNodeDeliveryLagHigh", node="79"}'), 30, "the lag alert")
    wait_until(lambda: prometheus.query('ALERTS{alertname="GbusNodeDown", area="79"}'), 30, "the node-down alert")
    assert not prometheus.query('ALERTS{alertname=~"GbusNodeDeliveryLagHigh|GbusNodeDown", node="VN"}')

    ops_bus.start_node("79")  # same store: it resumes from its position
    ops_bus.write_targets()
    wait_until(lambda: prometheus.value(lag) == 0, 60, "node 79 to catch up after its restart")
    wait_until(
        lambda: not prometheus.query('ALERTS{alertname="GbusNodeDeliveryLagHigh", node="79"}'),
        30,
        "the lag alert to clear",
    )
