"""One timed phase of a benchmark, in a fresh process: ``python benchmarks/phase.py KIND JSON``.

The benchmarks (rollup_excel.py, provision_excel.py) start this script once per
phase and round; it imports what the phase needs, then times the one call and
prints its measurement as a last line ``BENCH-RESULT {json}``: wall seconds, CPU
seconds of this process and its reaped children (``getrusage``), this process's
peak RSS (``VmHWM``) and its largest child's (``RUSAGE_CHILDREN``), plus facts
that show the phase did the real work.

Kinds:
  rollup       run_rollup(config, as_of[, full=True]): okrsheets' public entry point
  provision    what `okrsheets provision` does from the config's path: the quick re-run's check, else
               load_config + build_plan + the lint count + open_backend + provision()
  floor        the whole-job floor of the rollup: the same sheets read with python-calamine,
               then the summary's cells written with XlsxWriter (write_row, formats made once);
               ``workers`` 2 reads in forked processes, as the rollup does
  pandas       the script an analyst would write: pandas.read_excel (pandas' default engine, openpyxl for
               .xlsx; ``engine`` "calamine" passes engine="calamine"), to_numeric, weighted means,
               DataFrame.to_excel through XlsxWriter
  xlsx_floor   the floor of provisioning: the same cells per workbook written with XlsxWriter
  meta_floor   the floor of an unchanged provision re-run: os.stat and the meta sheet's XML of each file
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time
from pathlib import Path

RESULT_PREFIX = "BENCH-RESULT "  # benchlib.RESULT_PREFIX (not imported: this script imports only what its phase needs)


def _vm_hwm_mib() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _cpu() -> float:
    """User + system seconds of this process and of the children it has waited for (getrusage: microseconds, not ticks)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(fn) -> dict:
    gc.collect()
    before = _cpu()
    started = time.perf_counter()
    facts = fn()
    wall = time.perf_counter() - started
    cpu = _cpu() - before
    scale = 1 if sys.platform == "darwin" else 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale / 2**20
    return {"ok": True, "wall": wall, "cpu": cpu, "rss": _vm_hwm_mib(), "child_rss": child, "facts": facts or {}}


# ---------------------------------------------------------------- okrsheets


def rollup(config: str, as_of: str, full: bool, profile: int = 0) -> dict:
    from datetime import date

    from okrsheets.config import load_config
    from okrsheets.jobs.rollup import run_rollup

    loaded = load_config(config)
    day = date.fromisoformat(as_of)
    kwargs = {"full": True} if full else {}

    def call():
        result = run_rollup(loaded, day, **kwargs)
        return {"departments": len(result.departments), "readable": sum(d.readable for d in result.departments),
                "krs": sum(len(d.key_results) for d in result.departments), "issues": len(result.issues),
                "score": result.score}

    if profile:  # --profile: the same call under cProfile, its top entries printed (shares, not times, count)
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        measured = measure(lambda: profiler.runcall(call))
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(profile)
        stats.sort_stats("cumulative").print_stats(profile)
        return measured
    return measure(call)


def provision(config: str) -> dict:
    """What `okrsheets provision --config CONFIG` does after its imports, from the config's path to the outcomes and the
    lint count line: the quick re-run's check (`jobs.provision_quick`), else load_config, build_plan, the lint count
    and provision(). An okrsheets without the quick re-run goes the second way every time."""
    from okrsheets.backends import open_backend
    from okrsheets.cli.lint import lint_count_line
    from okrsheets.config import load_config
    from okrsheets.jobs.provision import provision as run
    from okrsheets.plan import build_plan

    try:
        from okrsheets.jobs.provision_quick import RunInputs
    except ImportError:  # measuring an okrsheets from before it
        RunInputs = None

    def call():
        inputs = RunInputs.read(config) if RunInputs is not None else None
        unchanged = inputs.unchanged() if inputs is not None else None
        if unchanged is not None:
            return {"actions": {"unchanged": len(unchanged.outcomes)}, "quick": True, "lint": unchanged.lint_line}
        loaded = load_config(config)
        if inputs is not None:
            inputs.see_config(loaded)
        plan = build_plan(loaded)
        lint = lint_count_line(plan)
        if inputs is not None:
            inputs.lint_line = lint
        outcomes = run(plan, open_backend(loaded), **({"inputs": inputs} if inputs is not None else {}))
        actions: dict[str, int] = {}
        for outcome in outcomes:
            actions[outcome.action] = actions.get(outcome.action, 0) + 1
        return {"actions": actions, "quick": False, "lint": lint}

    return measure(call)


