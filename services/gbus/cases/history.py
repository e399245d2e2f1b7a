"""Accumulates the events of one change to one case, chaining their hashes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gbus.domain.case import CaseState
from gbus.domain.events import CaseEvent, EventBody, seal


class ChangeBuilder:
    """One change = one new version; every event of it carries that version."""

    def __init__(self, state: CaseState, *, actor: str, at: datetime, request_id: str | None) -> None:
        self.state = state
        self.actor = actor
        self.at = at
        self.request_id = request_id
        self.version = state.version + 1
        self.events: list[CaseEvent] = []
        self._seq = state.last_seq
        self._hash = state.last_hash

    def emit(self, body: EventBody) -> None:
        self._seq += 1
        event = seal(
            case_id=self.state.case_id,
            shard=self.state.shard,
            seq=self._seq,
            version=self.version,
            at=self.at,
            actor=self.actor,
            request_id=self.request_id,
            prev_hash=self._hash,
            body=body,
        )
        self._hash = event.hash
        self.events.append(event)

    def finish(self, state: CaseState) -> tuple[CaseState, tuple[CaseEvent, ...]]:
        """Stamp the new state with this change's version, sequence and hash."""
        if not self.events:
            return state, ()
        final = replace(
            state,
            version=self.version,
            last_seq=self._seq,
            last_hash=self._hash,
            updated_at=self.at,
        ).remember_request(self.request_id)
        return final, tuple(self.events)
