"""The key custodian's one job: keep a case's identity keys wrapped for exactly
the agencies that may open them (docs/identity.md).

Every case with at least one sealed identity has a random 256-bit case key.
Each report's data key is wrapped under the case key (`SealedIdentity.key_id`
= "case:<case_id>"); the case key is wrapped for the handler only, and each
report's data key for that report's origin agency only, so an origin never
opens another origin's reporter. Watchers get nothing.

`normalise` is applied to every state the processor writes, whatever changed
it, so a transfer, a re-route, a merge or an unmerge re-wraps for the new
handler and drops the old handler's wrap without each command knowing about
keys. A case with no sealed identity (none given, or erased) has no case key.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from gbus.domain.case import CaseReport, CaseState, KeyWrap
from gbus.security import keys
from gbus.security.identity_seal import IdentitySealError

CASE_KEY_PREFIX = "case:"

CaseLookup = Callable[[str], CaseState | None]


def case_key_id(case_id: str) -> str:
    return f"{CASE_KEY_PREFIX}{case_id}"


@dataclass(frozen=True)
class KeyCustodian:
    """Holds the master secrets (epoch -> master); `epoch` is the one new wraps use."""

    masters: Mapping[str, bytes]
    epoch: str
    # Derived keys, by (epoch, agency) and by epoch. Every case write re-wraps its keys,
    # and deriving a KEK (HKDF) or the X25519 key each time cost more than the wraps
    # themselves; the derivations are deterministic, so computing each once is enough.
    _keks: dict[tuple[str, str], bytes] = field(default_factory=dict, init=False, repr=False, compare=False)
    _custodian_keys: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.epoch not in self.masters:
            raise ValueError(f"no master secret for the current identity key epoch {self.epoch!r}")

    def __repr__(self) -> str:  # never print key material into a log
        return f"KeyCustodian(epoch={self.epoch!r}, epochs={sorted(self.masters)!r})"

    def _kek(self, agency_id: str, epoch: str | None = None) -> bytes:
        epoch = epoch or self.epoch
        kek = self._keks.get((epoch, agency_id))
        if kek is None:
            master = self.masters.get(epoch)
            if master is None:
                raise IdentitySealError(f"no master secret of identity key epoch {epoch!r}")
            kek = self._keks[(epoch, agency_id)] = keys.agency_kek(master, agency_id)
        return kek

    def _custodian_key(self, epoch: str) -> Any:
        key = self._custodian_keys.get(epoch)
        if key is None:
            key = self._custodian_keys[epoch] = keys.custodian_private_key(self.masters[epoch])
        return key

    def case_key(self, state: CaseState) -> bytes | None:
        """The case key, unwrapped from whichever agency wrap this custodian can open."""
        for w in state.key_wraps:
            if w.report_id is None and w.key_id in self.masters:
                return keys.unwrap(self._kek(w.agency_id, w.key_id), w.wrapped_key, f"case key of {state.case_id}")
        return None

    def normalise(self, state: CaseState, lookup: CaseLookup) -> CaseState:
        sealed = [r for r in state.reports if r.reporter_sealed is not None]
        if not sealed:
            return replace(state, key_wraps=()) if state.key_wraps else state
        case_key = self.case_key(state) or os.urandom(32)
        own_id = case_key_id(state.case_id)
        wraps = [KeyWrap(state.handler, self.epoch, keys.wrap(self._kek(state.handler), case_key))]
        reports: list[CaseReport] = []
        for r in state.reports:
            if r.reporter_sealed is None:
                reports.append(r)
                continue
            data_key = self._data_key(r, state.case_id, case_key, lookup)
            rewrapped = {**r.reporter_sealed, "key_id": own_id, "wrapped_key": keys.wrap(case_key, data_key)}
            reports.append(replace(r, reporter_sealed=rewrapped))
            wraps.append(
                KeyWrap(r.origin_agency, self.epoch, keys.wrap(self._kek(r.origin_agency), data_key), r.report_id)
            )
        return replace(state, reports=tuple(reports), key_wraps=tuple(wraps))

    def _data_key(self, report: CaseReport, case_id: str, case_key: bytes, lookup: CaseLookup) -> bytes:
        sealed = report.reporter_sealed
        key_id, wrapped = str(sealed["key_id"]), bytes(sealed["wrapped_key"])
        what = f"data key of report {report.report_id}"
        if key_id.startswith(keys.CUSTODIAN_KEY_PREFIX):  # fresh from intake
            epoch = key_id[len(keys.CUSTODIAN_KEY_PREFIX) :]
            if epoch not in self.masters:
                raise IdentitySealError(f"{what} is sealed under unknown custodian key {key_id!r}")
            return keys.unwrap_as_custodian(self._custodian_key(epoch), wrapped)
        if key_id == case_key_id(case_id):
            return keys.unwrap(case_key, wrapped, what)
        if key_id.startswith(CASE_KEY_PREFIX):  # brought in by a merge or an unmerge
            other = lookup(key_id[len(CASE_KEY_PREFIX) :])
            other_key = self.case_key(other) if other is not None else None
            if other_key is None:
                raise IdentitySealError(f"{what} is wrapped under the key of case {key_id!r}, which is gone")
            return keys.unwrap(other_key, wrapped, what)
        raise IdentitySealError(f"{what} is wrapped under unknown key {key_id!r}")
