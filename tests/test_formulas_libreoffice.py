"""The team sheet's own formulas show what the engine says, for everything a team can type (issue #11, item 1).

Two kinds of provisioned workbooks are filled and recalculated by a real
LibreOffice (headless, "always recalculate"):

* the value corpus: every raw value of ``tests/test_values.py`` (accepted and
  rejected, text and numbers, booleans, dates, times), plus each accepted
  text typed again as the number it reads as, typed into KRs of every unit
  and every kind, in a Vietnamese and an English company;
* the 14 built-in template sets (and one in English), filled with the edge
  values of each kind: behind the start, at it, between, at the target,
  beyond it, just either side of a threshold, done / not done, a grade.

Each KR's, objective's and department's score, grade and status in the
recalculated sheet must then equal `score_quarter`'s own results over the
same files; a value the engine rejects must show "check cell" in its status.
Rolling up the files LibreOffice saved must give the same result as rolling
up the originals.
"""

from __future__ import annotations

import functools
import inspect
import math
import shutil
import types
import warnings
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from okrsheets.backends import open_backend
from okrsheets.backends.excel import read_workbook
from okrsheets.config import load_config
from okrsheets.core.scoring import Status, expected_progress, grade
from okrsheets.core.values import cell_date, read_cell_value
from okrsheets.i18n import STATUS
from okrsheets.jobs.provision import provision
from okrsheets.jobs.rollup import score_quarter
from okrsheets.plan import build_plan
from okrsheets.sheets.team_workbook import (
    AS_OF_CELL,
    COL,
    DEPT_SCORE_CELL,
    DEPT_STATUS_CELL,
    EXPECTED_CELL,
    FIRST_ROW,
    OKR_SHEET,
)
from okrsheets.templates import TemplateLibrary

from . import test_values
from .conftest import soffice_convert, soffice_or_skip, toml_value

TOLERANCE = 1e-9
PROVISIONED_AT = datetime(2026, 9, 25, 9, 0, tzinfo=UTC)
AS_OF_DATES = (date(2026, 9, 20), date(2026, 10, 1), date(2026, 11, 15), date(2026, 12, 31), date(2027, 1, 10))
UNITS = ("percent", "count", "vnd", "days", "hours", "minutes", "points", "number", "done")
KINDS = ("increase", "decrease", "at_least", "at_most")
KRS_PER_OBJECTIVE = 24
# (start, target) per unit and kind, in the engine's units (percent points for percents).
PLAN_NUMBERS = {
    "percent": {"increase": (20, 45), "decrease": (30, 15), "at_least": 40, "at_most": 99.9},
    "count": {"increase": (2, 10), "decrease": (10, 2), "at_least": 4, "at_most": 3},
    "vnd": {"increase": (6_000_000_000, 12_000_000_000), "decrease": (12_000_000_000, 6_000_000_000), "at_least": 1_000_000, "at_most": 2_500_000},
    "days": {"increase": (3, 30), "decrease": (45, 21), "at_least": 3, "at_most": 5},
    "hours": {"increase": (2, 10), "decrease": (10, 2.5), "at_least": 2.5, "at_most": 8},
    "minutes": {"increase": (30, 240), "decrease": (240, 120), "at_least": 30, "at_most": 45},
    "points": {"increase": (-5, 10), "decrease": (10, -5), "at_least": 7, "at_most": 8.5},
    "number": {"increase": (0, 100), "decrease": (100, 0), "at_least": 12.5, "at_most": 45},
}
SLOT_TYPE = {"percent": "percent", "vnd": "money"}  # the others: "number"

# Raw values test_values.py types by hand rather than through a parametrized "raw".
EXTRA_VALUES = [
    "12,5%", "１２，５％", "１,２００", "12²", "$1,000", "₫1,000", "2,500,000 VND", "12,5 %", "12.5%", "-2,5%", 1e15, -1e15,
    "100%", "0%", "1,0", "75%", "1.234,5", "4", "12.000.000.000", "  #ref! ", "a" * 500, "N/A", "#REF!", "abc", "5",
    # the grammar's corners
    "1  000", "1  ,5", "1 ,5", "Done!", "done . !", "done !", "hoãn thạnh", "Co\u0301", "-0", -0.0, "+-5", "1 000,5", "-₫ 100", "₫-100",
    "-₫-100", "v nd 100", "100 vnđ", "100nđ", "45%%", "0, 7", "%45", "- 12,5 %", "x.", "✔\ufe0f", "\u200b5", "5\u200b", "1\t000",
    "0,0000001", "999.999.999.999.999", "1.000.000.000.000.000", "1.000.000.000.000.001", "0.7.", "7.", "+0,7", "-0", "−0,5",
]


