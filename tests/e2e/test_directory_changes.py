"""An administrative change on the real broker, processor and node: a ward merged into
another re-routes an open case of it (one Rerouted event, shown in the node's history)
and leaves a closed case of it untouched; `gbus route diff --changes` lists the open case
beforehand, from the case-state topic and from the node's store."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, time, timedelta, timezone

import pytest

from gbus.cli import route_cmd
from gbus.cli.tick_cmd import tick_record
from gbus.config import DirectorySettings
from gbus.directory.changes import VIETNAM
from gbus.v1 import case_pb2, intake_pb2, report_pb2
from gbus.wire.protobuf import timestamp
from support.node_harness import CODEC, as_agency, wait_until
from support.processor_harness import processor_settings, running_processor

pytestmark = pytest.mark.e2e

ORIGIN = "front.mttq@79.26743"  # the ward's Front: an origin the merge moves too
OLD, NEW = "gov.ubnd@79.26743", "gov.ubnd@79.25747"  # Phường Bến Thành merged into Phường Thủ Dầu Một
# In force a month from now, so the processor starts without it and the tick brings it in.
EFFECTIVE = (datetime.now(VIETNAM) + timedelta(days=30)).date()
IN_FORCE = datetime.combine(EFFECTIVE, time(1, 0), tzinfo=VIETNAM).astimezone(timezone.utc)


@pytest.fixture
def changes_file(tmp_path):
    path = tmp_path / "changes.yaml"
    path.write_text(
        "changes:\n"
        "  - id: merge-ben-thanh\n"
        f"    effective: {EFFECTIVE.isoformat()}\n"
        "    type: ward_merged\n"
        "    from: 79.26743\n"
        "    into: 79.25747\n"
        '    source: "Nghị quyết sắp xếp đơn vị hành chính cấp xã (thử nghiệm)"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def changing_processor(bus, router, changes_file):
    settings = processor_settings(bus.kafka, directory=DirectorySettings(changes_file=str(changes_file)))
    with running_processor(settings, router, poll_timeout_ms=50) as proc:
        yield proc


def _submit(node, request_id: str, category: str, title: str, description: str) -> None:
    report = report_pb2.Report(
        kind="phan_anh", category=category, channel="tiep_cong_dan", province_code="79", ward_code="26743",
        title=title, description=description, submitted_at=timestamp(datetime.now(timezone.utc)),
        origin_agency=ORIGIN, request_id=request_id, reporter=report_pb2.Reporter(name="Hà", phone="0905111222"),
    )  # fmt: skip
    node.intake.SubmitReport(intake_pb2.SubmitReportRequest(report=report), metadata=as_agency(ORIGIN), timeout=15)


def _cases(node, agency: str):
    return node.cases.ListCases(case_pb2.ListCasesRequest(), metadata=as_agency(agency), timeout=10).cases


def _get(node, case_id: str, agency: str):
    return node.cases.GetCase(case_pb2.GetCaseRequest(case_id=case_id, include_history=True),
                              metadata=as_agency(agency), timeout=10)  # fmt: skip


def _tick(bus, at: datetime) -> None:
    bus.produce(bus.topics.commands, CODEC.encode("gbus.avro.Command", tick_record("79", at)), key=b"79",
                partition=bus.topics.partition_of_shard("79"))  # fmt: skip


def _route_diff(capsys, changes_file, *source: str) -> list[dict]:
    parser = argparse.ArgumentParser(prog="gbus")
    route_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["route", "diff", "--changes", str(changes_file), *source])
    capsys.readouterr()
    assert args.func(args) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_merged_ward_reroutes_an_open_case_and_leaves_a_closed_one_untouched(
    bus, start_node, changing_processor, changes_file, tmp_path, capsys
):
    n79 = start_node("79")
    _submit(n79, "merge-open", "dat_dai", "Lấn chiếm đất công tại hẻm 12",
            "Hộ dân xây tường lấn chiếm lối đi chung của hẻm 12, người dân không đi lại được.")  # fmt: skip
    _submit(n79, "merge-closed", "moi_truong", "Khói bụi xưởng gỗ ban đêm",
            "Xưởng cưa gỗ trên đường Lê Lợi chạy máy suốt đêm, bụi mịn bay vào nhà dân, trẻ nhỏ bị ho.")  # fmt: skip
    both = wait_until(lambda: (c := _cases(n79, OLD)) and len(c) == 2 and c, 30, "two cases at the ward")
    open_case = next(c for c in both if c.category == "dat_dai")
    closed = next(c for c in both if c.category == "moi_truong")
    for status in (case_pb2.CASE_STATUS_ACCEPTED, case_pb2.CASE_STATUS_RESOLVED, case_pb2.CASE_STATUS_CLOSED):
        n79.cases.UpdateStatus(case_pb2.UpdateStatusRequest(case_id=closed.case_id, status=status),
                               metadata=as_agency(OLD), timeout=15)  # fmt: skip
    closed_before = _get(n79, closed.case_id, OLD)
    assert closed_before.case.status == case_pb2.CASE_STATUS_CLOSED

    # Before applying: the operator sees the one open case that would move, from Kafka and from the node.
    kafka = ["--cases-from", "kafka", "--bootstrap", bus.kafka.bootstrap_servers,
             "--topic-prefix", bus.kafka.topic_prefix, "--area", "79"]  # fmt: skip
    expected = {"case_id": open_case.case_id, "handler": [OLD, NEW], "ward": ["26743", "25747"],
                "changes": ["merge-ben-thanh"]}  # fmt: skip
    from_kafka = _route_diff(capsys, changes_file, *kafka)
    assert [{k: line[k] for k in expected} for line in from_kafka] == [expected]
    (store,) = (tmp_path / "nodes").rglob("node.sqlite")
    from_node = _route_diff(capsys, changes_file, "--cases-from", str(store))
    assert from_node == from_kafka

    # The tick that brings the change into force moves the open case, once.
    _tick(bus, IN_FORCE)
    moved = wait_until(lambda: next((c for c in _cases(n79, NEW) if c.case_id == open_case.case_id), None),
                       30, "the open case at the ward merged into")  # fmt: skip
    assert (moved.handler, moved.ward_code, moved.status) == (NEW, "25747", case_pb2.CASE_STATUS_ASSIGNED)
    _tick(bus, IN_FORCE + timedelta(hours=1))
    # A note after the second tick on the same partition: once it shows, that tick was processed too.
    n79.cases.AddNote(case_pb2.AddNoteRequest(case_id=open_case.case_id, text="đã nhận từ phường cũ"),
                      metadata=as_agency(NEW), timeout=15)  # fmt: skip
    history = wait_until(lambda: (h := _get(n79, open_case.case_id, NEW).history)
                         and any(e.HasField("note_added") for e in h) and h, 30, "the note")  # fmt: skip
    rerouted = [e.rerouted for e in history if e.HasField("rerouted")]
    assert len(rerouted) == 1
    moves = changing_processor.bus_metrics.registry.get_sample_value(
        "gbus_cases_rerouted_total", {"change": "merge-ben-thanh"}
    )
    assert moves == 1
    (event,) = rerouted
    assert (list(event.change_ids), event.from_handler, event.to_handler) == (["merge-ben-thanh"], OLD, NEW)
    assert (event.from_ward, event.to_ward) == ("26743", "25747")
    # The ward's Front, which filed the report, watches as the merged ward's Front now.
    assert list(event.removed_watchers) == ["front.mttq@79.26743"]
    assert "front.mttq@79.25747" in {w.agency_id for w in event.watchers}
    assert "front.mttq@79.25747" in {w.agency_id for w in _get(n79, open_case.case_id, NEW).case.watchers}

    # The closed case keeps its history: same version, same handler, no Rerouted event.
    closed_after = _get(n79, closed.case_id, OLD)
    assert (closed_after.case.version, closed_after.case.handler) == (closed_before.case.version, OLD)
    assert [e.hash for e in closed_after.history] == [e.hash for e in closed_before.history]

    # Nothing is left to move, and a report still naming the old ward goes to the merged ward.
    assert _route_diff(capsys, changes_file, *kafka) == []
    _submit(n79, "merge-after", "ha_tang_giao_thong", "Ổ gà trên đường Lê Thánh Tôn",
            "Mặt đường có ổ gà sâu gần chợ, xe máy đã ngã hai lần trong tuần.")  # fmt: skip
    fresh = wait_until(lambda: next((c for c in _cases(n79, NEW) if c.category == "ha_tang_giao_thong"), None),
                       30, "the new report at the ward merged into")  # fmt: skip
    assert fresh.handler == NEW
