"""Provinces and wards from the `vietnam-provinces` package (post-July-2025 data).

We read the package's nested JSON rather than importing its generated
`lookup` module: one json.load (~6 ms) yields provinces with their wards
already grouped, which is the shape the directory needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gbus.directory import normalise
from gbus.directory.model import Province, Ward

_PROVINCE_TYPE_PREFIX = {"tỉnh": "Tỉnh", "thành phố trung ương": "Thành phố"}


@dataclass(frozen=True, slots=True)
class Divisions:
    provinces: Mapping[str, Province]  # "79" -> Province, in national code order
    wards: Mapping[str, Ward]  # "26734" -> Ward (ward codes are unique nationwide)
    wards_by_province: Mapping[str, tuple[Ward, ...]]  # in ward code order


def default_source() -> Path:
    import vietnam_provinces  # deferred: only the builder needs the package

    return Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH)


def load_divisions(path: Path | None = None) -> Divisions:
    with open(path or default_source(), encoding="utf-8") as handle:
        return divisions_from_records(json.load(handle))


def divisions_from_records(records: Iterable[Mapping[str, Any]]) -> Divisions:
    """Normalise the upstream nested records (a list of provinces, each with `wards`)."""
    provinces: dict[str, Province] = {}
    wards: dict[str, Ward] = {}
    by_province: dict[str, list[Ward]] = {}
    for record in records:
        province = _province(record)
        if province.code in provinces:
            raise ValueError(f"province {province.code} appears twice in the division data")
        provinces[province.code] = province
        members = by_province.setdefault(province.code, [])
        for raw in record.get("wards", ()):
            ward = Ward(
                code=normalise.ward_code(raw["code"]),
                province_code=province.code,
                name=normalise.clean_name(raw["name"]),
                division_type=normalise.clean_name(raw.get("division_type", "")),
            )
            if ward.code in wards:
                raise ValueError(f"ward {ward.code} appears twice in the division data")
            wards[ward.code] = ward
            members.append(ward)
    ordered = dict(sorted(provinces.items()))
    return Divisions(
        provinces=ordered,
        wards=wards,
        wards_by_province={code: tuple(sorted(by_province[code], key=lambda w: w.code)) for code in ordered},
    )


def _province(record: Mapping[str, Any]) -> Province:
    name = normalise.clean_name(record["name"])
    division_type = normalise.clean_name(record.get("division_type", ""))
    # Upstream spells provinces "Cao Bằng" but cities "Thành phố Hà Nội"; an
    # agency name needs the unit type either way ("Ủy ban nhân dân Tỉnh Cao Bằng").
    prefix = _PROVINCE_TYPE_PREFIX.get(division_type, "")
    if prefix and name.startswith(prefix + " "):
        short = name[len(prefix) + 1 :]
    else:
        short = name
        name = f"{prefix} {name}" if prefix else name
    return Province(
        code=normalise.province_code(record["code"]),
        name=name,
        short_name=short,
        division_type=division_type,
    )
