"""`gbus run` (make run): Kafka, a case processor, the central node and two provincial
nodes on this machine, with a realistic sample submitted and worked, left running
until Ctrl-C / SIGTERM. `gbus run stop` (make stop) ends a run left behind.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from gbus.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CliError, stop_on_signals
from gbus.private_files import private_dir

if TYPE_CHECKING:
    from gbus.devrun.external_kafka import ExternalKafka
    from gbus.devrun.supervisor import Supervisor
    from gbus.kafka_harness import KafkaCluster
    from gbus.kafka_harness.security import KafkaLogin

# Relative to where gbus runs (the checkout for `make run`), so an installed copy works too.
DEFAULT_RUN_DIR = Path("var") / "run"
NODE_READY = re.compile(r"node (?P<area>\S+) grpc=(?P<grpc>\S+) metrics=(?P<metrics>\S+)")
PROCESSOR_READY = re.compile(r"processor (?P<instance>\S+) .*?metrics=(?P<metrics>\S+)")
MONITOR_READY = re.compile(r"monitor metrics=(?P<metrics>\S+)")
OPEN311_READY = re.compile(r"open311 url=(?P<url>\S+) api_key=(?P<key>\S+) agency=(?P<agency>\S+)")


def _write_targets(run_dir: Path, processor: str, nodes: dict[str, str], monitor: str) -> Path:
    """Where deploy/prometheus/prometheus.yml finds this run's metrics endpoints."""
    from gbus.devrun.scrape_targets import ScrapeProcess, write_scrape_targets

    path = run_dir / "scrape-targets" / "gbus.json"
    processes = [
        ScrapeProcess("processor", "p1", processor),
        *(ScrapeProcess("node", f"node-{area}", url, area=area) for area, url in nodes.items()),
        ScrapeProcess("monitor", "monitor", monitor),
    ]
    write_scrape_targets(path, processes)
    return path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="run a whole bus locally with sample data (what `make run` does)",
        description=(
            "Start Kafka (KRaft, 127.0.0.1), create the topics, start one case processor and a node "
            "per area, submit the sample reports in deploy/sample/reports.jsonl (duplicates across "
            "channels included), work one case as its handler and show which node saw what. "
            "Everything keeps running until Ctrl-C or SIGTERM. Logs: <run-dir>/logs/."
        ),
    )
    parser.add_argument("--run-dir", default=str(DEFAULT_RUN_DIR), help="state and logs (default: %(default)s)")
    parser.add_argument(
        "--kafka-port", type=int, default=None,
        help="Kafka client port (default: a free one; with --keep, the port the kept data was formatted with)",
    )  # fmt: skip
    parser.add_argument(
        "--keep", action="store_true",
        help="continue the state an earlier run left in --run-dir (Kafka data, cases, logs); "
        "without it every run starts fresh",
    )  # fmt: skip
    parser.add_argument(
        "--bootstrap", metavar="HOST:PORT[,HOST:PORT]",
        help="run the bus against this existing Kafka cluster instead of starting one (it is not stopped "
        "afterwards); missing topics are created with replication min(3, brokers)",
    )  # fmt: skip
    parser.add_argument("--areas", default="VN,79,01", help="node areas, comma-separated (default: %(default)s)")
    parser.add_argument("--partitions", type=int, default=35, help="partitions per shard topic (default: %(default)s)")
    parser.add_argument("--no-sample", action="store_true", help="start the bus without submitting the sample")
    parser.add_argument(
        "--exit-after-sample", action="store_true", help="stop everything after the sample (for scripts)"
    )
    parser.add_argument(
        "--secure",
        action="store_true",
        help="mutual TLS on every node (a development CA and certificates in <run-dir>/pki, made with gbus pki) "
        "and SASL/SCRAM + ACLs on Kafka (each process logs in as its own user); use a fresh --run-dir",
    )
    # A verb like `gbus kafka down`; --stop stays as the older spelling of the same thing.
    parser.add_argument("action", nargs="?", choices=("start", "stop"), default="start",
                        help="start (the default) a bus, or stop the one an earlier `gbus run` left running")  # fmt: skip
    parser.add_argument("--stop", action="store_true", help="the same as `gbus run stop`")
    parser.set_defaults(func=_run)


