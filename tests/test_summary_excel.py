"""Tests for okrsheets.backends.excel_summary: the company summary workbook and its history."""

from __future__ import annotations

import logging
import zipfile
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

from okrsheets import i18n
from okrsheets.errors import WorkbookLockedError
from okrsheets.core.results import DataIssue, DepartmentResult
from okrsheets.core.scoring import ScoringSettings
from okrsheets.backends.excel_summary import read_history, write_summary

from .conftest import soffice_convert
from .helpers.summary import AS_OF, EXPECTED, HOSTILE, SETTINGS, department, engineering, hr, kr, rollup, sales, write

TITLES = {
    "vi": ["Tổng quan", "Mục tiêu", "Kết quả then chốt", "Có rủi ro", "Lâu chưa cập nhật", "Lịch sử", "Vấn đề dữ liệu",
           "Lịch sử KR"],
    "en": ["Overview", "Objectives", "Key results", "At risk", "Stale", "History", "Data issues", "KR history"],
}


def rows(ws, first: int = 2) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


# --- sheets and content ---


@pytest.mark.parametrize("language", ["vi", "en"])
def test_sheets_have_localized_titles(tmp_path, language):
    path = write(tmp_path, rollup(language=language))
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == TITLES[language]
    assert [ws.sheet_state for ws in workbook.worksheets][-1] == "hidden"  # the KR history
    overview = workbook[TITLES[language][0]]
    title = "OKR report" if language == "en" else "Báo cáo OKR"
    assert overview["A1"].value == f"{title}: Công ty CP Ánh Dương"
    assert overview["A12"].value == "Kinh doanh"  # second best score
    assert overview["E12"].value == i18n.status_label("at_risk", language)


def test_overview_numbers_match_the_result(tmp_path):
    result = rollup()
    ws = openpyxl.load_workbook(write(tmp_path, result))["Tổng quan"]
    assert ws["A1"].value == "Báo cáo OKR: Công ty CP Ánh Dương" and ws["A1"].font.sz == 16
    assert [ws.cell(r, 1).value for r in range(2, 9)] == ["Quý", "Tính đến ngày", "Điểm công ty", "Xếp loại",
                                                          "Trạng thái", "Tiến độ kỳ vọng", "Số vấn đề dữ liệu"]
    assert ws["B2"].value == "2025-Q2"
    assert ws["B3"].value.date() == AS_OF and ws["B3"].number_format == "dd/mm/yyyy"
    assert ws["B4"].value == 0.46 and ws["B4"].number_format == "0%"
    assert ws["B4"].fill.fgColor.rgb == i18n.GRADE_FILL["yellow"]
    assert ws["B5"].value == "Vàng" and ws["B5"].fill.fgColor.rgb == i18n.GRADE_FILL["yellow"]
    assert ws["B6"].value == "Có rủi ro" and ws["B7"].value == EXPECTED and ws["B8"].value == 2
    assert int(ws.column_dimensions["A"].width) == len("Số vấn đề dữ liệu") + 3  # the longest label, bold
    assert [c.value for c in ws[10]] == ["Phòng ban", "Điểm", "Thay đổi 7 ngày", "Xếp loại", "Trạng thái",
                                         "Hoàn thành", "Đúng tiến độ", "Có rủi ro", "Chậm tiến độ", "Chưa cập nhật",
                                         "Số vấn đề dữ liệu", "Kỳ vọng"]
    table = rows(ws, 11)
    best_first = sorted(result.departments, key=lambda d: -d.score)
    assert [row[0] for row in table] == ["Kỹ thuật", "Kinh doanh", "Nhân sự"]
    for row, dept in zip(table, best_first, strict=True):
        counts = dept.count_by_status()
        assert row[:5] == [dept.name, dept.score, None, i18n.grade_label(dept.grade, "vi"),
                           i18n.status_label(dept.status, "vi")]  # no history a week back: no change
        assert row[5:10] == [counts[s] for s in ("done", "on_track", "at_risk", "off_track", "no_data")]
        assert row[10:] == [len(result.issues_for(dept.key)), EXPECTED]
    assert table[1][5:11] == [1, 1, 1, 1, 0, 0] and table[0][10] == 1
    assert ws["D13"].fill.fgColor.rgb == i18n.GRADE_FILL["red"]  # Nhân sự's grade cell