# ---------------------------------------------------------------- floors


def read_cells(paths: list[str], sheets: list[str]) -> int:
    """The sheets the rollup reads, with python-calamine alone (to_python, as the reader calls it)."""
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in paths:
        workbook = CalamineWorkbook.from_path(path)
        try:
            for name in workbook.sheet_names:
                if name in sheets:
                    cells += sum(map(len, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)))
        finally:
            workbook.close()
    return cells


def _read_chunk(chunk: list[str]) -> int:
    return read_cells(chunk, _SHEETS)


_SHEETS: list[str] = []


def write_cells(path: str, sheets: list[tuple[str, list[list[object]]]], formulas: bool = False) -> int:
    """Every row with write_row, formats made once (one per column, set on the column): XlsxWriter at its plain speed.

    Empty cells are None and are skipped. With ``formulas``, text starting with "=" is written as a formula,
    each distinct formula text prepared once per process (see `_memoise_formula_preparation`).
    """
    import xlsxwriter

    if formulas:
        _memoise_formula_preparation()

    written = 0
    workbook = xlsxwriter.Workbook(path, {"default_date_format": "dd/mm/yyyy", "strings_to_formulas": formulas})
    text = workbook.add_format({"text_wrap": True, "valign": "top"})
    number = workbook.add_format({"num_format": "0.00", "valign": "top"})
    for name, rows in sheets:
        sheet = workbook.add_worksheet(name)
        width = max(map(len, rows), default=0)
        for column in range(width):
            sheet.set_column(column, column, 14, number if column % 3 == 2 else text)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
            written += sum(value is not None for value in row)
    workbook.close()
    return written


def _memoise_formula_preparation() -> None:
    """Make XlsxWriter prepare each distinct formula text once per process, as okrsheets' renderer does.

    ``write_formula`` runs some 30 regular expressions over every formula (the
    "future function" prefixes); a team workbook holds about 100 formulas of
    up to 4 KB and 1,000 workbooks repeat the same 14 templates' texts, so
    paying them for every cell made the floor 4 times slower than the renderer
    it is meant to bound. The renderer caches its formula texts; the floor now
    does the same, and still writes every cell through XlsxWriter's public API.
    """
    from xlsxwriter.worksheet import Worksheet

    prepare = Worksheet._prepare_formula
    if getattr(prepare, "memoised", False):
        return
    prepared: dict[tuple[str, bool], str] = {}

    def memoised(self, formula, expand_future_functions=False):
        key = (formula, expand_future_functions)
        text = prepared.get(key)
        if text is None:
            text = prepared[key] = prepare(self, formula, expand_future_functions)
        return text

    memoised.memoised = True
    Worksheet._prepare_formula = memoised


