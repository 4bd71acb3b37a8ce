"""Tests for okrsheets.backends.excel_summary: the company summary workbook and its history."""

from __future__ import annotations

import logging
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

from okrsheets import i18n
from okrsheets.errors import WorkbookLockedError
from okrsheets.core.results import DepartmentResult
from okrsheets.core.scoring import ScoringSettings
from okrsheets.backends.excel_summary import read_history, write_summary

from .conftest import soffice_convert
from .helpers.summary import AS_OF, EXPECTED, HOSTILE, SETTINGS, department, engineering, hr, kr, rollup, sales, write

TITLES = {
    "vi": ["Tổng quan", "Mục tiêu", "Kết quả then chốt", "Có rủi ro", "Lịch sử", "Vấn đề dữ liệu"],
    "en": ["Overview", "Objectives", "Key results", "At risk", "History", "Data issues"],
}


def rows(ws, first: int = 2) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


# --- sheets and content ---


@pytest.mark.parametrize("language", ["vi", "en"])
def test_sheets_have_localized_titles(tmp_path, language):
    path = write(tmp_path, rollup(language=language))
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == TITLES[language]
    overview = workbook[TITLES[language][0]]
    assert overview["A1"].value == ("Company" if language == "en" else "Công ty")
    assert overview["D10"].value == i18n.status_label("at_risk", language)  # Kinh doanh's status


def test_overview_numbers_match_the_result(tmp_path):
    result = rollup()
    ws = openpyxl.load_workbook(write(tmp_path, result))["Tổng quan"]
    assert [ws.cell(r, 2).value for r in (1, 2)] == ["Công ty CP Ánh Dương", "2025-Q2"]
    assert ws["B3"].value.date() == AS_OF and ws["B3"].is_date
    assert ws["B4"].value == EXPECTED and ws["B5"].value == 0.46
    assert ws["B5"].number_format == "0%"
    assert ws["B5"].fill.fgColor.rgb == i18n.GRADE_FILL["yellow"]
    assert ws["B6"].value == "Vàng" and ws["B6"].fill.fgColor.rgb == i18n.GRADE_FILL["yellow"]
    assert [c.value for c in ws[9]] == ["Phòng ban", "Điểm", "Xếp loại", "Trạng thái", "Hoàn thành",
                                        "Đúng tiến độ", "Có rủi ro", "Chậm tiến độ", "Chưa cập nhật",
                                        "Số vấn đề dữ liệu"]
    table = rows(ws, 10)
    for row, dept in zip(table, result.departments, strict=True):
        counts = dept.count_by_status()
        assert row[:4] == [dept.name, dept.score, i18n.grade_label(dept.grade, "vi"),
                           i18n.status_label(dept.status, "vi")]
        assert row[4:9] == [counts[s] for s in ("done", "on_track", "at_risk", "off_track", "no_data")]
        assert row[9] == len(result.issues_for(dept.key))
    assert table[0][4:10] == [1, 1, 1, 1, 0, 0] and table[1][9] == 1
    assert ws["C12"].fill.fgColor.rgb == i18n.GRADE_FILL["red"]  # Nhân sự's grade cell


def test_objectives_and_key_results_list_everything(tmp_path):
    workbook = openpyxl.load_workbook(write(tmp_path))
    objectives = rows(workbook["Mục tiêu"])
    assert len(objectives) == 6
    assert objectives[1] == ["Kinh doanh", "O2", "Giữ chân nhân tài", 2, 0.42, "Vàng", "Có rủi ro"]
    ws = workbook["Kết quả then chốt"]
    krs = rows(ws)
    assert len(krs) == 9
    assert krs[4][:11] == ["Kỹ thuật", "O1", "O1.KR1", "Kết quả O1.KR1: tăng tỷ lệ khách hàng quay lại",
                           "Giảm", "ngày", 10, 2, 2.8, 0.9, "Đúng tiến độ"]
    assert krs[6][8] == "#N/A" and ws["I8"].data_type == "s"  # unreadable check-in: the typed text
    assert ws["N2"].is_date and ws["N2"].value == datetime(2025, 5, 10)
    assert ws["J2"].number_format == "0%"


def test_at_risk_sheet_is_worst_gap_first_without_on_track_or_done(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["Có rủi ro"]
    table = rows(ws)
    assert [(r[0], r[2]) for r in table] == [
        ("Kinh doanh", "O2.KR2"), ("Kỹ thuật", "O1.KR2"), ("Kinh doanh", "O2.KR1"), ("Nhân sự", "O1.KR1")]
    gaps = [r[6] for r in table]
    assert gaps == sorted(gaps, reverse=True)
    assert table[0][1] == "Nguyễn Lan, Trần Minh"
    assert table[0][4:6] == [0.05, EXPECTED] and {r[7] for r in table} == {"Có rủi ro", "Chậm tiến độ"}


def test_data_issues_sheet(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path, rollup(language="en")))["Data issues"]
    assert [c.value for c in ws[1]] == ["Department", "File", "Sheet", "Cell", "Value found", "Problem",
                                        "How to fix"]
    assert rows(ws) == [["Kỹ thuật", "eng.xlsx", "OKR", "G14", "#N/A", "Ô chứa lỗi #N/A.", "Nhập một số, ví dụ 12,5."],
                        ["Nhân sự", "hr.xlsx", "OKR", "G9", HOSTILE[5], "Giá trị không phải là số.", "Xoá công thức."]]


