"""Wiring of one node: store, Kafka clients, feed, command gateway, gRPC and metrics.

    app = NodeApp(settings, area="79").start()
    app.grpc_address        # "127.0.0.1:40123"
    app.metrics_url         # "http://127.0.0.1:40124/metrics"
    app.stop()

Nothing here runs at import time; `start()` builds every client and thread,
`stop()` takes them down in reverse order (gRPC first, so no call is cut off
by a closed store).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from gbus.api.caller_guard import CallerGuard
from gbus.api.server import RunningServer, ServiceBinding, start_grpc_server
from gbus.api.tls import server_credentials_for
from gbus.cases.authority import Authority
from gbus.cases.legal_clock import legal_clock_from_settings
from gbus.codec import AvroCodec
from gbus.config import Settings
from gbus.domain.vocabulary import CENTRAL_AREA
from gbus.intake.accepted import AcceptedRequests
from gbus.intake.kafka_sink import KafkaReportSink
from gbus.intake.lookup import ReportLookup
from gbus.intake.placement_store import PlacementStore
from gbus.intake.reporter import ReporterKeyFn, default_reporter_key_fn
from gbus.intake.servicer import IntakeServicer
from gbus.intake.submit import Intake
from gbus.kafka_io.admin import require_topics
from gbus.kafka_io.clients import make_consumer, make_producer
from gbus.kafka_io.signing_producer import SigningProducer
from gbus.node.acting import CaseActions
from gbus.node.commands import CommandGateway
from gbus.node.directory_servicer import directory_service_binding
from gbus.node.feed import CopyFeed
from gbus.node.position_reporter import PositionReporter
from gbus.node.reading import CaseReader
from gbus.node.servicer import CaseServicer
from gbus.node.store import NodeStore
from gbus.node.verdict_feed import VerdictFeed
from gbus.observability.logging import get_logger
from gbus.observability.metrics import Metrics, MetricsEndpoint, serve_metrics
from gbus.ops.lag import node_monitor_group
from gbus.security.provisioning import node_keyring_from_settings, record_signer_from_settings, trust_from_settings
from gbus.security.public_defaults import refuse_public_defaults
from gbus.topics import Topics, all_shards
from gbus.v1 import case_pb2_grpc, intake_pb2_grpc

# Long enough for a leader election on a 3-broker cluster; short enough that a
# member system hears UNAVAILABLE while a person is still waiting.
INTAKE_ACK_TIMEOUT_S = 10.0


def check_area(area: str) -> str:
    """VN or a province code (`79`); a ward is served by its province's node."""
    if area == CENTRAL_AREA or (area in all_shards() and area != all_shards()[0]):
        return area
    raise ValueError(f"not a node area: {area!r} (VN or a 2-digit province code such as 79)")