class _Cluster(Protocol):
    """What a run asks of its Kafka: the harness's own cluster or an existing one (--bootstrap)."""

    @property
    def bootstrap_servers(self) -> str: ...

    def settings_fields(self, user: str) -> KafkaLogin: ...

    def stop(self) -> object: ...  # the harness says which nodes it stopped; an existing cluster is left alone


def _kafka_login(cluster: _Cluster, user: str) -> KafkaLogin:
    """KafkaSettings fields to connect as `user` on a secure cluster (TLS + SCRAM; {} otherwise)."""
    return cluster.settings_fields(user)


def _kafka_env(cluster: _Cluster, user: str) -> dict[str, str]:
    return {f"GBUS__KAFKA__{k.upper()}": str(v) for k, v in _kafka_login(cluster, user).items()}


def _tls_env(pki: Path, area: str) -> dict[str, str]:
    from gbus.security.pki import PkiLayout

    layout = PkiLayout(pki)
    return {
        "GBUS__GRPC__INSECURE_DEV_MODE": "false",
        "GBUS__GRPC__TLS_CERT": str(layout.node_cert(area)),
        "GBUS__GRPC__TLS_KEY": str(layout.node_key(area)),
        "GBUS__GRPC__TLS_CA": str(layout.ca_cert),
        # Copies must be processor-signed; revoked and foreign agencies are refused (docs/security.md).
        "GBUS__SECURITY__TRUST_DIR": str(layout.root),
    }


def _signing_env(pki: Path) -> dict[str, str]:
    """The processor verifies every record's origin and signs the history it writes."""
    from gbus.security.pki import PkiLayout

    layout = PkiLayout(pki)
    return {
        "GBUS__SECURITY__TRUST_DIR": str(layout.root),
        "GBUS__SECURITY__SIGNING_CERT": str(layout.signer_cert("processor", "p1")),
        "GBUS__SECURITY__SIGNING_KEY": str(layout.signer_key("processor", "p1")),
    }


def _installation_secrets_env(pki: Path) -> dict[str, str]:
    from gbus.security.installation_secrets import ensure_installation_secrets

    return ensure_installation_secrets(pki).as_env()


def _prepare_pki(pki: Path, areas: list[str]):
    """A development CA, node certificates, and agency certificates issued on first use."""
    import grpc

    from gbus.api.tls import agency_channel
    from gbus.security.pki import (
        PkiLayout,
        create_ca,
        issue_agency_certificate,
        issue_node_certificate,
        issue_signer_certificate,
    )

    layout = PkiLayout(pki)
    if not layout.ca_cert.exists():
        create_ca(pki)
    for area in areas:
        if not layout.node_cert(area).exists():
            issue_node_certificate(pki, area)
    # The processor signs the history it writes; `gbus tick` signs as the operator "ops".
    for kind, name in (("processor", "p1"), ("operator", "ops")):
        if not layout.signer_cert(kind, name).exists():
            issue_signer_certificate(pki, kind, name)

    def connect(address: str, agency: str) -> grpc.Channel:
        if not layout.agency_cert(agency).exists():
            issue_agency_certificate(pki, agency)
        return agency_channel(address, pki, agency)

    return connect


def _spawn_open311(
    supervisor: Supervisor, nodes: dict[str, str], run_dir: Path, *, secure: bool
) -> dict[str, str] | None:
    """The Open311 gateway in front of a provincial node, for that province's People's Committee
    running a citizen app (a fresh API key each run); None when the run has no provincial node."""
    from gbus.open311.keys import ApiKeys

    area = "79" if "79" in nodes else next((a for a in nodes if a != "VN"), None)
    if area is None:
        return None
    agency = f"gov.ubnd@{area}"
    argv = ["open311", "--node", nodes[area], f"--api-key={ApiKeys.new_key()}={agency}",
            "--data-dir", str(run_dir / "open311")]  # fmt: skip
    if secure:
        from gbus.security.pki import PkiLayout, issue_agency_certificate

        layout = PkiLayout(run_dir / "pki")
        if not layout.agency_cert(agency).exists():
            issue_agency_certificate(run_dir / "pki", agency)
        argv += ["--tls-ca", str(layout.ca_cert), "--tls-cert", str(layout.agency_cert(agency)),
                 "--tls-key", str(layout.agency_key(agency))]  # fmt: skip
    return supervisor.spawn("open311", "open311", area, argv, OPEN311_READY).ready


