"""An unchanged provision re-run decides from each workbook's version token and the stored fingerprint,
before opening anything; any difference goes the careful way (open, check, rebuild keeping what teams typed)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from okrsheets.backends.excel import ExcelBackend
from okrsheets.config import load_config
from okrsheets.jobs.provision import provision
from okrsheets.jobs.provision_store import STORE_NAME
from okrsheets.plan import build_plan
from okrsheets.sheets import team_workbook
from okrsheets.sheets.team_workbook import COL, TEAM_COLUMNS

from .helpers.workbooks import rows_by_id

KEYS = [f"d{i:02d}" for i in range(1, 11)]
NOW = datetime(2026, 10, 5, 9, 0)


class CountingBackend(ExcelBackend):
    """The real Excel backend, noting each workbook it opens (reads) and writes."""

    def __init__(self, config):
        super().__init__(config)
        self.opened: list[str] = []
        self.written: list[str] = []

    def read(self, department_key, sheets=None):
        self.opened.append(department_key)
        return super().read(department_key, sheets)

    def read_typed_cells(self, department_key, sheet, columns):
        self.opened.append(department_key)
        return super().read_typed_cells(department_key, sheet, columns)

    def write(self, department_key, spec):
        self.written.append(department_key)
        super().write(department_key, spec)


def write_config(tmp_path: Path, targets: dict[str, float] | None = None) -> Path:
    """Ten departments on the built-in "hr" template; O1.KR1's target is 10 unless ``targets`` says otherwise."""
    lines = ['company = "Công ty Sen Vàng"', 'quarter = "2026-Q4"', "[backend]", 'kind = "excel"', 'folder = "okr"']
    for key in KEYS:
        lines += ["[[departments]]", f'key = "{key}"', f'name = "Phòng {key}"', 'template = "hr"',
                  f'values."O1.KR1" = {{ target = {(targets or {}).get(key, 10)} }}',
                  'values."O1.KR2" = { start = 45, target = 30 }']
    path = tmp_path / "okrsheets.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(config_path: Path, **options) -> tuple[dict[str, str], CountingBackend]:
    """Provision in this process; the outcome of each department, and the backend that counted."""
    plan = build_plan(load_config(config_path))
    backend = CountingBackend(plan.config)
    outcomes = provision(plan, backend, now=NOW, **options)
    return {o.department: o.action for o in outcomes}, backend


def workbook(tmp_path: Path, key: str) -> Path:
    return tmp_path / "okr" / "2026-Q4" / f"{key}.xlsx"


def store_file(tmp_path: Path) -> Path:
    return tmp_path / "okr" / "2026-Q4" / STORE_NAME


@pytest.fixture
def provisioned(tmp_path: Path) -> Path:
    config = write_config(tmp_path)
    actions, backend = run(config)
    assert actions == dict.fromkeys(KEYS, "created")
    assert backend.written == KEYS and backend.opened == []
    return config


ALL_UNCHANGED = dict.fromkeys(KEYS, "unchanged")


def test_a_second_provision_of_ten_departments_opens_no_workbook_and_writes_nothing(provisioned, tmp_path):
    before = {key: workbook(tmp_path, key).stat().st_mtime_ns for key in KEYS}
    store_before = store_file(tmp_path).read_bytes()
    actions, backend = run(provisioned)
    assert actions == ALL_UNCHANGED
    assert backend.opened == [] and backend.written == []
    assert {key: workbook(tmp_path, key).stat().st_mtime_ns for key in KEYS} == before
    assert store_file(tmp_path).read_bytes() == store_before  # nothing new to keep: the store is not rewritten either


def test_a_touched_workbook_is_opened_alone_and_not_rewritten_when_its_content_is_the_same(provisioned, tmp_path):
    path = workbook(tmp_path, "d03")
    mtime = path.stat().st_mtime_ns
    os.utime(path, ns=(mtime + 5_000_000_000, mtime + 5_000_000_000))  # saved again, nothing changed
    actions, backend = run(provisioned)
    assert actions == ALL_UNCHANGED
    assert backend.opened == ["d03"] and backend.written == []
    assert path.stat().st_mtime_ns == mtime + 5_000_000_000
    # its new version is kept: the next run opens nothing
    actions, backend = run(provisioned)
    assert actions == ALL_UNCHANGED and backend.opened == []


def test_a_changed_target_rebuilds_only_that_department_and_keeps_what_its_team_typed(provisioned, tmp_path):
    path = workbook(tmp_path, "d05")
    book = openpyxl.load_workbook(path)
    sheet = book["OKR"]
    row = rows_by_id(sheet)["O1.KR1"]
    typed = (7, 8, "Đã phỏng vấn 7 ứng viên", datetime(2026, 10, 3))
    for name, value in zip(TEAM_COLUMNS, typed):
        sheet.cell(row, COL[name]).value = value
    book.save(path)
    actions, backend = run(provisioned)  # the team's save is seen, and nothing needs doing
    assert actions == ALL_UNCHANGED and backend.opened == ["d05"] and backend.written == []

    actions, backend = run(write_config(tmp_path, targets={"d05": 12}))
    assert actions == {**ALL_UNCHANGED, "d05": "updated"}
    assert set(backend.opened) == {"d05"} and backend.written == ["d05"]
    sheet = openpyxl.load_workbook(path)["OKR"]
    row = rows_by_id(sheet)["O1.KR1"]
    assert sheet.cell(row, COL["target"]).value == 12
    assert tuple(sheet.cell(row, COL[name]).value for name in TEAM_COLUMNS) == typed
    actions, backend = run(write_config(tmp_path, targets={"d05": 12}))
    assert actions == ALL_UNCHANGED and backend.opened == [] and backend.written == []


