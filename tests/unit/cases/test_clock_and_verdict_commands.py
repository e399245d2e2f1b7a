"""ExtendTimeLimit and RateResolution through the case command handler (gbus.cases.commands)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from gbus import errors
from gbus.cases import commands as c
from gbus.cases.intake_decisions import open_case
from gbus.cases.legal_clock import load_legal_clock
from gbus.domain.events import ResolutionRated, StatusChanged, TimeLimitExtended, verify_chain
from gbus.domain.status import CaseStatus
from support.factories import T0, case_report, directory, router

CLOCK = load_legal_clock()
HANDLER = "gov.ubnd@79"  # a denunciation against a ward committee goes to the province's
SUBJECT = "gov.ubnd@79.26743"
ORIGIN = "front.mttq@79"
COMMANDS = c.CommandHandler(router(), directory(), clock=CLOCK)


def _case(kind: str = "to_cao", status: CaseStatus = CaseStatus.ACCEPTED):
    report = case_report(kind=kind, category="dat_dai", channel="tiep_cong_dan", origin_agency=ORIGIN,
                         subject_agency=SUBJECT, attempt=1)  # fmt: skip
    case, events = open_case(router(), report, now=T0)
    case = CLOCK.on_change(None, case, T0)
    return CLOCK.on_change(case, replace(case, status=status), T0), events


def _run(case, actor: str, body, request_id: str = "r1", now=T0 + timedelta(days=3)):
    command = c.CaseCommand("cmd-" + request_id, request_id, case.case_id, actor, now, 0, body)
    return COMMANDS.handle(command, {case.case_id: case}.get, now)


def test_the_handler_extends_a_complex_denunciation_and_the_due_date_moves_thirty_days():
    case, opened = _case()
    assert case.handler == HANDLER
    outcome = _run(case, HANDLER, c.ExtendTimeLimit("complex", "hai địa điểm phải xác minh"))
    after, events = outcome.case, outcome.changes[0].events
    assert after.due_at - case.due_at >= timedelta(days=30)
    assert [type(e.body) for e in events] == [TimeLimitExtended]
    body = events[0].body
    assert (body.complexity, body.extensions, body.due_at, body.reason) == (
        "complex",
        1,
        after.due_at,
        "hai địa điểm phải xác minh",
    )
    assert verify_chain([*opened, *events]) == []


def test_an_extension_needs_its_reason_and_a_known_complexity():
    case, _ = _case()
    with pytest.raises(errors.ValidationError) as missing:
        _run(case, HANDLER, c.ExtendTimeLimit("complex", "  "))
    with pytest.raises(errors.ValidationError) as unknown:
        _run(case, HANDLER, c.ExtendTimeLimit("rat_phuc_tap", "vì sao"))
    assert [v.field for v in missing.value.violations] == ["reason"]
    assert [v.field for v in unknown.value.violations] == ["complexity"]


def test_only_the_handler_or_its_superior_may_extend():
    case, _ = _case()
    with pytest.raises(errors.PermissionDeniedError):
        _run(case, ORIGIN, c.ExtendTimeLimit("complex", "vì sao"))


def _resolved():
    case, _ = _case(kind="khieu_nai")
    return replace(case, status=CaseStatus.RESOLVED, due_at=None)


def test_the_origin_rates_a_resolution_once():
    case = _resolved()
    after = _run(case, ORIGIN, c.RateResolution("", 4, "Đã giải quyết thỏa đáng")).case
    assert [(r.origin_agency, r.rating, r.comment, r.handler) for r in after.ratings] == [
        (ORIGIN, 4, "Đã giải quyết thỏa đáng", case.handler)
    ]
    with pytest.raises(errors.IllegalTransitionError, match="once"):
        _run(after, ORIGIN, c.RateResolution("", 5), request_id="r2")


@pytest.mark.parametrize("actor", [SUBJECT, "gov.ubnd@79", "party.ubkt@79"])
def test_nobody_but_the_origin_may_rate(actor):
    case = _resolved()
    with pytest.raises((errors.PermissionDeniedError, errors.NotFoundError)):
        _run(case, actor, c.RateResolution("", 5))


def test_the_handler_itself_may_not_rate_its_resolution():
    case = _resolved()
    with pytest.raises(errors.PermissionDeniedError):
        _run(case, case.handler, c.RateResolution("", 5))


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_names_the_field(rating):
    with pytest.raises(errors.ValidationError) as caught:
        _run(_resolved(), ORIGIN, c.RateResolution("", rating))
    assert [v.field for v in caught.value.violations] == ["rating"]


def test_an_open_case_cannot_be_rated_yet():
    case, _ = _case(kind="khieu_nai")
    with pytest.raises(errors.IllegalTransitionError, match="after RESOLVED"):
        _run(case, ORIGIN, c.RateResolution("", 3))


def test_a_poor_rating_adds_the_handlers_superior_and_lets_the_origin_reopen_once():
    case = _resolved()
    superior = "gov.ubnd@79"
    assert case.handler == SUBJECT and superior not in case.watcher_ids
    rated = _run(case, ORIGIN, c.RateResolution("", 2, "Chưa khắc phục")).case
    assert superior in rated.watcher_ids
    assert rated.ratings[0].rating == 2
    events = _run(case, ORIGIN, c.RateResolution("", 2, "Chưa khắc phục")).changes[0].events
    assert [type(e.body) for e in events] == [ResolutionRated] and events[0].body.added_watchers == (superior,)

    reopened = _run(rated, ORIGIN, c.ReopenCase(""), request_id="r2")
    change = reopened.changes[0].events[0].body
    assert isinstance(change, StatusChanged) and change.to_status == "REOPENED"
    assert change.reason == "the citizen rated the resolution 2/5: Chưa khắc phục"
    resolved_again = replace(reopened.case, status=CaseStatus.RESOLVED)
    with pytest.raises(errors.PermissionDeniedError):
        _run(resolved_again, ORIGIN, c.ReopenCase(""), request_id="r3")


def test_a_good_rating_does_not_let_the_origin_reopen():
    rated = _run(_resolved(), ORIGIN, c.RateResolution("", 3)).case
    with pytest.raises(errors.PermissionDeniedError):
        _run(rated, ORIGIN, c.ReopenCase("không đồng ý"), request_id="r2")