def _say(text: str) -> None:
    print(text, flush=True)


def _stop(run_dir: Path) -> int:
    from gbus.devrun.supervisor import stop_recorded
    from gbus.kafka_harness import KafkaCluster
    from gbus.kafka_harness.errors import HarnessError

    names = stop_recorded(run_dir)
    _say(f"stopped: {', '.join(names)}" if names else "no bus processes were running")
    try:
        KafkaCluster.open(run_dir / "kafka").stop()
        _say("stopped: kafka")
    except HarnessError:
        _say("no kafka was running")
    return EXIT_OK


def _harness_cluster(args: argparse.Namespace, run_dir: Path) -> KafkaCluster:
    from gbus.kafka_harness import KafkaCluster
    from gbus.kafka_harness.errors import HarnessError

    _say(f"== Kafka (KRaft) in {run_dir / 'kafka'}")
    try:
        cluster = KafkaCluster(
            run_dir / "kafka", brokers=1, base_port=args.kafka_port, secure=args.secure,
            # One CA for the bus: it issues the brokers' certificates as well as the nodes' and agencies'.
            ca_dir=run_dir / "pki" if args.secure else None, progress=lambda m: print(f"   {m}", file=sys.stderr),
        )  # fmt: skip
        cluster.start()
    except HarnessError as exc:
        raise CliError(f"kafka did not start: {exc}") from exc
    return cluster


def _existing_cluster(args: argparse.Namespace) -> ExternalKafka:
    from gbus.devrun.external_kafka import ExternalKafka, UnreachableKafka

    if args.secure or args.kafka_port is not None:
        # --secure makes the Kafka users and ACLs on a cluster the run creates; an existing
        # cluster has its own, which `gbus run` does not know.
        raise CliError("--bootstrap runs against an existing cluster: it cannot be combined with "
                       f"{'--secure' if args.secure else '--kafka-port'}", EXIT_USAGE)  # fmt: skip
    cluster = ExternalKafka(args.bootstrap)
    try:
        brokers = cluster.check_reachable()
    except UnreachableKafka as exc:
        raise CliError(str(exc)) from exc
    _say(f"== Kafka: the existing cluster at {args.bootstrap} ({brokers} brokers; not started or stopped here)")
    return cluster


