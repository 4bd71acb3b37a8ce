"""The nightly rollup: read every team workbook, score it, write the company summary.

Bad input never stops the rollup: each problem becomes a data issue naming
the file, sheet and cell and saying what to do, and every other department is
still scored. KRs are found by their ID, not by row position.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from okrsheets import i18n
from okrsheets.backends import open_backend
from okrsheets.backends.base import Backend, SheetData
from okrsheets.config import Config
from okrsheets.errors import BackendError, WorkbookError
from okrsheets.files import atomic_write
from okrsheets.sheets.team_workbook import COL, FIRST_ROW, META_SHEET, OKR_SHEET, read_meta
from okrsheets.core.model import ITEM_ID_RE, DepartmentPlan, PlannedKeyResult
from okrsheets.plan import QuarterPlan, build_plan
from okrsheets.core.results import DataIssue, DepartmentResult, KeyResultResult, ObjectiveResult, RollupResult
from okrsheets.core.scoring import expected_progress, gap, grade, score_key_result, status_for, today_in, weighted_mean
from okrsheets.sheets.spec import a1
from okrsheets.core.values import cell_date, read_cell_value

log = logging.getLogger("okrsheets")
# 0-based columns of what a team types on a KR row: current value, confidence, comment, last update.
_INPUTS = tuple(COL[name] - 1 for name in ("current", "confidence", "comment", "last_update"))
# The sheets a rollup reads (not the guide): the metadata and the OKR sheet, whichever its language.
_ROLLUP_SHEETS = frozenset({META_SHEET, *OKR_SHEET.values()})
STATE_NAME = ".okrsheets-state.json"

MESSAGES = {
    "vi": {
        "unreadable": ("Không đọc được tệp: {why}", "Khôi phục tệp từ bản sao lưu, hoặc chạy lại `okrsheets provision` (quản trị OKR)."),
        "missing_file": ("Không tìm thấy tệp OKR của phòng ban.", "Quản trị OKR chạy `okrsheets provision` để tạo lại tệp."),
        "no_meta": ("Thiếu trang ẩn _okrsheets: đây không phải tệp do okrsheets tạo.", "Dùng tệp do `okrsheets provision` tạo."),
        "other": ("Tệp thuộc {what} \"{found}\", không phải \"{expected}\".", "Đặt đúng tệp của quý/phòng ban này vào thư mục, hoặc chạy `okrsheets provision`."),
        "no_sheet": ("Không có trang \"{sheet}\" (đã đổi tên hoặc xóa).", "Đổi tên trang về \"{sheet}\"."),
        "missing_row": ("Không tìm thấy dòng của {id} (dòng đã bị xóa hoặc mã đã bị sửa).", "Khôi phục dòng {id} (Ctrl+Z hoặc từ bản sao lưu), hoặc nhờ quản trị OKR chạy lại `okrsheets provision --force`."),
        "duplicate": ("Mã {id} xuất hiện hai lần (dòng {first} và {second}); chỉ dòng {first} được tính.", "Xóa dòng trùng."),
        "unknown_id": ("Mã lạ {id}: mã KR không được sửa.", "Sửa lại mã như ban đầu."),
        "merged": ("Ô hiện tại của {id} bị gộp (merge) với ô khác.", "Bỏ gộp ô (Unmerge) rồi nhập lại giá trị."),
        "value": ("{issue}", "Sửa ô {cell} trong trang {sheet}."),
        "no_target": ("{id} chưa có mục tiêu/điểm bắt đầu trong cấu hình nên chưa tính điểm được.", "Quản trị OKR đặt start/target cho {id} trong tệp cấu hình rồi chạy `okrsheets provision`."),
    },
    "en": {
        "unreadable": ("Cannot read the file: {why}", "Restore the file from a backup, or have the OKR admin run `okrsheets provision`."),
        "missing_file": ("The department's OKR workbook was not found.", "The OKR admin runs `okrsheets provision` to create it again."),
        "no_meta": ("The hidden _okrsheets sheet is missing: this is not a workbook okrsheets made.", "Use the workbook `okrsheets provision` made."),
        "other": ("The workbook belongs to {what} \"{found}\", not \"{expected}\".", "Put this quarter's/department's workbook in the folder, or run `okrsheets provision`."),
        "no_sheet": ("The sheet \"{sheet}\" is missing (renamed or deleted).", "Rename the sheet back to \"{sheet}\"."),
        "missing_row": ("The row of {id} is missing (deleted, or its ID was edited).", "Restore the row of {id} (undo, or from a backup), or have the OKR admin run `okrsheets provision --force`."),
        "duplicate": ("{id} appears twice (rows {first} and {second}); only row {first} counts.", "Delete the duplicate row."),
        "unknown_id": ("Unknown ID {id}: KR IDs must not be edited.", "Change the ID back."),
        "merged": ("The current-value cell of {id} is merged with other cells.", "Unmerge the cells and type the value again."),
        "value": ("{issue}", "Fix cell {cell} on sheet {sheet}."),
        "no_target": ("{id} has no target/start in the config, so it cannot be scored.", "The OKR admin sets start/target for {id} in the config and runs `okrsheets provision`."),
    },
}


@dataclass
class _Reader:
    """Scores one department's workbook and collects its data issues."""

    config: Config
    department: DepartmentPlan
    location: str
    as_of: date
    expected: float
    state: dict

    def __post_init__(self) -> None:
        self.issues: list[DataIssue] = []
        self.lang = self.config.language
        self.readable = False

    def issue(self, key: str, sheet: str | None = None, cell: str | None = None, found: object = None, kr: str | None = None, **fields) -> None:
        problem, fix = MESSAGES[self.lang][key]
        fields = {"sheet": sheet, "cell": cell, "found": found, **fields}
        self.issues.append(
            DataIssue(self.department.key, self.location, sheet, cell, None if found is None else str(found),
                      problem.format(**fields), fix.format(**fields), kr)
        )

    def read(self, backend: Backend) -> list[_Reading]:
        """The department's KR readings in plan order; sets ``readable``, collects issues and state."""
        sheet = None
        try:
            sheet = self._okr_sheet(backend.read(self.department.key, _ROLLUP_SHEETS), backend)
        except WorkbookError as exc:
            if not backend.exists(self.department.key):
                self.issue("missing_file")
            else:
                why = i18n.UNREADABLE[self.lang].get(exc.reason) if exc.reason else None
                self.issue("unreadable", why=why or str(exc).split(": ", 1)[-1])
        rows = self._find_rows(sheet) if sheet is not None else {}
        self.readable = sheet is not None
        return [self._key_result(kr, sheet, rows.get(kr.id)) for kr in self.department.key_results]

    def unreadable(self, exc: Exception) -> list[_Reading]:
        """The readings as if the workbook were missing, after an unexpected error reading it."""
        self.issue("unreadable", why=f"{type(exc).__name__}: {exc}")
        self.readable = False
        return [self._key_result(kr, None, None) for kr in self.department.key_results]

    def _okr_sheet(self, data, backend: Backend) -> SheetData | None:
        meta_sheet = data.sheets.get(META_SHEET)
        if meta_sheet is None:
            self.issue("no_meta")
            return None
        meta = read_meta(meta_sheet.rows)
        checks = (
            ("quarter", self.config.quarter.name, "quý" if self.lang == "vi" else "quarter"),
            ("department_key", self.department.key, "phòng ban" if self.lang == "vi" else "department"),
            ("template_key", self.department.template_key, "mẫu OKR" if self.lang == "vi" else "template set"),
        )
        for key, expected, what in checks:
            if meta.get(key) != expected:
                self.issue("other", sheet=META_SHEET, found=meta.get(key), what=what, expected=expected)
                return None
        title = meta.get("okr_sheet") or OKR_SHEET[self.lang]
        if title not in _ROLLUP_SHEETS:  # a layout with another sheet title: read that sheet too
            data = backend.read(self.department.key, {title})
        sheet = data.sheets.get(title)
        if sheet is None:
            self.issue("no_sheet", sheet=title)
        return sheet

    def _find_rows(self, sheet: SheetData) -> dict[str, int]:
        planned = {kr.id for kr in self.department.key_results} | {o.id for o in self.department.objectives}
        rows: dict[str, int] = {}
        id_column = [row[COL["id"] - 1] if len(row) >= COL["id"] else None for row in sheet.rows]
        codes = [row[COL["code"] - 1] if len(row) >= COL["code"] else None for row in sheet.rows]
        for index in range(FIRST_ROW - 1, len(sheet.rows)):
            value, code = id_column[index], codes[index]
            if not isinstance(value, str) or code == "archived":
                continue
            item_id = value.strip()
            if item_id in rows:
                self.issue("duplicate", sheet=sheet.title, cell=f"A{index + 1}", found=item_id, kr=item_id,
                           id=item_id, first=rows[item_id], second=index + 1)
            elif item_id in planned:
                rows[item_id] = index + 1
            elif ITEM_ID_RE.match(item_id):
                self.issue("unknown_id", sheet=sheet.title, cell=f"A{index + 1}", found=item_id, id=item_id)
        return rows

    def _key_result(self, kr: PlannedKeyResult, sheet: SheetData | None, row: int | None) -> _Reading:
        raw = confidence = comment = last_update = value = None
        if sheet is not None and row is None:
            self.issue("missing_row", sheet=sheet.title, kr=kr.id, id=kr.id)
        elif sheet is not None:
            cells = sheet.rows[row - 1]
            raw, confidence, comment, last_update = (cells[i] if i < len(cells) else None for i in _INPUTS)
            confidence, comment, last_update = _text(confidence), _text(comment), cell_date(last_update)
            if sheet.merged_at(row, COL["current"]):
                self.issue("merged", sheet=sheet.title, cell=a1(row, COL["current"]), found=raw, kr=kr.id, id=kr.id)
            else:
                reading = read_cell_value(raw, kr.unit, self.config.locale, percent_formatted=kr.unit == "percent")
                if reading.issue:
                    self.issue("value", sheet=sheet.title, cell=a1(row, COL["current"]), found=raw, kr=kr.id,
                               issue=f"{kr.id}: {reading.issue}")
                value = reading.value
        scorable = kr.kind == "milestone" or (kr.target is not None and (kr.kind in ("at_least", "at_most") or kr.start is not None))
        if not scorable:
            self.issue("no_target", kr=kr.id, id=kr.id)
            value = None
        score = score_key_result(kr.kind, kr.start, kr.target, value) if scorable else 0.0
        status = status_for(score, self.expected, value is not None, self.config.scoring)
        return (value, _text(raw), score, status.value, confidence, comment, last_update,
                self._last_check_in(kr.id, value, last_update))

    def _last_check_in(self, kr_id: str, value: float | None, last_update: date | None) -> date | None:
        """The later of the typed update date and the last night the value changed (kept in the state file)."""
        seen = self.state.setdefault(self.department.key, {}).get(kr_id)
        if not isinstance(seen, dict):  # none yet, or a hand-edited state file: start this KR afresh
            seen = None
        changed = _iso_date(seen.get("changed")) if seen else None
        if value is not None and (seen is None or seen.get("value") != value):
            changed = self.as_of
        self.state[self.department.key][kr_id] = {"value": value, "changed": changed.isoformat() if changed else None}
        dates = [d for d in (changed, last_update) if d is not None]
        return max(dates) if dates else None