def _raw_corpus() -> list[object]:
    """Every "raw" value the parametrized tests of test_values.py read, plus EXTRA_VALUES, without duplicates."""
    found: list[object] = []
    for _, function in inspect.getmembers(test_values, inspect.isfunction):
        for mark in getattr(function, "pytestmark", []):
            if mark.name != "parametrize":
                continue
            names = mark.args[0]
            names = [n.strip() for n in (names.split(",") if isinstance(names, str) else names)]
            if "raw" in names:
                index = names.index("raw")
                found += [value[index] if len(names) > 1 else value for value in mark.args[1]]
    found += test_values.DONE_TEXT + test_values.NOT_DONE_TEXT + test_values.ERRORS + EXTRA_VALUES
    unique, seen = [], set()
    for value in found:
        if value == "\t\n":  # openpyxl writes it without xml:space="preserve", and LibreOffice then reads "\x01\n"
            continue
        key = (type(value).__name__, repr(value))
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


def _writable(value: object) -> object | None:
    """The value as a cell can hold it, or None for what no spreadsheet cell holds (NaN, 10**400, objects)."""
    if isinstance(value, Decimal):
        value = float(value) if value.is_finite() else None
    if isinstance(value, (bool, date, time, timedelta)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 1e300 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return None if ILLEGAL_CHARACTERS_RE.search(value) else value
    return None


@dataclass(frozen=True)
class Typed:
    """What a team typed into a current cell: the value and the number format the cell ends up with."""

    value: object
    number_format: str | None = None  # None: keep the provisioned format


def _corpus_for(unit: str, locale: str) -> list[Typed]:
    """The corpus as typed into a KR of ``unit``: each raw value, and each accepted text again as its number."""
    date_format = "dd/mm/yyyy" if locale == "vi_VN" else "m/d/yyyy"  # what the spreadsheet gives a typed date
    typed, numbers = [], []
    for raw in _raw_corpus():
        value = _writable(raw)
        if value is None and raw is not None:
            continue
        if isinstance(value, datetime):
            typed.append(Typed(value, "yyyy-mm-dd h:mm" if value.time() != time(0) else date_format))
        elif isinstance(value, date):
            typed.append(Typed(value, date_format))
        elif isinstance(value, (time, timedelta)):
            typed.append(Typed(value, "h:mm" if isinstance(value, time) else "[h]:mm:ss"))
        else:
            typed.append(Typed(value))
        if isinstance(raw, str):
            reading = read_cell_value(raw, unit, locale)
            if reading.value is not None:
                numbers.append(_percent_cell(reading.value) if unit == "percent" else reading.value)
    for number in dict.fromkeys(numbers):
        typed.append(Typed(number))
    return typed


def _percent_cell(percent: float) -> float:
    """The double a spreadsheet stores when someone types ``<percent>%``: the decimal fraction, correctly rounded."""
    return float(Decimal(repr(percent)) / 100)


# ---------------------------------------------------------------- building the companies


def _corpus_template(folder: Path) -> None:
    """A template set with one objective per unit, each with KRS_PER_OBJECTIVE KRs of rotating kinds."""
    lines = ["schema = 1", 'key = "corpus"', "version = 1", "", "[name]", 'vi = "Phòng thử"', 'en = "Test department"']
    for o, unit in enumerate(UNITS, start=1):
        lines += ["", "[[objectives]]", f'id = "O{o}"', f'vi = "Mục tiêu {unit}"', f'en = "Objective {unit}"']
        for k in range(1, KRS_PER_OBJECTIVE + 1):
            kind = "milestone" if unit == "done" else KINDS[(k - 1) % len(KINDS)]
            lines += ["", "[[objectives.key_results]]", f'id = "O{o}.KR{k}"', f'kind = "{kind}"', f'unit = "{unit}"']
            if kind == "milestone":
                lines += ['vi = "Xong việc"', 'en = "Get it done"']
            elif kind in ("increase", "decrease"):
                slot = SLOT_TYPE.get(unit, "number")
                lines += ['vi = "Từ {start} đến {target}"', 'en = "From {start} to {target}"',
                          f'slots.start = {{ type = "{slot}", label = "số" }}', f'slots.target = {{ type = "{slot}", label = "số" }}']
            else:
                lines += ['vi = "Ngưỡng {target}"', 'en = "Threshold {target}"', f'slots.target = {{ type = "{SLOT_TYPE.get(unit, "number")}", label = "số" }}']
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "corpus.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _corpus_values() -> dict[str, dict]:
    values = {}
    for o, unit in enumerate(UNITS, start=1):
        for k in range(1, KRS_PER_OBJECTIVE + 1):
            if unit == "done":
                continue
            kind = KINDS[(k - 1) % len(KINDS)]
            numbers = PLAN_NUMBERS[unit][kind]
            values[f"O{o}.KR{k}"] = {"start": numbers[0], "target": numbers[1]} if isinstance(numbers, tuple) else {"target": numbers}
        if o % 3 == 0:
            values[f"O{o}"] = {"weight": 2}
    return values


def _inline(table: dict[str, object]) -> str:
    return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in table.items()) + " }"


