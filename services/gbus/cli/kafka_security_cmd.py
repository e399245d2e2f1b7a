"""`gbus kafka credentials` and `gbus kafka acls`: SCRAM users and ACLs of a `--secure` cluster.

Passwords are printed only by `gbus kafka credentials`, which an operator runs to configure
one node; `up --secure` prints none.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gbus.cli.common import EXIT_OK, CliError

DEFAULT_PREFIX = "gbus."


def register(sub: argparse._SubParsersAction) -> None:
    creds = sub.add_parser(
        "credentials",
        help="print (or rotate) one Kafka user's SCRAM credentials of a --secure cluster",
        description=(
            "Print the settings a process needs to authenticate to a `gbus kafka up --secure` "
            "cluster, as GBUS__KAFKA__* environment lines (or JSON). Users: admin, processor, "
            "node-<area>. --rotate sets a new password on the brokers first: connections already "
            "open stay up, new ones need the new password (restart that process with it)."
        ),
    )
    who = creds.add_mutually_exclusive_group(required=True)
    who.add_argument("--area", help="a node's area, e.g. 79 or VN (user node-<area>)")
    who.add_argument("--user", help="a user name: admin, processor or node-<area>")
    creds.add_argument("--rotate", action="store_true", help="generate a new password and set it on the brokers")
    creds.add_argument("--json", action="store_true", help="one JSON object instead of environment lines")
    _data_dir_arg(creds)
    creds.set_defaults(func=_credentials)

    acls = sub.add_parser(
        "acls",
        help="show or apply the bus's Kafka ACLs",
        description="Kafka ACLs of the bus: each node reads only its own topic.",
    )
    acl_sub = acls.add_subparsers(dest="acl_command", metavar="ACTION", required=True)
    for name, func, text in (
        ("show", _acls_show, "print the ACLs the bus needs (no broker needed)"),
        ("apply", _acls_apply, "create the ACLs on the cluster, as admin (idempotent)"),
    ):
        p = acl_sub.add_parser(name, help=text, description=text)
        p.add_argument("--prefix", default=DEFAULT_PREFIX, help=f"topic prefix of the bus (default {DEFAULT_PREFIX})")
        p.add_argument("--group", default=None, help="the processor's consumer group (default gbus-processor)")
        p.add_argument(
            "--area",
            action="append",
            default=None,
            help="only this node area's ACLs (repeatable; default: the processor and every area)",
        )
        p.add_argument("--partitions", type=int, default=35, help=argparse.SUPPRESS)
        if name == "apply":
            _data_dir_arg(p)
            p.add_argument(
                "--bootstrap", default=None, help="bootstrap servers (default: those of the cluster in --data-dir)"
            )
        p.set_defaults(func=func)


def _data_dir_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the secure cluster's data dir, holding credentials.json (default: <repo>/var/kafka)",
    )


def _progress(message: str) -> None:
    print(f"gbus kafka: {message}", file=sys.stderr, flush=True)


def rules_for(prefix: str, group: str | None, areas: list[str] | None, partitions: int = 35) -> list[Any]:
    from gbus.kafka_io.acl_policy import DEFAULT_PROCESSOR_GROUP, bus_acls, node_acls
    from gbus.topics import Topics, node_areas

    topics = Topics(prefix=prefix, partitions=partitions)
    if areas:
        return [rule for area in areas for rule in node_acls(topics, area)]
    return bus_acls(topics, node_areas(), group or DEFAULT_PROCESSOR_GROUP)


def apply_bus_acls(
    cluster: Any,
    prefix: str = DEFAULT_PREFIX,
    group: str | None = None,
    areas: list[str] | None = None,
    bootstrap: str | None = None,
) -> int:
    """Create the bus's ACLs on a secure KafkaCluster as admin; returns how many."""
    from kafka import KafkaAdminClient

    from gbus.kafka_io.acl_admin import AclApplyError, apply_acls

    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap or cluster.bootstrap_servers,
        client_id="gbus-kafka-acls",
        **cluster.client_config(),
    )
    try:
        return apply_acls(admin, rules_for(prefix, group, areas))
    except AclApplyError as exc:
        raise CliError(str(exc)) from exc
    finally:
        admin.close()


def _open_secure(data_dir: Path | None) -> Any:
    from gbus.kafka_harness import HarnessError, KafkaCluster, paths

    path = (data_dir or paths.default_data_dir()).resolve()
    try:
        cluster = KafkaCluster.open(path)
    except HarnessError as exc:
        raise CliError(str(exc)) from exc
    if not cluster.secure:
        raise CliError(f"the cluster in {path} was not started with --secure; it has no users or ACLs")
    return cluster


def _credentials(args: argparse.Namespace) -> int:
    from gbus.kafka_harness import HarnessError
    from gbus.kafka_harness.security import Credentials, save_credentials
    from gbus.kafka_io.acl_policy import node_user

    cluster = _open_secure(args.data_dir)
    user = node_user(args.area) if args.area else args.user
    creds: Credentials = cluster.credentials
    if args.rotate and user == "admin":
        # The brokers log in to each other as admin with the password in their server.properties.
        raise CliError("the admin password cannot be rotated in place; recreate the cluster (up --secure --fresh)")
    try:
        creds.password(user)
        if args.rotate:
            creds = _rotate(cluster, creds, user)
            save_credentials(cluster.data_dir, creds)
            _progress(f"new password for {user} set on the brokers and saved in {cluster.data_dir}")
    except HarnessError as exc:
        raise CliError(str(exc)) from exc
    from gbus.kafka_harness.security import settings_fields
    from gbus.kafka_harness.tls import ca_file

    # From creds, not the cluster: after --rotate they hold the new password.
    settings = {"bootstrap_servers": cluster.bootstrap_servers, **settings_fields(creds, ca_file(cluster.ca_dir), user)}
    if args.json:
        print(json.dumps(settings))
    else:
        for key, value in settings.items():
            print(f"GBUS__KAFKA__{key.upper()}={value}")
    return EXIT_OK


def _rotate(cluster: Any, creds: Any, user: str) -> Any:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    from gbus.kafka_harness.security import new_password
    from gbus.kafka_io.acl_admin import AclApplyError, set_scram_password

    password = new_password()
    # The admin's own password changes only for new connections, so this client is unaffected.
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=cluster.bootstrap_servers, client_id="gbus-kafka-credentials", **cluster.client_config()
        )
    except KafkaError as exc:
        raise CliError(f"cannot reach the cluster as admin: {exc}") from exc
    try:
        set_scram_password(admin, user, password, creds.mechanism)
    except (AclApplyError, KafkaError) as exc:
        raise CliError(str(exc)) from exc
    finally:
        admin.close()
    return creds.with_password(user, password)


def _acls_show(args: argparse.Namespace) -> int:
    for rule in rules_for(args.prefix, args.group, args.area, args.partitions):
        print(rule)
    return EXIT_OK


def _acls_apply(args: argparse.Namespace) -> int:
    cluster = _open_secure(args.data_dir)
    count = apply_bus_acls(cluster, args.prefix, args.group, args.area, args.bootstrap)
    _progress(f"{count} ACLs in place for prefix {args.prefix!r}")
    return EXIT_OK
