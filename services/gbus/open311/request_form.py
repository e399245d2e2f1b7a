"""POST requests.{format}: a GeoReport form -> a bus report and what the gateway keeps beside it. Pure.

Contact fields become the reporter's protected identity (sealed by the node,
shown only to the handler and the origin); a form without any is an
anonymous report, which a feedback or denunciation may be.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gbus.open311.catalog import DEFAULT_KIND, KIND_ATTRIBUTE, OPEN311_KINDS, service
from gbus.open311.errors import bad_request
from gbus.open311.locations import Gazetteer, Location

# GeoReport has no title; the report's is the description's first line, cut at a word.
TITLE_CHARS = 120
# The media_url is a reference kept by the gateway (GeoReport: a URL the client uploaded to).
MAX_MEDIA_URL_CHARS = 2000


@dataclass(frozen=True, slots=True)
class NewRequest:
    report: dict[str, Any]  # the Report fields of the bus
    reporter: dict[str, str]  # name / phone / email; empty for an anonymous report
    service_code: str
    location: Location
    media_url: str


def new_request(
    form: dict[str, str], *, origin_agency: str, channel: str, gazetteer: Gazetteer, now: datetime
) -> NewRequest:
    code = form.get("service_code", "").strip()
    if not code:
        raise bad_request("service_code is required")
    svc = service(code)
    if svc is None:
        raise bad_request(f"service_code {code[:40]!r} not found: see services.json")
    kind = form.get(f"attribute[{KIND_ATTRIBUTE}]", "").strip() or DEFAULT_KIND
    if kind not in OPEN311_KINDS:
        raise bad_request(f"attribute[{KIND_ATTRIBUTE}] must be one of {', '.join(OPEN311_KINDS)}")
    description = form.get("description", "").strip()
    if not description:
        raise bad_request("description is required: the grievance in the reporter's words")
    media_url = form.get("media_url", "").strip()
    if len(media_url) > MAX_MEDIA_URL_CHARS or (media_url and not media_url.startswith(("http://", "https://"))):
        raise bad_request(f"media_url must be an http(s) URL of at most {MAX_MEDIA_URL_CHARS} characters")
    location = gazetteer.locate(form, gazetteer.jurisdiction(form.get("jurisdiction_id", "").strip()))
    report = {
        "kind": kind,
        "category": code,
        "channel": channel,
        "province_code": location.province_code,
        "ward_code": location.ward_code,
        "title": title_of(description) or svc.service_name,
        "description": description,
        "submitted_at": now,
        "origin_agency": origin_agency,
        # GeoReport has no idempotency key: every POST is a new submission (a repeated one is
        # recognised as a duplicate by the bus and joins the same case).
        "request_id": f"o311-{uuid.uuid4().hex}",
    }
    return NewRequest(report, reporter_of(form), code, location, media_url)


def reporter_of(form: dict[str, str]) -> dict[str, str]:
    """Vietnamese order, family name first: last_name "Nguyễn" + first_name "Thị Lan"; either alone is kept."""
    name = " ".join(p for p in (form.get("last_name", "").strip(), form.get("first_name", "").strip()) if p)
    fields = {"name": name, "phone": form.get("phone", "").strip(), "email": form.get("email", "").strip()}
    return {k: v for k, v in fields.items() if v}


def title_of(description: str) -> str:
    first = description.strip().splitlines()[0].strip()
    if len(first) <= TITLE_CHARS:
        return first
    cut = first[:TITLE_CHARS].rsplit(" ", 1)[0]
    return cut + "…"
