"""Same (origin, request id) again: a retry, or other content (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from gbus.cases.resubmission import content_differences
from support.factories import case_report


def test_the_same_report_again_has_no_differences():
    report = case_report()
    assert content_differences(report, replace(report)) == ()


def test_each_changed_field_is_named():
    report = case_report()
    changed = replace(
        report,
        report=replace(
            report.report, title="Khác", submitted_at=report.submitted_at + timedelta(minutes=1), reporter_key="k2"
        ),
    )
    assert content_differences(report, changed) == ("title", "submitted_at", "reporter_key")


def test_the_sealed_identity_is_not_compared_since_each_seal_is_under_a_fresh_key():
    report = case_report()
    assert content_differences(report, replace(report, reporter_sealed={"ciphertext": b"other"})) == ()
