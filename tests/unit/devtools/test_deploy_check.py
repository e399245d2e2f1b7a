"""The production topology check finds what would break a real deployment, and passes deploy/ as it is."""

from __future__ import annotations

from pathlib import Path

from gbus.devtools.deploy_check import check, kafka_problems, loopback_lines, unit_problems

REPO = Path(__file__).resolve().parents[3]


def test_the_deploy_directory_of_the_repository_passes():
    assert check(REPO / "deploy") == []


def test_a_loopback_address_outside_a_comment_is_reported_with_its_line():
    text = '# 127.0.0.1 in a comment is fine\nbootstrap_servers = "127.0.0.1:9092"\n'
    assert loopback_lines("x.toml", text) == [
        "x.toml:2: names a loopback address (127.0.0.1); production processes run on separate hosts"
    ]
    assert loopback_lines("x.toml", 'listen = "localhost:7443"')


def test_a_listener_without_tls_is_reported():
    text = "process.roles=broker\nlisteners=PLAINTEXT://0.0.0.0:9092,SASL_SSL://0.0.0.0:9093\n"
    assert kafka_problems("b.properties", text) == ["b.properties: listener PLAINTEXT is PLAINTEXT, not TLS"]


def test_a_min_isr_equal_to_the_replication_factor_is_reported():
    text = "process.roles=broker\ndefault.replication.factor=2\nmin.insync.replicas=2\n"
    assert kafka_problems("b.properties", text) == [
        "b.properties: min.insync.replicas 2 leaves no broker to lose with replication 2"
    ]


def test_a_unit_pointing_at_a_config_that_deploy_does_not_ship_is_reported(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "node.toml").write_text("")
    text = "[Service]\nExecStart=/opt/gbus/venv/bin/gbus node --config /etc/gbus/nodes.toml --area %i\n"
    [problem] = unit_problems("gbus-node@.service", text, tmp_path)
    assert problem.startswith("gbus-node@.service: runs with /etc/gbus/nodes.toml, but ")
    assert problem.endswith("/config/nodes.toml does not exist")


def test_a_config_file_with_an_unknown_key_is_reported(tmp_path):
    for sub in ("config", "systemd", "kafka/production"):
        (tmp_path / sub).mkdir(parents=True)
    (tmp_path / "config" / "node.toml").write_text('[kafka]\nbootstrap_server = "kafka-1:9093"\n')
    (tmp_path / "systemd" / "a.service").write_text("[Service]\nExecStart=/bin/true\n")
    (tmp_path / "kafka" / "production" / "b.properties").write_text("process.roles=broker\n")
    [problem] = check(tmp_path)
    assert problem.startswith("deploy/config/node.toml:") and "bootstrap_server" in problem
