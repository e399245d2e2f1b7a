"""Commands answered on command-results.<area>; undecodable or unprocessable records dead-lettered."""

from __future__ import annotations

import struct

import pytest

from gbus.cases import commands as c
from gbus.domain.case import make_case_id
from support.factories import T0, case_report

from .conftest import wait_until

pytestmark = pytest.mark.integration

HANDLER = "gov.ubnd@79.26743"
WATCHER = "gov.so-nnmt@79"


def _results(bus):
    return bus.decoded(bus.topics.command_results_of("79"), "gbus.avro.CommandResult")


def _answer(bus, request_id):
    def find():
        return next((r for r in _results(bus) if r["request_id"] == request_id), None)

    return wait_until(find, 30, f"the answer to {request_id}")


def _command(case_id, actor, body, request_id, version=0):
    return c.CaseCommand(f"cmd-{request_id}", request_id, case_id, actor, T0, version, body)


def test_commands_are_applied_or_refused_with_the_right_code(bus):
    bus.start_processor()
    report = case_report()
    bus.send_report(report)
    case_id = make_case_id("79", report.report_id)
    wait_until(lambda: case_id in bus.latest_snapshots(), 30, "the case")

    bus.send_command(_command(case_id, WATCHER, c.UpdateStatus("ACCEPTED"), "watcher"))
    bus.send_command(_command(case_id, HANDLER, c.UpdateStatus("ACCEPTED"), "stale", version=7))
    bus.send_command(_command(case_id, HANDLER, c.UpdateStatus("CLOSED"), "illegal"))
    bus.send_command(_command(case_id, HANDLER, c.UpdateStatus("ACCEPTED"), "accept", version=1))

    assert _answer(bus, "watcher")["code"] == "PERMISSION_DENIED"
    assert _answer(bus, "stale")["code"] == "ABORTED"
    assert _answer(bus, "illegal")["code"] == "FAILED_PRECONDITION"
    accepted = _answer(bus, "accept")
    assert (accepted["code"], accepted["case_version"], accepted["reply_to"]) == ("OK", 2, "79")

    # Each node reads only its own answers: nothing went to another node's results topic.
    assert bus.read(bus.topics.command_results_of("01")) == [] and bus.read(bus.topics.command_results_of("VN")) == []
    snap = bus.latest_snapshots()[case_id]
    assert (snap["status"], snap["version"]) == ("ACCEPTED", 2)
    copies = bus.decoded(bus.topics.node("79"), "gbus.avro.CaseCopy")
    assert [c["version"] for c in copies] == [1, 2] and copies[-1]["new_events"] == 1


def test_poison_records_go_to_the_dead_letter_topic_and_the_partition_moves_on(bus):
    running = bus.start_processor()
    partition = bus.topics.partition_of_shard("79")
    unknown_fingerprint = b"\xc3\x01" + struct.pack("<Q", 0xDEADBEEF) + b"\x00"
    bus.send_raw(bus.topics.reports, partition, b"not avro at all", key=b"79")
    bus.send_raw(bus.topics.reports, partition, unknown_fingerprint, key=b"79")
    good = case_report()
    bus.send_report(good)

    case_id = make_case_id("79", good.report_id)
    wait_until(lambda: case_id in bus.latest_snapshots(), 30, "the good report's case")
    letters = bus.decoded(bus.topics.dead_letters, "gbus.avro.DeadLetter")
    assert [(d["error_type"], d["offset"], d["partition"]) for d in letters] == [
        ("CorruptRecordError", 0, partition),
        ("UnknownSchemaError", 1, partition),
    ]
    assert letters[0]["value"] == b"not avro at all" and letters[0]["source_topic"] == bus.topics.reports
    assert letters[0]["consumer"] == f"{bus.group}/p1"
    counted = running.metrics.dead_letters.labels(source_topic=bus.topics.reports, error_type="UnknownSchemaError")
    assert counted._value.get() == 1


def test_a_report_the_rules_cannot_route_is_dead_lettered_with_the_reason(bus):
    bus.start_processor()
    unroutable = case_report(origin_agency="gov.nobody@79")
    bus.send_report(unroutable)
    [letter] = wait_until(lambda: bus.decoded(bus.topics.dead_letters, "gbus.avro.DeadLetter"), 30, "a dead letter")
    assert letter["error_type"] == "UnroutableError" and "origin_agency" in letter["reason"]


def test_merge_and_unmerge_keep_cases_reports_and_the_duplicate_index_consistent(bus):
    bus.start_processor()
    garbage = case_report(title="Rác thải ùn ứ quanh chợ Bến Thành", category="moi_truong",
                          description="Rác thải sinh hoạt ùn ứ quanh chợ Bến Thành ba ngày chưa được thu gom.")  # fmt: skip
    lights = case_report(title="Đèn đường hỏng trên đường Lê Lợi", category="ha_tang_giao_thong",
                         description="Cả dãy đèn đường trên đường Lê Lợi hỏng hai tuần nay, buổi tối rất tối.")  # fmt: skip
    bus.send_report(garbage)
    bus.send_report(lights)
    target, source = make_case_id("79", garbage.report_id), make_case_id("79", lights.report_id)
    wait_until(lambda: len(bus.latest_snapshots()) == 2, 30, "two cases")

    bus.send_command(_command(source, HANDLER, c.MergeCases(source, target, "same place"), "merge"))
    assert _answer(bus, "merge")["code"] == "OK"
    snaps = bus.latest_snapshots()
    assert (snaps[source]["status"], snaps[source]["merged_into"]) == ("MERGED", target)
    assert len(snaps[target]["reports"]) == 2

    bus.send_command(_command(target, HANDLER, c.UnmergeReport(lights.report_id, "different grievance"), "unmerge"))
    answer = _answer(bus, "unmerge")
    assert answer["code"] == "OK" and answer["new_case_id"]
    restored = answer["new_case_id"]

    # The same street-light complaint again, without diacritics: it finds the restored case.
    again = case_report(title="Den duong hong tren duong Le Loi", category="ha_tang_giao_thong",
                        description="Ca day den duong tren duong Le Loi hong 2 tuan nay, buoi toi rat toi",
                        origin_agency="union.hnd@79.26743", channel="cong_doan")  # fmt: skip
    bus.send_report(again)
    wait_until(lambda: len(bus.latest_snapshots().get(restored, {}).get("reports", ())) == 2, 30, "the link")
    snaps = bus.latest_snapshots()
    owners = {r["report_id"]: cid for cid, s in snaps.items() if s["status"] != "MERGED" for r in s["reports"]}
    assert owners == {garbage.report_id: target, lights.report_id: restored, again.report_id: restored}
