"""The score history kept inside the Excel summary workbook: read it back, recover from damage.

Every summary sheet is rebuilt on each rollup except the history, which is carried
over from the previous file (read with python-calamine). Two sheets hold it, each
found by the keys in its hidden first row, never by its title:

- the history sheet: ``#date``, ``#score``, then one department key per column; one row per night;
- the KR history sheet (hidden): ``#department``, ``#kr``, then one night (ISO date) per column;
  one row per KR.

A renamed department keeps its column and a removed one keeps its past scores.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from python_calamine import CalamineWorkbook

from okrsheets import i18n
from okrsheets.core.values import cell_date
from okrsheets.errors import WorkbookError
from okrsheets.sheets.summary import (
    DATE_KEY,
    KR_DEPARTMENT_KEY,
    KR_ID_KEY,
    SCORE_KEY,
    History,
)

__all__ = ["load_history", "previous_history"]

log = logging.getLogger("okrsheets")

_HISTORY_TITLES = frozenset(words[key] for words in i18n.SUMMARY.values()
                            for key in ("sheet_history", "sheet_kr_history"))


def load_history(path: Path) -> History:
    """Read the history sheets of ``path`` (empty history if the file is missing).

    Raises WorkbookError when the file is damaged or has no history sheet, OSError
    when it cannot be opened at all (permissions, network: not proof of damage).
    """
    if not path.exists():
        return History()
    with open(path, "rb"):
        pass
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except OSError:
        raise
    except Exception as error:  # calamine raises its own error types for a damaged file
        raise WorkbookError(f"cannot read {path}: {error}") from error
    history: History | None = None
    key_results: dict[date, dict[tuple[str, str], float]] = {}
    try:
        # The history sheets by their titles first: loading the 14,000-row key results sheet costs more.
        for name in sorted(workbook.sheet_names, key=lambda name: name not in _HISTORY_TITLES):
            rows = workbook.get_sheet_by_name(name).iter_rows()
            first = next(rows, [])
            keys = tuple(first[:2])
            if keys == (DATE_KEY, SCORE_KEY) and history is None:
                history = _parse_history([first, *rows])
            elif keys == (KR_DEPARTMENT_KEY, KR_ID_KEY) and not key_results:
                key_results = _parse_kr_history(first, rows)
            if history is not None and key_results:
                break
    except Exception as error:
        raise WorkbookError(f"cannot read the history of {path}: {error}") from error
    finally:
        workbook.close()
    if history is None:
        raise WorkbookError(f"{path} has no history sheet")
    history.key_results = key_results
    return history


def previous_history(path: Path) -> History:
    """The existing file's history; a damaged file is copied aside and history restarts."""
    try:
        return load_history(path)
    except WorkbookError as error:
        aside = _corrupt_name(path)
        shutil.copy2(path, aside)
        log.warning("%s; kept a copy as %s and started a new history", error, aside.name)
        return History()


def _parse_history(rows: list[Sequence]) -> History:
    """Keys, headers, then one row per date. calamine reads an empty cell as "" and a date as a date."""
    keys, headers = rows[0], rows[1] if len(rows) > 1 else ()
    columns = {i: str(k) for i, k in enumerate(keys) if i >= 2 and isinstance(k, str) and k}
    history = History(names={k: str(_at(headers, i) or k) for i, k in columns.items()})
    for row in rows[2:]:
        day = cell_date(_at(row, 0))
        if day is None:
            continue
        scores = {k: float(v) for i, k in columns.items() if _is_number(v := _at(row, i))}
        company = _at(row, 1)
        history.rows[day] = (float(company) if _is_number(company) else None, scores)
    return history


def _parse_kr_history(keys: Sequence, rows) -> dict[date, dict[tuple[str, str], float]]:
    """Night columns from the key row, then (department, KR ID) and its scores on each row.

    A blank cell means the KR's score of the night before on that row (the writer leaves
    unchanged scores out), so each night gets every KR's score as of that night.
    """
    nights: dict[int, date] = {}
    for i, key in enumerate(keys):
        if i >= 2 and isinstance(key, str):
            try:
                nights[i] = date.fromisoformat(key)
            except ValueError:
                continue
    scores: dict[date, dict[tuple[str, str], float]] = {night: {} for night in nights.values()}
    next(rows, None)  # the header row
    for row in rows:
        department, kr_id = _at(row, 0), _at(row, 1)
        if not (isinstance(department, str) and department and isinstance(kr_id, str) and kr_id):
            continue
        key, last = (department, kr_id), None
        for i, night in nights.items():
            value = _at(row, i)
            if _is_number(value):
                last = float(value)
            if last is not None:
                scores[night][key] = last
    return dict(sorted(scores.items()))


def _at(row: Sequence, index: int):
    return row[index] if index < len(row) else None


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _corrupt_name(path: Path) -> Path:
    """``<stem>.corrupt-<timestamp><suffix>`` beside ``path``, not yet taken."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate, n = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}"), 1
    while candidate.exists():
        candidate, n = path.with_name(f"{path.stem}.corrupt-{stamp}-{n}{path.suffix}"), n + 1
    return candidate