def test_team_text_is_never_a_formula(tmp_path):
    renamed = department("ops", "=SUM(1,2)", 0.5, "yellow", "at_risk",
                         [kr("ops", "O1.KR1", "at_risk", 0.3, comment="-1", confidence="=1+1")])
    path = write(tmp_path, rollup([sales(), engineering(), hr(), renamed]))
    workbook = openpyxl.load_workbook(path)
    comments = [r[12] for r in rows(workbook["Kết quả then chốt"]) if r[12] is not None]
    assert set(HOSTILE[:5]) <= set(comments)
    seen = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t#":
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate}"
                    assert cell.quotePrefix or cell.value.startswith("#")
                    seen.add(cell.value)
    assert set(HOSTILE) | {"=SUM(1,2)", "=1+1", "-1"} <= seen


# --- history ---


def history_sheet(path: Path):
    return openpyxl.load_workbook(path)["Lịch sử"]


def test_same_date_replaces_the_row_and_next_date_adds_one(tmp_path):
    path = write(tmp_path, rollup(score=0.40))
    write(tmp_path, rollup([sales(0.5), engineering(0.8), hr(0.3)], score=0.55))
    history = read_history(path)
    assert history == [{"date": AS_OF, "score": 0.55, "departments": {"sales": 0.5, "eng": 0.8, "hr": 0.3}}]
    write(tmp_path, rollup([sales(0.6), engineering(0.8), hr(0.35)], as_of=AS_OF + timedelta(days=1), score=0.6))
    assert [(h["date"], h["score"]) for h in read_history(path)] == [(AS_OF, 0.55), (AS_OF + timedelta(days=1), 0.6)]
    ws = history_sheet(path)
    assert [c.value for c in ws[2]] == ["Ngày", "Điểm công ty", "Kinh doanh", "Kỹ thuật", "Nhân sự"]
    assert ws.row_dimensions[1].hidden and ws.freeze_panes == "A3"
    assert ws["A4"].is_date and ws["C4"].value == 0.6 and ws["C4"].number_format == "0%"


def test_old_rows_survive_a_removed_department_and_rows_stay_sorted(tmp_path):
    path = write(tmp_path, rollup(as_of=date(2025, 5, 10), score=0.3))
    write(tmp_path, rollup(as_of=date(2025, 5, 12), score=0.4))
    write(tmp_path, rollup([sales(0.7), hr(0.4)], as_of=date(2025, 5, 11), score=0.5, issues=()))
    history = read_history(path)
    assert [h["date"] for h in history] == [date(2025, 5, 10), date(2025, 5, 11), date(2025, 5, 12)]
    assert history[0]["departments"] == {"sales": 0.42, "eng": 0.75, "hr": 0.2}
    assert history[1]["departments"] == {"sales": 0.7, "hr": 0.4}
    ws = history_sheet(path)
    assert [c.value for c in ws[1]] == ["#date", "#score", "sales", "eng", "hr"]
    assert [c.value for c in ws[2]][3] == "Kỹ thuật" and ws["D4"].value is None
    assert "Kỹ thuật" not in [r[0] for r in rows(openpyxl.load_workbook(path)["Tổng quan"], 10)]


def test_history_columns_are_matched_by_key_across_renames_and_languages(tmp_path):
    path = write(tmp_path)
    renamed = department("sales", "Sales & Marketing", 0.9, "green", "on_track", [kr("sales", "O1.KR1", "done", 1.0)])
    write(tmp_path, rollup([renamed, department("ops", "Vận hành", 0.5, "yellow", "at_risk", [])],
                           as_of=AS_OF + timedelta(days=7), language="en"))
    ws = openpyxl.load_workbook(path)["History"]
    assert [c.value for c in ws[1]] == ["#date", "#score", "sales", "eng", "hr", "ops"]
    assert [c.value for c in ws[2]] == ["Date", "Company score", "Sales & Marketing", "Kỹ thuật", "Nhân sự", "Vận hành"]
    assert [r["departments"] for r in read_history(path)] == [
        {"sales": 0.42, "eng": 0.75, "hr": 0.2}, {"sales": 0.9, "ops": 0.5}]


def test_history_survives_while_the_rest_is_rebuilt(tmp_path):
    path = write(tmp_path, rollup(as_of=date(2025, 4, 1)))
    write(tmp_path, rollup([hr()], as_of=date(2025, 4, 2), issues=()))
    workbook = openpyxl.load_workbook(path)
    assert len(rows(workbook["Kết quả then chốt"])) == 2
    assert rows(workbook["Vấn đề dữ liệu"]) == []
    assert len(rows(workbook["Lịch sử"], 3)) == 2


