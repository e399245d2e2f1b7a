"""The uncommitted changes of one batch, layered over the store.

Records of a batch see each other's effects (a duplicate may follow its
original in the same poll), so reads go to the staged changes first and to the
store second. Nothing reaches the store until the batch's Kafka transaction
committed: `writes()` is applied after `commit_transaction()`, and an aborted
batch is simply dropped.

Per case the staging keeps the state before the batch touched it (to know
which node areas were involved before), the state now, and the events added in
this batch, so the batch writes one snapshot and one copy per node area per
case, however many records changed it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from gbus.domain.case import CaseState
from gbus.domain.events import CaseEvent
from gbus.domain.status import is_open
from gbus.processor.history import Marks
from gbus.processor.store import CaseWrite, report_owners


class StoreReader(Protocol):
    def case(self, case_id: str) -> CaseState | None: ...

    def events(self, case_id: str) -> list[bytes]: ...

    def history_size(self, case_id: str) -> int: ...

    def case_of_report(self, report_id: str) -> str | None: ...

    def states_of_shard(self, shard: str) -> Iterable[CaseState]: ...

    def history_marks(self, case_id: str) -> Marks: ...

    def overdue_candidates(self, shard: str, at: datetime) -> Iterable[CaseState]: ...


@dataclass(frozen=True, slots=True)
class StagedChange:
    """One case changed by one record: the new state, its events and their encodings."""

    before: CaseState | None
    after: CaseState
    events: tuple[CaseEvent, ...]
    encoded_events: tuple[bytes, ...]
    snapshot: bytes
    marks: Marks = ()


@dataclass(slots=True)
class CaseDelta:
    """Everything a batch did to one case."""

    before: CaseState | None  # as committed, None for a case opened in this batch
    after: CaseState
    snapshot: bytes
    marks: Marks = ()
    events: list[CaseEvent] = field(default_factory=list)
    encoded_events: list[bytes] = field(default_factory=list)


class Staging:
    def __init__(
        self, store: StoreReader, event_floors: Mapping[int, int] | None = None,
        partition_of: Callable[[str], int] | None = None,
    ) -> None:  # fmt: skip
        self._store = store
        # case-events partition -> lower bound of this transaction's offsets there (gbus.processor.history).
        self._floors = dict(event_floors or {})
        self._partition_of = partition_of or (lambda shard: 0)
        self._staged_events: dict[int, int] = {}  # partition -> events staged for it so far
        self._deltas: dict[str, CaseDelta] = {}
        self._owners: dict[str, str] = {}

    # -- reads: staged first, then the store -------------------------------------

    def case(self, case_id: str) -> CaseState | None:
        delta = self._deltas.get(case_id)
        return delta.after if delta is not None else self._store.case(case_id)

    def case_of_report(self, report_id: str) -> str | None:
        staged = self._owners.get(report_id)
        return staged if staged is not None else self._store.case_of_report(report_id)

    def history(self, case_id: str) -> list[bytes]:
        """The case's complete encoded history: committed events, then this batch's."""
        delta = self._deltas.get(case_id)
        committed = self._store.events(case_id) if delta is None or delta.before is not None else []
        return committed + (delta.encoded_events if delta is not None else [])

    def history_size(self, case_id: str) -> int:
        """Bytes of the case's encoded history, committed and staged."""
        delta = self._deltas.get(case_id)
        committed = self._store.history_size(case_id) if delta is None or delta.before is not None else 0
        return committed + (sum(map(len, delta.encoded_events)) if delta is not None else 0)

    def history_marks(self, case_id: str) -> Marks:
        delta = self._deltas.get(case_id)
        return delta.marks if delta is not None else self._store.history_marks(case_id)

    def transaction_floor(self, partition: int) -> int:
        """Lower bound of every offset this transaction writes in the case-events partition."""
        return self._floors.get(partition, 0)

    def event_floor(self, partition: int) -> int:
        """Lower bound of the offsets where the events of a case this batch has not touched yet will land.

        The batch writes each touched case's events together, in the order it first
        touched them (gbus.processor.outputs), so a newly touched case's events come
        after those of every case touched before it. More events for those earlier
        cases only push them further, so this stays a lower bound, and is the exact
        offset unless such cases change again or someone else wrote there.
        """
        return self.transaction_floor(partition) + self._staged_events.get(partition, 0)

    def overdue_candidates(self, shard: str, at: datetime) -> list[CaseState]:
        """Open cases of the shard due before `at`, as this batch sees them (the store's index, then staged changes)."""
        staged = {cid: d.after for cid, d in self._deltas.items() if d.after.shard == shard}
        out = [staged.pop(s.case_id, s) for s in self._store.overdue_candidates(shard, at)]
        out += [s for s in staged.values() if s.due_at is not None and s.due_at < at]
        return [s for s in out if is_open(s.status) and s.due_at is not None and s.due_at < at]

    def states_of_shard(self, shard: str) -> list[CaseState]:
        """Every case of the shard as this batch sees it (to rebuild its duplicate index)."""
        staged = {cid: d.after for cid, d in self._deltas.items() if d.after.shard == shard}
        out = [staged.pop(s.case_id, s) for s in self._store.states_of_shard(shard)]
        return out + list(staged.values())

    # -- writes -------------------------------------------------------------------

    def stage(self, changes: Iterable[StagedChange]) -> None:
        """Add one record's changes (all of them or, if it failed, none)."""
        changes = list(changes)
        for ch in changes:
            delta = self._deltas.get(ch.after.case_id)
            if delta is None:
                # `ch.before` is what this record saw; with no earlier staged change
                # that is the committed state.
                delta = CaseDelta(before=ch.before, after=ch.after, snapshot=ch.snapshot, marks=ch.marks)
                self._deltas[ch.after.case_id] = delta
            else:
                delta.after, delta.snapshot, delta.marks = ch.after, ch.snapshot, ch.marks
            delta.events.extend(ch.events)
            delta.encoded_events.extend(ch.encoded_events)
            partition = self._partition_of(ch.after.shard)
            self._staged_events[partition] = self._staged_events.get(partition, 0) + len(ch.encoded_events)
        self._owners.update(report_owners(ch.after for ch in changes))

    @property
    def deltas(self) -> list[CaseDelta]:
        """Touched cases in the order the batch first touched them."""
        return list(self._deltas.values())

    def shards(self) -> set[str]:
        return {d.after.shard for d in self._deltas.values()}

    def writes(self) -> list[CaseWrite]:
        return [
            CaseWrite(
                state=d.after,
                snapshot=d.snapshot,
                new_events=tuple((e.seq, blob) for e, blob in zip(d.events, d.encoded_events, strict=True)),
                marks=d.marks,
            )
            for d in self._deltas.values()
        ]

    def __len__(self) -> int:
        return len(self._deltas)
