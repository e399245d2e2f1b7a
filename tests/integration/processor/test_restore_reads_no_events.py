"""A new owner restores from case-state alone and reads a case's events only when the case changes again."""

from __future__ import annotations

import pytest

from gbus.cases import commands as c
from gbus.domain.case import make_case_id
from gbus.domain.events import verify_chain
from gbus.wire.avro_records import event_from_record
from support.factories import HOAN_KIEM, T0, case_report

from .conftest import CODEC, wait_until

pytestmark = pytest.mark.integration

HANDLER = "gov.ubnd@79.26743"


def _reports():
    """Four unrelated grievances: four cases."""
    return [
        case_report(title="Rác thải ùn ứ quanh chợ Bến Thành", category="moi_truong", request_id="r-1",
                    description="Rác thải sinh hoạt ùn ứ quanh chợ Bến Thành ba ngày chưa được thu gom, bốc mùi hôi."),
        case_report(title="Mất nước kéo dài ở đường số 7", category="dien_nuoc", request_id="r-2",
                    description="Khu dân cư đường số 7 mất nước sinh hoạt ba ngày liền, không có thông báo."),
        case_report(title="Lấn chiếm vỉa hè đường Pasteur", category="trat_tu_do_thi", request_id="r-3",
                    description="Các hộ kinh doanh lấn chiếm vỉa hè đường Pasteur, người đi bộ phải xuống lòng đường."),
        case_report(title="Đèn đường hỏng phố Hàng Bài", place=HOAN_KIEM, category="ha_tang_giao_thong",
                    description="Cả dãy đèn đường phố Hàng Bài hỏng hai tuần nay, buổi tối rất tối."),
    ]  # fmt: skip


def _events_with_offsets(bus):
    out: dict[str, list[tuple[int, bytes]]] = {}
    for r in bus.read(bus.topics.case_events):
        out.setdefault(CODEC.decode(r.value)["case_id"], []).append((r.offset, r.value))
    return out


def test_the_next_owner_loads_a_case_history_only_when_it_changes_and_the_copy_is_complete(bus):
    reports = _reports()
    first = bus.start_processor("p1")
    for r in reports:
        bus.send_report(r)
    case_id = make_case_id("79", reports[0].report_id)
    wait_until(lambda: len(bus.latest_snapshots()) == len(reports), 30, "the cases")
    bus.send_command(c.CaseCommand("cmd-1", "accept-1", case_id, HANDLER, T0, 0, c.UpdateStatus("ACCEPTED")))
    wait_until(lambda: bus.latest_snapshots()[case_id]["status"] == "ACCEPTED", 30, "the acceptance")
    first.stop()

    second = bus.start_processor("p2")
    store = second.processor._store
    assert not store.history_loaded(case_id), "restore read the case's events"
    bus.send_command(c.CaseCommand("cmd-2", "start-1", case_id, HANDLER, T0, 0, c.UpdateStatus("IN_PROGRESS")))
    wait_until(lambda: bus.latest_snapshots()[case_id]["status"] == "IN_PROGRESS", 30, "the change after the hand-over")
    second.stop()

    events = _events_with_offsets(bus)
    history = [event_from_record(CODEC.decode(v)) for _, v in events[case_id]]
    assert verify_chain(history) == [] and [e.seq for e in history] == list(range(1, len(history) + 1))
    copies = [cp for cp in bus.decoded(bus.topics.node("79"), "gbus.avro.CaseCopy") if cp["case_id"] == case_id]
    assert copies[-1]["events"] == [v for _, v in events[case_id]]  # the complete history, loaded lazily

    # Every mark of every snapshot is a lower bound of where its first event lies (usually that very offset).
    for snap in bus.decoded(bus.topics.case_state, "gbus.avro.CaseSnapshot"):
        offsets = [o for o, _ in events[snap["case_id"]]]
        marks = snap["history_marks"]
        assert marks and marks[0]["first_seq"] == 1
        for mark in marks:
            assert mark["from_offset"] <= offsets[mark["first_seq"] - 1], (snap["case_id"], mark)
    assert len(bus.latest_snapshots()[case_id]["history_marks"]) == 3  # opened, accepted, started: three transactions