def _write_config(path: Path, language: str, departments: list[tuple[str, str, dict]], folder: Path, templates: Path | None = None) -> None:
    lines = [
        'company = "Công ty Cổ phần Thương mại Sen Vàng"', f'language = "{language}"', 'timezone = "Asia/Ho_Chi_Minh"',
        *([f"templates_dir = {toml_value(str(templates))}"] if templates else []),
        "", "[quarter]", 'name = "2026-Q4"', "", "[backend]", 'kind = "excel"', f"folder = {toml_value(str(folder))}",
    ]
    for key, template, values in departments:
        lines += ["", "[[departments]]", f'key = "{key}"', f'name = "Phòng {key}"', f'template = "{template}"', 'owners = ["okr@senvang.vn"]']
        lines += [f'values."{item_id}" = {_inline(table)}' for item_id, table in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _kr_rows(ws) -> dict[str, int]:
    rows = {}
    for row in range(FIRST_ROW, ws.max_row + 1):
        value = ws.cell(row, COL["id"]).value
        if isinstance(value, str) and value.strip():
            rows.setdefault(value.strip(), row)
    return rows


@dataclass
class Company:
    """A provisioned company whose teams typed values, and the same files after LibreOffice recalculated them."""

    name: str
    config_path: Path
    as_of: dict[str, date]
    typed: dict[tuple[str, str], Typed]  # (department, KR ID) -> what was typed
    recalculated: Path | None = None  # the folder LibreOffice wrote into


def _provision(config_path: Path) -> list[Path]:
    config = load_config(config_path)
    plan = build_plan(config)
    backend = open_backend(config)
    outcomes = provision(plan, backend, now=PROVISIONED_AT)
    assert [o.action for o in outcomes] == ["created"] * len(plan.departments), [(o.department, o.action, o.problems) for o in outcomes]
    return [Path(backend.location(d.key)) for d in plan.departments]


def _type_into(path: Path, language: str, typed: dict[str, Typed], as_of: date) -> None:
    """Type values into the current cells and pin the as-of date (it replaces =TODAY()), as a team's spreadsheet would."""
    wb = openpyxl.load_workbook(path)
    ws = wb[OKR_SHEET[language]]
    rows = _kr_rows(ws)
    for kr_id, entry in typed.items():
        cell = ws.cell(rows[kr_id], COL["current"])
        cell.value = entry.value
        if isinstance(entry.value, str):
            cell.data_type = "s"  # typed text stays text, even "=..." or "#REF!"
        if entry.number_format:
            cell.number_format = entry.number_format
    ws.cell(*AS_OF_CELL).value = as_of
    wb.save(path)


def _corpus_company(root: Path, language: str) -> Company:
    locale = "vi_VN" if language == "vi" else "en_US"
    templates = root / "templates"
    if not (templates / "corpus.toml").exists():
        _corpus_template(templates)
    per_unit = {unit: _corpus_for(unit, locale) for unit in UNITS}
    departments = math.ceil(max(len(v) for v in per_unit.values()) / KRS_PER_OBJECTIVE)
    keys = [f"corpus_{language}_{i:02d}" for i in range(departments)]
    config_path = root / f"corpus-{language}.toml"
    _write_config(config_path, language, [(key, "corpus", _corpus_values()) for key in keys], root / f"corpus-{language}", templates)
    typed: dict[tuple[str, str], Typed] = {}
    as_of = {key: AS_OF_DATES[i % len(AS_OF_DATES)] for i, key in enumerate(keys)}
    for path, key in zip(_provision(config_path), keys):
        index = keys.index(key)
        entries = {}
        for o, unit in enumerate(UNITS, start=1):
            chunk = per_unit[unit][index * KRS_PER_OBJECTIVE:(index + 1) * KRS_PER_OBJECTIVE]
            entries |= {f"O{o}.KR{k}": entry for k, entry in enumerate(chunk, start=1)}
        _type_into(path, language, entries, as_of[key])
        typed |= {(key, kr_id): entry for kr_id, entry in entries.items()}
    return Company(f"corpus-{language}", config_path, as_of, typed)


# The built-in template sets, filled with the edge values of each kind (the values people really type).
LINEAR_CASES = ("blank", "behind_start", "at_start", "between", "at_target", "beyond_target")
THRESHOLD_CASES = ("equal", "just_above", "just_below", "blank")
MILESTONE_CASES = ("Xong", "Chưa xong", 0.7, 1, 0, None, "Hoàn thành", "Đã xong", "X", " xong ", "   ")
SLOT_FILLERS = {"text": "Python", "period": "quý 4/2026", "duration": "48 giờ", "date": date(2026, 12, 15), "money": 50_000_000,
                "count": 3, "percent": 10, "number": 2.5}
LINEAR_VALUES = {"percent": (12.5, 99.9), "count": (2, 10), "vnd": (6_000_000_000, 12_000_000_000), "days": (45, 21), "minutes": (240, 120)}
THRESHOLD_VALUES = {"percent": 99.9, "count": 3}


def _template_values(template) -> dict[str, dict]:
    values = {}
    for objective in template.objectives:
        table = {s.name: SLOT_FILLERS[s.type] for s in objective.slots}
        if table:
            values[objective.id] = table
        for kr in objective.key_results:
            table = {s.name: SLOT_FILLERS[s.type] for s in kr.slots if s.name not in ("target", "start")}
            if kr.kind in ("increase", "decrease"):
                start, target = sorted(LINEAR_VALUES.get(kr.unit, (10, 30)))
                table |= {"start": start, "target": target} if kr.kind == "increase" else {"start": target, "target": start}
            elif kr.kind == "at_least":
                table["target"] = THRESHOLD_VALUES.get(kr.unit, 5)
            if table:
                values[kr.id] = table
    return values


def _edge_value(kr, case_index: int, locale: str) -> Typed:
    """The case_index-th edge case of the KR's kind, as a team types it (a percent as 99.9% in its % cell)."""
    if kr.kind == "milestone":
        value = MILESTONE_CASES[case_index % len(MILESTONE_CASES)]
        if locale == "en_US" and value in ("Xong", "Chưa xong"):
            value = {"Xong": "Done", "Chưa xong": "Not done"}[value]
        return Typed(value)
    if kr.kind in ("increase", "decrease"):
        case = LINEAR_CASES[case_index % len(LINEAR_CASES)]
        span = kr.target - kr.start
        engine = {"blank": None, "behind_start": kr.start - 0.2 * span, "at_start": kr.start, "between": kr.start + 0.55 * span,
                  "at_target": kr.target, "beyond_target": kr.target + 0.2 * span}[case]
    else:
        case = THRESHOLD_CASES[case_index % len(THRESHOLD_CASES)]
        small = 0.1 if kr.unit == "percent" else 1
        engine = {"blank": None, "equal": kr.target, "just_above": kr.target + small, "just_below": kr.target - small}[case]
    if engine is None:
        return Typed(None)
    engine = round(engine, 6)
    if engine < 0 and kr.unit in ("count", "vnd", "days", "hours", "minutes"):
        engine = 0.0
    return Typed(_percent_cell(engine) if kr.unit == "percent" else engine)


def _template_company(root: Path, language: str) -> Company:
    library = TemplateLibrary.load(None)
    templates = sorted(library, key=lambda t: t.key) if language == "vi" else [library.get("finance")]
    keys = [f"{t.key}_{language}" for t in templates]
    config_path = root / f"templates-{language}.toml"
    _write_config(config_path, language, [(key, t.key, _template_values(t)) for key, t in zip(keys, templates)], root / f"templates-{language}")
    plan = build_plan(load_config(config_path))
    typed, as_of = {}, {}
    locale = "vi_VN" if language == "vi" else "en_US"
    for i, (path, key) in enumerate(zip(_provision(config_path), keys)):
        entries = {kr.id: _edge_value(kr, i + n, locale) for n, kr in enumerate(plan.department(key).key_results)}
        as_of[key] = AS_OF_DATES[i % len(AS_OF_DATES)] if language == "vi" else date(2026, 11, 15)
        _type_into(path, language, entries, as_of[key])
        typed |= {(key, kr_id): entry for kr_id, entry in entries.items()}
    return Company(f"templates-{language}", config_path, as_of, typed)


@pytest.fixture(scope="module")
def companies(tmp_path_factory) -> list[Company]:
    """All companies, filled, and recalculated by LibreOffice in one run."""
    soffice_or_skip()
    root = tmp_path_factory.mktemp("formulas")
    made = [_corpus_company(root, "vi"), _corpus_company(root, "en"), _template_company(root, "vi"), _template_company(root, "en")]
    files = [f for c in made for f in sorted(load_config(c.config_path).quarter_folder.glob("*.xlsx"))]
    out = root / "recalculated"
    out.mkdir()
    soffice_convert(files, "xlsx", out, root, recalculate=True)
    for company in made:
        company.recalculated = out
    return made


# ---------------------------------------------------------------- comparing


class _Values:
    """A sheet's saved values (what LibreOffice computed), read with calamine: ``.cell(row, column).value``."""

    def __init__(self, rows: list[list]):
        self.rows = rows
        self.max_row = len(rows)

    def cell(self, row: int, column: int):
        values = self.rows[row - 1] if row <= len(self.rows) else []
        value = values[column - 1] if column <= len(values) else None
        return types.SimpleNamespace(value=None if value == "" else value)


@functools.cache
def _load_values(path: Path) -> dict[str, _Values]:
    return {title: _Values(sheet.rows) for title, sheet in read_workbook(path).sheets.items()}


def _engine(company: Company, folder: Path | None = None):
    """score_quarter's results for the company, over its own files or over a copy of ``folder``'s."""
    config = load_config(company.config_path)
    if folder is not None:
        config = replace(config, excel=replace(config.excel, folder=folder))
    plan = build_plan(config)
    backend = open_backend(config)
    results = {}
    for department in plan.departments:  # one department at a time: each has its own as-of date
        one = replace(plan, departments=(department,))
        results[department.key] = score_quarter(one, backend, company.as_of[department.key], workers=1)
    return config, results


def _compare(company: Company) -> dict[str, list]:
    """For each level (kr, objective, department): (agreeing, total, the disagreements)."""
    config, results = _engine(company)
    labels = STATUS[config.language]
    check = labels.get("check_cell", labels["no_data"])
    report = {"kr": [0, 0, []], "objective": [0, 0, []], "department": [0, 0, []]}

    def judge(level: str, what: str, sheet_score, sheet_status, score: float, status: str) -> None:
        report[level][1] += 1
        ok_score = isinstance(sheet_score, (int, float)) and abs(sheet_score - score) <= TOLERANCE
        ok_grade = ok_score and grade(sheet_score, config.scoring) == grade(score, config.scoring)
        if ok_score and ok_grade and sheet_status == status:
            report[level][0] += 1
        else:
            report[level][2].append(f"{what}: sheet {sheet_score!r} {sheet_status!r}, engine {score!r} {status!r}")

    for key, result in results.items():
        department = result.departments[0]
        ws = _load_values(company.recalculated / Path(department.source).name)[OKR_SHEET[config.language]]
        rows = _kr_rows(ws)
        current = {i.key_result for i in result.issues if i.cell and i.cell == f"G{rows.get(i.key_result, 0)}"}
        for kr in department.key_results:
            row = rows[kr.id]
            status = check if kr.id in current else labels[kr.status]
            typed = company.typed.get((key, kr.id))
            what = f"{key} {kr.id} ({kr.kind}, {kr.unit}) typed {typed.value if typed else None!r}"
            judge("kr", what, ws.cell(row, COL["score"]).value, ws.cell(row, COL["status"]).value, kr.score, status)
        for objective in department.objectives:
            row = rows[objective.id]
            judge("objective", f"{key} {objective.id}", ws.cell(row, COL["score"]).value, ws.cell(row, COL["status"]).value,
                  objective.score, labels[objective.status])
        judge("department", key, ws.cell(*DEPT_SCORE_CELL).value, ws.cell(*DEPT_STATUS_CELL).value, department.score, labels[department.status])
    return report


@pytest.fixture(scope="module")
def agreement(companies) -> dict[str, list]:
    total = {"kr": [0, 0, []], "objective": [0, 0, []], "department": [0, 0, []]}
    for company in companies:
        for level, (agree, count, problems) in _compare(company).items():
            total[level][0] += agree
            total[level][1] += count
            total[level][2] += problems
    print("\nagreement: " + ", ".join(f"{level} {a}/{n}" for level, (a, n, _) in total.items()))
    return total


# ---------------------------------------------------------------- tests


def test_the_corpus_covers_every_unit_kind_and_kind_of_value(companies):
    """Accepted and rejected values, text and numbers, booleans and dates reach KRs of every unit and kind."""
    corpus = [c for c in companies if c.name.startswith("corpus")]
    assert {c.name for c in corpus} == {"corpus-vi", "corpus-en"}
    values = [t.value for c in corpus for t in c.typed.values()]
    assert {bool, str, float, int, datetime, time, timedelta} <= {type(v) for v in values}
    for company in corpus:
        plan = build_plan(load_config(company.config_path))
        locale = plan.config.locale
        seen = {(kr.unit, kr.kind) for d in plan.departments for kr in d.key_results if (d.key, kr.id) in company.typed}
        assert seen == {(u, k) for u in UNITS[:-1] for k in KINDS} | {("done", "milestone")}
        readings = [read_cell_value(t.value, kr.unit, locale) for d in plan.departments for kr in d.key_results
                    if (t := company.typed.get((d.key, kr.id))) and isinstance(t.value, str)]
        assert sum(r.value is not None for r in readings) > 300 and sum(r.issue is not None for r in readings) > 1000


def test_recalculation_really_happened(companies):
    """The filled files carry no cached results; only LibreOffice's recalculation puts numbers there."""
    company = companies[0]
    config = load_config(company.config_path)
    for path in sorted(config.quarter_folder.glob("*.xlsx"))[:2]:
        before = _load_values(path)[OKR_SHEET[config.language]]
        after = _load_values(company.recalculated / path.name)[OKR_SHEET[config.language]]
        assert before.cell(*DEPT_SCORE_CELL).value is None
        assert isinstance(after.cell(*DEPT_SCORE_CELL).value, float)
        assert cell_date(after.cell(*AS_OF_CELL).value) == company.as_of[path.stem]


def test_expected_progress_cell_matches_engine(companies):
    for company in companies:
        config = load_config(company.config_path)
        q = config.quarter
        for key, as_of in company.as_of.items():
            ws = _load_values(company.recalculated / f"{key}.xlsx")[OKR_SHEET[config.language]]
            assert ws.cell(*EXPECTED_CELL).value == pytest.approx(expected_progress(q.start, q.end, as_of), abs=TOLERANCE), key


def test_every_key_result_shows_the_engines_score_grade_and_status(agreement):
    agree, total, problems = agreement["kr"]
    assert not problems, f"{agree}/{total} agree:\n" + "\n".join(problems[:80])


def test_every_objective_shows_the_engines_score_grade_and_status(agreement):
    agree, total, problems = agreement["objective"]
    assert not problems, f"{agree}/{total} agree:\n" + "\n".join(problems[:80])


def test_every_department_shows_the_engines_score_grade_and_status(agreement):
    agree, total, problems = agreement["department"]
    assert not problems, f"{agree}/{total} agree:\n" + "\n".join(problems[:80])


def test_a_rejected_value_says_check_cell_in_both_languages(companies):
    """The status cell of a KR whose value the engine rejects says "Kiểm tra ô" / "Check cell"."""
    shown = {"vi": set(), "en": set()}
    for company in companies[:2]:
        config = load_config(company.config_path)
        ws = _load_values(company.recalculated / f"{next(iter(company.as_of))}.xlsx")[OKR_SHEET[config.language]]
        shown[config.language] |= {ws.cell(row, COL["status"]).value for row in range(FIRST_ROW, ws.max_row + 1)}
    assert "Kiểm tra ô" in shown["vi"] and "Check cell" in shown["en"]


def test_every_status_is_shown_in_both_languages(companies):
    """The chosen dates and values make the sheets show every status, in Vietnamese and in English."""
    shown: dict[str, set[str]] = {"vi": set(), "en": set()}
    for company in companies:
        config = load_config(company.config_path)
        for key in company.as_of:
            ws = _load_values(company.recalculated / f"{key}.xlsx")[OKR_SHEET[config.language]]
            shown[config.language] |= {ws.cell(row, COL["status"]).value for row in range(FIRST_ROW, ws.max_row + 1)} - {None}
    for language in ("vi", "en"):
        assert shown[language] == {STATUS[language][s] for s in (*Status, "check_cell")}, language


def test_rolling_up_the_files_libreoffice_saved_gives_the_same_result(companies, tmp_path):
    """A team opening and saving its workbook in LibreOffice (TRUE becomes =TRUE(), dates and % keep their meaning)
    changes nothing in the summary."""
    for company in companies:
        config = load_config(company.config_path)
        copy = tmp_path / company.name
        quarter = copy / config.quarter_folder.name
        quarter.mkdir(parents=True)
        for key in company.as_of:
            shutil.copy(company.recalculated / f"{key}.xlsx", quarter / f"{key}.xlsx")
        _, original = _engine(company)
        _, resaved = _engine(company, copy)
        for key in company.as_of:
            a, b = original[key], resaved[key]
            assert [(k.id, k.current, k.score, k.status) for k in b.departments[0].key_results] == \
                   [(k.id, k.current, k.score, k.status) for k in a.departments[0].key_results], key
            assert [(o.score, o.status) for o in b.departments[0].objectives] == [(o.score, o.status) for o in a.departments[0].objectives]
            assert (b.score, b.status) == (a.score, a.status)
            assert [(i.cell, i.problem) for i in b.issues] == [(i.cell, i.problem) for i in a.issues], key


def test_the_demo_team_sheets_show_the_department_scores_of_the_summary(tmp_path):
    """`make demo`, then LibreOffice recalculates its team workbooks: each shows the summary's department score and status
    (the demo's "45%", "1.000.000 ₫", "xong", junk "chưa có" and a deleted KR row included)."""
    from click.testing import CliRunner

    from okrsheets.cli.main import cli

    soffice_or_skip()
    as_of = date(2026, 11, 15)
    result = CliRunner().invoke(cli, ["demo", str(tmp_path / "demo"), "--as-of", as_of.isoformat()])
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "demo" / "okrsheets.toml")
    overview = _load_values(config.quarter_folder / "company-summary.xlsx")["Tổng quan"]
    names = {d.name: d.key for d in config.departments}
    header = next(row for row in overview.rows if row and row[0] == "Phòng ban")  # columns by their headers
    score, status = header.index("Điểm"), header.index("Trạng thái")
    summary = {names[row[0]]: (row[score], row[status]) for row in overview.rows if row and row[0] in names}
    assert len(summary) == 14
    teams = [config.quarter_folder / f"{key}.xlsx" for key in summary]
    for path in teams:  # the day the summary was computed, in place of =TODAY()
        wb = openpyxl.load_workbook(path)
        wb[OKR_SHEET["vi"]].cell(*AS_OF_CELL).value = as_of
        wb.save(path)
    out = tmp_path / "recalculated"
    out.mkdir()
    soffice_convert(teams, "xlsx", out, tmp_path, recalculate=True)
    shown = {}
    for path in teams:
        ws = _load_values(out / path.name)[OKR_SHEET["vi"]]
        shown[path.stem] = (ws.cell(*DEPT_SCORE_CELL).value, ws.cell(*DEPT_STATUS_CELL).value)
    assert {k: (round(s, 9), t) for k, (s, t) in shown.items()} == {k: (round(s, 9), t) for k, (s, t) in summary.items()}


