"""The 2025 political system in the default directory: every category reaches a competent
body at every level, each line's superiors, legal sources, and renames as aliases."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from gbus.directory import DataFileError, Directory
from gbus.directory.aliases import Alias, resolve_aliases
from gbus.domain.report import Report
from gbus.domain.vocabulary import CATEGORIES, LEVELS
from gbus.routing import Router, load_rules


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.default()


@pytest.fixture(scope="module")
def router(directory) -> Router:
    return Router(directory, load_rules())


def _feedback(category: str, province: str | None, ward: str | None, kind: str = "phan_anh") -> Report:
    return Report(
        report_id="r", kind=kind, category=category, channel="cong_dvc", province_code=province, ward_code=ward,
        title="t", description="d", submitted_at=datetime(2025, 11, 2, tzinfo=timezone.utc),
        origin_agency="gov.vpcp@VN", request_id="q",
    )  # fmt: skip


# -- every category at every level has a competent body ---------------------------------


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_has_a_central_body_of_its_field(directory, router, category):
    unit = router.rules.maps["ministry"][category]
    assert directory.get(f"{unit}@VN") is not None


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_has_a_province_body_of_its_field_in_every_province(directory, router, category):
    department = router.rules.maps["department"][category]
    # Where the mapped department exists only in some provinces, the rules fall back.
    for province in directory.provinces():
        for kind in ("phan_anh", "kien_nghi"):
            decision = router.route(_feedback(category, province.code, None, kind))
            assert directory.get(decision.handler).province == province.code, (category, province.code)
        if directory.get(f"{department}@{province.code}") is None:
            assert department in {"gov.so-vhttdl", "gov.so-dttg"}, (department, province.code)


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_is_handled_in_every_commune(directory, router, category):
    for province in directory.provinces():
        for ward in directory.wards_of(province.code):
            handler = directory.get(router.route(_feedback(category, province.code, ward.code)).handler)
            # Handled inside the report's own province (or its commune), never sent away.
            assert handler.province == province.code, (category, ward.area)


# -- superiors follow each line ---------------------------------------------------------

CHAINS = [
    ("police", "gov.ca@79.26743", ["gov.ca@79", "gov.bo-ca@VN", "gov.vpcp@VN"]),
    ("courts", "gov.tand@79", ["gov.tandtc@VN", "gov.qh@VN"]),
    ("procuracies", "gov.vks@79", ["gov.vksndtc@VN", "gov.qh@VN"]),
    ("tax", "gov.thue@79", ["gov.cuc-thue@VN", "gov.bo-tc@VN", "gov.vpcp@VN"]),
    ("customs", "gov.cuc-hq@VN", ["gov.bo-tc@VN", "gov.vpcp@VN"]),
    ("enforcement", "gov.thads@79", ["gov.cuc-thads@VN", "gov.bo-tp@VN", "gov.vpcp@VN"]),
    ("state bank", "gov.nhnn@VN", ["gov.vpcp@VN"]),
    ("state audit", "gov.ktnn@VN", ["gov.qh@VN"]),
    ("commune office to its People's Committee", "gov.p-kt@79.26743", ["gov.ubnd@79.26743", "gov.ubnd@79", "gov.vpcp@VN"]),
    ("department to the province People's Committee", "gov.so-tp@04", ["gov.ubnd@04", "gov.vpcp@VN"]),
    ("province inspectorate", "gov.thanhtra@79", ["gov.ubnd@79", "gov.vpcp@VN"]),
    ("People's Councils", "gov.hdnd@79.26743", ["gov.hdnd@79", "gov.ubtvqh@VN", "gov.qh@VN"]),
    ("NA delegation", "gov.doandbqh@79", ["gov.ubtvqh@VN", "gov.qh@VN"]),
    ("NA petitions board", "gov.bdngs@VN", ["gov.ubtvqh@VN", "gov.qh@VN"]),
    ("commune party committee", "party.du@79.26743", ["party.tu@79", "party.ubkt@VN", "party.bchtw@VN"]),
    ("commune party inspection", "party.ubkt@79.26743", ["party.ubkt@79", "party.ubkt@VN", "party.bchtw@VN"]),
    ("commune party board", "party.bxdd@79.26743", ["party.du@79.26743", "party.tu@79", "party.ubkt@VN", "party.bchtw@VN"]),
    ("province party commission", "party.btgdv@79", ["party.tu@79", "party.ubkt@VN", "party.bchtw@VN"]),
    ("central party commission", "party.btc@VN", ["party.bchtw@VN"]),
    ("Front", "front.mttq@79.26743", ["front.mttq@79", "front.mttq@VN"]),
    ("mass organisation", "union.hlhpn@79.26743", ["union.hlhpn@79", "union.hlhpn@VN", "front.mttq@VN"]),
]  # fmt: skip


@pytest.mark.parametrize(("start", "chain"), [c[1:] for c in CHAINS], ids=[c[0] for c in CHAINS])
def test_each_line_reports_up_its_own_chain(directory, start, chain):
    assert [a.id for a in directory.chain_of(start)] == chain


# -- legal sources and province differences ---------------------------------------------


def test_every_role_cites_a_document_an_article_and_a_date(directory):
    template = directory.template
    for level in LEVELS:
        for spec in template.levels[level]:
            assert spec.source is not None, (level, spec.unit)
            assert spec.source.document.number and spec.source.article, (level, spec.unit)
            assert spec.source.effective >= dt.date(2011, 1, 1), (level, spec.unit)
            assert spec.line in template.lines, (level, spec.unit)


def test_an_unchecked_citation_is_flagged_when_cited(directory):
    spec = directory.template.spec("province", "gov.so-dttg")
    assert spec.source.verify and spec.source.cite().endswith("[verify]")


def test_a_department_only_some_provinces_have_exists_only_there(directory):
    spec = directory.template.spec("province", "gov.so-dttg")
    have = {p.code for p in directory.provinces() if directory.get(f"gov.so-dttg@{p.code}")}
    assert have == set(spec.only_in) and "22" not in have


def test_culture_is_one_department_or_two_but_never_both(directory):
    for province in directory.provinces():
        one = directory.get(f"gov.so-vhttdl@{province.code}") is not None
        two = (
            directory.get(f"gov.so-vhtt@{province.code}") is not None
            and directory.get(f"gov.so-dl@{province.code}") is not None
        )
        assert one != two, province.code


def test_a_ward_office_is_named_for_urban_work_and_a_commune_office_is_not(directory):
    assert directory.get("gov.p-kt@79.26743").name == "Phòng Kinh tế, Hạ tầng và Đô thị Phường Bến Thành"
    commune = next(w for w in directory.wards_of("04") if w.division_type == "xã")
    assert directory.get(f"gov.p-kt@{commune.area}").name == f"Phòng Kinh tế {commune.name}"


# -- renames resolve through aliases ------------------------------------------------------

ALIASES = [
    ("party.bdv@VN", "party.btgdv@VN"),
    ("party.bdv@79", "party.btgdv@79"),
    ("gov.bo-tnmt@VN", "gov.bo-nnmt@VN"),
    ("gov.bo-gtvt@VN", "gov.bo-xd@VN"),
    ("gov.bo-ldtbxh@VN", "gov.bo-nv@VN"),
    ("gov.ubdt@VN", "gov.bo-dttg@VN"),
    ("gov.so-tnmt@79", "gov.so-nnmt@79"),
    ("gov.so-khdt@01", "gov.so-tc@01"),
    ("gov.so-ttt@04", "gov.so-khcn@04"),
]


@pytest.mark.parametrize(("old", "new"), ALIASES)
def test_a_renamed_body_resolves_through_its_alias(directory, old, new):
    assert old in directory and directory.get(old).id == new
    assert directory.canonical_id(old) == new
    assert directory.alias(old).effective >= dt.date(2025, 1, 1)
    assert old in directory.former_ids(new)
    assert directory.superior_of(old) == directory.superior_of(new)


def test_an_old_id_never_appears_as_an_agency_of_its_own(directory):
    listed = {a.id for a in directory.agencies()}
    assert not listed & {old for old, _ in ALIASES}


def test_a_second_complaint_filed_against_an_old_id_goes_to_the_new_bodys_superior(router):
    report = replace(_feedback("dat_dai", "79", None, "khieu_nai"), attempt=2, subject_agency="gov.so-tnmt@79")
    assert router.route(report).handler == "gov.ubnd@79"


def test_a_denunciation_of_an_old_id_excludes_the_renamed_body(router):
    report = replace(
        _feedback("khac", "79", None, "to_cao"), subject_agency="party.bdv@79", origin_agency="party.btgdv@79"
    )
    decision = router.route(report)
    assert decision.handler == "party.ubkt@79" and "party.btgdv@79" not in decision.watchers


def _alias(old: str, new: str) -> Alias:
    return Alias(old, new, dt.date(2025, 7, 1), None)


def test_aliases_follow_a_chain_of_renames_to_the_live_body():
    resolved = resolve_aliases([_alias("gov.a@79", "gov.b@79"), _alias("gov.b@79", "gov.c@79")], {"gov.c@79": object()})
    assert {old: a.new_id for old, a in resolved.items()} == {"gov.a@79": "gov.c@79", "gov.b@79": "gov.c@79"}


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ([_alias("gov.c@79", "gov.d@79")], "is also an agency"),
        ([_alias("gov.a@79", "gov.b@79"), _alias("gov.b@79", "gov.a@79")], "form a cycle"),
        ([_alias("gov.a@79", "gov.nowhere@79")], "gov.nowhere@79 is not in the directory"),
        ([_alias("gov.a@79", "gov.c@79"), _alias("gov.a@79", "gov.d@79")], "renamed twice"),
    ],
    ids=["shadows a live agency", "cycle", "ends nowhere", "two new names"],
)
def test_a_bad_alias_table_is_refused_as_a_whole(aliases, message):
    with pytest.raises(DataFileError, match=message):
        resolve_aliases(aliases, {"gov.c@79": object(), "gov.d@79": object()})
