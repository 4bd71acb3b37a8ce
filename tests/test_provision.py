"""`okrsheets provision`: team workbooks created, kept in step with the plan, and never trampled (issue #4).

Everything goes through the command line, the way an admin runs it; a "team"
edits the workbooks with openpyxl in between, the way Excel would save them.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.protection import hash_password

from okrsheets.cli.main import cli
from okrsheets.jobs.provision_store import STORE_NAME
from okrsheets.sheets.team_workbook import COL, TEAM_COLUMNS

from .conftest import toml_value
from .helpers.workbooks import rows_by_id

QUARTER = "2026-Q4"
PASSWORD_ENV = "OKRSHEETS_SHEET_PASSWORD"

# Per department: template, config values by ID (filtered to the chosen objectives).
DEPARTMENTS = {
    "marketing": (
        "marketing",
        {
            "O1": {"new_leads": 5000, "period": "quý 4/2026"},
            "O1.KR1": {"start": 0, "target": 25},
            "O1.KR2": {"start": 0, "target": 40, "weight": 2},
            "O1.KR3": {"start": 0, "target": 4, "new_leads": 2000},
            "O2": {"revenue_share": 30},
            "O2.KR1": {"start": 8, "target": 12},
            "O2.KR2": {"start": 2.5, "target": 4},
            "O2.KR3": {"start": 0, "target": 20},
            "O3.KR1": {"start": 3200, "target": 5000},
            "O3.KR2": {"start": 2.1, "target": 3.5},
            "O3.KR3": {"target": 3},
            "O4.KR1": {"target": 40},
            "O4.KR2": {"target": 30},
            "O4.KR3": {"target": 6},
        },
    ),
    "finance": (
        "finance",
        {
            "O1.KR1": {"start": 10, "target": 5},
            "O1.KR2": {"start": 30, "target": 60},
            "O1.KR3": {"start": 100, "target": 50},
            "O3.KR1": {"start": 50, "target": 100},
            "O3.KR2": {"period": "quý 4/2026"},
        },
    ),
    "hr": (
        "hr",
        {
            "O1.KR1": {"target": 10},
            "O1.KR2": {"start": 45, "target": 30},
            "O1.KR3": {"start": 70, "target": 85},
            "O2.KR1": {"target": 8},
            "O2.KR2": {"start": 40, "target": 80},
            "O2.KR3": {"start": 5, "target": 10},
        },
    ),
}
OBJECTIVES = {"marketing": ["O1", "O2", "O3"], "finance": ["O1", "O3"], "hr": ["O1", "O2"]}

# What the marketing team types: current, confidence, comment, last update.
TEAM_INPUT = {
    "O1.KR1": (0.12, 7, "Chiến dịch TikTok đang chạy tốt", datetime(2026, 10, 15)),
    "O1.KR3": (2, 6, "Đã xong 2 chiến dịch", datetime(2026, 10, 16)),
    "O2.KR2": (0.031, 4, "Cần thêm ngân sách quảng cáo", datetime(2026, 10, 17)),
    "O3.KR1": (4100, 8, "Số liệu từ Google Analytics", datetime(2026, 10, 20)),
}


# ---------------------------------------------------------------- helpers


def write_config(
    tmp_path: Path,
    departments=("marketing", "finance", "hr"),
    objectives: dict[str, list[str]] | None = None,
    targets: dict[tuple[str, str], float] | None = None,
    language: str = "vi",
    quarter: str = f'name = "{QUARTER}"',
    keys: dict[str, str] | None = None,
    extra: str = "",
) -> Path:
    """A config for `departments` (template names above), written to tmp_path/okrsheets.toml."""
    objectives = {**OBJECTIVES, **(objectives or {})}
    lines = [
        'company = "Công ty Cổ phần Thương mại Sen Vàng"',
        f'language = "{language}"',
        extra,
        "[quarter]",
        quarter,
        "[backend]",
        'kind = "excel"',
        'folder = "okr-data"',
    ]
    for name in departments:
        template, values = DEPARTMENTS[name]
        chosen = objectives[name]
        key = (keys or {}).get(name, name)
        lines += [
            "[[departments]]", f'key = "{key}"', f'name = "Phòng {name}"', f'template = "{template}"',
            'owners = ["okr@senvang.vn"]', f"objectives = {toml_value(chosen)}",
        ]
        for item_id, table in values.items():
            if item_id.split(".")[0] not in chosen:
                continue
            table = dict(table)
            if (name, item_id) in (targets or {}):
                table["target"] = targets[(name, item_id)]
            lines.append(f'values."{item_id}" = {{ ' + ", ".join(f"{k} = {toml_value(v)}" for k, v in table.items()) + " }")
    path = tmp_path / "okrsheets.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(config: Path, *args: str, env: dict[str, str | None] | None = None):
    """`okrsheets provision --config CONFIG ARGS`, with no sheet password unless `env` gives one."""
    environment = {PASSWORD_ENV: None, **(env or {})}
    return CliRunner().invoke(cli, ["provision", "--config", str(config), *args], env=environment)


def workbook_path(tmp_path: Path, key: str, quarter_folder: str = QUARTER) -> Path:
    return tmp_path / "okr-data" / quarter_folder / f"{key}.xlsx"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()




def team_types(path: Path, entries: dict[str, tuple]) -> None:
    """The team fills current, confidence, comment and last update, and saves (as Excel would)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["OKR"]
    rows = rows_by_id(ws)
    for kr_id, values in entries.items():
        for name, value in zip(TEAM_COLUMNS, values):
            cell = ws.cell(rows[kr_id], COL[name])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # typed text, even when it starts with "="
    wb.save(path)


