"""Import lines -> Report messages and streams; node outcomes -> a summary by line number."""

from __future__ import annotations

import io
import json

import pytest

from gbus.cli.common import read_jsonl
from gbus.ops.import_lines import ImportSummary, LineError, plan_import, render_summary, report_of_line
from gbus.ops.progress import Progress, format_progress
from gbus.v1 import report_pb2

LINE = {
    "node": "79", "request_id": "mttq-1", "origin_agency": "front.mttq@79.26743", "channel": "mttq", "kind": "phan_anh",
    "category": "ha_tang_giao_thong", "province_code": "79", "ward_code": "26743", "title": "Ngập đường",
    "description": "Đường ngập sâu sau mưa.", "submitted_at": "2026-11-20T08:15:00+07:00",
    "reporter": {"name": "Nguyễn Văn Bình", "phone": "0903123456"},
}  # fmt: skip


def jsonl(*values: object) -> list:
    text = "\n".join(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in values)
    return list(read_jsonl("-", io.StringIO(text)))


def test_a_sample_line_becomes_the_report_message_with_its_reporter():
    report = report_of_line(LINE)
    assert (report.request_id, report.origin_agency, report.ward_code) == ("mttq-1", "front.mttq@79.26743", "26743")
    assert report.submitted_at.ToDatetime().isoformat() == "2026-11-20T01:15:00"
    assert report.reporter == report_pb2.Reporter(name="Nguyễn Văn Bình", phone="0903123456")


def test_fields_that_cannot_travel_are_named_each_with_the_reason():
    bad = {
        **LINE,
        "province_code": 79,
        "attempt": "two",
        "submitted_at": "yesterday",
        "reporter": {"phone": 903},
        "colour": "red",
    }
    with pytest.raises(LineError) as info:
        report_of_line(bad)
    errors = " | ".join(info.value.errors)
    for expected in ("province_code: must be a string", "attempt: must be a whole number", "submitted_at: not an ISO 8601",
                     "reporter.phone: must be a string", "unknown field(s): colour"):  # fmt: skip
        assert expected in errors


def test_lines_are_grouped_by_origin_agency_in_file_order_and_cut_into_batches():
    other = {**LINE, "origin_agency": "gov.ubnd@79", "request_id": "x"}
    lines = jsonl(*({**LINE, "request_id": f"a{i}"} for i in range(5)), other)
    plan = plan_import(lines, agency_header=None, batch_size=2)
    assert [(b.agency, [i.line_no for i in b.items]) for b in plan.batches] == [
        ("front.mttq@79.26743", [1, 2]), ("front.mttq@79.26743", [3, 4]), ("front.mttq@79.26743", [5]), ("gov.ubnd@79", [6]),
    ]  # fmt: skip
    single = plan_import(lines, agency_header="gov.ubnd@79", batch_size=10)
    assert [(b.agency, len(b.items)) for b in single.batches] == [("gov.ubnd@79", 6)]


def test_invalid_json_and_unsendable_lines_are_rejected_locally_with_their_line_numbers():
    lines = jsonl(
        LINE, "{not json", "", {**LINE, "submitted_at": "soon"}, {k: v for k, v in LINE.items() if k != "origin_agency"}
    )
    plan = plan_import(lines, agency_header=None, batch_size=100)
    assert plan.to_send == 1
    assert [(p.line_no, p.errors[0].split(":")[0]) for p in plan.local_rejects] == [
        (2, "not valid JSON (Expecting property name enclosed in double quotes at column 2)"), (4, "submitted_at"), (5, "origin_agency"),
    ]  # fmt: skip


def test_outcomes_map_back_to_line_numbers_and_a_missing_outcome_counts_as_not_submitted():
    lines = jsonl(*({**LINE, "request_id": f"a{i}"} for i in range(4)))
    plan = plan_import(lines, agency_header=None, batch_size=10)
    summary = ImportSummary(lines=4)
    summary.add_outcomes(
        plan.batches[0], [(0, "accepted", []), (1, "replayed", []), (2, "rejected", ["ward_code: unknown ward"])]
    )
    assert (summary.accepted, summary.replayed) == (1, 1)
    assert [(p.line_no, p.request_id, p.errors) for p in summary.rejected] == [(3, "a2", ("ward_code: unknown ward",))]
    assert [p.line_no for p in summary.failed] == [4]
    text = render_summary(summary, source="reports.jsonl")
    assert "1 accepted, 1 duplicate (accepted before), 1 rejected, 1 not submitted" in text[0]
    assert "  reports.jsonl:3: (a2) ward_code: unknown ward" in text
    assert summary.as_dict()["rejected_lines"] == [
        {"line": 3, "request_id": "a2", "errors": ["ward_code: unknown ward"]}
    ]


def test_progress_shows_done_total_percentage_rate_and_time_left():
    assert format_progress(2500, 10_000, 2.0) == f"[{'#' * 7}{'.' * 23}] 2,500/10,000  25% 1,250 lines/s ~6s left"
    assert format_progress(10, 10, 1.0).endswith("100% 10 lines/s")


def test_progress_off_a_terminal_prints_plain_lines_not_redraws():
    out = io.StringIO()
    now = [0.0]
    progress = Progress(100, stream=out, plain_every_s=2.0, clock=lambda: now[0])
    for at, n in ((2.5, 30), (3.0, 30), (4.0, 30), (5.0, 10)):  # drawn at 2.5 (first), 5.0 (done)
        now[0] = at
        progress.advance(n)
    progress.finish()  # already drawn at 100%: nothing more
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and len(lines) == 2
    assert lines[-1].startswith(f"[{'#' * 30}] 100/100")
