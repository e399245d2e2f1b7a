"""Does a copy's snapshot say what its own event history says? Pure.

A valid hash chain only proves the events were not edited after the chain was
computed: someone able to write node topics can recompute every hash. So a node
derives from the events what they decide — version, status, handler, watchers —
and refuses a snapshot that claims anything else (issue 10: a copy whose chain
was recomputed and whose snapshot named another handler passed).

Watchers are derived by replaying the events: a routing (or a re-routing after an
administrative change) sets the full list, a transfer drops the new handler from
it, an escalation adds its agencies. One
watcher is not in the case's own history: the handler of a case merged into it
(named in the source case's history). Such a watcher is accepted when its
reason names a case the history says was merged in; docs/security.md lists it
as a remaining limit.
"""

from __future__ import annotations

from collections.abc import Sequence

from gbus.cases.commands import MERGE_WATCHER_REASON
from gbus.domain import events as ev
from gbus.domain.case import CaseState

_INITIAL_STATUS = "ASSIGNED"  # gbus.cases.intake_decisions.open_case


def snapshot_disagreements(state: CaseState, events: Sequence[ev.CaseEvent]) -> list[str]:
    """Each field of the snapshot that its history does not derive; empty when they agree."""
    if not events:
        return ["the copy carries no history"]
    handler: str | None = None
    status = _INITIAL_STATUS
    watchers: dict[str, None] = {}
    merged_in: set[str] = set()
    for event in events:
        body = event.body
        if isinstance(body, ev.CaseRouted):
            handler = body.handler
            watchers = dict.fromkeys(w.agency_id for w in body.watchers)
        elif isinstance(body, ev.Rerouted):  # an administrative change moved it (gbus.cases.rerouting)
            handler = body.to_handler
            watchers = dict.fromkeys(w.agency_id for w in body.watchers)
        elif isinstance(body, ev.CaseTransferred):
            handler = body.to_agency
            watchers.pop(body.to_agency, None)
        elif isinstance(body, ev.StatusChanged):
            status = body.to_status
        elif isinstance(body, (ev.CaseEscalated, ev.ResolutionRated)):  # a poor rating adds the superior
            watchers.update(dict.fromkeys(body.added_watchers))
        elif isinstance(body, ev.CaseMerged) and body.target_case_id == state.case_id:
            merged_in.add(body.source_case_id)
    problems: list[str] = []
    last = events[-1]
    if state.version != last.version:
        problems.append(f"snapshot version {state.version}, history says {last.version}")
    status_now = state.status.value if hasattr(state.status, "value") else str(state.status)
    if status_now != status:
        problems.append(f"snapshot status {status_now}, history says {status}")
    if handler is not None and state.handler != handler:
        problems.append(f"snapshot handler {state.handler}, history says {handler}")
    claimed = {w.agency_id: w.reason for w in state.watchers}
    unexplained = sorted(
        a for a, reason in claimed.items()
        if a not in watchers and not _merge_watcher(reason, merged_in)
    )  # fmt: skip
    missing = sorted(a for a in watchers if a not in claimed)
    if unexplained:
        problems.append(f"snapshot watchers not in the history: {', '.join(unexplained)}")
    if missing:
        problems.append(f"watchers of the history missing from the snapshot: {', '.join(missing)}")
    return problems


def _merge_watcher(reason: str, merged_in: set[str]) -> bool:
    return reason.startswith(MERGE_WATCHER_REASON) and reason[len(MERGE_WATCHER_REASON) :].strip() in merged_in
