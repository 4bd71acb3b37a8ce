"""The benchmark scripts still run: a renamed import must not go unnoticed until someone needs the numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_rollup_benchmark_runs_and_prints_its_verdict(tmp_path: Path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "rollup_excel.py"), "--departments", "3", "--repeats", "1",
         "--openpyxl-sample", "0", "--keep", str(tmp_path / "bench")],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "rollup / calamine = " in run.stdout
    assert "target: full rollup within 1.5x of calamine-only read:" in run.stdout
    assert "check rollup: 3 departments (3 readable)" in run.stdout
