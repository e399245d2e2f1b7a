"""The Rerouted event (CaseEvent v5): what new readers and not-yet-upgraded readers see."""

from __future__ import annotations

import io

from fastavro import schemaless_reader

from gbus.codec.schema_store import SchemaStore
from gbus.codec.single_object import AvroCodec
from gbus.domain import events as ev
from gbus.wire.avro_records import event_from_record, event_record
from support.factories import T0

CODEC = AvroCodec()
BODY = ev.Rerouted(
    change_ids=("merge-ben-thanh",),
    reason="ward 79.26743 merged into 79.25747 from 2026-07-01",
    from_handler="gov.ubnd@79.26743",
    to_handler="gov.ubnd@79.25747",
    watchers=(ev.RoutedWatcher("gov.so-nnmt@79", "rule land"), ev.RoutedWatcher("front.mttq@79.25747", "origin")),
    removed_watchers=("front.mttq@79.26743",),
    from_ward="26743",
    to_ward="25747",
    rule="land-environment",
)


def _event(body: ev.EventBody) -> ev.CaseEvent:
    return ev.seal(case_id="79-abc", shard="79", seq=5, version=5, at=T0, actor="bus", request_id=None,
                   prev_hash="00", body=body)  # fmt: skip


def test_rerouted_round_trips_with_its_hash():
    event = _event(BODY)
    back = event_from_record(CODEC.decode(CODEC.encode("gbus.avro.CaseEvent", event_record(event))))
    assert back.body == BODY and ev.recomputed_hash(back) == event.hash


def test_a_reader_of_case_event_v4_sees_a_note_naming_the_move():
    encoded = CODEC.encode("gbus.avro.CaseEvent", event_record(_event(BODY)))
    store = SchemaStore()
    v4 = next(v for v in store.versions("gbus.avro.CaseEvent") if v.version == 4)
    old = schemaless_reader(io.BytesIO(encoded[10:]), store.by_fingerprint(encoded[2:10]).parsed, v4.parsed,
                            return_record_name=True)  # fmt: skip
    name, note = old["body"]
    assert name.endswith("NoteAdded") and "gov.ubnd@79.26743 -> gov.ubnd@79.25747" in note["text"]
    assert "merged into 79.25747" in note["text"] and old["body_v3"] is None


def test_events_of_older_types_still_travel_in_their_own_fields():
    note = ev.NoteAdded("ghi chú")
    back = event_from_record(CODEC.decode(CODEC.encode("gbus.avro.CaseEvent", event_record(_event(note)))))
    assert back.body == note


def test_gbus_trace_shows_the_move_in_one_line():
    from gbus.ops.trace import describe

    line = describe(BODY)
    assert line.startswith("re-routed gov.ubnd@79.26743 -> gov.ubnd@79.25747 by rule land-environment")
    assert "ward 26743 -> 25747" in line and "merged into 79.25747" in line
