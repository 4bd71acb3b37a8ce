"""The live formulas of a team workbook agree with the scoring engine (issue #4, item 4).

One department per built-in template set (plus one English department) is
provisioned, a "team" fills the current column with every kind of edge value
(blank, behind the start, at the start, between, at the target, beyond it, at
a threshold and just either side of it, done / not done, a grade), the as-of
cell is pinned to a date before, at the start, in the middle, at the end and
after the quarter, and LibreOffice recalculates every workbook headless.
Each score and status the sheet shows must then be what
:mod:`okrsheets.core.scoring` says.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from okrsheets.backends import open_backend
from okrsheets.config import load_config
from okrsheets.i18n import STATUS
from okrsheets.sheets.team_workbook import AS_OF_CELL, COL, DEPT_SCORE_CELL, DEPT_STATUS_CELL, EXPECTED_CELL, FIRST_ROW, OKR_SHEET
from okrsheets.plan import QuarterPlan, build_plan
from okrsheets.jobs.provision import provision
from okrsheets.core.scoring import Status, expected_progress, score_key_result, status_for, weighted_mean
from okrsheets.templates import TemplateLibrary
from okrsheets.core.values import read_cell_value

from .conftest import soffice_convert, soffice_or_skip, toml_value

TOLERANCE = 1e-9
PROVISIONED_AT = datetime(2026, 9, 25, 9, 0, tzinfo=timezone.utc)

# Evaluation dates for Q4/2026 (2026-10-01 .. 2026-12-31), rotated across departments.
AS_OF_DATES = (
    date(2026, 9, 20),  # before the quarter: expected 0
    date(2026, 10, 1),  # first day: expected 0
    date(2026, 11, 15),  # middle: 45/92
    date(2026, 12, 31),  # last day: 91/92
    date(2027, 1, 10),  # after: expected 1
)

# Start/target pairs per (kind, unit), realistic for each unit; percents in percent units.
LINEAR_VALUES = {
    ("increase", "percent"): [(20, 45), (12.5, 40), (60, 85), (35, 50)],
    ("increase", "count"): [(2, 10), (5, 20), (1, 4), (10, 30)],
    ("increase", "vnd"): [(6_000_000_000, 12_000_000_000)],
    ("decrease", "percent"): [(12, 5), (30, 15), (8, 2.5)],
    ("decrease", "days"): [(30, 15), (45, 21)],
    ("decrease", "minutes"): [(240, 120), (30, 15)],
}
THRESHOLDS = {("at_least", "percent"): [90, 95, 20], ("at_least", "count"): [4, 3]}
# Values that make the sheet's own float arithmetic matter: 99.9/100 is not the
# double Excel stores for a typed "99.9%".
OVERRIDES = {
    ("engineering", "O1.KR2"): ((99, 99.9), "at_target"),  # uptime 99% -> 99.9%, typed exactly 99.9%
    ("design", "O3.KR1"): ((None, 99.9), "equal"),  # at least 99.9%, typed exactly 99.9%
    ("employee", "O4.KR3"): ((None, 3), "equal"),  # at least 3 times, typed 3
}

LINEAR_CASES = ("blank", "behind_start", "at_start", "between", "at_target", "beyond_target")
THRESHOLD_CASES = ("just_above", "just_below", "blank")  # "equal" comes from OVERRIDES
AT_MOST_CASES = ("equal", "above")  # one at_most KR per finance department; a negative count is no valid check-in
MILESTONE_CASES = ("done_word", "not_done_word", "grade", "one", "zero", "blank")
BETWEEN_PROGRESS = (0.3, 0.55, 0.8, 0.62, 0.15)

SLOT_FILLERS = {
    "text": "Python",
    "period": "quý 4/2026",
    "duration": "48 giờ",
    "date": date(2026, 12, 15),
    "money": 50_000_000,
    "count": 3,
    "percent": 10,
    "number": 2.5,
}


@dataclass
class TypedValue:
    """What the team typed in a KR's current cell, and what the engine reads it as."""

    case: str
    cell: object  # what goes into the sheet (fractions for percent KRs)
    engine: float | None  # current in the engine's units (percent units for percent KRs)


@dataclass
class Workbook:
    key: str
    language: str
    plan: QuarterPlan
    as_of: date
    typed: dict[str, TypedValue]
    provisioned: Path
    filled: Path
    recalculated: Path | None = None


# ---------------------------------------------------------------- helpers


def _inline(table: dict[str, object]) -> str:
    return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in table.items()) + " }"


def _typed_percent(percent: float) -> float:
    """The double Excel stores when someone types ``<percent>%``: the decimal fraction, correctly rounded."""
    return float(Decimal(repr(percent)) / 100)


