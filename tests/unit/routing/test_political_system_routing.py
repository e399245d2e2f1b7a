"""Table tests for the 2025 political system: the new bodies, second-time complaints,
denunciations in every line and level, petitions to elected bodies.

Every report comes from the national portal (origin gov.vpcp@VN) in Phường Bến Thành,
Ho Chi Minh City, unless its row says otherwise (see conftest.report).
"""

from __future__ import annotations

import pytest

ORIGIN = "gov.vpcp@VN"
PROVINCE_ONLY = dict(ward_code=None)
# A second-time complaint against the province People's Committee, by field.
SECOND_VS_PROVINCE = dict(kind="khieu_nai", attempt=2, subject_agency="gov.ubnd@79")

# (row id, report overrides, handler, watchers in order, rule id)
ROWS = [
    # new bodies: feedback and petitions by category -------------------------------------
    ("taxes go to the province tax office with the finance department watching",
     dict(category="tai_chinh_thue"), "gov.thue@79", ["gov.so-tc@79", ORIGIN], "finance-taxes"),
    ("a tax petition without a ward goes to the same tax office",
     dict(kind="kien_nghi", category="tai_chinh_thue", **PROVINCE_ONLY), "gov.thue@79", ["gov.so-tc@79", ORIGIN], "finance-taxes"),
    ("markets and counterfeit goods go to the department of industry and trade",
     dict(category="thuong_mai_thi_truong"), "gov.so-ct@79", [ORIGIN], "trade-markets"),
    ("civil status goes to the ward People's Committee with the justice department watching",
     dict(category="tu_phap_ho_tich"), "gov.ubnd@79.26743", ["gov.so-tp@79", ORIGIN], "justice-civil-status"),
    ("civil status without a ward goes to the province justice department",
     dict(category="tu_phap_ho_tich", **PROVINCE_ONLY), "gov.so-tp@79", [ORIGIN], "justice-civil-status"),
    ("a festival goes to the ward culture office; in Ho Chi Minh City culture and tourism are two departments",
     dict(category="van_hoa_du_lich"), "gov.p-vhxh@79.26743", ["gov.so-vhtt@79", ORIGIN], "culture-tourism"),
    ("culture without a ward in Cao Bằng goes to its one culture, sports and tourism department",
     dict(category="van_hoa_du_lich", province_code="04", **PROVINCE_ONLY), "gov.so-vhttdl@04", [ORIGIN], "culture-tourism"),
    ("culture without a ward in Ho Chi Minh City goes to its culture and sports department",
     dict(category="van_hoa_du_lich", **PROVINCE_ONLY), "gov.so-vhtt@79", [ORIGIN], "culture-tourism"),
    ("telecommunications go to the department of science and technology",
     dict(category="khoa_hoc_cong_nghe"), "gov.so-khcn@79", [ORIGIN], "science-technology"),
    ("a religious matter goes to the ethnic minorities and religions department with the ward Front watching",
     dict(category="dan_toc_ton_giao"), "gov.so-dttg@79", ["front.mttq@79.26743", ORIGIN], "ethnic-religious"),
    ("where a province has no such department, home affairs takes ethnic and religious matters",
     dict(category="dan_toc_ton_giao", province_code="22", **PROVINCE_ONLY), "gov.so-nv@22", ["front.mttq@22", ORIGIN], "ethnic-religious"),
    ("a court matter goes to the province People's Court with the procuracy watching",
     dict(category="toa_an_thi_hanh_an"), "gov.tand@79", ["gov.vks@79", ORIGIN], "courts-enforcement"),
    # petitions and feedback addressed to a body -----------------------------------------
    ("a petition to the ward People's Council goes to it with the ward Front watching",
     dict(kind="kien_nghi", subject_agency="gov.hdnd@79.26743"), "gov.hdnd@79.26743", ["front.mttq@79.26743", ORIGIN], "petition-elected-body"),
    ("a petition to the city People's Council goes to it with the city Front watching",
     dict(kind="kien_nghi", subject_agency="gov.hdnd@79"), "gov.hdnd@79", ["front.mttq@79", ORIGIN], "petition-elected-body"),
    ("a petition to the city's National Assembly delegation goes to the delegation",
     dict(kind="kien_nghi", subject_agency="gov.doandbqh@79"), "gov.doandbqh@79", ["front.mttq@79", ORIGIN], "petition-elected-body"),
    ("a petition to the National Assembly goes to its petitions board",
     dict(kind="kien_nghi", subject_agency="gov.qh@VN"), "gov.bdngs@VN", [ORIGIN], "petition-national-assembly"),
    ("feedback to the NA Standing Committee goes to the petitions board",
     dict(subject_agency="gov.ubtvqh@VN"), "gov.bdngs@VN", [ORIGIN], "petition-national-assembly"),
    ("a petition to the National Assembly naming no province still reaches the petitions board",
     dict(kind="kien_nghi", subject_agency="gov.qh@VN", province_code=None, ward_code=None), "gov.bdngs@VN", [ORIGIN], "petition-national-assembly"),
    ("feedback about a province court goes to that court",
     dict(subject_agency="gov.tand@79"), "gov.tand@79", [ORIGIN], "feedback-judicial-body"),
    ("feedback about judgment enforcement goes to the enforcement office",
     dict(subject_agency="gov.thads@79"), "gov.thads@79", [ORIGIN], "feedback-judicial-body"),
    ("a ward party member's conduct goes to the ward party inspection commission",
     dict(subject_agency="party.du@79.26743"), "party.ubkt@79.26743", [ORIGIN], "party-member-conduct"),
    ("a city party committee member's conduct goes to the city party inspection commission",
     dict(subject_agency="party.tu@79"), "party.ubkt@79", [ORIGIN], "party-member-conduct"),
    ("conduct in a central party commission goes to the Central Inspection Commission",
     dict(subject_agency="party.btc@VN"), "party.ubkt@VN", [ORIGIN], "party-member-conduct"),
    # second-time complaints against department directors and commune offices -----------
    ("second complaint against the finance department goes to the city People's Committee",
     dict(kind="khieu_nai", attempt=2, category="tai_chinh_thue", subject_agency="gov.so-tc@79"), "gov.ubnd@79", [ORIGIN], "khieu-nai-2"),
    ("second complaint against the justice department goes to the city People's Committee",
     dict(kind="khieu_nai", attempt=2, category="tu_phap_ho_tich", subject_agency="gov.so-tp@79"), "gov.ubnd@79", [ORIGIN], "khieu-nai-2"),
    ("second complaint against the industry and trade department goes to the city People's Committee",
     dict(kind="khieu_nai", attempt=2, category="thuong_mai_thi_truong", subject_agency="gov.so-ct@79"), "gov.ubnd@79", [ORIGIN], "khieu-nai-2"),
    ("second complaint against Hà Nội's science department goes to Hà Nội's People's Committee",
     dict(kind="khieu_nai", attempt=2, category="khoa_hoc_cong_nghe", subject_agency="gov.so-khcn@01"), "gov.ubnd@01", [ORIGIN], "khieu-nai-2"),
    ("second complaint against Cao Bằng's ethnic and religious department goes to Cao Bằng's People's Committee",
     dict(kind="khieu_nai", attempt=2, category="dan_toc_ton_giao", subject_agency="gov.so-dttg@04"), "gov.ubnd@04", [ORIGIN], "khieu-nai-2"),
    ("second complaint against Hà Nội's culture and sports department goes to Hà Nội's People's Committee",
     dict(kind="khieu_nai", attempt=2, category="van_hoa_du_lich", subject_agency="gov.so-vhtt@01"), "gov.ubnd@01", [ORIGIN], "khieu-nai-2"),
    ("second complaint against the province tax office goes up the tax line",
     dict(kind="khieu_nai", attempt=2, category="tai_chinh_thue", subject_agency="gov.thue@79"), "gov.cuc-thue@VN", [ORIGIN], "khieu-nai-2"),
    ("second complaint against the enforcement office goes up the enforcement line",
     dict(kind="khieu_nai", attempt=2, category="toa_an_thi_hanh_an", subject_agency="gov.thads@79"), "gov.cuc-thads@VN", [ORIGIN], "khieu-nai-2"),
    ("second complaint against a ward economic office goes to the ward People's Committee",
     dict(kind="khieu_nai", attempt=2, category="trat_tu_do_thi", subject_agency="gov.p-kt@79.26743"), "gov.ubnd@79.26743", [ORIGIN], "khieu-nai-2"),
    # second-time complaints against the province People's Committee, by field ---------
    ("second complaint against the city on taxes goes to the Ministry of Finance",
     dict(category="tai_chinh_thue", **SECOND_VS_PROVINCE), "gov.bo-tc@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second complaint against the city on markets goes to the Ministry of Industry and Trade",
     dict(category="thuong_mai_thi_truong", **SECOND_VS_PROVINCE), "gov.bo-ct@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second complaint against the city on civil status goes to the Ministry of Justice",
     dict(category="tu_phap_ho_tich", **SECOND_VS_PROVINCE), "gov.bo-tp@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second complaint against the city on culture goes to the Ministry of Culture, Sports and Tourism",
     dict(category="van_hoa_du_lich", **SECOND_VS_PROVINCE), "gov.bo-vhttdl@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second complaint against the city on technology goes to the Ministry of Science and Technology",
     dict(category="khoa_hoc_cong_nghe", **SECOND_VS_PROVINCE), "gov.bo-khcn@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second complaint against the city on religion goes to the Ministry of Ethnic Minorities and Religions",
     dict(category="dan_toc_ton_giao", **SECOND_VS_PROVINCE), "gov.bo-dttg@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second complaint against the city on social protection goes to the Ministry of Health",
     dict(category="an_sinh_xa_hoi", **SECOND_VS_PROVINCE), "gov.bo-yt@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second complaint against the city on electricity goes to the Ministry of Industry and Trade",
     dict(category="dien_nuoc", **SECOND_VS_PROVINCE), "gov.bo-ct@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second complaint against the city on enforcement goes to the Ministry of Justice",
     dict(category="toa_an_thi_hanh_an", **SECOND_VS_PROVINCE), "gov.bo-tp@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    ("second complaint against the city on anything else goes to the Government Inspectorate",
     dict(category="khac", **SECOND_VS_PROVINCE), "gov.ttcp@VN", [ORIGIN], "khieu-nai-2-province-committee"),
    # denunciations: government line ----------------------------------------------------
    ("denunciation of a ward office goes to the ward People's Committee, the ward inspection commission watching",
     dict(kind="to_cao", subject_agency="gov.p-vhxh@79.26743"), "gov.ubnd@79.26743", ["party.ubkt@79.26743", ORIGIN], "to-cao"),
    ("denunciation of the finance department goes to the city People's Committee",
     dict(kind="to_cao", subject_agency="gov.so-tc@79"), "gov.ubnd@79", ["party.ubkt@79", ORIGIN], "to-cao"),
    ("denunciation of a ministry goes to the Government",
     dict(kind="to_cao", subject_agency="gov.bo-tc@VN", origin_agency="gov.ubnd@79"), "gov.vpcp@VN", ["party.ubkt@VN", "gov.ubnd@79"], "to-cao"),
    # denunciations: police line --------------------------------------------------------
    ("denunciation of a Hà Nội ward police goes to Hà Nội police",
     dict(kind="to_cao", subject_agency="gov.ca@01.00070"), "gov.ca@01", ["party.ubkt@01", ORIGIN], "to-cao"),
    ("denunciation of the city police goes to the Ministry of Public Security",
     dict(kind="to_cao", subject_agency="gov.ca@79"), "gov.bo-ca@VN", ["party.ubkt@VN", ORIGIN], "to-cao"),
    ("denunciation of the Ministry of Public Security goes to the Government",
     dict(kind="to_cao", subject_agency="gov.bo-ca@VN", origin_agency="gov.ubnd@79"), "gov.vpcp@VN", ["party.ubkt@VN", "gov.ubnd@79"], "to-cao"),
    # denunciations: courts, procuracies, tax, elected bodies, organisations ---------------
    ("denunciation of a province court goes to the Supreme People's Court",
     dict(kind="to_cao", subject_agency="gov.tand@79"), "gov.tandtc@VN", ["party.ubkt@VN", ORIGIN], "to-cao"),
    ("denunciation of a court reported from a commune goes up the court line too",
     dict(kind="to_cao", province_code="01", ward_code="00070", subject_agency="gov.tand@01"), "gov.tandtc@VN", ["party.ubkt@VN", ORIGIN], "to-cao"),
    ("denunciation of the Supreme People's Court goes to the National Assembly",
     dict(kind="to_cao", subject_agency="gov.tandtc@VN"), "gov.qh@VN", ["party.ubkt@VN", ORIGIN], "to-cao"),
    ("denunciation of a province procuracy goes to the Supreme People's Procuracy",
     dict(kind="to_cao", subject_agency="gov.vks@79"), "gov.vksndtc@VN", ["party.ubkt@VN", ORIGIN], "to-cao"),
    ("denunciation of the Supreme People's Procuracy goes to the National Assembly",
     dict(kind="to_cao", subject_agency="gov.vksndtc@VN"), "gov.qh@VN", ["party.ubkt@VN", ORIGIN], "to-cao"),
    ("denunciation of the province tax office goes to the Department of Taxation",
     dict(kind="to_cao", subject_agency="gov.thue@79"), "gov.cuc-thue@VN", ["party.ubkt@VN", ORIGIN], "to-cao"),
    ("denunciation of a ward People's Council goes to the city People's Council",
     dict(kind="to_cao", subject_agency="gov.hdnd@79.26743"), "gov.hdnd@79", ["party.ubkt@79", ORIGIN], "to-cao"),
    ("denunciation of a city People's Council goes to the NA Standing Committee",
     dict(kind="to_cao", subject_agency="gov.hdnd@79"), "gov.ubtvqh@VN", ["party.ubkt@VN", ORIGIN], "to-cao"),
    ("denunciation of the central Women's Union goes to the Front's Central Committee",
     dict(kind="to_cao", subject_agency="union.hlhpn@VN"), "front.mttq@VN", ["party.ubkt@VN", ORIGIN], "to-cao"),
    # denunciations: party line -----------------------------------------------------------
    ("denunciation of a ward party inspection commission goes to the city inspection commission",
     dict(kind="to_cao", subject_agency="party.ubkt@79.26743"), "party.ubkt@79", ["party.tu@79", ORIGIN], "to-cao-party-commune-committee"),
    ("denunciation of a ward party building board goes to the ward inspection commission",
     dict(kind="to_cao", subject_agency="party.bxdd@79.26743"), "party.ubkt@79.26743", ["party.du@79.26743", ORIGIN], "to-cao-party-commission"),
    ("denunciation of a city party inspection commission goes to the Central Inspection Commission",
     dict(kind="to_cao", subject_agency="party.ubkt@79"), "party.ubkt@VN", [ORIGIN], "to-cao-party-province-committee"),
    ("denunciation of a city party commission goes to the city inspection commission, the city committee watching",
     dict(kind="to_cao", subject_agency="party.btgdv@79"), "party.ubkt@79", ["party.tu@79", ORIGIN], "to-cao-party-commission"),
    ("denunciation of a central party commission goes to the Central Inspection Commission, the Central Committee watching",
     dict(kind="to_cao", subject_agency="party.btc@VN"), "party.ubkt@VN", ["party.bchtw@VN", ORIGIN], "to-cao-party-commission"),
    ("denunciation of the Central Inspection Commission goes to the Central Committee",
     dict(kind="to_cao", subject_agency="party.ubkt@VN"), "party.bchtw@VN", [ORIGIN], "to-cao-party-central-inspection"),
    # complaints about court and procuracy officials: denunciations in their own line -----
    ("a complaint about a province court official goes up the court line, not to the court",
     dict(kind="khieu_nai", subject_agency="gov.tand@79"), "gov.tandtc@VN", ["party.ubkt@VN", ORIGIN], "judicial-official-complaint"),
    ("a second complaint about a province procuracy official goes up the procuracy line",
     dict(kind="khieu_nai", attempt=2, subject_agency="gov.vks@79"), "gov.vksndtc@VN", ["party.ubkt@VN", ORIGIN], "judicial-official-complaint"),
    ("a complaint about a Supreme People's Court official goes to the National Assembly",
     dict(kind="khieu_nai", subject_agency="gov.tandtc@VN"), "gov.qh@VN", ["party.ubkt@VN", ORIGIN], "judicial-official-complaint"),
]  # fmt: skip


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