def test_an_unreadable_department_leaves_a_gap_in_history(tmp_path):
    unreadable = DepartmentResult(key="hr", name="Nhân sự", owners=(), weight=1.0, score=0.0, grade="red",
                                  status="no_data", objectives=(), key_results=(), source="hr.xlsx", readable=False)
    path = write(tmp_path, rollup([sales(), unreadable]))
    assert read_history(path)[0]["departments"] == {"sales": 0.42}
    assert "Nhân sự" in [r[0] for r in rows(openpyxl.load_workbook(path)["Tổng quan"], 10)]


def test_read_history_of_a_missing_file_is_empty(tmp_path):
    assert read_history(tmp_path / "company-summary.xlsx") == []


def test_unreadable_summary_is_kept_aside_and_history_restarts(tmp_path, caplog):
    path = tmp_path / "company-summary.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with caplog.at_level(logging.WARNING, logger="okrsheets"):
        write_summary(rollup(), path, SETTINGS)
    aside = list(tmp_path.glob("company-summary.corrupt-*.xlsx"))
    assert len(aside) == 1 and aside[0].read_bytes() == b"PK\x03\x04 not really a workbook"
    assert any(aside[0].name in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert [h["date"] for h in read_history(path)] == [AS_OF]


# --- safe writing ---


@pytest.mark.parametrize("lock_name", ["~$company-summary.xlsx", ".~lock.company-summary.xlsx#"])
def test_refuses_a_summary_open_in_excel_or_libreoffice(tmp_path, lock_name):
    path = write(tmp_path)
    before = path.read_bytes()
    (tmp_path / lock_name).write_text("someone")
    with pytest.raises(WorkbookLockedError):
        write_summary(rollup(as_of=AS_OF + timedelta(days=1)), path, SETTINGS)
    assert path.read_bytes() == before


def test_write_is_atomic(tmp_path):
    path = write(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["company-summary.xlsx"]
    before = path.read_bytes()
    aware = datetime(2025, 5, 10, 9, 0, tzinfo=timezone.utc)  # openpyxl refuses it while saving
    broken = department("ops", "Vận hành", 0.5, "yellow", "at_risk", [kr("ops", "O1.KR1", "at_risk", 0.3, last_update=aware)])
    with pytest.raises(TypeError):
        write_summary(rollup([sales(), broken], as_of=AS_OF + timedelta(days=1)), path, SETTINGS)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["company-summary.xlsx"]


# --- formatting, charts, LibreOffice ---


def test_formatting_and_print_setup(tmp_path):
    workbook = openpyxl.load_workbook(write(tmp_path))
    for ws in workbook.worksheets:
        header = 9 if ws.title == "Tổng quan" else 2 if ws.title == "Lịch sử" else 1
        assert ws.freeze_panes == f"A{header + 1}", ws.title
        assert ws.auto_filter.ref.startswith(f"A{header}:"), ws.title
        assert all(c.font.bold for c in ws[header] if c.value is not None), ws.title
        # Fit to one page wide, any number tall; an absent fitToWidth means 1 (the OOXML default).
        assert ws.page_setup.orientation == "landscape" and (ws.page_setup.fitToWidth or 1) == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    krs = workbook["Kết quả then chốt"]
    assert krs["D2"].alignment.wrap_text and krs.column_dimensions["D"].width >= 40
    assert 8 <= krs.column_dimensions["A"].width <= 40
    rules = {str(r.sqref): r.rules for r in krs.conditional_formatting}
    formulas = [rule.formula[0] for rule in rules["J2:J10"]]
    assert formulas == ["AND(ISNUMBER(J2),J2<0.4)", "AND(ISNUMBER(J2),AND(J2>=0.4,J2<0.7))",
                        "AND(ISNUMBER(J2),J2>=0.7)"]


def test_conditional_fill_uses_the_settings_bands(tmp_path):
    path = tmp_path / "company-summary.xlsx"
    write_summary(rollup(), path, ScoringSettings(red_below=0.25, green_from=0.9))
    ws = openpyxl.load_workbook(path)["Mục tiêu"]
    formulas = [rule.formula[0] for cf in ws.conditional_formatting for rule in cf.rules]
    assert "AND(ISNUMBER(E2),E2<0.25)" in formulas and "AND(ISNUMBER(E2),E2>=0.9)" in formulas


def test_charts_are_in_the_file(tmp_path):
    with zipfile.ZipFile(write(tmp_path)) as archive:
        names = set(archive.namelist())
        assert {"xl/charts/chart1.xml", "xl/charts/chart2.xml"} <= names
        charts = archive.read("xl/charts/chart1.xml") + archive.read("xl/charts/chart2.xml")
    assert b"barChart" in charts and b"lineChart" in charts


def test_libreoffice_opens_the_summary(tmp_path):
    [pdf] = soffice_convert([write(tmp_path)], "pdf", tmp_path / "pdf", tmp_path)
    assert pdf.stat().st_size > 1000