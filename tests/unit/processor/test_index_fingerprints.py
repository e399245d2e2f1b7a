"""The duplicate index's fingerprints travel with the case (CaseSnapshot v6), so a takeover's
rebuild reads them instead of analysing every report's text again (issue 13.3)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gbus.dedup import entry as entry_module
from gbus.dedup.entry import IndexEntry, fingerprint_of
from gbus.processor.dedup_bridge import default_adapter
from gbus.processor.dedup_port import IndexKeeper
from gbus.processor.outputs import SNAPSHOT
from gbus.processor.restore import CaseRebuilder
from support.factories import T0, case_report

from .conftest import CODEC, make_kit, report_input

FLOOD = {"title": "Ngập nước sâu đường Lê Lợi", "description": "Mưa lớn, đường Lê Lợi đoạn gần chợ ngập 40 cm."}


def _placed(**fields):
    kit = make_kit(default_adapter())
    [change] = kit.handler.handle(report_input(**fields), kit.staging(), T0).changes
    return change


def test_a_placed_report_keeps_its_index_fingerprint_in_the_case_snapshot_and_not_in_its_events():
    change = _placed(**FLOOD)
    [placed] = change.after.reports
    assert placed.fingerprint == fingerprint_of(placed.report) and placed.fingerprint.startswith("1|")
    [stored] = CODEC.decode(change.snapshot, expected=SNAPSHOT)["reports"]
    assert stored["fingerprint"] == placed.fingerprint
    # Events are hashed into the case's chain: the fingerprint stays out of them.
    for blob in change.encoded_events:
        assert b"|street:" not in blob and placed.fingerprint.encode() not in blob


def test_a_report_cannot_bring_its_own_fingerprint_the_processor_derives_it():
    keeper = IndexKeeper(default_adapter())
    forged = replace(case_report(**FLOOD), fingerprint="1|forged words|street:another street|")
    assert keeper.with_fingerprint(forged).fingerprint == fingerprint_of(forged.report)


def test_an_index_rebuilt_from_restored_snapshots_reads_their_fingerprints_not_the_texts(monkeypatch):
    change = _placed(**FLOOD)
    rebuilder = CaseRebuilder(CODEC)
    rebuilder.add_snapshot(change.after.case_id.encode(), change.snapshot)
    [restored] = rebuilder.writes()
    assert restored.state.reports[0].fingerprint == change.after.reports[0].fingerprint

    def no_analysis(*_args, **_kwargs):
        raise AssertionError("the rebuild analysed a text whose fingerprint the snapshot carries")

    keeper = IndexKeeper(default_adapter())
    with monkeypatch.context() as patch:
        patch.setattr(entry_module, "analyse", no_analysis)
        assert keeper.rebuild("79", [restored.state]) == 1
    # The rebuilt index finds the case for the same grievance told again.
    again = case_report(title="Đường Lê Lợi ngập sâu 40 cm", description="Đoạn gần chợ, mưa lớn là ngập.")
    decision = keeper.decide("79", again, T0)
    assert decision.case_id == change.after.case_id and decision.decision == "link"


def test_a_snapshot_without_fingerprints_still_rebuilds_from_the_texts():
    change = _placed(**FLOOD)
    before_v6 = replace(change.after, reports=tuple(replace(r, fingerprint="") for r in change.after.reports))
    keeper = IndexKeeper(default_adapter())
    assert keeper.rebuild("79", [before_v6]) == 1
    assert keeper.decide("79", case_report(**FLOOD), T0).case_id == change.after.case_id


@pytest.mark.parametrize("stale", ["0|old words||", "not a fingerprint", ""])
def test_a_fingerprint_of_another_version_is_made_again_from_the_text(stale):
    report = case_report(**FLOOD).report
    assert IndexEntry.from_report(report, "79-000001", stale).fingerprint == fingerprint_of(report)