# What a reader finds for one KR, in this order: current value, raw cell text, score, status,
# confidence, comment, last update typed, last check-in. A plain tuple: worker processes send
# 14,000 of these back to the main process, where _assemble adds what the plan already knows.
_Reading = tuple[float | None, str | None, float, str, str | None, str | None, date | None, date | None]


def _assemble(department: DepartmentPlan, location: str, readings: list[_Reading], readable: bool, job: _Job) -> DepartmentResult:
    """The department's result from its plan and its KR readings: KR, objective and department scores."""
    settings, expected, key = job.config.scoring, job.expected, department.key
    key_results = [
        KeyResultResult(
            department=key, objective_id=kr.objective_id, id=kr.id, text=kr.text, kind=kr.kind, unit=kr.unit,
            start=kr.start, target=kr.target, current=current, raw=raw, score=score, status=status,
            expected=expected, gap=gap(score, expected), weight=kr.weight, confidence=confidence, comment=comment,
            last_update=last_update, last_check_in=last_check_in,
        )
        for kr, (current, raw, score, status, confidence, comment, last_update, last_check_in)
        in zip(department.key_results, readings)
    ]
    objectives = []
    for objective in department.objectives:
        krs = [kr for kr in key_results if kr.objective_id == objective.id]
        score = weighted_mean((kr.score, kr.weight) for kr in krs)
        has_data = any(kr.current is not None for kr in krs)
        objectives.append(
            ObjectiveResult(key, objective.id, objective.text, objective.weight, score,
                            str(grade(score, settings)), str(status_for(score, expected, has_data, settings)))
        )
    score = weighted_mean((o.score, o.weight) for o in objectives)
    has_data = any(kr.current is not None for kr in key_results)
    return DepartmentResult(
        key=key, name=department.name, owners=department.owners, weight=department.weight, score=score,
        grade=str(grade(score, settings)), status=str(status_for(score, expected, has_data, settings)),
        objectives=tuple(objectives), key_results=tuple(key_results), source=location, readable=readable,
    )


