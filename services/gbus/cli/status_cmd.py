"""`gbus status`: brokers, topics, consumer groups with lag, node delivery positions.

Exit codes: 0 the cluster answered; 1 it did not (the reason on stderr); 2 usage.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from gbus.cli.common import EXIT_OK
from gbus.cli.ops_args import add_json_arg, add_kafka_args, kafka_failure, quiet_logging, settings_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="show brokers, topics, consumer groups with lag and node delivery positions",
        description=(
            "Read the cluster's metadata and offsets: every broker, the bus's topics with partition counts, "
            "each consumer group on them with its lag per topic-partition, and each node.<area> topic with "
            "its end offset and, where the node publishes it, the node's delivery position and lag."
        ),
    )
    add_kafka_args(parser)
    add_json_arg(parser)
    parser.add_argument("--verbose", "-v", action="store_true", help="list every partition and every empty node topic")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from kafka.errors import KafkaError

    from gbus.ops.kafka_view import read_cluster
    from gbus.ops.status_view import render_status, status_dict

    settings = settings_from(args)
    quiet_logging(settings)
    try:
        snapshot = read_cluster(settings.kafka)
    except (KafkaError, OSError) as exc:
        raise kafka_failure(exc, settings.kafka.bootstrap_servers) from exc
    if args.json:
        print(json.dumps(status_dict(snapshot), ensure_ascii=False, indent=2))
    else:
        print("\n".join(render_status(snapshot, verbose=args.verbose)))
    return EXIT_OK