def team_values(path: Path, archived: bool = False) -> dict[str, tuple]:
    ws = openpyxl.load_workbook(path)["OKR"]
    return {
        item_id: tuple(ws.cell(row, COL[name]).value for name in TEAM_COLUMNS)
        for item_id, row in rows_by_id(ws, archived).items()
    }


def assert_same_entries(got: dict[str, tuple], expected: dict[str, tuple]) -> None:
    for kr_id, values in expected.items():
        assert kr_id in got, f"{kr_id} missing"
        current, confidence, comment, last_update = got[kr_id]
        assert current == pytest.approx(values[0], abs=1e-12), kr_id
        assert confidence == values[1], kr_id
        assert comment == values[2], kr_id
        assert last_update == values[3], kr_id


def provisioned(tmp_path: Path, **config) -> Path:
    cfg = write_config(tmp_path, **config)
    result = run(cfg)
    assert result.exit_code == 0, result.output
    return cfg


# ---------------------------------------------------------------- creating and re-running


def test_provision_creates_one_workbook_per_department_in_the_quarter_folder(tmp_path):
    cfg = write_config(tmp_path)
    result = run(cfg)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "okr-data" / QUARTER
    assert sorted(p.name for p in folder.iterdir()) == [STORE_NAME, "finance.xlsx", "hr.xlsx", "marketing.xlsx"]
    for key in ("marketing", "finance", "hr"):
        assert re.search(rf"đã tạo\s+{key}\s+{re.escape(str(folder / (key + '.xlsx')))}", result.output), result.output
        wb = openpyxl.load_workbook(folder / f"{key}.xlsx")
        assert wb.sheetnames == ["OKR", "Hướng dẫn", "_okrsheets"]
    ws = openpyxl.load_workbook(folder / "marketing.xlsx")["OKR"]
    assert list(rows_by_id(ws)) == ["O1", "O1.KR1", "O1.KR2", "O1.KR3", "O2", "O2.KR1", "O2.KR2", "O2.KR3", "O3", "O3.KR1", "O3.KR2", "O3.KR3"]
    assert "3 phòng ban: 3 đã tạo" in result.output


def test_every_written_cell_of_a_team_workbook_names_its_font(tmp_path):
    """A cell without a font name is drawn by LibreOffice in a serif fallback, unlike the rest of the sheet."""
    provisioned(tmp_path)
    workbook = openpyxl.load_workbook(tmp_path / "okr-data" / QUARTER / "marketing.xlsx")
    fonts = {(ws.title, cell.font.name) for ws in workbook for row in ws.iter_rows() for cell in row
             if cell.has_style and cell.value is not None}
    assert {name for _, name in fonts} == {"Calibri"}, fonts
    assert {title for title, _ in fonts} >= {"OKR", "Hướng dẫn"}


def test_second_provision_touches_nothing(tmp_path):
    cfg = provisioned(tmp_path)
    paths = sorted((tmp_path / "okr-data" / QUARTER).iterdir())
    before = {p: (sha256(p), p.stat().st_mtime_ns) for p in paths}
    result = run(cfg)
    assert result.exit_code == 0, result.output
    assert "3 phòng ban: 3 không đổi" in result.output
    assert sorted((tmp_path / "okr-data" / QUARTER).iterdir()) == paths
    assert {p: (sha256(p), p.stat().st_mtime_ns) for p in paths} == before


