"""The shared vocabulary of the bus, as plain constants (docs/api.md lists them for member systems).

These spellings are part of the wire contract: they appear in Avro enums,
protobuf string fields, routing rules and member systems' data.
"""

from __future__ import annotations

import re

from gbus.domain.kinds import KIND_POLICIES

# What each kind means legally lives in gbus.domain.kinds; these are its views.
KINDS: tuple[str, ...] = tuple(p.code for p in KIND_POLICIES)

CATEGORIES: tuple[str, ...] = (
    "dat_dai",
    "moi_truong",
    "ha_tang_giao_thong",
    "trat_tu_do_thi",
    "lao_dong_viec_lam",
    "an_sinh_xa_hoi",
    "y_te",
    "giao_duc",
    "an_ninh_trat_tu",
    "tham_nhung_tieu_cuc",
    "thu_tuc_hanh_chinh",
    "dien_nuoc",
    "khac",
    # Added with the 2025 directory (issue 16). Appended, never inserted: the dedup
    # index stores a category as its position in this tuple.
    "tai_chinh_thue",  # finance, taxes, fees, prices
    "thuong_mai_thi_truong",  # trade, markets, counterfeit goods, consumer protection
    "tu_phap_ho_tich",  # justice, civil status, notaries, legal aid
    "van_hoa_du_lich",  # culture, sports, tourism, festivals, press
    "khoa_hoc_cong_nghe",  # science, technology, telecommunications, post
    "dan_toc_ton_giao",  # ethnic and religious affairs
    "toa_an_thi_hanh_an",  # courts, procuracies, enforcement of judgments
)

# Where a category this node does not know is routed and matched: a newer node may
# send one (the schemas carry categories as strings); the report keeps its own
# spelling for storage and display.
FALLBACK_CATEGORY = "khac"
_KNOWN_CATEGORIES = frozenset(CATEGORIES)


def known_category(category: str) -> str:
    """The category itself if this version knows it, else `khac` (never an error)."""
    return category if category in _KNOWN_CATEGORIES else FALLBACK_CATEGORY


CHANNELS: tuple[str, ...] = (
    "cong_dvc",
    "hotline_1022",
    "tiep_cong_dan",
    "mttq",
    "cong_doan",
    "mang_xa_hoi",
    "zalo",
    "buu_chinh",
    "app_cong_dan",
)

SECTORS: tuple[str, ...] = ("gov", "party", "front", "union")

LEVELS: tuple[str, ...] = ("central", "province", "commune")

# The most formal kind among a case's reports decides its routing (gbus.domain.kinds).
KIND_FORMALITY: dict[str, int] = {p.code: p.formality for p in KIND_POLICIES}

# Shard of a case with no province.
NO_PROVINCE_SHARD = "00"
CENTRAL_AREA = "VN"

_AREA_RE = re.compile(r"^(VN|\d{2}|\d{2}\.\d{5})$")
_AGENCY_RE = re.compile(r"^(gov|party|front|union)\.[a-z0-9][a-z0-9-]*@(VN|\d{2}|\d{2}\.\d{5})$")


def is_area(value: str) -> bool:
    return bool(_AREA_RE.match(value))


def is_agency_id(value: str) -> bool:
    return bool(_AGENCY_RE.match(value))


def split_agency_id(agency_id: str) -> tuple[str, str, str]:
    """`gov.ubnd@79.26734` -> ("gov", "ubnd", "79.26734")."""
    unit, _, area = agency_id.partition("@")
    sector, _, role = unit.partition(".")
    return sector, role, area


def area_level(area: str) -> str:
    if area == CENTRAL_AREA:
        return "central"
    if "." in area:
        return "commune"
    return "province"


def province_of_area(area: str) -> str | None:
    """The province code of an area, None for the central level."""
    if area == CENTRAL_AREA:
        return None
    return area.split(".", 1)[0]


def shard_of_province(province_code: str | None) -> str:
    return province_code or NO_PROVINCE_SHARD
