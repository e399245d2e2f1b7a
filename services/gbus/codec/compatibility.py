"""FULL_TRANSITIVE compatibility of every schema's versions, and the publish lock.

Nodes upgrade at different times, so every version must read every other
version's records and vice versa: for each pair (a, b) of versions of one
schema, a reads b and b reads a. The Apache `avro` package's checker does the
Avro-spec resolution analysis; fastavro has none.

`schemas/published.lock` pins the fingerprint of every published version, so
an in-place edit or a deletion of a published version is caught too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from gbus.codec.schema_store import SchemaStore, SchemaVersion

LOCK_NAME = "published.lock"


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    checked_pairs: int = 0
    versions: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unpublished


def _avro_schema(v: SchemaVersion) -> avro.schema.Schema:
    return avro.schema.parse(json.dumps(v.raw))


def _incompatibility(reader: SchemaVersion, writer: SchemaVersion) -> str | None:
    result = ReaderWriterCompatibilityChecker().get_compatibility(_avro_schema(reader), _avro_schema(writer))
    if result.compatibility is SchemaCompatibilityType.compatible:
        return None
    details = "; ".join(sorted({str(m) for m in result.messages})) or "incompatible"
    locations = ", ".join(sorted({str(loc) for loc in result.locations}))
    return f"{reader.label} cannot read {writer.label}: {details}" + (f" (at {locations})" if locations else "")


def _lock_key(v: SchemaVersion, root: Path) -> str:
    return str(v.path.relative_to(root))


def read_lock(root: Path) -> dict[str, str]:
    path = root / LOCK_NAME
    if not path.exists():
        return {}
    lock: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return lock


def check(store: SchemaStore) -> CheckReport:
    report = CheckReport()
    for name in store.names():
        versions = store.versions(name)
        report.versions += len(versions)
        for a, b in combinations(versions, 2):
            report.checked_pairs += 1
            for reader, writer in ((a, b), (b, a)):
                problem = _incompatibility(reader, writer)
                if problem:
                    report.problems.append(problem)
    lock = read_lock(store.root)
    present = {_lock_key(v, store.root): v for n in store.names() for v in store.versions(n)}
    for key, fp in sorted(lock.items()):
        v = present.get(key)
        if v is None:
            report.problems.append(f"published version {key} was deleted; published versions must be kept")
        elif v.fingerprint.hex() != fp:
            report.problems.append(
                f"published version {key} was changed in place (fingerprint {v.fingerprint.hex()}, published {fp}); "
                "add a new version file instead"
            )
    report.unpublished = sorted(set(present) - set(lock))
    return report


def publish(store: SchemaStore) -> list[str]:
    """Record every present version in the lock; call only after check() found no problems."""
    lock = read_lock(store.root)
    added = []
    for name in store.names():
        for v in store.versions(name):
            key = _lock_key(v, store.root)
            if key not in lock:
                lock[key] = v.fingerprint.hex()
                added.append(key)
    (store.root / LOCK_NAME).write_text(json.dumps(dict(sorted(lock.items())), indent=2) + "\n", encoding="utf-8")
    return added
