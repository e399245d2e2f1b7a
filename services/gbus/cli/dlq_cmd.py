"""`gbus dlq list` / `gbus dlq replay`: inspect dead letters and put them back after a fix.

Exit codes: 0 done; 1 Kafka failed; 2 usage (nothing chosen, unknown offsets);
3 some chosen dead letters were not replayed (each is listed with the reason).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from gbus.cli.common import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, CliError
from gbus.cli.ops_args import add_json_arg, add_kafka_args, kafka_failure, quiet_logging, settings_from


def register(subparsers: Any) -> None:
    dlq = subparsers.add_parser("dlq", help="inspect and replay dead letters")
    sub = dlq.add_subparsers(dest="dlq_command", metavar="ACTION", required=True)

    ls = sub.add_parser(
        "list",
        help="list dead letters: source topic/partition/offset, error type, reason, size",
        description="List the most recent dead letters of the bus's dead-letters topic, oldest of them first.",
    )
    add_kafka_args(ls)
    add_json_arg(ls)
    ls.add_argument("--limit", type=int, default=50, help="show the N most recent (default: %(default)s; 0 = all)")
    ls.add_argument("--source", help="only dead letters from this source topic")
    ls.set_defaults(func=_list)

    rp = sub.add_parser(
        "replay",
        help="re-send dead letters' original records to their source topic and partition",
        description=(
            "Re-send each chosen dead letter's original key and value to the partition it came from, once the "
            "cause is fixed. Safe to repeat: the bus ignores a report it has and a copy older than a node's. "
            "A value that still does not decode with today's schemas is skipped unless --force."
        ),
        epilog="exit codes: 0 all chosen replayed, 1 Kafka failed, 2 usage, 3 some were skipped (listed)",
    )
    add_kafka_args(rp)
    add_json_arg(rp)
    choice = rp.add_mutually_exclusive_group(required=True)
    choice.add_argument(
        "--offset", type=int, action="append", metavar="N", help="the dead letter at DLQ offset N (repeatable)"
    )
    choice.add_argument("--all", action="store_true", help="every dead letter")
    rp.add_argument("--dry-run", action="store_true", help="show what would be sent, send nothing")
    rp.add_argument("--force", action="store_true", help="also replay values that do not decode with today's schemas")
    rp.set_defaults(func=_replay)


def _read_rows(settings: Any) -> list[Any]:
    from gbus.codec import AvroCodec
    from gbus.ops.dlq import decode_dead_letter
    from gbus.ops.kafka_view import admin_client
    from gbus.ops.records import read_to_end
    from gbus.topics import Topics

    topic = Topics(settings.kafka.topic_prefix).dead_letters
    with admin_client(settings.kafka, "dlq") as admin:
        if topic not in admin.list_topics():
            raise CliError(f"topic {topic} does not exist on {settings.kafka.bootstrap_servers}")
        partitions = len(admin.describe_topics([topic])[0]["partitions"])
    codec = AvroCodec()
    records = read_to_end(settings.kafka, [(topic, p) for p in range(partitions)])
    return [decode_dead_letter(codec, r.offset, r.value) for r in sorted(records, key=lambda r: r.offset)]


def _list(args: argparse.Namespace) -> int:
    from kafka.errors import KafkaError

    from gbus.ops.dlq import render_rows, row_dict

    if args.limit < 0:
        raise CliError("--limit must be 0 or more", EXIT_USAGE)
    settings = settings_from(args)
    quiet_logging(settings)
    try:
        rows = _read_rows(settings)
    except (KafkaError, OSError, TimeoutError) as exc:
        raise kafka_failure(exc, settings.kafka.bootstrap_servers) from exc
    if args.source:
        rows = [r for r in rows if r.source_topic == args.source]
    shown = rows[-args.limit :] if args.limit else rows
    if args.json:
        print(
            json.dumps({"total": len(rows), "dead_letters": [row_dict(r) for r in shown]}, ensure_ascii=False, indent=2)
        )
    else:
        print("\n".join(render_rows(shown, len(rows))))
    return EXIT_OK


def _replay(args: argparse.Namespace) -> int:
    from kafka.errors import KafkaError

    from gbus.ops.dlq import plan_replay, row_dict
    from gbus.ops.kafka_view import admin_client

    settings = settings_from(args)
    quiet_logging(settings)
    kafka = settings.kafka
    try:
        rows = _read_rows(settings)
        with admin_client(kafka, "dlq") as admin:
            existing = set(admin.list_topics())
    except (KafkaError, OSError, TimeoutError) as exc:
        raise kafka_failure(exc, kafka.bootstrap_servers) from exc
    plan = plan_replay(rows, offsets=None if args.all else args.offset, prefix=kafka.topic_prefix,
                       existing_topics=existing, force=args.force)  # fmt: skip
    if plan.unknown_offsets:
        raise CliError(
            f"no dead letter at offset(s) {', '.join(map(str, plan.unknown_offsets))} (see `gbus dlq list`)", EXIT_USAGE
        )
    sent: Sequence[tuple[Any, int | None]] = []
    if not args.dry_run and plan.send:
        try:
            sent = _send(kafka, plan.send)
        except (KafkaError, OSError) as exc:
            raise kafka_failure(exc, kafka.bootstrap_servers) from exc
    else:
        sent = [(row, None) for row in plan.send]
    verb = "would replay" if args.dry_run else "replayed"
    if args.json:
        print(json.dumps({
            "dry_run": args.dry_run,
            "replayed": [{**row_dict(r), "new_offset": off} for r, off in sent],
            "skipped": [{**row_dict(r), "why": why} for r, why in plan.skipped],
        }, ensure_ascii=False, indent=2))  # fmt: skip
    else:
        for row, new_offset in sent:
            at = f" -> offset {new_offset}" if new_offset is not None else ""
            print(
                f"{verb} dead letter {row.dlq_offset}: {row.size} bytes to {row.source_topic}[{row.partition}]{at} ({row.error_type})"
            )
        for row, why in plan.skipped:
            print(f"skipped dead letter {row.dlq_offset}: {why}")
        print(f"{len(sent)} {verb}, {len(plan.skipped)} skipped")
    return EXIT_PARTIAL if plan.skipped else EXIT_OK


def _send(kafka: Any, rows: Any) -> list[tuple[Any, int]]:
    from gbus.kafka_io.clients import make_producer

    producer = make_producer(kafka, "dlq-replay")
    try:
        # Same partition as the original: partitions follow shards, not Kafka's key hash.
        # With its original headers: a verifying processor accepts only a record its writer signed.
        futures = [
            (row, producer.send(row.source_topic, key=row.key, value=row.value, partition=row.partition,
                                headers=list(row.headers) or None))
            for row in rows
        ]  # fmt: skip
        return [(row, future.get(timeout=30).offset) for row, future in futures]
    finally:
        producer.close(timeout=10)
