"""Re-provisioning never changes what a team typed: value, type and number format of every cell (issue 11.2).

A "team" types every kind of value Excel can hold (numbers, Vietnamese text
forms, dates, datetimes, booleans, error values, formulas, text that starts
with "=") into every input column of every unit, often with a number format
of its own (a date format in a count cell, General in a percent cell). The
admin then changes the config (a target, a text, a new KR, a removed KR) and
provisions again, several rounds so that every kind lands in every column of
every unit, on active and archived rows. Each typed cell is compared with
openpyxl before and after: value, type and number format, all kept.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.sheets.team_workbook import COL, FIRST_ROW, TEAM_COLUMNS

from .helpers.workbooks import rows_by_id

FOLDER = Path("okr-data") / "2026-Q4"

# (kind, value, number format or None for the one provisioning gave the cell, stored as text)
CORPUS = [
    ("int", 45, None, False),
    ("float", 12.5, None, False),
    ("negative", -3.25, "0.00", False),
    ("int in General", 45, "General", False),  # a percent cell pasted over as General
    ("percent format", 0.455, "0.0%", False),
    ("text 12,5%", "12,5%", None, True),
    ("text VND", "1.000.000 ₫", None, True),
    ("text word", "xong", None, True),
    ("text Vietnamese", "Đang chờ phê duyệt ngân sách", None, True),
    ("date", datetime(2026, 11, 24), "dd/mm/yyyy", False),  # a date typed in a count cell: 46350 if reformatted
    ("date as serial", 46341, "d/m/yyyy", False),
    ("datetime", datetime(2026, 11, 24, 14, 30), "yyyy-mm-dd hh:mm", False),
    ("true", True, None, False),
    ("false", False, None, False),
    ("#REF!", "#REF!", None, False),
    ("#DIV/0!", "#DIV/0!", None, False),
    ("#N/A", "#N/A", None, False),
    ("formula", "=1+1", None, False),
    ("formula TODAY", "=TODAY()", "dd/mm/yyyy", False),
    ("text =", "=abc", None, True),
    ("text HYPERLINK", '=HYPERLINK("http://example.com","x")', None, True),
    ("text @ format", "0123", "@", True),
]


def _config(tmp_path: Path, round_: int) -> Path:
    """Sales (VND, count, percent, days) and finance (milestone, days, percent, count).

    Even rounds: sales has O1, O2, O3 with O1.KR1's target 5e9 and finance O1, O3.
    Odd rounds: sales drops O3 (archived with its values) and adds O4 (new KRs),
    its O1.KR1 target is 6e9 and the company name changes (a text on every sheet).
    """
    odd = round_ % 2 == 1
    sales_objectives = '["O1", "O2", "O4"]' if odd else '["O1", "O2", "O3"]'
    target = 6_000_000_000 if odd else 5_000_000_000
    company = "Công ty Sen Vàng (mới)" if odd else "Công ty Sen Vàng"
    finance_target = 4 if odd else 5
    text = f"""
company = "{company}"
language = "vi"
[quarter]
name = "2026-Q4"
[backend]
kind = "excel"
folder = "okr-data"
[[departments]]
key = "sales"
name = "Phòng Kinh doanh"
template = "sales"
owners = ["sales@senvang.vn"]
objectives = {sales_objectives}
values."O1.KR1" = {{ start = 1000000000, target = {target} }}
values."O1.KR2" = {{ start = 0, target = 40 }}
values."O1.KR3" = {{ start = 0, target = 3 }}
values."O2.KR1" = {{ start = 10, target = 25 }}
values."O2.KR2" = {{ start = 60, target = 45 }}
values."O2.KR3" = {{ start = 5, target = 8 }}
values."O3.KR1" = {{ start = 20, target = 35 }}
values."O3.KR2" = {{ start = 0, target = 200 }}
values."O3.KR3" = {{ start = 0, target = 4 }}
values."O4.KR1" = {{ start = 0, target = 6 }}
values."O4.KR2" = {{ start = 0, target = 80 }}
values."O4.KR3" = {{ start = 0, target = 30 }}
[[departments]]
key = "finance"
name = "Phòng Tài chính"
template = "finance"
owners = ["finance@senvang.vn"]
objectives = ["O1", "O3"]
values."O1.KR1" = {{ start = 10, target = {finance_target} }}
values."O1.KR2" = {{ start = 30, target = 60 }}
values."O1.KR3" = {{ start = 100, target = 50 }}
values."O3.KR1" = {{ start = 50, target = 100 }}
values."O3.KR2" = {{ period = "quý 4/2026" }}
"""
    chosen = {"O1", "O2", "O4"} if odd else {"O1", "O2", "O3"}
    lines = [line for line in text.splitlines()
             if not line.startswith('values."O3') and not line.startswith('values."O4') or line[8:10] in chosen
             or 'period' in line]
    path = tmp_path / "okrsheets.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _provision(config: Path):
    result = CliRunner().invoke(cli, ["provision", "--config", str(config)], env={"OKRSHEETS_SHEET_PASSWORD": None})
    assert result.exit_code == 0, result.output
    return result


def _units(ws) -> dict[int, str]:
    """Row -> the KR's unit as the sheet shows it (archived rows included)."""
    return {row: str(ws.cell(row, COL["unit"]).value) for row in range(FIRST_ROW, ws.max_row + 1)
            if ws.cell(row, COL["code"]).value not in (None, "objective") and ws.cell(row, COL["unit"]).value}


