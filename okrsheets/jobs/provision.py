"""Provision a quarter's team workbooks: plan what changes, then apply it safely.

Re-running is safe: an unchanged department is not rewritten at all; a changed
one is rebuilt with every value the team typed carried over by KR ID; KRs
removed from the plan move to an archived block with their values; a workbook
whose structure a team damaged is left alone unless ``force`` is given (and
then backed up first).

A re-run decides "unchanged" before opening anything when the backend gives
version tokens: a workbook whose token and fingerprint are those provisioning
last wrote or checked (`jobs.provision_store`) is not opened. Any other
workbook is opened and checked, which also finds one a team damaged. A run of
the whole plan given its `RunInputs` leaves the record with which the next
run, when nothing changed, says so before parsing the config
(`jobs.provision_quick`).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from okrsheets.backends.base import Backend, WorkbookData
from okrsheets.config import Config
from okrsheets.core.model import DepartmentPlan
from okrsheets.errors import BackendError, WorkbookError, WorkbookLockedError
from okrsheets.files import check_folder, check_share_mounted, describe_os_error
from okrsheets.i18n import show_date
from okrsheets.jobs.closed import CLOSED_NAME, QuarterClosedError, read_closed
from okrsheets.jobs.provision_quick import RunInputs
from okrsheets.jobs.provision_store import ProvisionOutcome, ProvisionStore
from okrsheets.plan import QuarterPlan
from okrsheets.sheets.structure import StructureProblem, WorkbookStructure, check_structure
from okrsheets.sheets.team_workbook import (
    COL,
    TEAM_COLUMNS,
    ArchivedRow,
    TeamEntry,
    fingerprint,
    key_result_text,
    sheet_number,
    team_workbook,
)
from okrsheets.words import count, say


@dataclass
class ExistingWorkbook:
    """What an existing team workbook holds that provisioning must keep or check."""

    meta: dict[str, str]
    entries: dict[str, TeamEntry] = field(default_factory=dict)
    rows: dict[str, dict[str, object]] = field(default_factory=dict)  # by ID: text, start, target, weight...
    archived: dict[str, ArchivedRow] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    sheet: str | None = None  # the OKR sheet's title
    columns: dict[str, int] = field(default_factory=dict)  # column name -> number, found by its header
    entry_rows: dict[str, int] = field(default_factory=dict)  # ID -> the row whose typed cells are kept



def prepare_folder(config: Config, create: bool = False, dry_run: bool = False) -> None:
    """Make sure the Excel backend's quarter folder can be written; raise a BackendError saying why not.

    A ``[backend] folder`` whose parent does not exist is refused unless
    ``create`` is given: that is what a network share that is not mounted looks
    like, and filling the local disk instead would go unnoticed. A path part
    that is a file, a link loop or a folder without permission gets one line in
    the config's language. A dry run creates nothing.
    """
    if config.backend != "excel" or config.excel is None:
        return
    lang = config.language
    data = Path(config.excel.folder)
    if not create:
        check_share_mounted(data, lang, create_hint=True)
    for part in (data.parent, data, config.quarter_folder):  # a file or a link loop where a folder should be
        if os.path.lexists(part) and not os.path.isdir(part):
            raise BackendError(describe_os_error(NotADirectoryError(errno.ENOTDIR, "Not a directory", str(part)), part, lang))
    if not dry_run:
        check_folder(config.quarter_folder, lang)


def provision(
    plan: QuarterPlan,
    backend: Backend,
    departments: Iterable[str] | None = None,
    dry_run: bool = False,
    force: bool = False,
    now: datetime | None = None,
    progress: Callable[[DepartmentPlan], None] | None = None,
    closing: bool = False,
    inputs: RunInputs | None = None,
) -> list[ProvisionOutcome]:
    """Create or update each department's workbook; one bad workbook never stops the others.

    With a backend that gives version tokens, what was written or found
    unchanged is kept in the store (not on a dry run); ``force`` decides
    without it, opening every workbook. A run of every department given the
    ``inputs`` it depends on (`jobs.provision_quick`) also keeps the record of
    this run; any other run drops it.

    A closed quarter (`jobs.closed`) is refused with a QuarterClosedError
    unless ``force`` (or ``closing``: ``close-quarter`` itself); its workbooks
    are then rendered read-only, with what the teams typed kept.
    """
    config = plan.config
    now = now or datetime.now(config.tz)
    closed = read_closed(config)
    if closed is not None and not (force or closing):
        raise QuarterClosedError(say(config.language, "provision_closed", quarter=config.quarter.name,
                                     day=show_date(closed.closed_on, config.language)))
    closed_on = closed.closed_on if closed is not None else None
    wanted = {config.department(k).key for k in departments} if departments else None
    store = ProvisionStore.load(config.quarter_folder) if hasattr(backend, "version") else None
    outcomes = []
    planned = []  # (department key, fingerprint) of each department provisioned
    for department in plan.departments:
        if wanted is not None and department.key not in wanted:
            continue
        if progress:
            progress(department)
        planned.append((department.key, fingerprint(config, department, closed_on)))
        outcomes.append(_provision_one(plan, backend, department, dry_run, force, now, store, closed_on, planned[-1][1]))
    if store is not None and not dry_run:
        if wanted is None:  # departments no longer in the plan
            for key in set(store.entries) - {d.key for d in plan.departments}:
                store.forget(key)
        as_planned = all(store.entries.get(key, ("", ""))[1] == wanted_print for key, wanted_print in planned)
        store.run = None
        if inputs is not None and wanted is None and closed is None and as_planned:
            store.run = inputs.record(config, outcomes, config.quarter_folder / CLOSED_NAME)
        store.save()
    return outcomes


def _provision_one(plan: QuarterPlan, backend: Backend, department: DepartmentPlan, dry_run: bool, force: bool, now: datetime,
                   store: ProvisionStore | None, closed: date | None, planned: str) -> ProvisionOutcome:
    location = backend.location(department.key)
    version = backend.version(department.key) if store is not None else None  # before reading: a later save is seen next time
    if store is not None and not force and store.unchanged(department.key, version, planned):
        return ProvisionOutcome(department.key, location, "unchanged")
    try:
        outcome = _provision_carefully(plan, backend, department, planned, dry_run, force, now, closed)
    except WorkbookError as exc:
        if exc.reason != "gave_up":
            raise
        # Google kept failing this department's requests (max_tries, or the run's deadline): the others go on
        return ProvisionOutcome(department.key, backend.location(department.key), "failed", problems=(str(exc),))
    if store is not None and not dry_run:
        if outcome.action == "unchanged":
            store.record(department.key, version, planned)
        elif outcome.action in ("created", "updated", "forced"):
            store.record(department.key, backend.version(department.key), planned)
        else:
            store.forget(department.key)
    return outcome


def _provision_carefully(plan: QuarterPlan, backend: Backend, department: DepartmentPlan, planned: str, dry_run: bool, force: bool,
                         now: datetime, closed: date | None = None) -> ProvisionOutcome:
    """Open the department's workbook, check it and rebuild it when its fingerprint is not ``planned``."""
    config = plan.config
    location = backend.location(department.key)
    if not backend.exists(department.key):
        if not dry_run:
            backend.write(department.key, team_workbook(config, department, {}, [], now, closed))
            location = backend.location(department.key)  # a Google spreadsheet has its address once it is made
        return ProvisionOutcome(department.key, location, "created", (count(config.language, len(department.key_results), "key_result"),))
    try:
        backend.check_writable(department.key)
        existing = inspect(backend.read(department.key), plan, department)
    except WorkbookLockedError as exc:
        return ProvisionOutcome(department.key, location, "locked", problems=(str(exc),))
    except WorkbookError as exc:
        existing = ExistingWorkbook(meta={}, problems=[str(exc)])
    if existing.problems and not force:
        return ProvisionOutcome(department.key, location, "damaged", problems=tuple(existing.problems))
    if not existing.problems and existing.meta.get("fingerprint") == planned:
        return ProvisionOutcome(department.key, location, "unchanged")
    archived = _archive(existing, department)
    changes = tuple(describe_changes(existing, department, archived, config.language))
    action = "forced" if existing.problems else "updated"
    backup = None
    if not dry_run:
        typed = _typed_entries(backend, department.key, existing)
        if isinstance(typed, str):
            return ProvisionOutcome(department.key, location, "damaged", problems=(*existing.problems, typed))
        if existing.problems:
            backup = backend.backup(department.key, now.strftime("%Y%m%d-%H%M%S"))
        entries = {**{a.id: a.entry for a in existing.archived.values()}, **existing.entries, **typed}
        archived = [replace(a, entry=typed.get(a.id, a.entry)) for a in archived]
        backend.write(department.key, team_workbook(config, department, entries, archived, now, closed))
    return ProvisionOutcome(department.key, location, action, changes, tuple(existing.problems), backup)


