"""`gbus route ...`: check routing offline, without Kafka or a running node.

gbus route explain --input reports.jsonl [--rules FILE] [--extra-agencies FILE] [--why]
gbus route agencies [ID ...] [--area 79 [--subareas]] [--sector gov] [--level province]
gbus route agencies --sources [--sector party] [--level commune]
gbus route check [--rules FILE] [--extra-agencies FILE] [--roles FILE]
gbus route diff --changes FILE [--at DAY] [--cases-from kafka|NODE_STORE [--area 79]]
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from gbus.cli.common import (
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    CliError,
    bad_line,
    print_json_line,
    read_jsonl,
    settings_with,
)
from gbus.domain.vocabulary import LEVELS, SECTORS
from gbus.errors import ValidationError


def register(subparsers: Any) -> None:
    route = subparsers.add_parser("route", help="check routing decisions and the agency directory offline")
    sub = route.add_subparsers(dest="route_command", metavar="SUBCOMMAND", required=True)

    explain = sub.add_parser(
        "explain",
        help="route each report of a JSONL file and print the decision",
        description=(
            "Prints one JSON line per report: {report_id, handler, watchers, rule}. "
            "Bad lines are reported on stderr with their line number; the rest are routed. "
            f"Exit code {EXIT_PARTIAL} if any line was bad."
        ),
    )
    explain.add_argument("--input", "-i", required=True, help="JSONL file of reports ('-' for stdin)")
    explain.add_argument("--why", "--verbose", "-v", dest="why", action="store_true",
                         help="also print the rule's explanation and why each watcher watches")  # fmt: skip
    _data_flags(explain)
    explain.set_defaults(func=_explain)

    agencies = sub.add_parser("agencies", help="look up agencies or list them by area, sector, level")
    agencies.add_argument("ids", nargs="*", metavar="ID", help="agency ids to look up (loose forms accepted)")
    agencies.add_argument("--area", help="'VN', a province '79' or a ward '79.26743'")
    agencies.add_argument("--subareas", action="store_true", help="with --area: include its communes")
    agencies.add_argument("--sector", choices=SECTORS)
    agencies.add_argument("--level", choices=LEVELS)
    agencies.add_argument("--chain", action="store_true", help="also print each agency's superiors")
    agencies.add_argument("--sources", action="store_true",
                          help="print each role of the template with its line, superior and legal source, then the renames")  # fmt: skip
    _data_flags(agencies)
    agencies.set_defaults(func=_agencies)

    check = sub.add_parser(
        "check",
        help="load the directory and rules files and report any mistake",
        description=(
            "Fails on a superior that is missing or forms a cycle, a rule naming an unknown body, "
            "a role without a legal source, and a category without a competent body at any level "
            "(the ministry map at the centre; a handler for a report in every province and commune)."
        ),
    )
    _data_flags(check)
    check.set_defaults(func=_check)

    diff = sub.add_parser(
        "diff",
        help="what an administrative changes file would move, before it is applied",
        description=(
            "With --cases-from: one JSON line per open case the changes would re-route (handler, ward and "
            "watchers before and after, the changes that move it), read from the case-state topic or a node's "
            "store. Without: one line per place, kind and category whose routing the changes alter. "
            "A summary goes to stderr. Nothing is written anywhere (docs/directory.md)."
        ),
    )
    diff.add_argument("--changes", required=True, help="the administrative changes file (YAML)")
    diff.add_argument("--at", help="only the changes in force on this day, YYYY-MM-DD Vietnam time (default: all)")
    diff.add_argument("--cases-from", metavar="SOURCE",
                      help="'kafka' (the case-state topic) or the path of a node's store (node.sqlite)")  # fmt: skip
    diff.add_argument("--area", default="VN", help="with --cases-from kafka: a province code, or VN (default) for all")
    diff.add_argument("--bootstrap", help="Kafka bootstrap servers (default: kafka.bootstrap_servers)")
    diff.add_argument("--config", help="TOML settings file (Kafka, topic prefix)")
    diff.add_argument("--topic-prefix", help="prefix of every topic name (default: kafka.topic_prefix)")
    _data_flags(diff)
    diff.set_defaults(func=_diff)


def _data_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", help="routing rules YAML (default: the package's default rules)")
    parser.add_argument("--extra-agencies", help="YAML of extra or renamed agencies")
    parser.add_argument("--roles", help="role template YAML (default: the package's template)")


def _load(args: argparse.Namespace) -> Any:
    # Deferred imports keep `gbus --help` fast (see gbus.cli.main).
    from gbus.directory import DataFileError, Directory
    from gbus.routing import Router, load_rules

    try:
        directory = Directory.from_files(roles=args.roles, extra_agencies=args.extra_agencies)
        return Router(directory, load_rules(args.rules))
    except DataFileError as exc:
        raise CliError(f"cannot load routing data:\n{exc}") from exc


def _explain(args: argparse.Namespace) -> int:
    from gbus.domain.report_fields import report_from_mapping

    router = _load(args)
    bad = 0
    for line in read_jsonl(args.input):
        if line.error is not None:
            bad += 1
            _bad_line(args.input, line.line_no, None, line.error)
            continue
        assert line.value is not None
        try:
            decision = router.route(report_from_mapping(line.value))
        except ValidationError as exc:  # includes UnroutableError
            bad += 1
            rid = line.value.get("report_id")
            for violation in exc.violations:
                _bad_line(args.input, line.line_no, rid, f"{violation.field}: {violation.description}")
            continue
        print_json_line(decision.to_dict(verbose=args.why))
    return EXIT_PARTIAL if bad else EXIT_OK


def _bad_line(path: str, line_no: int, report_id: Any, message: str) -> None:
    bad_line(path, line_no, (f"report {report_id}: " if isinstance(report_id, str) else "") + message)


def _agencies(args: argparse.Namespace) -> int:
    from gbus.directory import normalise

    directory = _load(args).directory
    if args.sources:
        return _sources(directory, args)
    if args.ids:
        missing = 0
        for raw in args.ids:
            try:
                agency = directory.get(normalise.agency_id(raw))
            except ValueError as exc:
                agency, message = None, str(exc)
            else:
                message = f"no agency {raw}"
            if agency is None:
                missing += 1
                print(f"gbus: {message}", file=sys.stderr)
                continue
            print_json_line(_agency_json(directory, agency, args.chain))
        return EXIT_PARTIAL if missing else EXIT_OK
    area = None
    if args.area:
        try:
            area = normalise.area(args.area)
        except ValueError as exc:
            raise CliError(str(exc), 2) from exc
        if not directory.has_area(area):
            raise CliError(f"unknown area {area}", 2)
    for agency in directory.agencies(area=area, include_subareas=args.subareas, sector=args.sector, level=args.level):
        print_json_line(_agency_json(directory, agency, args.chain))
    return EXIT_OK


def _sources(directory: Any, args: argparse.Namespace) -> int:
    template = directory.template
    for level in LEVELS:
        if args.level and level != args.level:
            continue
        for spec in template.levels[level]:
            if args.sector and spec.sector != args.sector:
                continue
            out: dict[str, Any] = {
                "level": level, "role": spec.unit, "name": spec.name_template, "line": spec.line,
                "superior": spec.superior_template, "source": spec.source.cite() if spec.source else None,
            }  # fmt: skip
            if spec.only_in is not None:
                out["only_in"] = sorted(spec.only_in)
            if spec.except_in:
                out["except_in"] = sorted(spec.except_in)
            print_json_line(out)
    for alias in template.aliases:
        if args.sector and not alias.old_unit.startswith(f"{args.sector}."):
            continue
        print_json_line({
            "renamed": alias.old_unit, "to": alias.new_unit, "levels": list(alias.levels),
            "effective": alias.effective.isoformat(), "source": alias.source.cite() if alias.source else None,
        })  # fmt: skip
    return EXIT_OK


def _agency_json(directory: Any, agency: Any, chain: bool) -> dict[str, Any]:
    out = {
        "id": agency.id, "name": agency.name, "sector": agency.sector, "role": agency.role,
        "level": agency.level, "area": agency.area, "superior_id": agency.superior_id,
    }  # fmt: skip
    if chain:
        out["chain"] = [a.id for a in directory.chain_of(agency.id)]
    return out


def _check(args: argparse.Namespace) -> int:
    from gbus.routing.coverage import roles_without_source, uncovered_categories

    router = _load(args)
    problems = roles_without_source(router.directory.template) + uncovered_categories(router)
    if problems:
        raise CliError("routing data is incomplete:\n" + "\n".join(problems))
    print(
        f"ok: {len(router.directory)} agencies, {len(router.rules.rules)} rules and "
        f"{len(router.rules.always)} always-watchers from {router.rules.source}; every role cites its "
        f"legal source and every category has a competent body at every level"
    )
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    import datetime as dt

    from gbus.directory import DataFileError
    from gbus.directory.changes import VIETNAM, DirectoryInputs, directory_with, load_changes
    from gbus.domain.status import is_open
    from gbus.ops.route_diff import moved_cases, routing_diff
    from gbus.routing import Router

    before = _load(args)
    try:
        day = dt.date.fromisoformat(args.at) if args.at else None
    except ValueError as exc:
        raise CliError(f"--at: {exc} (expected YYYY-MM-DD)", EXIT_USAGE) from exc
    try:
        changes = load_changes(args.changes)
        if day is None:  # every change of the file, as if all were in force now
            at, chosen = dt.datetime.now(dt.timezone.utc), changes.changes
        else:  # those in force by the end of that day
            at = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=VIETNAM)
            chosen = changes.in_force(at)
        inputs = DirectoryInputs(roles=args.roles, extra_agencies=args.extra_agencies)
        after = Router(directory_with(chosen, inputs=inputs, source=changes.source), before.rules)
    except DataFileError as exc:
        raise CliError(f"cannot apply the changes:\n{exc}") from exc
    if args.cases_from is None:
        lines = 0
        for line in routing_diff(chosen, before, after):
            print_json_line(line)
            lines += 1
        print(f"gbus: {lines} routing decision(s) change with {len(chosen)} change(s)", file=sys.stderr)
        return EXIT_OK
    cases = _cases(args)
    moved = 0
    for line in moved_cases(cases, chosen, before, after, at):
        print_json_line(line)
        moved += 1
    open_count = sum(1 for c in cases if is_open(c.status))
    print(f"gbus: {moved} of {open_count} open case(s) would move with {len(chosen)} change(s)", file=sys.stderr)
    return EXIT_OK


def _cases(args: argparse.Namespace) -> list[Any]:
    """Every case of the source, as the latest snapshot says."""
    from kafka.errors import KafkaError

    try:
        if args.cases_from != "kafka":
            from gbus.codec.single_object import AvroCodec
            from gbus.node.store import NodeStore

            if not os.path.isfile(args.cases_from):
                raise CliError(f"--cases-from: no node store at {args.cases_from} (or say 'kafka')", EXIT_USAGE)
            store = NodeStore(args.cases_from, AvroCodec())
            try:
                return [state for state, _ in store.all_cases()]
            finally:
                store.close()
        settings = settings_with(args.config, (("kafka", "bootstrap_servers", args.bootstrap),
                                               ("kafka", "topic_prefix", args.topic_prefix)))  # fmt: skip
        return _cases_from_topic(settings.kafka, args.area.strip().upper() if args.area else "VN")
    except (OSError, LookupError, TimeoutError, KafkaError) as exc:
        raise CliError(f"cannot read the cases: {exc}") from exc


def _cases_from_topic(kafka: Any, area: str) -> list[Any]:
    """The compacted case-state topic: the area's shard, or every shard for VN."""
    from gbus.domain.vocabulary import shard_of_province
    from gbus.situation.sources import current_states

    _, _, states = current_states(kafka, area, client_id="route-diff")
    # A partition may hold several provinces' shards.
    return [s for s in states if area == "VN" or s.shard == shard_of_province(area)]
