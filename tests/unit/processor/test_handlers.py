"""One record in, its effects out: reports opened, linked or replayed; commands applied or refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gbus.api.error_mapping import code_name_of
from gbus.cases import commands as c
from gbus.codec import CorruptRecordError
from gbus.domain.events import verify_chain
from gbus.domain.status import CaseStatus
from gbus.processor.handlers import CaseTooLargeError, InputRecord, MisroutedRecordError, NoReplyAddressError
from gbus.processor.store import CaseWrite
from gbus.wire.avro_records import event_from_record
from support.factories import HOAN_KIEM, T0, case_report

from .conftest import CODEC, TOPICS, command_input, report_input

HANDLER = "gov.ubnd@79.26743"
WATCHER = "gov.so-nnmt@79"


def _open(kit, **overrides):
    staging = kit.staging()
    effects = kit.handler.handle(report_input(**overrides), staging, T0)
    staging.stage(effects.changes)
    for ch in effects.changes:
        kit.index.sync(ch.before, ch.after)
    kit.commit(staging)
    return effects.changes[0].after


def _command(kit, case, actor, body, *, version=0, request_id="r1", reply_to="79"):
    cmd = c.CaseCommand("cmd-" + request_id, request_id, case.case_id, actor, T0, version, body)
    staging = kit.staging()
    effects = kit.handler.handle(command_input(cmd, reply_to=reply_to), staging, T0)
    [answer] = effects.answers
    result = CODEC.decode(answer.value, expected="gbus.avro.CommandResult")
    return effects, result, answer


def test_a_new_report_opens_a_routed_case_with_a_verified_history(kit):
    staging = kit.staging()
    effects = kit.handler.handle(report_input(), staging, T0)
    [change] = effects.changes
    assert change.before is None and change.after.handler == HANDLER
    events = [event_from_record(CODEC.decode(b)) for b in change.encoded_events]
    assert [e.type for e in events] == ["CaseOpened", "CaseRouted"] and verify_chain(events) == []
    assert ("dedup_decisions", {"decision": "new"}) in effects.counts


def test_a_duplicate_report_links_into_the_existing_case(kit):
    first = _open(kit, title="Ngập nước đường Lê Lợi")
    effects = kit.handler.handle(report_input(title="Ngập nước đường Lê Lợi"), kit.staging(), T0)
    [change] = effects.changes
    assert change.after.case_id == first.case_id and len(change.after.reports) == 2
    assert ("dedup_decisions", {"decision": "link"}) in effects.counts


def test_a_middle_band_match_opens_a_new_case_marked_as_a_possible_duplicate(kit):
    first = _open(kit, title="Ngập nước đường Lê Lợi")
    effects = kit.handler.handle(report_input(title="maybe:Ngập nước đường Lê Lợi"), kit.staging(), T0)
    [change] = effects.changes
    assert change.after.case_id != first.case_id
    assert change.after.possible_duplicate_of == (first.case_id,)


def test_a_replayed_report_changes_nothing(kit):
    report = case_report()
    staging = kit.staging()
    effects = kit.handler.handle(report_input(report), staging, T0)
    staging.stage(effects.changes)
    again = kit.handler.handle(report_input(report, offset=1), staging, T0)
    assert again.changes == [] and again.counts == [("dedup_decisions", {"decision": "replay"})]


def test_a_report_in_the_wrong_partition_is_refused_so_a_shard_never_has_two_writers(kit):
    wrong = (TOPICS.partition_of_shard("79") + 1) % TOPICS.partitions
    with pytest.raises(MisroutedRecordError):
        kit.handler.handle(report_input(partition=wrong), kit.staging(), T0)


def test_garbage_bytes_raise_a_codec_error(kit):
    with pytest.raises(CorruptRecordError):
        kit.handler.handle(InputRecord(TOPICS.reports, 0, 0, None, b"garbage"), kit.staging(), T0)


def test_the_handler_changes_status_and_is_answered_ok_with_the_new_version(kit):
    case = _open(kit)
    effects, result, answer = _command(kit, case, HANDLER, c.UpdateStatus("ACCEPTED"), version=case.version)
    assert (result["code"], result["case_version"]) == ("OK", case.version + 1)
    assert (answer.topic, answer.partition, answer.key) == (TOPICS.command_results_of("79"), 0, b"79")
    assert ("status_transitions", {"from_status": "ASSIGNED", "to_status": "ACCEPTED"}) in effects.counts


def test_a_watcher_changing_status_is_refused_with_permission_denied(kit):
    case = _open(kit)
    effects, result, _ = _command(kit, case, WATCHER, c.UpdateStatus("ACCEPTED"))
    assert result["code"] == "PERMISSION_DENIED" and effects.changes == []
    assert result["case_version"] == case.version


def test_a_stale_expected_version_is_refused_with_aborted(kit):
    case = _open(kit)
    _, result, _ = _command(kit, case, HANDLER, c.UpdateStatus("ACCEPTED"), version=case.version + 5)
    assert result["code"] == "ABORTED"


def test_an_illegal_transition_is_refused_with_failed_precondition(kit):
    case = _open(kit)
    _, result, _ = _command(kit, case, HANDLER, c.UpdateStatus("CLOSED"))
    assert result["code"] == "FAILED_PRECONDITION"


def test_an_unknown_case_is_not_found_and_reveals_no_version(kit):
    case = _open(kit)
    _, result, _ = _command(kit, case, "gov.ubnd@01", c.UpdateStatus("ACCEPTED"))
    assert (result["code"], result["case_version"]) == ("NOT_FOUND", 0)


def test_a_command_for_another_shard_is_refused_with_invalid_argument(kit):
    hanoi = _open(kit, place=HOAN_KIEM)
    cmd = c.CaseCommand("cmd-x", "x", hanoi.case_id, HANDLER, T0, 0, c.UpdateStatus("ACCEPTED"))
    record = command_input(cmd)
    moved = InputRecord(record.topic, (record.partition + 1) % TOPICS.partitions, 0, record.key, record.value)
    effects = kit.handler.handle(moved, kit.staging(), T0)
    assert CODEC.decode(effects.answers[0].value)["code"] == "INVALID_ARGUMENT"


def test_a_command_nobody_could_hear_the_answer_to_is_refused(kit):
    case = _open(kit)
    with pytest.raises(NoReplyAddressError):
        _command(kit, case, HANDLER, c.UpdateStatus("ACCEPTED"), reply_to="XX")


def test_a_retried_command_is_answered_from_memory_without_new_events(kit):
    case = _open(kit)
    effects, _, _ = _command(kit, case, HANDLER, c.UpdateStatus("ACCEPTED"))
    staging = kit.staging()
    staging.stage(effects.changes)
    kit.commit(staging)
    again, result, _ = _command(kit, case, HANDLER, c.UpdateStatus("ACCEPTED"))
    assert again.changes == [] and result["code"] == "OK" and result["message"] == "already applied"


def test_a_bug_while_handling_a_command_answers_internal_and_marks_the_record_failed(kit, monkeypatch):
    case = _open(kit)

    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(kit.handler._commands, "handle", explode)
    effects, result, _ = _command(kit, case, HANDLER, c.UpdateStatus("ACCEPTED"))
    assert result["code"] == "INTERNAL" and effects.failure == ("RuntimeError", "RuntimeError: boom")


def test_a_duplicate_of_a_closed_case_opens_its_own_case_marked_as_a_possible_duplicate(kit):
    first = _open(kit, title="Ngập nước đường Lê Lợi")
    closed = replace(first, status=CaseStatus.CLOSED, closed_at=T0, version=first.version + 1)
    kit.store.apply([CaseWrite(closed, kit.outputs.encode_snapshot(closed))])
    effects = kit.handler.handle(report_input(title="Ngập nước đường Lê Lợi"), kit.staging(), T0)
    [change] = effects.changes
    assert change.before is None and change.after.case_id != first.case_id
    assert change.after.possible_duplicate_of == (first.case_id,)
    assert ("dedup_decisions", {"decision": "possible_duplicate"}) in effects.counts


def test_a_report_that_would_grow_a_case_past_what_a_topic_accepts_is_refused(kit):
    first = _open(kit, title="Ngập nước đường Lê Lợi")
    kit.handler._max_record_bytes = len(kit.outputs.encode_snapshot(first)) + 20_000
    long = report_input(title="Ngập nước đường Lê Lợi", description="Nước ngập sâu. " * 400)
    with pytest.raises(CaseTooLargeError):
        kit.handler.handle(long, kit.staging(), T0)


def test_a_command_that_would_grow_a_case_too_far_is_answered_resource_exhausted(kit):
    case = _open(kit)
    kit.handler._max_record_bytes = len(kit.outputs.encode_snapshot(case)) + 17_000
    effects, result, _ = _command(kit, case, HANDLER, c.AddNote("x" * 5000))
    assert result["code"] == "RESOURCE_EXHAUSTED" and effects.changes == []
    assert result["case_version"] == case.version


def test_a_command_kind_newer_than_this_processor_is_answered_unimplemented(kit, monkeypatch):
    # A newer node may write a command body this processor's schema maps to nothing it knows.
    case = _open(kit)

    def newer_kind(_record):
        raise ValueError("unsupported command gbus.avro.FutureCommand")

    monkeypatch.setattr("gbus.processor.handlers.command_from_record", newer_kind)
    effects, result, _ = _command(kit, case, HANDLER, c.UpdateStatus("ACCEPTED"))
    assert result["code"] == "UNIMPLEMENTED" and "FutureCommand" in result["message"]
    assert effects.changes == [] and ("commands_rejected", {"reason": "UNIMPLEMENTED"}) in effects.counts


@pytest.mark.parametrize(
    ("error", "code"),
    [(CaseTooLargeError, "RESOURCE_EXHAUSTED"), (MisroutedRecordError, "INVALID_ARGUMENT")],
)
def test_the_processors_own_refusals_carry_their_grpc_code_from_the_error_class(error, code):
    # One table: the API layer and the processor's answers read the code from the class.
    assert code_name_of(error("x")) == code
