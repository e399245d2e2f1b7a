"""Every submission the processor reads is answered to the node that accepted it (issue 12)."""

from __future__ import annotations

from dataclasses import replace

from support.factories import T0, case_report

from .conftest import CODEC, TOPICS, report_input

HANDLER = "gov.ubnd@79.26743"


def _verdicts(effects):
    return [CODEC.decode(a.value, expected="gbus.avro.ReportResult") for a in effects.answers]


def _place(kit, report):
    staging = kit.staging()
    effects = kit.handler.handle(report_input(report), staging, T0)
    staging.stage(effects.changes)
    for ch in effects.changes:
        kit.index.sync(ch.before, ch.after)
    kit.commit(staging)
    return effects


def test_a_new_report_is_answered_with_its_case_decision_and_handler_on_the_accepting_nodes_topic(kit):
    report = case_report()
    effects = _place(kit, report)
    [verdict] = _verdicts(effects)
    [answer] = effects.answers
    assert answer.topic == TOPICS.report_results("79") and answer.key == report.report_id.encode()
    assert (verdict["verdict"], verdict["case_id"], verdict["handler"]) == (
        "new",
        effects.changes[0].after.case_id,
        HANDLER,
    )
    assert verdict["submission_accepted_at"] == T0 and verdict["request_id"] == report.request_id


def test_a_linked_report_is_answered_with_the_case_it_joined(kit):
    first = _place(kit, case_report(title="Ngập nước đường Lê Lợi")).changes[0].after
    [verdict] = _verdicts(_place(kit, case_report(title="Ngập nước đường Lê Lợi")))
    assert (verdict["verdict"], verdict["case_id"]) == ("link", first.case_id)


def test_the_same_content_again_is_a_replay_of_the_placed_case_and_writes_nothing(kit):
    report = case_report()
    case = _place(kit, report).changes[0].after
    again = kit.handler.handle(report_input(report, offset=1), kit.staging(), T0)
    [verdict] = _verdicts(again)
    assert again.changes == [] and (verdict["verdict"], verdict["case_id"]) == ("replay", case.case_id)


def test_other_content_under_a_placed_request_id_is_refused_naming_what_differs_and_counted(kit):
    report = case_report()
    case = _place(kit, report).changes[0].after
    changed = replace(report, report=replace(report.report, description="Một nội dung khác hẳn"))
    refused = kit.handler.handle(report_input(changed, offset=1), kit.staging(), T0)
    [verdict] = _verdicts(refused)
    assert refused.changes == [] and verdict["verdict"] == "refused" and verdict["case_id"] == case.case_id
    assert "description" in verdict["message"] and "title" not in verdict["message"]
    assert refused.counts == [("report_conflicts", {"shard": "79"})]
