"""Table tests for the 2025 political system (cases in support/political_system_cases.py)."""

from __future__ import annotations

import pytest

from support.political_system_cases import ROWS


@pytest.mark.parametrize(("overrides", "handler", "watchers", "rule"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_the_political_system_routes_the_report(router, make_report, overrides, handler, watchers, rule):
    decision = router.route(make_report(**overrides))
    assert (decision.handler, list(decision.watchers), decision.rule) == (handler, watchers, rule)


def test_the_table_has_at_least_sixty_cases():
    assert len(ROWS) >= 60


@pytest.mark.parametrize("subject", ["gov.tand@79", "gov.vks@79", "party.btgdv@79", "party.du@79.26743"])
def test_the_accused_body_never_watches_a_denunciation_against_it(router, make_report, subject):
    decision = router.route(make_report(kind="to_cao", subject_agency=subject, origin_agency=subject))
    assert subject not in (decision.handler, *decision.watchers)