def test_a_workbook_a_team_damaged_is_still_found(provisioned, tmp_path):
    path = workbook(tmp_path, "d02")
    book = openpyxl.load_workbook(path)
    sheet = book["OKR"]
    sheet.delete_rows(rows_by_id(sheet)["O1.KR2"])
    book.save(path)
    actions, backend = run(provisioned)
    assert actions == {**ALL_UNCHANGED, "d02": "damaged"}
    assert backend.opened == ["d02"] and backend.written == []


def test_a_deleted_workbook_is_made_again_without_opening_the_others(provisioned, tmp_path):
    workbook(tmp_path, "d04").unlink()
    actions, backend = run(provisioned)
    assert actions == {**ALL_UNCHANGED, "d04": "created"}
    assert backend.opened == [] and backend.written == ["d04"]


@pytest.mark.parametrize("store", [
    None,  # deleted
    "{half a file",
    json.dumps({"format": 99, "departments": {}}),
    json.dumps({"format": 1, "layout": team_workbook.LAYOUT_VERSION, "departments": [1, 2]}),
    json.dumps({"format": 1, "layout": team_workbook.LAYOUT_VERSION, "departments": {"d01": {"version": 3}}}),
], ids=["missing", "not JSON", "another format", "not a table", "an entry without a fingerprint"])
def test_a_missing_or_damaged_store_only_means_opening_the_workbooks(provisioned, tmp_path, store):
    if store is None:
        store_file(tmp_path).unlink()
    else:
        store_file(tmp_path).write_text(store, encoding="utf-8")
    actions, backend = run(provisioned)
    assert actions == ALL_UNCHANGED
    assert backend.opened == KEYS and backend.written == []
    actions, backend = run(provisioned)  # and the store is whole again
    assert actions == ALL_UNCHANGED and backend.opened == []


def test_force_opens_every_workbook(provisioned, tmp_path):
    actions, backend = run(provisioned, force=True)
    assert actions == ALL_UNCHANGED
    assert backend.opened == KEYS and backend.written == []


def test_a_new_layout_opens_and_refreshes_every_workbook(provisioned, tmp_path, monkeypatch):
    monkeypatch.setattr(team_workbook, "LAYOUT_VERSION", team_workbook.LAYOUT_VERSION + 1)
    actions, backend = run(provisioned)
    assert actions == dict.fromkeys(KEYS, "updated")
    assert set(backend.opened) == set(KEYS) and backend.written == KEYS
    assert json.loads(store_file(tmp_path).read_text(encoding="utf-8"))["layout"] == team_workbook.LAYOUT_VERSION
    actions, backend = run(provisioned)
    assert actions == ALL_UNCHANGED and backend.opened == []


def test_a_dry_run_decides_from_the_store_and_keeps_nothing(provisioned, tmp_path):
    store_before = store_file(tmp_path).read_bytes()
    actions, backend = run(write_config(tmp_path, targets={"d01": 11}), dry_run=True)
    assert actions == {**ALL_UNCHANGED, "d01": "updated"}
    assert backend.opened == ["d01"] and backend.written == []
    assert store_file(tmp_path).read_bytes() == store_before


def test_the_store_names_each_department_with_its_version_and_fingerprint(provisioned, tmp_path):
    data = json.loads(store_file(tmp_path).read_text(encoding="utf-8"))
    assert data["format"] == 1 and data["layout"] == team_workbook.LAYOUT_VERSION
    assert sorted(data["departments"]) == KEYS
    plan = build_plan(load_config(provisioned))
    for department in plan.departments:
        stat = workbook(tmp_path, department.key).stat()
        assert data["departments"][department.key] == {
            "version": f"{stat.st_size}:{stat.st_mtime_ns}",
            "fingerprint": team_workbook.fingerprint(plan.config, department),
        }
    # a department taken out of the config leaves the store with it
    text = provisioned.read_text(encoding="utf-8")
    provisioned.write_text(text[:text.index('[[departments]]\nkey = "d10"')], encoding="utf-8")
    actions, backend = run(provisioned)
    assert actions == dict.fromkeys(KEYS[:-1], "unchanged") and backend.opened == []
    assert sorted(json.loads(store_file(tmp_path).read_text(encoding="utf-8"))["departments"]) == KEYS[:-1]


def test_an_open_workbook_that_needs_no_change_is_unchanged_and_one_that_needs_a_change_is_skipped(provisioned, tmp_path):
    path = workbook(tmp_path, "d07")
    (path.parent / "~$d07.xlsx").write_text("someone", encoding="utf-8")  # a team has it open in Excel
    actions, backend = run(provisioned)
    assert actions == ALL_UNCHANGED and backend.opened == [] and backend.written == []
    before = path.read_bytes()
    actions, backend = run(write_config(tmp_path, targets={"d07": 11}))
    assert actions == {**ALL_UNCHANGED, "d07": "locked"}
    assert backend.opened == [] and backend.written == [] and path.read_bytes() == before
