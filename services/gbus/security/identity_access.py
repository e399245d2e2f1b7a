"""Opening reporters at a node: only with a wrap made for the calling agency,
and only if this node was issued that agency's KEK (docs/identity.md).

The handler opens the case key and through it every report's data key; an
origin opens the data key of its own reports only. Anyone else (watchers,
superiors, other areas' agencies) finds no wrap for them, and a node of
another area holds no KEK that would open one.
"""

from __future__ import annotations

from collections.abc import Iterator

from gbus.domain.case import CaseReport, CaseState
from gbus.security import keys
from gbus.security.case_keys import case_key_id
from gbus.security.identity_seal import IdentitySealError, ReporterIdentity, decrypt_identity


def _wrap_for(state: CaseState, agency_id: str, report_id: str | None) -> bytes | None:
    return next((w.wrapped_key for w in state.key_wraps if w.agency_id == agency_id and w.report_id == report_id), None)


def _data_key(state: CaseState, report: CaseReport, caller: str, kek: bytes) -> bytes | None:
    sealed = report.reporter_sealed
    if caller == state.handler and sealed.get("key_id") == case_key_id(state.case_id):
        wrapped_case_key = _wrap_for(state, caller, None)
        if wrapped_case_key is not None:
            case_key = keys.unwrap(kek, wrapped_case_key, f"case key of {state.case_id}")
            return keys.unwrap(case_key, bytes(sealed["wrapped_key"]), f"data key of {report.report_id}")
    if caller == report.origin_agency:
        wrapped_data_key = _wrap_for(state, caller, report.report_id)
        if wrapped_data_key is not None:
            return keys.unwrap(kek, wrapped_data_key, f"data key of {report.report_id}")
    return None


def open_reporters(
    state: CaseState, caller: str, keyring: keys.NodeKeyring
) -> Iterator[tuple[str, ReporterIdentity | IdentitySealError]]:
    """(report_id, identity) for each reporter `caller` may see; an error in place
    of an identity whose wrap exists but does not open (key mismatch, tampering)."""
    kek = keyring.kek_of(caller)
    if kek is None:
        return
    for report in state.reports:
        if report.reporter_sealed is None:
            continue
        try:
            data_key = _data_key(state, report, caller, kek)
            if data_key is not None:
                yield report.report_id, decrypt_identity(report.reporter_sealed, data_key, report_id=report.report_id)
        except IdentitySealError as exc:
            yield report.report_id, exc
