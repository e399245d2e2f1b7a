"""`gbus kafka up|down|status|fetch`: a real Kafka 4.x (KRaft) on 127.0.0.1 for development.

stdout carries only results (the bootstrap string, the lib dir, status); progress goes to
stderr, so `BOOTSTRAP=$(gbus kafka up)` captures exactly the bootstrap servers.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from gbus.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, CliError

_DESCRIPTION = """\
Run Apache Kafka 4.x in KRaft mode on 127.0.0.1, from jars fetched once from Maven Central
with deploy/kafka/pom.xml (cached in .cache/kafka/<version>/lib of a checkout, else in
~/.cache/gbus/kafka or $GBUS_KAFKA_CACHE). Each node is a combined
broker+controller; node i listens on PORT+2(i-1) for clients and the next port for its
controller (one broker: 9092/9093; three: 9092/9093, 9094/9095, 9096/9097).
Needs java 17+ and, for the first fetch, mvn (apt-get install openjdk-17-jre-headless maven).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    kafka = subparsers.add_parser(
        "kafka",
        help="start, stop and inspect a local Kafka cluster",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = kafka.add_subparsers(dest="kafka_command", metavar="ACTION")
    kafka.set_defaults(func=lambda _args: _usage(kafka))

    up = sub.add_parser(
        "up",
        help="start the cluster (fetch, format, launch, wait until ready)",
        description=(
            "Start Kafka and wait until every broker accepts requests. Fetches the jars on first "
            "use and formats storage for a new data dir. If the cluster in the data dir is already "
            "running this only prints its bootstrap servers. Progress goes to stderr; the last "
            "line of stdout is the bootstrap string, e.g. 127.0.0.1:9092."
        ),
    )
    up.add_argument(
        "--brokers",
        type=int,
        choices=(1, 3),
        default=1,
        help="1 for development and tests; 3 (replication 3, min.insync.replicas=2) for fault tests",
    )
    _data_dir_arg(up)
    up.add_argument(
        "--port",
        type=int,
        default=None,
        help="first client port; 0 picks free ports (default: 9092 for a new data dir, "
        "else the ports it was formatted with)",
    )
    up.add_argument("--fresh", action="store_true", help="stop the cluster in the data dir and delete its data first")
    up.add_argument(
        "--timeout", type=float, default=120.0, help="seconds to wait for the brokers to become ready (default 120)"
    )
    up.add_argument(
        "--secure",
        action="store_true",
        help="TLS with certificates from the bus CA (--ca-dir) and SASL/SCRAM-SHA-512 for every "
        "client, ACLs enforced: a user per node area "
        "(node-79 ...), processor and admin, passwords in <data-dir>/credentials.json "
        "(see `gbus kafka credentials`); the ACLs of topic prefix 'gbus.' are applied. "
        "Only for a new data dir (or with --fresh)",
    )
    up.add_argument(
        "--ca-dir",
        type=Path,
        help="with --secure: the bus CA directory (gbus pki init) that issues the brokers' "
        "certificates (default: <data-dir>/pki, created if absent)",
    )
    up.set_defaults(func=_up)

    down = sub.add_parser(
        "down",
        help="stop the cluster (SIGTERM, SIGKILL after a grace period)",
        description="Stop every node of the cluster in the data dir. Data is kept; "
        "`gbus kafka up` starts it again. Succeeds if nothing runs.",
    )
    _data_dir_arg(down)
    down.add_argument(
        "--grace", type=float, default=30.0, help="seconds to wait after SIGTERM before SIGKILL (default 30)"
    )
    down.set_defaults(func=_down)

    status = sub.add_parser(
        "status",
        help="show nodes, pids, ports and whether the brokers answer",
        description="Show the cluster in the data dir. Exit status: 0 running and answering, "
        "3 partly running or not answering, 1 stopped or absent.",
    )
    _data_dir_arg(status)
    status.add_argument("--json", action="store_true", help="one JSON object on stdout")
    status.set_defaults(func=_status)

    fetch = sub.add_parser(
        "fetch",
        help="only download the broker jars (make install runs this)",
        description="Fetch the Kafka jars with mvn into the jar cache (gbus kafka --help says where) "
        "if they are not there yet; prints the lib dir.",
    )
    fetch.add_argument("--force", action="store_true", help="fetch again even if cached")
    fetch.set_defaults(func=_fetch)

    from gbus.cli import kafka_security_cmd

    kafka_security_cmd.register(sub)


def _data_dir_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="cluster data, logs and pid files (default: var/kafka of the checkout, "
        "or of the working directory for an installed copy)",
    )


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _progress(message: str) -> None:
    print(f"gbus kafka: {message}", file=sys.stderr, flush=True)