def test_overview_shows_the_night_a_department_was_read_on(tmp_path):
    """A department not read tonight, scored from an earlier night's reading, says which night."""
    late = replace(hr(), readable=False, read_on=date(2025, 5, 13))
    ws = openpyxl.load_workbook(write(tmp_path, rollup([sales(), late])))["Tổng quan"]
    assert ws["M10"].value == "Số liệu của ngày"
    assert ws["A12"].value == "Nhân sự (số liệu ngày 13/05/2025)"
    assert ws["M11"].value is None and ws["M12"].value.date() == date(2025, 5, 13)
    plain = openpyxl.load_workbook(write(tmp_path, rollup()))["Tổng quan"]
    assert plain["M10"].value is None  # the column only when some department was read earlier


def test_objectives_and_key_results_list_everything(tmp_path):
    workbook = openpyxl.load_workbook(write(tmp_path))
    objectives = rows(workbook["Mục tiêu"])
    assert len(objectives) == 6
    assert objectives[1] == ["Kinh doanh", "O2", "Giữ chân nhân tài", 2, 0.42, "Vàng", "Có rủi ro"]
    ws = workbook["Kết quả then chốt"]
    krs = rows(ws)
    assert len(krs) == 9
    assert [c.value for c in ws[1]] == ["Phòng ban", "Mục tiêu", "Mã", "Kết quả then chốt", "Loại", "Đơn vị",
                                        "Bắt đầu", "Chỉ tiêu", "Hiện tại", "Điểm", "Thay đổi 7 ngày", "Trạng thái",
                                        "Độ tự tin", "Ghi chú", "Cập nhật lần cuối"]
    assert krs[4][:12] == ["Kỹ thuật", "O1", "O1.KR1", "Kết quả O1.KR1: tăng tỷ lệ khách hàng quay lại",
                           "Giảm", "ngày", 10, 2, 2.8, 0.9, None, "Đúng tiến độ"]
    assert krs[6][8] == "#N/A" and ws["I8"].data_type == "s"  # unreadable check-in: the typed text
    assert ws["O2"].is_date and ws["O2"].value == datetime(2025, 5, 10) and ws["O2"].number_format == "dd/mm/yyyy"
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
    comments = [r[13] for r in rows(workbook["Kết quả then chốt"]) if r[13] is not None]
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
        header = 10 if ws.title == "Tổng quan" else 2 if ws.title in ("Lịch sử", "Lịch sử KR") else 1
        assert ws.freeze_panes == f"A{header + 1}", ws.title
        assert ws.auto_filter.ref.startswith(f"A{header}:"), ws.title
        assert all(c.font.bold for c in ws[header] if c.value is not None), ws.title
        if ws.sheet_state == "hidden":
            continue
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        # Fit to one page wide, any number tall; an absent fitToWidth means 1 (the OOXML default).
        assert ws.page_setup.orientation == "landscape" and (ws.page_setup.fitToWidth or 1) == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${header}:${header}", ws.title  # the header row on every page
        assert ws.oddHeader.left.text == "Công ty CP Ánh Dương" and ws.oddHeader.right.text == "Quý 2025-Q2"
        assert ws.oddFooter.center.text == "Trang &P / &N"
    krs = workbook["Kết quả then chốt"]
    assert krs["D2"].alignment.wrap_text and int(krs.column_dimensions["D"].width) == 40  # Excel adds a 0.71 padding
    assert int(krs.column_dimensions["A"].width) == 12  # "Kinh doanh" and "Phòng ban" and a margin
    rules = {str(r.sqref): r.rules for r in krs.conditional_formatting}
    formulas = [rule.formula[0] for rule in rules["J2:J10"]]
    assert formulas == ["AND(ISNUMBER(J2),J2<0.4)", "AND(ISNUMBER(J2),AND(J2>=0.4,J2<0.7))",
                        "AND(ISNUMBER(J2),J2>=0.7)"]


def test_column_widths_come_from_the_formatted_values(tmp_path):
    """A VND target of billions shows in full: the column is as wide as "3,000,000,000" plus a margin."""
    big = department("sales", "Kinh doanh", 0.5, "yellow", "at_risk", [
        kr("sales", "O1.KR1", "at_risk", 0.3, unit="vnd", start=0.0, target=3_000_000_000.0, current=912_345_678.5)])
    krs = openpyxl.load_workbook(write(tmp_path, rollup([big])))["Kết quả then chốt"]
    # tagged Vietnamese ([$-42A]): LibreOffice shows 3.000.000.000 in any locale (tests/test_number_separators.py)
    assert krs["H2"].value == 3_000_000_000 and krs["H2"].number_format == "[$-42A]#,##0"
    assert int(krs.column_dimensions["H"].width) == len("3,000,000,000") + 2
    assert krs["I2"].number_format == "[$-42A]#,##0.###"
    # "#,##0.###" shows up to three decimals: room for "912,345,678.123" plus a margin
    assert int(krs.column_dimensions["I"].width) == len("912,345,678.123") + 2


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

