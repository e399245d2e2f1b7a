"""A secure cluster speaks TLS on its client port with a certificate from the bus CA, and a
report's text never crosses the wire in clear (packet capture where tcpdump is available)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from gbus.config import KafkaSettings
from gbus.kafka_harness import KafkaCluster
from gbus.security.certificates import issued_by

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def secure_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    cluster = KafkaCluster(tmp_path_factory.mktemp("kafka-tls"), secure=True, bind_to_parent=True,
                           progress=lambda m: print(f"[kafka tls] {m}", flush=True))  # fmt: skip
    with cluster:
        yield cluster


def test_the_client_port_completes_a_tls_handshake_with_a_certificate_of_the_bus_ca(secure_cluster):
    node = secure_cluster.nodes[0]
    ca = secure_cluster.ca_dir / "ca.pem"
    context = ssl.create_default_context(cafile=str(ca))  # verifies the chain and the name 127.0.0.1
    with socket.create_connection(("127.0.0.1", node.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            assert issued_by(ssl.DER_cert_to_PEM_cert(tls.getpeercert(binary_form=True)), ca.read_bytes())


def test_a_client_that_does_not_trust_the_bus_ca_is_refused(secure_cluster, tmp_path):
    from gbus.security.pki import create_ca

    other = create_ca(tmp_path / "other-ca").cert_path
    context = ssl.create_default_context(cafile=str(other))
    with socket.create_connection(("127.0.0.1", secure_cluster.nodes[0].port), timeout=10) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            context.wrap_socket(raw, server_hostname="127.0.0.1")


def test_a_plaintext_kafka_request_gets_no_answer(secure_cluster):
    # ApiVersions v0 in the clear: a PLAINTEXT listener would answer it at once.
    request = bytes.fromhex("00120000000000010004") + b"gbus"
    with socket.create_connection(("127.0.0.1", secure_cluster.nodes[0].port), timeout=10) as raw:
        raw.sendall(len(request).to_bytes(4, "big") + request)
        raw.settimeout(5)
        try:
            answer = raw.recv(4096)
        except (TimeoutError, ConnectionResetError):
            answer = b""
    assert answer[:1] in (b"", b"\x15"), answer[:32]  # nothing, or a TLS alert record


def _tcpdump(port: int, pcap: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-s", "0", "-w", str(pcap), f"tcp port {port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 10
    while not pcap.exists() or pcap.stat().st_size == 0:  # the pcap header is written once it listens
        if proc.poll() is not None:
            pytest.skip(f"tcpdump cannot capture here: {proc.stderr.read().decode(errors='replace')[:200]}")
        assert time.monotonic() < deadline, "tcpdump did not start"
        time.sleep(0.1)
    time.sleep(0.5)
    return proc


def _send_and_read_back(bootstrap: str, client: dict[str, Any], topic: str, text: bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **client)
    producer.send(topic, value=text, partition=0).get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, **client)
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(r.value == text for rs in consumer.poll(timeout_ms=500).values() for r in rs):
                return
        raise AssertionError("the record was not read back")
    finally:
        consumer.close()


def _captured(port: int, tmp_path: Path, send: Callable[[bytes], None]) -> tuple[bytes, bytes]:
    pcap = tmp_path / f"kafka-{port}.pcap"
    text = f"Đường Lê Lợi ngập sâu, marker {uuid.uuid4().hex}".encode()
    capture = _tcpdump(port, pcap)
    try:
        send(text)
        time.sleep(1.0)
    finally:
        capture.terminate()
        capture.wait(timeout=10)
    return text, pcap.read_bytes()


@pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed (apt-get install tcpdump)")
def test_a_packet_capture_of_the_secure_client_port_holds_no_report_text(secure_cluster, tmp_path):
    from gbus.kafka_io.admin import ensure_topics
    from gbus.topics import TopicSpec

    topic = f"tls-{uuid.uuid4().hex[:8]}"
    ensure_topics(KafkaSettings(bootstrap_servers=secure_cluster.bootstrap_servers, **secure_cluster.settings_fields()),
                  [TopicSpec(topic, 1, {})])  # fmt: skip
    port = secure_cluster.nodes[0].port
    text, wire = _captured(
        port,
        tmp_path,
        lambda t: _send_and_read_back(
            secure_cluster.bootstrap_servers, secure_cluster.client_config("admin"), topic, t
        ),
    )
    assert len(wire) > 2000, "the capture saw the traffic"
    assert text not in wire and text[-32:] not in wire


@pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed (apt-get install tcpdump)")
def test_the_same_capture_of_a_plaintext_broker_does_show_the_text(kafka_bootstrap, create_topic, tmp_path):
    # Control: the capture method would have found the text had it crossed in clear.
    topic = create_topic()
    port = int(kafka_bootstrap.split(",")[0].rsplit(":", 1)[1])
    text, wire = _captured(port, tmp_path, lambda t: _send_and_read_back(kafka_bootstrap, {}, topic, t))
    assert text[-32:] in wire
