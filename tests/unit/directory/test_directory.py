"""The default directory: what it contains, superiors, areas and stable listings."""

from __future__ import annotations

import pytest

from gbus.directory import Directory


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.default()


def test_it_has_every_template_role_for_the_centre_34_provinces_and_3321_communes(directory):
    assert len(directory.provinces()) == 34
    assert sum(len(directory.wards_of(p.code)) for p in directory.provinces()) == 3321
    # Central: 17 Government bodies, 3 heads of vertical lines, 3 National Assembly bodies,
    # the top court, procuracy and audit, 7 party bodies, the Front and 5 organisations.
    assert len(directory.agencies(level="central")) == 39
    # Province: 30 bodies everywhere, plus the departments only some provinces have:
    # culture-sports-tourism in 29 (split in two in the other 5), ethnic minorities and
    # religions in 20, foreign affairs in 2.
    assert len(directory.agencies(level="province")) == 34 * 30 + 29 + 5 * 2 + 20 + 2
    assert len(directory.agencies(level="commune")) == 3321 * 15
    assert len(directory) == 39 + 1081 + 3321 * 15


def test_an_agency_carries_its_vietnamese_name_sector_level_area_and_superior(directory):
    agency = directory.get("gov.ubnd@79.26743")
    assert agency is not None
    assert agency.name == "Ủy ban nhân dân Phường Bến Thành"
    assert (agency.sector, agency.role, agency.level, agency.area) == ("gov", "ubnd", "commune", "79.26743")
    assert agency.superior_id == "gov.ubnd@79"


def test_province_names_carry_their_unit_type(directory):
    assert directory.get("gov.ubnd@04").name == "Ủy ban nhân dân Tỉnh Cao Bằng"
    assert directory.get("gov.ubnd@01").name == "Ủy ban nhân dân Thành phố Hà Nội"
    assert directory.get("party.tu@04").name == "Tỉnh ủy Cao Bằng"
    assert directory.get("party.tu@01").name == "Thành ủy Hà Nội"
    assert directory.get("party.tu@79").name == "Thành ủy Thành phố Hồ Chí Minh"


def test_doubled_spaces_in_upstream_names_are_collapsed(directory):
    # Upstream spells ward 26536 "Phường  Rạch Dừa" (two spaces).
    assert directory.ward("26536").name == "Phường Rạch Dừa"
    assert directory.get("gov.ubnd@79.26536").name == "Ủy ban nhân dân Phường Rạch Dừa"
    assert not [a.id for a in directory.agencies() if "  " in a.name or a.name != a.name.strip()]


def test_ward_codes_without_leading_zeros_are_padded_to_five_digits(directory):
    # Upstream ward 70 (Phường Hoàn Kiếm) is an integer.
    assert directory.ward("00070").name == "Phường Hoàn Kiếm"
    assert directory.get("gov.ubnd@01.00070") is not None
    assert all(len(a.area) in (2, 8) for a in directory.agencies() if a.area != "VN")


@pytest.mark.parametrize(
    ("agency_id", "superior"),
    [
        ("gov.ubnd@79.26743", "gov.ubnd@79"),
        ("gov.so-nnmt@79", "gov.ubnd@79"),
        ("gov.thanhtra@79", "gov.ubnd@79"),
        ("gov.ubnd@79", "gov.vpcp@VN"),
        ("gov.bo-xd@VN", "gov.vpcp@VN"),
        ("gov.ttcp@VN", "gov.vpcp@VN"),
        ("gov.vpcp@VN", None),
        ("gov.ca@79.26743", "gov.ca@79"),
        ("gov.ca@79", "gov.bo-ca@VN"),
        ("front.mttq@79.26743", "front.mttq@79"),
        ("front.mttq@79", "front.mttq@VN"),
        ("front.mttq@VN", None),
        ("party.du@79.26743", "party.tu@79"),
        ("party.btgdv@79", "party.tu@79"),
        ("party.tu@79", "party.ubkt@VN"),
        ("party.ubkt@79", "party.ubkt@VN"),
        ("union.hnd@79.26743", "union.hnd@79"),
        ("union.hnd@79", "union.hnd@VN"),
        ("union.ldld@79", "union.tld@VN"),
    ],
)
def test_superiors_follow_each_sectors_own_line(directory, agency_id, superior):
    found = directory.superior_of(agency_id)
    assert (found.id if found else None) == superior


