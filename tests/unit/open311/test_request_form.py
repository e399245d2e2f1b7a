"""A GeoReport POST form -> a bus report: service, kind, location, contact, title (pure)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from gbus.directory.directory import Directory
from gbus.open311.errors import Open311Error
from gbus.open311.keys import ApiKeys
from gbus.open311.locations import Gazetteer
from gbus.open311.request_form import new_request, title_of

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(Directory.default())


def _file(gazetteer, **form):
    base = {"service_code": "ha_tang_giao_thong", "description": "Hẻm 42 ngập sau mưa", "jurisdiction_id": "79"}
    return new_request(
        {**base, **form}, origin_agency="gov.ubnd@79", channel="app_cong_dan", gazetteer=gazetteer, now=NOW
    )


def _status(exc: pytest.ExceptionInfo) -> tuple[int, str]:
    return exc.value.status, exc.value.descriptions[0]


def test_a_ward_code_places_the_report_and_coordinates_are_kept_beside_it(gazetteer):
    filed = _file(gazetteer, address_id="26743", lat="10.7725", long="106.698")
    assert (filed.report["province_code"], filed.report["ward_code"]) == ("79", "26743")
    assert (filed.location.lat, filed.location.long) == (10.7725, 106.698)
    assert filed.report["kind"] == "phan_anh" and filed.report["category"] == "ha_tang_giao_thong"
    assert filed.report["channel"] == "app_cong_dan" and filed.report["request_id"].startswith("o311-")


def test_an_address_naming_a_ward_is_resolved_with_or_without_diacritics(gazetteer):
    assert _file(gazetteer, address_string="12 Lê Thánh Tôn, Phường Bến Thành").report["ward_code"] == "26743"
    assert _file(gazetteer, address_string="12 le thanh ton, ben thanh").report["ward_code"] == "26743"


def test_an_address_naming_no_ward_stays_at_the_province_of_the_jurisdiction(gazetteer):
    filed = _file(gazetteer, address_string="Chợ cũ gần cầu")
    assert (filed.report["province_code"], filed.report["ward_code"]) == ("79", "")


def test_a_ward_outside_the_jurisdiction_and_an_unknown_jurisdiction_are_refused(gazetteer):
    with pytest.raises(Open311Error) as outside:
        _file(gazetteer, address_id="00070")  # Hoàn Kiếm, Hà Nội
    assert _status(outside)[0] == 400 and "jurisdiction_id 79" in _status(outside)[1]
    with pytest.raises(Open311Error) as unknown:
        _file(gazetteer, jurisdiction_id="99", address_id="26743")
    assert _status(unknown)[0] == 404


def test_coordinates_alone_are_not_a_location(gazetteer):
    with pytest.raises(Open311Error) as exc:
        _file(gazetteer, lat="10.77", long="106.7")
    assert "address_id or address_string" in _status(exc)[1]


def test_contact_fields_become_the_reporter_family_name_first_and_none_is_anonymous(gazetteer):
    filed = _file(
        gazetteer,
        address_id="26743",
        first_name="Thị Lan",
        last_name="Nguyễn",
        phone="0901234567",
        email="lan@example.vn",
    )
    assert filed.reporter == {"name": "Nguyễn Thị Lan", "phone": "0901234567", "email": "lan@example.vn"}
    assert _file(gazetteer, address_id="26743", first_name="Lan").reporter == {"name": "Lan"}
    assert _file(gazetteer, address_id="26743").reporter == {}


def test_the_contact_reaches_the_wire_reporter_field_by_field_and_no_contact_files_anonymously(gazetteer):
    from gbus.open311.gateway import _report_pb

    named = _report_pb(_file(gazetteer, address_id="26743", first_name="Lan", last_name="Nguyễn", phone="0901234567"))
    assert (named.reporter.name, named.reporter.phone, named.reporter.email) == ("Nguyễn Lan", "0901234567", "")
    assert not named.reporter.anonymous
    assert _report_pb(_file(gazetteer, address_id="26743")).reporter.anonymous


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"service_code": "khong_co"}, "service_code"),
        ({"service_code": ""}, "service_code"),
        ({"attribute[kind]": "khieu_nai"}, "attribute[kind]"),
        ({"description": "  "}, "description"),
        ({"media_url": "file:///etc/passwd"}, "media_url"),
        ({"lat": "north", "long": "1"}, "lat"),
    ],
)
def test_each_bad_field_is_a_400_naming_it(gazetteer, form, field):
    with pytest.raises(Open311Error) as exc:
        _file(gazetteer, address_id="26743", **form)
    assert exc.value.status == 400 and field in exc.value.descriptions[0]


def test_the_kind_attribute_chooses_the_kind(gazetteer):
    assert _file(gazetteer, address_id="26743", **{"attribute[kind]": "to_cao"}).report["kind"] == "to_cao"


def test_a_long_first_line_is_cut_at_a_word_for_the_title():
    title = title_of("Đường " + "rất " * 60 + "dài\nchi tiết")
    assert len(title) <= 121 and title.endswith("…") and not title.endswith(" …")


def test_api_keys_answer_401_without_a_key_and_403_for_a_foreign_one():
    keys = ApiKeys.parse(["k1=gov.ubnd@79"])
    assert keys.agency_of("k1") == "gov.ubnd@79"
    for key, status in ((None, 401), ("", 401), ("k2", 403)):
        with pytest.raises(Open311Error) as exc:
            keys.agency_of(key)
        assert exc.value.status == status
