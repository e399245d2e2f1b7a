"""A throw-away PKI for tests: a CA with agency and node certificates, made by gbus.security.pki."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gbus.security.pki import PkiLayout, create_ca, issue_agency_certificate, issue_node_certificate

AGENCY = "gov.ubnd@79"
OTHER_AGENCY = "front.mttq@79"
NODE_AREA = "79"


def make_pki(
    root: Path, agencies: Iterable[str] = (AGENCY, OTHER_AGENCY), areas: Iterable[str] = (NODE_AREA,)
) -> PkiLayout:
    create_ca(root)
    for agency_id in agencies:
        issue_agency_certificate(root, agency_id)
    for area in areas:
        issue_node_certificate(root, area)
    return PkiLayout(root)
