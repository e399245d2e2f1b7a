"""Properties over random valid reports: decisions are deterministic and only name real agencies."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gbus.directory import Directory
from gbus.domain.report import Report
from gbus.domain.vocabulary import CATEGORIES, CHANNELS, KINDS
from gbus.errors import UnroutableError
from gbus.routing import Router, deciding_report, load_rules

DIRECTORY = Directory.default()
ROUTER = Router.default()
# Built independently of the cached default: decisions must not depend on process state.
FRESH_ROUTER = Router(Directory.build(), load_rules())
PROVINCES = [p.code for p in DIRECTORY.provinces()]
WARDS = {p: [w.code for w in DIRECTORY.wards_of(p)] for p in PROVINCES}
# Sampling from every agency would mostly pick commune unions; sample by level instead
# so central and province bodies (the interesting superiors) come up often.
BY_LEVEL = {level: [a.id for a in DIRECTORY.agencies(level=level)] for level in ("central", "province", "commune")}
WITH_SUPERIOR = {level: [i for i in ids if DIRECTORY.get(i).superior_id] for level, ids in BY_LEVEL.items()}

agency_ids = st.sampled_from(("central", "province", "commune")).flatmap(lambda lv: st.sampled_from(BY_LEVEL[lv]))
agencies_with_superior = st.sampled_from(("central", "province", "commune")).flatmap(
    lambda lv: st.sampled_from(WITH_SUPERIOR[lv])
)


@st.composite
def places(draw) -> tuple[str | None, str | None]:
    if draw(st.integers(0, 19)) == 0:
        return None, None  # no province
    province = draw(st.sampled_from(PROVINCES))
    ward = draw(st.one_of(st.none(), st.sampled_from(WARDS[province])))
    return province, ward


@st.composite
def valid_reports(draw, kinds: tuple[str, ...] = KINDS) -> Report:
    """Reports a member system may legitimately send: places and agencies exist; a draft
    opinion names its drafting body; a denunciation or a second complaint names an agency
    that has a superior to hear it."""
    kind = draw(st.sampled_from(kinds))
    attempt = draw(st.integers(1, 3)) if kind == "khieu_nai" else 1
    province, ward = draw(places())
    if kind == "gop_y":
        subject = draw(agency_ids)
    elif kind == "to_cao" or (kind == "khieu_nai" and attempt > 1):
        subject = draw(st.one_of(agencies_with_superior, st.none()) if kind == "khieu_nai" else agencies_with_superior)
    else:
        subject = draw(st.one_of(st.none(), agency_ids))
    return Report(
        report_id=draw(st.text("abcdef0123456789-", min_size=1, max_size=12)),
        kind=kind,
        category=draw(st.sampled_from(CATEGORIES)),
        channel=draw(st.sampled_from(CHANNELS)),
        province_code=province,
        ward_code=ward,
        title="t",
        description="d",
        submitted_at=datetime(2025, 7, 1, tzinfo=timezone.utc) + timedelta(minutes=draw(st.integers(0, 10**6))),
        origin_agency=draw(agency_ids),
        request_id="q",
        subject_agency=subject,
        attempt=attempt,
    )


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(valid_reports())
def test_a_valid_report_always_gets_a_decision_naming_only_real_agencies(report):
    decision = ROUTER.route(report)
    assert decision.handler in DIRECTORY
    assert all(watcher in DIRECTORY for watcher in decision.watchers)
    assert decision.handler not in decision.watchers
    assert len(set(decision.watchers)) == len(decision.watchers)
    assert set(decision.reasons) == set(decision.watchers) and all(decision.reasons.values())
    assert report.origin_agency in (decision.handler, *decision.watchers, *decision.excluded)
    if report.kind == "to_cao":
        assert report.subject_agency not in decision.watchers


@settings(max_examples=200)
@given(valid_reports())
def test_routing_is_deterministic_and_ignores_free_text(report):
    first = ROUTER.route(report)
    again = ROUTER.route(replace(report, title="khác", description="hoàn toàn khác"))
    assert first == again
    assert FRESH_ROUTER.route(report) == first


@settings(max_examples=300)
@given(valid_reports(kinds=("to_cao",)))
def test_a_denunciation_is_never_handled_by_the_accused_agency(report):
    assert ROUTER.route(report).handler != report.subject_agency


@settings(max_examples=200)
@given(st.lists(valid_reports(), min_size=1, max_size=4))
def test_a_case_is_routed_as_its_deciding_report_with_every_origin_watching(reports):
    decision = ROUTER.route_case(reports)
    accused = {r.subject_agency for r in reports if r.kind == "to_cao"}
    alone = ROUTER.route(deciding_report(reports))
    if alone.handler not in accused:
        assert (decision.handler, decision.rule) == (alone.handler, alone.rule)
    else:  # another denunciation accuses that handler: the case climbs above it
        assert decision.handler not in accused
    # Alone, the deciding report may list an agency another denunciation in the case accuses,
    # or the agency the case climbed to as its handler (a handler never watches too).
    assert set(alone.watchers) - set(decision.excluded) - {decision.handler} <= set(decision.watchers)
    assert {r.origin_agency for r in reports} <= {decision.handler, *decision.watchers, *decision.excluded}
    assert decision.handler not in decision.watchers
    assert not accused & {decision.handler, *decision.watchers}


@settings(max_examples=200)
@given(valid_reports(), st.sampled_from(PROVINCES))
def test_a_ward_given_with_another_province_is_always_rejected_on_ward_code(report, other):
    if report.ward_code is None or other == report.province_code:
        return
    try:
        ROUTER.route(replace(report, province_code=other))
    except UnroutableError as exc:
        assert "ward_code" in {v.field for v in exc.violations}
    else:
        raise AssertionError("a ward outside its province was routed")
