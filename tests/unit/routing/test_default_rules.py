"""Table tests: one or more rows for every default rule, with the issue's edge cases."""

from __future__ import annotations

import pytest

from gbus.errors import UnroutableError
from gbus.routing import load_rules
from support.political_system_cases import ROWS as SYSTEM_ROWS  # the 2025 bodies' table

# (row id, report overrides, handler, watchers in order, rule id)
# Every report comes from the national portal (origin gov.vpcp@VN) unless it says otherwise.
ORIGIN = "gov.vpcp@VN"
ROWS = [
    # gop_y -------------------------------------------------------------------------------
    ("opinion on a ministry's draft goes to the ministry with the central Front watching",
     dict(kind="gop_y", category="y_te", subject_agency="gov.bo-yt@VN"),
     "gov.bo-yt@VN", ["front.mttq@VN", ORIGIN], "gop-y"),
    ("opinion on a ward draft goes to the ward with the ward Front watching",
     dict(kind="gop_y", subject_agency="gov.ubnd@79.26743"),
     "gov.ubnd@79.26743", ["front.mttq@79.26743", ORIGIN], "gop-y"),
    # to_cao ------------------------------------------------------------------------------
    ("denunciation of a ward People's Committee official goes to the province People's Committee",
     dict(kind="to_cao", category="tham_nhung_tieu_cuc", subject_agency="gov.ubnd@79.26743"),
     "gov.ubnd@79", ["party.ubkt@79", ORIGIN], "to-cao"),
    ("denunciation received by the accused's own agency is not followed by that agency",
     dict(kind="to_cao", category="dat_dai", subject_agency="gov.ubnd@79.26743", origin_agency="gov.ubnd@79.26743"),
     "gov.ubnd@79", ["party.ubkt@79"], "to-cao"),
    ("denunciation of the province People's Committee it received itself is not followed by it",
     dict(kind="to_cao", category="dat_dai", subject_agency="gov.ubnd@79", origin_agency="gov.ubnd@79"),
     "gov.ttcp@VN", ["party.ubkt@VN"], "to-cao-province-committee"),
    ("denunciation of a province department goes to the province People's Committee",
     dict(kind="to_cao", category="dat_dai", subject_agency="gov.so-nnmt@79"),
     "gov.ubnd@79", ["party.ubkt@79", ORIGIN], "to-cao"),
    ("denunciation of the province People's Committee goes to the Government Inspectorate",
     dict(kind="to_cao", category="tham_nhung_tieu_cuc", subject_agency="gov.ubnd@79"),
     "gov.ttcp@VN", ["party.ubkt@VN", ORIGIN], "to-cao-province-committee"),
    ("denunciation of the ward police goes up the police line",
     dict(kind="to_cao", category="an_ninh_trat_tu", subject_agency="gov.ca@79.26743"),
     "gov.ca@79", ["party.ubkt@79", ORIGIN], "to-cao"),
    ("denunciation of a commune party committee goes to the province inspection commission, its committee watching",
     dict(kind="to_cao", category="tham_nhung_tieu_cuc", subject_agency="party.du@79.26743"),
     "party.ubkt@79", ["party.tu@79", ORIGIN], "to-cao-party-commune-committee"),
    ("denunciation of a province party committee goes to the central inspection commission",
     dict(kind="to_cao", category="tham_nhung_tieu_cuc", subject_agency="party.tu@79"),
     "party.ubkt@VN", [ORIGIN], "to-cao-party-province-committee"),
    ("denunciation in another province than the report's goes by the accused's agency",
     dict(kind="to_cao", category="dat_dai", subject_agency="gov.ubnd@01.00070"),
     "gov.ubnd@01", ["party.ubkt@01", ORIGIN], "to-cao"),
    # khieu_nai ---------------------------------------------------------------------------
    ("second-time complaint against a province People's Committee goes to the ministry of the field",
     dict(kind="khieu_nai", category="dat_dai", attempt=2, subject_agency="gov.ubnd@79"),
     "gov.bo-nnmt@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second-time complaint against a province People's Committee with no fitting ministry goes to the Government Inspectorate",
     dict(kind="khieu_nai", category="thu_tuc_hanh_chinh", attempt=2, subject_agency="gov.ubnd@79"),
     "gov.ttcp@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second-time complaint with no agency and no ward is against the province committee, so goes to the ministry",
     dict(kind="khieu_nai", category="giao_duc", attempt=2, ward_code=None),
     "gov.bo-gddt@VN", [ORIGIN], "khieu-nai-2-default-province-committee"),
    ("second-time complaint against a province department goes one level up to the province People's Committee",
     dict(kind="khieu_nai", category="ha_tang_giao_thong", attempt=2, subject_agency="gov.so-xd@79"),
     "gov.ubnd@79", [ORIGIN], "khieu-nai-2"),
    ("second-time complaint against a ward People's Committee goes one level up",
     dict(kind="khieu_nai", category="dat_dai", attempt=2, subject_agency="gov.ubnd@79.26743"),
     "gov.ubnd@79", [ORIGIN], "khieu-nai-2"),
    ("third attempt is treated as a second-time complaint",
     dict(kind="khieu_nai", category="dat_dai", attempt=3, subject_agency="gov.ubnd@79.26743"),
     "gov.ubnd@79", [ORIGIN], "khieu-nai-2"),
    ("second-time complaint naming no agency is against the ward committee, so goes to the province",
     dict(kind="khieu_nai", category="dat_dai", attempt=2),
     "gov.ubnd@79", [ORIGIN], "khieu-nai-2-default-ward-committee"),
    ("first-time complaint goes to the agency that decided",
     dict(kind="khieu_nai", category="dat_dai", subject_agency="gov.so-nnmt@79"),
     "gov.so-nnmt@79", [ORIGIN], "khieu-nai-1"),
    ("first-time complaint naming no agency goes to the ward People's Committee",
     dict(kind="khieu_nai", category="dat_dai"),
     "gov.ubnd@79.26743", [ORIGIN], "khieu-nai-1-default-committee"),
    ("first-time complaint naming no agency and no ward falls back to the province People's Committee",
     dict(kind="khieu_nai", category="dat_dai", ward_code=None),
     "gov.ubnd@79", [ORIGIN], "khieu-nai-1-default-committee"),
    # no province -------------------------------------------------------------------------
    ("a report naming no province goes to the Government Office, which is the origin and so not a watcher",
     dict(category="dat_dai", province_code=None, ward_code=None),
     "gov.vpcp@VN", [], "no-province"),
    ("a complaint naming no province and no agency goes to the Government Office",
     dict(kind="khieu_nai", category="dat_dai", province_code=None, ward_code=None, origin_agency="gov.ubnd@79"),
     "gov.vpcp@VN", ["gov.ubnd@79"], "no-province"),
    ("a Front-channel report with no province has the central Front watching",
     dict(category="khac", channel="mttq", province_code=None, ward_code=None, origin_agency="front.mttq@79"),
     "gov.vpcp@VN", ["front.mttq@79", "front.mttq@VN"], "no-province"),
    # phan_anh / kien_nghi by category ----------------------------------------------------
    ("land feedback goes to the ward committee with the province land department watching",
     dict(category="dat_dai"),
     "gov.ubnd@79.26743", ["gov.so-nnmt@79", ORIGIN], "land-environment"),
    ("environment petition goes to the ward committee with the province land department watching",
     dict(kind="kien_nghi", category="moi_truong"),
     "gov.ubnd@79.26743", ["gov.so-nnmt@79", ORIGIN], "land-environment"),
    ("missing ward falls back to the province People's Committee",
     dict(category="dat_dai", ward_code=None),
     "gov.ubnd@79", ["gov.so-nnmt@79", ORIGIN], "land-environment"),
    ("transport infrastructure goes to the ward with the construction department watching",
     dict(category="ha_tang_giao_thong"),
     "gov.ubnd@79.26743", ["gov.so-xd@79", ORIGIN], "construction-transport"),
    ("urban order goes to the ward with the construction department watching",
     dict(category="trat_tu_do_thi"),
     "gov.ubnd@79.26743", ["gov.so-xd@79", ORIGIN], "construction-transport"),
    ("electricity and water go to the ward People's Committee",
     dict(category="dien_nuoc"),
     "gov.ubnd@79.26743", [ORIGIN], "local-matters"),
    ("social welfare goes to the ward People's Committee",
     dict(category="an_sinh_xa_hoi"), "gov.ubnd@79.26743", [ORIGIN], "local-matters"),
    ("administrative procedure feedback goes to the ward People's Committee",
     dict(category="thu_tuc_hanh_chinh"), "gov.ubnd@79.26743", [ORIGIN], "local-matters"),
    ("other matters without a ward go to the province People's Committee",
     dict(category="khac", ward_code=None), "gov.ubnd@79", [ORIGIN], "local-matters"),
    ("health goes to the province health department even with a ward",
     dict(category="y_te"), "gov.so-yt@79", [ORIGIN], "health"),
    ("education goes to the province education department",
     dict(category="giao_duc"), "gov.so-gddt@79", [ORIGIN], "education"),
    ("labour goes to the home affairs department with the labour federation watching",
     dict(category="lao_dong_viec_lam"),
     "gov.so-nv@79", ["union.ldld@79", ORIGIN], "labour"),
    ("a labour report from the union channel has the province labour federation watching once",
     dict(category="lao_dong_viec_lam", channel="cong_doan", origin_agency="union.ldld@79"),
     "gov.so-nv@79", ["union.ldld@79"], "labour"),
    ("public order goes to the ward police",
     dict(category="an_ninh_trat_tu"), "gov.ca@79.26743", [ORIGIN], "public-order"),
    ("public order without a ward falls back to the province police",
     dict(category="an_ninh_trat_tu", ward_code=None), "gov.ca@79", [ORIGIN], "public-order"),
    ("corruption feedback goes to the province inspectorate",
     dict(category="tham_nhung_tieu_cuc"), "gov.thanhtra@79", [ORIGIN], "corruption"),
    # always-watchers ---------------------------------------------------------------------
    ("a Front-channel report has the ward Front watching",
     dict(category="khac", channel="mttq", origin_agency="union.hnd@79.26743"),
     "gov.ubnd@79.26743", ["union.hnd@79.26743", "front.mttq@79.26743"], "local-matters"),
    ("a Front-channel report without a ward has the province Front watching",
     dict(category="khac", channel="mttq", ward_code=None, origin_agency="front.mttq@79"),
     "gov.ubnd@79", ["front.mttq@79"], "local-matters"),
    ("a union-channel report on a non-labour matter has the province labour federation watching",
     dict(category="y_te", channel="cong_doan", origin_agency="union.ldld@79"),
     "gov.so-yt@79", ["union.ldld@79"], "health"),
    ("a report whose origin is its handler lists no watcher for it",
     dict(category="khac", origin_agency="gov.ubnd@79.26743"),
     "gov.ubnd@79.26743", [], "local-matters"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "handler", "watchers", "rule"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_default_rule_routes_the_report(router, make_report, overrides, handler, watchers, rule):
    decision = router.route(make_report(**overrides))
    assert (decision.handler, list(decision.watchers), decision.rule) == (handler, watchers, rule)


# (row id, report overrides, field named, text in the message)
REJECTIONS = [
    ("an unknown ward is rejected",
     dict(ward_code="99999"), "ward_code", "unknown ward 99999"),
    ("a ward of another province is rejected",
     dict(ward_code="00070"), "ward_code", "is in province 01, not 79"),
    ("an unknown province is rejected",
     dict(province_code="03", ward_code=None), "province_code", "unknown province 03"),
    ("an unknown subject agency is rejected",
     dict(kind="khieu_nai", subject_agency="gov.bql-kcn@79"), "subject_agency", "not in the directory"),
    ("an origin agency unknown to the directory is rejected, since it could never be told anything",
     dict(origin_agency="gov.bql-kcn@79"), "origin_agency", "not in the directory"),
    ("an opinion on a draft without the drafting body is rejected",
     dict(kind="gop_y"), "subject_agency", "rule gop-y-needs-drafting-body"),
    ("a denunciation without the accused's agency is rejected rather than sent to a default",
     dict(kind="to_cao"), "subject_agency", "rule to-cao-needs-accused-agency"),
    ("a denunciation against an agency with no superior is rejected, never handled by the accused",
     dict(kind="to_cao", subject_agency="gov.vpcp@VN"), "subject_agency", "gov.vpcp@VN has no superior"),
    ("a second-time complaint against an agency with no superior is rejected",
     dict(kind="khieu_nai", attempt=2, subject_agency="front.mttq@VN"), "subject_agency", "has no superior"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "field", "text"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS])
def test_a_report_the_rules_cannot_place_is_rejected_naming_the_field(router, make_report, overrides, field, text):
    with pytest.raises(UnroutableError) as raised:
        router.route(make_report(**overrides))
    assert [v.field for v in raised.value.violations] == [field]
    assert text in raised.value.violations[0].description


def test_every_place_the_report_gets_wrong_is_named_at_once(router, make_report):
    with pytest.raises(UnroutableError) as raised:
        router.route(
            make_report(ward_code="99999", origin_agency="gov.x@79", kind="khieu_nai", subject_agency="gov.y@79")
        )
    assert {v.field for v in raised.value.violations} == {"ward_code", "origin_agency", "subject_agency"}


def test_every_default_rule_is_covered_by_a_table_row():
    routed = {row[-1] for row in (*ROWS, *SYSTEM_ROWS)}
    rejected = {"gop-y-needs-drafting-body", "to-cao-needs-accused-agency"}
    always = {a.id for a in load_rules().always}
    assert {rule.id for rule in load_rules().rules} == routed | rejected
    assert always == {"origin", "front-channel", "union-channel"}


def test_every_watcher_has_a_reason_naming_its_rule(router, make_report):
    decision = router.route(
        make_report(category="lao_dong_viec_lam", channel="cong_doan", origin_agency="union.ldld@79")
    )
    assert decision.reasons["union.ldld@79"] == (
        "rule labour: the province labour federation represents workers; "
        "origin: the origin system holds a copy of the report; "
        "union-channel: the report came through the trade union"
    )
    assert decision.explanation.startswith("labour and employment")


def test_an_excluded_agency_is_listed_with_the_reason_it_may_not_watch(router, make_report):
    decision = router.route(
        make_report(kind="to_cao", subject_agency="gov.ubnd@79.26743", origin_agency="gov.ubnd@79.26743")
    )
    assert decision.excluded == {
        "gov.ubnd@79.26743": "rule to-cao: the accused's agency never follows a denunciation against it, even if it received it"
    }
    assert "excluded" in decision.to_dict(verbose=True)