def _iso_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def score_quarter(plan: QuarterPlan, backend: Backend, as_of: date, state: dict | None = None,
                  progress: Callable[[int, int], None] | None = None, workers: int | None = None) -> RollupResult:
    """Read and score every department (no writing): the pure heart of the rollup.

    With ``workers`` > 1 (default: one per usable CPU, see `rollup_workers`)
    and a backend that allows it, departments are read in forked worker
    processes; the result is the same as a serial run, in plan order.
    """
    config = plan.config
    q = config.quarter
    job = _Job(config, as_of, expected_progress(q.start, q.end, as_of), {} if state is None else state)
    workers = rollup_workers(len(plan.departments), backend) if workers is None else workers
    departments, issues = [], []
    scored = _score_departments(plan, backend, job, workers, progress)
    for department, (readings, readable, department_issues, department_state) in zip(plan.departments, scored):
        departments.append(_assemble(department, backend.location(department.key), readings, readable, job))
        issues.extend(department_issues)
        job.state[department.key] = department_state
    score = weighted_mean((d.score, d.weight) for d in departments)
    has_data = any(kr.current is not None for d in departments for kr in d.key_results)
    return RollupResult(
        company=config.company, quarter=q.name, language=config.language, as_of=as_of, expected=job.expected,
        score=score, grade=str(grade(score, config.scoring)),
        status=str(status_for(score, job.expected, has_data, config.scoring)),
        departments=tuple(departments), issues=tuple(issues),
    )


