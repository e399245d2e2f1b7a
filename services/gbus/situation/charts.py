"""The report's charts, drawn with matplotlib: the same figures go into the HTML (as SVG) and the PDF.

Text stays text in the SVG (`svg.fonttype: none`), so the page's numbers and
Vietnamese labels can be searched and read by a screen reader; DejaVu Sans,
shipped with matplotlib, has every Vietnamese letter.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")  # no display: charts are files

from matplotlib.figure import Figure  # noqa: E402 - after the backend is chosen

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

STYLE: dict[RcKeyType, Any] = {"font.family": "DejaVu Sans", "font.size": 11, "svg.fonttype": "none", "axes.spines.top": False,
         "axes.spines.right": False}  # fmt: skip
THIS_WEEK, AVERAGE = "#c0392b", "#95a5a6"


def weekly_totals(report: Mapping[str, Any]) -> Figure:
    rows = report["volumes"]["weekly_totals"]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(4.8, 2.8), layout="constrained")
        ax = fig.add_subplot()
        labels = [r["week"].split("-")[1] for r in rows]
        values = [r["reports"] for r in rows]
        colours = [AVERAGE] * (len(rows) - 1) + [THIS_WEEK]
        bars = ax.bar(labels, values, color=colours)
        ax.bar_label(bars, padding=2)
        ax.set_title("Số phản ánh, kiến nghị theo tuần")
        ax.set_ylabel("số đơn")
        ax.margins(y=0.15)
    return fig


def this_week_against_average(rows: Sequence[Mapping[str, Any]], title: str, limit: int = 10) -> Figure:
    shown = list(rows)[:limit][::-1]  # largest at the top
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(4.8, 0.5 * max(len(shown), 2) + 1.2), layout="constrained")
        ax = fig.add_subplot()
        y = range(len(shown))
        ax.barh([i + 0.2 for i in y], [r["this_week"] for r in shown], height=0.4, color=THIS_WEEK, label="Tuần này")
        ax.barh(
            [i - 0.2 for i in y], [r["avg_8_weeks"] for r in shown], height=0.4, color=AVERAGE, label="TB 8 tuần trước"
        )
        ax.set_yticks(list(y), [r["label"] for r in shown])
        ax.set_title(title)
        ax.legend(loc="lower right", frameon=False)
    return fig


def svg(fig: Figure) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg")
    text = out.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog: the SVG is inlined in HTML


def all_charts(report: Mapping[str, Any]) -> list[Figure]:
    volumes = report["volumes"]
    return [
        weekly_totals(report),
        this_week_against_average(volumes["by_category"], "Theo lĩnh vực"),
        this_week_against_average(volumes["by_channel"], "Theo kênh tiếp nhận"),
        this_week_against_average(volumes["by_place"], "Theo địa bàn"),
    ]