def test_team_values_survive_a_changed_target_and_added_and_removed_key_results(tmp_path):
    provisioned(tmp_path)
    path = workbook_path(tmp_path, "marketing")
    team_types(path, TEAM_INPUT)
    # The admin raises O1.KR1's target, drops objective O3 and adds O4.
    cfg = write_config(tmp_path, objectives={"marketing": ["O1", "O2", "O4"]}, targets={("marketing", "O1.KR1"): 30})
    result = run(cfg)
    assert result.exit_code == 0, result.output
    assert re.search(r"đã cập nhật\s+marketing", result.output)
    assert "O1.KR1: chỉ tiêu 0.25 -> 0.3" in result.output
    assert "kết quả then chốt mới O4.KR1" in result.output

    ws = openpyxl.load_workbook(path)["OKR"]
    rows = rows_by_id(ws)
    assert ws.cell(rows["O1.KR1"], COL["target"]).value == pytest.approx(0.30)
    assert {"O4", "O4.KR1", "O4.KR2", "O4.KR3"} <= set(rows) and "O3.KR1" not in rows
    assert ws.cell(rows["O4.KR1"], COL["target"]).value == 40
    kept = {k: v for k, v in TEAM_INPUT.items() if k != "O3.KR1"}
    assert_same_entries(team_values(path), kept)
    # O3 and its KRs wait in the archived block, with what the team typed.
    archived = team_values(path, archived=True)
    assert set(archived) == {"O3", "O3.KR1", "O3.KR2", "O3.KR3"}
    assert_same_entries(archived, {"O3.KR1": TEAM_INPUT["O3.KR1"]})
    archived_rows = rows_by_id(ws, archived=True)
    assert min(archived_rows.values()) > max(rows.values())
    assert ws.cell(archived_rows["O3.KR1"], COL["target"]).value == 5000

    # Putting O3 back restores its row with the team's values.
    result = run(write_config(tmp_path, targets={("marketing", "O1.KR1"): 30}))
    assert result.exit_code == 0, result.output
    assert "lấy lại từ phần lưu trữ" in result.output
    assert_same_entries(team_values(path), TEAM_INPUT)
    assert set(team_values(path, archived=True)) == {"O4", "O4.KR1", "O4.KR2", "O4.KR3"}  # O4 left the plan now


def test_values_follow_their_ids_when_the_team_reorders_rows(tmp_path):
    provisioned(tmp_path)
    path = workbook_path(tmp_path, "marketing")
    team_types(path, TEAM_INPUT)
    wb = openpyxl.load_workbook(path)
    ws = wb["OKR"]
    rows = rows_by_id(ws)
    a, b = rows["O1.KR1"], rows["O1.KR3"]
    for column in range(1, len(COL) + 1):  # the team sorts: the two KR rows change places
        top, bottom = ws.cell(a, column), ws.cell(b, column)
        top.value, bottom.value = bottom.value, top.value
    wb.save(path)
    assert rows_by_id(openpyxl.load_workbook(path)["OKR"])["O1.KR3"] == a

    result = run(write_config(tmp_path))
    assert result.exit_code == 0, result.output  # a re-ordered sheet is not damaged
    result = run(write_config(tmp_path, targets={("marketing", "O1.KR1"): 30}))
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(path)["OKR"]
    rows = rows_by_id(ws)
    assert (rows["O1.KR1"], rows["O1.KR3"]) == (a, b)  # back in plan order
    assert ws.cell(rows["O1.KR1"], COL["target"]).value == pytest.approx(0.30)
    assert_same_entries(team_values(path), TEAM_INPUT)


