"""A node's dead letters: a record its feeds refuse to apply, kept on the dead-letter topic.

Both of the node's processor-fed topics (its case copies and its placement
verdicts) put what they refuse here, with the reason, before moving past it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from gbus.codec import AvroCodec

DEAD_LETTER_SCHEMA = "gbus.avro.DeadLetter"
# The dead-letter topic keeps Kafka's 1 MB limit; a case copy may be 8 MB.
_MAX_DEAD_VALUE_BYTES = 512 * 1024
_MAX_REASON_CHARS = 2000
_ACK_TIMEOUT_S = 10


def send_dead_letter(
    producer: Any, codec: AvroCodec, topic: str, record: Any, *, error_type: str, reason: str, consumer: str
) -> None:
    """Write `record` with why it was refused, and wait for the ack: the caller moves its
    offset past the record only once the record is kept elsewhere."""
    value = record.value
    if value is not None and len(value) > _MAX_DEAD_VALUE_BYTES:
        reason, value = f"{reason} (value of {len(value)} bytes not kept; it is at the source offset)", None
    letter = {
        "source_topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "key": record.key,
        "value": value,
        "error_type": error_type,
        "reason": reason[:_MAX_REASON_CHARS],
        "failed_at": datetime.now(timezone.utc),
        "consumer": consumer,
        "headers": [{"name": n, "value": v} for n, v in record.headers or ()],
    }
    producer.send(topic, key=record.topic.encode("utf-8"), value=codec.encode(DEAD_LETTER_SCHEMA, letter)).get(
        timeout=_ACK_TIMEOUT_S
    )
