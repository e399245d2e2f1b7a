"""Loads every published version of every schema from `schemas/`.

The schemas ship inside the package (gbus/codec/schemas, a link to the
checkout's top-level schemas/ that the wheel build copies; see gbus.resources).

Layout: `schemas/<full.name>/v<N>.avsc`. Versions are never edited or deleted
once published (schemas/published.lock records their fingerprints), because a
record written years ago by a node running v1 must still decode today.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastavro
from fastavro.schema import fingerprint, to_parsing_canonical_form

from gbus.codec.errors import SchemaDefinitionError
from gbus.codec.fast_reader import BodyReader, compile_reader
from gbus.resources import packaged_path

DEFAULT_SCHEMA_DIR = packaged_path("gbus.codec", "schemas")
_VERSION_FILE = re.compile(r"^v(\d+)\.avsc$")


@dataclass(frozen=True)
class SchemaVersion:
    name: str  # full name, e.g. "gbus.avro.Report"
    version: int
    path: Path
    raw: dict[str, Any]
    parsed: Any  # fastavro parsed schema
    canonical: str  # Parsing Canonical Form
    fingerprint: bytes  # 8 bytes, CRC-64-AVRO, in single-object (little-endian) order

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"


def load_schema_file(path: Path, expected_name: str | None = None, version: int = 0) -> SchemaVersion:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SchemaDefinitionError(f"{path}: {exc}") from exc
    try:
        # Each parse gets its own named-type table so versions never see each other. The
        # parsed schema keeps fastavro's `__fastavro_parsed` marker (and its named types):
        # without it schemaless_reader/writer parse the whole schema again on every call,
        # which was two thirds of a CaseSnapshot's decode time.
        parsed = fastavro.parse_schema(raw, named_schemas={})
    except Exception as exc:  # fastavro raises several types for bad schemas
        raise SchemaDefinitionError(f"{path}: {exc}") from exc
    namespace = raw.get("namespace", "")
    full_name = raw["name"] if "." in raw["name"] or not namespace else f"{namespace}.{raw['name']}"
    if expected_name and full_name != expected_name:
        raise SchemaDefinitionError(f"{path}: schema is named {full_name}, its folder says {expected_name}")
    canonical = to_parsing_canonical_form(raw)
    fp = bytes.fromhex(fingerprint(canonical, "CRC-64-AVRO"))
    return SchemaVersion(full_name, version, path, raw, parsed, canonical, fp)


class SchemaStore:
    """All versions of all schemas, indexed by name and by fingerprint."""

    def __init__(self, root: Path | str = DEFAULT_SCHEMA_DIR) -> None:
        self.root = Path(root)
        self._by_name: dict[str, list[SchemaVersion]] = {}
        self._by_fingerprint: dict[bytes, SchemaVersion] = {}
        self._body_readers: dict[bytes, BodyReader | None] = {}
        if not self.root.is_dir():
            raise SchemaDefinitionError(f"schema directory {self.root} does not exist")
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            versions = []
            for path in folder.glob("v*.avsc"):
                match = _VERSION_FILE.match(path.name)
                if not match:
                    raise SchemaDefinitionError(f"{path}: schema files must be named v<N>.avsc")
                versions.append(load_schema_file(path, folder.name, int(match.group(1))))
            if not versions:
                continue
            versions.sort(key=lambda v: v.version)
            self._by_name[folder.name] = versions
            for v in versions:
                clash = self._by_fingerprint.get(v.fingerprint)
                if clash is not None:
                    raise SchemaDefinitionError(f"{v.path} is identical to {clash.path}")
                self._by_fingerprint[v.fingerprint] = v

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def versions(self, name: str) -> list[SchemaVersion]:
        try:
            return list(self._by_name[name])
        except KeyError:
            raise SchemaDefinitionError(f"no schema named {name} under {self.root}") from None

    def latest(self, name: str) -> SchemaVersion:
        return self.versions(name)[-1]

    def get(self, name: str, version: int) -> SchemaVersion:
        for v in self.versions(name):
            if v.version == version:
                return v
        raise SchemaDefinitionError(f"{name} has no version {version}")

    def by_fingerprint(self, fp: bytes) -> SchemaVersion | None:
        return self._by_fingerprint.get(fp)

    def body_reader(self, version: SchemaVersion) -> BodyReader | None:
        """The generated reader of the version's bodies (gbus.codec.fast_reader), made on first
        use; None if the schema needs fastavro."""
        if version.fingerprint not in self._body_readers:
            self._body_readers[version.fingerprint] = compile_reader(version.parsed)
        return self._body_readers[version.fingerprint]
