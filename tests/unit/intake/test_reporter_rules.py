"""What intake accepts as the reporter of a report."""

from __future__ import annotations

from gbus.intake.reporter import default_reporter_key_fn, key_of, reporter_violations
from gbus.security.identity_seal import ReporterIdentity


def _fields(violations):
    return [v.field for v in violations]


def test_a_named_reporter_with_a_valid_phone_is_accepted():
    assert reporter_violations(ReporterIdentity(name="Trần Văn B", phone="+84 90 123 4567"), False, "phan_anh") == []


def test_an_anonymous_denunciation_is_accepted_without_identity():
    assert reporter_violations(None, True, "to_cao") == []


def test_an_anonymous_report_that_still_names_someone_is_refused():
    assert _fields(reporter_violations(ReporterIdentity(phone="0901234567"), True, "to_cao")) == ["reporter"]


def test_a_complaint_cannot_be_anonymous():
    assert _fields(reporter_violations(None, True, "khieu_nai")) == ["reporter.anonymous"]


def test_a_report_that_is_neither_anonymous_nor_identified_is_refused():
    assert _fields(reporter_violations(None, False, "phan_anh")) == ["reporter"]
    assert _fields(reporter_violations(ReporterIdentity(address="12 Lê Lợi"), False, "phan_anh")) == ["reporter"]


def test_malformed_phone_and_national_id_are_named_separately():
    bad = ReporterIdentity(name="A", phone="call me maybe", national_id="07912345678901234567890")
    assert _fields(reporter_violations(bad, False, "phan_anh")) == ["reporter.phone", "reporter.national_id"]


def test_overlong_name_and_address_are_refused():
    bad = ReporterIdentity(name="x" * 201, address="y" * 501)
    assert _fields(reporter_violations(bad, False, "phan_anh")) == ["reporter.name", "reporter.address"]


def test_the_reporter_key_is_the_dedup_package_s_keyed_hash_of_the_normalised_phone():
    key_fn = default_reporter_key_fn()
    one = key_of(ReporterIdentity(name="A", phone="+84 90 123 4567"), "secret", key_fn)
    assert one == key_of(ReporterIdentity(name="B", phone="0901234567"), "secret", key_fn)
    assert one != key_of(ReporterIdentity(name="A", phone="0901234567"), "other secret", key_fn)
    assert "0901234567" not in one


def test_the_reporter_key_is_computed_only_from_phone_or_national_id():
    calls = []

    def fake_key(secret, *, phone, national_id):
        calls.append((secret, phone, national_id))
        return "h"

    assert key_of(ReporterIdentity(name="A", address="B"), "s", fake_key) is None
    assert key_of(None, "s", fake_key) is None
    assert key_of(ReporterIdentity(name="A", phone="0901234567"), "s", fake_key) == "h"
    assert calls == [(b"s", "0901234567", None)]
