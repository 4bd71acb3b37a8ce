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
from okrsheets.backends.excel_summary import read_history

from .conftest import soffice_convert, soffice_or_skip
from .helpers.workbooks import DAMAGES, damage, hr_config, open_with_values

AS_OF = "2026-11-15"
DEMO_DEPARTMENTS = {  # key: (score, grade, status) on AS_OF, after the demo's four weeks of check-ins
    "customer-service": (0.5058888888888889, "yellow", "on_track"),
    "design": (0.5049888888888889, "yellow", "on_track"),
    "employee": (0.31133333333333335, "red", "at_risk"),
    "engineering": (0.5643666666666667, "yellow", "on_track"),
    "enterprise": (0.37741111111111114, "red", "at_risk"),
    "finance": (0.2528111111111111, "red", "at_risk"),
    "hr": (0.3600111111111111, "red", "at_risk"),
    "individual": (0.6113333333333333, "yellow", "on_track"),
    "leadership": (0.4338666666666667, "yellow", "on_track"),
    "marketing": (0.43127777777777787, "yellow", "on_track"),
    "product": (0.434, "yellow", "on_track"),
    "sales": (0.4330222222222222, "yellow", "on_track"),
    "sme": (0.3261555555555556, "red", "at_risk"),
    "training": (0.49591111111111114, "yellow", "on_track"),
}


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
    # The demo's numbers as `make demo` prints them (recorded, not hand-computed: test_golden.py
    # computes a small company by hand); a change in reading or scoring moves them.
    company = (pytest.approx(0.43159841269841276, rel=1e-9), "yellow", "on_track")
    assert (data["score"], data["grade"], data["status"]) == company
    assert {d["key"]: (d["score"], d["grade"], d["status"]) for d in data["departments"]} == {
        key: (pytest.approx(score, rel=1e-9), grade, status)
        for key, (score, grade, status) in DEMO_DEPARTMENTS.items()}
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


def _recalculate_in_place(files: list[Path], workdir: Path) -> None:
    """Open and re-save files with LibreOffice, as a team using LibreOffice would."""
    out = workdir / "saved"
    out.mkdir()
    for saved, file in zip(soffice_convert(files, "xlsx", out, workdir), files):
        shutil.copy(saved, file)


def test_bad_input_becomes_data_issues_and_never_stops_the_rollup(tmp_path: Path):
    keys = ["ok", *DAMAGES]
    config = hr_config(tmp_path, keys)
    assert _invoke("provision", "--config", str(config)).exit_code == 0
    folder = tmp_path / "data" / "2026-Q4"
    open_with_values(folder / "ok.xlsx", {"O1.KR1": 5})[0].save(folder / "ok.xlsx")
    expected_cells = {kind: damage(kind, folder / f"{kind}.xlsx") for kind in DAMAGES}
    soffice = shutil.which("soffice")
    if soffice:  # give "=1/0" the cached #DIV/0! a spreadsheet program saves
        _recalculate_in_place([folder / "error_value.xlsx"], tmp_path)
    result = _invoke("rollup", "--config", str(config), "--json", "--as-of", AS_OF)
    data = _json(result, exit_code=1)  # some workbooks could not be read: monitoring must notice
    by_department = {d["key"]: d for d in data["departments"]}
    assert by_department["ok"]["score"] == pytest.approx(0.5 / 3, rel=1e-12)  # O1.KR1 5 of 0 -> 10, alone of 3 KRs
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
    # the remaining KRs still count: O1.KR1 4 of 0 -> 10 = 0.4; O1.KR2's row is gone: 0;
    # O1.KR3 75 % from 70 -> 85 = 5 / 15 = 1/3; (0.4 + 0 + 1/3) / 3 = 11/45
    assert by_department["deleted_row"]["score"] == pytest.approx(11 / 45, rel=1e-12)
    first = {kind: next(i for i in data["issues"] if i["department"] == kind) for kind in DAMAGES}
    # each message names what is wrong: the renamed sheet, the quarter the workbook belongs to, the repeated KR
    assert '"OKR"' in first["renamed_sheet"]["problem"] and '"OKR"' in first["renamed_sheet"]["fix"]
    assert 'quý "2026-Q3"' in first["other_quarter"]["problem"] and '"2026-Q4"' in first["other_quarter"]["problem"]
    duplicate = first["duplicated_row"]
    assert (duplicate["sheet"], duplicate["key_result"], duplicate["found"]) == ("OKR", "O1.KR1", "O1.KR1")
    at = {kind: next(i for i in data["issues"] if i["department"] == kind and i["cell"] == expected_cells[kind])
          for kind in ("edited_id", "merged", "text")}
    assert "O1.KR7" in at["edited_id"]["problem"] and at["edited_id"]["found"] == "O1.KR7"
    assert (at["merged"]["sheet"], at["merged"]["key_result"]) == ("OKR", "O1.KR3")
    assert (at["text"]["sheet"], at["text"]["key_result"]) == ("OKR", "O1.KR1")


def test_a_workbook_without_its_hidden_metadata_sheet_is_reported(tmp_path: Path):
    config = hr_config(tmp_path, ["hr"])
    assert _invoke("provision", "--config", str(config)).exit_code == 0
    path = tmp_path / "data" / "2026-Q4" / "hr.xlsx"
    workbook, _, _ = open_with_values(path, {"O1.KR1": 5})
    del workbook["_okrsheets"]
    workbook.save(path)
    # nothing could be read: exit 1, no summary, and --json still says why
    data = _json(_invoke("rollup", "--config", str(config), "--json", "--as-of", AS_OF), exit_code=1)
    issue, never_read = data["issues"]
    assert issue["file"].endswith("hr.xlsx") and "_okrsheets" in issue["problem"], issue
    assert never_read["problem"].startswith("Chưa đọc được tệp lần nào"), never_read
    assert not (tmp_path / "data" / "2026-Q4" / "company-summary.xlsx").exists()
    assert (data["departments"][0]["status"], data["departments"][0]["readable"]) == ("no_data", False)


def test_workbooks_saved_by_libreoffice_roll_up_the_same(tmp_path: Path):
    soffice_or_skip()
    config = hr_config(tmp_path, ["a", "b"])
    assert _invoke("provision", "--config", str(config)).exit_code == 0
    folder = tmp_path / "data" / "2026-Q4"
    open_with_values(folder / "a.xlsx", {"O1.KR1": 7, "O1.KR2": 0.4, "O1.KR3": "80%"})[0].save(folder / "a.xlsx")
    open_with_values(folder / "b.xlsx", {"O1.KR1": 10, "O1.KR2": 0.45})[0].save(folder / "b.xlsx")
    before = _json(_invoke("rollup", "--config", str(config), "--json", "--as-of", AS_OF))
    _recalculate_in_place([folder / "a.xlsx", folder / "b.xlsx"], tmp_path)
    after = _json(_invoke("rollup", "--config", str(config), "--json", "--as-of", AS_OF))

    def scores(data):
        return [(k["id"], k["score"], k["status"], k["current"]) for d in data["departments"] for k in d["key_results"]]

    assert scores(after) == scores(before)
    assert after["issues"] == before["issues"] == []