class NodeApp:
    def __init__(
        self,
        settings: Settings,
        *,
        area: str | None = None,
        router: Any = None,
        reporter_key_fn: ReporterKeyFn | None = None,
        metrics: Metrics | None = None,
        intake_ack_timeout_s: float = INTAKE_ACK_TIMEOUT_S,
    ) -> None:
        self.settings = settings
        self.area = check_area(area or settings.node.area)
        self.topics = Topics(settings.kafka.topic_prefix, settings.kafka.partitions)
        self.metrics = metrics or Metrics()
        self._router = router
        self._reporter_key_fn = reporter_key_fn
        self._ack_timeout_s = intake_ack_timeout_s
        self._log = get_logger("gbus.node", node=self.area)
        self._started = False
        self._stopped = threading.Event()
        # Everything started is closed in reverse order on stop; one failing close is logged
        # and the rest still run (_close_quietly).
        self._closers = ExitStack()
        self.store: NodeStore | None = None
        self.feed: CopyFeed | None = None
        self.reader: CaseReader | None = None
        self.server: RunningServer | None = None
        self.metrics_endpoint: MetricsEndpoint | None = None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> "NodeApp":
        if self._started:
            return self
        self._started = True
        try:
            self._start()
        except BaseException:
            self.stop(grace_s=0)
            raise
        self._log.info("node_started", grpc=self.grpc_address, metrics=self.metrics_url)
        return self

    def _start(self) -> None:
        from gbus.routing import Router  # loads the directory: seconds' worth, only when started

        s = self.settings
        refuse_public_defaults(s, role="node")
        router = self._router or Router.default()
        authority = Authority(router.directory)
        keyring = node_keyring_from_settings(s.security, router.directory, self.area)
        key_fn = self._reporter_key_fn or default_reporter_key_fn()
        codec = AvroCodec()
        data_dir = Path(s.node.data_dir) / self.area
        # Never created here (gbus.kafka_io.admin says why): an operator runs `gbus topics create`.
        require_topics(s.kafka, self.topics.used_by_node(self.area), client_id=f"node-{self.area}")

        self.metrics_endpoint = serve_metrics(self.metrics, s.metrics.listen)
        self._on_stop(self.metrics_endpoint.close)
        self.store = NodeStore(data_dir / "node.sqlite", codec)
        self._on_stop(self.store.close)
        accepted = AcceptedRequests(data_dir / "accepted.sqlite")
        self._on_stop(accepted.close)
        # A member system waits for every submit's ack: 1 ms linger halves that wait against the
        # default 5 ms (measured: p50 5 ms instead of 10 ms), and busy nodes still batch.
        producer = make_producer(
            s.kafka, f"node-{self.area}", max_block_ms=int(self._ack_timeout_s * 1000), linger_ms=1
        )
        self._on_stop(lambda: producer.close(timeout=5))
        # Every record this node writes carries its signature (docs/security.md): by
        # default with its mTLS node key, so the processor can prove which node wrote it.
        signer = record_signer_from_settings(s.security, fallback_cert=s.grpc.tls_cert, fallback_key=s.grpc.tls_key)
        if signer is not None:
            producer = SigningProducer(producer, signer)
        # The bus CA's signers and revocation list: copies must be processor-signed, revoked agencies are refused.
        trust = trust_from_settings(s.security, role=f"node-{self.area}")

        def consumer() -> Any:
            return make_consumer(s.kafka, f"node-{self.area}", group_id=None)

        gateway = CommandGateway(producer=producer, consumer_factory=consumer, topics=self.topics, codec=codec, area=self.area,
                                 trust=trust)  # fmt: skip
        gateway.start()
        self._on_stop(gateway.stop)
        self.feed = CopyFeed(
            consumer_factory=consumer, producer=producer, store=self.store, codec=codec, area=self.area,
            topic=self.topics.node(self.area), dead_letter_topic=self.topics.dead_letters, metrics=self.metrics,
            trust=trust,
        )  # fmt: skip
        self.feed.start()
        self._on_stop(self.feed.stop)
        feed = self.feed
        # Monitoring only: the applied position, visible in Kafka also while this node is down.
        positions = PositionReporter(
            make_consumer=lambda: make_consumer(s.kafka, f"node-{self.area}-position",
                                                group_id=node_monitor_group(s.kafka.topic_prefix, self.area)),
            topic=self.topics.node(self.area), position=lambda: feed.applied_position,
        )  # fmt: skip
        positions.start()
        self._on_stop(positions.stop)
        placements = PlacementStore(data_dir / "placements.sqlite")
        self._on_stop(placements.close)
        verdicts = VerdictFeed(
            consumer_factory=consumer, store=placements, accepted=accepted, codec=codec, area=self.area,
            topic=self.topics.report_results(self.area), metrics=self.metrics,
            producer=producer, dead_letter_topic=self.topics.dead_letters, trust=trust,
        )  # fmt: skip
        verdicts.start()
        self._on_stop(verdicts.stop)

        intake = Intake(
            area=self.area, router=router,
            sink=KafkaReportSink(producer, self.topics, codec), accepted=accepted, keyring=keyring,
            reporter_secret=s.security.reporter_hmac_secret, reporter_key_fn=key_fn, metrics=self.metrics,
            ack_timeout_s=self._ack_timeout_s, placements=placements, placement_wait_s=s.node.placement_wait_s,
            placement_waiters=s.node.placement_waiters,
        )  # fmt: skip
        self.reader = reader = CaseReader(self.store, authority, keyring, area=self.area, metrics=self.metrics,
                                          clock=legal_clock_from_settings(s.legal_clock))  # fmt: skip
        actions = CaseActions(
            gateway=gateway, store=self.store, reader=reader, topics=self.topics, timeout_s=s.grpc.command_timeout_s
        )
        insecure = s.grpc.insecure_dev_mode
        self.server = start_grpc_server(
            [
                ServiceBinding(
                    "gbus.v1.IntakeService",
                    intake_pb2_grpc.add_IntakeServiceServicer_to_server,
                    IntakeServicer(intake, ReportLookup(placements, accepted), insecure_dev_mode=insecure),
                ),
                ServiceBinding(
                    "gbus.v1.CaseService",
                    case_pb2_grpc.add_CaseServiceServicer_to_server,
                    CaseServicer(reader, actions, insecure_dev_mode=insecure),
                ),
                directory_service_binding(router),
            ],  # fmt: skip
            s.grpc,
            self.metrics,
            credentials=server_credentials_for(s.grpc),
            interceptors=[CallerGuard(trust, self.area)] if trust is not None else [],
        )

    def stop(self, grace_s: float = 5.0) -> None:
        """Refuse new calls, let in-flight ones finish for `grace_s`, then close everything."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self.reader is not None:
            self.reader.shutdown()  # watch streams end now; unary calls get the grace
        if self.server is not None:
            self.server.stop(grace_s)
        self._closers.close()
        self._log.info("node_stopped")

    def _on_stop(self, close: Callable[[], object]) -> None:
        self._closers.callback(self._close_quietly, close)

    def _close_quietly(self, close: Callable[[], object]) -> None:
        try:
            close()
        except Exception as exc:  # noqa: BLE001 - one failing close must not keep the rest open
            self._log.warning("node_close_failed", error=str(exc))

    def wait(self) -> None:
        self._stopped.wait()

    def __enter__(self) -> "NodeApp":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ----------------------------------------------------------------------

    @property
    def grpc_address(self) -> str:
        assert self.server is not None, "start() first"
        return self.server.address

    @property
    def grpc_port(self) -> int:
        assert self.server is not None, "start() first"
        return self.server.port

    @property
    def metrics_url(self) -> str:
        assert self.metrics_endpoint is not None, "start() first"
        return self.metrics_endpoint.url

    def ready_line(self) -> str:
        """The line `gbus node` prints when ready; `make run` parses it."""
        return f"node {self.area} grpc={self.grpc_address} metrics={self.metrics_url}"
