"""Rules are data: operators change them in YAML, and mistakes stop loading with a clear message."""

from __future__ import annotations

import pytest

from gbus.directory import DataFileError, Directory
from gbus.directory.extra import extra_agencies_from_data
from gbus.routing import Router, load_rules
from gbus.routing.rules import rules_from_data


def rules(*entries, always=(), maps=None):
    return rules_from_data({"rules": list(entries), "always": list(always), "maps": maps or {}})


def test_first_matching_rule_wins(make_report):
    ruleset = rules(
        {"id": "first", "when": {"category": "dat_dai"}, "handler": "gov.ubnd@{province}"},
        {"id": "second", "handler": "gov.vpcp@VN"},
    )
    router = Router(Directory.default(), ruleset)
    assert router.route(make_report(category="dat_dai")).rule == "first"
    assert router.route(make_report(category="y_te")).rule == "second"


def test_a_handler_list_falls_back_to_the_next_target_that_exists(make_report):
    ruleset = rules({"id": "r", "handler": ["gov.bql-kcn@{province}", "gov.ubnd@{province}"]})
    assert Router(Directory.default(), ruleset).route(make_report()).handler == "gov.ubnd@79"


def test_an_operator_can_route_a_category_to_a_new_agency_from_files(tmp_path, make_report):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "agencies:\n  - id: gov.bql-kcn@79\n    name: Ban Quản lý các khu chế xuất và công nghiệp Thành phố Hồ Chí Minh\n",
        "utf-8",
    )
    custom = tmp_path / "rules.yaml"
    custom.write_text(
        "rules:\n"
        "  - id: electricity\n"
        "    when: {kind: [phan_anh, kien_nghi], category: dien_nuoc}\n"
        "    handler: ['gov.bql-kcn@{province}', 'gov.ubnd@{local}']\n"
        "  - id: everything-else\n"
        "    handler: gov.ubnd@{local}\n",
        "utf-8",
    )
    router = Router(Directory.from_files(extra_agencies=extra), load_rules(custom))
    decision = router.route(make_report(category="dien_nuoc"))
    assert (decision.handler, decision.rule) == ("gov.bql-kcn@79", "electricity")


def test_no_matching_rule_is_rejected_rather_than_defaulted(make_report):
    router = Router(
        Directory.default(), rules({"id": "only-land", "when": {"category": "dat_dai"}, "handler": "gov.vpcp@VN"})
    )
    with pytest.raises(Exception, match="no routing rule matches") as raised:
        router.route(make_report(category="y_te"))
    assert raised.value.violations[0].field == "category"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"id": "r", "when": {"kind": "khieunai"}, "handler": "gov.vpcp@VN"}, "unknown ['khieunai']"),
        ({"id": "r", "when": {"colour": "red"}, "handler": "gov.vpcp@VN"}, "unknown condition keys"),
        ({"id": "r", "handler": "gov.ubnd@{district}"}, "unknown placeholder {district}"),
        ({"id": "r", "handler": "gov.ubnd@{handler.area}"}, "unknown placeholder {handler.area}"),
        ({"id": "r", "handler": "ubnd"}, "does not name an agency"),
        ({"id": "r"}, "needs a 'handler' or a 'reject'"),
        ({"id": "r", "handler": "gov.vpcp@VN", "reject": {"field": "kind", "message": "x"}}, "not both"),
        ({"id": "r", "reject": {"field": "colour", "message": "x"}}, "reject needs 'field'"),
        ({"id": "r", "reject": {"field": "kind", "message": "x"}, "exclude": []}, "not both"),
        ({"id": "r", "handler": "gov.vpcp@VN", "exclude": [{"target": "{handler.area}"}]}, "'target' and 'reason'"),
        ({"id": "r", "handler": "gov.vpcp@VN", "watchers": [{"target": "front.mttq@VN"}]}, "'target' and 'reason'"),
        ({"handler": "gov.vpcp@VN"}, "needs an 'id'"),
    ],
)
def test_a_mistake_in_a_rule_stops_loading_and_names_the_rule(entry, message):
    with pytest.raises(DataFileError, match=message.replace("[", r"\[").replace("{", r"\{")):
        rules(entry)


def test_a_rule_id_used_twice_is_refused():
    with pytest.raises(DataFileError, match="used twice"):
        rules({"id": "a", "handler": "gov.vpcp@VN"}, {"id": "a", "handler": "gov.vpcp@VN"})


def test_a_map_naming_an_unknown_category_is_refused():
    with pytest.raises(DataFileError, match="unknown category 'land'"):
        rules({"id": "r", "handler": "{ministry}@VN"}, maps={"ministry": {"land": "gov.bo-nnmt"}})


def test_a_fixed_agency_missing_from_the_directory_stops_the_router():
    with pytest.raises(DataFileError, match="gov.bo-khong-co@VN is not in the directory"):
        Router(Directory.default(), rules({"id": "r", "handler": "gov.bo-khong-co@VN"}))


def test_a_map_naming_a_body_that_exists_nowhere_stops_the_router():
    ruleset = rules({"id": "r", "handler": "{ministry}@VN"}, maps={"ministry": {"dien_nuoc": "gov.bo-khong-co"}})
    with pytest.raises(DataFileError, match="no gov.bo-khong-co anywhere"):
        Router(Directory.default(), ruleset)


def test_a_renamed_agency_keeps_its_routing():
    extras = extra_agencies_from_data({"agencies": [{"id": "gov.ubnd@79", "name": "UBND TP.HCM"}]})
    directory = Directory.build(extras=extras)
    assert directory.get("gov.ubnd@79").name == "UBND TP.HCM"
    assert Router(directory, load_rules()).rules.rules  # loads and validates against the renamed directory
