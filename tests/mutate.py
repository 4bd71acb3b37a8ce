"""Mutation testing of the code that computes what users see (`make mutate`, docs/testing.md).

mutmut (configured in pyproject's [tool.mutmut]) changes one thing at a time in
scoring.py, values.py, rollup.py and the formulas of team_workbook.py, and runs
the tests that reach the changed function; a mutant the tests do not notice
"survives". Two phases, each with the test files that can kill its mutants:

* core: every function of scoring.py, values.py and rollup.py, against the
  engine-level tests (no LibreOffice: it would cost 5 s per mutant and checks
  the sheets' formulas, not the engine);
* formulas: the formula builders of team_workbook.py (and the layout
  fingerprint), against the LibreOffice recalculation tests, the golden test
  and the provisioning tests.

Usage: python tests/mutate.py [core|formulas ...] [--max-children N]
Prints killed/total per module and lists the survivors. Run from the repository root.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

FORMULA_FUNCTIONS = ("_score_formula", "_status_formula", "_department_cells", "_no_check_in", "_date",
                     "fingerprint", "sheet_number")
PHASES = {
    "core": {
        "mutants": ["okrsheets.core.scoring.*", "okrsheets.core.values.*", "okrsheets.jobs.rollup.*"],
        "tests": ["tests/test_scoring.py", "tests/test_values.py", "tests/test_rollup.py",
                  "tests/test_rollup_parallel.py", "tests/test_golden.py"],
    },
    "formulas": {
        "mutants": [f"okrsheets.sheets.team_workbook.x_{name}__mutmut_*" for name in FORMULA_FUNCTIONS],
        "tests": ["tests/test_formulas_libreoffice.py", "tests/test_golden.py", "tests/test_provision.py"],
    },
}

_RUN = """
import sys
from mutmut import configuration
configuration.config().pytest_add_cli_args_test_selection = {tests!r}
from mutmut.__main__ import cli
sys.argv = ["mutmut", "run", "--max-children", {children!r}, *{mutants!r}]
cli()
"""


def run_phase(name: str, children: int) -> dict[str, str]:
    """Run one phase from a fresh mutants/ folder; return mutant name -> status."""
    phase = PHASES[name]
    shutil.rmtree(REPO / "mutants", ignore_errors=True)  # results of another test selection do not carry over
    code = _RUN.format(tests=[t for t in phase["tests"] if (REPO / t).exists()], children=str(children),
                       mutants=phase["mutants"])
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False, stdout=subprocess.DEVNULL)
    listing = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout
    patterns = [re.compile(p.replace(".", r"\.").replace("*", ".*") + "$") for p in phase["mutants"]]
    statuses = {}
    for line in listing.splitlines():
        mutant, _, status = line.strip().rpartition(": ")
        if mutant and any(p.match(mutant) for p in patterns):
            statuses[mutant] = status
    return statuses


def module_of(mutant: str) -> str:
    return mutant.split(".x", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phases", nargs="*", choices=[*PHASES, []], default=list(PHASES))
    parser.add_argument("--max-children", type=int, default=2)
    args = parser.parse_args()
    statuses: dict[str, str] = {}
    for name in args.phases or list(PHASES):
        statuses.update(run_phase(name, args.max_children))
    totals, killed = Counter(), Counter()
    for mutant, status in statuses.items():
        totals[module_of(mutant)] += 1
        killed[module_of(mutant)] += status == "killed"
    for module in sorted(totals):
        print(f"{module}: {killed[module]} killed of {totals[module]} ({killed[module] / totals[module]:.0%})")
    for mutant, status in sorted(statuses.items()):
        if status != "killed":
            print(f"    {mutant}: {status}")


if __name__ == "__main__":
    main()
