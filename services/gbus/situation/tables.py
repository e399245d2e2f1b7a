"""The report's tables, declared once for the HTML page and the PDF. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STATUS_LABELS = {
    "ASSIGNED": "Chờ thụ lý", "ACCEPTED": "Đã thụ lý", "IN_PROGRESS": "Đang giải quyết", "RESOLVED": "Đã giải quyết",
    "REOPENED": "Mở lại", "REJECTED": "Không thụ lý", "CLOSED": "Đã đóng", "MERGED": "Đã gộp", "TRANSFERRED": "Chuyển",
}  # fmt: skip

Row = Sequence[Any]


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: Callable[[Mapping[str, Any]], list[Row]]


def _volume(section: str) -> Callable[[Mapping[str, Any]], list[Row]]:
    def rows(report: Mapping[str, Any]) -> list[Row]:
        return [(r["label"], r["this_week"], r["previous_week"], f"{r['change']:+d}", r["avg_8_weeks"])
                for r in report["volumes"][section] if r["this_week"] or r["previous_week"] or r["avg_8_weeks"]]  # fmt: skip

    return rows


_VOLUME_COLUMNS = ("Tuần này", "Tuần trước", "Thay đổi", "TB 8 tuần")

TABLES: tuple[Table, ...] = (
    Table("Theo loại đơn", ("Loại", *_VOLUME_COLUMNS), _volume("by_kind")),
    Table("Theo lĩnh vực", ("Lĩnh vực", *_VOLUME_COLUMNS), _volume("by_category")),
    Table("Theo kênh tiếp nhận", ("Kênh", *_VOLUME_COLUMNS), _volume("by_channel")),
    Table("Theo địa bàn", ("Địa bàn", *_VOLUME_COLUMNS), _volume("by_place")),
    Table(
        "Vụ việc nhiều người phản ánh nhất",
        ("Vụ việc", "Lĩnh vực", "Địa bàn", "Số người", "Trạng thái"),
        lambda r: [
            (c["title"], c["category"], c["place"], c["reporters"], STATUS_LABELS.get(c["status"], c["status"]))
            for c in r["most_reporters"]
        ],  # fmt: skip
    ),
    Table(
        "Điểm nóng mới trong tuần",
        ("Vụ việc", "Địa bàn", "Số người", "Từ ngày"),
        lambda r: [(c["title"], c["place"], c["reporters"], c["since"][:10]) for c in r["new_hotspots"]],
    ),
    Table(
        "Chủ đề nổi lên (so với 4 tuần trước)",
        ("Cụm từ", "Số đơn", "Tỷ lệ tuần này (%)", "4 tuần trước (%)", "Tăng (điểm %)"),
        lambda r: [
            (t["term"], t["reports"], t["share_pct"], t["previous_share_pct"], t["growth_pts"])
            for t in r["rising_topics"]
        ],
    ),
    Table(
        "Quá hạn và sắp đến hạn theo cơ quan",
        ("Cơ quan", "Quá hạn", "Sắp đến hạn (≤ 3 ngày làm việc)"),
        lambda r: [(d["name"], d["overdue"], d["nearly_due"]) for d in r["deadlines"]],
    ),
    Table(
        "Thời gian thụ lý và giải quyết theo cơ quan",
        (
            "Cơ quan",
            "Số thụ lý",
            "Thụ lý: trung vị (giờ)",
            "P90 (giờ)",
            "Số giải quyết",
            "Giải quyết: trung vị (ngày)",
            "P90 (ngày)",
        ),
        lambda r: [
            (
                t["label"],
                t["accepted"],
                t["accept_median_h"],
                t["accept_p90_h"],
                t["resolved"],
                t["resolve_median_d"],
                t["resolve_p90_d"],
            )
            for t in r["timeliness"]["by_agency"]
        ],  # fmt: skip
    ),
    Table(
        "Thời gian thụ lý và giải quyết theo khối",
        (
            "Khối",
            "Số thụ lý",
            "Thụ lý: trung vị (giờ)",
            "P90 (giờ)",
            "Số giải quyết",
            "Giải quyết: trung vị (ngày)",
            "P90 (ngày)",
        ),
        lambda r: [
            (
                t["label"],
                t["accepted"],
                t["accept_median_h"],
                t["accept_p90_h"],
                t["resolved"],
                t["resolve_median_d"],
                t["resolve_p90_d"],
            )
            for t in r["timeliness"]["by_sector"]
        ],  # fmt: skip
    ),
    Table(
        "Mức hài lòng của công dân theo cơ quan",
        ("Cơ quan", "Lượt đánh giá", "Điểm trung bình (1–5)", "Số đánh giá ≤ 2"),
        lambda r: [(s["name"], s["ratings"], s["average"], s["poor"]) for s in r["satisfaction"]],
    ),
)
