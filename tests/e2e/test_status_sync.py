"""Status sync everywhere: every involved node sees every change, in order, within 2 s,
and a node that was down catches up, its watchers resuming exactly where they stopped."""

from __future__ import annotations

import threading
import time

import grpc
import pytest

from gbus.v1 import case_pb2
from support.flows import CENTRAL_UNION, HANDLER, PROVINCE_DEPT, WARD_FRONT, cases_of, flooded_street_case
from support.node_harness import as_agency, wait_until

pytestmark = pytest.mark.e2e
S = case_pb2


class _Watch:
    """A WatchCases stream read in the background: (case_id, status, version, received_at)."""

    def __init__(self, node, agency: str, cursor: str = "") -> None:
        self.seen: list[tuple[str, int, int, float]] = []
        self.cursor = cursor
        self._call = node.cases.WatchCases(case_pb2.WatchCasesRequest(cursor=cursor), metadata=as_agency(agency))
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for change in self._call:
                self.seen.append((change.case.case_id, change.case.status, change.case.version, time.monotonic()))
                self.cursor = change.cursor
        except grpc.RpcError:
            pass  # cancelled at the end of the test, or the node stopped

    def statuses(self, case_id: str) -> list[tuple[int, int]]:
        return [(status, version) for cid, status, version, _ in self.seen if cid == case_id]

    def close(self) -> None:
        self._call.cancel()
        self._thread.join(5)


def test_every_involved_node_shows_each_status_within_two_seconds_in_order(bus, start_node, processor):
    n79, central, n01 = start_node("79"), start_node("VN"), start_node("01")
    case = flooded_street_case(n79, central)
    assert case.handler == HANDLER
    assert {r.origin_agency for r in case.reports} == {WARD_FRONT, CENTRAL_UNION}
    assert {WARD_FRONT, CENTRAL_UNION, PROVINCE_DEPT} <= {w.agency_id for w in case.watchers}

    # Both origin systems and the rule's watcher see the case at their own nodes.
    for node, agency in ((central, CENTRAL_UNION), (n79, WARD_FRONT), (n79, PROVINCE_DEPT)):
        seen = wait_until(lambda: cases_of(node, agency), 10, f"the case for {agency}")
        assert [c.case_id for c in seen] == [case.case_id]
    # A node with no involved agency holds nothing of it.
    with pytest.raises(grpc.RpcError) as info:
        n01.cases.GetCase(case_pb2.GetCaseRequest(case_id=case.case_id), metadata=as_agency("gov.ubnd@01"), timeout=5)
    assert info.value.code() is grpc.StatusCode.NOT_FOUND

    watches = {
        "VN union (origin)": _Watch(central, CENTRAL_UNION),
        "79 front (origin)": _Watch(n79, WARD_FRONT),
        "79 department (watcher)": _Watch(n79, PROVINCE_DEPT),
    }
    try:
        wait_until(lambda: all(w.statuses(case.case_id) for w in watches.values()), 10, "the watches' replay")
        answered: list[tuple[int, int, float]] = []
        version = case.version
        for status in (S.CASE_STATUS_ACCEPTED, S.CASE_STATUS_IN_PROGRESS, S.CASE_STATUS_RESOLVED):
            reply = n79.cases.UpdateStatus(
                case_pb2.UpdateStatusRequest(case_id=case.case_id, status=status, expected_version=version, reason="e2e"),
                metadata=as_agency(HANDLER), timeout=20,
            )  # fmt: skip
            version = reply.case.version
            answered.append((status, version, time.monotonic()))

        expected = [(status, v) for status, v, _ in answered]
        for name, watch in watches.items():
            wait_until(lambda w=watch: w.statuses(case.case_id)[-3:] == expected, 5, f"all three changes at {name}")
            got = watch.statuses(case.case_id)
            assert [v for _, v in got] == sorted(v for _, v in got), f"{name} saw versions out of order"
            for status, v, at in answered:
                arrival = next(t for cid, s, ver, t in watch.seen if cid == case.case_id and ver == v)
                assert arrival - at < 2.0, f"{name} saw version {v} {arrival - at:.2f}s after the handler's answer"
                assert (status, v) in got
    finally:
        for watch in watches.values():
            watch.close()


def test_a_node_that_was_down_catches_up_and_a_resumed_watch_gets_exactly_the_missed_changes(
    bus, start_node, processor, tmp_path
):
    n79 = start_node("79")
    central = start_node("VN", data_dir=str(tmp_path / "central"))
    case = flooded_street_case(n79, central)

    watch = _Watch(central, CENTRAL_UNION)
    wait_until(lambda: watch.statuses(case.case_id), 10, "the case in the central watch")
    cursor, before = watch.cursor, len(watch.seen)
    watch.close()
    central.stop()  # the central node goes down

    version = case.version
    missed = []
    for status in (S.CASE_STATUS_ACCEPTED, S.CASE_STATUS_IN_PROGRESS):
        reply = n79.cases.UpdateStatus(
            case_pb2.UpdateStatusRequest(case_id=case.case_id, status=status, expected_version=version),
            metadata=as_agency(HANDLER), timeout=20,
        )  # fmt: skip
        version = reply.case.version
        missed.append((status, version))

    central = start_node("VN", data_dir=str(tmp_path / "central"))  # same store: resumes from its offsets
    caught_up = wait_until(
        lambda: (c := cases_of(central, CENTRAL_UNION)) and c[0].version == version and c[0], 15, "catch-up at VN"
    )
    assert caught_up.status == S.CASE_STATUS_IN_PROGRESS

    resumed = _Watch(central, CENTRAL_UNION, cursor=cursor)
    try:
        wait_until(lambda: len(resumed.statuses(case.case_id)) >= len(missed), 10, "the missed changes")
        time.sleep(0.5)  # nothing more may arrive: exactly the missed changes, not a replay of older ones
        assert resumed.statuses(case.case_id) == missed
        assert before >= 1
    finally:
        resumed.close()
