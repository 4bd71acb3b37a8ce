"""What a team workbook looks like: widths that hold every number, rows that hold their text, one word per
concept, dates in the language's order, and A4 print setup (issue 15, item 3).

tests/test_team_render.py renders workbooks through LibreOffice and checks the pages themselves.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets import i18n
from okrsheets.cli.main import cli
from okrsheets.config import load_config, parse_config
from okrsheets.jobs.demo import demo_config_text
from okrsheets.plan import build_plan
from okrsheets.sheets import team_workbook
from okrsheets.sheets.spec import shown_text
from okrsheets.sheets.team_workbook import COL, HEADER_ROW, LABELS, TeamEntry
from okrsheets.templates import TemplateLibrary

from .conftest import EXAMPLE_CONFIG
from .helpers.workbooks import rows_by_id

PROVISIONED_AT = datetime(2026, 10, 1, 8, 30)
COMPANY = "Công ty Cổ phần Thương mại Sen Vàng"


def example_config(tmp_path: Path, language: str = "vi", company: str = COMPANY) -> Path:
    """The example config (six departments, sales with a 12-billion-dong target) in tmp_path."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace('language = "vi"', f'language = "{language}"')
    path = tmp_path / "okrsheets.toml"
    path.write_text(text.replace(f'company = "{COMPANY}"', f'company = "{company}"'), encoding="utf-8")
    return path


def run(config: Path):
    return CliRunner().invoke(cli, ["provision", "--config", str(config)], env={"OKRSHEETS_SHEET_PASSWORD": None})


def provisioned(tmp_path: Path, language: str = "vi", company: str = COMPANY) -> Path:
    config = example_config(tmp_path, language, company)
    result = run(config)
    assert result.exit_code == 0, result.output
    return config


def workbook_path(tmp_path: Path, key: str) -> Path:
    return tmp_path / "okr-data" / "2026-Q4" / f"{key}.xlsx"


@pytest.mark.parametrize(("value", "number_format", "shown"), [
    (3_000_000_000, '#,##0 "₫"', "3,000,000,000 ₫"),  # Excel in Vietnamese: 3.000.000.000 ₫, as many characters
    (-12_500_000, '#,##0 "₫"', "-12,500,000 ₫"),
    (0.456, "0.0#%", "45.6%"), (0.6, "0.0#%", "60.0%"), (0.12345, "0.0#%", "12.35%"), (1, "0%", "100%"),
    (12, "#,##0.##", "12."), (1234.5, "#,##0.##", "1,234.5"),  # Excel keeps the point of "#,##0.##"
    (18.9, None, "18.9"), (1 / 3, None, "0.333333333"), (123456789012345, None, "1.23457E+14"),  # General: 11 at most
    (date(2026, 10, 1), "dd/mm/yyyy", "01/10/2026"), (datetime(2026, 12, 2, 7, 5), "dd/mm/yyyy hh:mm", "02/12/2026 07:05"),
    (date(2026, 10, 1), "yyyy-mm-dd", "2026-10-01"),
])
def test_shown_text_is_what_the_cell_shows(value, number_format, shown):
    assert shown_text(value, number_format) == shown


def every_department(config_text: str, language: str):
    config = parse_config(tomllib.loads(config_text))
    config = dataclasses.replace(config, language=language)
    return config, build_plan(config).departments


def visible_number_cells(sheet):
    for (row, column), cell in sheet.cells.items():
        if column not in sheet.hidden_columns and not isinstance(cell.value, (bool, str)) and \
                isinstance(cell.value, (int, float, date, datetime)):
            yield row, column, cell


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_number_and_date_fits_its_column_for_every_template_set_and_the_example_config(language):
    """No "###": each number or date of every built-in template set (the demo has one department per set)
    and of the example config is narrower than its column, with two characters to spare."""
    demo = demo_config_text(TemplateLibrary.load(), date(2026, 11, 15), language)
    checked = 0
    for text in (demo, EXAMPLE_CONFIG.read_text(encoding="utf-8")):
        config, departments = every_department(text, language)
        for department in departments:
            spec = team_workbook.team_workbook(config, department, {}, [], PROVISIONED_AT)
            for sheet in spec.sheets[:2]:
                for row, column, cell in visible_number_cells(sheet):
                    shown = shown_text(cell.value, cell.number_format)
                    assert len(shown) + 2 <= sheet.column_widths[column], (department.key, row, column, shown)
                    checked += 1
    assert checked > 700