def _quiet_kafka_client() -> None:
    # kafka-python logs each refused connection while brokers start; the harness reports
    # progress itself, and with no logging configured those lines would reach stderr raw.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)


def _up(args: argparse.Namespace) -> int:
    from gbus.kafka_harness import HarnessError, KafkaCluster, paths
    from gbus.kafka_harness.state import load_state

    _quiet_kafka_client()
    try:
        data_dir = (args.data_dir or paths.default_data_dir()).resolve()
        if args.fresh and load_state(data_dir) is not None:
            _progress(f"--fresh: removing the cluster in {data_dir}")
            KafkaCluster.open(data_dir, progress=_progress).wipe()
        port = args.port
        if port == 0:
            port = None  # free ports for a new data dir, the recorded ones for an existing one
        elif port is None and load_state(data_dir) is None:
            port = paths.DEFAULT_PORT
        cluster = KafkaCluster(
            data_dir,
            brokers=args.brokers,
            base_port=port,
            start_timeout=args.timeout,
            progress=_progress,
            secure=args.secure,
            ca_dir=args.ca_dir,
        )
        cluster.start()
        if cluster.secure:
            from gbus.cli.kafka_security_cmd import apply_bus_acls

            count = apply_bus_acls(cluster)
            _progress(
                f"secure: SASL_SSL (CA {cluster.ca_dir}/ca.pem) with SCRAM-SHA-512, {count} ACLs for prefix 'gbus.'; "
                "`gbus kafka credentials --area <area>` prints a node's settings"
            )
    except HarnessError as exc:
        raise CliError(str(exc)) from exc
    print(cluster.bootstrap_servers, flush=True)
    return EXIT_OK


def _down(args: argparse.Namespace) -> int:
    from gbus.kafka_harness import HarnessError, KafkaCluster, paths
    from gbus.kafka_harness.state import load_state

    try:
        data_dir = (args.data_dir or paths.default_data_dir()).resolve()
        if load_state(data_dir) is None:
            _progress(f"no cluster in {data_dir}; nothing to stop")
            return EXIT_OK
        stopped = KafkaCluster.open(data_dir, progress=_progress).stop(grace=args.grace)
    except HarnessError as exc:
        raise CliError(str(exc)) from exc
    _progress(f"stopped node(s) {stopped}" if stopped else "nothing was running")
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    from gbus.kafka_harness import HarnessError, KafkaCluster, paths
    from gbus.kafka_harness.state import load_state

    _quiet_kafka_client()
    try:
        data_dir = (args.data_dir or paths.default_data_dir()).resolve()
        if load_state(data_dir) is None:
            report: dict[str, object] = {"data_dir": str(data_dir), "state": "absent", "nodes": []}
            reason: str | None = "no cluster in this data dir"
        else:
            cluster = KafkaCluster.open(data_dir)
            status = cluster.status()
            report = status.to_json()
            reason = cluster.not_ready_reason() if status.state != "stopped" else "stopped"
    except HarnessError as exc:
        raise CliError(str(exc)) from exc
    report["ready"] = reason is None
    report["not_ready_reason"] = reason
    if args.json:
        print(json.dumps(report, separators=(",", ":")))
    else:
        _print_status(report)
    if report["state"] in ("absent", "stopped"):
        return EXIT_FAILURE
    return EXIT_OK if reason is None else EXIT_PARTIAL


def _print_status(report: dict[str, Any]) -> None:
    print(f"data dir   {report['data_dir']}")
    print(f"state      {report['state']}" + ("" if report["ready"] else f" (not ready: {report['not_ready_reason']})"))
    if report["state"] == "absent":
        return
    print(f"kafka      {report['kafka_version']}  cluster id {report['cluster_id']}")
    for node in report["nodes"]:
        pid = node["pid"] if node["running"] else "-"
        print(
            f"node {node['node_id']}     {'running' if node['running'] else 'stopped':8} pid {pid}  "
            f"127.0.0.1:{node['port']} (controller :{node['controller_port']})"
        )
    print(f"bootstrap  {report['bootstrap_servers']}")


def _fetch(args: argparse.Namespace) -> int:
    from gbus.kafka_harness import HarnessError, ensure_jars

    try:
        runtime = ensure_jars(progress=_progress, force=args.force)
    except HarnessError as exc:
        raise CliError(str(exc)) from exc
    _progress(f"Kafka {runtime.version} jars ready")
    print(runtime.lib_dir, flush=True)
    return EXIT_OK
