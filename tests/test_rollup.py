"""`okrsheets rollup` and `okrsheets demo` (issue #5): scores, the summary, and bad input that never stops the run."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.sheets.team_workbook import COL, FIRST_ROW
from okrsheets.backends.excel_summary import read_history

from .conftest import soffice_convert, soffice_or_skip

AS_OF = "2026-11-15"


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def _json(result, exit_code: int = 0) -> dict:
    assert result.exit_code == exit_code, result.output
    return json.loads(result.stdout)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    result = _invoke("demo", str(folder), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return folder


def test_demo_prints_scores_and_the_summary_path(demo: Path):
    again = _invoke("demo", str(demo), "--as-of", AS_OF)  # re-running is safe
    assert again.exit_code == 0, again.output
    assert "Công ty TNHH Demo Hoa Sen" in again.output and "Phòng Marketing" in again.output
    summary = demo / "okr-data" / "2026-Q4" / "company-summary.xlsx"
    assert f"Báo cáo tổng hợp: {summary}" in again.output
    assert "2026-Q4, 15/11/2026: tiến độ kỳ vọng 49%" in again.output  # Vietnamese dates and numbers
    scores = re.findall(r"\s(\d+[.,]\d)%\s", again.output)
    assert len(scores) == 15 and all("," in score for score in scores), scores  # 14 departments + company: "54,7%"


def test_rollup_json_scores_every_department_and_reports_planted_problems(demo: Path):
    data = _json(_invoke("rollup", "--config", str(demo / "okrsheets.toml"), "--json", "--as-of", AS_OF))
    assert len(data["departments"]) == 14
    assert all(0 <= d["score"] <= 1 for d in data["departments"])
    issues = {(i["department"], i["cell"], i["found"]) for i in data["issues"]}
    assert ("design", "G10", "chưa có") in issues  # junk typed into a number cell
    missing = [i for i in data["issues"] if i["department"] == "employee"]
    assert missing and "O5.KR3" in missing[0]["problem"]  # the deleted KR row
    kr = data["departments"][0]["key_results"][0]
    assert {"id", "score", "status", "current"} <= set(kr)


def test_team_formula_text_stays_text_in_the_summary(demo: Path):
    summary = openpyxl.load_workbook(demo / "okr-data" / "2026-Q4" / "company-summary.xlsx")
    cells = [c for row in summary["Kết quả then chốt"].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    assert cells[0].value == '=HYPERLINK("http://example.com","xem báo cáo")'


def test_history_one_row_per_date(demo: Path):
    config = str(demo / "okrsheets.toml")
    summary = demo / "okr-data" / "2026-Q4" / "company-summary.xlsx"
    weeks = [date(2026, 10, 25), date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 15)]  # the demo's check-ins
    _json(_invoke("rollup", "--config", config, "--json", "--as-of", AS_OF))
    assert [row["date"] for row in read_history(summary)] == weeks
    _json(_invoke("rollup", "--config", config, "--json", "--as-of", "2026-11-16"))
    assert [row["date"] for row in read_history(summary)] == [*weeks, date(2026, 11, 16)]


HR_VALUES = """
values."O1.KR1" = { target = 10 }
values."O1.KR2" = { start = 45, target = 30 }
values."O1.KR3" = { start = 70, target = 85 }
"""

DAMAGES = [
    "missing", "not_a_workbook", "truncated", "password", "renamed_sheet", "deleted_row", "duplicated_row",
    "edited_id", "text", "error_value", "merged", "other_quarter",
]


def _config(tmp_path: Path, keys: list[str]) -> Path:
    text = 'company = "Công ty B"\nquarter = "2026-Q4"\n[backend]\nfolder = "data"\n'
    for key in keys:
        text += f'\n[[departments]]\nkey = "{key}"\ntemplate = "hr"\nobjectives = ["O1"]\n{HR_VALUES}'
    path = tmp_path / "okrsheets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _fill(path: Path, values: dict[str, object]) -> tuple[openpyxl.Workbook, object, dict[str, int]]:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["OKR"]
    rows = {sheet.cell(r, 1).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}
    for kr, value in values.items():
        sheet.cell(rows[kr], COL["current"]).value = value
    return workbook, sheet, rows


def _damage(kind: str, path: Path) -> str | None:
    """Damage one workbook like a real team would; returns the cell the issue must name."""
    if kind == "missing":
        path.unlink()
        return None
    if kind == "not_a_workbook":
        path.write_text("xin chào", encoding="utf-8")
        return None
    if kind == "truncated":
        path.write_bytes(path.read_bytes()[:2000])
        return None
    if kind == "password":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)  # an encrypted workbook is an OLE file
        return None
    workbook, sheet, rows = _fill(path, {"O1.KR1": 4, "O1.KR2": 40, "O1.KR3": 75})
    cell = None
    if kind == "renamed_sheet":
        sheet.title = "Trang tính 1"
    elif kind == "deleted_row":
        sheet.delete_rows(rows["O1.KR2"])
    elif kind == "duplicated_row":
        sheet.cell(sheet.max_row + 1, 1).value = "O1.KR1"
        cell = f"A{sheet.max_row}"
    elif kind == "edited_id":
        sheet.cell(rows["O1.KR3"], 1).value = "O1.KR7"
        cell = f"A{rows['O1.KR3']}"
    elif kind == "text":
        sheet.cell(rows["O1.KR1"], COL["current"]).value = "khoảng mười"
        cell = f"G{rows['O1.KR1']}"
    elif kind == "error_value":
        sheet.cell(rows["O1.KR2"], COL["current"]).value = "=1/0"
        cell = f"G{rows['O1.KR2']}"
    elif kind == "merged":
        sheet.merge_cells(f"F{rows['O1.KR3']}:G{rows['O1.KR3']}")
        cell = f"G{rows['O1.KR3']}"
    elif kind == "other_quarter":
        workbook["_okrsheets"]["B5"].value = "2026-Q3"
    workbook.save(path)
    return cell


def _recalculate_in_place(files: list[Path], workdir: Path) -> None:
    """Open and re-save files with LibreOffice, as a team using LibreOffice would."""
    out = workdir / "saved"
    out.mkdir()
    for saved, file in zip(soffice_convert(files, "xlsx", out, workdir), files):
        shutil.copy(saved, file)


def test_bad_input_becomes_data_issues_and_never_stops_the_rollup(tmp_path: Path):
    keys = ["ok", *DAMAGES]
    config = _config(tmp_path, keys)
    assert _invoke("provision", "--config", str(config)).exit_code == 0
    folder = tmp_path / "data" / "2026-Q4"
    _fill(folder / "ok.xlsx", {"O1.KR1": 5})[0].save(folder / "ok.xlsx")
    expected_cells = {kind: _damage(kind, folder / f"{kind}.xlsx") for kind in DAMAGES}
    soffice = shutil.which("soffice")
    if soffice:  # give "=1/0" the cached #DIV/0! a spreadsheet program saves
        _recalculate_in_place([folder / "error_value.xlsx"], tmp_path)
    result = _invoke("rollup", "--config", str(config), "--json", "--as-of", AS_OF)
    data = _json(result, exit_code=1)  # some workbooks could not be read: monitoring must notice
    by_department = {d["key"]: d for d in data["departments"]}
    assert by_department["ok"]["score"] == pytest.approx(0.5 / 3)
    for kind in DAMAGES:
        issues = [i for i in data["issues"] if i["department"] == kind]
        assert issues, f"{kind}: no data issue"
        assert all(i["file"].endswith(f"{kind}.xlsx") and i["fix"] for i in issues), issues
        if expected_cells[kind] and (kind != "error_value" or soffice):
            assert expected_cells[kind] in {i["cell"] for i in issues}, (kind, issues)
    unreadable = {"missing", "not_a_workbook", "truncated", "password", "renamed_sheet", "other_quarter"}
    for kind in unreadable:
        assert by_department[kind]["status"] == "no_data"
    text = next(i for i in data["issues"] if i["department"] == "text")
    assert text["found"] == "khoảng mười" and "không phải là số" in text["problem"]
    problems = {kind: next(i for i in data["issues"] if i["department"] == kind)["problem"]
                for kind in ("password", "not_a_workbook", "truncated")}
    assert problems == {  # in the config's language, with no English left inside
        "password": "Không đọc được tệp: tệp có mật khẩu hoặc ở định dạng .xls cũ; hãy lưu lại thành tệp .xlsx không đặt mật khẩu",
        "not_a_workbook": "Không đọc được tệp: đây không phải là tệp Excel",
        "truncated": "Không đọc được tệp: tệp bị cắt cụt hoặc hỏng",
    }
    assert by_department["deleted_row"]["score"] > 0  # the remaining KRs still count


def test_workbooks_saved_by_libreoffice_roll_up_the_same(tmp_path: Path):
    soffice_or_skip()
    config = _config(tmp_path, ["a", "b"])
    assert _invoke("provision", "--config", str(config)).exit_code == 0
    folder = tmp_path / "data" / "2026-Q4"
    _fill(folder / "a.xlsx", {"O1.KR1": 7, "O1.KR2": 0.4, "O1.KR3": "80%"})[0].save(folder / "a.xlsx")
    _fill(folder / "b.xlsx", {"O1.KR1": 10, "O1.KR2": 0.45})[0].save(folder / "b.xlsx")
    before = _json(_invoke("rollup", "--config", str(config), "--json", "--as-of", AS_OF))
    _recalculate_in_place([folder / "a.xlsx", folder / "b.xlsx"], tmp_path)
    after = _json(_invoke("rollup", "--config", str(config), "--json", "--as-of", AS_OF))

    def scores(data):
        return [(k["id"], k["score"], k["status"], k["current"]) for d in data["departments"] for k in d["key_results"]]

    assert scores(after) == scores(before)
    assert after["issues"] == before["issues"] == []