def test_a_target_of_twelve_billion_dong_widens_its_columns():
    config = load_config(EXAMPLE_CONFIG)
    sales = next(d for d in build_plan(config).departments if d.key == "sales")
    okr = team_workbook.team_workbook(config, sales, {}, [], PROVISIONED_AT).sheets[0]
    # "12,000,000,000 ₫" is 16 characters: 3 to spare; the current column one digit more
    assert (okr.column_widths[COL["target"]], okr.column_widths[COL["current"]]) == (19, 20)
    assert okr.column_widths[COL["unit"]] == 13  # "01/10/2026" in it in the header block: 10 + 3
    assert okr.column_widths[COL["start"]] == 12  # "0 ₫" and "Điểm phòng ban": the least width
    hr = next(d for d in build_plan(config).departments if d.key == "hr")
    plain = team_workbook.team_workbook(config, hr, {}, [], PROVISIONED_AT).sheets[0]
    assert (plain.column_widths[COL["target"]], plain.column_widths[COL["current"]]) == (13, 13)  # "31/12/2026"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_one_word_per_concept_in_the_team_sheet_and_the_summary(language):
    words, summary = LABELS[language], i18n.SUMMARY[language]
    assert words["target"] == summary["target"] and words["start"] == summary["start"]
    assert words["confidence"] == f"{summary['confidence']} (1–10)"
    assert words["text"] == f"{summary['objective']} / {summary['key_result']}"
    for name in ("current", "comment", "last_update", "kind", "unit", "weight", "id"):
        assert words[name] == summary[name], name
    assert words["target"] != summary["objective"]  # Objective is not Target


