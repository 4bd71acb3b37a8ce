"""`okrsheets demo --google`: the whole cycle on Google Sheets against the in-process fake."""

from __future__ import annotations

from collections import Counter
from datetime import date
import subprocess
import sys

import pytest

from .google_setups import REPO


def test_demo_google_runs_the_cycle_and_prints_the_requests_of_each_phase(tmp_path):
    result = subprocess.run([sys.executable, "-m", "okrsheets", "demo", str(tmp_path / "demo"), "--google",
                             "--lang", "en", "--as-of", "2026-11-20"],
                            capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode in (0, 1), result.stderr  # 1: the planted mistakes leave a department unread
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    rollup = next(line for line in lines if line.startswith("rollup: "))
    # the summary's side of the rollup: a listing, a create, a get and one batchUpdate
    assert "drive.files.create 1" in rollup and "sheets.spreadsheets.batchUpdate 1" in rollup
    assert any(line.startswith("provision: ") for line in lines)
    assert any(line.startswith("type: ") for line in lines)
    assert "https://docs.google.com/spreadsheets/d/" in result.stdout


def test_the_demo_refuses_a_folder_that_is_not_a_demo_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "okrsheets", "demo", str(tmp_path), "--google", "--lang", "en"],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 1
    assert "is not an okrsheets demo folder" in result.stderr and "Traceback" not in result.stderr


def test_the_demo_types_check_ins_as_people_do_in_google_sheets(tmp_path, monkeypatch):
    """The demo's "teams type" phase on spreadsheets laid out as the team workbook (IDs in their column)."""
    from okrsheets.backends.google.drive import DEPARTMENT_PROPERTY, QUARTER_PROPERTY
    from okrsheets.config import load_config
    from okrsheets.core.values import read_cell_value
    from okrsheets.jobs.demo import google_demo_config_text, type_on_google
    from okrsheets.plan import build_plan
    from okrsheets.sheets.team_workbook import COL, FIRST_ROW
    from okrsheets.testing import FakeGoogle

    from .google_setups import ADMIN, shared_drive_setup
    with FakeGoogle() as fake:
        setup = shared_drive_setup(fake, tmp_path)
        setup.config.write_text(google_demo_config_text(setup.folder_id, "service-account.json", date(2026, 11, 20)),
                                encoding="utf-8")
        monkeypatch.setenv("OKRSHEETS_GOOGLE_API_URL", fake.url)
        config = load_config(setup.config)
        client = fake.gspread_client(setup.folder / "service-account.json")
        plan = build_plan(config)
        for department in plan.departments:
            spreadsheet_id = fake.seed_spreadsheet(department.name, owner=ADMIN, parent=setup.folder_id, app_properties={
                DEPARTMENT_PROPERTY: department.key, QUARTER_PROPERTY: config.quarter.name})
            sheet = client.open_by_key(spreadsheet_id)
            sheet.batch_update({"requests": [{"updateSpreadsheetProperties": {"properties": {"locale": "vi_VN"}, "fields": "locale"}}]})
            okr = sheet.sheet1
            okr.update_title("OKR")
            okr.update([[kr.id] for kr in department.key_results], f"{chr(64 + COL['id'])}{FIRST_ROW}")
        fake.clear_log()
        typed = type_on_google(client, config, date(2026, 11, 20))
        assert typed > 0
        assert Counter(e.endpoint for e in fake.request_log) == {  # a listing, then one read and one write per department
            "drive.files.get": 1, "drive.files.list": 1, "sheets.spreadsheets.values.get": len(plan.departments),
            "sheets.spreadsheets.values.batchUpdate": len(plan.departments)}
        fake.disable_quotas()
        values = []
        for department in plan.departments:
            found = [f for f in fake.files.values() if (f.app_properties or {}).get(DEPARTMENT_PROPERTY) == department.key]
            okr = client.open_by_key(found[0].id).worksheet("OKR")
            column = okr.col_values(COL["current"], value_render_option="UNFORMATTED_VALUE")
            values += [v for v in column[FIRST_ROW - 1:] if v != ""]
        assert len(values) == typed
        # numbers Sheets parsed ("45,5%" is 0.455 in vi_VN), milestone words, and money text the fake leaves as typed
        # ("570.000.000 ₫": the fake does not parse vi_VN currency): each reads as a number in okrsheets' reader
        texts = [v for v in values if not isinstance(v, (int, float))]
        assert [v for v in texts if v not in ("xong", "Chưa xong", "Đã xong", "x")
                and read_cell_value(v, "vnd", "vi_VN").value is None] == []