# --- week-over-week change and stale KRs, on a small hand-made history ---


def _night(day: date, sales_score: float, sales_krs: tuple[float, float], eng: float | None, hr_score: float | None):
    """A rollup on ``day``: Kinh doanh with two KRs, Kỹ thuật (unreadable when None), Nhân sự (absent when None)."""
    departments = [department("sales", "Kinh doanh", sales_score, "yellow", "at_risk", [
        kr("sales", "O1.KR2", "on_track", sales_krs[0]), kr("sales", "O2.KR1", "at_risk", sales_krs[1])])]
    if eng is None:
        departments.append(DepartmentResult(key="eng", name="Kỹ thuật", owners=(), weight=1.0, score=0.0, grade="red",
                                            status="no_data", objectives=(), key_results=(), source="eng.xlsx",
                                            readable=False))
    else:
        departments.append(department("eng", "Kỹ thuật", eng, "green", "on_track", [kr("eng", "O1.KR1", "on_track", eng)]))
    if hr_score is not None:
        departments.append(department("hr", "Nhân sự", hr_score, "red", "off_track", [kr("hr", "O1.KR1", "at_risk", hr_score)]))
    return rollup(departments, as_of=day, issues=())


def test_week_over_week_change_per_department_and_per_kr(tmp_path):
    # 01/05: every score; 08/05 (exactly a week before 15/05): Kỹ thuật unreadable; 12/05: Nhân sự appears.
    write(tmp_path, _night(date(2025, 5, 1), 0.30, (0.20, 0.10), 0.60, None))
    write(tmp_path, _night(date(2025, 5, 8), 0.35, (0.30, 0.25), None, None))
    write(tmp_path, _night(date(2025, 5, 12), 0.40, (0.40, 0.25), 0.70, 0.15))
    path = write(tmp_path, _night(date(2025, 5, 15), 0.42, (0.45, 0.25), 0.75, 0.20))
    workbook = openpyxl.load_workbook(path)
    overview = {row[0]: row[2] for row in rows(workbook["Tổng quan"], 11)}
    # Kinh doanh: 42% now, 35% on 08/05; Kỹ thuật: no score on 08/05, 60% on 01/05 (the nearest earlier
    # night with one), not 70% of 12/05 (less than a week ago); Nhân sự: nothing a week back, so blank.
    assert overview["Kinh doanh"] == pytest.approx(0.07) and overview["Kỹ thuật"] == pytest.approx(0.15)
    assert overview["Nhân sự"] is None
    assert workbook["Tổng quan"]["C11"].number_format == "+0%;-0%;0%"
    krs = {(row[0], row[2]): row[10] for row in rows(workbook["Kết quả then chốt"])}
    assert krs[("Kinh doanh", "O1.KR2")] == pytest.approx(0.15)  # 45% now, 30% on 08/05
    assert krs[("Kinh doanh", "O2.KR1")] == 0  # unchanged: a zero, not a blank
    assert krs[("Kỹ thuật", "O1.KR1")] == pytest.approx(0.15)  # from 01/05 (60%)
    assert krs[("Nhân sự", "O1.KR1")] is None


def test_a_week_later_night_replaced_keeps_the_change_exact(tmp_path):
    """Re-running the same night replaces it; a night 6 days back is not "a week before"."""
    write(tmp_path, _night(date(2025, 5, 9), 0.50, (0.50, 0.50), 0.50, 0.50))
    path = write(tmp_path, _night(date(2025, 5, 15), 0.42, (0.45, 0.25), 0.75, 0.20))
    assert [row[2] for row in rows(openpyxl.load_workbook(path)["Tổng quan"], 11)] == [None, None, None]
    write(tmp_path, _night(date(2025, 5, 16), 0.60, (0.45, 0.25), 0.75, 0.20))
    path = write(tmp_path, _night(date(2025, 5, 16), 0.62, (0.45, 0.25), 0.75, 0.20))
    overview = {row[0]: row[2] for row in rows(openpyxl.load_workbook(path)["Tổng quan"], 11)}
    assert overview == {"Kỹ thuật": pytest.approx(0.25), "Kinh doanh": pytest.approx(0.12),
                        "Nhân sự": pytest.approx(-0.30)}