# Functions of Excel 2013 and later that LibreOffice also has; the team sheet's formulas use no others.
EXCEL_AND_LIBREOFFICE = {
    "ABS", "AND", "ASC", "CELL", "CHAR", "COUNT", "DATE", "FALSE", "FIND", "FIXED", "FORMULATEXT", "IF", "IFERROR", "ISERROR",
    "ISFORMULA", "ISLOGICAL", "ISNUMBER", "ISTEXT", "LEFT", "LEN", "LOWER", "MAX", "MID", "MIN", "NOT", "OR", "RIGHT", "ROUND",
    "SUBSTITUTE", "SUMPRODUCT", "TODAY", "TRIM", "VALUE",
}


def _team_spec(tmp_path: Path, language: str = "vi"):
    from okrsheets.sheets.team_workbook import team_workbook

    _write_config(tmp_path / "c.toml", language, [("finance", "finance", _template_values(TemplateLibrary.load(None).get("finance")))], tmp_path)
    plan = build_plan(load_config(tmp_path / "c.toml"))
    return team_workbook(plan.config, plan.departments[0], {}, [], PROVISIONED_AT)


def test_the_team_sheet_uses_only_functions_excel_and_libreoffice_both_have(tmp_path):
    import re

    from okrsheets.sheets.spec import Formula

    spec = _team_spec(tmp_path)
    used = set()
    for sheet in spec.sheets:
        for cell in sheet.cells.values():
            if isinstance(cell.value, Formula):
                text = re.sub(r'"[^"]*"', "", cell.value.text)  # not inside string literals
                used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", text))
    assert used <= EXCEL_AND_LIBREOFFICE, used - EXCEL_AND_LIBREOFFICE
    assert {"ISFORMULA", "FORMULATEXT", "CELL", "ASC"} <= used


