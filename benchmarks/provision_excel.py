"""Benchmark of Excel provisioning against its floors (issue #13, item 5).

    python benchmarks/provision_excel.py [--sizes 10,100,1000,3000] [--rounds R] [--keep DIR] [--unchanged-only]
                                         [--baseline DIR] [--check [--strict]]

For each N (default: the quick set 10,100), writes a config of N departments
(the same generated company as rollup_excel.py), then times in R interleaved
rounds (default 3), each phase in a fresh process:

  provision CLI, new        `python -m okrsheets provision --config ...` into an empty folder
  provision(), new          what the command does after its imports, in-process (load_config, build_plan,
                            the lint count, open_backend, provision()), into an empty folder
  floor: XlsxWriter         the same cells per workbook (values and formulas, as openpyxl reads them from
                            the provisioned workbooks) written with XlsxWriter, write_row, formats made once
  provision CLI, unchanged  the same command again on the provisioned folder: nothing to write
  provision(), unchanged    the same in-process (the quick re-run's check, jobs.provision_quick, and the
                            rest only when it cannot decide)
  floor: stat + meta        os.stat of every workbook and the XML of its meta sheet read from the zip

Whole-process rows start a Python interpreter on both sides: the command as
``python -m okrsheets``, the floors as ``python benchmarks/phase.py``.
``--unchanged-only`` provisions once and times only the last three rows.
``--baseline DIR`` also times the unchanged re-run of the okrsheets in DIR (a
checkout from before a change: the same two rows, "baseline"), interleaved
with the others, so before/after ratios come from the same run.

and prints wall, CPU and peak RSS, and ratios from the same run (the median of
the per-round ratios). ``--check`` compares them with the issue's targets and
prints PASS/MISS (exit 0 unless --strict). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import sys
import zipfile
from datetime import date, datetime, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for entry in (str(ROOT), str(HERE)):
    if entry not in sys.path:  # run from a checkout without installing
        sys.path.insert(0, entry)

import benchlib as bl  # noqa: E402

GENERATOR_VERSION = 1
QUICK_SIZES = (10, 100)
SCRATCH = "bench-scratch"

NEW_CLI = "provision CLI, new (whole process)"
NEW_IN = "provision(), new (in-process)"
XLSX = "floor: XlsxWriter, same cells (whole process)"
XLSX_IN = "floor: XlsxWriter, same cells (in-process)"
SAME_CLI = "provision CLI, unchanged (whole process)"
SAME_IN = "provision(), unchanged (in-process)"
META = "floor: stat + meta sheet XML (whole process)"
META_IN = "floor: stat + meta sheet XML (in-process)"
BASE_CLI = "baseline: provision CLI, unchanged (whole process)"
BASE_IN = "baseline: provision(), unchanged (in-process)"
TIME_ROWS = [NEW_CLI, NEW_IN, XLSX, XLSX_IN, SAME_CLI, SAME_IN, META, META_IN]
BASE_RATIOS = [
    ("baseline: provision CLI, unchanged / stat + meta floor", BASE_CLI, META),
    ("baseline: provision(), unchanged / stat + meta floor (in-process)", BASE_IN, META_IN),
    ("provision CLI, unchanged / baseline", SAME_CLI, BASE_CLI),
    ("provision(), unchanged / baseline (in-process)", SAME_IN, BASE_IN),
]
RATIOS = [
    ("provision CLI, new / XlsxWriter floor", NEW_CLI, XLSX),
    ("provision(), new / XlsxWriter floor (in-process)", NEW_IN, XLSX_IN),
    ("provision CLI, unchanged / stat + meta floor", SAME_CLI, META),
    ("provision(), unchanged / stat + meta floor (in-process)", SAME_IN, META_IN),
]


def empty(folder: Path) -> None:
    """Remove every file under ``folder`` (the workbooks and whatever a run left), keeping the folders."""
    if folder.exists():
        for path in folder.rglob("*"):
            if path.is_file() or path.is_symlink():
                path.unlink()


def plain(value: object) -> object:
    """A cell as openpyxl read it, as XlsxWriter's write_row takes it (formulas as their "=..." text)."""
    if value is None or isinstance(value, (str, int, float, bool, date, datetime, time)):
        return value
    return getattr(value, "text", None) or str(value)  # ArrayFormula and friends


