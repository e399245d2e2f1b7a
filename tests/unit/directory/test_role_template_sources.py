"""The role template's legal sources, lines and province differences are checked on load."""

from __future__ import annotations

import datetime as dt

import pytest

from gbus.directory import DataFileError
from gbus.directory.roles import role_template_from_data

DOCS = {"nd150": {"number": "Nghị định 150/2025/NĐ-CP", "title": "Cơ quan chuyên môn", "effective": "2025-07-01"}}
LINES = {"government": "departments -> province People's Committee"}


def template(role: dict, **top) -> object:
    return role_template_from_data({"documents": DOCS, "lines": LINES, "province": {"gov.so-tp": role}, **top})


def test_a_source_takes_the_documents_date_unless_the_role_gives_its_own():
    spec = template({"name": "Sở Tư pháp {name}", "source": {"doc": "nd150", "article": "Điều 8"}}).spec(
        "province", "gov.so-tp"
    )
    assert (spec.source.document.number, spec.source.article, spec.source.effective) == (
        "Nghị định 150/2025/NĐ-CP",
        "Điều 8",
        dt.date(2025, 7, 1),
    )
    later = template({"name": "x", "source": {"doc": "nd150", "article": "Điều 8", "effective": "2026-01-01"}})
    assert later.spec("province", "gov.so-tp").source.effective == dt.date(2026, 1, 1)


def test_a_role_may_have_no_source_on_load_so_that_route_check_can_name_it():
    assert template({"name": "x"}).spec("province", "gov.so-tp").source is None


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ({"name": "x", "source": {"doc": "nd999", "article": "Điều 1"}}, "source doc 'nd999' is not under 'documents'"),
        ({"name": "x", "source": {"doc": "nd150"}}, "source needs an 'article'"),
        (
            {"name": "x", "source": {"doc": "nd150", "article": "Điều 8", "effective": "soon"}},
            "effective must be a date",
        ),
        ({"name": "x", "line": "judiciary"}, "line 'judiciary' is not under 'lines'"),
        ({"name": "x", "only_in": "79"}, "expected a list of province codes"),
        ({"name": "x", "colour": "red"}, "unknown keys ['colour']"),
    ],
    ids=["unknown document", "no article", "bad date", "unknown line", "only_in not a list", "unknown key"],
)
def test_a_bad_role_entry_stops_loading_naming_the_role(role, message):
    with pytest.raises(DataFileError, match="gov.so-tp") as raised:
        template(role)
    assert message in str(raised.value)


def test_only_in_and_except_in_decide_which_provinces_have_the_body():
    only = template({"name": "x", "only_in": [1, "79"]}).spec("province", "gov.so-tp")
    assert only.exists_in("01") and only.exists_in("79") and not only.exists_in("04")
    but = template({"name": "x", "except_in": ["79"]}).spec("province", "gov.so-tp")
    assert but.exists_in("04") and not but.exists_in("79")


def test_an_alias_entry_needs_known_levels():
    with pytest.raises(DataFileError, match="levels must be a list of"):
        template(
            {"name": "x"},
            aliases=[{"old": "gov.so-tnmt", "new": "gov.so-tp", "levels": ["district"], "effective": "2025-03-01"}],
        )
