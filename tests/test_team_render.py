"""Team workbooks as a person sees them: the demo's workbooks rendered by LibreOffice to PDF (issue 15, item 6).

The demo's largest department (customer service: 15 KRs, the longest texts, comments and a milestone) and
sales (a target of 3,000,000,000 ₫). To look at the pages yourself:

    okrsheets demo /tmp/okr-demo --as-of 2026-11-15
    soffice --headless --convert-to pdf --outdir /tmp/okr-demo /tmp/okr-demo/okr-data/2026-Q4/sales.xlsx
    pdftoppm -png -r 60 /tmp/okr-demo/sales.pdf /tmp/okr-demo/sales
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.sheets.team_workbook import COL

from .conftest import soffice_convert
from .helpers.workbooks import rows_by_id

A4 = (595.0, 842.0)  # points, portrait; within a point


def poppler_or_skip(tool: str) -> str:
    """A poppler tool (pdftotext, pdfinfo, pdffonts); skipped when absent, but a failure in CI."""
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not on PATH; CI must install poppler-utils")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return found

DEPARTMENTS = {"customer-service": "Phòng Dịch vụ và Chăm sóc khách hàng", "sales": "Phòng kinh doanh"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """{department key: (workbook, PDF)}."""
    folder = tmp_path_factory.mktemp("team-render") / "demo"
    result = CliRunner().invoke(cli, ["demo", str(folder), "--as-of", "2026-11-15"])
    assert result.exit_code == 0, result.output
    workbooks = [folder / "okr-data" / "2026-Q4" / f"{key}.xlsx" for key in DEPARTMENTS]
    work = tmp_path_factory.mktemp("team-pdf")
    pdfs = soffice_convert(workbooks, "pdf", work, work)
    return {key: (workbook, pdf) for key, workbook, pdf in zip(DEPARTMENTS, workbooks, pdfs)}


def text_of(pdf: Path) -> str:
    return subprocess.run([poppler_or_skip("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def words_of(pdf: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    """(x min, y min, x max, y max, word) of every word on ``page``, as pdftotext -bbox gives them."""
    html = subprocess.run([poppler_or_skip("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = []
    for element in ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", html).replace('xmlns="http://www.w3.org/1999/xhtml"', "")).iter("word"):
        words.append((*(float(element.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")), element.text or ""))
    return words


@pytest.mark.parametrize("key", DEPARTMENTS)
def test_no_value_shows_as_hashes_the_billions_show_in_full_and_hidden_columns_not_at_all(rendered, key):
    text = text_of(rendered[key][1])
    assert "###" not in text
    # nothing of the hidden columns: LibreOffice printed the code column's "increase" beside the last column
    assert not re.search(r"\b(increase|decrease|at_least|at_most|milestone|objective)\b", text)
    if key == "sales":
        assert re.search(r"3[.,]000[.,]000[.,]000 ₫", text)  # the target, grouped


@pytest.mark.parametrize("key", DEPARTMENTS)
def test_every_page_is_a4_and_names_company_department_quarter_and_page(rendered, key):
    pdf = rendered[key][1]
    info = subprocess.run([poppler_or_skip("pdfinfo"), "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = [tuple(map(float, m)) for m in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    # the OKR sheet on one landscape page (README: "fits the width of A4 landscape"), the guide on one portrait page
    assert [(round(w), round(h)) for w, h in sizes] == [(round(A4[1]), round(A4[0])), (round(A4[0]), round(A4[1]))]
    pages = [page for page in text_of(pdf).split("\f") if page.strip()]
    assert len(pages) == 2
    for number, page in enumerate(pages, 1):
        assert "Công ty TNHH Demo Hoa Sen" in page and f"{DEPARTMENTS[key]} · Quý 2026-Q4" in page
        assert f"Trang {number} / 2" in page


@pytest.mark.parametrize("key", DEPARTMENTS)
def test_fonts_are_sans_serif(rendered, key):
    fonts = subprocess.run([poppler_or_skip("pdffonts"), str(rendered[key][1])], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    names = [line.split()[0].split("+")[-1] for line in fonts]
    assert names and all(re.search(r"Sans|Carlito|Calibri|Arial|Helvetica", n) and "Serif" not in n for n in names), names


@pytest.mark.parametrize("key", DEPARTMENTS)
def test_each_key_result_text_stays_inside_its_row(rendered, key):
    """Every word LibreOffice draws in the KR text column between one row's ID and the next is that KR's
    text, in order: a text taller than its row would run into the next row's band."""
    workbook, pdf = rendered[key]
    ws = openpyxl.load_workbook(workbook)["OKR"]
    rows = rows_by_id(ws)
    texts = {item: ws.cell(row, COL["text"]).value for item, row in rows.items()}
    words = words_of(pdf)
    ids = sorted((y0, word) for x0, y0, x1, y1, word in words if word in texts)
    assert [word for _, word in ids] == list(rows)  # every row on page 1, in order
    text_left = max(x1 for x0, y0, x1, y1, word in words if word in texts)
    kind_left = min(x0 for x0, y0, x1, y1, word in words if word in ("Tăng", "Giảm", "Tối", "Mốc") and x0 > text_left + 50)
    checked = 0
    for (top, item), (bottom, _) in zip(ids, [*ids[1:], (10_000.0, "")]):
        if "." not in item:
            continue
        band = sorted((round(y0), x0, word, y1) for x0, y0, x1, y1, word in words
                      if text_left < x0 and x1 <= kind_left + 1 and top - 2 <= y0 < bottom - 2)
        assert " ".join(word for _, _, word, _ in band) == " ".join(texts[item].split()), item
        assert all(y1 <= bottom + 1 for *_, y1 in band), item  # nothing drawn below the row's bottom
        checked += 1
    assert checked == 15
