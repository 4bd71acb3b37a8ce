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
from datetime import date, datetime
from pathlib import Path

from python_calamine import CalamineWorkbook

from okrsheets import i18n
from okrsheets.errors import WorkbookError
from okrsheets.sheets.summary import (
    DATE_KEY,
    KR_DEPARTMENT_KEY,
    KR_ID_KEY,
    SCORE_KEY,
    History,
)
from okrsheets.sheets.summary_history import parse_history, parse_kr_history

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
                history = parse_history([first, *rows])
            elif keys == (KR_DEPARTMENT_KEY, KR_ID_KEY) and not key_results:
                key_results = parse_kr_history(first, rows)
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


def _corrupt_name(path: Path) -> Path:
    """``<stem>.corrupt-<timestamp><suffix>`` beside ``path``, not yet taken."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate, n = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}"), 1
    while candidate.exists():
        candidate, n = path.with_name(f"{path.stem}.corrupt-{stamp}-{n}{path.suffix}"), n + 1
    return candidate
