"""Where a case's events lie in its shard's case-events partition. Pure.

Why the processor needs a case's events at all: every node copy carries the
case's complete history (gbus.processor.fanout), so the next change of a case
needs all its earlier events. Everything else the next change needs — last
seq and hash (the chain), the reports (dedup, replays), the processed request
ids — is in the snapshot. So restore reads only the compacted `case-state`,
and a case's events are read from `case-events` when the case is next changed.

Kafka finds a record by offset, not by key, so each snapshot carries marks:
"the events from seq N on were written at offsets >= F". F is a lower bound
the processor knows without waiting for the broker: the partition's end when
it was restored, advanced by every committed transaction by the records it
wrote there plus one commit marker (an aborted one leaves F where it was, still
a lower bound). One mark per transaction that changed the case; loading the
case means one seek per mark and a scan over at most that transaction's events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# A mark that is always right (scan the partition from its start): for a case whose
# marks are unknown, at the cost of reading the partition once when it is next changed.
_FROM_START = 0


@dataclass(frozen=True, slots=True)
class HistoryMark:
    first_seq: int
    from_offset: int


Marks = tuple[HistoryMark, ...]


def marks_after(marks: Marks, last_seq_before: int, last_seq_after: int, *, floor: int, since: int) -> Marks:
    """The marks of a case that a transaction moves to `last_seq_after`, its new events at offsets >= `floor`.

    `since` is where the transaction's writes begin (`floor` may be further on).
    `marks` are those of the state the change starts from; a last mark at or
    after `since` was made by this transaction, whose events of the case are
    written together, so it covers the new events too.
    """
    if last_seq_after <= last_seq_before or (marks and marks[-1].from_offset >= since):
        return marks
    return (*marks, HistoryMark(last_seq_before + 1, floor))


def marks_of_offsets(offsets: Mapping[int, int]) -> Marks:
    """Exact marks from each event's known offset (seq -> offset), one per run of adjacent offsets.

    (One transaction writes a case's events next to each other.)
    """
    marks: list[HistoryMark] = []
    previous = None
    for seq in sorted(offsets):
        offset = offsets[seq]
        if previous is None or offset != previous + 1:
            marks.append(HistoryMark(seq, offset))
        previous = offset
    return tuple(marks)


def seq_ranges(marks: Marks, last_seq: int) -> list[tuple[int, int, int]]:
    """[(from_offset, first seq, last seq)] to read for events 1..last_seq."""
    if last_seq < 1:
        return []
    if not marks or marks[0].first_seq > 1:
        marks = (HistoryMark(1, _FROM_START), *marks)
    out = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].first_seq - 1 if i + 1 < len(marks) else last_seq
        end = min(end, last_seq)
        if mark.first_seq <= end:
            out.append((mark.from_offset, mark.first_seq, end))
    return out


def floors_after_commit(floors: Mapping[int, int], written: Mapping[int, int]) -> dict[int, int]:
    """Each partition's lower bound after a commit that wrote `written[p]` records to it."""
    out = dict(floors)
    for partition, n in written.items():
        if n > 0:
            out[partition] = out.get(partition, _FROM_START) + n + 1  # + the commit marker
    return out


# -- wire and storage forms ---------------------------------------------------------


def marks_record(marks: Marks | None) -> list[dict[str, int]] | None:
    if marks is None:
        return None
    return [{"first_seq": m.first_seq, "from_offset": m.from_offset} for m in marks]


def marks_from_record(rec: Iterable[dict[str, Any]] | None) -> Marks | None:
    if rec is None:
        return None  # written before CaseSnapshot v4
    return tuple(HistoryMark(int(m["first_seq"]), int(m["from_offset"])) for m in rec)


def marks_text(marks: Marks) -> str:
    return ",".join(f"{m.first_seq}@{m.from_offset}" for m in marks)


def marks_from_text(text: str) -> Marks:
    if not text:
        return ()
    return tuple(HistoryMark(int(a), int(b)) for a, b in (item.split("@") for item in text.split(",")))
