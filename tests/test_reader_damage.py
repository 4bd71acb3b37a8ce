"""Planted damage on real workbooks: the rollup reads what a team meant, or says what is wrong (issue 11.3-11.7, 17.3).

Every workbook here is provisioned by `okrsheets provision` and then changed
the way a team or a file system changes it: with openpyxl (as Excel would
save it), with LibreOffice, or on disk. Each test fails on the reader that
read by fixed column positions and the provisioned number format.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.sheets.team_workbook import COL, FIRST_ROW, HEADER_ROW

from .conftest import soffice_convert

AS_OF = "2026-11-25"
# hr's objective O1: KR1 increase 0 -> 10 (count), KR2 decrease 45 -> 30 (days), KR3 increase 70% -> 85% (percent)
HR_VALUES = """
values."O1.KR1" = { target = 10 }
values."O1.KR2" = { start = 45, target = 30 }
values."O1.KR3" = { start = 70, target = 85 }
"""


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def _provision(tmp_path: Path, keys: list[str], language: str = "vi") -> Path:
    """A company of hr departments named ``keys``, provisioned; returns the quarter folder."""
    text = f'company = "Công ty B"\nquarter = "2026-Q4"\nlanguage = "{language}"\n[backend]\nfolder = "data"\n'
    for key in keys:
        text += f'\n[[departments]]\nkey = "{key}"\ntemplate = "hr"\nobjectives = ["O1"]\n{HR_VALUES}'
    (tmp_path / "okrsheets.toml").write_text(text, encoding="utf-8")
    result = _invoke("provision", "--config", str(tmp_path / "okrsheets.toml"))
    assert result.exit_code == 0, result.output
    return tmp_path / "data" / "2026-Q4"


def _rollup(tmp_path: Path) -> dict:
    result = _invoke("rollup", "--config", str(tmp_path / "okrsheets.toml"), "--json", "--as-of", AS_OF)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return json.loads(result.stdout)


def _key_results(data: dict, department: str) -> dict[str, dict]:
    return {kr["id"]: kr for d in data["departments"] if d["key"] == department for kr in d["key_results"]}


def _issues(data: dict, department: str) -> list[dict]:
    return [i for i in data["issues"] if i["department"] == department]


def _rows(sheet) -> dict[str, int]:
    return {sheet.cell(r, 1).value: r for r in range(FIRST_ROW, sheet.max_row + 1) if sheet.cell(r, 1).value}


def _edit(path: Path, change) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["OKR"]
    change(workbook, sheet, _rows(sheet))
    workbook.save(path)


def _altered(issues: list[dict]) -> list[dict]:
    return [i for i in issues if "provision --force" in i["fix"] and "điểm và trạng thái" in i["problem"]]


# ---------------------------------------------------------------- 11.3 columns found by their header


def test_a_column_inserted_before_current_is_read_by_its_header(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])

    def insert(workbook, sheet, rows):
        sheet.protection.sheet = False
        sheet.insert_cols(COL["current"])  # the team's own column, before "Hiện tại"
        sheet.cell(HEADER_ROW, COL["current"]).value = "Ghi chú riêng"
        sheet.cell(rows["O1.KR1"], COL["current"]).value = 99
        sheet.cell(rows["O1.KR1"], COL["current"] + 1).value = 5  # "Hiện tại" is now one column to the right
        sheet.cell(rows["O1.KR3"], COL["current"] + 1).value = 0.8  # 80%, in the cell's provisioned percent format
        sheet.cell(rows["O1.KR1"], COL["confidence"] + 1).value = 8

    _edit(folder / "hr.xlsx", insert)
    data = _rollup(tmp_path)
    krs = _key_results(data, "hr")
    assert (krs["O1.KR1"]["current"], krs["O1.KR1"]["score"], krs["O1.KR1"]["confidence"]) == (5, 0.5, 8)
    assert krs["O1.KR3"]["current"] == pytest.approx(80) and krs["O1.KR3"]["score"] == pytest.approx(10 / 15)
    issues = _issues(data, "hr")
    # the sheet's own formulas still point at the old columns: one issue says so, none misreads a cell
    assert len(issues) == 1 and _altered(issues), issues


def test_moved_columns_are_read_where_their_headers_are(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])

    def swap(workbook, sheet, rows):
        sheet.cell(rows["O1.KR1"], COL["confidence"]).value = 7
        sheet.cell(rows["O1.KR1"], COL["comment"]).value = "ổn"
        for row in range(HEADER_ROW, sheet.max_row + 1):  # the team drags "Ghi chú" before "Độ tự tin"
            a, b = sheet.cell(row, COL["confidence"]), sheet.cell(row, COL["comment"])
            a.value, b.value = b.value, a.value

    _edit(folder / "hr.xlsx", swap)
    kr = _key_results(_rollup(tmp_path), "hr")["O1.KR1"]
    assert (kr["confidence"], kr["comment"]) == (7, "ổn")


def test_a_deleted_current_column_is_reported_not_misread(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])

    def delete(workbook, sheet, rows):
        sheet.cell(rows["O1.KR1"], COL["confidence"]).value = 7  # moves into column G once G is gone
        sheet.protection.sheet = False
        sheet.delete_cols(COL["current"])

    _edit(folder / "hr.xlsx", delete)
    data = _rollup(tmp_path)
    assert [kr["current"] for kr in _key_results(data, "hr").values()] == [None, None, None]
    missing = [i for i in _issues(data, "hr") if i["cell"] == f"G{HEADER_ROW}"]
    assert len(missing) == 1 and 'Không tìm thấy cột "Hiện tại"' in missing[0]["problem"], _issues(data, "hr")
    assert {d["key"]: d["status"] for d in data["departments"]} == {"hr": "no_data"}


def test_a_workbook_without_the_columns_metadata_row_still_reads(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])

    def older(workbook, sheet, rows):
        meta = workbook["_okrsheets"]
        for row in range(1, meta.max_row + 1):
            if meta.cell(row, 1).value in ("columns", "locked_hash"):
                meta.cell(row, 1).value = meta.cell(row, 2).value = None
        sheet.cell(rows["O1.KR1"], COL["current"]).value = 5

    _edit(folder / "hr.xlsx", older)
    data = _rollup(tmp_path)
    assert _key_results(data, "hr")["O1.KR1"]["score"] == 0.5 and data["issues"] == []


# ---------------------------------------------------------------- 11.4 the cell's own number format


def test_a_percent_cell_reformatted_to_general_reads_what_was_typed(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])

    def general(workbook, sheet, rows):
        cell = sheet.cell(rows["O1.KR3"], COL["current"])
        cell.value, cell.number_format = 80, "General"  # a plain paste replaced the percent format

    _edit(folder / "hr.xlsx", general)
    kr = _key_results(_rollup(tmp_path), "hr")["O1.KR3"]
    assert (kr["current"], kr["score"], kr["status"]) == (80, pytest.approx(10 / 15), "on_track")


# ---------------------------------------------------------------- 11.5 every input cell checked

BAD_CONFIDENCE = {"c0": 0, "c11": 11, "ccao": "cao", "c810": "8/10", "c75": 7.5}


def test_confidence_is_a_whole_number_from_1_to_10_stored_as_a_number(tmp_path: Path):
    folder = _provision(tmp_path, ["ok", *BAD_CONFIDENCE])
    _edit(folder / "ok.xlsx", lambda wb, ws, rows: setattr(ws.cell(rows["O1.KR1"], COL["confidence"]), "value", "7"))
    for key, value in BAD_CONFIDENCE.items():
        _edit(folder / f"{key}.xlsx", lambda wb, ws, rows, v=value: setattr(ws.cell(rows["O1.KR1"], COL["confidence"]), "value", v))
    data = _rollup(tmp_path)
    assert _key_results(data, "ok")["O1.KR1"]["confidence"] == 7  # the number, not the text "7"
    assert _issues(data, "ok") == []
    summary = openpyxl.load_workbook(folder / "company-summary.xlsx")
    (ok_row,) = [[c.value for c in row] for sheet in summary for row in sheet.iter_rows() if [c.value for c in row[:3]] == ["ok", "O1", "O1.KR1"]]
    assert 7 in ok_row and "7" not in ok_row  # a number in the summary too
    for key in BAD_CONFIDENCE:
        assert _key_results(data, key)["O1.KR1"]["confidence"] is None
        (issue,) = _issues(data, key)
        assert issue["cell"] == f"H{FIRST_ROW + 1}" and issue["key_result"] == "O1.KR1"
        assert "số nguyên từ 1 (thấp) đến 10 (cao)" in issue["problem"], issue


def test_last_update_dates_in_the_locales_order_and_none_in_the_future(tmp_path: Path):
    folder = _provision(tmp_path, ["text", "future", "serial"])

    def typed(values):
        def change(workbook, sheet, rows):
            for kr, value in values.items():
                cell = sheet.cell(rows[kr], COL["last_update"])
                cell.value = value
                if isinstance(value, int):
                    cell.number_format = "General"  # a pasted date serial
        return change

    _edit(folder / "text.xlsx", typed({"O1.KR1": "24/11/2026", "O1.KR2": "24 tháng 11", "O1.KR3": "2026-11-23"}))
    _edit(folder / "future.xlsx", typed({"O1.KR1": date(2027, 11, 24), "O1.KR2": "11/24/2026", "O1.KR3": "27/11/2026"}))
    _edit(folder / "serial.xlsx", typed({"O1.KR1": 46350, "O1.KR2": 99999}))
    data = _rollup(tmp_path)
    text = _key_results(data, "text")
    assert [text[k]["last_update"] for k in ("O1.KR1", "O1.KR2", "O1.KR3")] == ["2026-11-24", "2026-11-24", "2026-11-23"]
    assert _issues(data, "text") == []
    future = _key_results(data, "future")
    assert [kr["last_update"] for kr in future.values()] == [None, None, None]
    problems = {i["cell"]: i["problem"] for i in _issues(data, "future")}
    row = FIRST_ROW + 1
    assert "ở sau ngày mai (26/11/2026)" in problems[f"M{row}"]  # a year ahead
    assert "không phải là một ngày" in problems[f"M{row + 1}"]  # month 24: the en order in a vi sheet
    assert "ở sau ngày mai (26/11/2026)" in problems[f"M{row + 2}"]  # two days ahead
    serial = _key_results(data, "serial")
    assert (serial["O1.KR1"]["last_update"], serial["O1.KR2"]["last_update"]) == ("2026-11-24", None)
    problems = {i["cell"]: i["problem"] for i in _issues(data, "serial")}
    assert "hiểu đó là ngày 24/11/2026" in problems[f"M{row}"] and "không phải là một ngày" in problems[f"M{row + 1}"]


def test_a_long_comment_is_reported_and_kept(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])
    comment = "Tuyển được thêm ứng viên. " * 80  # 2,080 characters
    _edit(folder / "hr.xlsx", lambda wb, ws, rows: setattr(ws.cell(rows["O1.KR1"], COL["comment"]), "value", comment))
    data = _rollup(tmp_path)
    assert _key_results(data, "hr")["O1.KR1"]["comment"] == comment  # kept whole
    (issue,) = _issues(data, "hr")
    assert issue["cell"] == f"L{FIRST_ROW + 1}" and "2080 ký tự (tối đa 2000)" in issue["problem"], issue


def test_a_formula_without_a_saved_result_says_to_open_and_save(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])
    _edit(folder / "hr.xlsx", lambda wb, ws, rows: setattr(ws.cell(rows["O1.KR1"], COL["current"]), "value", "=2+3"))
    data = _rollup(tmp_path)
    assert _key_results(data, "hr")["O1.KR1"]["current"] is None
    (issue,) = _issues(data, "hr")
    assert issue["cell"] == f"G{FIRST_ROW + 1}" and issue["found"] == "=2+3"
    assert "công thức chưa có kết quả" in issue["problem"] and "Excel hoặc LibreOffice rồi lưu lại" in issue["fix"]


# ---------------------------------------------------------------- 11.6 a sheet a team altered

ALTERATIONS = {
    "score": lambda wb, ws, rows: setattr(ws.cell(rows["O1.KR1"], COL["score"]), "value", 1),
    "target": lambda wb, ws, rows: setattr(ws.cell(rows["O1.KR2"], COL["target"]), "value", 40),
    "kind": lambda wb, ws, rows: setattr(ws.cell(rows["O1.KR3"], COL["kind"]), "value", "Giảm"),
    "status": lambda wb, ws, rows: setattr(ws.cell(rows["O1"], COL["status"]), "value", "Hoàn thành"),
    "unprotected": lambda wb, ws, rows: setattr(ws.protection, "sheet", False),
}


def test_a_sheet_whose_locked_cells_were_changed_gets_one_issue_until_provision_force(tmp_path: Path):
    folder = _provision(tmp_path, ["intact", *ALTERATIONS])
    for key in ["intact", *ALTERATIONS]:
        _edit(folder / f"{key}.xlsx", lambda wb, ws, rows: setattr(ws.cell(rows["O1.KR1"], COL["current"]), "value", 5))
    for key, change in ALTERATIONS.items():
        _edit(folder / f"{key}.xlsx", change)
    data = _rollup(tmp_path)
    assert _issues(data, "intact") == []
    for key in ALTERATIONS:
        issues = _issues(data, key)
        assert len(issues) == 1 and _altered(issues), (key, issues)
        assert _key_results(data, key)["O1.KR1"]["score"] == 0.5  # the summary still scores from the plan
    assert "bỏ khóa" in _issues(data, "unprotected")[0]["problem"]

    result = _invoke("provision", "--config", str(tmp_path / "okrsheets.toml"))
    assert result.exit_code == 1 and len(re.findall(r"^BỎ QUA \(bị hỏng\)", result.output, re.M)) == len(ALTERATIONS), result.output
    result = _invoke("provision", "--config", str(tmp_path / "okrsheets.toml"), "--force")
    assert result.exit_code == 0, result.output
    assert len(list(folder.glob("*.backup-*.xlsx"))) == len(ALTERATIONS)
    data = _rollup(tmp_path)
    assert data["issues"] == []
    assert {d["key"]: d["key_results"][0]["current"] for d in data["departments"]} == dict.fromkeys(["intact", *ALTERATIONS], 5)


def test_a_libreoffice_resave_is_not_an_altered_sheet(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])

    def typed(workbook, sheet, rows):
        sheet.cell(rows["O1.KR1"], COL["current"]).value = 5
        sheet.cell(rows["O1.KR3"], COL["current"]).value = 0.8  # 80% in the percent format
        sheet.cell(rows["O1.KR1"], COL["last_update"]).value = date(2026, 11, 20)

    _edit(folder / "hr.xlsx", typed)
    before = _rollup(tmp_path)
    (saved,) = soffice_convert([folder / "hr.xlsx"], "xlsx", tmp_path / "saved", tmp_path)
    shutil.copy(saved, folder / "hr.xlsx")
    after = _rollup(tmp_path)
    assert before["issues"] == after["issues"] == []
    krs = _key_results(after, "hr")
    assert (krs["O1.KR1"]["current"], krs["O1.KR3"]["current"], krs["O1.KR1"]["last_update"]) == (5, pytest.approx(80), "2026-11-20")
    assert _key_results(before, "hr") == krs


# ---------------------------------------------------------------- 11.7 messages that help, in the team's language

_ENGLISH = re.compile(r"Error|Errno|No such file|denied|cannot|not a |Restore the file|truncated", re.IGNORECASE)


# The night's own issue for a department it could not read ("never read yet" / "reading of an earlier
# night"), added after the reader's issue that says why.
_NOT_READ = ("Chưa đọc được tệp lần nào", "Đêm nay không đọc được tệp", "The workbook has never been read",
             "The workbook could not be read tonight")


def _only_issue(data: dict, department: str) -> dict:
    """The one issue that says why the department's workbook could not be read (the night's is checked apart)."""
    issues = _issues(data, department)
    night = [i for i in issues if i["problem"].startswith(_NOT_READ)]
    issues = [i for i in issues if i not in night]
    assert len(issues) == 1, issues
    assert len(night) <= 1, night
    assert not _ENGLISH.search(issues[0]["problem"] + issues[0]["fix"]), issues[0]
    return issues[0]


def test_a_deleted_meta_sheet_says_what_happened_and_how_to_restore(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])
    _edit(folder / "hr.xlsx", lambda wb, ws, rows: wb.remove(wb["_okrsheets"]))
    issue = _only_issue(_rollup(tmp_path), "hr")
    assert "Thiếu trang ẩn \"_okrsheets\"" in issue["problem"] and "không biết tệp thuộc quý và phòng ban nào" in issue["problem"]
    assert "okrsheets provision --force" in issue["fix"]


def test_other_formats_under_the_xlsx_name_are_named(tmp_path: Path):
    folder = _provision(tmp_path, ["ods", "xls", "csv"])
    converted = tmp_path / "converted"
    (ods,) = soffice_convert([folder / "ods.xlsx"], "ods", converted, tmp_path)
    (xls,) = soffice_convert([folder / "xls.xlsx"], "xls", converted, tmp_path)
    shutil.copy(ods, folder / "ods.xlsx")
    shutil.copy(xls, folder / "xls.xlsx")
    (folder / "csv.xlsx").write_text("Mã,Hiện tại\nO1.KR1,5\n", encoding="utf-8")
    data = _rollup(tmp_path)
    assert "định dạng OpenDocument (.ods)" in _only_issue(data, "ods")["problem"]
    assert "Lưu thành > Excel 2007-365 (.xlsx)" in _only_issue(data, "ods")["fix"]
    assert "Excel 97–2003 (.xls)" in _only_issue(data, "xls")["problem"]
    assert "văn bản CSV" in _only_issue(data, "csv")["problem"]


def test_an_encrypted_workbook_says_to_remove_the_password(tmp_path: Path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    folder = _provision(tmp_path, ["hr"])
    plain = (folder / "hr.xlsx").read_bytes()
    with open(folder / "hr.xlsx", "rb") as source, open(tmp_path / "locked.xlsx", "wb") as target:
        OOXMLFile(source).encrypt("mật-khẩu", target)
    assert msoffcrypto and (tmp_path / "locked.xlsx").read_bytes() != plain
    shutil.copy(tmp_path / "locked.xlsx", folder / "hr.xlsx")
    issue = _only_issue(_rollup(tmp_path), "hr")
    assert "đặt mật khẩu mở" in issue["problem"]
    assert issue["fix"].startswith("Mở tệp bằng mật khẩu, bỏ mật khẩu") and "Không cần khôi phục bản sao lưu" in issue["fix"]


@pytest.mark.parametrize("name", ["hr (1).xlsx", "hr-old.xlsx", "hr.ods"])
def test_a_renamed_workbook_next_to_the_expected_name_is_named(tmp_path: Path, name: str):
    folder = _provision(tmp_path, ["hr", "hr-eu"])
    (folder / "hr.xlsx").rename(folder / name)
    issue = _only_issue(_rollup(tmp_path), "hr")
    assert issue["problem"] == f'Không thấy tệp "hr.xlsx", nhưng trong thư mục có: "{name}".'
    assert 'đổi tên nó thành "hr.xlsx"' in issue["fix"]
    assert _issues(_rollup(tmp_path), "hr-eu") == []  # another department's own workbook is never a candidate


def test_a_folder_a_symlink_loop_and_no_permission_are_issues_not_tracebacks(tmp_path: Path):
    folder = _provision(tmp_path, ["folder", "loop", "private", "ok"])
    (folder / "folder.xlsx").unlink()
    (folder / "folder.xlsx").mkdir()
    (folder / "loop.xlsx").unlink()
    os.symlink(folder / "loop-b.xlsx", folder / "loop.xlsx")
    os.symlink(folder / "loop.xlsx", folder / "loop-b.xlsx")
    (folder / "private.xlsx").chmod(0)
    result = _invoke("rollup", "--config", str(tmp_path / "okrsheets.toml"), "--as-of", AS_OF)
    assert "Traceback" not in result.output and "Error" not in result.output, result.output
    data = _rollup(tmp_path)
    assert "đây là một thư mục" in _only_issue(data, "folder")["problem"]
    assert "liên kết (symlink) hỏng hoặc trỏ vòng" in _only_issue(data, "loop")["problem"]
    if os.geteuid() != 0:  # root reads every file (tests/test_reader_cells.py reads as nobody)
        assert "không có quyền đọc tệp" in _only_issue(data, "private")["problem"]
    assert _issues(data, "ok") == []
    (folder / "private.xlsx").chmod(0o644)
    result = _invoke("provision", "--config", str(tmp_path / "okrsheets.toml"), "--force")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert sorted(p.name for p in folder.glob("*.backup-*")) == [  # the folder and the link, moved aside whole
        re.search(r"folder\.backup-\d{8}-\d{6}\.xlsx", result.output)[0], re.search(r"loop\.backup-\d{8}-\d{6}\.xlsx", result.output)[0]]
    assert _rollup(tmp_path)["issues"] == []


def test_english_company_gets_english_messages(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"], language="en")
    (folder / "hr.xlsx").unlink()
    (folder / "hr.xlsx").mkdir()
    issues = _issues(_rollup(tmp_path), "hr")
    assert [i["problem"] for i in issues] == [
        "Cannot read the file: it is a folder, not a file",
        "The workbook has never been read: the department has no score and is left out of the company score.",
    ]


# ---------------------------------------------------------------- 17.3 one structure check for provision and rollup


def test_provision_and_rollup_find_the_same_columns(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])

    def insert(workbook, sheet, rows):
        sheet.protection.sheet = False
        sheet.insert_cols(COL["current"])
        sheet.cell(HEADER_ROW, COL["current"]).value = "Ghi chú riêng"
        sheet.cell(rows["O1.KR1"], COL["current"]).value = 99
        sheet.cell(rows["O1.KR1"], COL["current"] + 1).value = 5

    _edit(folder / "hr.xlsx", insert)
    config = str(tmp_path / "okrsheets.toml")
    result = _invoke("provision", "--config", config)
    assert result.exit_code == 1 and "BỎ QUA (bị hỏng)" in result.output and "đã bị sửa ở chỗ okrsheets khóa" in result.output
    assert _invoke("provision", "--config", config, "--force").exit_code == 0
    sheet = openpyxl.load_workbook(folder / "hr.xlsx")["OKR"]
    assert sheet.cell(_rows(sheet)["O1.KR1"], COL["current"]).value == 5  # carried over from "Hiện tại", not the team's column
    data = _rollup(tmp_path)
    assert data["issues"] == [] and _key_results(data, "hr")["O1.KR1"]["current"] == 5


def test_provision_and_rollup_share_the_department_and_quarter_rules(tmp_path: Path):
    """Another department's workbook is refused by both; a template change is the rollup's issue and provision's update."""
    folder = _provision(tmp_path, ["hr", "people"])
    shutil.copy(folder / "hr.xlsx", folder / "people.xlsx")  # a copy under the wrong name
    config = tmp_path / "okrsheets.toml"
    data = _rollup(tmp_path)
    issue = _only_issue(data, "people")
    assert issue["problem"] == 'Tệp thuộc phòng ban "hr", không phải "people".' and issue["sheet"] == "_okrsheets"
    result = _invoke("provision", "--config", str(config))
    assert result.exit_code == 1 and 'tệp thuộc phòng ban "hr", không phải "people"' in result.output, result.output

    text = config.read_text(encoding="utf-8").replace('key = "hr"\ntemplate = "hr"', 'key = "hr"\ntemplate = "sales"')
    config.write_text(text.replace('key = "hr"\ntemplate = "sales"\nobjectives = ["O1"]\n' + HR_VALUES,
                                   'key = "hr"\ntemplate = "sales"\nobjectives = ["O1"]\n'), encoding="utf-8")
    template = 'Tệp thuộc mẫu OKR "hr", không phải "sales".'
    assert template in [i["problem"] for i in _issues(_rollup(tmp_path), "hr")]  # beside "no target" for sales' KRs
    result = _invoke("provision", "--config", str(config), "--department", "hr")
    assert result.exit_code == 0 and re.search(r"đã cập nhật\s+hr", result.output), result.output
    assert template not in [i["problem"] for i in _issues(_rollup(tmp_path), "hr")]


