"""Opening, linking, re-routing and every command on a case, with the real router."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from gbus import errors
from gbus.cases import commands as c
from gbus.cases.intake_decisions import link_report, open_case
from gbus.domain.events import CaseRouted, ReportUnmerged, StatusChanged, verify_chain
from gbus.domain.status import CaseStatus
from support.factories import T0, case_report, directory, router

WARD_UBND = "gov.ubnd@79.26743"
PROVINCE_UBND = "gov.ubnd@79"
WARD_FRONT = "front.mttq@79.26743"


def _open(**overrides):
    return open_case(router(), case_report(**overrides), now=T0)


class _Cases:
    def __init__(self, *cases):
        self.by_id = {s.case_id: s for s in cases}

    def __call__(self, case_id):
        return self.by_id.get(case_id)


def _command(case, actor, body, *, version=0, request_id="r1"):
    return c.CaseCommand("cmd-" + request_id, request_id, case.case_id, actor, T0, version, body)


HANDLER = c.CommandHandler(router(), directory())


def test_a_new_case_is_assigned_to_the_routed_handler_with_a_verified_history():
    state, events = _open()
    assert state.case_id.startswith("79-")
    assert state.status is CaseStatus.ASSIGNED and state.version == 1
    assert state.handler == WARD_UBND
    assert WARD_FRONT in state.watcher_ids and state.handler not in state.watcher_ids
    assert [e.type for e in events] == ["CaseOpened", "CaseRouted"]
    assert verify_chain(events) == [] and state.last_hash == events[-1].hash


def test_opening_the_same_report_twice_gives_the_same_case_id_and_events():
    report = case_report()
    a, ea = open_case(router(), report, now=T0)
    b, eb = open_case(router(), report, now=T0)
    assert a.case_id == b.case_id and [e.hash for e in ea] == [e.hash for e in eb]


def test_a_linked_duplicate_adds_its_origin_as_watcher_without_changing_the_handler():
    case, first = _open()
    dup = case_report(channel="cong_doan", origin_agency="union.ldld@79", category="dat_dai")
    state, events = link_report(router(), case, dup, now=T0 + timedelta(hours=1), score=0.93, matched_report_id="x")
    assert state.handler == WARD_UBND and state.version == 2
    assert "union.ldld@79" in state.watcher_ids
    assert [e.type for e in events][0] == "ReportLinked"
    assert verify_chain([*first, *events]) == []


def test_linking_an_already_linked_report_changes_nothing():
    case, _ = _open()
    dup = case_report(origin_agency="union.ldld@79", channel="cong_doan")
    once, _ = link_report(router(), case, dup, now=T0, score=0.9, matched_report_id=None)
    twice, events = link_report(router(), once, dup, now=T0, score=0.9, matched_report_id=None)
    assert twice == once and events == ()


def test_a_denunciation_of_the_handler_reroutes_the_case_to_its_superior_and_hides_it_from_the_accused():
    case, _ = _open()
    accepted = replace(case, status=CaseStatus.ACCEPTED)
    denunciation = case_report(
        kind="to_cao", category="dat_dai", channel="cong_dvc", origin_agency=WARD_FRONT, subject_agency=WARD_UBND
    )
    state, events = link_report(router(), accepted, denunciation, now=T0, score=0.95, matched_report_id=None)
    assert state.kind == "to_cao"
    assert state.handler == PROVINCE_UBND
    assert WARD_UBND not in state.involved_agencies()
    assert state.status is CaseStatus.ASSIGNED  # the new handler has not accepted it yet
    assert any(isinstance(e.body, CaseRouted) for e in events)
    assert any(isinstance(e.body, StatusChanged) and e.body.to_status == "ASSIGNED" for e in events)


# --- commands ----------------------------------------------------------------


def test_the_handler_accepts_and_the_version_moves_on():
    case, _ = _open()
    out = HANDLER.handle(_command(case, WARD_UBND, c.UpdateStatus("ACCEPTED"), version=1), _Cases(case), T0)
    after = out.changes[0].after
    assert after.status is CaseStatus.ACCEPTED and after.version == 2
    assert out.changes[0].events[0].body == StatusChanged("ASSIGNED", "ACCEPTED", "")


def test_the_handlers_superior_may_change_status():
    case, _ = _open()
    out = HANDLER.handle(
        _command(case, PROVINCE_UBND, c.UpdateStatus("REJECTED", "không thuộc thẩm quyền?")), _Cases(case), T0
    )
    assert out.case.status is CaseStatus.REJECTED


def test_a_watcher_may_not_change_status():
    case, _ = _open()
    with pytest.raises(errors.PermissionDeniedError, match="watcher"):
        HANDLER.handle(_command(case, WARD_FRONT, c.UpdateStatus("ACCEPTED")), _Cases(case), T0)


def test_a_watcher_may_add_a_note():
    case, _ = _open()
    out = HANDLER.handle(
        _command(case, WARD_FRONT, c.AddNote("Cử tri phản ánh thêm tại buổi tiếp xúc.")), _Cases(case), T0
    )
    assert out.case.version == 2 and out.changes[0].events[0].type == "NoteAdded"


def test_an_unrelated_agency_is_told_the_case_does_not_exist():
    case, _ = _open()
    for body in (c.UpdateStatus("ACCEPTED"), c.AddNote("x")):
        with pytest.raises(errors.NotFoundError):
            HANDLER.handle(_command(case, "gov.ubnd@01.00070", body), _Cases(case), T0)


def test_a_stale_expected_version_is_a_conflict():
    case, _ = _open()
    with pytest.raises(errors.VersionConflictError, match="version 1"):
        HANDLER.handle(_command(case, WARD_UBND, c.UpdateStatus("ACCEPTED"), version=7), _Cases(case), T0)


def test_an_illegal_transition_is_refused():
    case, _ = _open()
    with pytest.raises(errors.IllegalTransitionError, match="ASSIGNED"):
        HANDLER.handle(_command(case, WARD_UBND, c.UpdateStatus("CLOSED")), _Cases(case), T0)


def test_a_retried_command_is_answered_without_being_applied_twice():
    case, _ = _open()
    cmd = _command(case, WARD_UBND, c.UpdateStatus("ACCEPTED"), request_id="same")
    first = HANDLER.handle(cmd, _Cases(case), T0)
    again = HANDLER.handle(cmd, _Cases(first.case), T0)
    assert again.replayed and again.changes == () and again.case.version == first.case.version


def test_a_transfer_goes_through_transferred_to_assigned_for_the_new_handler():
    case, _ = _open()
    out = HANDLER.handle(
        _command(case, WARD_UBND, c.TransferCase("gov.so-nnmt@79", "thuộc thẩm quyền Sở")), _Cases(case), T0
    )
    after = out.case
    assert after.handler == "gov.so-nnmt@79" and after.status is CaseStatus.ASSIGNED
    assert "gov.so-nnmt@79" not in after.watcher_ids
    assert [e.type for e in out.changes[0].events] == ["StatusChanged", "CaseTransferred", "StatusChanged"]


def test_a_transfer_to_an_unknown_agency_names_the_field():
    case, _ = _open()
    with pytest.raises(errors.ValidationError) as info:
        HANDLER.handle(_command(case, WARD_UBND, c.TransferCase("gov.nothing@79")), _Cases(case), T0)
    assert info.value.violations[0].field == "to_agency"


def test_merging_moves_the_reports_and_keeps_both_histories():
    target, _ = _open()
    source, _ = _open(origin_agency="union.ldld@79", channel="cong_doan")
    out = HANDLER.handle(
        _command(source, WARD_UBND, c.MergeCases(source.case_id, target.case_id, "cùng một vụ việc")),
        _Cases(target, source),
        T0,
    )
    source_after, target_after = out.changes[0].after, out.changes[1].after
    assert source_after.status is CaseStatus.MERGED and source_after.merged_into == target.case_id
    assert {r.report_id for r in target_after.reports} == {r.report_id for r in (*target.reports, *source.reports)}
    assert target_after.merged_from == (source.case_id,)
    assert source_after.last_seq > source.last_seq and target_after.last_seq > target.last_seq


def test_merging_across_provinces_is_refused():
    target, _ = _open(place=("01", "00070"), origin_agency="front.mttq@01.00070")
    source, _ = _open()
    with pytest.raises(errors.IllegalTransitionError, match="provinces"):
        HANDLER.handle(
            _command(source, WARD_UBND, c.MergeCases(source.case_id, target.case_id)), _Cases(target, source), T0
        )


def test_unmerging_restores_the_report_as_its_own_routed_case():
    case, _ = _open()
    labour = case_report(category="lao_dong_viec_lam", channel="cong_doan", origin_agency="union.ldld@79")
    merged, _ = link_report(router(), case, labour, now=T0, score=0.9, matched_report_id=None)
    out = HANDLER.handle(
        _command(merged, WARD_UBND, c.UnmergeReport(labour.report_id, "không cùng vụ việc")), _Cases(merged), T0
    )
    original, new = out.changes[0].after, out.changes[1].after
    assert labour.report_id not in {r.report_id for r in original.reports}
    assert new.case_id == out.new_case_id and new.case_id != case.case_id
    assert [r.report_id for r in new.reports] == [labour.report_id]
    assert new.handler == "gov.so-nv@79"  # routed on its own: labour goes to the department of home affairs
    assert new.status is CaseStatus.ASSIGNED and verify_chain(out.changes[1].events) == []
    assert isinstance(out.changes[0].events[0].body, ReportUnmerged)


def test_unmerging_the_only_report_is_refused():
    case, _ = _open()
    with pytest.raises(errors.IllegalTransitionError):
        HANDLER.handle(_command(case, WARD_UBND, c.UnmergeReport(case.reports[0].report_id)), _Cases(case), T0)
