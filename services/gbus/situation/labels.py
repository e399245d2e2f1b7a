"""Vietnamese labels of the vocabulary, for the report's readers. Pure."""

from __future__ import annotations

from gbus.domain.kinds import KIND_POLICIES
from gbus.open311.catalog import service

KIND_LABELS = {p.code: p.label for p in KIND_POLICIES}
CHANNEL_LABELS = {
    "cong_dvc": "Cổng dịch vụ công",
    "hotline_1022": "Tổng đài 1022",
    "tiep_cong_dan": "Tiếp công dân",
    "mttq": "Mặt trận Tổ quốc",
    "cong_doan": "Công đoàn",
    "mang_xa_hoi": "Mạng xã hội",
    "zalo": "Zalo",
    "buu_chinh": "Bưu chính",
    "app_cong_dan": "Ứng dụng công dân",
}
SECTOR_LABELS = {"gov": "Chính quyền", "party": "Đảng", "front": "Mặt trận", "union": "Đoàn thể"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def category_label(category: str) -> str:
    found = service(category)  # the Open311 catalogue already names every category in Vietnamese
    return found.service_name if found else category