def workbook_cells(path: Path) -> list[tuple[str, list[list[object]]]]:
    """Every sheet's cells of one provisioned workbook, values and formulas (openpyxl, as written)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    try:
        return [(sheet.title, [[plain(v) for v in row] for row in sheet.iter_rows(values_only=True)]) for sheet in workbook.worksheets]
    finally:
        workbook.close()


def meta_member(path: Path, sheet: str) -> str:
    """The zip member holding the sheet called ``sheet`` (from xl/workbook.xml and its relationships)."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    found = re.search(r'<(?:\w+:)?sheet\b[^>]*\bname="' + re.escape(sheet) + r'"[^>]*>', book)
    rid = re.search(r'\br:id="([^"]+)"', found.group(0)).group(1)
    for rel in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        if f'Id="{rid}"' in rel.group(0):
            target = re.search(r'Target="([^"]+)"', rel.group(0)).group(1)
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise SystemExit(f"{path}: no sheet {sheet!r} found")


def measure_size(n: int, folder: Path, args) -> dict:
    from okrsheets.backends import open_backend
    from okrsheets.config import load_config
    from okrsheets.plan import build_plan
    from okrsheets.sheets.team_workbook import META_SHEET

    print(f"N = {n}: config in {folder} ...", flush=True)
    signature = f"provision generator={GENERATOR_VERSION} departments={n}\n"
    if not bl.reusable(folder, signature):
        bl.write_config(folder, n)
        bl.mark(folder, signature)
    config_path = folder / bl.CONFIG_NAME
    config = load_config(config_path)
    plan = build_plan(config)
    backend = open_backend(config)
    paths = [Path(backend.location(d.key)) for d in plan.departments]
    data = config.quarter_folder
    scratch = folder / SCRATCH
    empty(data)
    empty(scratch)
    written = scratch / "xlsx"
    written.mkdir(parents=True, exist_ok=True)
    provision_args = ["provision", "--config", str(config_path), "--create"]
    first = bl.run_process(bl.cli(*provision_args))
    if first.returncode != 0:
        raise SystemExit(f"the first provision failed (exit {first.returncode}):\n{first.stdout[-2000:]}\n{first.stderr[-2000:]}")
    templates = [workbook_cells(path) for path in paths[:14]]  # the departments cycle over the 14 template sets
    cells_file = scratch / "workbook-cells.pickle"
    with open(cells_file, "wb") as handle:
        pickle.dump(templates, handle, protocol=pickle.HIGHEST_PROTOCOL)
    total_cells = sum(v is not None for index in range(n) for _, rows in templates[index % len(templates)] for row in rows for v in row)
    formulas = sum(isinstance(v, str) and v.startswith("=") for index in range(n)
                   for _, rows in templates[index % len(templates)] for row in rows for v in row)
    member = meta_member(paths[0], META_SHEET)
    paths_file = scratch / "paths.txt"
    paths_file.write_text("\n".join(map(str, paths)) + "\n", encoding="utf-8")
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"  {n} workbooks, {size_mb:.1f} MB, {total_cells:,} cells ({formulas:,} formulas) as openpyxl reads them;"
          f" the meta sheet is {member}", flush=True)

    results = bl.Results()
    facts: dict[str, dict] = {}

    def keep(key: str, run: bl.Run) -> bl.Run:
        if run.inner:
            facts[key] = run.inner["facts"]
        return run

    def new_cli():
        empty(data)
        results.record(NEW_CLI, None, bl.run_process(bl.cli(*provision_args)))

    def new_in():
        empty(data)
        results.record(None, NEW_IN, keep("new", bl.run_phase("provision", config=config_path)))

    def xlsx():
        empty(written)
        results.record(XLSX, XLSX_IN, keep("xlsx", bl.run_phase("xlsx_floor", cells=cells_file, count=n, folder=written)))

    def same_cli():
        results.record(SAME_CLI, None, bl.run_process(bl.cli(*provision_args)))

    def same_in():
        results.record(None, SAME_IN, keep("unchanged", bl.run_phase("provision", config=config_path)))

    def meta():
        results.record(META, META_IN, keep("meta", bl.run_phase("meta_floor", paths_file=paths_file, member=member)))

    baseline_env = {**bl.okrsheets_env(), "PYTHONPATH": str(args.baseline)} if args.baseline else None

    def base_cli():
        # started in DIR: `python -m` puts the current folder before PYTHONPATH, and a checkout's own okrsheets would win
        results.record(BASE_CLI, None, bl.run_process(bl.cli(*provision_args), env=baseline_env, cwd=args.baseline))

    def base_in():
        run = bl.run_process([sys.executable, str(bl.PHASE), "provision", json.dumps({"config": str(config_path)})], env=baseline_env)
        results.record(None, BASE_IN, keep("baseline", run))

    for round_ in range(1, args.rounds + 1):
        new = [] if args.unchanged_only else [new_cli, new_in, xlsx]
        unchanged = [same_cli, same_in, *([base_cli, base_in] if args.baseline else []), meta]
        for phase in (new + unchanged) if round_ % 2 else (new[::-1] + unchanged[::-1]):
            phase()  # the last "new" run leaves the folder provisioned for the unchanged ones
        print(f"  round {round_}/{args.rounds}: " + ", ".join(
            f"{label} {bl.fmt_s(series.wall[-1])}" for label, series in results.rows.items() if len(series.wall) == round_),
            flush=True)
    return {"n": n, "size_mb": size_mb, "cells": total_cells, "formulas": formulas, "results": results, "facts": facts,
            "unchanged_only": args.unchanged_only, "baseline": args.baseline}


