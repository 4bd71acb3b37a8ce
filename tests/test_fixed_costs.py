"""The fixed costs every command pays: what `okrsheets --help`, `status` and `check-config` import, and the
fingerprint every provisioning run computes for each department."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import asdict, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl.utils.protection import hash_password

from okrsheets.config import load_config
from okrsheets.jobs.runlog import record_run, success_report
from okrsheets.plan import build_plan
from okrsheets.sheets import team_workbook

from .conftest import EXAMPLE_CONFIG
from .helpers.nightly import sample_result, write_config

REPO = Path(__file__).resolve().parent.parent

# The writers, readers and Google clients, and the renderers built on them: only the commands that
# read or write workbooks (provision, rollup, demo, google ...) may import these.
HEAVY = (
    "openpyxl", "xlsxwriter", "python_calamine", "gspread", "google.auth", "google.oauth2", "googleapiclient",
    "okrsheets.backends.excel", "okrsheets.backends.excel_read", "okrsheets.backends.excel_summary",
    "okrsheets.backends.excel_history", "okrsheets.sheets.summary", "okrsheets.sheets.team_workbook",
)


def imported_modules(*args: str, cwd: Path) -> tuple[set[str], subprocess.CompletedProcess]:
    """Every module `python -X importtime -m okrsheets ARGS` imported (from its import-time report)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "okrsheets", *args],
                         capture_output=True, text=True, cwd=cwd, env=env)
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in run.stderr.splitlines() if line.startswith("import time:") and line.count("|") == 2
    }
    return modules, run


def heavy_among(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)}


@pytest.fixture
def config_with_a_last_run(tmp_path: Path) -> Path:
    path = write_config(tmp_path)
    config = load_config(path)
    config.quarter_folder.mkdir(parents=True)
    ended = datetime(2026, 11, 20, 2, 1, tzinfo=timezone(timedelta(hours=7)))
    record_run(config.quarter_folder, success_report(sample_result(), started_at=ended - timedelta(minutes=1), ended_at=ended))
    return path


@pytest.mark.parametrize("command", [["--help"], ["status"], ["check-config"]])
def test_commands_that_touch_no_workbook_import_no_writer_reader_or_google_client(command, config_with_a_last_run):
    config_args = [] if command == ["--help"] else ["--config", str(config_with_a_last_run)]
    modules, run = imported_modules(*command, *config_args, cwd=config_with_a_last_run.parent)
    assert run.returncode == 0, run.stderr[-2000:]
    assert {"click", "okrsheets.cli.main"} <= modules  # the report was read: it names what every command imports
    if command != ["--help"]:
        assert "okrsheets.config" in modules
    if command == ["status"]:
        assert "2026-11-20" in run.stdout  # the last run was found and shown
    assert heavy_among(modules) == set()


def test_a_command_that_writes_workbooks_does_import_them(tmp_path: Path):
    # the check above can see a heavy import: provisioning renders and reads team workbooks
    path = write_config(tmp_path)
    modules, run = imported_modules("provision", "--config", str(path), cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert {"okrsheets.backends.excel", "okrsheets.sheets.team_workbook"} <= heavy_among(modules)


# ---------------------------------------------------------------- the fingerprint, made without copying the plan


def reference_fingerprint(config, department) -> str:
    """The fingerprint as written by earlier versions (a deep copy of the plan with `asdict`): existing
    workbooks carry it, and a new way of computing it must give the same, or every workbook is rebuilt."""
    payload = {
        "schema": team_workbook.SCHEMA_VERSION,
        "layout": team_workbook.LAYOUT_VERSION,
        "company": config.company,
        "language": config.language,
        "quarter": [config.quarter.name, config.quarter.start.isoformat(), config.quarter.end.isoformat()],
        "scoring": asdict(config.scoring),
        "password_hash": hash_password(password) if (password := config.protection_password()) else None,
        "department": asdict(department),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@pytest.mark.parametrize("password", [None, "mật-khẩu"])
def test_the_fingerprint_is_the_one_existing_workbooks_carry(monkeypatch, password):
    if password:
        monkeypatch.setenv("OKRSHEETS_SHEET_PASSWORD", password)
    else:
        monkeypatch.delenv("OKRSHEETS_SHEET_PASSWORD", raising=False)
    plan = build_plan(load_config(EXAMPLE_CONFIG))
    assert len(plan.departments) >= 3
    for department in plan.departments:
        assert team_workbook.fingerprint(plan.config, department) == reference_fingerprint(plan.config, department)
    first = plan.departments[0]
    # what it hashes still matters: a changed target, or a changed password, gives another fingerprint
    changed_kr = replace(first.objectives[0].key_results[0], target=(first.objectives[0].key_results[0].target or 0) + 1)
    changed = replace(first, objectives=(replace(first.objectives[0], key_results=(changed_kr, *first.objectives[0].key_results[1:])),
                                         *first.objectives[1:]))
    assert team_workbook.fingerprint(plan.config, changed) != team_workbook.fingerprint(plan.config, first)
    before = team_workbook.fingerprint(plan.config, first)
    monkeypatch.setenv("OKRSHEETS_SHEET_PASSWORD", (password or "") + "-mới")
    assert team_workbook.fingerprint(plan.config, first) != before