def test_the_vietnamese_sheet_says_chi_tieu_for_a_target_and_muc_tieu_only_for_an_objective(tmp_path):
    provisioned(tmp_path)
    workbook = openpyxl.load_workbook(workbook_path(tmp_path, "finance"))
    ws = workbook["OKR"]
    assert [ws.cell(HEADER_ROW, c).value for c in range(1, 14)] == [
        "Mã", "Mục tiêu / Kết quả then chốt", "Loại", "Đơn vị", "Bắt đầu", "Chỉ tiêu", "Hiện tại", "Độ tự tin (1–10)",
        "Trọng số", "Điểm", "Trạng thái", "Ghi chú", "Cập nhật lần cuối"]
    guide = "\n".join(str(c.value) for row in workbook["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert "bạn tin đạt được chỉ tiêu cuối quý" in guide and "(chỉ tiêu − bắt đầu)" in guide
    assert "mã, nội dung, chỉ tiêu, trọng số" in guide
    # "mục tiêu" is left only where it means an objective
    assert [line for line in guide.splitlines() if "mục tiêu" in line.lower()] == [
        "• Điểm mục tiêu = trung bình có trọng số của các KR; điểm phòng ban = trung bình có trọng số của các mục tiêu."
        " KR chưa cập nhật tính 0."]


@pytest.mark.parametrize(("language", "day", "example"), [("vi", "dd/mm/yyyy", "15/10/2026"), ("en", "yyyy-mm-dd", "2026-10-15")])
def test_dates_are_in_the_language_order_everywhere_in_the_team_sheet(tmp_path, language, day, example):
    provisioned(tmp_path, language=language)
    ws = openpyxl.load_workbook(workbook_path(tmp_path, "finance"))["OKR"]
    assert (ws["D3"].value, ws["D3"].number_format) == (datetime(2026, 10, 1), day)  # from
    assert (ws["F3"].value, ws["F3"].number_format) == (datetime(2026, 12, 31), day)  # to
    assert ws["B5"].number_format == f"{day} hh:mm" and ws["B6"].number_format == day  # provisioned, as of
    rows = rows_by_id(ws)
    last_update = [ws.cell(r, COL["last_update"]) for kr, r in rows.items() if "." in kr]
    assert {c.number_format for c in last_update} == {day}
    prompts = {v.prompt for v in ws.data_validations.dataValidation if v.type == "date"}
    assert len(prompts) == 1 and example in prompts.pop()


@pytest.mark.parametrize(("language", "page", "quarter"), [("vi", "Trang", "Quý"), ("en", "Page", "Quarter")])
def test_sheets_print_on_a4_with_header_rows_repeated_and_a_header_and_footer(tmp_path, language, page, quarter):
    provisioned(tmp_path, language=language)
    workbook = openpyxl.load_workbook(workbook_path(tmp_path, "finance"))
    okr, guide = workbook.worksheets[:2]
    for ws, orientation in ((okr, "landscape"), (guide, "portrait")):
        assert ws.page_setup.paperSize == 9  # A4 in the OOXML paper codes
        assert ws.page_setup.orientation == orientation
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.oddHeader.left.text == COMPANY
        assert ws.oddHeader.right.text == f"Phòng Kế toán - Tài chính · {quarter} 2026-Q4"
        assert ws.oddFooter.center.text == f"{page} &P / &N"
    assert okr.print_title_rows == "$8:$8"  # the column headers on every page
    assert guide.column_dimensions["A"].width == 75  # within A4 portrait (LibreOffice never shrinks one wider column)


def test_an_ampersand_in_the_company_name_prints_as_itself(tmp_path):
    provisioned(tmp_path, company="Sen & Sen")
    ws = openpyxl.load_workbook(workbook_path(tmp_path, "finance"))["OKR"]
    assert ws.oddHeader.left.text == "Sen && Sen"  # "&" alone starts an Excel header code


def test_a_key_result_row_is_two_lines_or_as_tall_as_its_text():
    config = load_config(EXAMPLE_CONFIG)
    plan = build_plan(config).departments
    sales = next(d for d in plan if d.key == "sales")
    long_comment = "Khách hàng lớn hoãn ký hợp đồng sang tháng sau; " * 4  # 196 characters: 7 lines 30 wide
    okr = team_workbook.team_workbook(config, sales, {"O1.KR2": TeamEntry(comment=long_comment)}, [], PROVISIONED_AT).sheets[0]
    rows = {okr.cells[(r, COL["id"])].value: r for (r, c) in okr.cells if c == COL["id"] and r > HEADER_ROW}
    assert okr.row_heights[rows["O1.KR1"]] == 30  # a short KR: two lines, room for a comment of about 55 characters
    assert okr.row_heights[rows["O1.KR2"]] == 7 * 15


def test_a_layout_change_refreshes_old_workbooks_and_sizes_rows_to_the_comments_typed(tmp_path, monkeypatch):
    """LAYOUT_VERSION changed: the next provision rewrites every workbook in the new look, keeping what teams typed."""
    monkeypatch.setattr(team_workbook, "LAYOUT_VERSION", team_workbook.LAYOUT_VERSION - 1)
    cfg = provisioned(tmp_path)
    path = workbook_path(tmp_path, "marketing")
    comment = "Chờ phòng Kinh doanh gửi số liệu khách hàng tiềm năng của tháng 10; " * 3  # 207 characters
    workbook = openpyxl.load_workbook(path)
    row = rows_by_id(workbook["OKR"])["O1.KR1"]
    for name, value in zip(("current", "confidence", "comment", "last_update"), (0.12, 7, comment, datetime(2026, 10, 15))):
        workbook["OKR"].cell(row, COL[name]).value = value
    workbook.save(path)
    monkeypatch.undo()
    result = run(cfg)
    assert result.exit_code == 0, result.output
    assert "6 phòng ban: 6 đã cập nhật" in result.output
    ws = openpyxl.load_workbook(path)["OKR"]
    row = rows_by_id(ws)["O1.KR1"]
    assert [ws.cell(row, COL[n]).value for n in ("current", "confidence", "comment", "last_update")] == [
        0.12, 7, comment, datetime(2026, 10, 15)]
    assert ws.row_dimensions[row].height == 8 * 15  # 207 characters in a comment column 30 wide: 8 lines
    assert "6 phòng ban: 6 không đổi" in run(cfg).output


def test_archived_rows_show_percent_money_and_dates_as_active_rows_do(tmp_path):
    cfg = provisioned(tmp_path)
    path = workbook_path(tmp_path, "sales")
    workbook = openpyxl.load_workbook(path)
    row = rows_by_id(workbook["OKR"])["O1.KR1"]
    workbook["OKR"].cell(row, COL["last_update"]).value = datetime(2026, 10, 15)
    workbook.save(path)
    # the admin drops objective O1 (the 12-billion-dong revenue KR) and O2 (percent KRs) from sales
    blocks = cfg.read_text(encoding="utf-8").split("[[departments]]")
    sales = next(i for i, block in enumerate(blocks) if 'key = "sales"' in block)
    lines = [line for line in blocks[sales].splitlines() if not re.match(r'values\."O[12][".]', line)]
    blocks[sales] = "\n".join(lines).replace('template = "sales"', 'template = "sales"\nobjectives = ["O3", "O4", "O5"]') + "\n"
    cfg.write_text("[[departments]]".join(blocks), encoding="utf-8")
    result = run(cfg)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(path)["OKR"]
    archived = rows_by_id(ws, archived=True)
    kr1, kr2 = archived["O1.KR1"], archived["O2.KR1"]
    assert (ws.cell(kr1, COL["target"]).value, ws.cell(kr1, COL["target"]).number_format) == (12_000_000_000, '[$-42A]#,##0 "₫"')
    assert ws.cell(kr1, COL["last_update"]).number_format == "dd/mm/yyyy"
    assert ws.cell(kr2, COL["unit"]).value == "%" and ws.cell(kr2, COL["target"]).number_format == "[$-42A]0.0#%"
