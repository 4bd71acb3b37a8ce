"""benchmarks/google_requests.py runs (at 14 departments) and prints the per-case lines the README quotes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^(provision-new|provision-unchanged|rollup-all|rollup-5pct) 14: requests (\d+), 429s (\d+), "
                  r"simulated (\d+) s, floor (\d+) s, ratio (\d+\.\d\d)$")


def test_the_google_benchmark_prints_one_line_per_case():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "google_requests.py"), "--departments", "14"],
                         capture_output=True, text=True, timeout=600, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.strip().splitlines()[-4:]
    found = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in map(LINE.match, lines) if m}
    assert found == {
        # the listing, and the folder looked up as it holds nothing yet; 14 x (files.create, batchUpdate,
        # one owner shared, the modifiedTime once written)
        "provision-new": (2 + 14 * 4, 0),
        # the listing: every spreadsheet has the modifiedTime provision left
        "provision-unchanged": (1, 0),
        # the listing + 14 reads + the summary (created on this first run: files.create, batchUpdate)
        "rollup-all": (1 + 14 + 2, 0),
        # the listing + the 1 spreadsheet a team changed (5% of 14, at least one) + the summary (history, batchUpdate)
        "rollup-5pct": (1 + 1 + 2, 0),
    }, run.stdout
    readme = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    assert all(line in readme for line in lines), "benchmarks/README.md quotes another run at 14 departments"