def _nice(value: float, unit: str) -> float:
    """A between-value as a person would type it."""
    if unit == "percent":
        return round(value, 1)
    if unit == "vnd":
        return float(round(value, -6))
    return float(round(value))


class _Rotation:
    """Deterministic round-robin of cases and values per kind, across all departments."""

    def __init__(self) -> None:
        self.counters: dict[object, int] = {}
        self.used: dict[str, set[str]] = {}

    def next(self, key: object, items):
        i = self.counters.get(key, 0)
        self.counters[key] = i + 1
        return items[i % len(items)]

    def record(self, kind: str, case: str) -> None:
        self.used.setdefault(kind, set()).add(case)


def _department_values(template, rotation: _Rotation, dept_index: int) -> tuple[dict[str, dict], dict[str, str]]:
    """values."<ID>" tables for a department on `template`, and the case each KR will be checked with."""
    values: dict[str, dict] = {}
    cases: dict[str, str] = {}
    for o_index, objective in enumerate(template.objectives):
        table = {s.name: SLOT_FILLERS[s.type] for s in objective.slots}
        if (o_index + dept_index) % 3 == 1:
            table["weight"] = 2
        if table:
            values[objective.id] = table
        for kr in objective.key_results:
            table = {s.name: SLOT_FILLERS[s.type] for s in kr.slots if s.name not in ("target", "start")}
            override = OVERRIDES.get((template.key, kr.id))
            if kr.kind in ("increase", "decrease"):
                start, target = override[0] if override else rotation.next((kr.kind, kr.unit), LINEAR_VALUES[(kr.kind, kr.unit)])
                table |= {"start": start, "target": target}
                case = override[1] if override else rotation.next("linear", LINEAR_CASES)
            elif kr.kind == "at_least":
                target = override[0][1] if override else rotation.next((kr.kind, kr.unit), THRESHOLDS[(kr.kind, kr.unit)])
                table["target"] = target
                case = override[1] if override else rotation.next("at_least", THRESHOLD_CASES)
            elif kr.kind == "at_most":
                assert kr.fixed_target is not None, "at_most KRs in the built-in sets have a fixed target"
                case = rotation.next("at_most", AT_MOST_CASES)
            else:
                case = rotation.next("milestone", MILESTONE_CASES)
            if len(cases) % 4 == 3:
                table["weight"] = 2
            if table:
                values[kr.id] = table
            cases[kr.id] = case
    return values, cases


def _typed_value(kr, case: str, language: str, rotation: _Rotation) -> TypedValue:
    """The value a team types for `case` on `kr` (from the plan: start/target in engine units)."""
    rotation.record(kr.kind, case)
    if case == "blank":
        return TypedValue(case, None, None)
    if kr.kind == "milestone":
        done, not_done = ("Done", "Not done") if language == "en" else ("Xong", "Chưa xong")
        cell, engine = {
            "done_word": (done, 1.0), "not_done_word": (not_done, 0.0), "grade": (0.7, 0.7), "one": (1, 1.0), "zero": (0, 0.0),
        }[case]
        return TypedValue(case, cell, engine)
    start, target = kr.start, kr.target
    if kr.kind in ("increase", "decrease"):
        span = target - start
        step = abs(span) * 0.2
        direction = 1 if span > 0 else -1
        engine = {
            "behind_start": start - direction * step,
            "at_start": start,
            "between": _nice(start + rotation.next("between", BETWEEN_PROGRESS) * span, kr.unit),
            "at_target": target,
            "beyond_target": target + direction * step,
        }[case]
        if case in ("behind_start", "beyond_target"):
            engine = _nice(engine, kr.unit)
    elif kr.kind == "at_least":
        small = 0.1 if kr.unit == "percent" else 1
        engine = {"equal": target, "just_above": target + small, "just_below": target - small}[case]
        engine = round(engine, 6)
    else:  # at_most, fixed target 0 (a count of violations)
        engine = {"equal": target, "above": target + 1}[case]
    engine = float(engine)
    cell = _typed_percent(engine) if kr.unit == "percent" else engine
    if kr.unit == "percent":
        # The rollup reads the stored fraction back into percent units exactly as the engine expects.
        assert read_cell_value(cell, "percent", "vi_VN", percent_formatted=True).value == engine
    return TypedValue(case, cell, engine)