def test_dry_run_reports_changes_and_writes_nothing(tmp_path):
    cfg = write_config(tmp_path)
    result = run(cfg, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "sẽ tạo" in result.output and "chưa ghi gì" in result.output
    assert not (tmp_path / "okr-data").exists() or not any((tmp_path / "okr-data").rglob("*.xlsx"))

    provisioned(tmp_path)
    path = workbook_path(tmp_path, "marketing")
    team_types(path, TEAM_INPUT)
    folder = path.parent
    before = {p.name: (sha256(p), p.stat().st_mtime_ns) for p in folder.iterdir()}
    cfg = write_config(tmp_path, objectives={"marketing": ["O1", "O2", "O4"]}, targets={("marketing", "O1.KR1"): 30})
    result = run(cfg, "--dry-run")
    assert result.exit_code == 0, result.output
    assert re.search(r"sẽ cập nhật\s+marketing", result.output)
    for change in ("O1.KR1: chỉ tiêu 0.25 -> 0.3", "mục tiêu mới O4", "kết quả then chốt mới O4.KR2",
                   "đã chuyển xuống phần lưu trữ (giữ nguyên giá trị): O3"):
        assert change in result.output
    assert "(chạy thử: chưa ghi gì)" in result.output
    assert {p.name: (sha256(p), p.stat().st_mtime_ns) for p in folder.iterdir()} == before


# ---------------------------------------------------------------- workbooks a team has open or damaged


@pytest.mark.parametrize("lock_name", [".~lock.marketing.xlsx#", "~$marketing.xlsx"], ids=["libreoffice", "excel"])
def test_open_workbook_is_skipped_and_not_overwritten(tmp_path, lock_name):
    provisioned(tmp_path)
    path = workbook_path(tmp_path, "marketing")
    (path.parent / lock_name).write_text("someone,host,2026-10-15", encoding="utf-8")
    before = sha256(path)
    hr_before = sha256(workbook_path(tmp_path, "hr"))
    cfg = write_config(tmp_path, targets={("marketing", "O1.KR1"): 30, ("hr", "O1.KR1"): 12})
    result = run(cfg)
    assert result.exit_code == 1, result.output
    assert re.search(r"BỎ QUA \(đang mở\)\s+marketing", result.output)
    assert str(path) in result.output and lock_name in result.output
    assert sha256(path) == before
    # one open workbook does not stop the others
    assert re.search(r"đã cập nhật\s+hr", result.output)
    assert sha256(workbook_path(tmp_path, "hr")) != hr_before


def _edit(path: Path, change) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def _delete_kr_row(wb):
    ws = wb["OKR"]
    ws.delete_rows(rows_by_id(ws)["O1.KR2"])


def _rename_okr_sheet(wb):
    wb["OKR"].title = "OKR quý 4"


def _edit_id(wb):
    ws = wb["OKR"]
    ws.cell(rows_by_id(ws)["O1.KR2"], COL["id"]).value = "O1.KR7"


def _add_sheet(wb):
    wb.create_sheet("Nháp").cell(1, 1).value = "ghi chú riêng"


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:3000])  # a copy that stopped half-way