def floor(paths_file: str, sheets: list[str], cells: str, workers: int, out: str) -> dict:
    global _SHEETS
    import pickle

    import xlsxwriter  # noqa: F401 - imported before the clock starts, as the rollup has its writer imported
    from python_calamine import CalamineWorkbook  # noqa: F401

    paths = Path(paths_file).read_text(encoding="utf-8").splitlines()
    started = time.perf_counter()
    with open(cells, "rb") as handle:
        summary = pickle.load(handle)
    unpickled = time.perf_counter() - started  # in the whole-process row, not in the in-process one
    _SHEETS = sheets

    def call():
        if workers <= 1:
            read = read_cells(paths, sheets)
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            size = max(1, len(paths) // (workers * 4))
            chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                read = sum(pool.map(_read_chunk, chunks))
        written = write_cells(out, summary)
        return {"cells_read": read, "cells_written": written, "unpickle_s": unpickled}

    return measure(call)


def xlsx_floor(cells: str, count: int, folder: str) -> dict:
    import pickle

    import xlsxwriter  # noqa: F401

    with open(cells, "rb") as handle:
        templates = pickle.load(handle)  # one workbook's sheets per template set
    target = Path(folder)

    def call():
        written = 0
        for index in range(count):
            written += write_cells(str(target / f"d{index + 1:04d}.xlsx"), templates[index % len(templates)], formulas=True)
        return {"workbooks": count, "cells_written": written}

    return measure(call)


def meta_floor(paths_file: str, member: str) -> dict:
    import zipfile

    paths = Path(paths_file).read_text(encoding="utf-8").splitlines()

    def call():
        size = 0
        for path in paths:
            os.stat(path)
            with zipfile.ZipFile(path) as archive:
                size += len(archive.read(member))
        return {"files": len(paths), "meta_bytes": size}

    return measure(call)


# ---------------------------------------------------------------- the analyst's pandas script


def pandas_script(paths_file: str, sheet: str, header_row: int, out: str, columns: dict[str, str], kinds: dict[str, str],
                  engine: str | None = None) -> dict:
    """The analyst's script; ``columns`` are the OKR sheet's header labels and ``kinds`` the kind words, in the config's language.

    Without ``engine`` read_excel gets no engine argument, as an analyst writes it (pandas then reads .xlsx
    with openpyxl); with ``engine="calamine"`` it is the fastest read pandas has.
    """
    import pandas as pd

    paths = Path(paths_file).read_text(encoding="utf-8").splitlines()
    c = columns
    options = {"engine": engine} if engine else {}

    def call():
        frames = []
        for path in paths:
            frame = pd.read_excel(path, sheet_name=sheet, header=header_row - 1, **options)
            frame.insert(0, "Phòng ban", Path(path).stem)
            frames.append(frame)
        table = pd.concat(frames, ignore_index=True)
        krs = table[table[c["id"]].astype(str).str.contains(".KR", regex=False)].copy()
        current = pd.to_numeric(krs[c["current"]], errors="coerce")
        start = pd.to_numeric(krs[c["start"]], errors="coerce")
        target = pd.to_numeric(krs[c["target"]], errors="coerce")
        kind = krs[c["kind"]].astype(str)
        score = ((current - start) / (target - start)).clip(0, 1)
        score = score.where(kind != kinds["at_least"], (current >= target).astype(float))
        score = score.where(kind != kinds["at_most"], (current <= target).astype(float))
        score = score.where(kind != kinds["milestone"], (current >= 1).astype(float))
        krs["Điểm"] = score.fillna(0)
        weight = pd.to_numeric(krs[c["weight"]], errors="coerce").fillna(1)
        krs["_w"] = weight
        krs["_ws"] = krs["Điểm"] * weight
        departments = krs.groupby("Phòng ban")[["_ws", "_w"]].sum()
        departments["Điểm"] = departments["_ws"] / departments["_w"]
        company = float(departments["Điểm"].mean())
        with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
            krs.drop(columns=["_w", "_ws"]).to_excel(writer, sheet_name="Kết quả then chốt", index=False)
            departments[["Điểm"]].to_excel(writer, sheet_name="Phòng ban")
        typed = krs[c["current"]].notna() & (krs[c["current"]].astype(str).str.strip() != "")
        unread = typed & current.isna()
        examples = krs.loc[unread, c["current"]].astype(str)
        percent = examples[examples.str.fullmatch(r"\d+,\d+%")]
        return {"krs": int(len(krs)), "typed": int(typed.sum()), "nan": int(unread.sum()), "company_score": company,
                "percent_example": percent.iloc[0] if len(percent) else None,
                "examples": sorted(set(examples))[:6], "cells_written": int(krs.shape[0] * (krs.shape[1] - 2) + len(departments) * 2)}

    return measure(call)


KINDS = {"rollup": rollup, "provision": provision, "floor": floor, "xlsx_floor": xlsx_floor, "meta_floor": meta_floor,
         "pandas": pandas_script}


def main() -> int:
    kind, args = sys.argv[1], json.loads(sys.argv[2])
    result = KINDS[kind](**args)
    print(RESULT_PREFIX + json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
