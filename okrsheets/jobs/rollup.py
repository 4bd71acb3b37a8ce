"""The nightly rollup: read every team workbook, score it, write the company summary.

Bad input never stops the rollup: each problem becomes a data issue naming
the file, sheet and cell and saying what to do, and every other department is
still scored. KRs are found by their ID, not by row position.
"""

from __future__ import annotations

import ctypes
import functools
import json
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from okrsheets import i18n
from okrsheets.backends import open_backend
from okrsheets.backends.base import Backend, SheetData, SummaryPreview
from okrsheets.collector import collector_as_it_was, collector_paused
from okrsheets.config import Config
from okrsheets.core.alignment import with_company_objectives
from okrsheets.core.model import DepartmentPlan, PlannedKeyResult
from okrsheets.core.results import DataIssue, DepartmentResult, KeyResultResult, ObjectiveResult, RollupResult
from okrsheets.core.scoring import expected_progress, gap, grade, score_key_result, status_for, today_in, weighted_mean
from okrsheets.core.values import CellReading, DateReading, comment_issue, read_cell_value, read_confidence, read_update_date
from okrsheets.errors import BackendError, NothingReadError, WorkbookError
from okrsheets.files import atomic_write, check_folder, describe_os_error, remove_stale_temps
from okrsheets.jobs.readings import DepartmentReading, KeyResultReading, ReadingsStore, kept_update, reading_fingerprint
from okrsheets.plan import QuarterPlan, build_plan
from okrsheets.sheets.spec import a1
from okrsheets.sheets.structure import MESSAGES as STRUCTURE_MESSAGES
from okrsheets.sheets.structure import WorkbookStructure, check_structure, okr_sheet_title
from okrsheets.sheets.team_workbook import META_SHEET, OKR_SHEET, read_meta

log = logging.getLogger("okrsheets")
# The sheets a rollup reads (not the guide): the metadata and the OKR sheet, whichever its language.
_ROLLUP_SHEETS = frozenset({META_SHEET, *OKR_SHEET.values()})
STATE_NAME = ".okrsheets-state.json"
# A last-update cell holding a bare number is read as a date serial only from this long before the quarter.
_SERIAL_DATES_FROM = timedelta(days=366)

