"""`okrsheets demo --google`: the whole cycle on Google Sheets against the in-process fake."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from .google_setups import REPO

GOOGLE_BACKEND = importlib.util.find_spec("okrsheets.backends.google.backend") is not None


@pytest.mark.skipif(not GOOGLE_BACKEND, reason="provision and read on Google come with GoogleBackend "
                    "(okrsheets.backends.google.backend, branch gprovision); remove this skip once it is merged")
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
