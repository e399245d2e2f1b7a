"""The agency record and the small value types the directory hands out. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Agency:
    id: str  # {sector}.{role}@{area}, e.g. "gov.ubnd@79.26734"
    name: str  # Vietnamese, e.g. "Ủy ban nhân dân Phường Bến Thành"
    sector: str  # gov | party | front | union
    role: str  # e.g. "ubnd", "so-nnmt"
    level: str  # central | province | commune
    area: str  # "VN", "79" or "79.26734"
    superior_id: str | None  # None at the top of a hierarchy

    @property
    def unit(self) -> str:
        """`gov.ubnd` — the sector-qualified role, how rules and templates name a body."""
        return f"{self.sector}.{self.role}"

    @property
    def province(self) -> str | None:
        if self.area == "VN":
            return None
        return self.area[:2]


@dataclass(frozen=True, slots=True)
class Province:
    code: str  # "79"
    name: str  # "Thành phố Hồ Chí Minh", "Tỉnh Cao Bằng"
    short_name: str  # "Hồ Chí Minh", "Cao Bằng"
    division_type: str  # "tỉnh" | "thành phố trung ương"


@dataclass(frozen=True, slots=True)
class Ward:
    code: str  # "26734" (5 digits)
    province_code: str  # "79"
    name: str  # "Phường Bến Thành"
    division_type: str  # "phường" | "xã" | "đặc khu"

    @property
    def area(self) -> str:
        return f"{self.province_code}.{self.code}"
