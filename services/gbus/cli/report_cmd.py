"""`gbus report`: the weekly situation report of an area, as HTML, PDF or JSON."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from gbus.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CliError, settings_with

if TYPE_CHECKING:
    from gbus.config import Settings
    from gbus.situation.figures import CaseHistory, Names

FORMATS = ("html", "pdf", "json")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "report",
        help="the weekly situation report of an area (HTML, PDF or JSON)",
        description="Volumes by kind, category, channel and place against the previous week and the 8-week "
        "average; the grievances most people raised, new hotspots, rising topics; overdue and nearly-due "
        "cases, time to accept and resolve, and citizens' satisfaction per agency (docs/situation-report.md). "
        "Never shows who reported.",
    )
    parser.add_argument("--area", required=True, help="a province code (79) or VN for the whole country")
    parser.add_argument("--week", help="ISO week, e.g. 2026-W49 (default: the last complete week, Vietnam time)")
    parser.add_argument("--format", choices=FORMATS, help="default: from the --out extension, else html")
    parser.add_argument("--out", required=True, help="file to write ('-' for standard output, json/html only)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--store", help="read a node's local store (its node.sqlite) instead of Kafka")
    source.add_argument("--bootstrap", help="Kafka bootstrap servers (default: kafka.bootstrap_servers)")
    parser.add_argument("--config", help="TOML settings file (Kafka, topic prefix, [legal_clock] files)")
    parser.add_argument("--topic-prefix", help="prefix of every topic name (default: kafka.topic_prefix)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from gbus.cases.legal_clock import legal_clock_from_settings
    from gbus.situation.figures import build_report
    from gbus.situation.weeks import Week

    area = "VN" if args.area.strip().upper() == "VN" else args.area.strip()
    names = _names()
    if area != "VN" and (len(area) != 2 or names.place(area) is None):
        raise CliError(f"--area must be VN or a 2-digit province code, not {area!r}", EXIT_USAGE)
    try:
        week = Week.parse(args.week) if args.week else Week.containing(datetime.now(timezone.utc) - timedelta(days=7))
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    fmt = args.format or _format_of(args.out)
    if fmt == "pdf" and args.out == "-":
        raise CliError("a PDF needs a file: give --out report.pdf", EXIT_USAGE)
    settings = settings_with(
        args.config, (("kafka", "bootstrap_servers", args.bootstrap), ("kafka", "topic_prefix", args.topic_prefix))
    )
    from kafka.errors import KafkaError

    try:
        cases = _read(args, settings, area)
    except (OSError, LookupError, TimeoutError, KafkaError) as exc:
        raise CliError(f"cannot read the cases: {exc}", EXIT_FAILURE) from exc
    report = build_report(cases, area=area, week=week, now=datetime.now(timezone.utc),
                          clock=legal_clock_from_settings(settings.legal_clock), names=names)  # fmt: skip
    _write(report, fmt, args.out)
    return EXIT_OK


def _read(args: argparse.Namespace, settings: Settings, area: str) -> list[CaseHistory]:
    from gbus.situation.sources import from_node_store, from_topics

    return from_node_store(args.store) if args.store else from_topics(settings.kafka, area)


def _names() -> Names:
    from gbus.directory.directory import Directory
    from gbus.situation.figures import Names

    directory = Directory.default()

    def agency(agency_id: str) -> str | None:
        found = directory.get(agency_id)
        return getattr(found, "name", None) if found is not None else None

    return Names(place=directory.area_name, agency=agency)


def _format_of(out: str) -> str:
    suffix = Path(out).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "html"


def _write(report: dict, fmt: str, out: str) -> None:
    if fmt == "json":
        data = json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")
    elif fmt == "html":
        from gbus.situation.html_page import render_html

        data = render_html(report).encode("utf-8")
    else:
        from gbus.situation.pdf_pages import render_pdf

        data = render_pdf(report)
    if out == "-":
        import sys

        sys.stdout.buffer.write(data)
    else:
        Path(out).write_bytes(data)
