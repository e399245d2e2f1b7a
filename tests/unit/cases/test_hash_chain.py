"""Hash-chained case history: any alteration, gap or reorder is detected."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from gbus.domain import events as ev

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def _chain(n: int) -> list[ev.CaseEvent]:
    out: list[ev.CaseEvent] = []
    prev = ""
    for i in range(1, n + 1):
        body = ev.NoteAdded(f"ghi chú {i}") if i > 1 else ev.CaseOpened("R79-x", "phan_anh", "dat_dai", "79", None, "t")
        e = ev.seal(
            case_id="79-abc",
            shard="79",
            seq=i,
            version=i,
            at=T0 + timedelta(minutes=i),
            actor="gov.ubnd@79",
            request_id=None,
            prev_hash=prev,
            body=body,
        )
        prev = e.hash
        out.append(e)
    return out


def test_an_untouched_history_verifies():
    assert ev.verify_chain(_chain(5)) == []


def test_the_first_event_links_to_the_empty_hash_and_each_next_to_its_predecessor():
    chain = _chain(3)
    assert chain[0].prev_hash == ""
    assert chain[1].prev_hash == chain[0].hash and chain[2].prev_hash == chain[1].hash


def test_an_altered_note_is_detected_at_that_event():
    chain = _chain(4)
    chain[2] = replace(chain[2], body=ev.NoteAdded("đã sửa"))
    problems = ev.verify_chain(chain)
    assert [p.seq for p in problems] == [3]
    assert "altered" in problems[0].problem


def test_a_removed_event_is_detected_as_a_gap_and_a_broken_link():
    chain = _chain(4)
    del chain[1]
    problems = ev.verify_chain(chain)
    assert {p.seq for p in problems} == {3}
    assert any("sequence" in p.problem for p in problems)
    assert any("prev_hash" in p.problem for p in problems)


def test_a_forged_event_with_a_recomputed_hash_still_breaks_the_next_link():
    chain = _chain(4)
    forged = ev.seal(
        case_id="79-abc",
        shard="79",
        seq=2,
        version=2,
        at=chain[1].at,
        actor="gov.ubnd@79",
        request_id=None,
        prev_hash=chain[0].hash,
        body=ev.NoteAdded("forged"),
    )
    chain[1] = forged
    problems = ev.verify_chain(chain)
    assert [p.seq for p in problems] == [3]


@given(st.integers(min_value=2, max_value=8), st.data())
def test_changing_the_actor_of_any_event_is_detected(n, data):
    chain = _chain(n)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    chain[i] = replace(chain[i], actor="gov.ubnd@01")
    assert any(p.seq == i + 1 for p in ev.verify_chain(chain))


def test_replaying_the_same_change_yields_the_same_event_ids_and_hashes():
    assert [e.hash for e in _chain(3)] == [e.hash for e in _chain(3)]
    assert _chain(1)[0].event_id == "79-abc#1"
