"""The custodian's per-case key: wrapped for the handler and each report's origin, never a watcher;
re-wrapped when the handler changes; gone after erasure."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from gbus import errors
from gbus.cases.commands import CaseCommand, CommandHandler, EraseIdentity, TransferCase
from gbus.domain import events as ev
from gbus.domain.case import make_report_id
from gbus.security.identity_access import open_reporters
from gbus.security.identity_seal import ReporterIdentity
from support.cases import HANDLER, ORIGIN, WATCHER, opened
from support.factories import directory, router
from support.identity import keyed, keyring_for, sealed

PERSON = ReporterIdentity(name="Trần Văn Bình", phone="0987654321", national_id="079200000001")
OTHER_ORIGIN = "gov.ubnd@79"  # the province's people's committee
NEW_HANDLER = "gov.ubnd@79"


def _case(request_id="r-1", origin=ORIGIN):
    state, _ = opened(
        router(), request_id, origin=origin, sealed=sealed(PERSON, make_report_id("79", origin, request_id))
    )
    return keyed(state)


def _visible(state, agency):
    return {rid: who for rid, who in open_reporters(state, agency, keyring_for(agency))}


def _command(state, actor, body):
    return CaseCommand("c-1", "rq-1", state.case_id, actor, state.updated_at + timedelta(minutes=1), 0, body)


def test_the_case_key_is_wrapped_for_the_handler_and_the_origin_and_never_for_a_watcher():
    state = _case()
    assert WATCHER in state.watcher_ids
    assert {w.agency_id for w in state.key_wraps} == {HANDLER, ORIGIN}
    rid = state.reports[0].report_id
    assert _visible(state, HANDLER) == {rid: PERSON} == _visible(state, ORIGIN)
    assert _visible(state, WATCHER) == {}


def test_a_node_without_the_caller_s_kek_opens_nothing_even_for_the_handler():
    state = _case()
    assert dict(open_reporters(state, HANDLER, keyring_for(ORIGIN))) == {}


def test_the_processor_rewraps_each_data_key_under_the_case_key():
    state = _case()
    assert state.reports[0].reporter_sealed["key_id"] == f"case:{state.case_id}"


def test_a_transfer_rewraps_the_case_key_for_the_new_handler_and_drops_the_old_one():
    state = _case()
    outcome = CommandHandler(router(), directory()).handle(
        _command(state, HANDLER, TransferCase(NEW_HANDLER, "competence")), {state.case_id: state}.get, state.updated_at
    )
    after = keyed(outcome.case)
    assert after.handler == NEW_HANDLER
    assert HANDLER not in {w.agency_id for w in after.key_wraps}
    assert _visible(after, NEW_HANDLER) == {after.reports[0].report_id: PERSON}
    assert _visible(after, HANDLER) == {}


def test_an_origin_opens_only_the_reporters_of_its_own_reports_after_a_merge():
    target, source = _case("r-1"), _case("r-2", origin=OTHER_ORIGIN)
    merged = keyed(replace(target, reports=(*target.reports, *source.reports)), source)
    mine, theirs = merged.reports
    assert theirs.reporter_sealed["key_id"] == f"case:{merged.case_id}"
    assert _visible(merged, ORIGIN) == {mine.report_id: PERSON}
    assert _visible(merged, OTHER_ORIGIN) == {theirs.report_id: PERSON}
    assert set(_visible(merged, merged.handler)) == {mine.report_id, theirs.report_id}


def test_erasure_removes_every_sealed_identity_and_key_wrap_and_records_which_reports():
    state = _case()
    outcome = CommandHandler(router(), directory()).handle(
        _command(state, HANDLER, EraseIdentity("request of the reporter")), {state.case_id: state}.get, state.updated_at
    )
    after = keyed(outcome.case)
    assert after.key_wraps == () and all(r.reporter_sealed is None for r in after.reports)
    (event,) = outcome.changes[0].events
    assert event.body == ev.IdentityErased((state.reports[0].report_id,), "request of the reporter")
    assert _visible(after, HANDLER) == {} == _visible(after, ORIGIN)


def test_a_watcher_may_not_erase_the_identity():
    state = _case()
    with pytest.raises(errors.PermissionDeniedError):
        CommandHandler(router(), directory()).handle(
            _command(state, WATCHER, EraseIdentity()), {state.case_id: state}.get, state.updated_at
        )


def test_erasing_a_case_that_holds_no_identity_changes_nothing():
    state, _ = opened(router())
    outcome = CommandHandler(router(), directory()).handle(
        _command(state, HANDLER, EraseIdentity()), {state.case_id: state}.get, state.updated_at
    )
    assert outcome.changes == () and outcome.case == state


def test_key_wraps_survive_the_snapshot_schema_and_erase_survives_the_command_schema():
    from gbus.codec import AvroCodec
    from gbus.wire.avro_records import command_from_record, command_record, snapshot_record, state_from_snapshot

    codec, state = AvroCodec(), _case()
    decoded = state_from_snapshot(codec.decode(codec.encode("gbus.avro.CaseSnapshot", snapshot_record(state))))
    assert (
        decoded.key_wraps == state.key_wraps and decoded.reports[0].reporter_sealed == state.reports[0].reporter_sealed
    )
    command = _command(state, HANDLER, EraseIdentity("retention"))
    wire = codec.decode(codec.encode("gbus.avro.Command", command_record(command, shard="79", reply_to="79")))
    assert command_from_record(wire).body == EraseIdentity("retention")
