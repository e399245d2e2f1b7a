"""A processor meets a category from a newer version: it stores, shows and routes the case.

The schemas carry categories as strings, so a node that added categories (issue 16
added seven) can send one an older processor does not know. That processor must
keep the report's own spelling and route it as `khac`, never stop on it.
"""

from __future__ import annotations

from dataclasses import replace

from gbus.dedup.compat import CATEGORY_INDEX, categories_compatible
from gbus.domain.vocabulary import CATEGORIES, known_category
from support.factories import T0, case_report

from .conftest import report_input

NEWER_CATEGORY = "nong_thon_moi"  # not in this version's vocabulary


def test_the_test_category_really_is_unknown_to_this_version():
    assert NEWER_CATEGORY not in CATEGORIES
    assert known_category(NEWER_CATEGORY) == "khac"


def test_a_case_with_an_unknown_category_is_stored_with_its_own_spelling_and_routed_as_khac(kit):
    usual = case_report()
    report = replace(usual, report=replace(usual.report, category=NEWER_CATEGORY))
    staging = kit.staging()
    effects = kit.handler.handle(report_input(report), staging, T0)
    staging.stage(effects.changes)
    kit.commit(staging)
    opened = effects.changes[0].after
    stored = kit.store.case(opened.case_id)
    assert stored is not None and stored.category == NEWER_CATEGORY
    assert [r.category for r in stored.reports] == [NEWER_CATEGORY]
    # `khac` in a ward goes to the ward People's Committee (rule local-matters).
    assert stored.handler == "gov.ubnd@79.26743"


def test_dedup_indexes_and_matches_an_unknown_category_as_khac():
    assert CATEGORY_INDEX[NEWER_CATEGORY] == CATEGORY_INDEX["khac"]
    assert categories_compatible(NEWER_CATEGORY, "dat_dai") and categories_compatible("dat_dai", NEWER_CATEGORY)
