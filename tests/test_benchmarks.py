"""The benchmark scripts still run and print every row: a renamed import or entry point must not go unnoticed.

Both benchmarks run once on 3 workbooks and one round, side by side (the
slowest part is starting Python for each phase), plus the rollup benchmark once
more with pandas hidden: pandas is only in the `bench` extra, so without it the
benchmark still runs and says why the pandas rows are missing.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PANDAS = importlib.util.find_spec("pandas") is not None
NO_PANDAS = "pandas is not installed (pip install -e '.[bench]')"

ROLLUP_ROWS = [
    "rollup CLI, full (whole process)", "run_rollup, full (in-process)",
    "floor, 1 process (whole process)", "floor, 1 process (in-process)",
    "floor, 2 processes (whole process)", "floor, 2 processes (in-process)",
    "1%-changed night, CLI (whole process)", "1%-changed night, run_rollup (in-process)",
]
PANDAS_ROWS = ["pandas script, default engine (whole process)", "pandas script, default engine (in-process)",
               "pandas script, calamine engine (whole process)", "pandas script, calamine engine (in-process)"]
ROLLUP_RATIOS = [
    "rollup CLI / floor, 1 process", "rollup CLI / floor, 2 processes", "rollup CLI / whole-job floor (the faster)",
    "run_rollup / floor, 1 process (in-process)", "run_rollup / floor, 2 processes (in-process)",
    "1%-changed night / full, CLI", "1%-changed night / full, run_rollup",
]
PANDAS_RATIOS = ["pandas script, default engine / rollup CLI", "pandas script, calamine engine / rollup CLI",
                 "pandas script, default engine / run_rollup (in-process)",
                 "pandas script, calamine engine / run_rollup (in-process)"]
PROVISION_ROWS = [
    "provision CLI, new (whole process)", "provision(), new (in-process)",
    "floor: XlsxWriter, same cells (whole process)", "floor: XlsxWriter, same cells (in-process)",
    "provision CLI, unchanged (whole process)", "provision(), unchanged (in-process)",
    "floor: stat + meta sheet XML (whole process)", "floor: stat + meta sheet XML (in-process)",
]
PROVISION_RATIOS = [
    "provision CLI, new / XlsxWriter floor", "provision(), new / XlsxWriter floor (in-process)",
    "provision CLI, unchanged / stat + meta floor", "provision(), unchanged / stat + meta floor (in-process)",
]
TIME = r"\d+\.\d{2,3} s"
RATIO = r"\d+\.\d\dx"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    base = tmp_path_factory.mktemp("bench")
    hidden = base / "hide-pandas" / "pandas"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('pandas hidden by tests/test_benchmarks.py')\n", encoding="utf-8")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    commands = {
        "rollup": ([sys.executable, str(ROOT / "benchmarks" / "rollup_excel.py"), "--sizes", "3", "--rounds", "1",
                    "--keep", str(base / "rollup"), "--check"], env),
        "provision": ([sys.executable, str(ROOT / "benchmarks" / "provision_excel.py"), "--sizes", "3", "--rounds", "1",
                       "--keep", str(base / "provision"), "--check"], env),
        "rollup without pandas": ([sys.executable, str(ROOT / "benchmarks" / "rollup_excel.py"), "--sizes", "3", "--rounds", "1",
                                   "--keep", str(base / "no-pandas")], {**env, "PYTHONPATH": str(hidden.parent)}),
        "provision against a baseline": ([sys.executable, str(ROOT / "benchmarks" / "provision_excel.py"), "--sizes", "3",
                                          "--rounds", "1", "--keep", str(base / "baseline"), "--unchanged-only",
                                          "--baseline", str(ROOT)], env),
    }
    started = {name: subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ)
               for name, (argv, environ) in commands.items()}
    done = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=300)
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return done


def row(output: str, name: str, value: str) -> re.Match | None:
    """The table line that starts with exactly ``name`` followed by ``value`` (a time, a ratio or a word)."""
    return re.search(rf"^  {re.escape(name)} +{value}", output, re.M)


def test_rollup_benchmark_prints_every_row(runs):
    run = runs["rollup"]
    assert run.returncode == 0, run.stdout + run.stderr
    for name in ROLLUP_ROWS:
        assert row(run.stdout, name, rf"{TIME} +{TIME} +\d+ MiB"), name
    for name in ROLLUP_RATIOS:
        assert row(run.stdout, name, rf"{RATIO} +{RATIO}"), name
    assert "  check rollup: 3 departments (3 readable), 45 KRs," in run.stdout
    assert re.search(r"^  check floor: [\d,]+ cells read, [\d,]+ cells written \(the summary's: [\d,]+ strings, [\d,]+ numbers",
                     run.stdout, re.M)
    assert "  1%-changed night: 1 of 3 workbooks get new check-ins (openpyxl load + save) before each night" in run.stdout
    assert re.search(r"^ +3 +45 +\d+ MiB +\d+ / \d+ MiB +-$", run.stdout, re.M), "the peak RSS by N table"


def test_rollup_benchmark_check_prints_a_verdict_per_target(runs):
    out = runs["rollup"].stdout
    for target in ("full rollup CLI / whole-job floor, wall", "full rollup CLI / whole-job floor, CPU",
                   "1%-changed night / full rollup, CLI wall", "peak RSS of the rollup CLI (largest process)"):
        assert re.search(rf"^  (PASS|MISS)  {re.escape(target)}: \d", out, re.M), target
    assert re.search(r"^  PASS  peak RSS of the rollup CLI \(largest process\): \d+ MiB \(target <= 200 MiB\)$", out, re.M)
    assert "  ----  peak RSS of the rollup CLI at N = 3,000: not measured (run N = 3,000, or two sizes to extrapolate)" in out


@pytest.mark.skipif(not PANDAS, reason="pandas is not installed: it is only in the `bench` extra (pip install -e '.[bench]')")
def test_rollup_benchmark_times_the_pandas_script_and_shows_it_scores_wrongly(runs):
    out = runs["rollup"].stdout
    for name in PANDAS_ROWS:
        assert row(out, name, rf"{TIME} +{TIME} +\d+ MiB"), name
    for name in PANDAS_RATIOS:
        assert row(out, name, rf"{RATIO} +{RATIO}"), name
    assert re.search(r"^  (PASS|MISS)  pandas script \(default engine\) / full rollup CLI, wall: \d", out, re.M)
    wrong = re.search(r"^  pandas script scores wrongly: to_numeric turns (\d+) of (\d+) typed check-ins into NaN, scored 0"
                      r" \(e\.g\. '(\d+,\d+%)' -> NaN\); company score (\d\.\d+) vs okrsheets (\d\.\d+)$", out, re.M)
    assert wrong, out
    assert 0 < int(wrong[1]) < int(wrong[2])
    assert float(wrong[4]) < float(wrong[5])  # the unread values count as 0


def test_rollup_benchmark_without_pandas_says_why_and_times_the_rest(runs):
    run = runs["rollup without pandas"]
    assert run.returncode == 0, run.stdout + run.stderr
    for name in PANDAS_ROWS:
        assert row(run.stdout, name, re.escape(f"skipped: {NO_PANDAS}")), name
    assert f"  pandas script: skipped, {NO_PANDAS}" in run.stdout
    for name in ROLLUP_ROWS:
        assert row(run.stdout, name, rf"{TIME} +{TIME} +\d+ MiB"), name


def test_provision_benchmark_prints_every_row(runs):
    run = runs["provision"]
    assert run.returncode == 0, run.stdout + run.stderr
    for name in PROVISION_ROWS:
        assert row(run.stdout, name, rf"{TIME} +{TIME} +\d+ MiB"), name
    for name in PROVISION_RATIOS:
        assert row(run.stdout, name, rf"{RATIO} +({RATIO}|-)"), name
    assert "  check provision(), new: 3 created" in run.stdout
    assert "  check provision(), unchanged: 3 unchanged (decided before parsing the config)" in run.stdout
    assert re.search(r"^  check XlsxWriter floor: 3 workbooks, [\d,]+ cells written$", run.stdout, re.M)
    assert re.search(r"^  check stat \+ meta floor: 3 files, [\d,]+ bytes of meta sheet XML$", run.stdout, re.M)
    for target in ("provision CLI, new / XlsxWriter floor, wall", "provision CLI, unchanged / stat + meta floor, wall"):
        assert re.search(rf"^  (PASS|MISS)  {re.escape(target)}: \d", run.stdout, re.M), target


def test_provision_benchmark_times_a_baseline_checkout_in_the_same_rounds(runs):
    run = runs["provision against a baseline"]  # --unchanged-only --baseline (this checkout as its own baseline)
    assert run.returncode == 0, run.stdout + run.stderr
    for name in PROVISION_ROWS[:4]:
        assert row(run.stdout, name, "not run"), name
    for name in PROVISION_ROWS[4:] + ["baseline: provision CLI, unchanged (whole process)", "baseline: provision(), unchanged (in-process)"]:
        assert row(run.stdout, name, rf"{TIME} +{TIME} +\d+ MiB"), name
    for name in ("provision CLI, unchanged / baseline", "provision(), unchanged / baseline (in-process)"):
        assert row(run.stdout, name, rf"{RATIO} +{RATIO}"), name
    assert f"  baseline: the okrsheets in {ROOT}" in run.stdout
    assert "  check provision(), unchanged, baseline: 3 unchanged (decided before parsing the config)" in run.stdout
