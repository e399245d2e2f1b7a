"""GeoReport answers in JSON and XML, error arrays, and the service list over categories (pure)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from gbus.domain.vocabulary import CATEGORIES
from gbus.open311 import catalog, formats


def test_every_category_is_a_service_and_every_service_has_a_definition_with_the_kind_attribute():
    codes = [s.service_code for s in catalog.services()]
    assert codes == list(CATEGORIES)
    for code in codes:
        [attribute] = catalog.definition(code)["attributes"]
        assert attribute["code"] == "kind" and not attribute["required"]
        assert {v["key"] for v in attribute["values"]} == set(catalog.OPEN311_KINDS)
    assert catalog.service("khong_co") is None


def test_xml_answers_start_with_a_utf8_declaration_and_name_items_as_the_spec_does():
    body = formats.render(
        "xml", [{"service_request_id": "R79-x", "status": "open", "lat": None}], formats.SERVICE_REQUESTS
    )
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<service_requests><request>')
    root = ET.fromstring(body)
    assert root.find("request/status").text == "open" and root.find("request/lat").text is None


def test_a_service_definition_nests_attributes_and_values_in_xml():
    root = ET.fromstring(formats.render("xml", catalog.definition("dien_nuoc"), formats.DEFINITION))
    assert root.tag == "service_definition"
    keys = [v.find("key").text for v in root.findall("attributes/attribute/values/value")]
    assert keys == list(catalog.OPEN311_KINDS)
    assert root.find("attributes/attribute/required").text == "false"


def test_vietnamese_text_is_kept_as_utf8_in_json():
    body = formats.render(
        "json", [{"agency_responsible": "Ủy ban nhân dân Phường Bến Thành"}], formats.SERVICE_REQUESTS
    )
    assert "Ủy ban".encode() in body and json.loads(body)[0]["agency_responsible"].startswith("Ủy")


def test_errors_are_an_array_of_code_and_description_in_both_formats():
    assert json.loads(formats.errors("json", 403, ["api_key is not valid"])) == [
        {"code": 403, "description": "api_key is not valid"}
    ]
    root = ET.fromstring(formats.errors("xml", 400, ["service_code is required", "description is required"]))
    assert root.tag == "errors" and [e.find("code").text for e in root.findall("error")] == ["400", "400"]