DAMAGE = {
    # the admin's report is in the config's language (Vietnamese here), like the rollup's data issues
    "deleted KR row": (lambda p: _edit(p, _delete_kr_row), ["không tìm thấy dòng của O1.KR2"]),
    "renamed OKR sheet": (lambda p: _edit(p, _rename_okr_sheet), ['không có trang "OKR"', 'đổi tên trang về "OKR"']),
    "edited ID": (lambda p: _edit(p, _edit_id), ["mã lạ O1.KR7", "không tìm thấy dòng của O1.KR2"]),
    "extra sheet": (lambda p: _edit(p, _add_sheet), ['có trang lạ "Nháp"']),
    "truncated file": (_truncate, ["not a readable .xlsx workbook"]),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_workbook_is_reported_and_left_byte_identical(tmp_path, damage):
    cfg = provisioned(tmp_path)
    path = workbook_path(tmp_path, "marketing")
    team_types(path, TEAM_INPUT)
    DAMAGE[damage][0](path)
    before = sha256(path)
    for config in (cfg, write_config(tmp_path, targets={("marketing", "O1.KR1"): 30})):
        for args in ((), ("--dry-run",)):
            result = run(config, *args)
            assert result.exit_code == 1, result.output
            assert re.search(r"BỎ QUA \(bị hỏng\)\s+marketing", result.output)
            assert str(path) in result.output
            for words in DAMAGE[damage][1]:
                assert words in result.output
            assert "--force" in result.output
            assert sha256(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [STORE_NAME, "finance.xlsx", "hr.xlsx", "marketing.xlsx"]


def test_force_rebuilds_a_damaged_workbook_and_keeps_a_backup(tmp_path):
    cfg = provisioned(tmp_path)
    path = workbook_path(tmp_path, "marketing")
    team_types(path, TEAM_INPUT)
    _edit(path, _add_sheet)
    _edit(path, _delete_kr_row)
    damaged = sha256(path)

    result = run(cfg, "--force", "--dry-run")
    assert result.exit_code == 0, result.output
    assert re.search(r"sẽ dựng lại \(--force\)\s+marketing", result.output)
    assert sha256(path) == damaged and not list(path.parent.glob("marketing.backup-*"))

    result = run(cfg, "--force")
    assert result.exit_code == 0, result.output
    assert re.search(r"đã dựng lại \(--force\)\s+marketing", result.output)
    backups = list(path.parent.glob("marketing.backup-*.xlsx"))
    assert len(backups) == 1 and re.fullmatch(r"marketing\.backup-\d{8}-\d{6}\.xlsx", backups[0].name)
    assert f"đã lưu bản sao tại {backups[0]}" in result.output
    assert sha256(backups[0]) == damaged
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["OKR", "Hướng dẫn", "_okrsheets"]
    assert "O1.KR2" in rows_by_id(wb["OKR"])
    assert_same_entries(team_values(path), TEAM_INPUT)
    # and it is healthy again
    result = run(cfg)
    assert result.exit_code == 0, result.output
    assert "3 phòng ban: 3 không đổi" in result.output, result.output


# ---------------------------------------------------------------- choosing departments, file names


def test_department_option_provisions_only_that_department(tmp_path):
    cfg = write_config(tmp_path)
    result = run(cfg, "--department", "hr")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "okr-data" / QUARTER).iterdir()) == [STORE_NAME, "hr.xlsx"]
    assert "1 phòng ban: 1 đã tạo" in result.output

    result = run(cfg, "--department", "phong-ke-toan")
    assert result.exit_code == 2
    assert "--department phong-ke-toan: không có phòng ban này; các phòng ban: " in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (tmp_path / "okr-data" / QUARTER).iterdir()) == [STORE_NAME, "hr.xlsx"]


def test_odd_department_key_and_quarter_name_give_safe_file_names(tmp_path):
    # "CON" and "LPT1" are reserved device names on Windows; a "/" in the quarter name would be a folder.
    cfg = write_config(
        tmp_path, departments=("hr", "finance"), keys={"hr": "CON", "finance": "lpt1"},
        quarter='name = "2026/Q4"\nstart = 2026-10-01\nend = 2026-12-31',
    )
    result = run(cfg)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "okr-data" / "2026_Q4"
    assert sorted(p.name for p in folder.iterdir()) == [STORE_NAME, "_CON.xlsx", "_lpt1.xlsx"]
    assert [p for p in (tmp_path / "okr-data").iterdir()] == [folder]
    meta = dict(openpyxl.load_workbook(folder / "_CON.xlsx")["_okrsheets"].iter_rows(values_only=True))
    assert meta["department_key"] == "CON" and meta["quarter"] == "2026/Q4"
    again = run(cfg)  # and found again on the next run
    assert again.exit_code == 0 and "2 phòng ban: 2 không đổi" in again.output, again.output


def test_long_department_keys_never_share_a_workbook(tmp_path):
    """Two departments must never be written to one file (and --force must not be the advice for it)."""
    prefix = "khoi-van-hanh-" * 10  # 140 characters
    cfg = write_config(tmp_path, departments=("hr", "finance"), keys={"hr": prefix + "nhan-su", "finance": prefix + "ke-toan"})
    result = run(cfg)
    if result.exit_code == 2:  # rejected by the config check, naming the key: fine too
        assert "key" in result.output and "nhan-su" in result.output
        return
    assert result.exit_code == 0, result.output
    files = list((tmp_path / "okr-data" / QUARTER).iterdir())
    assert len(files) == 2, result.output
    assert all(len(f.name) <= 255 for f in files)


# ---------------------------------------------------------------- what the workbook offers a team


def _validations_at(ws, ref: str):
    return [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]


def test_workbook_protects_everything_but_the_team_cells(tmp_path):
    provisioned(tmp_path)
    wb = openpyxl.load_workbook(workbook_path(tmp_path, "finance"))
    ws = wb["OKR"]
    assert ws.protection.sheet is True
    assert wb["Hướng dẫn"].protection.sheet and wb["_okrsheets"].protection.sheet
    kr_rows = {row for item_id, row in rows_by_id(ws).items() if ".KR" in item_id}
    team = {COL[name] for name in TEAM_COLUMNS}
    wrong = [
        ws.cell(row, column).coordinate
        for row in range(1, ws.max_row + 2)
        for column in range(1, len(COL) + 1)
        if ws.cell(row, column).protection.locked != (row not in kr_rows or column not in team)
    ]
    assert not wrong, f"cells with the wrong lock state: {wrong}"
    assert len(kr_rows) == 6


