"""IntakeService on a real node and broker: durable, validated, idempotent."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from gbus.api.error_mapping import field_violations
from gbus.domain.case import make_report_id
from gbus.v1 import intake_pb2, report_pb2
from support.node_harness import CODEC, ORIGIN, WARD, as_agency
from support.node_harness import sample_report as report

pytestmark = pytest.mark.integration


def submit(node, pb, agency=ORIGIN):
    return node.intake.SubmitReport(intake_pb2.SubmitReportRequest(report=pb), metadata=as_agency(agency), timeout=15)


def test_a_report_is_in_the_reports_topic_when_the_answer_arrives(bus, start_node):
    node = start_node()
    answer = submit(node, report())
    assert answer.report_id == make_report_id("79", ORIGIN, "r-1") and not answer.replayed
    records = bus.read_all(bus.topics.reports, expect=1, idle_s=0.2)
    assert len(records) == 1
    rec = records[0]
    assert rec.key == b"79" and rec.partition == bus.topics.partition_of_shard("79")
    value = CODEC.decode(rec.value, expected="gbus.avro.Report")
    assert value["report_id"] == answer.report_id and value["accepted_by"] == "79"
    assert value["reporter_key"] and value["reporter_sealed"]["key_id"] == "custodian:dev-1"
    for secret in ("Nguyễn Thị Lan", "0901234567", "079123456789", "12 Lê Lợi"):
        assert secret.encode() not in rec.value


def test_an_anonymous_denunciation_carries_neither_identity_nor_reporter_key(bus, start_node):
    node = start_node()
    pb = report(kind="to_cao", subject_agency=f"gov.ubnd@79.{WARD}", reporter=report_pb2.Reporter(anonymous=True))
    submit(node, pb)
    value = CODEC.decode(bus.read_all(bus.topics.reports, expect=1, idle_s=0.2)[0].value)
    assert value["anonymous"] and value["reporter_sealed"] is None and value["reporter_key"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": ""}, "kind"),
        ({"category": "xe_om"}, "category"),
        ({"province_code": "7x"}, "province_code"),
        ({"ward_code": "99999"}, "ward_code"),  # not a ward: the router says so
        ({"description": "x" * 20_001}, "description"),
        ({"title": ""}, "title"),
        ({"request_id": "has spaces"}, "request_id"),
        ({"subject_agency": "the mayor"}, "subject_agency"),
        ({"attempt": 12}, "attempt"),
        ({"reporter": report_pb2.Reporter(name="A", phone="call me")}, "reporter.phone"),
        ({"reporter": report_pb2.Reporter()}, "reporter"),
    ],
)
def test_each_kind_of_bad_input_is_invalid_argument_naming_the_field(bus, start_node, change, field):
    node = start_node()
    with pytest.raises(grpc.RpcError) as info:
        submit(node, report(**change))
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field in [f for f, _ in field_violations(info.value)]


def test_a_report_without_submitted_at_is_invalid(bus, start_node):
    node = start_node()
    pb = report()
    pb.ClearField("submitted_at")
    with pytest.raises(grpc.RpcError) as info:
        submit(node, pb)
    assert [f for f, _ in field_violations(info.value)] == ["submitted_at"]


def test_an_oversized_description_is_refused_while_others_go_through(bus, start_node):
    node = start_node()
    with ThreadPoolExecutor(4) as pool:
        big = pool.submit(submit, node, report("big", description="ô" * 1_000_000))
        good = [pool.submit(submit, node, report(f"ok-{i}")) for i in range(3)]
        assert all(f.result().report_id for f in good)
        with pytest.raises(grpc.RpcError) as info:
            big.result()
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert len(bus.read_all(bus.topics.reports, expect=3, idle_s=0.3)) == 3


def test_a_retried_submit_returns_the_same_report_id_marked_replayed(bus, start_node):
    node = start_node()
    first, again = submit(node, report()), submit(node, report())
    assert again.report_id == first.report_id and again.replayed and not first.replayed
    assert again.accepted_at == first.accepted_at
    assert len(bus.read_all(bus.topics.reports, idle_s=0.3)) == 1


def test_a_request_id_reused_for_a_different_report_is_already_exists(bus, start_node):
    node = start_node()
    submit(node, report())
    with pytest.raises(grpc.RpcError) as info:
        submit(node, report(title="Một chuyện khác"))
    assert info.value.code() is grpc.StatusCode.ALREADY_EXISTS


def test_a_member_system_cannot_submit_as_another_agency(bus, start_node):
    node = start_node()
    with pytest.raises(grpc.RpcError) as info:
        submit(node, report(), agency="front.mttq@01")
    assert info.value.code() is grpc.StatusCode.PERMISSION_DENIED


def test_not_even_a_superior_may_submit_as_its_subordinate_and_origin_defaults_to_the_caller(bus, start_node):
    node = start_node()
    with pytest.raises(grpc.RpcError) as info:
        submit(node, report("by-superior"), agency="front.mttq@79")
    assert info.value.code() is grpc.StatusCode.PERMISSION_DENIED
    own = submit(node, report("own", origin_agency=""), agency=ORIGIN)
    assert own.report_id == make_report_id("79", ORIGIN, "own")


def test_a_thousand_concurrent_submits_with_ten_percent_retries_give_a_thousand_reports(bus, start_node, capsys):
    node = start_node(max_workers=32)
    work = [report(f"load-{i}") for i in range(1000)] + [report(f"load-{i}") for i in range(0, 1000, 10)]
    latencies: list[float] = []

    def one(pb):
        t0 = time.perf_counter()
        answer = submit(node, pb)
        latencies.append(time.perf_counter() - t0)
        return answer

    t0 = time.perf_counter()
    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(one, work))
    elapsed = time.perf_counter() - t0
    assert len({a.report_id for a in answers}) == 1000
    assert sum(a.replayed for a in answers) == 100
    records = bus.read_all(bus.topics.reports, expect=1000, idle_s=1.0)
    assert len({CODEC.decode(r.value)["report_id"] for r in records}) == 1000
    assert len(records) == 1000  # retries were answered from the accepted log, not written again
    q = statistics.quantiles(latencies, n=100)
    with capsys.disabled():
        print(f"\n[intake] {len(work)} submits in {elapsed:.2f} s = {len(work) / elapsed:.0f}/s; "
              f"latency p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms (32 concurrent clients)")  # fmt: skip


def test_a_stream_lists_bad_reports_by_index_and_accepts_the_rest(bus, start_node):
    node = start_node()
    submit(node, report("before"))
    pbs = [
        report("s-0"),
        report("s-1", category="nope"),
        report("before"),  # accepted before the stream: replayed
        report("s-3", description="x" * 20_001, ward_code="99999"),
        report("s-0"),  # the same report twice in one stream: replayed
        report("s-5"),
    ]
    answer = node.intake.SubmitReports(
        (intake_pb2.SubmitReportsRequest(report=pb) for pb in pbs), metadata=as_agency(ORIGIN), timeout=30
    )
    assert (answer.accepted, answer.replayed, answer.rejected) == (2, 2, 2)
    by_index = {o.index: o for o in answer.outcomes}
    assert by_index[1].status == intake_pb2.REPORT_OUTCOME_STATUS_REJECTED and by_index[1].errors[0].startswith(
        "category:"
    )
    assert by_index[3].request_id == "s-3" and any(e.startswith("description:") for e in by_index[3].errors)
    assert by_index[2].status == by_index[4].status == intake_pb2.REPORT_OUTCOME_STATUS_REPLAYED
    assert by_index[4].report_id == by_index[0].report_id
    ids = {CODEC.decode(r.value)["report_id"] for r in bus.read_all(bus.topics.reports, expect=4, idle_s=0.3)}
    assert ids == {make_report_id("79", ORIGIN, r) for r in ("before", "s-0", "s-5")}


def test_a_large_stream_is_pipelined_and_every_report_is_acknowledged(bus, start_node):
    node = start_node()
    t0 = time.perf_counter()
    answer = node.intake.SubmitReports(
        (intake_pb2.SubmitReportsRequest(report=report(f"bulk-{i}")) for i in range(2000)),
        metadata=as_agency(ORIGIN), timeout=60,
    )  # fmt: skip
    elapsed = time.perf_counter() - t0
    assert answer.accepted == 2000
    # Everything answered as accepted is already in the topic: nothing is left in a buffer.
    assert len(bus.read_all(bus.topics.reports, idle_s=0.3)) == 2000
    print(f"[intake] stream of 2000 in {elapsed:.2f} s = {2000 / elapsed:.0f}/s")


def _timed_submit(node, pb):
    started = time.monotonic()
    answer = submit(node, pb)
    return time.monotonic() - started, answer


def test_only_placement_waiters_submits_wait_for_a_placement_and_the_others_answer_unplaced(bus, start_node):
    # No processor runs, so a submit that waits for its placement waits all of placement_wait_s.
    node = start_node(placement_wait_s=4.0, placement_waiters=1)
    with ThreadPoolExecutor(3) as pool:
        timed = list(pool.map(lambda i: _timed_submit(node, report(request_id=f"w-{i}")), range(3)))
    assert all(not answer.placement.placed for _, answer in timed)
    durations = sorted(seconds for seconds, _ in timed)
    assert durations[-1] >= 4.0 and durations[1] < durations[-1]
    registry = node.app.metrics.registry
    assert registry.get_sample_value("gbus_intake_placement_not_awaited_total") == 2
    assert len(bus.read_all(bus.topics.reports, expect=3, idle_s=0.2)) == 3


def test_a_submit_whose_deadline_passed_while_it_queued_is_not_accepted(bus, start_node):
    # After a stall, calls whose callers gave up must not occupy the workers or be written:
    # gRPC drops a call cancelled by its deadline before our handler runs, and the bus
    # relies on it. One worker thread, held by a submit waiting for a placement that never comes.
    node = start_node(placement_wait_s=3.0, max_workers=1)
    with ThreadPoolExecutor(1) as pool:
        holding = pool.submit(submit, node, report(request_id="holds-the-worker"))
        time.sleep(0.5)
        with pytest.raises(grpc.RpcError) as info:
            node.intake.SubmitReport(intake_pb2.SubmitReportRequest(report=report(request_id="queued")),
                                     metadata=as_agency(ORIGIN), timeout=1.0)  # fmt: skip
        assert info.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
        holding.result()
    time.sleep(0.5)  # the worker is free again: a queued call would have run by now
    reports = bus.read_all(bus.topics.reports, expect=1, idle_s=1.0)
    assert [CODEC.decode(r.value)["request_id"] for r in reports] == ["holds-the-worker"]
