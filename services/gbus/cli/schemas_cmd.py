"""`gbus schemas`: list, check and publish the Avro schemas in schemas/."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from gbus.cli.common import EXIT_FAILURE, EXIT_OK, CliError

if TYPE_CHECKING:
    from gbus.codec.schema_store import SchemaStore


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "schemas",
        help="list, check and publish the Avro schemas of the bus's topics",
        description="Every published version of every schema is kept under schemas/<name>/v<N>.avsc. "
        "A new version must be FULL_TRANSITIVE compatible with all earlier ones.",
    )
    parser.add_argument("--dir", help="schema directory (default: the schemas installed with the package)")
    actions = parser.add_subparsers(dest="schemas_command", metavar="ACTION", required=True)

    ls = actions.add_parser("list", help="list schemas, versions and fingerprints")
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=_list)

    chk = actions.add_parser(
        "check",
        help="fail unless every version reads every other and published versions are unchanged",
    )
    chk.add_argument(
        "--installed", action="store_true",
        help="check the schemas installed with the package (whatever --dir says): that a wheel "
        "carries every published version, unchanged",
    )  # fmt: skip
    chk.set_defaults(func=_check)

    pub = actions.add_parser("publish", help="check, then record new versions in published.lock")
    pub.set_defaults(func=_publish)


def _installed_dir() -> str:
    # Imported here: the schema store brings fastavro, which `gbus --help` must not pay for.
    from gbus.codec.schema_store import DEFAULT_SCHEMA_DIR

    return str(DEFAULT_SCHEMA_DIR)


def _store(args: argparse.Namespace) -> SchemaStore:
    from gbus.codec.errors import SchemaDefinitionError
    from gbus.codec.schema_store import SchemaStore

    try:
        return SchemaStore(args.dir or _installed_dir())
    except SchemaDefinitionError as exc:
        raise CliError(str(exc)) from exc


def _list(args: argparse.Namespace) -> int:
    store = _store(args)
    rows = [
        {"name": v.name, "version": v.version, "fingerprint": v.fingerprint.hex(), "path": str(v.path)}
        for name in store.names()
        for v in store.versions(name)
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['name']:<28} v{row['version']:<3} {row['fingerprint']}")
    return EXIT_OK


def _run_check(args: argparse.Namespace):
    from gbus.codec.compatibility import check

    store = _store(args)
    return store, check(store)


def _check(args: argparse.Namespace) -> int:
    if getattr(args, "installed", False):
        from importlib.metadata import version

        args.dir = _installed_dir()
        print(f"checking the schemas installed with grievance-bus {version('grievance-bus')} in {args.dir}")
    _, report = _run_check(args)
    for problem in report.problems:
        print(f"INCOMPATIBLE: {problem}")
    for key in report.unpublished:
        print(f"UNPUBLISHED: {key} (run `gbus schemas publish` once it is final)")
    if not report.ok:
        print(f"schemas check failed: {len(report.problems)} problem(s), {len(report.unpublished)} unpublished")
        return EXIT_FAILURE
    print(f"schemas ok: {report.versions} versions, {report.checked_pairs} pairs FULL_TRANSITIVE compatible")
    return EXIT_OK


def _publish(args: argparse.Namespace) -> int:
    from gbus.codec.compatibility import publish

    store, report = _run_check(args)
    if report.problems:
        for problem in report.problems:
            print(f"INCOMPATIBLE: {problem}")
        print("nothing published")
        return EXIT_FAILURE
    added = publish(store)
    print(f"published {len(added)} new version(s)" + (": " + ", ".join(added) if added else ""))
    return EXIT_OK