def test_workbook_guides_input_with_validation_colours_frozen_panes_and_print_setup(tmp_path):
    provisioned(tmp_path)
    ws = openpyxl.load_workbook(workbook_path(tmp_path, "finance"))["OKR"]
    rows = rows_by_id(ws)
    current = lambda kr: f"G{rows[kr]}"  # noqa: E731

    [number] = _validations_at(ws, current("O1.KR2"))  # increase 30% -> 60%
    assert number.type == "decimal"
    assert "Bắt đầu: 30%" in number.prompt and "chỉ tiêu: 60%" in number.prompt
    [days] = _validations_at(ws, current("O1.KR1"))  # decrease 10 -> 5 days
    assert days.type == "decimal" and "Bắt đầu: 10" in days.prompt and "chỉ tiêu: 5" in days.prompt
    [milestone] = _validations_at(ws, current("O3.KR3"))
    assert milestone.type == "list" and milestone.formula1 == '"Xong,Chưa xong"'
    [confidence] = _validations_at(ws, f"H{rows['O1.KR1']}")
    assert (confidence.type, confidence.operator, confidence.formula1, confidence.formula2) == ("whole", "between", "1", "10")
    [last_update] = _validations_at(ws, f"M{rows['O1.KR1']}")
    assert last_update.type == "date"

    scored = [f"J{rows[k]}" for k in ("O1", "O1.KR1", "O3.KR3")] + ["F6"]
    for ref in scored:
        rules = [rule for cf in ws.conditional_formatting if ref in cf.sqref for rule in cf.rules]
        fills = {rule.dxf.fill.fgColor.rgb for rule in rules if rule.type == "expression"} - {"FFFFC000"}  # "check cell"
        assert fills == {"FFF4C7C3", "FFFCE8B2", "FFB7E1CD"}, ref  # red, yellow, green

    assert ws.freeze_panes == "C9"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_rows_are_tall_enough_for_their_text_and_key_result_rows_for_a_comment(tmp_path):
    # LibreOffice shows a library-written row at one line unless it has a height (tests/test_team_look.py has more).
    provisioned(tmp_path)
    ws = openpyxl.load_workbook(workbook_path(tmp_path, "finance"))["OKR"]
    rows = rows_by_id(ws)
    assert ws.row_dimensions[8].height == 30  # the header: "Độ tự tin (1–10)" in a column 11 wide
    assert ws.row_dimensions[6].height == 30  # "Ngày đánh giá" in a column 10 wide
    assert ws.row_dimensions[4].height is None  # "Phụ trách" fits
    # O1's 130 characters take 4 lines of a column 45 wide (about 42 a line), O3's 120 three
    assert {o: ws.row_dimensions[rows[o]].height for o in ("O1", "O3")} == {"O1": 60, "O3": 45}
    # every KR row two lines: its text (45 to 84 characters), "Mốc (xong/chưa)" 12 wide, and room for a comment
    krs = [r for kr_id, r in rows.items() if "." in kr_id]
    assert [ws.row_dimensions[r].height for r in krs] == [30] * 6


@pytest.mark.parametrize(
    ("language", "guide", "title", "words"),
    [
        ("vi", "Hướng dẫn", "Hướng dẫn cập nhật OKR", ["Hiện tại", "Đỏ: dưới 0,4", "Xanh: từ 0,7"]),
        ("en", "Guide", "How to update your OKRs", ["Current", "Red: below 0.4", "Green: 0.7 and above"]),
    ],
)
def test_guide_sheet_in_the_company_language(tmp_path, language, guide, title, words):
    provisioned(tmp_path, language=language)
    wb = openpyxl.load_workbook(workbook_path(tmp_path, "finance"))
    assert wb.sheetnames == ["OKR", guide, "_okrsheets"]
    text = "\n".join(str(c.value) for c in wb[guide]["A"] if c.value)
    assert wb[guide]["A1"].value == title
    for word in words:
        assert word in text
    header = [c.value for c in wb["OKR"][8]]
    assert header[COL["current"] - 1] == ("Current" if language == "en" else "Hiện tại")


