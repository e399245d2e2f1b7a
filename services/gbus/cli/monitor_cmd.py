"""`gbus monitor`: export Kafka-side lag and node delivery metrics for Prometheus.

Prints one line when ready, which `gbus run` can parse:

    monitor metrics=http://127.0.0.1:40126/metrics

and runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gbus.cli.common import EXIT_OK, EXIT_USAGE, CliError, stop_on_signals
from gbus.cli.ops_args import add_kafka_args, settings_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "monitor",
        help="export consumer-group lag and node delivery positions read from Kafka (/metrics)",
        description=(
            "Read the cluster's offsets every --interval seconds and serve them as Prometheus metrics: lag of "
            "every consumer group on the bus's topics, end offset of each node.<area> topic, and each node's "
            "backlog where it commits its position. Measured from outside, so they keep moving while a "
            "processor or node is down."
        ),
    )
    add_kafka_args(parser)
    parser.add_argument(
        "--metrics-listen", help="HOST:PORT of /metrics (default: metrics.listen; port 0 = any free port)"
    )
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between readings (default: %(default)s)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from gbus.kafka_io.recovering_admin import RecoveringAdmin
    from gbus.observability.logging import configure_logging
    from gbus.observability.metrics import MonitorMetrics, serve_metrics
    from gbus.ops.kafka_view import new_admin, read_cluster
    from gbus.ops.monitor import Monitor

    if args.interval <= 0:
        raise CliError("--interval must be positive", EXIT_USAGE)
    settings = settings_from(args)
    if args.metrics_listen:
        settings = settings.replace("metrics", listen=args.metrics_listen)
    configure_logging(settings.logging.level, settings.logging.format, process="monitor")
    stop = stop_on_signals()
    metrics = MonitorMetrics()
    try:
        endpoint = serve_metrics(metrics, settings.metrics.listen)
    except OSError as exc:
        raise CliError(f"cannot serve metrics on {settings.metrics.listen}: {exc.strerror}") from exc
    from kafka.errors import KafkaError

    try:
        # Rebuilt when a coordinator moves or a broker restarts: the monitor runs for months.
        with RecoveringAdmin(lambda: new_admin(settings.kafka, "monitor"), "monitor") as admin:
            admin.call(lambda client: None)  # an unreachable cluster fails the start, not the first reading
            monitor = Monitor(
                lambda: admin.call(lambda client: read_cluster(settings.kafka, client)),
                metrics,
                interval_s=args.interval,
            )
            monitor.poll_once()  # the first reading is there before anyone scrapes
            print(f"monitor metrics={endpoint.url}", flush=True)
            monitor.run(stop)
    except KafkaError as exc:
        raise CliError(
            f"cannot reach Kafka at {settings.kafka.bootstrap_servers}: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        endpoint.close()
    print("monitor stopped", file=sys.stderr)
    return EXIT_OK
