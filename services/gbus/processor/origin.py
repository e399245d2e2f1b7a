"""May this record's writer speak for whom it names? The processor's gate on its inputs.

Nothing a node writes is trusted for the fields inside it (docs/security.md §8): a report's
`origin_agency`, a command's `actor` and `reply_to` are believed only if the
record is signed by the node that serves that agency's area — the central node
(VN) for central bodies — and a Tick only if an operator signed it. The proof is
gbus.security.record_signing's headers, checked against the bus CA by
gbus.security.trust.

Without a trust directory (development mode) nothing can be proven: every record
is admitted unverified, its events carry no voucher, and the processor says so
loudly at start (`record_origin_unverified`).
"""

from __future__ import annotations

from gbus.domain.events import Voucher
from gbus.security.trust import RecordRefused, TrustStore, VerifiedOrigin
from gbus.topics import area_of_agency

REPORT, COMMAND, TICK = "report", "command", "tick"


class ForgedRecord(Exception):
    """Refused: `reason` for the dead-letter topic, `node`/`kind` for the metric."""

    def __init__(self, reason: str, node: str, kind: str) -> None:
        super().__init__(reason)
        self.reason, self.node, self.kind = reason, node, kind


def may_speak_for(origin: VerifiedOrigin, kind: str, claimed: str, reply_to: str | None = None) -> str | None:
    """Why `origin` may not write this record (None if it may). Pure: the one rule.

    claimed: the report's origin_agency or the command's actor (ignored for ticks).
    """
    if kind == TICK:
        return None if origin.kind == "operator" else f"a tick must be signed by an operator, not {origin.signer}"
    if origin.kind != "node":
        return f"a {kind} must be signed by a node, not {origin.signer}"
    area = area_of_agency(claimed)
    if area != origin.name:
        return f"{origin.signer} cannot speak for {claimed} (served by node {area})"
    if reply_to is not None and reply_to != origin.name:
        return f"{origin.signer} cannot ask for answers to go to node {reply_to}"
    return None


def metric_node(signer: str, known_areas: frozenset[str]) -> str:
    """A bounded label: the node area, or the signer's kind, or 'unsigned'."""
    kind, _, name = signer.partition(":")
    if kind == "node" and name in known_areas:
        return name
    return kind if kind in ("processor", "operator") else "unsigned"


class OriginGate:
    """Admits a record with its Voucher, or raises ForgedRecord."""

    def __init__(self, trust: TrustStore | None, known_areas: frozenset[str]) -> None:
        self.trust = trust
        self._areas = known_areas

    @property
    def enforced(self) -> bool:
        return self.trust is not None

    def admit(
        self, *, topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None, headers: object,
        kind: str, claimed: str, reply_to: str | None = None,
    ) -> Voucher | None:  # fmt: skip
        if self.trust is None:
            return None  # development: unverified (logged at start)
        try:
            origin = self.trust.verify_record(topic, key, value, headers)
        except RecordRefused as exc:
            raise ForgedRecord(f"{kind} refused: {exc.reason}", metric_node(exc.signer, self._areas), kind) from None
        problem = may_speak_for(origin, kind, claimed, reply_to)
        if problem is not None:
            raise ForgedRecord(f"{kind} refused: {problem}", metric_node(origin.signer, self._areas), kind)
        return Voucher(origin.signer, origin.key_id, origin.signed_at, f"{topic}/{partition}@{offset}")
