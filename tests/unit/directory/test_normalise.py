"""Data quirks are normalised on the way in, not copied through."""

from __future__ import annotations

import pytest

from gbus.directory import normalise
from gbus.directory.divisions import divisions_from_records


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Xã  Xuân Giang", "Xã Xuân Giang"),
        ("  Phường Bến Thành \t", "Phường Bến Thành"),
        ("Phu\u031bo\u031b\u0300ng Bê\u0301n Tha\u0300nh", "Phường Bến Thành"),  # combining marks -> NFC
    ],
)
def test_clean_name_collapses_spaces_and_composes_diacritics(raw, clean):
    assert normalise.clean_name(raw) == clean


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("gov.ubnd@79.26743", "gov.ubnd@79.26743"),
        (" GOV.UBND@79.26743 ", "gov.ubnd@79.26743"),
        ("gov.ubnd@1.70", "gov.ubnd@01.00070"),
        ("front.mttq@vn", "front.mttq@VN"),
        ("gov.so-nnmt@1", "gov.so-nnmt@01"),
    ],
)
def test_loosely_typed_agency_ids_become_canonical(raw, canonical):
    assert normalise.agency_id(raw) == canonical


@pytest.mark.parametrize("raw", ["ubnd@79", "army.x@79", "gov.ubnd@123", "gov.ubnd@79.123456", "gov.ubnd"])
def test_malformed_agency_ids_are_refused_with_a_reason(raw):
    with pytest.raises(ValueError, match="agency id|sector|code"):
        normalise.agency_id(raw)


def test_division_records_are_normalised_and_grouped_by_province():
    divisions = divisions_from_records(
        [
            {"code": 4, "name": "Cao  Bằng", "division_type": "tỉnh", "wards": [
                {"code": 1273, "name": "Phường  Thục Phán", "division_type": "phường"},
            ]},
            {"code": 1, "name": "Thành phố Hà Nội", "division_type": "thành phố trung ương", "wards": [
                {"code": 70, "name": "Phường Hoàn Kiếm", "division_type": "phường"},
                {"code": 4, "name": "Phường Ba Đình", "division_type": "phường"},
            ]},
        ]
    )  # fmt: skip
    assert list(divisions.provinces) == ["01", "04"]
    assert divisions.provinces["04"].name == "Tỉnh Cao Bằng"
    assert divisions.provinces["04"].short_name == "Cao Bằng"
    assert divisions.provinces["01"].short_name == "Hà Nội"
    assert [w.code for w in divisions.wards_by_province["01"]] == ["00004", "00070"]
    assert divisions.wards["01273"].name == "Phường Thục Phán"


def test_a_ward_listed_twice_upstream_is_refused():
    record = {"code": 1, "name": "Thành phố Hà Nội", "division_type": "thành phố trung ương",
              "wards": [{"code": 70, "name": "A"}, {"code": 70, "name": "B"}]}  # fmt: skip
    with pytest.raises(ValueError, match="ward 00070 appears twice"):
        divisions_from_records([record])