def inspect(data: WorkbookData, plan: QuarterPlan, department: DepartmentPlan) -> ExistingWorkbook:
    """Read what the team typed and check the structure provisioning relies on (`check_structure`,
    the rollup's check; a template change is applied here, not reported, and an extra sheet is a problem)."""
    config = plan.config
    where = data.location
    planned = [o.id for o in department.objectives] + [kr.id for kr in department.key_results]
    structure = check_structure(data, config.quarter.name, department.key, None, config.language, planned, all_titles=data.titles)
    problems = [_problem_line(where, structure, problem, config.language) for problem in structure.problems]
    sheet = structure.sheet
    existing = ExistingWorkbook(structure.meta, problems=problems, sheet=sheet.title if sheet is not None else None,
                                columns=dict(structure.columns))
    if sheet is None or "id" not in structure.columns:
        return existing

    def values_at(row_number: int) -> dict[str, object]:
        return {name: sheet.value(row_number, structure.columns[name]) if name in structure.columns else None for name in COL}

    for item_id, row_number in structure.archived.items():
        values = values_at(row_number)
        existing.archived[item_id] = ArchivedRow(
            item_id, str(values["text"] or ""), str(values["kind"] or ""), str(values["unit"] or ""),
            values["start"], values["target"], values["weight"], TeamEntry(*(values[name] for name in TEAM_COLUMNS)),
        )
        existing.entry_rows[item_id] = row_number
    for item_id, row_number in {**structure.unknown, **structure.rows}.items():  # an edited ID's values are archived
        values = values_at(row_number)
        existing.entries[item_id] = TeamEntry(*(values[name] for name in TEAM_COLUMNS))
        existing.entry_rows[item_id] = row_number  # an active row wins over an archived one of the same ID
        existing.rows[item_id] = values
    return existing


