"""`gbus topics create`: create every topic of the bus (idempotent).

    gbus topics create [--config FILE] [--bootstrap HOST:PORT] [--prefix gbus.] [--partitions 35]
                       [--replication-factor N] [--min-insync N]

Prints the name of each topic it created, one per line (none if all existed).
"""

from __future__ import annotations

import argparse
from typing import Any

from gbus.cli.common import EXIT_OK, EXIT_USAGE, CliError, settings_with


def register(subparsers: Any) -> None:
    topics = subparsers.add_parser("topics", help="create the bus's Kafka topics")
    sub = topics.add_subparsers(dest="topics_command", metavar="ACTION", required=True)
    create = sub.add_parser(
        "create",
        help="create every topic that does not exist yet",
        description=(
            "Create reports, commands, case-events, case-state, dead-letters and, per node area, "
            "node.<area>, command-results.<area> and report-results.<area>, with their retention and compaction "
            "settings. "
            "Existing topics are left as they are."
        ),
    )
    create.add_argument("--config", help="TOML settings file")
    create.add_argument("--bootstrap", help="Kafka bootstrap servers, HOST:PORT[,HOST:PORT]")
    create.add_argument("--prefix", help="topic name prefix (default: kafka.topic_prefix, 'gbus.')")
    create.add_argument("--partitions", type=int, help="partitions of the shard topics (default: kafka.partitions, 35)")
    create.add_argument(
        "--replication-factor", type=int,
        help="replicas per partition (default: kafka.replication_factor, else min(3, live brokers))",
    )  # fmt: skip
    create.add_argument(
        "--min-insync", type=int,
        help="min.insync.replicas of every topic (default: kafka.min_insync_replicas, else 2 when replicated)",
    )  # fmt: skip
    create.set_defaults(func=_create)


def _create(args: argparse.Namespace) -> int:
    from kafka.errors import KafkaError

    from gbus.kafka_io.admin import ensure_topics
    from gbus.kafka_io.replication import ReplicationError
    from gbus.observability.logging import configure_logging
    from gbus.topics import Topics, topic_specs

    if args.partitions is not None and args.partitions < 1:
        raise CliError("--partitions must be at least 1", EXIT_USAGE)
    settings = settings_with(
        args.config,
        (
            ("kafka", "bootstrap_servers", args.bootstrap),
            ("kafka", "topic_prefix", args.prefix),
            ("kafka", "partitions", args.partitions),
            ("kafka", "replication_factor", args.replication_factor),
            ("kafka", "min_insync_replicas", args.min_insync),
        ),
    )
    configure_logging(settings.logging.level, settings.logging.format, process="topics")  # stderr: stdout is results
    kafka = settings.kafka
    specs = topic_specs(Topics(prefix=kafka.topic_prefix, partitions=kafka.partitions))
    try:
        created = ensure_topics(kafka, specs)
    except ReplicationError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except KafkaError as exc:
        raise CliError(f"cannot create topics on {kafka.bootstrap_servers}: {type(exc).__name__}: {exc}") from exc
    for name in created:
        print(name)
    return EXIT_OK
