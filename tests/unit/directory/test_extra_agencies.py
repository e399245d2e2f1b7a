"""Operators add and rename agencies from a file, without code changes."""

from __future__ import annotations

import pytest

from gbus.directory import DataFileError, Directory
from gbus.directory.divisions import load_divisions
from gbus.directory.extra import extra_agencies_from_data, load_extra_agencies
from gbus.directory.roles import load_role_template, role_template_from_data


@pytest.fixture(scope="module")
def divisions():
    return load_divisions()


@pytest.fixture(scope="module")
def template():
    return load_role_template()


def build(divisions, template, agencies):
    return Directory.build(
        divisions=divisions, template=template, extras=extra_agencies_from_data({"agencies": agencies})
    )


def test_a_new_department_is_added_with_its_sectors_default_superior(divisions, template):
    directory = build(
        divisions,
        template,
        [{"id": "gov.bql-kcn@79", "name": "Ban Quản lý các khu chế xuất và công nghiệp Thành phố Hồ Chí Minh"}],
    )
    agency = directory.get("gov.bql-kcn@79")
    assert (agency.name, agency.level, agency.superior_id) == (
        "Ban Quản lý các khu chế xuất và công nghiệp Thành phố Hồ Chí Minh", "province", "gov.ubnd@79",
    )  # fmt: skip


def test_an_existing_body_can_be_renamed_and_keeps_its_superior(divisions, template):
    directory = build(divisions, template, [{"id": "gov.ubnd@79.26743", "name": "UBND  Phường Bến Thành (mới)"}])
    agency = directory.get("gov.ubnd@79.26743")
    assert agency.name == "UBND Phường Bến Thành (mới)"
    assert agency.superior_id == "gov.ubnd@79"


def test_an_entry_may_set_the_superior_explicitly(divisions, template):
    directory = build(
        divisions, template, [{"id": "gov.bqlda@79", "name": "Ban Quản lý dự án", "superior": "gov.so-xd@79"}]
    )
    assert directory.superior_of("gov.bqlda@79").id == "gov.so-xd@79"


def test_ids_in_the_file_may_be_loosely_typed(divisions, template):
    directory = build(
        divisions,
        template,
        [{"id": " GOV.BQL-KCN@79", "name": "Ban Quản lý các khu công nghiệp", "superior": "gov.ubnd@79"}],
    )
    assert directory.get("gov.bql-kcn@79") is not None


def test_an_area_missing_from_the_division_data_is_refused(divisions, template):
    with pytest.raises(DataFileError, match="area 79.00070 is not in the division data"):
        build(divisions, template, [{"id": "gov.x@79.70", "name": "X"}])


def test_a_superior_missing_from_the_directory_is_refused(divisions, template):
    with pytest.raises(DataFileError, match="superior gov.nope@79 is not in the directory"):
        build(
            divisions,
            template,
            [{"id": "gov.bql-kcn@79", "name": "Ban Quản lý các khu công nghiệp", "superior": "gov.nope@79"}],
        )


def test_superiors_that_form_a_cycle_are_refused(divisions, template):
    with pytest.raises(DataFileError, match="cycle"):
        build(divisions, template, [{"id": "gov.ubnd@79", "superior": "gov.so-xd@79"}])


def test_a_new_agency_without_a_name_is_refused(divisions, template):
    with pytest.raises(DataFileError, match="a new agency needs a name"):
        build(divisions, template, [{"id": "gov.bql-kcn@79"}])


def test_every_mistake_in_the_file_is_reported_at_once():
    with pytest.raises(DataFileError) as raised:
        extra_agencies_from_data({"agencies": [{"id": "bogus"}, {"id": "gov.a@79", "name": "A", "colour": "red"}]})
    assert "agencies[1]" in str(raised.value) and "agencies[2]" in str(raised.value)


def test_the_file_is_read_from_yaml(tmp_path, divisions, template):
    path = tmp_path / "extra.yaml"
    path.write_text("agencies:\n  - id: gov.bql-kcn@79\n    name: Ban Quản lý các khu công nghiệp\n", encoding="utf-8")
    directory = Directory.build(divisions=divisions, template=template, extras=load_extra_agencies(path))
    assert directory.get("gov.bql-kcn@79").name == "Ban Quản lý các khu công nghiệp"


def test_a_role_template_with_an_unknown_placeholder_is_refused():
    with pytest.raises(DataFileError, match="bad placeholder"):
        role_template_from_data({"central": {"gov.vpcp": {"name": "Văn phòng {nation}"}}})


def test_an_operators_effective_dated_id_change_reuses_the_alias_table(tmp_path):
    path = tmp_path / "extra.yaml"
    path.write_text(
        "agencies:\n  - id: gov.bql-kcn@79\n    name: Ban Quản lý các khu công nghiệp\n"
        "aliases:\n  - {old: GOV.BQLKCN@79, new: gov.bql-kcn@79, effective: 2026-01-01}\n",
        encoding="utf-8",
    )
    directory = Directory.from_files(extra_agencies=path)
    assert directory.get("gov.bqlkcn@79").id == "gov.bql-kcn@79"
    assert str(directory.alias("gov.bqlkcn@79").effective) == "2026-01-01"
    assert directory.get("party.bdv@79").id == "party.btgdv@79"  # the template's renames still apply


def test_an_operators_alias_to_nowhere_is_refused(tmp_path):
    path = tmp_path / "extra.yaml"
    path.write_text("aliases:\n  - {old: gov.a@79, new: gov.b@79, effective: 2026-01-01}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="gov.b@79 is not in the directory"):
        Directory.from_files(extra_agencies=path)