def _typed_entries(backend: Backend, department_key: str, existing: ExistingWorkbook) -> dict[str, TeamEntry] | str:
    """What the team typed on each KR and archived row, with each cell's own type and number format.

    A backend that can read cells as typed (Excel: formulas as their text,
    errors as errors, number formats) gives the entries the rebuilt workbook
    carries over; the values of ``backend.read`` are used otherwise. A problem
    reading them is returned as text: the workbook is then left alone. The
    columns are the ones the structure check found by their headers.
    """
    read = getattr(backend, "read_typed_cells", None)
    if read is None or existing.sheet is None or not existing.entry_rows:
        return {}
    columns = [existing.columns.get(name) for name in TEAM_COLUMNS]
    try:
        cells = read(department_key, existing.sheet, [c for c in columns if c is not None])
    except WorkbookError as exc:
        return str(exc)
    return {
        item_id: TeamEntry(*(cells.get((row, column)) if column is not None else None for column in columns))
        for item_id, row in existing.entry_rows.items()
    }


def _problem_line(where: str, structure: WorkbookStructure, problem: StructureProblem, language: str) -> str:
    """One problem for the admin's provisioning report, in the config's language: where, what was found, what to do."""
    words, fix = problem.words("en" if language == "en" else "vi")
    sheet = structure.sheet.title if structure.sheet is not None else None
    place = f"{sheet}!{problem.cell}" if sheet and problem.cell else sheet
    return f"{where}: {place + ': ' if place else ''}{words[0].lower()}{words[1:].rstrip('.')}; {fix[0].lower()}{fix[1:]}"


def _archive(existing: ExistingWorkbook, department: DepartmentPlan) -> list[ArchivedRow]:
    """Rows that leave the plan keep their values at the bottom; archived rows that return come back."""
    planned = {o.id for o in department.objectives} | {kr.id for kr in department.key_results}
    archived = [a for a in existing.archived.values() if a.id not in planned]
    for item_id, values in existing.rows.items():
        if item_id in planned:
            continue
        archived.append(
            ArchivedRow(item_id, str(values["text"] or ""), str(values["kind"] or ""), str(values["unit"] or ""),
                        values["start"], values["target"], values["weight"], existing.entries[item_id])
        )
    return archived


def describe_changes(existing: ExistingWorkbook, department: DepartmentPlan, archived: list[ArchivedRow], language: str = "en") -> list[str]:
    changes = []
    def show(value: object) -> str:
        return say(language, "none") if value in (None, "") else _show(value)
    for objective in department.objectives:
        old = existing.rows.get(objective.id)
        if old is None:
            changes.append(say(language, "change_new_objective", id=objective.id))
        elif old["weight"] != objective.weight:
            changes.append(say(language, "change_weight", id=objective.id, old=old["weight"], new=f"{objective.weight:g}"))
    for kr in department.key_results:
        old = existing.rows.get(kr.id)
        if old is None:
            changes.append(say(language, "change_restored_kr" if kr.id in existing.archived else "change_new_kr", id=kr.id))
            continue
        for name in ("start", "target"):
            new = sheet_number(getattr(kr, name), kr.unit)
            if not _same(old[name], new):
                changes.append(say(language, f"change_{name}", id=kr.id, old=show(old[name]), new=show(new)))
        if not _same(old["weight"], kr.weight):
            changes.append(say(language, "change_weight", id=kr.id, old=show(old["weight"]), new=f"{kr.weight:g}"))
        if old["text"] != key_result_text(kr, language):
            changes.append(say(language, "change_text", id=kr.id))
    moved = [a.id for a in archived if a.id not in existing.archived]
    if moved:
        changes.append(say(language, "change_archived", ids=", ".join(moved)))
    if not changes:
        changes.append(say(language, "change_refreshed"))
    return changes


def _same(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-12
    return (a in (None, "")) and (b in (None, "")) or a == b


def _show(value: object) -> str:
    if value in (None, ""):
        return "(none)"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)