def _type_round(path: Path, round_: int, covered: set) -> None:
    """The team types a corpus value into every input cell of every KR row, active and archived."""
    wb = openpyxl.load_workbook(path)
    ws = wb["OKR"]
    for i, (row, unit) in enumerate(sorted(_units(ws).items())):
        for j, name in enumerate(TEAM_COLUMNS):
            kind, value, number_format, text = CORPUS[(round_ + i * len(TEAM_COLUMNS) + j) % len(CORPUS)]
            cell = ws.cell(row, COL[name])
            cell.value = value
            if text:
                cell.data_type = "s"
            if number_format:
                cell.number_format = number_format
            archived = ws.cell(row, COL["code"]).value == "archived"
            covered.add((path.stem, unit, name, kind, archived))
    wb.save(path)


def _typed_cells(path: Path) -> dict[tuple[str, str, bool], tuple]:
    """{(KR ID, column, archived): (value, type, number format)} of every typed cell."""
    ws = openpyxl.load_workbook(path)["OKR"]
    cells = {}
    for archived in (False, True):
        for item_id, row in rows_by_id(ws, archived).items():
            if ws.cell(row, COL["code"]).value == "objective":
                continue
            for name in TEAM_COLUMNS:
                cell = ws.cell(row, COL[name])
                if cell.value is not None:
                    cells[(item_id, name, archived)] = (cell.value, cell.data_type, cell.number_format)
    return cells


def test_reprovisioning_keeps_every_typed_cell_its_value_type_and_number_format(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _provision(_config(tmp_path, 0))
    covered: set = set()
    checked = 0
    for round_ in range(1, len(CORPUS) + 1):
        for key in ("sales", "finance"):
            _type_round(tmp_path / FOLDER / f"{key}.xlsx", round_, covered)
        before = {key: _typed_cells(tmp_path / FOLDER / f"{key}.xlsx") for key in ("sales", "finance")}
        result = _provision(_config(tmp_path, round_))
        assert "2 phòng ban: 2 đã cập nhật" in result.output, result.output
        for key in ("sales", "finance"):
            after = _typed_cells(tmp_path / FOLDER / f"{key}.xlsx")
            for (item_id, name, archived), typed in before[key].items():
                restored = (item_id, name, not archived) in after and (item_id, name, archived) not in after
                kept = after[(item_id, name, not archived if restored else archived)]
                assert kept == typed, f"round {round_}: {key} {item_id} {name}: {typed} became {kept}"
                checked += 1
    # every kind of value reached every input column of every unit, on active rows
    units = {unit for _, unit, *_ in covered}
    active = {(unit, name, kind) for _, unit, name, kind, archived in covered if not archived}
    missing = [(unit, name, kind) for unit in units for name in TEAM_COLUMNS for kind, *_ in CORPUS
               if (unit, name, kind) not in active]
    assert not missing, missing[:10]
    assert len(units) == 5, units  # VND, count, percent, days, milestone
    assert any(archived for *_, archived in covered)  # archived rows were typed in and compared too
    assert checked > 1000


def test_readme_says_what_reprovisioning_keeps():
    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    assert ("Each cell keeps its value, its type (a date stays a date, a formula a formula, an error such as `#REF!` "
            "an error, text text) and its own number format.") in readme