def test_the_stale_sheet_lists_krs_without_a_check_in_for_stale_after_days(tmp_path):
    as_of = date(2025, 5, 15)
    team = department("sales", "Kinh doanh", 0.4, "yellow", "at_risk", [
        kr("sales", "O1.KR1", "on_track", 0.5, last_check_in=date(2025, 5, 1)),  # 14 days: not yet stale
        kr("sales", "O1.KR2", "at_risk", 0.3, last_check_in=date(2025, 4, 30)),  # 15 days: stale
        kr("sales", "O2.KR1", "no_data", 0.0, last_check_in=None, current=None),  # never: stale
        kr("sales", "O2.KR2", "done", 1.0, last_check_in=None),  # done needs no check-in
        kr("sales", "O3.KR1", "off_track", 0.1, last_check_in=date(2025, 4, 2)),  # 43 days: stale
    ])
    path = tmp_path / "company-summary.xlsx"
    write_summary(rollup([team], as_of=as_of, issues=()), path, SETTINGS, stale_after_days=14)
    ws = openpyxl.load_workbook(path)["Lâu chưa cập nhật"]
    assert [c.value for c in ws[1]] == ["Phòng ban", "Người phụ trách", "Mã", "Kết quả then chốt", "Điểm",
                                        "Trạng thái", "Lần cập nhật gần nhất", "Số ngày chưa cập nhật"]
    table = rows(ws)
    assert [(r[2], r[6], r[7]) for r in table] == [
        ("O2.KR1", "chưa có", None), ("O3.KR1", datetime(2025, 4, 2), 43), ("O1.KR2", datetime(2025, 4, 30), 15)]
    assert table[0][:6] == ["Kinh doanh", "Nguyễn Lan, Trần Minh", "O2.KR1",
                            "Kết quả O2.KR1: tăng tỷ lệ khách hàng quay lại", 0, "Chưa cập nhật"]
    assert ws["G3"].number_format == "dd/mm/yyyy"
    write_summary(rollup([team], as_of=as_of, issues=()), path, SETTINGS, stale_after_days=30)
    assert [r[2] for r in rows(openpyxl.load_workbook(path)["Lâu chưa cập nhật"])] == ["O2.KR1", "O3.KR1"]


def test_data_issues_name_the_file_not_the_server_path_and_link_to_its_cell(tmp_path):
    issues = (DataIssue("eng", str(tmp_path / "eng.xlsx"), "OKR", "G14", "x", "Sai.", "Sửa."),
              DataIssue("hr", "https://docs.google.com/spreadsheets/d/ABC/edit#gid=0&range=G9", "OKR", "G9", "y", "Sai.", "Sửa."))
    ws = openpyxl.load_workbook(write(tmp_path, rollup(issues=issues)))["Vấn đề dữ liệu"]
    assert ws["B2"].value == "eng.xlsx" and ws["B2"].data_type == "s"
    assert ws["B2"].hyperlink.target == "eng.xlsx" and ws["B2"].hyperlink.location == "'OKR'!G14"
    assert f"{ws['B3'].hyperlink.target}#{ws['B3'].hyperlink.location}" == issues[1].file


def test_the_kr_history_keeps_the_last_week_and_one_night_before_it(tmp_path):
    """Nightly for three weeks: the hidden KR history keeps 8 nights + 1, unchanged scores left blank."""
    start = date(2025, 5, 1)

    def moving(n: int) -> float:  # Kinh doanh's first KR gains a point every third night
        return 0.30 + 0.01 * (n // 3)

    for n in range(21):  # 01/05 .. 21/05
        path = write(tmp_path, _night(start + timedelta(days=n), 0.4, (moving(n), 0.25), 0.5, 0.2))
    ws = openpyxl.load_workbook(path)["Lịch sử KR"]
    assert ws.sheet_state == "hidden"
    assert [c.value for c in ws[1]] == ["#department", "#kr", *(f"2025-05-{d:02d}" for d in range(13, 22))]
    table = {(r[0], r[1]): [None if v is None else round(v, 9) for v in r[2:]] for r in rows(ws, 3)}  # 16 digits kept
    assert table[("sales", "O2.KR1")] == [0.25] + [None] * 8  # never changed: written once
    # 13/05 is night 12 (34%), 16/05 night 15 (35%), 19/05 night 18 (36%)
    assert table[("sales", "O1.KR2")] == [0.34, None, None, 0.35, None, None, 0.36, None, None]
    krs = {(r[0], r[2]): r[10] for r in rows(openpyxl.load_workbook(path)["Kết quả then chốt"])}
    assert krs[("Kinh doanh", "O1.KR2")] == pytest.approx(0.36 - 0.34)  # 21/05 against 14/05, a blank: 34% of 13/05
    assert len(read_history(path)) == 21  # the company and department history keeps every night
