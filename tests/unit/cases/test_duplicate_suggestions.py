"""The duplicate engine's suggestions kept on a case for a clerk (issue 11.4): on the
case and in the event that placed the report, on the wire, and through a merge."""

from __future__ import annotations

from gbus.cases import commands as c
from gbus.cases.intake_decisions import link_report, open_case
from gbus.codec.schema_store import SchemaStore
from gbus.codec.single_object import AvroCodec
from gbus.domain import events as ev
from gbus.domain.events import DuplicateSuggestion as S
from gbus.wire.avro_records import event_from_record, event_record, snapshot_record, state_from_snapshot
from support.factories import T0, case_report, directory, router

CODEC = AvroCodec()
WARD_UBND = "gov.ubnd@79.26743"


class _Cases:
    def __init__(self, *cases):
        self.by_id = {s.case_id: s for s in cases}

    def __call__(self, case_id):
        return self.by_id.get(case_id)


def _opened(request_id="r1", suggestions=()):
    return open_case(router(), case_report(request_id=request_id), now=T0, suggestions=suggestions)


def test_a_new_case_keeps_its_decisions_suggestions_best_first_and_says_so_in_its_opening_event():
    case, events = _opened(suggestions=(S("79-b", 0.2), S("79-a", 0.4)))
    assert case.duplicate_suggestions == (S("79-a", 0.4), S("79-b", 0.2))
    assert events[0].body.suggestions == (S("79-a", 0.4), S("79-b", 0.2))


def test_a_case_keeps_at_most_three_suggestions_one_per_case_and_never_itself():
    case, _ = _opened()
    kept = case.with_suggestions(
        [S("79-a", 0.1), S("79-a", 0.3), S(case.case_id, 0.9), S("79-b", 0.2), S("79-c", 0.25), S("79-d", 0.05)]
    )
    assert kept.duplicate_suggestions == (S("79-a", 0.3), S("79-c", 0.25), S("79-b", 0.2))


def test_a_linked_report_adds_its_other_suggestions_to_the_case_but_never_the_case_it_joined():
    case, _ = _opened(suggestions=(S("79-a", 0.2),))
    joined, events = link_report(
        router(), case, case_report(request_id="r2"), now=T0, score=0.9, matched_report_id=None,
        suggestions=(S(case.case_id, 0.9), S("79-a", 0.35), S("79-z", 0.1)),
    )  # fmt: skip
    linked = next(e.body for e in events if isinstance(e.body, ev.ReportLinked))
    assert linked.suggestions == (S("79-a", 0.35), S("79-z", 0.1))
    assert joined.duplicate_suggestions == (S("79-a", 0.35), S("79-z", 0.1))


def test_merging_a_suggested_case_removes_it_from_the_targets_suggestions_and_hands_over_the_sources():
    target, _ = _opened("t")
    source, _ = open_case(
        router(), case_report(request_id="s", origin_agency="union.ldld@79", channel="cong_doan"), now=T0,
        suggestions=(S(target.case_id, 0.4), S("79-elsewhere", 0.15)),
    )  # fmt: skip
    target = target.with_suggestions([S(source.case_id, 0.4), S("79-other", 0.1)])
    handler = c.CommandHandler(router(), directory())
    command = c.CaseCommand(
        "cmd-1", "r1", source.case_id, WARD_UBND, T0, 0, c.MergeCases(source.case_id, target.case_id)
    )
    out = handler.handle(command, _Cases(target, source), T0)
    assert out.changes[1].after.duplicate_suggestions == (S("79-elsewhere", 0.15), S("79-other", 0.1))


def test_suggestions_survive_the_snapshot_and_event_round_trip_with_the_hash_intact():
    case, events = _opened(suggestions=(S("79-a", 0.4123456789), S("79-b", 0.2)))
    back = state_from_snapshot(CODEC.decode(CODEC.encode("gbus.avro.CaseSnapshot", snapshot_record(case))))
    assert back.duplicate_suggestions == case.duplicate_suggestions
    read = [event_from_record(CODEC.decode(CODEC.encode("gbus.avro.CaseEvent", event_record(e)))) for e in events]
    assert read[0].body.suggestions == case.duplicate_suggestions
    assert ev.verify_chain(read) == []


def test_a_tampered_suggestion_breaks_the_hash_chain():
    case, events = _opened(suggestions=(S("79-a", 0.4),))
    forged = events[0].body.__class__(**{**_fields(events[0].body), "suggestions": (S("79-a", 0.9),)})
    altered = (ev.CaseEvent(**{**_fields(events[0]), "body": forged}), *events[1:])
    assert [p.seq for p in ev.verify_chain(altered)] == [1]


def test_events_and_snapshots_written_before_suggestions_existed_read_back_unchanged():
    # A process still writing CaseEvent v3 / CaseSnapshot v4: its records must decode,
    # with no suggestions, and its events must keep the hash they were written with.
    old = AvroCodec(writer_versions={"gbus.avro.CaseEvent": 3, "gbus.avro.CaseSnapshot": 4})
    case, events = _opened()
    read = [event_from_record(CODEC.decode(old.encode("gbus.avro.CaseEvent", _as_v3(e)))) for e in events]
    assert read[0].body.suggestions == () and [e.hash for e in read] == [e.hash for e in events]
    assert ev.verify_chain(read) == []
    written = {k: v for k, v in snapshot_record(case).items() if k != "duplicate_suggestions"}
    # Nor had a v4 writer the reports' index fingerprints (CaseSnapshot v6).
    written["reports"] = [{k: v for k, v in r.items() if k != "fingerprint"} for r in written["reports"]]
    back = state_from_snapshot(CODEC.decode(old.encode("gbus.avro.CaseSnapshot", written)))
    assert back.duplicate_suggestions == ()


def _as_v3(event):
    """The record a v3 writer made: only v3's fields, and bodies without `suggestions`."""
    v3_fields = {f["name"] for f in SchemaStore().get("gbus.avro.CaseEvent", 3).raw["fields"]}
    record = {k: v for k, v in event_record(event).items() if k in v3_fields}
    name, body = record["body"]
    record["body"] = (name, {k: v for k, v in body.items() if k != "suggestions"})
    return record


def _fields(obj):
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def test_events_without_suggestions_hash_exactly_as_before_the_field_existed():
    # Hashes computed by the code before CaseEvent v4 (commit 4022f70): a stored
    # history must keep verifying after the upgrade.
    opened = ev.CaseOpened("R79-x", "phan_anh", "dat_dai", "79", "25747", "Lấn chiếm đất công")
    linked = ev.ReportLinked("R79-y", "phan_anh", "mttq", "front.mttq@79", 0.8, "R79-x", "same")
    sealed = [
        ev.seal(
            case_id="79-abc",
            shard="79",
            seq=seq,
            version=version,
            at=T0,
            actor="bus",
            request_id=None,
            prev_hash=prev,
            body=body,
        )  # fmt: skip
        for seq, version, prev, body in ((1, 1, "", opened), (3, 2, "ab", linked))
    ]
    assert [e.hash for e in sealed] == [
        "da62df728249fd370acaf0a69c6a79af89efc307696201449f2df61d9f2d0496",
        "138d0c62df3bbcf5721e7a5d80ad46e97ac0b3a6dadd7789646368817bc7e28e",
    ]
