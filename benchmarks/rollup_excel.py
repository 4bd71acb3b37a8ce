"""Benchmark of the whole nightly Excel rollup against its floor and the pandas script (issue #13, item 5).

    python benchmarks/rollup_excel.py [--sizes 10,100,1000,3000] [--rounds R] [--keep DIR] [--check [--strict]]

For each N (default: the quick set 10,100), generates N filled team workbooks
(okrsheets' own provision(), then check-ins typed with openpyxl), runs one
first night, then times in R interleaved rounds (default 3), each phase in a
fresh process:

  rollup CLI, full       `python -m okrsheets rollup --config ... --as-of ...` (with --full where the CLI has it)
  run_rollup, full       run_rollup(config, as_of) in-process (full=True where it takes it)
  floor, 1 process       the same sheets read with python-calamine + the summary's cells written with XlsxWriter
  floor, 2 processes     the same, the reading split over two forked processes as the rollup forks workers
  pandas script          what an analyst would write: read_excel (pandas' default engine: openpyxl for .xlsx),
                         to_numeric, weighted means, to_excel; the target is against this one
  pandas, calamine       the same script with read_excel(engine="calamine"): the fastest pandas can read
  1%-changed night       1% of the workbooks get new check-ins (openpyxl, as a team saves them), then the
                         normal rollup: CLI and run_rollup

and prints wall time, CPU time (the process and the processes it waited for),
peak RSS, and ratios from the same run (paired: the median of the per-round
ratios). No absolute time is a pass/fail criterion; ``--check`` compares the
ratios with the issue's targets and prints PASS/MISS (exit 0 unless --strict).
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import inspect
import os
import random
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for entry in (str(ROOT), str(HERE)):
    if entry not in sys.path:  # run from a checkout without installing
        sys.path.insert(0, entry)

import benchlib as bl  # noqa: E402

GENERATOR_VERSION = 2  # bump when the generated workbooks change, so a --keep folder is regenerated
QUICK_SIZES = (10, 100)
NIGHT_SHARE = 0.01
SCRATCH = "bench-scratch"

ROLLUP_CLI = "rollup CLI, full (whole process)"
ROLLUP_IN = "run_rollup, full (in-process)"
FLOOR1 = "floor, 1 process (whole process)"
FLOOR1_IN = "floor, 1 process (in-process)"
FLOOR2 = "floor, 2 processes (whole process)"
FLOOR2_IN = "floor, 2 processes (in-process)"
PANDAS = "pandas script, default engine (whole process)"
PANDAS_IN = "pandas script, default engine (in-process)"
PANDAS_CALAMINE = "pandas script, calamine engine (whole process)"
PANDAS_CALAMINE_IN = "pandas script, calamine engine (in-process)"
PANDAS_ROWS = (PANDAS, PANDAS_IN, PANDAS_CALAMINE, PANDAS_CALAMINE_IN)
NIGHT_CLI = "1%-changed night, CLI (whole process)"
NIGHT_IN = "1%-changed night, run_rollup (in-process)"
TIME_ROWS = [ROLLUP_CLI, ROLLUP_IN, FLOOR1, FLOOR1_IN, FLOOR2, FLOOR2_IN, *PANDAS_ROWS, NIGHT_CLI, NIGHT_IN]
RATIOS = [
    ("rollup CLI / floor, 1 process", ROLLUP_CLI, FLOOR1),
    ("rollup CLI / floor, 2 processes", ROLLUP_CLI, FLOOR2),
    ("rollup CLI / whole-job floor (the faster)", ROLLUP_CLI, (FLOOR1, FLOOR2)),
    ("pandas script, default engine / rollup CLI", PANDAS, ROLLUP_CLI),
    ("pandas script, calamine engine / rollup CLI", PANDAS_CALAMINE, ROLLUP_CLI),
    ("run_rollup / floor, 1 process (in-process)", ROLLUP_IN, FLOOR1_IN),
    ("run_rollup / floor, 2 processes (in-process)", ROLLUP_IN, FLOOR2_IN),
    ("pandas script, default engine / run_rollup (in-process)", PANDAS_IN, ROLLUP_IN),
    ("pandas script, calamine engine / run_rollup (in-process)", PANDAS_CALAMINE_IN, ROLLUP_IN),
    ("1%-changed night / full, CLI", NIGHT_CLI, ROLLUP_CLI),
    ("1%-changed night / full, run_rollup", NIGHT_IN, ROLLUP_IN),
]
RSS_TARGET_MIB = 200
RSS_TARGET_N = 3000


# ---------------------------------------------------------------- the company


def clean_outputs(folder: Path, keep: set[Path]) -> None:
    """Every file a rollup or an earlier benchmark run left (summary, state, readings, run log), so each N starts alike."""
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()


def prepare(folder: Path, n: int, seed: int) -> tuple[object, list[str]]:
    """The config and N filled workbooks in ``folder`` (reused when this benchmark made them with the same N)."""
    from okrsheets.backends import open_backend
    from okrsheets.config import load_config
    from okrsheets.jobs.provision import provision
    from okrsheets.plan import build_plan

    notes = []
    from okrsheets.sheets.team_workbook import LAYOUT_VERSION

    # a folder made by another okrsheets layout is regenerated: its workbooks are not what provision writes today
    signature = (f"rollup generator={GENERATOR_VERSION} layout={LAYOUT_VERSION} departments={n} seed={seed}"
                 f" as_of={bl.AS_OF.isoformat()}\n")
    config_path = folder / bl.CONFIG_NAME
    if bl.reusable(folder, signature):
        config = load_config(config_path)
        notes.append(f"reused the {n} workbooks generated earlier in {folder} (their check-ins as the last run left them)")
    else:
        bl.write_config(folder, n)
        config = load_config(config_path)
        plan = build_plan(config)
        started = time.perf_counter()
        outcomes = provision(plan, open_backend(config))
        provision_s = time.perf_counter() - started
        bad = [o for o in outcomes if o.action != "created"]
        if bad:
            raise SystemExit(f"provisioning failed for {len(bad)} departments, e.g. {bad[0]}")
        started = time.perf_counter()
        rng, counts = random.Random(seed), bl.new_counts()
        backend = open_backend(config)
        for index, department in enumerate(plan.departments):
            bl.type_check_ins(Path(backend.location(department.key)), department, rng, index, counts)
        fill_s = time.perf_counter() - started
        bl.mark(folder, signature)
        notes.append(f"generated: provision() {provision_s:.1f} s ({1000 * provision_s / n:.0f} ms/workbook); check-ins typed"
                     f" with openpyxl {fill_s:.1f} s: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))
    return config, notes


def summary_cells(path: Path) -> tuple[list, dict[str, int]]:
    """Every sheet of the summary as calamine reads it ("" as None, trailing blanks cut), and the mix of its cells."""
    from datetime import date

    from python_calamine import CalamineWorkbook

    sheets, mix = [], {"strings": 0, "numbers": 0, "dates": 0, "booleans": 0}
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        for name in workbook.sheet_names:
            rows = []
            for row in workbook.get_sheet_by_name(name).to_python(skip_empty_area=False):
                row = [None if value == "" else value for value in row]
                while row and row[-1] is None:
                    row.pop()
                rows.append(row)
                for value in row:
                    if isinstance(value, bool):
                        mix["booleans"] += 1
                    elif isinstance(value, str):
                        mix["strings"] += 1
                    elif isinstance(value, (int, float)):
                        mix["numbers"] += 1
                    elif isinstance(value, date):
                        mix["dates"] += 1
            sheets.append((name, rows))
    finally:
        workbook.close()
    return sheets, mix


def has_full(config_path: Path) -> tuple[bool, bool]:
    """Whether `rollup --full` exists on the command line, and whether run_rollup takes ``full``."""
    from okrsheets.jobs.rollup import run_rollup

    run = bl.run_process(bl.cli("rollup", "--help"))
    return bool(re.search(r"--full\b", run.stdout)), "full" in inspect.signature(run_rollup).parameters


# ---------------------------------------------------------------- one N


def measure_size(n: int, folder: Path, args) -> dict:
    import pickle

    from okrsheets.backends import open_backend
    from okrsheets.backends.excel_summary import SUMMARY_NAME
    from okrsheets.i18n import KIND
    from okrsheets.jobs.rollup import rollup_workers
    from okrsheets.plan import build_plan
    from okrsheets.sheets.team_workbook import HEADER_ROW, LABELS, META_SHEET, OKR_SHEET

    print(f"N = {n}: generating in {folder} ...", flush=True)
    config, notes = prepare(folder, n, args.seed)
    config_path = folder / bl.CONFIG_NAME
    plan = build_plan(config)
    backend = open_backend(config)
    paths = [Path(backend.location(d.key)) for d in plan.departments]
    clean_outputs(folder, {config_path, folder / bl.MARKER, *paths})
    scratch = folder / SCRATCH
    scratch.mkdir(exist_ok=True)
    paths_file = scratch / "paths.txt"
    paths_file.write_text("\n".join(map(str, paths)) + "\n", encoding="utf-8")
    krs = sum(len(d.key_results) for d in plan.departments)
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    for note in notes:
        print(f"  {note}")
    cli_full, api_full = has_full(config_path)
    workers = rollup_workers(len(plan.departments), backend)
    as_of = bl.AS_OF.isoformat()
    rollup_args = ["rollup", "--config", str(config_path), "--as-of", as_of]

    first = bl.run_process(bl.cli(*rollup_args))  # the first night: no summary, state or stored readings yet
    if first.returncode != 0:
        raise SystemExit(f"the first rollup failed (exit {first.returncode}):\n{first.stdout[-2000:]}\n{first.stderr[-2000:]}")
    cells, mix = summary_cells(config.quarter_folder / SUMMARY_NAME)
    summary_count = sum(mix.values())
    cells_file = scratch / "summary-cells.pickle"
    with open(cells_file, "wb") as handle:
        pickle.dump(cells, handle, protocol=pickle.HIGHEST_PROTOCOL)
    lang = "en" if config.language == "en" else "vi"
    print(f"  {n} workbooks, {krs} KRs, {size_mb:.1f} MB; the summary holds {summary_count:,} cells ("
          + ", ".join(f"{v:,} {k}" for k, v in mix.items() if v) + f"); the rollup reads with {workers} process"
          f"{'es' if workers > 1 else ''}; rollup --full: {'yes' if cli_full else 'no'}, run_rollup(full=): {'yes' if api_full else 'no'}",
          flush=True)
    try:
        import pandas  # noqa: F401

        pandas_missing = None
    except ImportError:
        pandas_missing = "pandas is not installed (pip install -e '.[bench]')"

    results = bl.Results()
    facts: dict[str, dict] = {}

    def keep(key: str, run: bl.Run) -> bl.Run:
        """Keep what phase.py says it did (the last round's), for the check lines."""
        if run.inner:
            facts[key] = run.inner["facts"]
        return run

    phases = {
        "floor1": lambda: results.record(FLOOR1, FLOOR1_IN, keep("floor", bl.run_phase(
            "floor", paths_file=paths_file, sheets=[META_SHEET, OKR_SHEET[lang]], cells=cells_file, workers=1,
            out=scratch / "floor.xlsx"))),
        "floor2": lambda: results.record(FLOOR2, FLOOR2_IN, bl.run_phase(
            "floor", paths_file=paths_file, sheets=[META_SHEET, OKR_SHEET[lang]], cells=cells_file, workers=2,
            out=scratch / "floor.xlsx")),
        "rollup_cli": lambda: results.record(ROLLUP_CLI, None, bl.run_process(bl.cli(*rollup_args, *(["--full"] if cli_full else [])))),
        "rollup_in": lambda: results.record(None, ROLLUP_IN, keep("rollup", bl.run_phase(
            "rollup", config=config_path, as_of=as_of, full=api_full))),
    }
    if pandas_missing is None:
        script = {"paths_file": paths_file, "sheet": OKR_SHEET[lang], "header_row": HEADER_ROW, "out": scratch / "pandas.xlsx",
                  "columns": {k: LABELS[lang][k] for k in ("id", "kind", "start", "target", "current", "weight")},
                  "kinds": KIND[lang]}
        phases["pandas"] = lambda: results.record(PANDAS, PANDAS_IN, keep("pandas", bl.run_phase("pandas", **script)))
        phases["pandas_calamine"] = lambda: results.record(PANDAS_CALAMINE, PANDAS_CALAMINE_IN, bl.run_phase(
            "pandas", **script, engine="calamine"))
    changed = max(1, round(n * NIGHT_SHARE))
    for round_ in range(1, args.rounds + 1):
        order = list(phases) if round_ % 2 else list(reversed(phases))
        for name in order:
            phases[name]()
        for row, kind in ((NIGHT_CLI, "cli"), (NIGHT_IN, "in")):
            rng = random.Random(f"{args.seed}-{round_}-{kind}")
            counts = bl.new_counts()
            for index in sorted(rng.sample(range(n), changed)):
                bl.type_check_ins(paths[index], plan.departments[index], rng, index, counts)
            if kind == "cli":
                results.record(NIGHT_CLI, None, bl.run_process(bl.cli(*rollup_args)))
            else:
                results.record(None, NIGHT_IN, keep("night", bl.run_phase("rollup", config=config_path, as_of=as_of, full=False)))
        print(f"  round {round_}/{args.rounds}: " + ", ".join(
            f"{label} {bl.fmt_s(series.wall[-1])}" for label, series in results.rows.items() if len(series.wall) == round_),
            flush=True)
    if args.profile:
        run = bl.run_phase("rollup", config=config_path, as_of=as_of, full=api_full, profile=args.profile)
        print(f"  cProfile of run_rollup at N = {n} (in the main process only: the workers' reading is not in it;"
              " profiling slows Python code, so read the shares, not the times):")
        print("\n".join(line for line in run.stdout.splitlines() if not line.startswith(bl.RESULT_PREFIX)))
    return {"n": n, "krs": krs, "size_mb": size_mb, "summary_cells": summary_count, "mix": mix, "workers": workers,
            "cli_full": cli_full, "api_full": api_full, "results": results, "facts": facts, "pandas_missing": pandas_missing,
            "changed": changed}


# ---------------------------------------------------------------- report


def report(size: dict, rounds: int) -> list[str]:
    n, results, facts = size["n"], size["results"], size["facts"]
    lines = [f"results for N = {n} ({size['krs']:,} KRs, {size['summary_cells']:,} summary cells; median of {rounds} rounds):"]
    notes = {row: size["pandas_missing"] or "" for row in PANDAS_ROWS}
    shown = [(row, notes.get(row, "")) for row in TIME_ROWS]
    if size["pandas_missing"]:
        for row in PANDAS_ROWS:
            results.failed.setdefault(row, "skipped: " + size["pandas_missing"])
    lines += bl.time_table(results, shown, rounds)
    lines.append("")
    lines += bl.ratio_table(results, RATIOS)
    lines.append("")
    rollup = facts.get("rollup")
    if rollup:
        lines.append(f"  check rollup: {rollup['departments']} departments ({rollup['readable']} readable), {rollup['krs']} KRs,"
                     f" {rollup['issues']} data issues, company score {rollup['score']:.3f}")
    floor = facts.get("floor")
    if floor:
        mix = ", ".join(f"{v:,} {k}" for k, v in size["mix"].items() if v)
        lines.append(f"  check floor: {floor['cells_read']:,} cells read, {floor['cells_written']:,} cells written (the summary's: {mix});"
                     f" its whole-process rows also load them from a pickle ({floor['unpickle_s']:.3f} s)")
    pandas = facts.get("pandas")
    if pandas:
        example = pandas["percent_example"] or (pandas["examples"][0] if pandas["examples"] else None)
        okr = f" vs okrsheets {rollup['score']:.3f}" if rollup else ""
        lines.append(f"  pandas script scores wrongly: to_numeric turns {pandas['nan']:,} of {pandas['typed']:,} typed check-ins into NaN,"
                     f" scored 0 (e.g. {example!r} -> NaN); company score {pandas['company_score']:.3f}{okr}")
    elif size["pandas_missing"]:
        lines.append(f"  pandas script: skipped, {size['pandas_missing']}")
    lines.append(f"  1%-changed night: {size['changed']} of {n} workbooks get new check-ins (openpyxl load + save) before each night")
    if not size["cli_full"]:
        lines.append("  incremental reading is not available in this version (rollup has no --full): the night reads every workbook,"
                     " and the full rows are the plain rollup")
    elif not size["api_full"]:
        lines.append("  run_rollup takes no full=: its full row is the plain run_rollup")
    lines.append("  CPU = user + system of the process and of the processes it waited for (its workers);"
                 " peak RSS = the largest single process (the kernel's ru_maxrss is per process, not a sum)")
    return lines


def rss_lines(sizes: list[dict]) -> list[str]:
    lines = ["peak RSS by N (the largest single process of the tree; in-process: main process / largest worker):",
             f"  {'N':>6} {'KRs':>8} {'rollup CLI':>11} {'run_rollup main / worker':>25} {'MiB per 1,000 workbooks more':>29}"]
    previous = None
    for size in sizes:
        results = size["results"]
        cli = results.rows.get(ROLLUP_CLI)
        inner = results.rows.get(ROLLUP_IN)
        peak = max(cli.rss) if cli else None
        split = f"{max(inner.main_rss):.0f} / {max(inner.child_rss):.0f} MiB" if inner and inner.main_rss else "-"
        growth = "-"
        if previous and peak is not None and previous[1] is not None:
            growth = f"{1000 * (peak - previous[1]) / (size['n'] - previous[0]):.1f}"
        lines.append(f"  {size['n']:>6} {size['krs']:>8,} {(f'{peak:.0f} MiB' if peak is not None else '-'):>11} {split:>25} {growth:>29}")
        previous = (size["n"], peak)
    estimate = rss_at(sizes, RSS_TARGET_N)
    if estimate and estimate[1] != RSS_TARGET_N:
        lines.append(f"  a straight line through N = {estimate[1]:,} and {estimate[2]:,} gives {estimate[0]:.0f} MiB at N = {RSS_TARGET_N:,}")
    return lines


def rss_at(sizes: list[dict], n: int) -> tuple[float, int, int] | None:
    """The rollup CLI's peak RSS at ``n``: measured (value, n, n), or the line through the two largest N measured."""
    peaks = [(size["n"], max(size["results"].rows[ROLLUP_CLI].rss)) for size in sizes if ROLLUP_CLI in size["results"].rows]
    for measured_n, peak in peaks:
        if measured_n == n:
            return peak, n, n
    if len(peaks) < 2:
        return None
    (n1, r1), (n2, r2) = sorted(peaks)[-2:]
    return r2 + (r2 - r1) / (n2 - n1) * (n - n2), n1, n2


def check_lines(size: dict) -> list[str]:
    results = size["results"]
    pandas_speed = results.paired(PANDAS, ROLLUP_CLI)
    cli = results.rows.get(ROLLUP_CLI)
    return [
        f"targets of issue #13 at N = {size['n']} (the issue states them for N = 1,000; RSS for N = 3,000):",
        bl.check_line("full rollup CLI / whole-job floor, wall", results.paired(ROLLUP_CLI, (FLOOR1, FLOOR2)), 1.3),
        bl.check_line("full rollup CLI / whole-job floor, CPU", results.paired(ROLLUP_CLI, (FLOOR1, FLOOR2), "cpu"), 1.3),
        bl.check_line("pandas script (default engine) / full rollup CLI, wall", pandas_speed, 3.0, at_most=False),
        bl.check_line("1%-changed night / full rollup, CLI wall", results.paired(NIGHT_CLI, ROLLUP_CLI), 0.4),
        bl.check_line("peak RSS of the rollup CLI (largest process)", max(cli.rss) if cli else None, RSS_TARGET_MIB, unit="MiB"),
    ]


def rss_check(sizes: list[dict]) -> list[str]:
    """The RSS target is for N = 3,000: measured there, else extrapolated from the two largest N (said so)."""
    estimate = rss_at(sizes, RSS_TARGET_N)
    if estimate is None:
        return [f"  ----  peak RSS of the rollup CLI at N = {RSS_TARGET_N:,}: not measured (run N = {RSS_TARGET_N:,}, or two sizes to extrapolate)"]
    how = "measured" if estimate[1] == RSS_TARGET_N else f"extrapolated from N = {estimate[1]:,} and {estimate[2]:,}"
    return [bl.check_line(f"peak RSS of the rollup CLI at N = {RSS_TARGET_N:,} ({how})", estimate[0], RSS_TARGET_MIB, unit="MiB")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, QUICK_SIZES)), metavar="N,N,...",
                        help="numbers of team workbooks (default 10,100; the issue's set is 10,100,1000,3000)")
    parser.add_argument("--rounds", type=int, default=3, metavar="R", help="interleaved rounds; medians are reported (default 3)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="generate in DIR/nN and keep it; a folder this benchmark made with the same N is reused")
    parser.add_argument("--check", action="store_true", help="compare the ratios with the issue's targets: PASS/MISS per target")
    parser.add_argument("--strict", action="store_true", help="with --check, exit 1 when a target is missed")
    parser.add_argument("--profile", type=int, default=0, metavar="K",
                        help="afterwards, run run_rollup once more per N under cProfile and print its top K entries")
    parser.add_argument("--seed", type=int, default=bl.SEED, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 10,100,1000")
    if not sizes or min(sizes) < 1 or args.rounds < 1:
        parser.error("--sizes and --rounds must be at least 1")
    failed = missed = False
    work = bl.WorkFolder(args.keep, "okrsheets-bench-rollup-")
    print("okrsheets rollup benchmark: the whole job against its floor and the pandas script")
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
            failed = failed or any(not why.startswith("skipped") for why in size["results"].failed.values())
    finally:
        work.close()
    for line in rss_lines(measured):
        print(line)
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.check:
        print()
        for size in measured:
            for line in check_lines(size):
                print(line)
                missed = missed or line.startswith("  MISS")
        for line in rss_check(measured):
            print(line)
            missed = missed or line.startswith("  MISS")
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
