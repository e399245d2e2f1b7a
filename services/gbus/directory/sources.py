"""Legal sources of the role template: the documents it cites and each role's citation.

A source is data an operator quotes to a citizen or an inspector ("why does this
body handle my case?"), so an uncertain number or article is never silently
presented as checked: `verify` marks it until someone has read the gazette.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gbus.directory.yaml_io import DataFileError

_DOCUMENT_KEYS = {"number", "title", "effective", "verify"}
_SOURCE_KEYS = {"doc", "article", "effective", "verify"}


@dataclass(frozen=True, slots=True)
class LegalDocument:
    key: str  # how roles cite it: "nd150"
    number: str  # "Nghị định 150/2025/NĐ-CP"
    title: str
    effective: dt.date
    verify: bool


@dataclass(frozen=True, slots=True)
class LegalSource:
    """Where a role (or a rename) comes from: document number, article, date in force."""

    document: LegalDocument
    article: str  # "Điều 8 khoản 1"
    effective: dt.date  # the role's own date if it differs from the document's
    verify: bool  # the number, article or date still has to be checked

    def cite(self) -> str:
        """`Nghị định 150/2025/NĐ-CP, Điều 8 khoản 1 (from 2025-07-01)`, flagged if unchecked."""
        flag = " [verify]" if self.verify else ""
        return f"{self.document.number}, {self.article} (from {self.effective.isoformat()}){flag}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document.number,
            "title": self.document.title,
            "article": self.article,
            "effective": self.effective.isoformat(),
            "verify": self.verify,
        }


def documents_from_data(raw: Any, where: str) -> dict[str, LegalDocument]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise DataFileError(f"{where}: expected a mapping of key -> {{number, title, effective}}")
    documents = {}
    for key, body in raw.items():
        at = f"{where}.{key}"
        if not isinstance(body, Mapping) or set(body) - _DOCUMENT_KEYS:
            raise DataFileError(f"{at}: expected keys {sorted(_DOCUMENT_KEYS)}")
        number, title = body.get("number"), body.get("title")
        if not isinstance(number, str) or not number.strip() or not isinstance(title, str):
            raise DataFileError(f"{at}: needs a 'number' and a 'title'")
        documents[str(key)] = LegalDocument(
            str(key),
            number.strip(),
            title,
            parse_effective_date(body.get("effective"), at),
            bool(body.get("verify", False)),
        )
    return documents


def source_from_data(raw: Any, documents: Mapping[str, LegalDocument], where: str) -> LegalSource | None:
    """A role's `source:` entry, or None when it has none (`gbus route check` reports that)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or set(raw) - _SOURCE_KEYS:
        raise DataFileError(f"{where}: source must be a mapping with keys {sorted(_SOURCE_KEYS)}")
    document = documents.get(str(raw.get("doc")))
    if document is None:
        raise DataFileError(f"{where}: source doc {raw.get('doc')!r} is not under 'documents'")
    article = raw.get("article")
    if not isinstance(article, str) or not article.strip():
        raise DataFileError(f"{where}: source needs an 'article'")
    effective = parse_effective_date(raw["effective"], where) if "effective" in raw else document.effective
    # A citation is unchecked if its document is, or if it says so itself.
    return LegalSource(document, article.strip(), effective, document.verify or bool(raw.get("verify", False)))


def parse_effective_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise DataFileError(f"{where}: effective must be a date such as 2025-07-01, not {value!r}")
