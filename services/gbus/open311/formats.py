"""Open311 answers as JSON or XML, and Open311 error arrays. Pure.

GeoReport v2 names the XML elements of each answer (root, then one element
per item); nested lists name their items too (attributes/attribute,
values/value). Every XML answer starts with a UTF-8 declaration.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Item element of a nested list, by the list's element name.
_NESTED_ITEMS = {"attributes": "attribute", "values": "value"}

# (root element, item element) of each kind of answer.
SERVICES = ("services", "service")
SERVICE_REQUESTS = ("service_requests", "request")
UPDATES = ("service_request_updates", "request_update")
ERRORS = ("errors", "error")
DEFINITION = ("service_definition", "")


def render(fmt: str, body: Any, shape: tuple[str, str]) -> bytes:
    """A list of items (or one mapping for a service definition) in the requested format."""
    if fmt == "json":
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    root_name, item_name = shape
    root = ET.Element(root_name)
    if isinstance(body, Mapping):
        _fill(root, body)
    else:
        for item in body:
            _fill(ET.SubElement(root, item_name), item)
    return _XML_DECLARATION + ET.tostring(root, encoding="unicode").encode("utf-8")


def errors(fmt: str, code: int, descriptions: Sequence[str]) -> bytes:
    """GeoReport's error array: one {code, description} per problem, all with the HTTP status."""
    return render(fmt, [{"code": code, "description": d} for d in descriptions], ERRORS)


def _fill(element: ET.Element, item: Mapping[str, Any]) -> None:
    for key, value in item.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for entry in value:
                _fill(ET.SubElement(child, _NESTED_ITEMS.get(key, "item")), entry)
        else:
            child.text = _text(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