MESSAGES = {
    "vi": {
        **STRUCTURE_MESSAGES["vi"],
        "unreadable": ("Không đọc được tệp: {why}", "{fix}"),
        "unexpected": ("Không đọc được tệp vì một lỗi không lường trước khi đọc.",
                       "Báo cho quản trị OKR (chi tiết nằm trong nhật ký của okrsheets); nếu tệp vừa bị sửa, thử khôi phục từ bản sao lưu."),
        "missing_file": ("Không tìm thấy tệp OKR của phòng ban.", "Quản trị OKR chạy `okrsheets provision` để tạo lại tệp."),
        "renamed": ("Không thấy tệp \"{expected}\", nhưng trong thư mục có: {found}.",
                    "Nếu đó là tệp OKR của phòng ban, đổi tên nó thành \"{expected}\" (và lưu lại dạng Excel .xlsx nếu nó ở định dạng khác); nếu không, quản trị OKR chạy `okrsheets provision` để tạo lại tệp."),
        "not_provisioned": ("{id} có trong kế hoạch nhưng chưa có dòng trong tệp (tệp được tạo trước khi kế hoạch thay đổi).", "Quản trị OKR chạy `okrsheets provision` để thêm {id} vào tệp."),
        "merged": ("Ô hiện tại của {id} bị gộp (merge) với ô khác.", "Bỏ gộp ô (Unmerge) rồi nhập lại giá trị."),
        "value": ("{issue}", "Sửa ô {cell} trong trang {sheet}."),
        "no_result": ("{id}: ô {cell} chứa công thức chưa có kết quả được lưu (tệp được ghi bằng một chương trình khác và chưa từng được mở, tính và lưu bằng Excel hay LibreOffice), nên không đọc được giá trị.",
                      "Mở tệp bằng Excel hoặc LibreOffice rồi lưu lại (Ctrl+S); hoặc nhập thẳng giá trị thay cho công thức."),
        "no_target": ("{id} chưa có chỉ tiêu/mức bắt đầu trong cấu hình nên chưa tính điểm được.", "Quản trị OKR đặt start/target cho {id} trong tệp cấu hình rồi chạy `okrsheets provision`."),
    },
    "en": {
        **STRUCTURE_MESSAGES["en"],
        "unreadable": ("Cannot read the file: {why}", "{fix}"),
        "unexpected": ("Cannot read the file: an unexpected error happened while reading it.",
                       "Tell the OKR admin (the details are in okrsheets' log); if the file was just edited, try restoring it from a backup."),
        "missing_file": ("The department's OKR workbook was not found.", "The OKR admin runs `okrsheets provision` to create it again."),
        "renamed": ("There is no \"{expected}\", but the folder has: {found}.",
                    "If that is the department's OKR workbook, rename it to \"{expected}\" (and save it as an Excel .xlsx if it is in another format); if not, the OKR admin runs `okrsheets provision` to create it again."),
        "not_provisioned": ("{id} is in the plan but has no row in the workbook (made before the plan changed).", "The OKR admin runs `okrsheets provision` to add {id} to the workbook."),
        "merged": ("The current-value cell of {id} is merged with other cells.", "Unmerge the cells and type the value again."),
        "value": ("{issue}", "Fix cell {cell} on sheet {sheet}."),
        "no_result": ("{id}: cell {cell} holds a formula with no saved result (the file was written by another program and never opened, calculated and saved in Excel or LibreOffice), so its value cannot be read.",
                      "Open the file in Excel or LibreOffice and save it (Ctrl+S); or type the value itself instead of a formula."),
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
        self.columns: dict[str, int] = {}  # where each column of the OKR sheet was found
        self.typed_updates: list[str | float | None] = []  # each KR's last-update cell as the store keeps it
        self._kr_id = ""  # the KR being read, for issues about its cells
        self._no_result_rows: set[int] = set()  # the rows with a team cell that is a formula saved without its result
        self._earliest = self.config.quarter.start - _SERIAL_DATES_FROM  # a bare number in a last-update cell: see read_update_date

    def issue(self, key: str, sheet: str | None = None, cell: object = None, found: object = None, kr: str | None = None, **fields) -> None:
        problem, fix = MESSAGES[self.lang][key]
        cell = None if cell is None else str(cell)
        fields = {"sheet": sheet, "cell": cell, "found": found, **fields}
        self.issues.append(
            DataIssue(self.department.key, self.location, sheet, cell, None if found is None else str(found),
                      problem.format(**fields), fix.format(**fields), kr)
        )

    def read(self, backend: Backend) -> list[_Reading]:
        """The department's KR readings in plan order; sets ``readable``, collects issues and state."""
        structure = None
        try:
            structure = self._structure(backend)
        except WorkbookError as exc:
            self._unreadable(exc, backend)
        sheet = structure.sheet if structure is not None and structure.readable else None
        rows = structure.rows if structure is not None and sheet is not None else {}
        known = set(structure.meta.get("ids", "").split()) if structure is not None else set()
        self.columns = structure.columns if structure is not None and sheet is not None else {}
        self.readable = sheet is not None
        details = sheet.details if sheet is not None else None
        team = {self.columns.get(name) for name in _TEAM_CELLS}
        self._no_result_rows = {row for row, column in details.no_result if column in team} if details is not None else set()
        readings = []
        for kr in self.department.key_results:
            if sheet is not None and kr.id not in rows and kr.id not in known:  # (a row provisioning wrote: reported above)
                self.issue("not_provisioned" if known else "missing_row", sheet=sheet.title, kr=kr.id, id=kr.id)
            readings.append(self._key_result(kr, sheet, rows.get(kr.id)))
        return readings

    def _structure(self, backend: Backend) -> WorkbookStructure:
        """The workbook's structure checked (the OKR sheet read too); every problem becomes an issue."""
        data = backend.read(self.department.key, _ROLLUP_SHEETS)
        meta_sheet = data.sheets.get(META_SHEET)
        if meta_sheet is not None:
            title = okr_sheet_title(read_meta(meta_sheet.rows), self.lang)
            if title not in data.sheets and title not in _ROLLUP_SHEETS:  # a layout with another sheet title
                data = backend.read(self.department.key, {META_SHEET, title})
        planned = [o.id for o in self.department.objectives] + [kr.id for kr in self.department.key_results]
        structure = check_structure(data, self.config.quarter.name, self.department.key, self.department.template_key,
                                    self.lang, planned)
        title = structure.sheet.title if structure.sheet is not None else okr_sheet_title(structure.meta, self.lang)
        for problem in structure.problems:
            where = None if problem.key == "no_meta" else META_SHEET if problem.key == "other" else title
            words, fix = problem.words(self.lang)
            self.issues.append(DataIssue(self.department.key, self.location, where, problem.cell,
                                         None if problem.found is None else str(problem.found), words, fix, problem.kr))
        return structure

    def _unreadable(self, exc: WorkbookError, backend: Backend) -> None:
        """The issue for a workbook that cannot be opened, in the team's language only."""
        reason = exc.reason
        fix = getattr(exc, "fix", None)
        if fix:  # a backend that words the problem itself, in the config's language (Google: who to share with)
            self.issue("unreadable", why=str(exc), fix=fix)
            return
        if reason == "missing" or (reason is None and not backend.exists(self.department.key)):
            near_misses = getattr(backend, "near_misses", None)
            found = near_misses(self.department.key) if near_misses else []
            if found:
                expected = self.location.replace("\\", "/").rsplit("/", 1)[-1]
                self.issue("renamed", found=", ".join(f'"{name}"' for name in found), expected=expected)
            else:
                self.issue("missing_file")
            return
        why = i18n.UNREADABLE[self.lang].get(reason or "damaged", i18n.UNREADABLE[self.lang]["damaged"])
        fix = i18n.UNREADABLE_FIX[self.lang].get(reason or "damaged", i18n.UNREADABLE_FIX[self.lang]["damaged"])
        self.issue("unreadable", why=why, fix=fix)

    def unreadable(self, exc: Exception) -> list[_Reading]:
        """The readings as if the workbook were missing, after an unexpected error reading it (logged by the caller)."""
        self.issue("unexpected")
        self.readable = False
        self.typed_updates = []
        return [self._key_result(kr, None, None) for kr in self.department.key_results]

    def _cell(self, sheet: SheetData, cells: Sequence[object], row: int, name: str) -> tuple[object, _Ref | str | None]:
        """A team cell's value and A1 reference (None, None when its column was not found); ``cells`` the row's values.

        A formula saved without its result reads as empty, with an issue saying to open and save the file.
        """
        column = self.columns.get(name)
        if column is None:
            return None, None
        details = sheet.details
        if details is not None and (row, column) in details.no_result:
            ref = a1(row, column)
            self.issue("no_result", sheet=sheet.title, cell=ref, found="=" + details.formulas.get((row, column), ""),
                       kr=self._kr_id, id=self._kr_id)
            return None, ref
        return cells[column - 1] if 0 < column <= len(cells) else None, _Ref(row, column)  # (as sheet.value reads it)

    def _key_result(self, kr: PlannedKeyResult, sheet: SheetData | None, row: int | None) -> _Reading:
        raw = confidence = comment = last_update = value = typed_update = None
        self._kr_id = kr.id
        if sheet is not None and row is not None:
            locale, title = self.config.locale, sheet.title
            cells = sheet.rows[row - 1] if 0 < row <= len(sheet.rows) else ()
            if row in self._no_result_rows:  # a team cell of this row a formula saved without its result: see _cell
                raw, cell = self._cell(sheet, cells, row, "current")
                typed_confidence, confidence_cell = self._cell(sheet, cells, row, "confidence")
                typed_comment, comment_cell = self._cell(sheet, cells, row, "comment")
                typed_update, update_cell = self._cell(sheet, cells, row, "last_update")
            else:  # (what _cell reads, without its per-cell call: most workbooks)
                width = len(cells)
                (raw, cell), (typed_confidence, confidence_cell), (typed_comment, comment_cell), (typed_update, update_cell) = [
                    (None, None) if column is None else (cells[column - 1] if 0 < column <= width else None, _Ref(row, column))
                    for column in map(self.columns.get, _TEAM_CELLS)]
            comment = _text(typed_comment)
            typed_reading = read_confidence(typed_confidence, locale)
            update_reading = read_update_date(typed_update, locale, self.as_of, self._earliest)
            checks: list[tuple[CellReading | DateReading, object, _Ref | str | None]] = [
                (typed_reading, typed_confidence, confidence_cell), (update_reading, typed_update, update_cell)]
            confidence = None if typed_reading.value is None else int(typed_reading.value)
            last_update = update_reading.value
            long_comment = comment_issue(comment, locale)
            if long_comment and comment is not None:  # (comment_issue finds none in no comment)
                checks.append((CellReading(None, long_comment), comment[:40] + "…", comment_cell))
            for reading, found, ref in checks:
                if reading.issue:
                    self.issue("value", sheet=title, cell=ref, found=found, kr=kr.id, issue=f"{kr.id}: {reading.issue}")
            if sheet.merged_at(row, self.columns["current"]):
                self.issue("merged", sheet=title, cell=cell, found=raw, kr=kr.id, id=kr.id)
            else:
                details = sheet.details
                # (read_cell_value looks at a cell's percent format for percent KRs only: no other needs it looked up)
                percent = kr.unit == "percent" and (details.format_kind(row, self.columns["current"]) == "percent"
                                                    if details is not None else True)  # a backend that cannot tell: the format provisioning gave it
                reading = read_cell_value(raw, kr.unit, locale, percent_formatted=percent)
                if reading.issue:
                    self.issue("value", sheet=title, cell=cell, found=raw, kr=kr.id, issue=f"{kr.id}: {reading.issue}")
                value = reading.value
        self.typed_updates.append(kept_update(typed_update))
        scorable = kr.is_scorable
        if not scorable:
            self.issue("no_target", kr=kr.id, id=kr.id)
            value = None
        score = score_key_result(kr.kind, kr.start, kr.target, value) if scorable else 0.0
        status = status_for(score, self.expected, value is not None, self.config.scoring)
        return (value, _text(raw), score, status.value, confidence, comment, last_update,
                self._last_check_in(kr.id, value, last_update))

    def _last_check_in(self, kr_id: str, value: float | None, last_update: date | None) -> date | None:
        """The later of the typed update date and the last night the value changed (kept in the state file)."""
        department_state = self.state.setdefault(self.department.key, {})
        seen = department_state.get(kr_id)
        if not isinstance(seen, dict):  # none yet, or a hand-edited state file: start this KR afresh
            seen = None
        changed = _iso_date(seen.get("changed")) if seen else None
        if value is not None and (seen is None or seen.get("value") != value):
            changed = self.as_of
        department_state[kr_id] = {"value": value, "changed": _iso_text(changed) if changed else None}
        if changed is None or (last_update is not None and last_update > changed):  # the later of the two (max)
            return last_update
        return changed


_TEAM_CELLS = ("current", "confidence", "comment", "last_update")  # the cells of a KR row its team types, as _key_result reads them


class _Ref:
    """A cell's A1 reference, spelled out only when an issue quotes it (most cells have none)."""

    __slots__ = ("row", "column")

    def __init__(self, row: int, column: int):
        self.row, self.column = row, column

    def __str__(self) -> str:
        return a1(self.row, self.column)


# What a reader finds for one KR, in this order: current value, raw cell text, score, status,
# confidence, comment, last update typed, last check-in. A plain tuple: worker processes send
# 14,000 of these back to the main process, where _assemble adds what the plan already knows.
_Reading = tuple[float | None, str | None, float, str, int | None, str | None, date | None, date | None]


def _assemble(department: DepartmentPlan, location: str, readings: list[_Reading], readable: bool, job: _Job,
              read_on: date | None = None) -> DepartmentResult:
    """The department's result from its plan and its KR readings: KR, objective and department scores."""
    settings, expected, key = job.config.scoring, job.expected, department.key
    key_results = []
    by_objective: dict[str, list[KeyResultResult]] = {}  # the KRs of each objective ID, in plan order
    for kr, (current, raw, score, status, confidence, comment, last_update, last_check_in) in zip(
            department.key_results, readings):
        result = KeyResultResult(key, kr.objective_id, kr.id, kr.text, kr.kind, kr.unit, kr.start, kr.target, current,
                                 raw, score, status, expected, gap(score, expected), kr.weight, confidence, comment,
                                 last_update, last_check_in, kr.owner)
        key_results.append(result)
        krs = by_objective.get(kr.objective_id)
        if krs is None:
            by_objective[kr.objective_id] = [result]
        else:
            krs.append(result)
    objectives = []
    for objective in department.objectives:
        krs = by_objective.get(objective.id, [])
        score = weighted_mean([(kr.score, kr.weight) for kr in krs])
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
        read_on=read_on,
    )


def _iso_date(value: object) -> date | None:
    return _iso_day(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=1024)  # the state file's dates: a few dozen days, on every KR
def _iso_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@functools.lru_cache(maxsize=1024)
def _iso_text(day: date) -> str:
    return day.isoformat()


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def score_quarter(plan: QuarterPlan, backend: Backend, as_of: date, state: dict | None = None,
                  progress: Callable[[int, int], None] | None = None, workers: int | None = None,
                  readings: ReadingsStore | None = None, full: bool = False) -> RollupResult:
    """Read and score every department (no writing): the pure heart of the rollup.

    With ``workers`` > 1 (default: one per usable CPU, see `rollup_workers`)
    and a backend that allows it, departments are read in forked worker
    processes; the result is the same as a serial run, in plan order.

    With a ``readings`` store, each department read tonight has its reading
    stored, and a department that cannot be read tonight is scored from its
    last stored reading (against tonight's pace), marked with the date it was
    read and a data issue. A department never read has no score and is left
    out of the company score; it is never counted as 0.

    With a store and not ``full``, a workbook whose version token (see
    ``Backend.version``) and reading fingerprint are those of its stored
    reading is not opened: its stored reading is scored with tonight's pace
    and check-in state, with the data issues it had, exactly as reading it
    again would (`_unchanged`). ``progress`` counts the workbooks opened.
    """
    with collector_paused() as collecting:  # (okrsheets/collector.py)
        return _score_quarter(plan, backend, as_of, state, progress, workers, readings, full, collecting)


def _score_quarter(plan: QuarterPlan, backend: Backend, as_of: date, state: dict | None,
                   progress: Callable[[int, int], None] | None, workers: int | None, readings: ReadingsStore | None,
                   full: bool, collecting: bool) -> RollupResult:
    """`score_quarter`, called with Python's cyclic garbage collector paused; ``collecting``: whether it was on.

    Scoring makes some 100,000 objects (stored readings, results) and no
    reference cycles: the collector would only walk them, and the config and
    plan, again and again (0.05 to 0.15 s of CPU on a night of 1,000 unchanged
    workbooks); reference counting still frees them. It is on as it was while a
    workbook is read (in this process, or by the worker processes forked when
    `_score_departments` is first asked for a department).
    """
    config = plan.config
    q = config.quarter
    job = _Job(config, as_of, expected_progress(q.start, q.end, as_of), {} if state is None else state)
    locations = {department.key: backend.location(department.key) for department in plan.departments}
    versions: dict[str, str | None] = {}
    fingerprints: dict[str, str] = {}
    reused: dict[str, DepartmentReading] = {}
    if readings is not None:  # decided before any worker is forked: workers only get the workbooks to open
        version = getattr(backend, "version", None)  # optional in the Backend protocol
        for department in plan.departments:
            key = department.key
            versions[key] = version(key) if version is not None else None
            fingerprints[key] = reading_fingerprint(config, department, backend.name, locations[key])
            stored = None if full else readings.get(key)
            if stored is not None and _unchanged(stored, versions[key], fingerprints[key], job):
                reused[key] = stored
    to_read = [department for department in plan.departments if department.key not in reused]
    if reused:  # (debug: every line the log and stderr show is in the config's language)
        log.debug("%d of %d workbooks unchanged since their last reading: not opened", len(reused), len(plan.departments))
    workers = rollup_workers(len(to_read), backend) if workers is None else workers
    scored = _score_departments(to_read, backend, job, workers, progress)
    departments, issues = [], []
    for department in plan.departments:
        location = locations[department.key]
        stored = reused.get(department.key)
        if stored is not None:
            krs, readable, department_issues, department_state, typed_updates = _reuse(department, stored, location, job)
        else:
            with collector_as_it_was(collecting):  # a workbook read here, or the workers forked to read them
                krs, readable, department_issues, department_state, typed_updates = next(scored)
        read_on: date | None = as_of
        if readable:
            job.state[department.key] = department_state
            if readings is not None:
                readings.put(department.key, _stored_reading(department, krs, department_issues, as_of, typed_updates,
                                                             versions[department.key], fingerprints[department.key]))
        else:  # the check-in state stays as it was: tonight says nothing about the values
            stored = readings.get(department.key) if readings is not None else None
            read_on = stored.read_on if stored is not None else None
            if stored is not None:
                krs = _from_stored_reading(department, stored, job)
            if readings is not None:  # without a store, whether it was ever read is not known
                department_issues = [*department_issues, _not_read_issue(config, department, location, read_on)]
        departments.append(_assemble(department, location, krs, readable, job, read_on))
        issues.extend(department_issues)
    scored.close()  # every workbook to open was read: the worker pool, if any, is shut down
    counted = [d for d in departments if d.has_reading]
    score = weighted_mean((d.score, d.weight) for d in counted)
    has_data = any(kr.current is not None for d in counted for kr in d.key_results)
    return RollupResult(
        company=config.company, quarter=q.name, language=config.language, as_of=as_of, expected=job.expected,
        score=score, grade=str(grade(score, config.scoring)),
        status=str(status_for(score, job.expected, has_data, config.scoring)),
        departments=tuple(departments), issues=tuple(issues),
    )


def _unchanged(stored: DepartmentReading, version: str | None, fingerprint: str, job: _Job) -> bool:
    """Whether reading the workbook tonight would give exactly its stored reading, so it need not be opened.

    The workbook has the version token it had (the backend can tell), the
    reading's fingerprint is tonight's (same okrsheets, layout, plan and
    settings), and every last-update cell reads tonight as it did on the night
    it was read: "24 tháng 11" without a year, a date after tomorrow or a bare
    number can read differently on another day, with another data issue.
    """
    if version is None or stored.version != version or stored.fingerprint != fingerprint:
        return False
    if stored.read_on == job.as_of:
        return True
    locale, earliest = job.config.locale, job.config.quarter.start - _SERIAL_DATES_FROM
    return all(_reads_alike(kr.typed_update, locale, earliest, stored.read_on, job.as_of)
               for kr in stored.key_results.values() if kr.typed_update is not None)


@functools.lru_cache(maxsize=4096, typed=True)  # a company's update cells hold a few dozen distinct dates
def _reads_alike(typed: str | float, locale: str, earliest: date, day: date, other_day: date) -> bool:
    return read_update_date(typed, locale, day, earliest) == read_update_date(typed, locale, other_day, earliest)


def _reuse(department: DepartmentPlan, stored: DepartmentReading, location: str, job: _Job) -> _Scored:
    """An unchanged workbook's stored reading as tonight's reading of it (see `_unchanged`).

    Scored with tonight's pace; each KR's last check-in comes from the check-in
    state as a reading would set it (the values did not change, so neither does
    the state); the data issues are the stored ones, still true of the file.
    """
    previous = job.state.get(department.key)
    reader = _Reader(job.config, department, location, job.as_of, job.expected,
                     {department.key: dict(previous) if isinstance(previous, dict) else {}})
    planned = department.key_results
    krs = [(*reading[:7], reader._last_check_in(kr.id, reading[0], reading[6]))
           for kr, reading in zip(planned, _from_stored_reading(department, stored, job))]
    stored_krs = stored.key_results
    typed_updates = [found.typed_update if (found := stored_krs.get(kr.id)) else None for kr in planned]
    return krs, True, list(stored.issues), reader.state[department.key], typed_updates


def _stored_reading(department: DepartmentPlan, krs: list[_Reading], issues: list[DataIssue], as_of: date,
                    typed_updates: list[str | float | None], version: str | None, fingerprint: str | None) -> DepartmentReading:
    """What tonight's reading of a department keeps: for the nights its workbook cannot be read or is unchanged."""
    return DepartmentReading(as_of, {
        kr.id: KeyResultReading(current, raw, confidence, comment, last_update, last_check_in, typed_update)
        for kr, (current, raw, _score, _status, confidence, comment, last_update, last_check_in), typed_update
        in zip(department.key_results, krs, typed_updates)
    }, version=version, issues=tuple(issues), fingerprint=fingerprint)


def _from_stored_reading(department: DepartmentPlan, stored: DepartmentReading, job: _Job) -> list[_Reading]:
    """The KR readings of a stored reading, scored again with today's plan and pace."""
    krs = []
    stored_krs, expected, settings, nothing = stored.key_results, job.expected, job.config.scoring, KeyResultReading()
    for kr in department.key_results:
        found = stored_krs.get(kr.id) or nothing
        if kr.is_scorable:
            value = found.current
            score = score_key_result(kr.kind, kr.start, kr.target, value)
        else:
            value, score = None, 0.0
        status = status_for(score, expected, value is not None, settings)
        krs.append((value, found.raw, score, status.value, found.confidence, found.comment, found.last_update,
                    found.last_check_in))
    return krs


_NIGHT_MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "vi": {
        "stale": ("Đêm nay không đọc được tệp; bảng tổng hợp dùng số liệu đọc ngày {day}, điểm được tính lại theo tiến độ hôm nay.",
                  "Sửa tệp theo vấn đề bên trên; đêm sau tệp sẽ được đọc lại."),
        "never_read": ("Chưa đọc được tệp lần nào: phòng ban chưa có điểm và không được tính vào điểm công ty.",
                       "Sửa tệp theo vấn đề bên trên, hoặc chạy `okrsheets provision` nếu tệp chưa được tạo."),
    },
    "en": {
        "stale": ("The workbook could not be read tonight; the summary shows its reading of {day}, scored against today's pace.",
                  "Fix the workbook as the issue above says; the next night reads it again."),
        "never_read": ("The workbook has never been read: the department has no score and is left out of the company score.",
                       "Fix the workbook as the issue above says, or run `okrsheets provision` if it was never created."),
    },
}
_NONE_READ = {
    "vi": "Không đọc được tệp OKR nào ({total} phòng ban) trong {folder}; bảng tổng hợp không được ghi. "
          "Nếu chưa tạo tệp cho quý này, hãy chạy `okrsheets provision` trước.",
    "en": "No OKR workbook could be read ({total} departments) in {folder}; the summary was not written. "
          "If this quarter's workbooks were never created, run `okrsheets provision` first.",
}


