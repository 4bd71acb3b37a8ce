"""Mutation testing of the code that computes what users see (`make mutate`, docs/testing.md).

mutmut (configured in pyproject's [tool.mutmut]) changes one thing at a time in
the code below and runs the tests that reach the changed function; a mutant
the tests do not notice "survives". Three phases, each with the test files
that can kill its mutants:

* core: scoring.py, and rollup.py's reading, scoring and writing (not the
  worker-pool plumbing, whose tests time processes rather than numbers),
  against the engine-level tests (no LibreOffice: it would cost 5 s a mutant
  and checks the sheets' formulas, not the engine);
* formulas: the formula builders of team_workbook.py and the layout
  fingerprint, against the LibreOffice recalculation, golden and provisioning tests;
* values: values.py (most of its mutants change message wording), against
  the engine-level tests.

Usage: python tests/mutate.py [core] [formulas] [values] [--every N] [--max-children N] [--keep]
Each phase's statuses are saved in mutation-results/<phase>.json; the report
(killed/total per module, then every survivor) covers every saved phase.
``--every N`` runs every Nth mutant of each phase (in name order: a sample
spread over every function), for a quicker estimate.
Run from the repository root. Slow: a killed mutant takes seconds, a survivor runs every test
that reaches it (up to a minute or two on 2 busy cores).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "mutation-results"
ENGINE_TESTS = ["tests/test_scoring.py", "tests/test_values.py", "tests/test_rollup.py", "tests/test_golden.py"]
ROLLUP_FUNCTIONS = ("ǁ_Readerǁ*", "_assemble", "score_quarter", "run_rollup", "_score_department", "_iso_date",
                    "_text", "_load_state")
FORMULA_FUNCTIONS = ("_score_formula", "_status_formula", "_department_cells", "_no_check_in", "_date",
                     "fingerprint", "sheet_number")
PHASES = {
    "core": {
        "mutants": ["okrsheets.core.scoring.*"]
        + [f"okrsheets.jobs.rollup.x{name}" if name.startswith("ǁ") else f"okrsheets.jobs.rollup.x_{name}__mutmut_*"
           for name in ROLLUP_FUNCTIONS],
        "tests": ENGINE_TESTS,
    },
    "formulas": {
        "mutants": [f"okrsheets.sheets.team_workbook.x_{name}__mutmut_*" for name in FORMULA_FUNCTIONS],
        "tests": ["tests/test_formulas_libreoffice.py", "tests/test_golden.py", "tests/test_provision.py"],
    },
    "values": {
        "mutants": ["okrsheets.core.values.*"],
        "tests": ENGINE_TESTS,
    },
}

_GENERATE = """
from mutmut.__main__ import copy_also_copy_files, copy_src_dir, create_mutants, setup_source_paths
from pathlib import Path
Path("mutants").mkdir(exist_ok=True)
copy_src_dir()
copy_also_copy_files()
setup_source_paths()
create_mutants(2)
"""

_RUN = """
import sys
from mutmut import configuration
configuration.config().pytest_add_cli_args_test_selection = {tests!r}
from mutmut.__main__ import cli
sys.argv = ["mutmut", "run", "--max-children", {children!r}, *{mutants!r}]
cli()
"""


def phase_mutants(phase: dict) -> dict[str, str]:
    """Name -> status of the phase's mutants found in mutants/ (empty before mutmut generated them)."""
    listing = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=REPO,
                             capture_output=True, text=True, check=False).stdout
    patterns = [re.compile(re.escape(p).replace(r"\*", ".*") + "$") for p in phase["mutants"]]
    statuses = {}
    for line in listing.splitlines():
        mutant, _, status = line.strip().rpartition(": ")
        if mutant and any(p.match(mutant) for p in patterns):
            statuses[mutant] = status
    return statuses


def run_phase(name: str, children: int, keep: bool, every: int) -> None:
    """Run one phase (from a fresh mutants/ folder unless ``keep``) and save its statuses."""
    phase = PHASES[name]
    if not keep:  # results of another test selection do not carry over
        shutil.rmtree(REPO / "mutants", ignore_errors=True)
    mutants = phase["mutants"]
    if every > 1:
        names = sorted(phase_mutants(phase))
        if not names:
            subprocess.run([sys.executable, "-c", _GENERATE], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
            names = sorted(phase_mutants(phase))
        mutants = names[::every]
    code = _RUN.format(tests=[t for t in phase["tests"] if (REPO / t).exists()], children=str(children),
                       mutants=mutants)
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False, stdout=subprocess.DEVNULL)
    statuses = phase_mutants(phase)
    if every > 1:
        statuses = {mutant: statuses[mutant] for mutant in mutants}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(statuses, indent=1, sort_keys=True), encoding="utf-8")


def report() -> None:
    statuses: dict[str, str] = {}
    for path in sorted(RESULTS.glob("*.json")):
        statuses.update(json.loads(path.read_text(encoding="utf-8")))
    totals, killed, checked = Counter(), Counter(), Counter()
    for mutant, status in statuses.items():
        module = mutant.split(".x", 1)[0]
        totals[module] += 1
        checked[module] += status != "not checked"
        killed[module] += status == "killed"
    for module in sorted(totals):
        note = "" if checked[module] == totals[module] else f" ({totals[module] - checked[module]} not run yet)"
        print(f"{module}: {killed[module]} killed of {checked[module]}"
              f" ({killed[module] / max(1, checked[module]):.0%}){note}")
    for mutant, status in sorted(statuses.items()):
        if status not in ("killed", "not checked"):
            print(f"    {mutant}: {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phases", nargs="*", help=f"some of {', '.join(PHASES)} (default: all)")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ and its results (same test selection)")
    parser.add_argument("--every", type=int, default=1, help="run every Nth mutant of each phase (a sample)")
    parser.add_argument("--report", action="store_true", help="only print the report of the saved results")
    args = parser.parse_args()
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phase(s) {', '.join(sorted(unknown))}; choose from {', '.join(PHASES)}")
    if not args.report:
        for index, name in enumerate(args.phases or list(PHASES)):
            run_phase(name, args.max_children, keep=args.keep and index == 0, every=args.every)
    report()


if __name__ == "__main__":
    main()
