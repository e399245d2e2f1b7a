"""Dead letters decoded for people, and which of them a replay puts back."""

from __future__ import annotations

from datetime import datetime, timezone

from gbus.codec import AvroCodec
from gbus.ops.dlq import decode_dead_letter, plan_replay, render_rows, row_dict

CODEC = AvroCodec()
AT = datetime(2026, 11, 20, 1, 2, 3, tzinfo=timezone.utc)


def letter(
    value: bytes | None,
    *,
    source: str = "gbus.reports",
    partition: int = 4,
    offset: int = 17,
    error: str = "ValueError",
) -> bytes:
    return CODEC.encode("gbus.avro.DeadLetter", {
        "source_topic": source, "partition": partition, "offset": offset, "key": b"79", "value": value,
        "error_type": error, "reason": "unknown ward 99999\nin report", "failed_at": AT, "consumer": "gbus-processor/p1",
    })  # fmt: skip


def a_command() -> bytes:
    """Any record that decodes with today's schemas will do: an Agency is the smallest."""
    return CODEC.encode("gbus.avro.Agency", {"agency_id": "gov.ubnd@79", "name": "UBND TP.HCM", "sector": "gov",
                                             "role": "ubnd", "level": "province", "area": "79"})  # fmt: skip


def test_a_dead_letter_shows_its_source_error_size_and_whether_its_value_decodes_today():
    good = a_command()
    row = decode_dead_letter(CODEC, 3, letter(good))
    assert (row.source, row.error_type, row.size, row.key) == ("gbus.reports[4]@17", "ValueError", len(good), b"79")
    assert row.decodes_as and row.decodes_as.startswith("gbus.avro.Agency") and row.decode_error is None
    garbage = decode_dead_letter(CODEC, 4, letter(b"not avro"))
    assert garbage.decodes_as is None and "C3 01" in (garbage.decode_error or "")
    assert row_dict(row)["key"] == "79" and row_dict(row)["failed_at"] == "2026-11-20T01:02:03Z"


def test_listing_puts_the_reason_on_one_line_and_says_when_older_ones_are_hidden():
    rows = [decode_dead_letter(CODEC, i, letter(a_command(), offset=i)) for i in range(3)]
    text = render_rows(rows[-2:], total=3)
    assert "gbus.reports[4]@2" in text[2] and "unknown ward 99999 in report" in text[2]
    assert text[-1] == "(the 2 most recent of 3; --limit shows more)"


def test_replay_sends_decodable_values_and_skips_the_rest_with_a_reason():
    rows = [
        decode_dead_letter(CODEC, 0, letter(a_command())),
        decode_dead_letter(CODEC, 1, letter(b"garbage")),
        decode_dead_letter(CODEC, 2, letter(None)),
        decode_dead_letter(CODEC, 3, letter(a_command(), source="other.reports")),
        decode_dead_letter(CODEC, 4, b"not a dead letter"),
    ]
    plan = plan_replay(rows, offsets=None, prefix="gbus.", existing_topics={"gbus.reports"})
    assert [r.dlq_offset for r in plan.send] == [0]
    why = {r.dlq_offset: w for r, w in plan.skipped}
    assert "still does not decode" in why[1] and "--force" in why[1]
    assert why[2] == "no value to replay"
    assert "not one of this bus's topics" in why[3]
    assert why[4] == "the dead letter itself does not decode"
    forced = plan_replay(rows, offsets=[1], prefix="gbus.", existing_topics={"gbus.reports"}, force=True)
    assert [r.dlq_offset for r in forced.send] == [1]


def test_replay_of_chosen_offsets_reports_offsets_that_hold_no_dead_letter():
    rows = [decode_dead_letter(CODEC, 7, letter(a_command()))]
    plan = plan_replay(rows, offsets=[7, 8, 7], prefix="gbus.", existing_topics={"gbus.reports"})
    assert [r.dlq_offset for r in plan.send] == [7] and plan.unknown_offsets == (8,)
    missing_topic = plan_replay(rows, offsets=[7], prefix="gbus.", existing_topics=set())
    assert missing_topic.skipped[0][1] == "source topic gbus.reports does not exist"
