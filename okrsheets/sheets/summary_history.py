"""Reading back the score history a summary keeps: one rule for every backend.

The summary keeps two history sheets, each found by the keys in its hidden
first row (see :mod:`okrsheets.sheets.summary`):

- the history sheet: ``#date``, ``#score``, then one department key per column; one row per night;
- the KR history sheet (hidden): ``#department``, ``#kr``, then one night (ISO date) per column;
  one row per KR, a blank meaning "as the night before".

A backend reads the cells (an empty cell may be ``""``, ``None`` or missing at the end
of a row; a date a ``date`` or already turned into one) and hands the rows here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from okrsheets.core.values import cell_date
from okrsheets.sheets.summary import FINAL_KEY, History

__all__ = ["parse_history", "parse_kr_history"]


def parse_history(rows: list[Sequence]) -> History:
    """Keys, headers, then one row per date."""
    keys, headers = rows[0], rows[1] if len(rows) > 1 else ()
    columns = {i: str(k) for i, k in enumerate(keys) if i >= 2 and isinstance(k, str) and k and k != FINAL_KEY}
    final = next((i for i, k in enumerate(keys) if k == FINAL_KEY), None)
    history = History(names={k: str(_at(headers, i) or k) for i, k in columns.items()})
    for row in rows[2:]:
        day = cell_date(_at(row, 0))
        if day is None:
            continue
        if final is not None and _at(row, final) not in (None, ""):
            history.final = day
        scores = {k: float(v) for i, k in columns.items() if _is_number(v := _at(row, i))}
        company = _at(row, 1)
        history.rows[day] = (float(company) if _is_number(company) else None, scores)
    return history


def parse_kr_history(keys: Sequence, rows: Iterable[Sequence]) -> dict[date, dict[tuple[str, str], float]]:
    """Night columns from the key row, then (department, KR ID) and its scores on each row (the header row first).

    A blank cell means the KR's score of the night before on that row (the writer leaves
    unchanged scores out), so each night gets every KR's score as of that night.
    """
    rows = iter(rows)
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
