"""`okrsheets demo` writes only into an empty folder or one it made: a folder holding anything else is
refused with one line, on Excel and on Google, and what is in it is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("backend", [[], ["--google"]], ids=["excel", "google"])
def test_a_folder_that_is_not_the_demos_is_refused_and_left_alone(tmp_path, backend):
    folder = tmp_path / "okrs"
    folder.mkdir()
    (folder / "budget.xlsx").write_bytes(b"a person's file")
    run = subprocess.run([sys.executable, "-m", "okrsheets", "demo", str(folder), *backend], capture_output=True,
                         text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))  # the demo speaks its --lang, vi by default
    assert run.returncode != 0
    assert run.stderr.strip().splitlines()[-1] == (
        f"Lỗi: {folder} đã có và không phải thư mục demo của okrsheets; hãy chọn một thư mục trống hoặc mới")
    assert sorted(p.name for p in folder.iterdir()) == ["budget.xlsx"]
    assert (folder / "budget.xlsx").read_bytes() == b"a person's file"
