"""The Kafka harness fails early and says what to do: missing tools, taken ports, odd data dirs.

No broker and no network here: java and mvn are replaced by small shell scripts on a faked
PATH / JAVA_HOME, so these run on any machine in milliseconds.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from gbus.kafka_harness import (
    DataDirError,
    JarFetchError,
    KafkaCluster,
    MissingToolError,
    PortInUseError,
    ensure_jars,
)
from gbus.kafka_harness.config import NodeSpec
from gbus.kafka_harness.jars import kafka_version
from gbus.kafka_harness.paths import pom_path
from gbus.kafka_harness.state import ClusterState, save_state

INSTALL_HINT = "apt-get install openjdk-17-jre-headless maven"


def write_script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The shims set their own PATH: the test's PATH deliberately lacks the real tools.
    path.write_text("#!/bin/sh\nPATH=/usr/bin:/bin\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH with nothing on it (no java, no mvn) and no JAVA_HOME."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    return bin_dir


@pytest.fixture
def fake_java_17(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "jdk"
    write_script(home / "bin" / "java", "echo 'openjdk version \"17.0.15\" 2025-04-15' >&2\n")
    monkeypatch.setenv("JAVA_HOME", str(home))
    return home


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def run_cli(*argv: str, monkeypatch: pytest.MonkeyPatch) -> int:
    import gbus.cli.main as cli_main

    # Only the kafka command: other areas' CLI modules are not under test here.
    monkeypatch.setattr(cli_main, "COMMAND_MODULES", ("gbus.cli.kafka_cmd",))
    return cli_main.main(list(argv))


def test_missing_java_is_reported_with_how_to_install_it(empty_path: Path, tmp_path: Path) -> None:
    with pytest.raises(MissingToolError) as caught:
        KafkaCluster(tmp_path / "data", base_port=19092).start()
    assert caught.value.tool == "java"
    assert INSTALL_HINT in str(caught.value)


def test_cli_up_without_java_exits_1_with_the_install_hint_on_stderr(
    empty_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli("kafka", "up", "--data-dir", str(tmp_path / "data"), monkeypatch=monkeypatch)
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.startswith("gbus: error: java")
    assert INSTALL_HINT in err


def test_a_java_older_than_17_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "jdk11"
    write_script(home / "bin" / "java", "echo 'openjdk version \"11.0.22\" 2024-01-16' >&2\n")
    monkeypatch.setenv("JAVA_HOME", str(home))
    with pytest.raises(MissingToolError, match="Java 11; Kafka 4.x needs Java 17"):
        KafkaCluster(tmp_path / "data", base_port=19092).start()


def test_missing_maven_is_reported_when_the_jars_are_not_cached(empty_path: Path, tmp_path: Path) -> None:
    with pytest.raises(MissingToolError) as caught:
        ensure_jars(cache_root=tmp_path / "cache")
    assert caught.value.tool == "mvn"
    assert INSTALL_HINT in str(caught.value)


def test_a_taken_port_is_named_with_the_process_that_holds_it(
    fake_java_17: Path, tmp_path: Path, listening_port: int
) -> None:
    with pytest.raises(PortInUseError) as caught:
        KafkaCluster(tmp_path / "data", base_port=listening_port).start()
    message = str(caught.value)
    assert caught.value.port == listening_port
    assert f"port {listening_port}" in message
    assert f"pid {os.getpid()}" in message  # this test process holds it
    assert "--port" in message


def test_a_failing_maven_run_is_reported_with_its_output(empty_path: Path, tmp_path: Path) -> None:
    write_script(empty_path / "mvn", 'echo "[ERROR] Could not resolve dependencies for project"\nexit 1\n')
    with pytest.raises(JarFetchError, match="Could not resolve dependencies"):
        ensure_jars(cache_root=tmp_path / "cache")
    assert not (tmp_path / "cache" / kafka_version(pom_path()) / "lib").exists()


def fake_mvn(bin_dir: Path, counter: Path, version: str) -> None:
    write_script(
        bin_dir / "mvn",
        f'echo run >> "{counter}"\n'
        'for a in "$@"; do case "$a" in -DoutputDirectory=*) out="${a#-DoutputDirectory=}";; esac; done\n'
        'mkdir -p "$out"\n'
        f'touch "$out/kafka_2.13-{version}.jar" "$out/log4j-slf4j-impl-2.25.4.jar"\n',
    )


def test_jars_are_fetched_once_and_then_served_from_the_cache(empty_path: Path, tmp_path: Path) -> None:
    counter = tmp_path / "mvn-runs"
    version = kafka_version(pom_path())
    fake_mvn(empty_path, counter, version)

    first = ensure_jars(cache_root=tmp_path / "cache")
    second = ensure_jars(cache_root=tmp_path / "cache")

    assert first == second
    assert first.lib_dir == tmp_path / "cache" / version / "lib"
    assert counter.read_text().count("run") == 1


def test_a_changed_pom_is_fetched_again(empty_path: Path, tmp_path: Path) -> None:
    counter = tmp_path / "mvn-runs"
    pom = tmp_path / "pom.xml"
    pom.write_text(pom_path().read_text(encoding="utf-8"), encoding="utf-8")
    fake_mvn(empty_path, counter, kafka_version(pom))

    ensure_jars(pom=pom, cache_root=tmp_path / "cache")
    pom.write_text(pom.read_text(encoding="utf-8") + "<!-- changed -->\n", encoding="utf-8")
    ensure_jars(pom=pom, cache_root=tmp_path / "cache")

    assert counter.read_text().count("run") == 2


def test_a_data_dir_holding_other_files_is_never_used(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("precious", encoding="utf-8")
    with pytest.raises(DataDirError, match="not made by the Kafka harness"):
        KafkaCluster(tmp_path, base_port=19092).start()
    assert (tmp_path / "thesis.tex").read_text(encoding="utf-8") == "precious"


def test_a_data_dir_is_reopened_only_with_its_own_broker_count_and_ports(tmp_path: Path) -> None:
    nodes = [NodeSpec(1, 19092, 19093)]
    save_state(tmp_path, ClusterState("AAAAAAAAAAAAAAAAAAAAAA", "4.3.1", nodes))

    with pytest.raises(DataDirError, match="1-broker cluster, not 3"):
        KafkaCluster(tmp_path, brokers=3)
    with pytest.raises(DataDirError, match="formatted for port 19092, not 19500"):
        KafkaCluster(tmp_path, base_port=19500)
    assert KafkaCluster(tmp_path).bootstrap_servers == "127.0.0.1:19092"


def test_cli_status_of_a_data_dir_without_a_cluster_says_absent_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    code = run_cli("kafka", "status", "--data-dir", str(tmp_path), "--json", monkeypatch=monkeypatch)
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["state"] == "absent"
    assert report["ready"] is False


def test_cli_down_with_nothing_running_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("kafka", "down", "--data-dir", str(tmp_path), monkeypatch=monkeypatch) == 0
    assert "nothing to stop" in capsys.readouterr().err