def report(size: dict, rounds: int) -> list[str]:
    n, results, facts = size["n"], size["results"], size["facts"]
    baseline = size["baseline"]
    lines = [f"results for N = {n} ({size['cells']:,} cells in the workbooks; median of {rounds} rounds):"]
    lines += bl.time_table(results, [(row, "") for row in TIME_ROWS + ([BASE_CLI, BASE_IN] if baseline else [])], rounds)
    lines.append("")
    lines += bl.ratio_table(results, RATIOS + (BASE_RATIOS if baseline else []))
    lines.append("")
    if baseline:
        lines.append(f"  baseline: the okrsheets in {baseline}")
    for key, label in (("new", "new"), ("unchanged", "unchanged"), ("baseline", "unchanged, baseline")):
        if key in facts:
            actions = ", ".join(f"{count} {action}" for action, count in sorted(facts[key]["actions"].items()))
            how = " (decided before parsing the config)" if facts[key].get("quick") else ""
            lines.append(f"  check provision(), {label}: {actions}{how}")
    if "xlsx" in facts:
        lines.append(f"  check XlsxWriter floor: {facts['xlsx']['workbooks']} workbooks, {facts['xlsx']['cells_written']:,} cells written")
    if "meta" in facts:
        lines.append(f"  check stat + meta floor: {facts['meta']['files']} files, {facts['meta']['meta_bytes']:,} bytes of meta sheet XML")
    lines.append("  CPU = user + system of the process and of the processes it waited for;"
                 " peak RSS = the largest single process (the kernel's ru_maxrss is per process, not a sum)")
    return lines


def check_lines(size: dict) -> list[str]:
    results = size["results"]
    new = [] if size["unchanged_only"] else [
        bl.check_line("provision CLI, new / XlsxWriter floor, wall", results.paired(NEW_CLI, XLSX), 1.5),
        bl.check_line("provision(), new / XlsxWriter floor, wall (in-process)", results.paired(NEW_IN, XLSX_IN), 1.5),
    ]
    return [
        f"targets of issue #13 at N = {size['n']} (the issue states them for N = 1,000):",
        *new,
        bl.check_line("provision CLI, unchanged / stat + meta floor, wall", results.paired(SAME_CLI, META), 1.5),
        bl.check_line("provision(), unchanged / stat + meta floor, wall (in-process)", results.paired(SAME_IN, META_IN), 1.5),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, QUICK_SIZES)), metavar="N,N,...",
                        help="numbers of team workbooks (default 10,100; the issue's set is 10,100,1000,3000)")
    parser.add_argument("--rounds", type=int, default=3, metavar="R", help="interleaved rounds; medians are reported (default 3)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR/nN and keep it (the config is reused; workbooks are always rewritten)")
    parser.add_argument("--unchanged-only", action="store_true",
                        help="provision once, then time only the unchanged re-run and its floor (no new-workbook rows)")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also time the unchanged re-run with the okrsheets in DIR (a checkout from before a change), interleaved")
    parser.add_argument("--check", action="store_true", help="compare the ratios with the issue's targets: PASS/MISS per target")
    parser.add_argument("--strict", action="store_true", help="with --check, exit 1 when a target is missed")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 10,100,1000")
    if not sizes or min(sizes) < 1 or args.rounds < 1:
        parser.error("--sizes and --rounds must be at least 1")
    if args.baseline is not None:
        args.baseline = args.baseline.resolve()
        if not (args.baseline / "okrsheets" / "__init__.py").is_file():
            parser.error(f"--baseline {args.baseline}: no okrsheets package there")
    failed = missed = False
    work = bl.WorkFolder(args.keep, "okrsheets-bench-provision-")
    print("okrsheets provision benchmark: new workbooks and the unchanged re-run against their floors")
    print(bl.machine_line())
    print()
    try:
        measured = []
        for n in sizes:  # each N's tables as soon as it is measured: a long run shows its first results early
            size = measure_size(n, work.path / f"n{n}", args)
            measured.append(size)
            print()
            for line in report(size, args.rounds):
                print(line)
            print(flush=True)
            failed = failed or bool(size["results"].failed)
    finally:
        work.close()
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.check:
        print()
        for size in measured:
            for line in check_lines(size):
                print(line)
                missed = missed or line.startswith("  MISS")
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
