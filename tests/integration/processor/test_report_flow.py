"""Reports through the processor on a real broker: cases, events, node copies, duplicates, replays."""

from __future__ import annotations

import pytest

from gbus.domain.events import verify_chain
from gbus.wire.avro_records import event_from_record
from support.factories import case_report

from .conftest import CODEC, wait_until

pytestmark = pytest.mark.integration


def _events_by_case(bus):
    out: dict[str, list] = {}
    for rec in bus.decoded(bus.topics.case_events, "gbus.avro.CaseEvent"):
        out.setdefault(rec["case_id"], []).append(event_from_record(rec))
    return out


def test_a_report_yields_a_snapshot_its_events_and_a_copy_for_every_involved_area(bus):
    bus.start_processor()
    report = case_report(origin_agency="gov.vpcp@VN", channel="cong_dvc")
    bus.send_report(report)
    snapshots = wait_until(bus.latest_snapshots, 30, "the case snapshot")
    [(case_id, snap)] = snapshots.items()
    assert snap["handler"] == "gov.ubnd@79.26743" and [r["report_id"] for r in snap["reports"]] == [report.report_id]

    events = _events_by_case(bus)[case_id]
    assert [e.type for e in events] == ["CaseOpened", "CaseRouted"] and verify_chain(events) == []

    hcm = bus.decoded(bus.topics.node("79"), "gbus.avro.CaseCopy")
    central = bus.decoded(bus.topics.node("VN"), "gbus.avro.CaseCopy")
    assert [c["involved"] for c in hcm] == [["gov.ubnd@79.26743", "gov.so-nnmt@79"]]
    assert [c["involved"] for c in central] == [["gov.vpcp@VN"]]
    copy = hcm[0]
    assert copy["new_events"] == 2 and len(copy["events"]) == 2 and copy["version"] == snap["version"]
    assert CODEC.decode(copy["snapshot"])["case_id"] == case_id
    assert copy["first_submitted_at"] == report.submitted_at
    assert bus.decoded(bus.topics.node("01"), "gbus.avro.CaseCopy") == []


def test_a_duplicate_links_into_the_case_and_a_replay_changes_nothing(bus):
    running = bus.start_processor()
    first = case_report(
        title="Ngập nước nghiêm trọng tại hẻm 12 đường Lê Lợi",
        description="Mỗi khi mưa lớn, hẻm 12 đường Lê Lợi phường Bến Thành ngập sâu 50cm, nước tràn vào nhà "
        "dân, cống thoát nước bị tắc nhiều tháng nay.",
    )
    # The same grievance through a union, typed without diacritics and with SMS spellings.
    duplicate = case_report(
        title="Hem 12 Le Loi ngap nuoc",
        description="Moi lan mua hem 12 duong Le Loi P. Ben Thanh ngap sau khoang 50cm, nuoc vao nha dan, "
        "cong bi tac lau roi ko ai xu ly",
        origin_agency="union.hnd@79.26743",
        channel="cong_doan",
    )
    bus.send_report(first)
    bus.send_report(duplicate)
    bus.send_report(first)  # a retried submit that reached Kafka twice
    wait_until(lambda: running.metrics.dedup_decisions.labels(decision="replay")._value.get() >= 1, 30, "the replay")

    [(case_id, snap)] = bus.latest_snapshots().items()
    assert sorted(r["report_id"] for r in snap["reports"]) == sorted([first.report_id, duplicate.report_id])
    events = _events_by_case(bus)[case_id]
    assert [e.seq for e in events] == list(range(1, snap["last_seq"] + 1)) and verify_chain(events) == []
    assert sum(1 for e in events if e.type == "ReportLinked") == 1
