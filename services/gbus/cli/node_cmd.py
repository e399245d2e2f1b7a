"""`gbus node`: run one node (the gRPC edge of an area and its local case store).

    gbus node --area 79 [--config FILE] [--bootstrap HOST:PORT] [--grpc-listen HOST:PORT]
              [--metrics-listen HOST:PORT] [--data-dir DIR]

Prints one line when ready, which `make run` parses:

    node 79 grpc=127.0.0.1:40123 metrics=http://127.0.0.1:40124/metrics

and runs until SIGTERM or SIGINT, then stops gRPC gracefully.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gbus.cli.common import EXIT_OK, EXIT_USAGE, CliError, freeze_startup_heap, settings_with, stop_on_signals


def register(subparsers: Any) -> None:
    node = subparsers.add_parser(
        "node",
        help="run a node: intake and case services for an area, fed from its Kafka topic",
        description="Run a node until SIGTERM/SIGINT. Flags override the config file and GBUS__* environment.",
    )
    node.add_argument("--area", help="VN (central) or a 2-digit province code such as 79 (default: node.area)")
    node.add_argument("--config", help="TOML settings file")
    node.add_argument("--bootstrap", help="Kafka bootstrap servers, HOST:PORT[,HOST:PORT]")
    node.add_argument("--grpc-listen", help="gRPC listen address HOST:PORT (port 0 = any free port)")
    node.add_argument("--metrics-listen", help="Prometheus /metrics listen address HOST:PORT")
    node.add_argument("--data-dir", help="directory of the node's local store (a subdirectory per area)")
    node.set_defaults(func=_run)


def _settings(args: argparse.Namespace) -> Any:
    return settings_with(
        args.config,
        (
            ("kafka", "bootstrap_servers", args.bootstrap),
            ("grpc", "listen", args.grpc_listen),
            ("metrics", "listen", args.metrics_listen),
            ("node", "data_dir", args.data_dir),
            ("node", "area", args.area),
        ),
    )


def _run(args: argparse.Namespace) -> int:
    from kafka.errors import KafkaError

    from gbus.config import ConfigError
    from gbus.kafka_io.admin import MissingTopicsError
    from gbus.node.app import NodeApp, check_area
    from gbus.observability.logging import configure_logging

    settings = _settings(args)
    try:
        area = check_area(settings.node.area)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    configure_logging(settings.logging.level, settings.logging.format, node=area, process="node")

    stop = stop_on_signals()
    app = NodeApp(settings, area=area)
    try:
        app.start()
    except (OSError, ValueError, ConfigError, KafkaError, MissingTopicsError) as exc:
        raise CliError(f"node {area} did not start: {exc}") from exc
    freeze_startup_heap()
    print(app.ready_line(), flush=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        app.stop()
    print(f"node {area} stopped", file=sys.stderr)
    return EXIT_OK