def test_provision_force_keeps_the_values_of_a_row_whose_id_was_edited(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])

    def edit_id(workbook, sheet, rows):
        sheet.cell(rows["O1.KR2"], COL["current"]).value = 40
        sheet.cell(rows["O1.KR2"], COL["id"]).value = "O1.KR7"

    _edit(folder / "hr.xlsx", edit_id)
    assert _invoke("provision", "--config", str(tmp_path / "okrsheets.toml"), "--force").exit_code == 0
    sheet = openpyxl.load_workbook(folder / "hr.xlsx")["OKR"]
    rows = _rows(sheet)
    assert sheet.cell(rows["O1.KR7"], COL["current"]).value == 40  # kept in the archived block
    assert sheet.cell(rows["O1.KR7"], COL["code"]).value == "archived" and sheet.cell(rows["O1.KR2"], COL["current"]).value is None


def test_a_kr_added_to_the_plan_after_provisioning_says_to_provision(tmp_path: Path):
    folder = _provision(tmp_path, ["hr", "older"])

    def older(workbook, sheet, rows):  # a workbook whose metadata lists no IDs, with a KR row deleted
        meta = workbook["_okrsheets"]
        for row in range(1, meta.max_row + 1):
            if meta.cell(row, 1).value == "ids":
                meta.cell(row, 2).value = None
        sheet.delete_rows(rows["O1.KR3"])

    _edit(folder / "older.xlsx", older)
    config = tmp_path / "okrsheets.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'key = "hr"\ntemplate = "hr"\nobjectives = ["O1"]', 'key = "hr"\ntemplate = "hr"\nobjectives = ["O1", "O2"]'), encoding="utf-8")
    data = _rollup(tmp_path)
    added = {i["key_result"]: i for i in _issues(data, "hr") if "chưa có dòng trong tệp" in i["problem"]}
    assert set(added) == {"O2.KR1", "O2.KR2", "O2.KR3"}
    assert added["O2.KR1"]["fix"] == "Quản trị OKR chạy `okrsheets provision` để thêm O2.KR1 vào tệp."
    problems = [i["problem"] for i in _issues(data, "older")]  # and the sheet's own formulas lost a row: altered
    assert "Không tìm thấy dòng của O1.KR3 (dòng đã bị xóa hoặc mã đã bị sửa)." in problems and len(problems) == 2