def test_every_superior_chain_ends_at_a_top_agency(directory):
    tops = {a.id for a in directory.agencies() if a.superior_id is None}
    # The Government, the National Assembly, the party's Central Committee and the Front
    # (whose member organisations have answered to it since 2025).
    assert tops == {"gov.vpcp@VN", "gov.qh@VN", "party.bchtw@VN", "front.mttq@VN"}
    for agency in directory.agencies():
        chain = directory.chain_of(agency.id)
        assert (chain[-1].id if chain else agency.id) in tops


def test_unknown_agency_has_no_record_and_no_superior(directory):
    assert directory.get("gov.so-khong-co@79") is None
    assert directory.superior_of("gov.so-khong-co@79") is None
    assert "gov.so-khong-co@79" not in directory


def test_wards_belong_only_to_their_own_province(directory):
    assert directory.ward_belongs_to("79", "26743")
    assert not directory.ward_belongs_to("01", "26743")
    assert not directory.ward_belongs_to("79", "26734")  # no such ward


@pytest.mark.parametrize(
    ("area", "known"),
    [("VN", True), ("79", True), ("79.26743", True), ("03", False), ("01.26743", False), ("79.99999", False)],
)
def test_has_area_knows_the_centre_provinces_and_wards_in_their_province(directory, area, known):
    assert directory.has_area(area) is known


def test_area_names_are_the_normalised_division_names(directory):
    assert directory.area_name("VN") == "Việt Nam"
    assert directory.area_name("79") == "Thành phố Hồ Chí Minh"
    assert directory.area_name("79.26743") == "Phường Bến Thành"
    assert directory.area_name("01.26743") is None


def test_listing_puts_the_centre_first_then_each_province_followed_by_its_communes(directory):
    areas = [a.area for a in directory.agencies()]
    assert areas[0] == "VN" and areas[39] == "01"
    provinces_in_order = list(dict.fromkeys(area[:2] for area in areas if area != "VN"))
    assert provinces_in_order == sorted(provinces_in_order)


def test_an_exact_area_lists_only_its_own_bodies(directory):
    assert {a.area for a in directory.agencies(area="79")} == {"79"}
    assert len(directory.agencies(area="79.26743")) == 15


def test_a_province_with_subareas_lists_its_communes_too(directory):
    found = directory.agencies(area="79", include_subareas=True)
    assert len(found) == len(directory.agencies(area="79")) + 15 * len(directory.wards_of("79"))
    assert {a.area[:2] for a in found} == {"79"}


def test_sector_and_level_filters_combine(directory):
    found = directory.agencies(area="79", include_subareas=True, sector="front", level="commune")
    assert len(found) == len(directory.wards_of("79"))
    assert all(a.sector == "front" and a.level == "commune" for a in found)


def test_unknown_area_lists_nothing(directory):
    assert directory.agencies(area="03") == []


def test_paging_by_last_id_visits_every_agency_once_in_order(directory):
    seen, after = [], None
    while True:
        page = directory.agencies(area="01", include_subareas=True, sector="union", after=after, limit=97)
        if not page:
            break
        seen.extend(a.id for a in page)
        after = page[-1].id
    assert seen == [a.id for a in directory.agencies(area="01", include_subareas=True, sector="union")]
    assert len(seen) == len(set(seen))


def test_a_page_token_stays_valid_for_an_id_that_no_longer_exists(directory):
    # The key comes from the id itself, so a removed agency still marks a place.
    page = directory.agencies(area="79", after="gov.so-gt@79", limit=2)
    assert [a.id for a in page] == ["gov.so-khcn@79", "gov.so-ng@79"]


def test_the_default_directory_is_built_once_per_process():
    assert Directory.default() is Directory.default()
