"""Text a team typed never becomes a formula, in any file okrsheets writes: one rule
(`sheets.spec.looks_like_formula`), checked here over every writer: the team workbook in Excel and in
Google Sheets, the company summary in Excel and in Google Sheets."""

from __future__ import annotations

import openpyxl
import pytest

from okrsheets.backends.excel import ExcelBackend
from okrsheets.backends.google.render import cell_value
from okrsheets.backends.google.summary_requests import summary_requests
from okrsheets.sheets.spec import FORMULA_STARTS, Cell, SheetSpec, WorkbookSpec, looks_like_formula
from okrsheets.sheets.summary import History, build_summary

from .helpers.nightly import make_config
from .helpers.summary import HOSTILE, SETTINGS, department, kr, rollup, write

# what a team may type that a spreadsheet would run: each starts like a formula
RUNNABLE = HOSTILE[:6] + ["=1+1", "-1", "+1", "@SUM(A1)", "\n=1", "\r=1"]


def test_the_rule_knows_what_a_spreadsheet_would_run():
    assert all(looks_like_formula(text) for text in RUNNABLE)
    for text in ("#N/A", "Kinh doanh", "5%", "12,5", " =1", "'=1", "", "Báo cáo = xong"):
        assert not looks_like_formula(text), text
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r", "\n")


def test_excel_team_workbook_keeps_team_text_as_text(tmp_path):
    backend = ExcelBackend(make_config(tmp_path))
    cells = {(row, 1): Cell(text, style="input", locked=False) for row, text in enumerate(RUNNABLE, start=1)}
    backend.write("sales", WorkbookSpec([SheetSpec("OKR", cells=cells)]))
    ws = openpyxl.load_workbook(backend.path("sales"))["OKR"]
    stored = [(ws.cell(row, 1).value, ws.cell(row, 1).data_type) for row in range(1, len(RUNNABLE) + 1)]
    assert [kind for _, kind in stored] == ["s"] * len(RUNNABLE)  # a string cell ("s"), never a formula ("f")
    # the text as typed (a lone CR is stored escaped, as _x000D_, which openpyxl reads back as such)
    assert [value for (value, _), text in zip(stored, RUNNABLE) if "\r" not in text] == [t for t in RUNNABLE if "\r" not in t]


def test_google_team_workbook_sends_team_text_as_a_string_value():
    for text in RUNNABLE:
        assert cell_value(text, "vi_VN") == {"stringValue": text}


def test_excel_summary_stores_team_text_as_text_with_the_quote_prefix(tmp_path):
    team = department("ops", "=SUM(1,2)", 0.5, "yellow", "at_risk",
                      [kr("ops", f"O1.KR{i}", "at_risk", 0.3, comment=text) for i, text in enumerate(RUNNABLE, start=1)])
    workbook = openpyxl.load_workbook(write(tmp_path, rollup([team])))
    quoted = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, f"{ws.title}!{cell.coordinate}"
                    quoted.add(cell.value)
    assert {"=SUM(1,2)", *(text.replace("\r", "\n") for text in RUNNABLE)} <= quoted


@pytest.mark.parametrize("language", ["vi", "en"])
def test_google_summary_sends_team_text_as_string_values(language):
    team = department("ops", "=SUM(1,2)", 0.5, "yellow", "at_risk",
                      [kr("ops", f"O1.KR{i}", "at_risk", 0.3, comment=text) for i, text in enumerate(RUNNABLE, start=1)])
    result = rollup([team], language=language)
    summary = build_summary(result, History().merged_with(result), SETTINGS)
    requests = summary_requests(summary, {sheet.key: index for index, sheet in enumerate(summary.sheets)}, "vi_VN")
    entered = []

    def walk(node):
        if isinstance(node, dict):
            if "userEnteredValue" in node:
                entered.append(node["userEnteredValue"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(requests)
    strings = {value["stringValue"] for value in entered if "stringValue" in value}
    assert {"=SUM(1,2)", *(text.replace("\r", "\n") for text in RUNNABLE)} <= strings  # line ends as "\n"
    assert not [value for value in entered if "formulaValue" in value and any(t in value["formulaValue"] for t in RUNNABLE)]
