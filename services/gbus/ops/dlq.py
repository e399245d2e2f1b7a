"""Dead letters: decode them for people, and choose which to put back. Pure.

A dead letter keeps the original record byte for byte (key, value, source
topic, partition and offset), so replaying one after a fix is re-sending the
same bytes to the same partition. That is safe to repeat because every
consumer of the bus is idempotent: a report id is derived from (origin agency,
request id), a copy older than what a node holds is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gbus.codec import AvroCodec, CodecError

DEAD_LETTER_SCHEMA = "gbus.avro.DeadLetter"


@dataclass(frozen=True, slots=True)
class DeadLetterRow:
    dlq_offset: int
    source_topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    error_type: str
    reason: str
    failed_at: datetime | None
    consumer: str
    decodes_as: str | None  # the schema the value decodes to with today's schemas
    decode_error: str | None  # why it does not (None when it decodes or is empty)
    # The original's Kafka headers (DeadLetter v2): its writer's signature, replayed with it.
    headers: tuple[tuple[str, bytes], ...] = ()

    @property
    def size(self) -> int:
        return len(self.value or b"")

    @property
    def source(self) -> str:
        return f"{self.source_topic}[{self.partition}]@{self.offset}"


def decode_dead_letter(codec: AvroCodec, dlq_offset: int, value: bytes | None) -> DeadLetterRow:
    """A row even for a dead letter that does not decode itself (shown as such, never replayed)."""
    try:
        rec = codec.decode(value, expected=DEAD_LETTER_SCHEMA)  # type: ignore[arg-type]
    except CodecError as exc:
        return DeadLetterRow(
            dlq_offset, "?", -1, -1, None, None, "UndecodableDeadLetter", str(exc), None, "?", None, str(exc)
        )
    original = rec.get("value")
    decodes_as, decode_error = _try_decode(codec, original)
    return DeadLetterRow(
        dlq_offset=dlq_offset,
        source_topic=rec["source_topic"],
        partition=rec["partition"],
        offset=rec["offset"],
        key=rec.get("key"),
        value=original,
        error_type=rec["error_type"],
        reason=rec["reason"],
        failed_at=rec.get("failed_at"),
        consumer=rec.get("consumer", ""),
        decodes_as=decodes_as,
        decode_error=decode_error,
        headers=tuple((h["name"], h["value"] or b"") for h in rec.get("headers") or ()),
    )


def _try_decode(codec: AvroCodec, value: bytes | None) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    try:
        schema = codec.peek_schema(value)
        codec.decode(value)
    except CodecError as exc:
        return None, str(exc)
    return schema.label, None


@dataclass(frozen=True, slots=True)
class ReplayPlan:
    send: tuple[DeadLetterRow, ...]
    skipped: tuple[tuple[DeadLetterRow, str], ...]  # (row, why it is not replayed)
    unknown_offsets: tuple[int, ...]  # asked for, but no dead letter has that offset


def plan_replay(
    rows: list[DeadLetterRow],
    *,
    offsets: list[int] | None,
    prefix: str,
    existing_topics: set[str],
    force: bool = False,
) -> ReplayPlan:
    """Which dead letters to re-send (`offsets` None = all), and why the others are not."""
    by_offset = {r.dlq_offset: r for r in rows}
    chosen = rows if offsets is None else [by_offset[o] for o in dict.fromkeys(offsets) if o in by_offset]
    unknown = () if offsets is None else tuple(o for o in dict.fromkeys(offsets) if o not in by_offset)
    send, skipped = [], []
    for row in chosen:
        why = _why_not(row, prefix, existing_topics, force)
        if why:
            skipped.append((row, why))
        else:
            send.append(row)
    return ReplayPlan(tuple(send), tuple(skipped), unknown)


def _why_not(row: DeadLetterRow, prefix: str, existing_topics: set[str], force: bool) -> str | None:
    if row.error_type == "UndecodableDeadLetter":
        return "the dead letter itself does not decode"
    if row.value is None:
        return "no value to replay"
    if not row.source_topic.startswith(prefix):
        return f"source topic {row.source_topic} is not one of this bus's topics (prefix {prefix!r})"
    if row.source_topic not in existing_topics:
        return f"source topic {row.source_topic} does not exist"
    if row.decode_error and not force:
        return f"value still does not decode ({row.decode_error}); --force replays it anyway"
    return None


def _iso(at: datetime | None) -> str:
    return at.isoformat().replace("+00:00", "Z") if at else "?"


def row_dict(row: DeadLetterRow) -> dict[str, Any]:
    return {
        "dlq_offset": row.dlq_offset,
        "source_topic": row.source_topic,
        "partition": row.partition,
        "offset": row.offset,
        "key": row.key.decode("utf-8", "replace") if row.key is not None else None,
        "size": row.size,
        "error_type": row.error_type,
        "reason": row.reason,
        "failed_at": _iso(row.failed_at),
        "consumer": row.consumer,
        "decodes_as": row.decodes_as,
        "decode_error": row.decode_error,
    }


def render_rows(rows: list[DeadLetterRow], total: int) -> list[str]:
    if not rows:
        return ["no dead letters"]
    head = f"{'DLQ OFFSET':>10}  {'FAILED AT':<24}  {'SOURCE':<30}  {'ERROR TYPE':<22}  {'SIZE':>7}  REASON"
    lines = [head]
    for r in rows:
        reason = " ".join(r.reason.split())
        reason = reason if len(reason) <= 90 else reason[:89] + "…"
        lines.append(
            f"{r.dlq_offset:>10}  {_iso(r.failed_at):<24}  {r.source:<30}  {r.error_type:<22}  {r.size:>6}B  {reason}"
        )
        if r.decode_error:
            lines.append(f"{'':>10}  value does not decode with today's schemas: {r.decode_error}")
    if total > len(rows):
        lines.append(f"(the {len(rows)} most recent of {total}; --limit shows more)")
    return lines
