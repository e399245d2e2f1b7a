"""The situation report as a person sees it: HTML rendered by headless Chromium on a phone-sized
screen, and the PDF turned into page images. The numbers a reader looks for are found in what
was rendered, and each matches a count made here from the generator's log."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image

from gbus.situation.figures import Names, build_report
from gbus.situation.html_page import render_html
from gbus.situation.pdf_pages import render_pdf
from gbus.situation.weeks import Week
from support.situation_traffic import CLOCK, HOTSPOT_TITLE, generated

WEEK = Week.parse("2026-W49")
NAMES = Names(place=lambda code: {"79": "Thành phố Hồ Chí Minh", "79.26743": "Phường Bến Thành",
                                  "79.26740": "Phường Sài Gòn", "79.26737": "Phường Tân Định"}.get(code))  # fmt: skip


def _tool(name: str) -> str:
    """The tool's path; a clean skip on a developer's machine without it, a failure on CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (deploy/scripts/install-system-deps.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def traffic():
    return generated(WEEK)


@pytest.fixture(scope="module")
def report(traffic):
    return build_report(traffic.histories(), area="79", week=WEEK, now=datetime(2026, 12, 8, tzinfo=timezone.utc),
                        clock=CLOCK, names=NAMES)  # fmt: skip


def _expected(traffic) -> dict[str, int]:
    week = [r for r in traffic.truth.reports if WEEK.start <= r["at"] < WEEK.end]
    previous = [r for r in traffic.truth.reports if WEEK.shifted(-1).start <= r["at"] < WEEK.shifted(-1).end]
    return {
        "total": len(week),
        "change": len(week) - len(previous),
        "ben_thanh": Counter(r["ward"] for r in week)["26743"],
        "hotspot_reporters": sum(1 for r in traffic.truth.reports if r["title"] == HOTSPOT_TITLE),
        "ratings": sum(1 for r in traffic.truth.ratings if WEEK.start <= r["at"] < WEEK.end),
    }


def _ink(png: Path) -> float:
    """Share of pixels that are not (nearly) white."""
    image = Image.open(png).convert("L")
    pixels = list(image.get_flattened_data())
    return sum(1 for p in pixels if p < 240) / len(pixels)


def _text_of_pdf(pdf: Path) -> str:
    return subprocess.run(
        [_tool("pdftotext"), "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_html_renders_on_a_phone_with_the_key_numbers_in_its_text(traffic, report, tmp_path):
    chromium = _tool("chromium")
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    shot, printed = tmp_path / "phone.png", tmp_path / "printed.pdf"
    common = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]
    subprocess.run([*common, "--window-size=412,2000", f"--screenshot={shot}", page.as_uri()], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    subprocess.run([*common, "--no-pdf-header-footer", f"--print-to-pdf={printed}", page.as_uri()], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    image = Image.open(shot)
    assert image.size == (412, 2000)
    assert _ink(shot) > 0.05  # not blank: text, cards and bars
    assert (192, 57, 43) in {
        p[:3] for p in image.convert("RGB").get_flattened_data()
    }  # this week's red bars were drawn

    text = " ".join(_text_of_pdf(printed).split())  # what Chromium laid out, as a reader sees it
    expected = _expected(traffic)
    assert "Báo cáo tình hình dư luận tuần 2026-W49" in text
    assert f"Phản ánh, kiến nghị trong tuần {expected['total']}" in text
    assert f"So với tuần trước {expected['change']:+d}" in text
    assert f"Phường Bến Thành {expected['ben_thanh']}" in text
    assert HOTSPOT_TITLE.split()[0] in text and f" {expected['hotspot_reporters']} " in text
    assert f"Lượt đánh giá của công dân {expected['ratings']}" in text
    assert "ngập nước" in text  # the rising topic, with its diacritics


def test_the_pdf_pages_render_as_images_with_the_same_numbers(traffic, report, tmp_path):
    pdftoppm = _tool("pdftoppm")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(report))
    subprocess.run([pdftoppm, "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5  # cover, four charts, then the tables
    assert all(_ink(p) > 0.002 for p in pages)
    assert _ink(pages[1]) > 0.02  # the weekly chart is drawn
    text = " ".join(_text_of_pdf(pdf).split())
    expected = _expected(traffic)
    assert f"Phản ánh, kiến nghị trong tuần: {expected['total']} ({expected['change']:+d} so với tuần trước)" in text
    assert f"Lượt đánh giá của công dân: {expected['ratings']}" in text
    assert "Phường Bến Thành" in text and "Mức hài lòng của công dân theo cơ quan" in text
