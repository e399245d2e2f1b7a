"""Denials are counted per RPC; hidden cases answer NOT_FOUND; agencies submit only as themselves."""

from __future__ import annotations

import pytest

from gbus.api.authz import conceal, deny, require_self_submission
from gbus.errors import NotFoundError, PermissionDeniedError, ValidationError
from gbus.observability.metrics import Metrics


def _denials(metrics: Metrics, method: str) -> float:
    return metrics.registry.get_sample_value("gbus_authz_denials_total", {"grpc_method": method}) or 0.0


def test_a_denial_is_counted_for_its_method_and_raised_as_permission_denied():
    metrics = Metrics()
    with pytest.raises(PermissionDeniedError, match="only the handler"):
        deny(metrics, "UpdateStatus", "only the handler or its superior may change the status")
    assert _denials(metrics, "UpdateStatus") == 1
    assert _denials(metrics, "GetCase") == 0


def test_a_case_the_caller_may_not_read_is_counted_but_answered_as_not_found():
    metrics = Metrics()
    with pytest.raises(NotFoundError) as info:
        conceal(metrics, "GetCase", "79-0001")
    assert str(info.value) == "case 79-0001 not found"  # the same words as for a case that does not exist
    assert not isinstance(info.value, PermissionDeniedError)
    assert _denials(metrics, "GetCase") == 1


def test_an_agency_may_submit_as_itself():
    metrics = Metrics()
    require_self_submission("gov.ubnd@79", "gov.ubnd@79", metrics=metrics)
    assert _denials(metrics, "SubmitReport") == 0


def test_submitting_as_another_agency_is_refused_and_counted():
    metrics = Metrics()
    with pytest.raises(PermissionDeniedError, match="gov.ubnd@79 may not submit as party.tu@79"):
        require_self_submission("gov.ubnd@79", "party.tu@79", metrics=metrics)
    assert _denials(metrics, "SubmitReport") == 1


def test_submitting_as_another_agency_is_refused_even_without_metrics():
    with pytest.raises(PermissionDeniedError):
        require_self_submission("gov.ubnd@79", "party.tu@79")


def test_a_missing_origin_is_a_field_error_not_a_denial():
    metrics = Metrics()
    with pytest.raises(ValidationError) as info:
        require_self_submission("gov.ubnd@79", "", metrics=metrics)
    assert [v.field for v in info.value.violations] == ["report.origin_agency"]
    assert _denials(metrics, "SubmitReport") == 0
