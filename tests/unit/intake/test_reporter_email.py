"""An e-mail address is a contact like a phone (Open311 apps send one), protected the same way."""

from __future__ import annotations

from gbus.intake.reporter import reporter_violations
from gbus.security.identity_seal import ReporterIdentity


def test_an_email_alone_identifies_a_reporter():
    assert reporter_violations(ReporterIdentity(email="lan@example.vn"), False, "phan_anh") == []


def test_a_malformed_email_is_named():
    [violation] = reporter_violations(ReporterIdentity(name="Lan", email="lan at example"), False, "phan_anh")
    assert violation.field == "reporter.email"


def test_an_anonymous_report_carries_no_email():
    [violation] = reporter_violations(ReporterIdentity(email="lan@example.vn"), True, "phan_anh")
    assert violation.field == "reporter"