def test_hidden_metadata_sheet_identifies_the_workbook(tmp_path):
    provisioned(tmp_path)
    wb = openpyxl.load_workbook(workbook_path(tmp_path, "hr"))
    meta_ws = wb["_okrsheets"]
    assert meta_ws.sheet_state == "hidden"
    meta = dict(meta_ws.iter_rows(values_only=True))
    assert meta["schema_version"] == 1
    assert meta["template_key"] == "hr" and meta["template_version"] == 1
    assert meta["department_key"] == "hr" and meta["quarter"] == QUARTER
    assert re.fullmatch(r"[0-9a-f]{64}", meta["fingerprint"])
    # a changed plan changes the fingerprint
    provisioned(tmp_path, targets={("hr", "O1.KR1"): 12})
    assert dict(openpyxl.load_workbook(workbook_path(tmp_path, "hr"))["_okrsheets"].iter_rows(values_only=True))["fingerprint"] != meta["fingerprint"]


@pytest.mark.parametrize("env_name", [None, "SENVANG_OKR_PW"])
def test_sheet_password_from_the_environment_is_applied_and_never_printed(tmp_path, env_name):
    password = "Sen-Vàng#2026!"
    extra = f'protection_password_env = "{env_name}"' if env_name else ""
    cfg = write_config(tmp_path, extra=extra)
    result = run(cfg, env={env_name or PASSWORD_ENV: password})
    assert result.exit_code == 0, result.output
    path = workbook_path(tmp_path, "marketing")
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert ws.protection.sheet and ws.protection.password == hash_password(password), ws.title
    with zipfile.ZipFile(path) as archive:
        assert not any(password.encode() in archive.read(name) for name in archive.namelist())
    team_types(path, TEAM_INPUT)
    for args in ((), ("--dry-run",)):
        result = run(write_config(tmp_path, extra=extra, targets={("marketing", "O1.KR1"): 30}), *args, env={env_name or PASSWORD_ENV: password})
        assert result.exit_code == 0, result.output
        assert password not in result.output
    assert openpyxl.load_workbook(path)["OKR"].protection.password == hash_password(password)


def test_a_changed_sheet_password_is_applied_on_the_next_provision(tmp_path):
    """After a password leaks the admin sets a new one; re-provisioning must lock the sheets with it."""
    cfg = write_config(tmp_path)
    assert run(cfg, env={PASSWORD_ENV: "old-password"}).exit_code == 0
    result = run(cfg, env={PASSWORD_ENV: "new-password"})
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(workbook_path(tmp_path, "marketing"))["OKR"]
    assert ws.protection.password == hash_password("new-password"), result.output


def test_without_a_password_sheets_are_protected_without_one(tmp_path):
    provisioned(tmp_path)
    ws = openpyxl.load_workbook(workbook_path(tmp_path, "marketing"))["OKR"]
    assert ws.protection.sheet and not ws.protection.password


def test_formula_like_team_text_stays_text_after_reprovisioning(tmp_path):
    provisioned(tmp_path)
    path = workbook_path(tmp_path, "marketing")
    comments = {
        "O1.KR1": '=HYPERLINK("http://example.com","báo cáo")',
        "O1.KR3": "=1+1",
        "O2.KR2": "+84 912 345 678 (chị Lan)",
        "O2.KR1": "-5% so với tháng trước",
    }
    team_types(path, {kr: (None, None, text, None) for kr, text in comments.items()})
    result = run(write_config(tmp_path, targets={("marketing", "O1.KR1"): 30}))
    assert result.exit_code == 0, result.output
    assert re.search(r"đã cập nhật\s+marketing", result.output)
    ws = openpyxl.load_workbook(path)["OKR"]
    rows = rows_by_id(ws)
    for kr, text in comments.items():
        cell = ws.cell(rows[kr], COL["comment"])
        assert (cell.value, cell.data_type) == (text, "s"), kr


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_workbook_files_get_normal_permissions_and_keep_them_on_update(tmp_path):
    """Team workbooks live in a shared folder: they must not come out readable by their creator only."""
    umask = os.umask(0)
    os.umask(umask)
    provisioned(tmp_path)
    path = workbook_path(tmp_path, "marketing")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    path.chmod(0o664)  # the admin lets the team's group write it
    provisioned(tmp_path, targets={("marketing", "O1.KR1"): 30})
    assert stat.S_IMODE(path.stat().st_mode) == 0o664
