"""`gbus tick`: tell the case processors that time has passed, so they escalate every
open case whose legal time limit ran out (the handler's superior starts watching, and
`gbus_escalations_total{code="sla_breach"}` rises).

Time is an input of the bus, not each processor's clock: a Tick goes through the
commands topic like any command, so processing stays deterministic and a replay
of the topics gives the same escalations. Run it from a timer (systemd, cron),
e.g. every 10 minutes; an escalation happens once per case and stage, so extra
ticks cost a scan and nothing else.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import datetime, timezone
from typing import Any

from gbus.cli.common import EXIT_OK, EXIT_USAGE, CliError
from gbus.cli.ops_args import add_kafka_args, kafka_failure, quiet_logging, settings_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tick",
        help="let time pass: processors escalate cases past their legal time limit",
        description=__doc__.split("\n\n")[0],
    )
    add_kafka_args(parser)
    parser.add_argument("--shard", action="append", help="only this shard (province code, 00); repeatable; default all")
    parser.add_argument("--at", help="the time to announce, ISO 8601 (default: now); for tests and replays")
    parser.set_defaults(func=_tick)


def tick_record(shard: str, at: datetime) -> dict[str, Any]:
    return {
        "command_id": f"tick-{shard}-{uuid.uuid4().hex}",
        "request_id": f"tick-{int(at.timestamp())}",
        "case_id": f"{shard}-tick",
        "shard": shard,
        "actor": "bus",
        "issued_at": at,
        "reply_to": "VN",
        "expected_version": 0,
        "body": ("gbus.avro.Tick", {"now": at}),
    }


def _tick(args: argparse.Namespace) -> int:
    from kafka.errors import KafkaError

    from gbus.codec import AvroCodec
    from gbus.domain.report_fields import parse_timestamp
    from gbus.kafka_io.clients import make_producer
    from gbus.kafka_io.signing_producer import SigningProducer
    from gbus.security.provisioning import record_signer_from_settings
    from gbus.topics import Topics, all_shards

    settings = settings_from(args)
    quiet_logging(settings)
    shards = args.shard or list(all_shards())
    unknown = [s for s in shards if s not in all_shards()]
    if unknown:
        raise CliError(f"--shard: unknown shard(s) {', '.join(unknown)}", EXIT_USAGE)
    try:
        at = parse_timestamp(args.at) if args.at else datetime.now(timezone.utc)
    except ValueError as exc:
        raise CliError(f"--at: not an ISO 8601 time: {args.at}", EXIT_USAGE) from exc
    topics = Topics(settings.kafka.topic_prefix, settings.kafka.partitions)
    codec = AvroCodec()
    try:
        producer = make_producer(settings.kafka, "tick")
        # A processor with a trust directory applies only Ticks an operator signed
        # (security.signing_cert = an operators/<name>.pem from `gbus pki issue-signer`).
        signer = record_signer_from_settings(settings.security)
        if signer is not None:
            producer = SigningProducer(producer, signer)
        try:
            for shard in shards:
                value = codec.encode("gbus.avro.Command", tick_record(shard, at))
                producer.send(
                    topics.commands, key=shard.encode(), value=value, partition=topics.partition_of_shard(shard)
                ).get(timeout=settings.kafka.request_timeout_ms / 1000)
        finally:
            producer.close()
    except KafkaError as exc:
        raise kafka_failure(exc, settings.kafka.bootstrap_servers) from exc
    print(f"tick {at.isoformat()} sent to {len(shards)} shard(s)")
    return EXIT_OK
