"""gbus.v1 messages <-> domain values."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from gbus.domain import events as ev
from gbus.domain.report_fields import report_from_mapping
from gbus.domain.status import CaseStatus
from gbus.errors import ValidationError
from gbus.routing import Router
from gbus.security.identity_seal import ReporterIdentity
from gbus.v1 import case_pb2, report_pb2
from gbus.wire.protobuf import (
    case_to_pb,
    event_to_pb,
    report_mapping,
    reporter_of,
    role_from_pb,
    status_from_pb,
    status_to_pb,
    timestamp,
)
from support.cases import HANDLER, opened, with_status

ROUTER = Router.default()
SUBMITTED = datetime(2026, 11, 2, 1, 30, tzinfo=timezone.utc)


def _report(**over) -> report_pb2.Report:
    pb = report_pb2.Report(
        kind="phan_anh", category="dat_dai", channel="mttq", province_code="79", ward_code="25747",
        title="Lấn chiếm đất", description="Tường rào lấn đường", submitted_at=timestamp(SUBMITTED),
        origin_agency="front.mttq@79.25747", request_id="r-1",
    )  # fmt: skip
    for k, v in over.items():
        setattr(pb, k, v)
    return pb


def test_a_complete_report_message_becomes_a_valid_mapping():
    mapping = report_mapping(_report())
    assert mapping["submitted_at"] == SUBMITTED
    assert report_from_mapping(mapping).ward_code == "25747"


def test_empty_strings_zero_attempt_and_an_unset_timestamp_mean_absent():
    pb = report_pb2.Report(kind="to_cao", subject_agency="")
    mapping = report_mapping(pb)
    assert mapping["subject_agency"] is None and mapping["title"] is None
    assert mapping["attempt"] is None and mapping["submitted_at"] is None


def test_an_absent_timestamp_is_reported_as_required_by_validation():
    mapping = report_mapping(_report())
    mapping["submitted_at"] = None
    with pytest.raises(ValidationError) as info:
        report_from_mapping(mapping)
    assert [v.field for v in info.value.violations] == ["submitted_at"]


def test_the_reporter_is_read_apart_and_an_all_blank_reporter_is_no_identity():
    pb = _report()
    assert reporter_of(pb) == (None, False)
    pb.reporter.CopyFrom(report_pb2.Reporter(name=" ", anonymous=True))
    assert reporter_of(pb) == (None, True)
    pb.reporter.CopyFrom(report_pb2.Reporter(name="Lan", phone="0901234567"))
    assert reporter_of(pb) == (ReporterIdentity(name="Lan", phone="0901234567"), False)


@pytest.mark.parametrize("status", list(CaseStatus))
def test_every_status_survives_the_trip_through_the_enum(status):
    assert status_from_pb(status_to_pb(status)) is status


def test_an_unspecified_or_unknown_status_is_invalid_input_naming_the_field():
    with pytest.raises(ValidationError, match="status: is required"):
        status_from_pb(case_pb2.CASE_STATUS_UNSPECIFIED)
    with pytest.raises(ValidationError, match="statuses"):
        status_from_pb(99, "statuses")


def test_roles_map_to_the_store_s_names_and_unspecified_means_any():
    assert role_from_pb(case_pb2.CASE_ROLE_WATCHER) == "watcher"
    assert role_from_pb(case_pb2.CASE_ROLE_UNSPECIFIED) is None


def test_a_case_shows_the_reporter_only_for_the_reports_given_identities():
    sealed = {"key_id": "k", "wrapped_key": b"w", "nonce": b"n", "ciphertext": b"c"}
    state, _ = opened(ROUTER, sealed=sealed)
    rid = state.reports[0].report_id
    hidden = case_to_pb(state)
    assert not hidden.reports[0].HasField("reporter")
    shown = case_to_pb(state, reporters={rid: ReporterIdentity(name="Lan")}, integrity_alert=True)
    assert shown.reports[0].reporter.name == "Lan" and shown.integrity_alert


def test_a_case_converts_with_status_handler_watchers_and_times():
    state, history = with_status(*opened(ROUTER), CaseStatus.ACCEPTED)
    pb = case_to_pb(state)
    assert pb.status == case_pb2.CASE_STATUS_ACCEPTED and pb.version == 2
    assert pb.handler == HANDLER and [w.agency_id for w in pb.watchers] == list(state.watcher_ids)
    assert pb.updated_at.ToDatetime(tzinfo=timezone.utc) == state.updated_at
    assert not pb.HasField("due_at")


def test_each_event_fills_its_own_detail_of_the_oneof():
    _, history = with_status(*opened(ROUTER), CaseStatus.ACCEPTED)
    pbs = [event_to_pb(e) for e in history]
    assert [p.WhichOneof("detail") for p in pbs] == ["opened", "routed", "status_changed"]
    assert pbs[2].status_changed.to_status == case_pb2.CASE_STATUS_ACCEPTED
    assert pbs[1].prev_hash == pbs[0].hash and pbs[1].routed.handler == HANDLER


def test_an_escalation_keeps_its_code_and_an_erasure_has_no_detail():
    _, history = opened(ROUTER)
    base = history[0]
    escalated = event_to_pb(replace(base, body=ev.CaseEscalated("hotspot", "5 reporters", ("party.bdv@79",))))
    assert escalated.escalated.reason.startswith("hotspot:") and list(escalated.escalated.added_watchers) == [
        "party.bdv@79"
    ]
    erased = event_to_pb(replace(base, body=ev.IdentityErased(("R1",))))
    assert erased.WhichOneof("detail") is None and erased.event_id == base.event_id


@pytest.mark.parametrize("seconds, nanos", [(2**62, 0), (-(2**62), 0), (253402300800, 0), (0, 2_000_000_000), (0, -1)])
def test_a_timestamp_outside_what_a_timestamp_can_mean_is_invalid_input_naming_the_field(seconds, nanos):
    from gbus.wire.protobuf import datetime_of

    request = case_pb2.ListCasesRequest()
    request.updated_after.seconds, request.updated_after.nanos = seconds, nanos
    with pytest.raises(ValidationError) as info:
        datetime_of(request, "updated_after")
    assert info.value.violations[0].field == "updated_after"
