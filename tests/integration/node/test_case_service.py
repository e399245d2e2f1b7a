"""A node fed with hand-written case copies and command results on a real broker:
what the case processor writes, without the processor."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import grpc
import pytest

from gbus.domain.case import make_report_id
from gbus.domain.status import CaseStatus
from gbus.node.commands import command_id_of
from gbus.security.identity_seal import ReporterIdentity
from gbus.v1 import case_pb2
from support.cases import HANDLER, ORIGIN, UNRELATED, WATCHER, copy_bytes, opened, with_status
from support.identity import keyed, sealed
from support.node_harness import CODEC, as_agency, wait_until
from support.scripted_processor import ScriptedProcessor

pytestmark = pytest.mark.integration

PERSON = ReporterIdentity(name="Lê Văn C", phone="0912345678")


def deliver(bus, state, history, area="79", **kw):
    bus.produce(bus.topics.node(area), copy_bytes(CODEC, state, history, area=area, **kw), key=state.case_id.encode())


def get(node, case_id, agency=HANDLER, **kw):
    return node.cases.GetCase(case_pb2.GetCaseRequest(case_id=case_id, **kw), metadata=as_agency(agency), timeout=10)


def held_at(node, case_id, version=1, agency=HANDLER):
    def check():
        try:
            case = get(node, case_id, agency).case
        except grpc.RpcError:
            return None
        return case if case.version >= version else None

    return wait_until(check, what=f"case {case_id} v{version} at the node")


def metric(node, line_start: str) -> float:
    text = urllib.request.urlopen(node.app.metrics_url, timeout=5).read().decode()
    return next(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start))


def test_the_node_serves_the_newest_copy_ignores_a_stale_one_and_flags_a_broken_chain(bus, start_node, router):
    node = start_node("79")
    v1 = opened(router, "a")
    v2 = with_status(*v1, CaseStatus.ACCEPTED)
    forged_state, history = opened(router, "b")
    forged = (history[0], replace(history[1], actor="gov.ubnd@79"))
    for (state, events), new in ((v1, 2), (v2, 1), (v1, 2), ((forged_state, forged), 2)):
        deliver(bus, state, events, new_events=new)
    flagged = held_at(node, forged_state.case_id)
    case = get(node, v1[0].case_id, include_history=True)
    assert case.case.version == 2 and case.case.status == case_pb2.CASE_STATUS_ACCEPTED
    assert [e.seq for e in case.history] == [1, 2, 3] and not case.case.integrity_alert
    assert flagged.integrity_alert
    assert metric(node, 'gbus_integrity_alerts_total{node="79"}') == 1
    assert metric(node, 'gbus_node_cases{node="79"}') == 2
    assert metric(node, 'gbus_node_delivery_position{node="79"}') == 3
    assert metric(node, 'gbus_node_delivery_lag_records{node="79"}') == 0
    # One submit-to-delivered observation per report that arrived; none for the status change.
    assert metric(node, 'gbus_delivery_latency_seconds_count{node="79"}') == 2


def test_an_undecodable_copy_goes_to_the_dead_letter_topic_and_the_feed_moves_on(bus, start_node, router):
    node = start_node("79")
    bus.produce(bus.topics.node("79"), b"\xc3\x01garbage", key=b"79-x")
    state, history = opened(router)
    deliver(bus, state, history)
    held_at(node, state.case_id)
    letters = bus.read_all(bus.topics.dead_letters, expect=1, idle_s=0.3)
    letter = CODEC.decode(letters[0].value, expected="gbus.avro.DeadLetter")
    assert letter["source_topic"] == bus.topics.node("79") and letter["offset"] == 0 and letter["consumer"] == "node-79"


def test_a_case_copy_of_several_megabytes_is_applied(bus, start_node, router):
    node = start_node("79")
    state, history = opened(router)
    first = state.reports[0]
    big = replace(state, reports=(replace(first, report=replace(first.report, description="ô" * 1_500_000)),))  # ~3 MB
    deliver(bus, big, history)
    assert len(held_at(node, state.case_id).reports[0].description) == 1_500_000


def test_get_case_is_not_found_for_an_agency_with_no_business_in_it(bus, start_node, router):
    node = start_node("79")
    state, history = opened(router)
    deliver(bus, state, history)
    held_at(node, state.case_id)
    with pytest.raises(grpc.RpcError) as info:
        get(node, state.case_id, agency=UNRELATED)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND


def test_the_reporter_is_shown_to_the_handler_and_origin_but_not_to_a_watcher(bus, start_node, router):
    node = start_node("79")
    state, history = opened(router, sealed=sealed(PERSON, make_report_id("79", ORIGIN, "r-1")))
    state = keyed(state)
    deliver(bus, state, history)
    assert held_at(node, state.case_id).reports[0].reporter.name == PERSON.name
    assert get(node, state.case_id, ORIGIN).case.reports[0].reporter.phone == PERSON.phone
    assert not get(node, state.case_id, WATCHER).case.reports[0].HasField("reporter")


def test_list_cases_pages_by_role_and_status(bus, start_node, router):
    node = start_node("79")
    for i in range(5):
        deliver(bus, *opened(router, f"r-{i}"))
    deliver(bus, *with_status(*opened(router, "r-0"), CaseStatus.ACCEPTED))
    wait_until(
        lambda: (
            len(node.cases.ListCases(case_pb2.ListCasesRequest(page_size=10), metadata=as_agency(HANDLER)).cases) == 5
        )
    )
    seen, token = [], ""
    while True:
        page = node.cases.ListCases(
            case_pb2.ListCasesRequest(role=case_pb2.CASE_ROLE_HANDLER, page_size=2, page_token=token),
            metadata=as_agency(HANDLER),
        )
        seen.extend(c.case_id for c in page.cases)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 5 == len(set(seen))
    wait_until(lambda: len(node.cases.ListCases(case_pb2.ListCasesRequest(statuses=[case_pb2.CASE_STATUS_ACCEPTED]),
                                                metadata=as_agency(WATCHER)).cases) == 1)  # fmt: skip
    as_handler = node.cases.ListCases(
        case_pb2.ListCasesRequest(role=case_pb2.CASE_ROLE_HANDLER), metadata=as_agency(WATCHER)
    )
    assert list(as_handler.cases) == []


def test_a_watch_resumed_from_its_cursor_after_a_node_restart_gets_exactly_the_missed_changes(
    bus, start_node, router, tmp_path
):
    data_dir = str(tmp_path / "restart")
    node = start_node("79", data_dir=data_dir)
    v1 = opened(router)
    v2 = with_status(*v1, CaseStatus.ACCEPTED)
    v3 = with_status(*v2, CaseStatus.IN_PROGRESS)
    v4 = with_status(*v3, CaseStatus.RESOLVED)
    deliver(bus, *v1)
    stream = node.cases.WatchCases(case_pb2.WatchCasesRequest(), metadata=as_agency(WATCHER), timeout=30)
    first = next(stream)
    stream.cancel()
    assert first.case.version == 1 and [e.seq for e in first.events] == [1, 2]

    node.stop()  # the node is down while the case changes
    deliver(bus, *v2)
    deliver(bus, *opened(router, "other", origin="front.mttq@01", province_code="01", ward_code="00004"), area="79")
    deliver(bus, *v3)
    node = start_node("79", data_dir=data_dir)

    resumed = node.cases.WatchCases(
        case_pb2.WatchCasesRequest(cursor=first.cursor), metadata=as_agency(WATCHER), timeout=30
    )
    got = [next(resumed), next(resumed)]
    deliver(bus, *v4)  # a live change after the replay: the next message, nothing repeated in between
    got.append(next(resumed))
    resumed.cancel()
    assert [m.case.version for m in got] == [2, 3, 4]
    assert [[e.seq for e in m.events] for m in got] == [[3], [4], [5]]
    assert got[0].case.status == case_pb2.CASE_STATUS_ACCEPTED and got[2].case.status == case_pb2.CASE_STATUS_RESOLVED


def test_a_watch_with_a_foreign_cursor_is_invalid_argument(bus, start_node):
    node = start_node("79")
    stream = node.cases.WatchCases(
        case_pb2.WatchCasesRequest(cursor="deadbeef.3"), metadata=as_agency(WATCHER), timeout=10
    )
    with pytest.raises(grpc.RpcError) as info:
        next(stream)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def _update(node, case_id, request_id="u-1", agency=HANDLER, **kw):
    request = case_pb2.UpdateStatusRequest(
        case_id=case_id, status=case_pb2.CASE_STATUS_ACCEPTED, request_id=request_id, **kw
    )
    return node.cases.UpdateStatus(request, metadata=as_agency(agency), timeout=20)


def test_a_command_is_answered_with_the_case_as_the_processor_left_it(bus, start_node, router):
    node = start_node("79")
    v1 = opened(router)
    deliver(bus, *v1)
    held_at(node, v1[0].case_id)
    fake = ScriptedProcessor(bus)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_update, node, v1[0].case_id, expected_version=1)
        command = fake.next_command()
        assert command["command_id"] == command_id_of(HANDLER, "u-1") and command["actor"] == HANDLER
        assert command["reply_to"] == "79" and command["shard"] == "79" and command["key"] == b"79"
        assert command["partition"] == bus.topics.partition_of_shard("79") and command["expected_version"] == 1
        assert command["body"] == ("gbus.avro.UpdateStatus", {"status": "ACCEPTED", "reason": ""})
        deliver(bus, *with_status(*v1, CaseStatus.ACCEPTED), new_events=1)
        fake.answer(command, case_version=2)
        answer = pending.result(timeout=20)
    assert answer.case.version == 2 and answer.case.status == case_pb2.CASE_STATUS_ACCEPTED
    assert answer.case.handler == HANDLER and answer.case.reports  # the full case, from the local store


def test_a_refusal_by_the_processor_arrives_as_its_grpc_status(bus, start_node, router):
    node = start_node("79")
    fake = ScriptedProcessor(bus)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_update, node, "79-abcdefabcdefab", expected_version=7)
        fake.answer(fake.next_command(), code="ABORTED", message="case 79-abcdefabcdefab is at version 2, not 7")
        with pytest.raises(grpc.RpcError) as info:
            pending.result(timeout=20)
    assert info.value.code() is grpc.StatusCode.ABORTED and "version 2" in info.value.details()


def test_no_answer_in_time_is_deadline_exceeded_and_a_retry_is_the_same_command(bus, start_node):
    node = start_node("79", command_timeout_s=1.0)
    with pytest.raises(grpc.RpcError) as info:
        _update(node, "79-abcdefabcdefab", request_id="slow-1")
    assert info.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert "safe to retry" in info.value.details() and "slow-1" in info.value.details()
    fake = ScriptedProcessor(bus)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_update, node, "79-abcdefabcdefab", "slow-1")
        retry = fake.next_command(expect=2)
        first = fake.next_command(expect=1)
        assert retry["command_id"] == first["command_id"]
        fake.answer(retry, case_version=2)
        assert pending.result(timeout=20).case.version == 2  # not held here: id and version only


def test_commands_validate_their_input_before_anything_is_sent(bus, start_node):
    node = start_node("79")
    with pytest.raises(grpc.RpcError) as info:
        node.cases.UpdateStatus(case_pb2.UpdateStatusRequest(case_id="79-x"), metadata=as_agency(HANDLER), timeout=5)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as info:
        node.cases.AddNote(case_pb2.AddNoteRequest(case_id="ZZ-x", text="t"), metadata=as_agency(HANDLER), timeout=5)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    assert bus.read_all(bus.topics.commands, idle_s=0.2) == []
