"""The demo's company summary as a person sees it: rendered by LibreOffice to PDF, and its chart XML.

To look at the pages yourself:

    okrsheets demo /tmp/okr-demo --as-of 2026-11-15
    soffice --headless --convert-to pdf --outdir /tmp/okr-demo /tmp/okr-demo/okr-data/2026-Q4/company-summary.xlsx
    pdftoppm -png -r 60 /tmp/okr-demo/company-summary.pdf /tmp/okr-demo/page
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets import i18n
from okrsheets.backends.excel_summary import read_history
from okrsheets.cli.main import cli
from okrsheets.sheets.summary import GRADE_BAR

from .conftest import soffice_convert

AS_OF = "2026-11-15"
A4 = (595.0, 842.0)  # points, portrait; within a point


def poppler_or_skip(tool: str) -> str:
    """A poppler tool (pdftotext, pdfinfo); skipped when absent, but a failure in CI."""
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not on PATH; CI must install poppler-utils")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("render") / "demo"
    result = CliRunner().invoke(cli, ["demo", str(folder), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    return folder / "okr-data" / "2026-Q4" / "company-summary.xlsx"


@pytest.fixture(scope="module")
def pdf(demo: Path, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("pdf")
    [rendered] = soffice_convert([demo], "pdf", work, work)
    return rendered


@pytest.fixture(scope="module")
def text(pdf: Path) -> str:
    return subprocess.run([poppler_or_skip("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_no_value_shows_as_hashes(text: str):
    assert "###" not in text  # a number too wide for its column, e.g. a VND target of billions
    assert "3.000.000.000" in text or "3,000,000,000" in text  # the demo's VND targets, in full


def test_every_page_is_a4(pdf: Path):
    info = subprocess.run([poppler_or_skip("pdfinfo"), "-f", "1", "-l", "999", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    sizes = [tuple(sorted(map(float, m))) for m in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    assert len(sizes) >= 7  # every visible sheet prints
    assert all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in sizes), sizes


def test_title_block_header_and_footer_are_on_the_pages(text: str):
    first = text.split("\f")[0]
    for words in ("Báo cáo OKR: Công ty TNHH Demo Hoa Sen", "Tính đến ngày", "15/11/2026", "Điểm công ty",
                  "Tiến độ kỳ vọng", "49%", "Quý 2026-Q4", "Thay đổi 7 ngày",
                  "Điểm theo phòng ban (nét đứt: tiến độ kỳ vọng 49%)"):
        assert words in first, words
    pages = [page for page in text.split("\f") if page.strip()]
    assert all("Công ty TNHH Demo Hoa Sen" in page and f"Trang {n} / {len(pages)}" in page
               for n, page in enumerate(pages, 1))


def test_data_issues_name_the_file_not_the_server_path(text: str, demo: Path):
    assert "design.xlsx" in text and str(demo.parent) not in text


def test_the_history_chart_shows_four_weekly_nights_with_a_trend(demo: Path):
    history = read_history(demo)
    assert [h["date"] for h in history] == [date(2026, 10, 25), date(2026, 11, 1), date(2026, 11, 8),
                                            date(2026, 11, 15)]
    scores = [h["score"] for h in history]
    assert scores == sorted(scores) and scores[0] < scores[-1]  # the teams make progress week by week
    with zipfile.ZipFile(demo) as archive:
        xml = archive.read("xl/charts/chart2.xml").decode("utf-8")
    assert "<c:dateAx>" in xml and '<c:baseTimeUnit val="days"/>' in xml
    assert "'Lịch sử'!$A$3:$A$6" in xml  # four points on every line
    assert xml.count("<c:ser>") == 15 and xml.count('<c:symbol val="circle"/>') == 15  # company + 14 departments


def test_the_department_bars_are_sorted_and_coloured_by_grade(demo: Path):
    with zipfile.ZipFile(demo) as archive:
        xml = archive.read("xl/charts/chart1.xml").decode("utf-8")
    assert '<c:barDir val="bar"/>' in xml and '<c:orientation val="maxMin"/>' in xml
    first, last = map(int, re.search(r"'Tổng quan'!\$B\$(\d+):\$B\$(\d+)", xml).groups())
    overview = openpyxl.load_workbook(demo)["Tổng quan"]
    scores = [overview.cell(r, 2).value for r in range(first, last + 1)]
    assert len(scores) == 14 and scores == sorted(scores, reverse=True)
    grade_of = {label: grade for grade, label in i18n.GRADE["vi"].items()}
    grades = [grade_of[overview.cell(r, 4).value] for r in range(first, last + 1)]
    bars = xml.split("</c:ser>")[0]
    colours = re.findall(r'<c:dPt><c:idx val="\d+"/>.*?<a:srgbClr val="([0-9A-F]{6})"/>', bars)
    assert colours == [GRADE_BAR[g] for g in grades]
    assert len(set(grades)) >= 2  # the demo has departments of more than one grade
    assert '<c:showVal val="1"/>' in bars and "Tiến độ kỳ vọng 49%" in xml  # value labels and the pace