def _nothing_read(result: RollupResult, lang: str, folder: Path, shown: int = 5) -> NothingReadError:
    """The error of a rollup that read no workbook, with why the first few could not be read."""
    lines = [_NONE_READ[lang].format(total=len(result.departments), folder=folder)]
    for department in result.departments[:shown]:
        why = next((i.problem for i in result.issues if i.department == department.key), None)
        if why:
            lines.append(f"  {department.key}: {why}")
    if len(result.departments) > shown:
        lines.append(f"  … (+{len(result.departments) - shown})")
    return NothingReadError("\n".join(lines), result)


def _not_read_issue(config: Config, department: DepartmentPlan, location: str, read_on: date | None) -> DataIssue:
    lang = "en" if config.language == "en" else "vi"
    problem, fix = _NIGHT_MESSAGES[lang]["stale" if read_on else "never_read"]
    day = (read_on.isoformat() if lang == "en" else read_on.strftime("%d/%m/%Y")) if read_on else ""
    return DataIssue(department.key, location, None, None, None, problem.format(day=day), fix)


@dataclass(frozen=True)
class _Job:
    config: Config
    as_of: date
    expected: float
    state: dict


# readings, readable, data issues, check-in state, typed last-update cells (as the readings store keeps them)
_Scored = tuple[list[_Reading], bool, list[DataIssue], dict, list[str | float | None]]
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