def _write_config(path: Path, language: str, departments: list[tuple[str, str, dict]], folder: Path) -> None:
    lines = [
        'company = "Công ty Cổ phần Thương mại Sen Vàng"',
        f'language = "{language}"',
        'timezone = "Asia/Ho_Chi_Minh"',
        "",
        "[quarter]",
        'name = "2026-Q4"',
        "",
        "[backend]",
        'kind = "excel"',
        f"folder = {toml_value(str(folder))}",
        "",
        "[scoring]",
        "red_below = 0.4",
        "green_from = 0.7",
        "pace_tolerance = 0.1",
        "off_track_gap = 0.3",
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
            rows[value.strip()] = row
    return rows


def _provision_and_fill(
    config_path: Path, language: str, cases: dict[str, dict[str, str]], as_of: dict[str, date], rotation: _Rotation, filled_dir: Path,
    typed_by_department: dict[str, dict[str, TypedValue]] | None = None,
) -> list[Workbook]:
    config = load_config(config_path)
    plan = build_plan(config)
    backend = open_backend(config)
    outcomes = provision(plan, backend, now=PROVISIONED_AT)
    assert [o.action for o in outcomes] == ["created"] * len(plan.departments), [(o.department, o.action, o.problems) for o in outcomes]
    workbooks = []
    for department in plan.departments:
        provisioned = Path(backend.location(department.key))
        wb = openpyxl.load_workbook(provisioned)
        ws = wb[OKR_SHEET[language]]
        rows = _kr_rows(ws)
        typed = {}
        for kr in department.key_results:
            if typed_by_department is not None:
                value = typed_by_department[department.key][kr.id]
            else:
                value = _typed_value(kr, cases[department.key][kr.id], language, rotation)
            typed[kr.id] = value
            ws.cell(rows[kr.id], COL["current"]).value = value.cell
        ws.cell(*AS_OF_CELL).value = as_of[department.key]  # replaces =TODAY()
        filled = filled_dir / provisioned.name
        wb.save(filled)
        workbooks.append(Workbook(department.key, language, plan, as_of[department.key], typed, provisioned, filled))
    return workbooks


def _recalculate(files: list[Path], workdir: Path) -> Path:
    """Open every workbook in LibreOffice with "always recalculate" and save it again; return the output folder."""
    out = workdir / "recalculated"
    out.mkdir()
    soffice_convert(files, "xlsx", out, workdir, recalculate=True)
    return out


def _load_values(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LibreOffice's conditional-formatting extensions
        return openpyxl.load_workbook(path, data_only=True)


# ---------------------------------------------------------------- the recalculated workbooks


@pytest.fixture(scope="module")
def recalculated_all(tmp_path_factory) -> Recalculated:
    soffice_or_skip()
    root = tmp_path_factory.mktemp("formulas")
    library = TemplateLibrary.load(None)
    templates = sorted(library, key=lambda t: t.key)
    assert len(templates) == 14, [t.key for t in templates]
    rotation = _Rotation()
    filled_dir = root / "filled"
    filled_dir.mkdir()

    vi_departments, vi_cases, vi_as_of = [], {}, {}
    for index, template in enumerate(templates):
        values, cases = _department_values(template, rotation, index)
        vi_departments.append((template.key, template.key, values))
        vi_cases[template.key] = cases
        vi_as_of[template.key] = AS_OF_DATES[index % len(AS_OF_DATES)]
    _write_config(root / "vi.toml", "vi", vi_departments, root / "vi-data")
    workbooks = _provision_and_fill(root / "vi.toml", "vi", vi_cases, vi_as_of, rotation, filled_dir)

    en_values, en_cases = _department_values(library.get("finance"), rotation, 1)
    _write_config(root / "en.toml", "en", [("finance_en", "finance", en_values)], root / "en-data")
    workbooks += _provision_and_fill(root / "en.toml", "en", {"finance_en": en_cases}, {"finance_en": date(2026, 11, 15)}, rotation, filled_dir)

    # The generated plan really exercises every kind and every edge case.
    assert rotation.used == {
        "increase": set(LINEAR_CASES), "decrease": set(LINEAR_CASES), "at_least": {"equal", *THRESHOLD_CASES},
        "at_most": set(AT_MOST_CASES), "milestone": set(MILESTONE_CASES),
    }

    habits = _team_habits(library, root, filled_dir)
    everything = workbooks + list(habits.values())
    out = _recalculate([w.filled for w in everything], root)
    for workbook in everything:
        workbook.recalculated = out / workbook.filled.name
    return Recalculated(workbooks, habits)


@dataclass
class Recalculated:
    workbooks: list[Workbook]  # one per template set, plus one in English
    habits: dict[str, Workbook]  # "spaces", "words": what people really type


HABIT_WORDS = ["Hoàn thành", "Đã xong", "X", " xong "]  # read as done by okrsheets.core.values (and by the rollup)


def _team_habits(library: TemplateLibrary, root: Path, filled_dir: Path) -> dict[str, Workbook]:
    """Two more workbooks with what teams really type: a cell "cleared" with the space bar, other done words."""
    rotation = _Rotation()
    spaces_values, _ = _department_values(library.get("hr"), rotation, 0)
    words_values, _ = _department_values(library.get("leadership"), rotation, 0)
    _write_config(root / "habits.toml", "vi", [("habit_spaces", "hr", spaces_values), ("habit_words", "leadership", words_values)], root / "habits-data")
    plan = build_plan(load_config(root / "habits.toml"))
    typed: dict[str, dict[str, TypedValue]] = {"habit_spaces": {}, "habit_words": {}}
    for kr in plan.department("habit_spaces").key_results:
        reading = read_cell_value("   ", kr.unit, "vi_VN")
        assert reading.is_blank  # the engine's rule: only spaces is no check-in
        typed["habit_spaces"][kr.id] = TypedValue("spaces", "   ", None)
    words = iter(HABIT_WORDS)
    for kr in plan.department("habit_words").key_results:
        if kr.kind == "milestone":
            word = next(words)
            typed["habit_words"][kr.id] = TypedValue("word", word, read_cell_value(word, "done", "vi_VN").value)
        else:
            typed["habit_words"][kr.id] = TypedValue("at_target", _typed_percent(kr.target) if kr.unit == "percent" else kr.target, kr.target)
    assert all(typed["habit_words"][kr.id].engine == 1.0 for kr in plan.department("habit_words").key_results if kr.kind == "milestone")
    as_of = {"habit_spaces": date(2026, 11, 15), "habit_words": date(2026, 11, 15)}
    made = _provision_and_fill(root / "habits.toml", "vi", {}, as_of, rotation, filled_dir, typed)
    return {"spaces": made[0], "words": made[1]}


def _expected(workbook: Workbook):
    """Per row ID: (score, status) by the engine; plus the department's and the expected progress."""
    config = workbook.plan.config
    q, settings = config.quarter, config.scoring
    labels = STATUS[config.language]
    department = workbook.plan.department(workbook.key)
    expected_now = expected_progress(q.start, q.end, workbook.as_of)
    rows: dict[str, tuple[float, str]] = {}
    objective_scores = []
    any_data = False
    for objective in department.objectives:
        kr_scores = []
        has_data = False
        for kr in objective.key_results:
            typed = workbook.typed[kr.id]
            score = score_key_result(kr.kind, kr.start, kr.target, typed.engine)
            rows[kr.id] = (score, labels[status_for(score, expected_now, typed.engine is not None, settings)])
            kr_scores.append((score, kr.weight))
            has_data = has_data or typed.engine is not None
        score = weighted_mean(kr_scores)
        rows[objective.id] = (score, labels[status_for(score, expected_now, has_data, settings)])
        objective_scores.append((score, objective.weight))
        any_data = any_data or has_data
    dept_score = weighted_mean(objective_scores)
    dept = (dept_score, labels[status_for(dept_score, expected_now, any_data, settings)])
    return rows, dept, expected_now


def _mismatches(workbook: Workbook, which: str) -> list[str]:
    rows, dept, expected_now = _expected(workbook)
    ws = _load_values(workbook.recalculated)[OKR_SHEET[workbook.language]]
    sheet_rows = _kr_rows(ws)
    department = workbook.plan.department(workbook.key)
    kinds = {kr.id: kr for kr in department.key_results}
    problems = []
    for item_id, (score, status) in rows.items():
        is_kr = item_id in kinds
        if (which == "kr") != is_kr:
            continue
        row = sheet_rows[item_id]
        got_score = ws.cell(row, COL["score"]).value
        got_status = ws.cell(row, COL["status"]).value
        what = f"{workbook.key} {item_id}"
        if is_kr:
            kr, typed = kinds[item_id], workbook.typed[item_id]
            what += f" ({kr.kind}, {kr.unit}, start={kr.start}, target={kr.target}, case={typed.case}, typed={typed.cell!r}, as of {workbook.as_of})"
        if not isinstance(got_score, (int, float)) or abs(got_score - score) > TOLERANCE:
            problems.append(f"{what}: sheet score {got_score!r}, engine {score!r}")
        if got_status != status:
            problems.append(f"{what}: sheet status {got_status!r}, engine {status!r} (score {score!r}, expected progress {expected_now!r})")
    return problems


@pytest.fixture
def recalculated(recalculated_all) -> list[Workbook]:
    return recalculated_all.workbooks


# ---------------------------------------------------------------- tests


def test_recalculation_really_happened(recalculated):
    """The provisioned files carry no cached results; only LibreOffice's recalculation puts numbers there."""
    for workbook in recalculated:
        before = _load_values(workbook.filled)[OKR_SHEET[workbook.language]]
        after = _load_values(workbook.recalculated)[OKR_SHEET[workbook.language]]
        rows = _kr_rows(after)
        scored = [kr.id for kr in workbook.plan.department(workbook.key).key_results if workbook.typed[kr.id].engine]
        assert scored, workbook.key
        for kr_id in scored:
            assert before.cell(rows[kr_id], COL["score"]).value is None  # no stale cache to fall back on
        assert any(isinstance(after.cell(rows[k], COL["score"]).value, float) and after.cell(rows[k], COL["score"]).value > 0 for k in scored)
        assert before.cell(*DEPT_SCORE_CELL).value is None
        # the pinned as-of date survived and drove the expected progress, not TODAY()
        assert after.cell(*AS_OF_CELL).value.date() == workbook.as_of


def test_expected_progress_cell_matches_engine(recalculated):
    for workbook in recalculated:
        q = workbook.plan.config.quarter
        ws = _load_values(workbook.recalculated)[OKR_SHEET[workbook.language]]
        got = ws.cell(*EXPECTED_CELL).value
        assert got == pytest.approx(expected_progress(q.start, q.end, workbook.as_of), abs=TOLERANCE), (workbook.key, workbook.as_of)


def test_every_key_result_score_and_status_matches_engine(recalculated):
    problems = [p for workbook in recalculated for p in _mismatches(workbook, "kr")]
    assert not problems, "\n".join(problems)


def test_every_objective_score_and_status_matches_engine(recalculated):
    problems = [p for workbook in recalculated for p in _mismatches(workbook, "objective")]
    assert not problems, "\n".join(problems)


def _department_mismatches(workbook: Workbook) -> list[str]:
    problems = []
    _, (score, status), _ = _expected(workbook)
    ws = _load_values(workbook.recalculated)[OKR_SHEET[workbook.language]]
    got_score, got_status = ws.cell(*DEPT_SCORE_CELL).value, ws.cell(*DEPT_STATUS_CELL).value
    if not isinstance(got_score, (int, float)) or abs(got_score - score) > TOLERANCE:
        problems.append(f"{workbook.key}: department score {got_score!r}, engine {score!r}")
    if got_status != status:
        problems.append(f"{workbook.key}: department status {got_status!r}, engine {status!r} (as of {workbook.as_of})")
    return problems


def test_department_score_and_status_match_engine(recalculated):
    problems = [p for workbook in recalculated for p in _department_mismatches(workbook)]
    assert not problems, "\n".join(problems)


def test_a_cell_cleared_with_spaces_is_no_check_in_in_the_sheet_as_in_the_engine(recalculated_all):
    """Pressing space + Enter to "clear" a cell: the engine reads no check-in, so must the sheet."""
    workbook = recalculated_all.habits["spaces"]
    problems = _mismatches(workbook, "kr") + _mismatches(workbook, "objective") + _department_mismatches(workbook)
    assert not problems, "\n".join(problems)


def test_other_done_words_score_in_the_sheet_as_in_the_engine(recalculated_all):
    """ "Hoàn thành", "Đã xong", "X", " xong " all mean done to the engine (and the rollup)."""
    workbook = recalculated_all.habits["words"]
    problems = _mismatches(workbook, "kr") + _mismatches(workbook, "objective") + _department_mismatches(workbook)
    assert not problems, "\n".join(problems)


def test_every_status_is_shown_in_both_languages(recalculated):
    """The chosen dates and values make the sheets show all five statuses, in Vietnamese and in English."""
    shown: dict[str, set[str]] = {"vi": set(), "en": set()}
    for workbook in recalculated:
        ws = _load_values(workbook.recalculated)[OKR_SHEET[workbook.language]]
        rows = _kr_rows(ws)
        shown[workbook.language] |= {ws.cell(row, COL["status"]).value for row in rows.values()}
        shown[workbook.language].add(ws.cell(*DEPT_STATUS_CELL).value)
    assert shown["vi"] == {STATUS["vi"][s] for s in Status}
    assert {STATUS["en"][s] for s in (Status.DONE, Status.NO_DATA, Status.ON_TRACK)} <= shown["en"]
    assert shown["en"] <= {STATUS["en"][s] for s in Status}
    assert any(w.language == "en" for w in recalculated)
