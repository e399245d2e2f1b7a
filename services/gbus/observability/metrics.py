"""Every Prometheus metric of the bus, registered on a per-process registry.

Names follow Prometheus conventions (`_total` counters, `_seconds` base units).
Labels have bounded cardinality: channel, kind, rule, status, node area,
topic-partition, gRPC method and code — never a case or report id.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

# Submit-to-delivered spans sub-second (healthy) to hours (a node was down).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600)
GRPC_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """Constructed once per process in bootstrap and passed to the components."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        # intake
        self.reports_received = Counter(
            "gbus_reports_received_total", "Reports accepted by intake.", ["channel", "kind"], registry=r
        )
        self.intake_rejections = Counter(
            "gbus_intake_rejections_total", "Reports refused by intake, by reason.", ["reason"], registry=r
        )
        self.intake_replays = Counter(
            "gbus_intake_replays_total", "Submits recognised as retries of an accepted request_id.", registry=r
        )
        self.intake_late_refusals = Counter(
            "gbus_intake_late_refusals_total",
            "Submissions the processor refused (other content under a placed request_id) after the node had "
            "answered; GetReport shows the refusal.",
            ["node"],
            registry=r,
        )
        self.intake_placement_not_awaited = Counter(
            "gbus_intake_placement_not_awaited_total",
            "Submits answered as soon as Kafka had the report, without waiting for the placement, because "
            "node.placement_waiters submits were already waiting (the case processor is behind).",
            registry=r,
        )
        # case processor
        self.report_conflicts = Counter(
            "gbus_report_conflicts_total",
            "Submissions refused by the processor: a placed (origin, request_id) sent again with other content.",
            ["shard"],
            registry=r,
        )
        self.dedup_decisions = Counter(
            "gbus_dedup_decisions_total", "Duplicate-detection decisions, by band.", ["decision"], registry=r
        )
        self.routing_decisions = Counter(
            "gbus_routing_decisions_total", "Routing decisions, by the rule that matched.", ["rule"], registry=r
        )
        self.status_transitions = Counter(
            "gbus_status_transitions_total", "Case status changes.", ["from_status", "to_status"], registry=r
        )
        self.commands_rejected = Counter(
            "gbus_commands_rejected_total", "Commands the processor refused, by reason.", ["reason"], registry=r
        )
        self.commands_applied = Counter(
            "gbus_commands_applied_total", "Commands the processor applied, by type.", ["command"], registry=r
        )
        self.dead_letters = Counter(
            "gbus_dead_letters_total",
            "Records sent to the dead-letter topic.",
            ["source_topic", "error_type"],
            registry=r,
        )
        self.escalations = Counter(
            "gbus_escalations_total", "Escalations raised (SLA breaches, hotspots).", ["code"], registry=r
        )
        self.cases_overdue = Gauge(
            "gbus_cases_overdue",
            "Open cases past the legal time limit of their stage, as of the last tick of their shard.",
            ["province", "sector"],
            registry=r,
        )
        self.resolution_ratings = Counter(
            "gbus_resolution_ratings_total",
            "Citizens' ratings (1-5) of resolutions, by the handler's province and sector.",
            ["province", "sector", "rating"],
            registry=r,
        )
        self.cases_rerouted = Counter(
            "gbus_cases_rerouted_total",
            "Open cases an administrative change (directory.changes_file) re-routed, by change id.",
            ["change"],
            registry=r,
        )
        self.forged_records = Counter(
            "gbus_forged_records_total",
            "Reports, commands and ticks refused because their signer cannot speak for what they claim.",
            ["node", "kind"],
            registry=r,
        )
        self.transactions = Counter(
            "gbus_processor_transactions_total", "Kafka transactions, by outcome.", ["outcome"], registry=r
        )
        self.open_cases = Gauge("gbus_open_cases", "Open cases held by this processor.", ["shard"], registry=r)
        self.owned_shards = Gauge("gbus_processor_owned_shards", "Shards this processor owns now.", registry=r)
        # consumers and delivery
        self.consumer_lag = Gauge(
            "gbus_consumer_lag_records",
            "Records not yet consumed, per topic-partition.",
            ["group", "topic", "partition"],
            registry=r,
        )
        self.delivery_latency = Histogram(
            "gbus_delivery_latency_seconds",
            "From a report's submission until a node holds the case change.",
            ["node"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.delivery_lag = Gauge(
            "gbus_node_delivery_lag_records", "Case copies waiting for this node, per partition.", ["node"], registry=r
        )
        self.delivery_position = Gauge(
            "gbus_node_delivery_position", "Offset of the last case copy applied by this node.", ["node"], registry=r
        )
        self.cases_stored = Gauge("gbus_node_cases", "Cases in this node's local store.", ["node"], registry=r)
        self.integrity_alerts = Counter(
            "gbus_integrity_alerts_total",
            "Processor-written records a node refused: case copies whose history does not verify, unsigned verdicts.",
            ["node"],
            registry=r,
        )
        # gRPC server (the interceptor fills these; streaming calls end when the stream does)
        self.grpc_started = Counter(
            "gbus_grpc_server_started_total", "RPCs started.", ["grpc_service", "grpc_method"], registry=r
        )
        self.grpc_handled = Counter(
            "gbus_grpc_server_handled_total",
            "RPCs completed, by status code.",
            ["grpc_service", "grpc_method", "grpc_code"],
            registry=r,
        )
        self.grpc_latency = Histogram(
            "gbus_grpc_server_handling_seconds",
            "RPC duration until the last response message was sent.",
            ["grpc_service", "grpc_method"],
            buckets=GRPC_BUCKETS,
            registry=r,
        )
        self.authz_denials = Counter(
            "gbus_authz_denials_total", "Requests refused by the authorisation policy.", ["grpc_method"], registry=r
        )
        self.grpc_open_streams = Gauge(
            "gbus_grpc_open_streams", "Response streams (WatchCases, health watches) open now.", registry=r
        )
        self.grpc_streams_refused = Counter(
            "gbus_grpc_streams_refused_total",
            "Streams refused because the caller's agency or the node was at its stream limit.",
            ["limit"],
            registry=r,
        )


class MonitorMetrics:
    """What `gbus monitor` measures from outside the processes, from Kafka's own offsets.

    A process that is down cannot report its own lag; these series still move
    while it is down. Kept apart from `Metrics` so that no other process exports
    them (an unlabelled gauge would otherwise read 0 brokers on every node).
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.brokers = Gauge("gbus_kafka_brokers", "Brokers registered and not fenced.", registry=r)
        self.group_lag = Gauge(
            "gbus_kafka_group_lag_records",
            "End offset minus the group's committed offset, per topic-partition.",
            ["group", "topic", "partition"],
            registry=r,
        )
        self.node_topic_end = Gauge(
            "gbus_node_topic_end_offset",
            "End offset of the node.<area> topic (copies written for the node).",
            ["node"],
            registry=r,
        )
        self.node_committed = Gauge(
            "gbus_node_committed_position",
            "Next offset the node will apply, as it commits it for monitoring.",
            ["node"],
            registry=r,
        )
        self.node_backlog = Gauge(
            "gbus_node_backlog_records",
            "Copies written for the node that it has not applied (from its committed position).",
            ["node"],
            registry=r,
        )
        self.polls = Counter(
            "gbus_monitor_polls_total", "Reads of the cluster's offsets, by outcome.", ["outcome"], registry=r
        )
        self.last_success = Gauge(
            "gbus_monitor_last_success_timestamp_seconds", "When the cluster's offsets were last read.", registry=r
        )


@dataclass
class MetricsEndpoint:
    host: str
    port: int
    _server: object

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/metrics"

    def close(self) -> None:
        self._server.shutdown()  # type: ignore[attr-defined]
        self._server.server_close()  # type: ignore[attr-defined]


def serve_metrics(metrics: Metrics | MonitorMetrics, listen: str = "127.0.0.1:0") -> MetricsEndpoint:
    """Serve /metrics on `host:port` (port 0 picks a free one) in a daemon thread."""
    host, _, port = listen.rpartition(":")
    server, _thread = start_http_server(int(port), addr=host or "127.0.0.1", registry=metrics.registry)
    return MetricsEndpoint(host or "127.0.0.1", server.server_port, server)