def test_a_value_the_engine_rejects_colours_its_cell_and_score_orange(tmp_path):
    """The rendered workbook marks the current cell and the score of a KR whose reading is "!" before any grade colour."""
    from okrsheets.backends.excel import render

    ws = render(_team_spec(tmp_path))[OKR_SHEET["vi"]]
    rules = [(str(rng.sqref), rule) for rng in ws.conditional_formatting for rule in rng.rules]
    marks = [(ref, rule) for ref, rule in rules if rule.formula and rule.formula[0].endswith('="!"')]
    assert sorted(ref.split(":")[0][0] for ref, _ in marks) == ["G", "J"]  # current, score
    assert all(rule.dxf.fill.fgColor.rgb == "FFFFC000" and rule.stopIfTrue and rule.priority <= 2 for _, rule in marks)


def test_libreoffice_saves_the_sheets_formulas_back_unchanged(companies):
    """After a LibreOffice re-save every formula reads the same (but for spaces, case and Excel's _xlfn. prefix),
    so a check that the team did not overwrite the sheet's formulas does not fire on a mere re-save."""
    def canonical(formula: str) -> str:
        return "".join(formula.lstrip("=").split()).upper().replace("_XLFN.", "")

    for company in (companies[0], companies[2]):
        config = load_config(company.config_path)
        path = min(config.quarter_folder.glob("*.xlsx"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # LibreOffice's conditional-formatting extensions
            original, resaved = openpyxl.load_workbook(path), openpyxl.load_workbook(company.recalculated / path.name)
        formulas = [(ws.title, c.coordinate, c.value) for ws in original.worksheets for row in ws.iter_rows() for c in row
                    if isinstance(c.value, str) and c.value.startswith("=") and c.data_type == "f"]
        assert len(formulas) > 100
        changed = [(t, ref) for t, ref, f in formulas if canonical(f) != canonical(str(resaved[t][ref].value))]
        assert not changed, changed[:5]