@dataclass(frozen=True)
class _Job:
    config: Config
    as_of: date
    expected: float
    state: dict


_Scored = tuple[list[_Reading], bool, list[DataIssue], dict]  # readings, readable, data issues, check-in state
# Departments per worker task: large enough that pickling stays a small share, small enough to balance.
_CHUNK = 25
# Below this many departments starting worker processes costs about what it saves
# (measured: at 100 departments one process and two take the same time; at 1,000 two save 0.3-0.5 s).
PARALLEL_FROM = 100


def rollup_workers(departments: int, backend: Backend) -> int:
    """How many processes read team workbooks: ``$OKRSHEETS_WORKERS``, else one per usable CPU (at most 8).

    1 (serial) for small companies, for backends that must not be read from
    forked processes (the Google backend shares one HTTP session and quota), and
    off Linux: Windows cannot fork, and on macOS a forked child may crash in
    system frameworks the parent used.
    """
    if not getattr(backend, "parallel_reads", False) or departments < PARALLEL_FROM or not sys.platform.startswith("linux"):
        return 1
    configured = os.environ.get("OKRSHEETS_WORKERS", "").strip()
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            log.warning("ignoring OKRSHEETS_WORKERS=%r: not a whole number", configured)
    return max(1, min(len(os.sched_getaffinity(0)), 8))  # the CPUs this process may run on (cgroups, taskset)


