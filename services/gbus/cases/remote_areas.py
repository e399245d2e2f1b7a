"""Which communes count as remote and difficult areas (an operator's data file). Pure.

The default file lists none: the provincial People's Committee decides which
communes qualify, and the bus must not guess (data/remote_communes.yaml).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gbus.directory.yaml_io import DataFileError, load_yaml
from gbus.resources import packaged_path

DEFAULT_REMOTE_COMMUNES_PATH = packaged_path("gbus.cases", "data", "remote_communes.yaml")


@dataclass(frozen=True, slots=True)
class RemoteAreas:
    communes: frozenset[tuple[str, str]] = frozenset()  # (province code, ward code)

    def is_remote(self, province_code: str | None, ward_code: str | None) -> bool:
        return bool(province_code and ward_code) and (province_code, ward_code) in self.communes

    def __len__(self) -> int:
        return len(self.communes)


def load_remote_areas(path: str | Path | None = None) -> RemoteAreas:
    source = Path(path) if path else DEFAULT_REMOTE_COMMUNES_PATH
    return remote_areas_from_data(load_yaml(source), source=str(source))


def remote_areas_from_data(data: Any, *, source: str = "<remote communes>") -> RemoteAreas:
    try:
        listed = (data or {}).get("communes") or {}
        return RemoteAreas(frozenset(_pairs(listed.items())))
    except (TypeError, ValueError, AttributeError) as exc:
        raise DataFileError(f"{source}: {exc.__class__.__name__}: {exc}") from exc


def _pairs(items: Iterable[tuple[Any, Any]]) -> Iterable[tuple[str, str]]:
    for province, wards in items:
        code = _code(province, 2, "province")
        for ward in wards or ():
            yield code, _code(ward, 5, f"ward of province {code}")


def _code(value: Any, width: int, what: str) -> str:
    # YAML reads an unquoted 08 or 02158 as a number: pad it back.
    text = str(value).strip()
    if not text.isdigit() or len(text) > width:
        raise ValueError(f"{what} code must be at most {width} digits, not {value!r}")
    return text.zfill(width)
