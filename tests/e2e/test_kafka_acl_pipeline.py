"""The real processor and node 79 on a `--secure` broker, each with its own SCRAM user:
the ACLs of gbus.kafka_io.acl_policy are enough for intake, delivery and commands."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from gbus.config import (
    GrpcSettings,
    KafkaSettings,
    MetricsSettings,
    NodeSettings,
    ProcessorSettings,
    SecuritySettings,
    Settings,
)
from gbus.v1 import case_pb2
from support.flows import HANDLER, WARD_FRONT, cases_of, report, submit
from support.node_harness import Running, wait_until

pytestmark = pytest.mark.e2e
PARTITIONS = 4


@pytest.fixture(scope="module")
def secure_bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from gbus.cli.kafka_security_cmd import apply_bus_acls
    from gbus.kafka_harness import KafkaCluster
    from gbus.kafka_io.admin import ensure_topics
    from gbus.topics import Topics, topic_specs

    cluster = KafkaCluster(tmp_path_factory.mktemp("kafka-secure-e2e"), secure=True, bind_to_parent=True)
    with cluster:
        prefix, group = f"t-{uuid.uuid4().hex[:8]}.", f"g-{uuid.uuid4().hex[:8]}"
        apply_bus_acls(cluster, prefix=prefix, group=group)

        def kafka(user: str) -> KafkaSettings:
            return KafkaSettings(
                bootstrap_servers=cluster.bootstrap_servers, topic_prefix=prefix, partitions=PARTITIONS,
                **cluster.settings_fields(user),  # TLS with the cluster's CA, SCRAM as `user`
            )  # fmt: skip

        ensure_topics(kafka("admin"), topic_specs(Topics(prefix, PARTITIONS)))
        yield {"kafka": kafka, "group": group}


def test_a_report_and_a_status_change_flow_with_each_process_on_its_own_credentials(secure_bus, tmp_path) -> None:
    from gbus.node.app import NodeApp
    from gbus.processor.bootstrap import build_processor
    from gbus.routing import Router
    from gbus.security.installation_secrets import ensure_installation_secrets

    router = Router.default()
    # Kafka logins are secure mode: the development secrets would be refused.
    own = ensure_installation_secrets(tmp_path / "pki")
    security = SecuritySettings(
        identity_master_hex=own.identity_master_hex, reporter_hmac_secret=own.reporter_hmac_secret
    )
    proc = build_processor(
        Settings(kafka=secure_bus["kafka"]("processor"), security=security,
                 processor=ProcessorSettings(group_id=secure_bus["group"], instance_id="p1")),
        in_memory=True, router=router,
    )  # fmt: skip
    proc.start()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: proc.run(stop, poll_timeout_ms=50), daemon=True)
    thread.start()
    node = None
    try:
        wait_until(lambda: proc.ready_partitions, 30, "the processor's partition assignment")
        settings = Settings(
            kafka=secure_bus["kafka"]("node-79"), grpc=GrpcSettings(listen="127.0.0.1:0"),
            metrics=MetricsSettings(listen="127.0.0.1:0"), node=NodeSettings(area="79", data_dir=str(tmp_path)),
            security=security,
        )  # fmt: skip
        node = Running(NodeApp(settings, router=router).start())

        submit(
            node, report("acl-1", WARD_FRONT, "mttq", "Đèn đường hỏng", "Đèn đường trước số 12 Lê Lợi hỏng nhiều ngày.")
        )
        case = wait_until(lambda: next(iter(cases_of(node, HANDLER)), None), 30, "the case delivered to node 79")

        reply = node.cases.UpdateStatus(
            case_pb2.UpdateStatusRequest(case_id=case.case_id, status=case_pb2.CASE_STATUS_ACCEPTED,
                                         expected_version=case.version, reason="acl e2e"),
            metadata=(("x-agency-id", HANDLER),), timeout=20,
        )  # fmt: skip
        assert reply.case.status == case_pb2.CASE_STATUS_ACCEPTED
    finally:
        if node is not None:
            node.stop()
        stop.set()
        thread.join(30)
        proc.close()
