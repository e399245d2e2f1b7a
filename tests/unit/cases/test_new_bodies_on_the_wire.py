"""Commands and events added after v1/v2 of their schemas: what new and old readers see."""

from __future__ import annotations

import io
from datetime import timedelta

from fastavro import schemaless_reader

from gbus.cases import commands as cmd
from gbus.codec.schema_store import SchemaStore
from gbus.codec.single_object import AvroCodec
from gbus.domain import events as ev
from gbus.wire.avro_records import command_from_record, command_record, event_from_record, event_record
from support.factories import T0

CODEC = AvroCodec()


def _command(body: object) -> cmd.CaseCommand:
    return cmd.CaseCommand("c1", "r1", "79-abc", "front.mttq@79", T0, 3, body)


def _v1_reader_view(name: str, encoded: bytes) -> dict:
    """Decode with the oldest published version as reader schema, as a not-yet-upgraded process would."""
    store = SchemaStore()
    writer = store.by_fingerprint(encoded[2:10])
    oldest = store.versions(name)[0]
    return schemaless_reader(io.BytesIO(encoded[10:]), writer.parsed, oldest.parsed, return_record_name=True)


def test_extend_and_rate_commands_round_trip_through_command_v2():
    for body in (
        cmd.ExtendTimeLimit("especially_complex", "ba địa điểm"),
        cmd.RateResolution("R79-x", 2, "Chưa thỏa đáng"),
    ):
        encoded = CODEC.encode("gbus.avro.Command", command_record(_command(body), shard="79", reply_to="79"))
        assert command_from_record(CODEC.decode(encoded)).body == body


def test_a_v1_processor_sees_an_update_status_it_will_refuse_not_a_command_it_could_misapply():
    encoded = CODEC.encode(
        "gbus.avro.Command", command_record(_command(cmd.RateResolution("", 5)), shard="79", reply_to="79")
    )
    name, body = _v1_reader_view("gbus.avro.Command", encoded)["body"]
    assert name.endswith("UpdateStatus") and body["status"] == "RateResolution"


def test_new_events_round_trip_with_their_hash_and_old_readers_see_a_note():
    body = ev.TimeLimitExtended("resolution", "complex", 1, T0 + timedelta(days=60), "hai địa điểm")
    event = ev.seal(case_id="79-abc", shard="79", seq=4, version=4, at=T0, actor="gov.ubnd@79", request_id="r1",
                    prev_hash="00", body=body)  # fmt: skip
    encoded = CODEC.encode("gbus.avro.CaseEvent", event_record(event))
    back = event_from_record(CODEC.decode(encoded))
    assert back.body == body and ev.recomputed_hash(back) == event.hash
    name, old = _v1_reader_view("gbus.avro.CaseEvent", encoded)["body"]
    assert name.endswith("NoteAdded") and "complex" in old["text"] and "hai địa điểm" in old["text"]