def _run(args: argparse.Namespace) -> int:
    run_dir = Path(args.run_dir).resolve()
    if args.stop or args.action == "stop":
        return _stop(run_dir)

    from gbus.config import KafkaSettings
    from gbus.devrun.supervisor import StartError, Supervisor
    from gbus.kafka_io.admin import ensure_topics
    from gbus.observability.logging import configure_logging
    from gbus.topics import Topics, node_areas, topic_specs

    # Our own log lines go to stderr; stdout is the account a person reads.
    configure_logging("WARNING", "console", process="run")
    areas = [a.strip() for a in args.areas.split(",") if a.strip()]
    unknown = [a for a in areas if a not in node_areas()]
    if unknown:
        raise CliError(f"--areas: unknown area(s) {', '.join(unknown)} (VN or a 2-digit province code)")
    private_dir(run_dir)
    if not args.keep:
        from gbus.devrun.run_dir import RunDirBusy, start_fresh

        try:
            removed = start_fresh(run_dir)
        except RunDirBusy as exc:
            raise CliError(str(exc)) from exc
        if removed:
            _say(f"== fresh start: removed {', '.join(removed)} from {run_dir} (--keep continues instead)")

    cluster: _Cluster = _existing_cluster(args) if args.bootstrap else _harness_cluster(args, run_dir)
    bootstrap = cluster.bootstrap_servers
    kafka = KafkaSettings(bootstrap_servers=bootstrap, partitions=args.partitions, **_kafka_login(cluster, "admin"))
    connect = None
    if args.secure:
        from gbus.cli.kafka_security_cmd import apply_bus_acls

        # ACLs first: the brokers apply them asynchronously, and the topics take a moment anyway.
        _say(
            f"   TLS (bus CA) + SASL/SCRAM-SHA-512 with {apply_bus_acls(cluster)} ACLs; every process logs in as its own user"
        )
        connect = _prepare_pki(run_dir / "pki", areas)
        _say(f"   mutual TLS: development CA and certificates in {run_dir / 'pki'}")
    created = ensure_topics(kafka, topic_specs(Topics(kafka.topic_prefix, kafka.partitions)))
    _say(f"   bootstrap {bootstrap}; {len(created)} topics created")

    # Children read the same topic layout through the environment overrides.
    # Secure mode refuses the published development secrets: this run directory's own, made once.
    own_secrets = _installation_secrets_env(run_dir / "pki") if args.secure else {}
    supervisor = Supervisor(run_dir, env={"GBUS__KAFKA__PARTITIONS": str(args.partitions), **own_secrets})
    stop = stop_on_signals()
    common = ["--bootstrap", bootstrap, "--metrics-listen", "127.0.0.1:0"]
    try:
        _say("== processes")
        proc = supervisor.spawn(
            "processor", "processor", "*",
            ["processor", *common, "--data-dir", str(run_dir / "processor"), "--instance-id", "p1"],
            PROCESSOR_READY, env={**_kafka_env(cluster, "processor"), **(_signing_env(run_dir / "pki") if args.secure else {})},
        )  # fmt: skip
        lines = [f"processor {proc.ready.get('instance', 'p1')} shards=all metrics={proc.ready['metrics']}"]
        nodes: dict[str, str] = {}
        nodes_metrics: dict[str, str] = {}
        for area in areas:
            child = supervisor.spawn(
                f"node-{area}", "node", area,
                ["node", "--area", area, *common, "--grpc-listen", "127.0.0.1:0", "--data-dir", str(run_dir / "nodes")],
                NODE_READY, env={**_kafka_env(cluster, f"node-{area}"), **(_tls_env(run_dir / "pki", area) if args.secure else {})},
            )  # fmt: skip
            nodes[area] = child.ready["grpc"]
            nodes_metrics[area] = child.ready["metrics"]
            lines.append(f"node {area} grpc={child.ready['grpc']} metrics={child.ready['metrics']}")
        gateway = _spawn_open311(supervisor, nodes, run_dir, secure=args.secure)
        if gateway is not None:
            lines.append(f"open311 url={gateway['url']} api_key={gateway['key']} agency={gateway['agency']}")
        monitor = supervisor.spawn(
            "monitor", "monitor", "*", ["monitor", *common], MONITOR_READY, env=_kafka_env(cluster, "admin")
        )
        lines.append(f"monitor metrics={monitor.ready['metrics']}")
        lines.append(f"kafka bootstrap={bootstrap}")
        _write_targets(run_dir, proc.ready["metrics"], nodes_metrics, monitor.ready["metrics"])
        for line in lines:
            _say(f"   {line}")

        if not args.no_sample:
            from gbus.devrun.sample_flow import run_sample
            from gbus.directory.directory import Directory

            _say("")
            _say("== sample data")
            run_sample(nodes, _say, Directory.default(), connect)

        _say("")
        _say("== the bus is running (Ctrl-C or `make stop` to stop); call it with grpcurl, e.g.")
        example = nodes.get("79") or next(iter(nodes.values()), None)
        if example and args.secure:
            pki = run_dir / "pki"
            _say(f"   grpcurl -cacert {pki}/ca.pem -cert {pki}/agencies/gov.ubnd@79.26743.pem "
                 f"-key {pki}/agencies/gov.ubnd@79.26743-key.pem {example} list")  # fmt: skip
        elif example:
            _say(f"   grpcurl -plaintext {example} list")
            _say(
                f"   grpcurl -plaintext -H 'x-agency-id: gov.ubnd@79.26743' -d '{{\"role\":\"CASE_ROLE_HANDLER\"}}' "
                f"{example} gbus.v1.CaseService/ListCases"
            )
        for line in lines:
            _say(line)
        _say(f"prometheus targets: {run_dir / 'scrape-targets' / 'gbus.json'} (see deploy/prometheus/prometheus.yml)")
        if args.exit_after_sample:
            return EXIT_OK
        while not stop.wait(1.0):
            dead = supervisor.dead_children()
            if dead:
                names = ", ".join(f"{c.name} (exit {c.popen.returncode}, log {c.err_log})" for c in dead)
                _say(f"a process stopped unexpectedly: {names}; shutting down")
                return EXIT_FAILURE
        return EXIT_OK
    except StartError as exc:
        raise CliError(str(exc)) from exc
    finally:
        _say("== stopping")
        supervisor.stop_all()
        cluster.stop()
        _say("stopped")
