"""`gbus processor`: run one case processor (a member of the processors' consumer group).

    gbus processor [--config FILE] [--bootstrap HOST:PORT] [--instance-id ID] [--data-dir DIR]
                   [--metrics-listen HOST:PORT] [--group-id ID] [--topic-prefix P] [--partitions N]
                   [--holidays FILE] [--remote-communes FILE] [--directory-changes FILE]

Prints one line when it has joined, which `gbus run` parses:

    processor p1 group=gbus-processor metrics=http://127.0.0.1:40125/metrics

and runs until SIGTERM or SIGINT, then aborts any open transaction, leaves the
group (so the others take over at once) and exits 0. The instance id names
the transactional id (`<group>-<instance>`): a restarted instance must keep
its id, so that it fences its predecessor and aborts what that one left open.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gbus.cli.common import EXIT_FAILURE, EXIT_OK, CliError, freeze_startup_heap, settings_with, stop_on_signals


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "processor",
        help="run a case processor: reports and commands in, cases, events and node copies out",
        description=(
            "Run a case processor until SIGTERM/SIGINT. Any number may run in one consumer group; "
            "each owns the shards of its partitions. Flags override the config file and GBUS__* environment."
        ),
    )
    parser.add_argument("--config", help="TOML settings file")
    parser.add_argument("--bootstrap", help="Kafka bootstrap servers, HOST:PORT[,HOST:PORT]")
    parser.add_argument(
        "--instance-id", help="stable id of this instance (default: processor.instance_id or the host name)"
    )
    parser.add_argument("--data-dir", help="directory of the local state store (default: processor.data_dir)")
    parser.add_argument(
        "--metrics-listen", help="Prometheus /metrics listen address HOST:PORT (port 0 = any free port)"
    )
    parser.add_argument("--group-id", help="consumer group of the processors (default: processor.group_id)")
    parser.add_argument("--topic-prefix", help="prefix of every topic name (default: kafka.topic_prefix)")
    parser.add_argument("--partitions", type=int, help="partitions of the shard topics (default: kafka.partitions)")
    parser.add_argument(
        "--holidays",
        help="public-holidays file of the legal clock (default: legal_clock.holidays, else the packaged one)",
    )
    parser.add_argument(
        "--remote-communes",
        help="remote-communes file of the legal clock (default: legal_clock.remote_communes; packaged: none)",
    )
    parser.add_argument(
        "--directory-changes",
        help="administrative changes file: wards merged, agencies added, renamed or dissolved from a day "
        "(default: directory.changes_file; docs/directory.md)",
    )
    parser.set_defaults(func=_run)


def settings_from_args(args: argparse.Namespace) -> Any:
    return settings_with(
        args.config,
        (
            ("kafka", "bootstrap_servers", args.bootstrap),
            ("kafka", "topic_prefix", args.topic_prefix),
            ("kafka", "partitions", args.partitions),
            ("metrics", "listen", args.metrics_listen),
            ("processor", "data_dir", args.data_dir),
            ("processor", "instance_id", args.instance_id),
            ("processor", "group_id", args.group_id),
            ("legal_clock", "holidays", args.holidays),
            ("legal_clock", "remote_communes", args.remote_communes),
            ("directory", "changes_file", args.directory_changes),
        ),
    )


def _run(args: argparse.Namespace) -> int:
    from gbus.observability.logging import configure_logging, get_logger
    from gbus.observability.metrics import Metrics, serve_metrics
    from gbus.processor.bootstrap import build_processor, default_instance_id
    from gbus.processor.transactions import FencedError
    from gbus.processor.watchdog import Watchdog

    settings = settings_from_args(args)
    instance = settings.processor.instance_id or default_instance_id()
    settings = settings.replace("processor", instance_id=instance)
    configure_logging(settings.logging.level, settings.logging.format, process="processor", instance=instance)
    log = get_logger("gbus.cli.processor")

    stop = stop_on_signals()
    metrics = Metrics()
    try:
        endpoint = serve_metrics(metrics, settings.metrics.listen)
    except OSError as exc:
        raise CliError(f"cannot serve metrics on {settings.metrics.listen}: {exc.strerror}") from exc
    _require_bus_topics(settings, endpoint)
    # Crash-only: a step stuck past its deadline, or a SIGTERM not honoured within
    # 30 s, ends the process (exit 70) so its supervisor restarts it.
    processor = build_processor(settings, metrics=metrics, watchdog=Watchdog(stop=stop))
    try:
        try:
            processor.start()
        except FencedError as exc:
            raise CliError(
                f"another processor runs as {instance} in group {settings.processor.group_id}: {exc}"
            ) from exc
        except Exception as exc:  # Kafka unreachable, topics missing: say so in one line
            raise CliError(f"processor {instance} did not start: {type(exc).__name__}: {exc}") from exc
        freeze_startup_heap()
        print(f"processor {instance} group={settings.processor.group_id} metrics={endpoint.url}", flush=True)
        log.info("processor_ready", metrics=endpoint.url, group=settings.processor.group_id)
        try:
            processor.run(stop)
        except FencedError as exc:
            log.error("processor_fenced", error=str(exc))
            return EXIT_FAILURE
    finally:
        processor.close()
        endpoint.close()
    print(f"processor {instance} stopped", file=sys.stderr)
    return EXIT_OK


def _require_bus_topics(settings: Any, endpoint: Any) -> None:
    """Fail with the command to run when the topics are missing: a processor never creates them."""
    from kafka.errors import KafkaError

    from gbus.kafka_io.admin import MissingTopicsError, require_topics
    from gbus.topics import Topics, topic_specs

    topics = Topics(settings.kafka.topic_prefix, settings.kafka.partitions)
    try:
        require_topics(settings.kafka, [s.name for s in topic_specs(topics)], client_id="processor")
    except (MissingTopicsError, KafkaError) as exc:
        endpoint.close()
        raise CliError(f"processor did not start: {exc}") from exc