def _score_departments(departments: list[DepartmentPlan], backend: Backend, job: _Job, workers: int,
                       progress: Callable[[int, int], None] | None) -> Generator[_Scored, None, None]:
    """The ``departments`` read and scored, in their order: in this process, or in forked workers."""
    total = len(departments)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():  # workers > 1 given off Linux
        for index, department in enumerate(departments, start=1):
            scored = _score_department(department, backend, job)
            if progress:
                progress(index, total)
            yield scored
        return
    size = max(1, min(_CHUNK, total // (workers * 4)))  # a few chunks per worker, so none waits long for another
    chunks = [range(i, min(i + size, total)) for i in range(0, total, size)]
    done = 0
    global _FORKED
    _FORKED = (departments, backend, job)  # what forked workers inherit: nothing is pickled on the way in
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            for chunk, chunk_scored in zip(chunks, pool.map(_score_chunk, chunks)):
                if progress:
                    progress(done + len(chunk), total)
                yield from chunk_scored
                done += len(chunk)
    except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory) or could not send its result
        why = "a rollup worker process died" if isinstance(exc, BrokenProcessPool) else f"a rollup worker failed ({exc!r})"
        log.warning("%s; reading the remaining %d workbooks in this process", why, total - done)
        for index in range(done, total):
            scored = _score_department(departments[index], backend, job)
            if progress:
                progress(index + 1, total)
            yield scored
    finally:
        _FORKED = None


_FORKED: tuple[list[DepartmentPlan], Backend, _Job] | None = None
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """In a new worker: be killed when the rollup process dies, even by SIGKILL (which runs no clean-up).

    Without this a worker whose parent was killed waits for work forever.
    Linux's PR_SET_PDEATHSIG sends SIGKILL when the parent goes; a parent that
    died before it was set is caught by comparing the parent pid.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: workers are only forked on Linux (see rollup_workers)
        pass
    if os.getppid() != parent:
        os._exit(1)


def _score_chunk(indexes: range) -> list[_Scored]:
    """In a forked worker: score the departments at ``indexes`` of the inherited list."""
    assert _FORKED is not None, "set by _score_departments before the workers are forked"
    departments, backend, job = _FORKED
    return [_score_department(departments[i], backend, job) for i in indexes]


def _score_department(department: DepartmentPlan, backend: Backend, job: _Job) -> _Scored:
    """One department's KR readings, whether its workbook was readable, its data issues and check-in state.

    Never raises: an unexpected error reads as an unreadable workbook.
    """
    previous = job.state.get(department.key)
    reader = _Reader(job.config, department, backend.location(department.key), job.as_of, job.expected,
                     {department.key: dict(previous) if isinstance(previous, dict) else {}})
    try:
        readings = reader.read(backend)
    except OSError as exc:  # the file system said no (a folder named like the workbook, no permission): no traceback
        log.warning("cannot read %s: %s", reader.location, exc)
        readings = reader.unreadable(exc)
    except Exception as exc:  # noqa: BLE001 - one bad workbook must never stop the others
        log.exception("unexpected error reading %s", reader.location)
        readings = reader.unreadable(exc)
    return readings, reader.readable, reader.issues, reader.state[department.key], reader.typed_updates


def run_rollup(config: Config, as_of: date | None = None, progress: Callable[[int, int], None] | None = None,
               backend: Backend | None = None, full: bool = False, final: bool = False) -> RollupResult:
    """Score the quarter and write the company summary; raises OkrsheetsError when nothing could be written.

    ``final``: the quarter's final rollup (``close-quarter``); the summary's history marks its night final.

    Workbooks unchanged since their stored reading are not opened (see
    `score_quarter`); with ``full`` every workbook is read (the store is still written).

    Temporary files a killed run left are removed first. The check-in state and
    the readings store are kept (in the quarter folder) before the summary is
    written by the summary sink of the backend (``backends/summary_sinks.py``):
    on Excel a summary open in Excel or LibreOffice is left alone, tonight's
    goes beside it and ``errors`` says where; on Google ``api_requests`` counts
    the run's requests by kind. When no workbook
    at all could be read, nothing is written and a BackendError says to run
    ``okrsheets provision``.
    """
    from dataclasses import replace

    from okrsheets.backends.summary_sinks import open_summary_sink

    started = datetime.now(config.tz)
    lang = "en" if config.language == "en" else "vi"
    plan = build_plan(config)
    backend = backend or open_backend(config)
    sink = open_summary_sink(config, backend)
    as_of = as_of or today_in(config.timezone)
    folder = config.quarter_folder
    for path in remove_stale_temps(folder):
        log.info("removed %s, left by a rollup or provision that was stopped", path.name)
    state_path = folder / STATE_NAME
    state = _load_state(state_path)
    readings = ReadingsStore.load(folder)
    result = score_quarter(plan, backend, as_of, state, progress, readings=readings, full=full)
    with collector_paused():  # as in score_quarter: thousands of objects, no cycles
        result = with_company_objectives(result, config.company_objectives, plan.departments, config.scoring)
        if result.departments and not any(d.readable for d in result.departments):
            raise _nothing_read(result, lang, folder)
        target = folder
        try:
            check_folder(folder, lang)
            target = state_path
            # compact: json's C encoder (indenting falls back to its Python one, 0.1 s for 14,000 KRs)
            text = json.dumps(state, sort_keys=True, separators=(",", ":"))
            atomic_write(state_path, lambda p: p.write_text(text, encoding="utf-8"))
            target = readings.path
            readings.save()
        except OSError as exc:
            raise BackendError(describe_os_error(exc, getattr(exc, "filename", None) or target, lang)) from None
    del plan, state, readings  # kept on disk: the summary's peak memory need not hold them too (40 MiB at 3,000 departments)
    if final:
        result = replace(result, final=True)
    written = sink.write(result)  # after the state and readings: a summary Google refuses loses no reading
    return replace(result, summary_path=written.location, errors=(*result.errors, *written.notes),
                   api_requests=sink.api_requests(), started_at=started, finished_at=datetime.now(config.tz))


@dataclass(frozen=True)
class RollupPreview:
    """What ``rollup --dry-run`` found: tonight's scores, and what a real run would write where."""

    result: RollupResult
    summary: SummaryPreview  # where the summary would go (a path or a URL), per the backend's summary sink
    history_row: tuple[date, float, dict[str, float]]  # the as-of date, the company score, each read department's
    state_path: Path
    readings_path: Path

    def to_json(self) -> dict:
        day, score, departments = self.history_row
        return {
            "written": False,
            "summary_path": self.summary.location,
            "summary_new": self.summary.new,
            "summary_open": str(self.summary.open_lock) if self.summary.open_lock else None,
            "history_row": {"date": day.isoformat(), "score": score, "departments": departments,
                            "replaces_existing_row": self.summary.replaces_row},
            "state_path": str(self.state_path),
            "readings_path": str(self.readings_path),
        }


def preview_rollup(config: Config, as_of: date | None = None, backend: Backend | None = None,
                   full: bool = False) -> RollupPreview:
    """Read and score like :func:`run_rollup`, and write nothing at all.

    No temporary file is removed, no state, readings, summary, log, lock or
    run record is written: the quarter folder (and, on Google, the Drive
    folder) is left exactly as it was. Where the summary would go comes from
    the backend's summary sink, which only reads.
    """
    from okrsheets.backends.summary_sinks import open_summary_sink

    lang = "en" if config.language == "en" else "vi"
    plan = build_plan(config)
    backend = backend or open_backend(config)
    as_of = as_of or today_in(config.timezone)
    folder = config.quarter_folder
    state_path = folder / STATE_NAME
    readings = ReadingsStore.load(folder)
    result = score_quarter(plan, backend, as_of, _load_state(state_path), readings=readings, full=full)
    result = with_company_objectives(result, config.company_objectives, plan.departments, config.scoring)
    if result.departments and not any(d.readable for d in result.departments):
        raise _nothing_read(result, lang, folder)
    summary = open_summary_sink(config, backend).preview(as_of)
    row = (as_of, result.score, {d.key: d.score for d in result.departments if d.readable})
    return RollupPreview(result, summary, row, state_path, readings.path)


def as_of_outside_quarter(config: Config, as_of: date) -> str | None:
    """Why a rollup ``as_of`` this date needs --force (it is outside the quarter), or None."""
    q = config.quarter
    if q.start <= as_of <= q.end:
        return None
    show = (lambda d: d.isoformat()) if config.language == "en" else (lambda d: d.strftime("%d/%m/%Y"))
    words = _NIGHT_WORDS["en" if config.language == "en" else "vi"]["outside"]
    return words.format(day=show(as_of), quarter=q.name, start=show(q.start), end=show(q.end))


_NIGHT_WORDS = {
    "vi": {"outside": "--as-of {day} nằm ngoài quý {quarter} ({start} – {end}): bảng tổng hợp sẽ bị ghi đè và lịch sử thêm"
                      " một dòng không xóa được; xem trước với --dry-run, hoặc thêm --force nếu đúng là muốn vậy"},
    "en": {"outside": "--as-of {day} is outside quarter {quarter} ({start} – {end}): the summary would be overwritten and its"
                      " history would get a row that stays; look first with --dry-run, or add --force if that is really wanted"},
}


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
