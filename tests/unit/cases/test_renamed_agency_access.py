"""A body renamed after its cases were opened keeps them: it reads and manages them
under its new id, its superiors still do, and nobody else gains access."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gbus.cases.authority import Authority
from gbus.cases.intake_decisions import open_case
from support.factories import T0, case_report, directory, router

OLD, NEW = "party.bdv@79", "party.btgdv@79"  # the city's mass mobilisation commission, merged in 2025


@pytest.fixture(scope="module")
def case_under_the_old_id():
    case, _ = open_case(router(), case_report(), now=T0)
    return replace(case, handler=OLD)


@pytest.fixture(scope="module")
def authority():
    return Authority(directory())


def test_the_directory_maps_the_old_id_to_the_new_body():
    assert directory().get(OLD).id == NEW


def test_the_renamed_body_manages_a_case_it_handled_under_its_old_id(authority, case_under_the_old_id):
    assert authority.can_manage(case_under_the_old_id, NEW)
    assert authority.can_read(case_under_the_old_id, NEW)
    assert authority.role_of(case_under_the_old_id, NEW) == "handler"


def test_a_member_system_still_using_the_old_id_is_the_same_body(authority, case_under_the_old_id):
    assert authority.can_manage(case_under_the_old_id, OLD)


def test_the_superior_of_the_renamed_body_still_manages_the_case(authority, case_under_the_old_id):
    assert authority.can_manage(case_under_the_old_id, "party.tu@79")


def test_another_body_gains_nothing_from_the_rename(authority, case_under_the_old_id):
    assert not authority.can_manage(case_under_the_old_id, "party.btc@79")
    assert authority.role_of(case_under_the_old_id, "party.btc@79") != "handler"


def test_the_old_and_new_ids_are_the_same_body_and_a_neighbour_is_not(authority):
    assert authority.same_body(NEW, OLD) and authority.same_body(OLD, NEW)
    assert not authority.same_body(NEW, "party.btc@79")
