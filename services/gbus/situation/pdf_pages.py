"""The report as PDF pages, drawn by matplotlib: the same charts as the HTML, then the same tables."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from gbus.situation.charts import STYLE, all_charts  # noqa: E402
from gbus.situation.figures import headline  # noqa: E402
from gbus.situation.tables import TABLES  # noqa: E402

A4 = (8.27, 11.69)
ROWS_PER_PAGE = 28


def render_pdf(report: Mapping[str, Any]) -> bytes:
    out = io.BytesIO()
    with matplotlib.rc_context(STYLE), PdfPages(out) as pdf:
        pdf.savefig(_cover(report))
        for chart in all_charts(report):
            pdf.savefig(chart)
        for table in TABLES:
            rows = table.rows(report)
            for start in range(0, max(len(rows), 1), ROWS_PER_PAGE):
                pdf.savefig(_table_page(table.title, table.columns, rows[start : start + ROWS_PER_PAGE]))
        info = pdf.infodict()
        info["Title"] = f"Báo cáo tình hình tuần {report['week']} — {report['area_name']}"
    return out.getvalue()


def _cover(report: Mapping[str, Any]) -> Figure:
    h = headline(report)
    fig = Figure(figsize=A4)
    lines = [
        (f"Báo cáo tình hình dư luận tuần {report['week']}", 18),
        (str(report["area_name"]), 14),
        (f"Từ {report['period']['from'][:10]} · hạn xử lý tính đến {report['as_of'][:16].replace('T', ' ')}", 10),
        ("", 10),
        (f"Phản ánh, kiến nghị trong tuần: {h['reports']} ({h['change']:+d} so với tuần trước)", 12),
        (f"Trung bình 8 tuần trước: {h['avg_8_weeks']}", 12),
        (f"Vụ việc quá hạn: {h['overdue']}", 12),
        (f"Điểm nóng mới: {h['new_hotspots']}", 12),
        (f"Lượt đánh giá của công dân: {h['ratings']}", 12),
        ("", 10),
        ("Báo cáo không chứa thông tin nhận dạng người phản ánh.", 9),
    ]
    y = 0.92
    for text, size in lines:
        fig.text(0.08, y, text, fontsize=size)
        y -= 0.035 if size < 12 else 0.045
    return fig


def _table_page(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Figure:
    fig = Figure(figsize=A4)
    fig.text(0.06, 0.95, title, fontsize=13, weight="bold")
    if not rows:
        fig.text(0.06, 0.9, "Không có trong tuần.", fontsize=10, style="italic")
        return fig
    ax = fig.add_axes((0.04, 0.05, 0.92, 0.87))
    ax.axis("off")
    cells = [[_cell(v) for v in row] for row in rows]
    first = 0.34 if len(columns) > 3 else 0.5  # names and titles need the room
    widths = [first] + [(1 - first) / (len(columns) - 1)] * (len(columns) - 1)
    table = ax.table(cellText=cells, colLabels=[_wrap(c) for c in columns], colWidths=widths, loc="upper left",
                     cellLoc="left")  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    table.scale(1, 1.5)
    for col in range(len(columns)):  # headers wrap onto up to three lines
        header = table[0, col]
        header.set_height(header.get_height() * 2.4)
    return fig


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    text = str(value)
    return text if len(text) <= 48 else text[:47] + "…"


def _wrap(text: str) -> str:
    return text.replace(": ", ":\n").replace(" (", "\n(")
