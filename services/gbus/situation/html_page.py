"""The report as one self-contained HTML page (inline SVG charts, no script), readable on a phone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from gbus.situation.charts import all_charts, svg
from gbus.situation.figures import headline
from gbus.situation.tables import TABLES, Table

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;padding:12px;color:#222;max-width:960px;margin:auto;line-height:1.4}
h1{font-size:1.35rem;margin:.2rem 0}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:2px solid #c0392b}
.meta{color:#555;font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px;margin:12px 0}
.card{background:#f6f6f6;border-radius:8px;padding:10px}.card b{display:block;font-size:1.6rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:4px 6px;border-bottom:1px solid #ddd;text-align:left}td.n{text-align:right;white-space:nowrap}
svg{width:100%;height:auto}.empty{color:#777;font-style:italic}
"""


def render_html(report: Mapping[str, Any]) -> str:
    h = headline(report)
    cards = [
        ("Phản ánh, kiến nghị trong tuần", h["reports"]),
        ("So với tuần trước", f"{h['change']:+d}"),
        ("Trung bình 8 tuần", _num(h["avg_8_weeks"])),
        ("Vụ việc quá hạn", h["overdue"]),
        ("Điểm nóng mới", h["new_hotspots"]),
        ("Lượt đánh giá của công dân", h["ratings"]),
    ]
    parts = [
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Báo cáo tình hình tuần {escape(report['week'])} — {escape(report['area_name'])}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Báo cáo tình hình dư luận tuần {escape(report['week'])}</h1>",
        f'<p class="meta">{escape(report["area_name"])} · từ {escape(report["period"]["from"][:10])} '
        f"đến hết {escape(_day_before(report['period']['to']))} · số liệu hạn xử lý tính đến {escape(report['as_of'][:16].replace('T', ' '))}</p>",
        '<div class="cards">',
        *(f'<div class="card">{escape(label)}<b>{escape(str(value))}</b></div>' for label, value in cards),
        "</div>",
        "<h2>Biểu đồ</h2>",
        *(f"<figure>{svg(fig)}</figure>" for fig in all_charts(report)),
    ]
    for table in TABLES:
        parts.append(_table_html(table, table.rows(report)))
    parts.append("<p class=\"meta\">Báo cáo không chứa thông tin nhận dạng người phản ánh. "
                 "Số người phản ánh được đếm qua mã băm, không qua họ tên hay số điện thoại.</p></body></html>")  # fmt: skip
    return "\n".join(parts)


def _table_html(table: Table, rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    if not rows:
        return f'<h2>{escape(table.title)}</h2><p class="empty">Không có trong tuần.</p>'
    body = "".join(
        "<tr>" + "".join(f"<td class=\"n\">{escape(_num(v))}</td>" if isinstance(v, (int, float)) else f"<td>{escape(_num(v))}</td>"
                         for v in row) + "</tr>"
        for row in rows
    )  # fmt: skip
    return f'<h2>{escape(table.title)}</h2><div class="scroll"><table><tr>{head}</tr>{body}</table></div>'


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")  # Vietnamese decimal comma
    return str(value)


def _day_before(iso: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(iso[:10]) - timedelta(days=1)).isoformat()