def test_a_copied_current_column_is_reported_not_guessed(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])

    def copy(workbook, sheet, rows):
        sheet.protection.sheet = False
        sheet.cell(rows["O1.KR1"], COL["current"]).value = 5
        sheet.insert_cols(COL["current"])  # a copy of "Hiện tại" before it, edited since
        for row in range(HEADER_ROW, sheet.max_row + 1):
            sheet.cell(row, COL["current"]).value = sheet.cell(row, COL["current"] + 1).value
        sheet.cell(rows["O1.KR1"], COL["current"]).value = 9

    _edit(folder / "hr.xlsx", copy)
    data = _rollup(tmp_path)
    assert _key_results(data, "hr")["O1.KR1"]["current"] is None
    assert any('Không tìm thấy cột "Hiện tại"' in i["problem"] and "trùng tiêu đề" in i["problem"] for i in _issues(data, "hr"))


def test_a_header_retyped_in_place_still_marks_its_column(tmp_path: Path):
    folder = _provision(tmp_path, ["hr"])

    def retype(workbook, sheet, rows):
        sheet.cell(HEADER_ROW, COL["confidence"]).value = "Tự tin"
        sheet.cell(rows["O1.KR1"], COL["confidence"]).value = 6

    _edit(folder / "hr.xlsx", retype)
    data = _rollup(tmp_path)
    assert _key_results(data, "hr")["O1.KR1"]["confidence"] == 6 and data["issues"] == []