def _score_departments(plan: QuarterPlan, backend: Backend, job: _Job, workers: int,
                       progress: Callable[[int, int], None] | None) -> Iterator[_Scored]:
    """Every department scored, in plan order: in this process, or in forked workers."""
    total = len(plan.departments)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():  # workers > 1 given off Linux
        for index, department in enumerate(plan.departments, start=1):
            scored = _score_department(department, backend, job)
            if progress:
                progress(index, total)
            yield scored
        return
    size = max(1, min(_CHUNK, total // (workers * 4)))  # a few chunks per worker, so none waits long for another
    chunks = [range(i, min(i + size, total)) for i in range(0, total, size)]
    done = 0
    global _FORKED
    _FORKED = (plan, backend, job)  # what forked workers inherit: nothing is pickled on the way in
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for chunk, scored in zip(chunks, pool.map(_score_chunk, chunks)):
                if progress:
                    progress(done + len(chunk), total)
                yield from scored
                done += len(chunk)
    except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory) or could not send its result
        why = "a rollup worker process died" if isinstance(exc, BrokenProcessPool) else f"a rollup worker failed ({exc!r})"
        log.warning("%s; reading the remaining %d workbooks in this process", why, total - done)
        for index in range(done, total):
            scored = _score_department(plan.departments[index], backend, job)
            if progress:
                progress(index + 1, total)
            yield scored
    finally:
        _FORKED = None


_FORKED: tuple[QuarterPlan, Backend, _Job] | None = None


def _score_chunk(indexes: range) -> list[_Scored]:
    """In a forked worker: score the departments at ``indexes`` of the inherited plan."""
    plan, backend, job = _FORKED
    return [_score_department(plan.departments[i], backend, job) for i in indexes]


def _score_department(department: DepartmentPlan, backend: Backend, job: _Job) -> _Scored:
    """One department's KR readings, whether its workbook was readable, its data issues and check-in state.

    Never raises: an unexpected error reads as an unreadable workbook.
    """
    previous = job.state.get(department.key)
    reader = _Reader(job.config, department, backend.location(department.key), job.as_of, job.expected,
                     {department.key: dict(previous) if isinstance(previous, dict) else {}})
    try:
        readings = reader.read(backend)
    except Exception as exc:  # noqa: BLE001 - one bad workbook must never stop the others
        log.exception("unexpected error reading %s", reader.location)
        readings = reader.unreadable(exc)
    return readings, reader.readable, reader.issues, reader.state[department.key]


def run_rollup(config: Config, as_of: date | None = None, progress: Callable[[int, int], None] | None = None,
               backend: Backend | None = None) -> RollupResult:
    """Score the quarter and write the company summary; raises OkrsheetsError when nothing could be written."""
    from dataclasses import replace

    from okrsheets.backends.excel_summary import SUMMARY_NAME, write_summary

    started = datetime.now(config.tz)
    plan = build_plan(config)
    backend = backend or open_backend(config)
    as_of = as_of or today_in(config.timezone)
    folder = config.quarter_folder
    state_path = folder / STATE_NAME
    state = _load_state(state_path)
    result = score_quarter(plan, backend, as_of, state, progress)
    summary = folder / SUMMARY_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_summary(result, summary, config.scoring, config.email.stale_after_days)
        atomic_write(state_path, lambda p: p.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8"))
    except PermissionError as exc:
        raise BackendError(f"cannot write to {exc.filename or folder}: permission denied; check the folder's permissions") from exc
    except OSError as exc:
        raise BackendError(f"cannot write the summary in {folder}: {exc.strerror or exc}") from exc
    return replace(result, summary_path=str(summary), started_at=started, finished_at=datetime.now(config.tz))


def _load_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable rollup state %s (%s); check-in dates restart from today", path, exc)
        return {}
    if not isinstance(state, dict):
        log.warning("ignoring rollup state %s: not a JSON object; check-in dates restart from today", path)
        return {}
    return state
