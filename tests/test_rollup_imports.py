"""What a nightly rollup loads: calamine to read and XlsxWriter to write, never openpyxl (nor the numpy it imports).

openpyxl reads the cells a team typed when provisioning rebuilds a workbook; a rollup
has no use for it, and importing it (with numpy) cost a night about a third of a second.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .helpers.nightly import write_config

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path) -> tuple[set[str], subprocess.CompletedProcess]:
    """Every module `python -X importtime -m okrsheets ARGS` imported, and the run."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "okrsheets", *args],
                          capture_output=True, text=True, cwd=cwd, env=env)
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:") and line.count("|") == 2}
    return modules, done


def test_a_rollup_writes_its_summary_without_importing_openpyxl_or_numpy(tmp_path):
    config = write_config(tmp_path)
    provisioned, done = run("provision", "--config", str(config), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "openpyxl" in provisioned  # the report sees it where it is used
    for night in ("2026-11-16", "2026-11-17"):  # the first night, and one with a summary and stored readings
        modules, done = run("rollup", "--config", str(config), "--as-of", night, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        assert {"python_calamine", "xlsxwriter", "okrsheets.backends.excel_summary"} <= modules
        assert {m.split(".")[0] for m in modules} & {"openpyxl", "numpy"} == set()
    assert (tmp_path / "okr" / "2026-Q4" / "company-summary.xlsx").is_file()
