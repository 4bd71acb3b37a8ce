"""``rollup --dry-run`` on Google names the summary spreadsheet a run would write (or says it would make one),
says whether its history has that night already, and sends no write request.

Against the offline fake over real HTTP, through the CLI and in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from okrsheets.jobs.rollup import preview_rollup, run_rollup

from .helpers.team_backends import AS_OF, team_backend

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def google(tmp_path):
    with team_backend("google", tmp_path) as team:
        yield team


def writes(google) -> list[str]:
    return [entry.endpoint for entry in google.fake.request_log if entry.api != "oauth" and not entry.is_read]


def dry_run(google, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "okrsheets", "rollup", "--config", str(google.config_path),
                           "--dry-run", *options], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))


def test_before_the_first_night_it_says_a_new_spreadsheet_would_be_made_and_makes_none(google):
    google.fake.clear_log()
    run = dry_run(google, "--as-of", AS_OF.isoformat())
    assert run.returncode == 0, run.stdout + run.stderr
    summary_line = next(line for line in run.stdout.splitlines() if line.startswith("  bảng tổng hợp: "))
    assert summary_line == (f'  bảng tổng hợp: một bảng tính mới "Báo cáo OKR: {google.plan.config.company} (2026-Q4)"'
                            f" trong thư mục Drive https://drive.google.com/drive/folders/{google.folder_id}")
    assert "company-summary.xlsx" not in run.stdout  # it used to name the Excel summary's path
    assert "(dòng mới)" in run.stdout
    assert writes(google) == []
    assert google.backend().unclaimed_files() == []  # no summary spreadsheet in the folder


def test_after_a_night_it_names_the_summary_and_whether_that_night_is_in_its_history(google):
    written = run_rollup(google.plan.config, AS_OF, backend=google.backend())
    url = written.summary_path
    assert url.startswith("https://docs.google.com/spreadsheets/d/")
    google.fake.clear_log()

    same_night = preview_rollup(google.plan.config, AS_OF, backend=google.backend())
    next_night = preview_rollup(google.plan.config, AS_OF + timedelta(days=1), backend=google.backend())

    assert (same_night.summary.location, same_night.summary.replaces_row, same_night.summary.new) == (url, True, False)
    assert (next_night.summary.location, next_night.summary.replaces_row, next_night.summary.new) == (url, False, False)
    assert next_night.to_json()["summary_path"] == url
    assert writes(google) == []
