"""The last good reading of each department, kept between nights in ``.okrsheets-readings.json``.

A reading is what the rollup found in a department's workbook (each KR's
value, the text typed, confidence, comment, dates), never its scores: scores,
pace and statuses are recomputed from it every night. When a workbook cannot
be read tonight, the summary shows its last good reading, marked with the date
it was read, instead of scoring the department 0.

The store is backend-neutral and keyed by department; each reading carries
the backend's version token of the workbook it came from (an Excel file's size
and ``mtime_ns``, a Google file's ``modifiedTime``; see ``Backend.version``) and
the fingerprint of what shaped it (`reading_fingerprint`), so a later rollup
skips opening a workbook whose token and fingerprint are unchanged. The file is
written atomically; a missing, damaged or older-format file only means an empty
store (every workbook is then read).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import okrsheets
from okrsheets.config import Config
from okrsheets.core.model import DepartmentPlan
from okrsheets.core.results import DataIssue
from okrsheets.files import atomic_write
from okrsheets.sheets.team_workbook import LAYOUT_VERSION

log = logging.getLogger("okrsheets")

STORE_NAME = ".okrsheets-readings.json"
STORE_FORMAT = 2  # bump when what a reading holds changes: an older store is then ignored


class KeyResultReading(NamedTuple):
    """What one KR's row held: the value read (None: no check-in or not readable) and what was typed.

    A named tuple: the store holds one per KR of the company (14,000 at 1,000
    departments), and JSON writes a tuple as a list without Python code per field.
    """

    current: float | None = None
    raw: str | None = None
    confidence: int | None = None
    comment: str | None = None
    last_update: date | None = None
    last_check_in: date | None = None
    # The last-update cell as typed (a date as its ISO text, which reads as the same day): a date without
    # a year, a bare number or a day after tomorrow reads differently on another night, so it is read again.
    typed_update: str | float | None = None


@dataclass(frozen=True)
class DepartmentReading:
    """One department's workbook as read on ``read_on``."""

    read_on: date
    key_results: dict[str, KeyResultReading] = field(default_factory=dict)  # by KR ID
    version: str | None = None  # the backend's version token of the workbook read, when it gives one
    issues: tuple[DataIssue, ...] = ()  # the data issues found in that reading
    fingerprint: str | None = None  # reading_fingerprint() when it was read: another one means read it again

    def to_json(self) -> dict:
        return {
            "read_on": self.read_on.isoformat(),
            "version": self.version,
            "fingerprint": self.fingerprint,
            "key_results": self.key_results,  # tuples; their dates become ISO text in save()
            "issues": [list(_issue_fields(issue)) for issue in self.issues],
        }

    @classmethod
    def from_json(cls, data: dict) -> DepartmentReading:
        return cls(
            read_on=date.fromisoformat(data["read_on"]),
            key_results={str(kr_id): _kr_from_json(kr) for kr_id, kr in data["key_results"].items()},
            version=data.get("version"),
            issues=tuple(DataIssue(*fields) for fields in data.get("issues", ())),
            fingerprint=data.get("fingerprint"),
        )


class ReadingsStore:
    """Department key -> its last good reading. ``load`` it, ``get``/``put`` readings, ``save`` it.

    Loading only parses the file; a department's reading is built when it is
    asked for (most nights none is), and one not replaced is saved as it was read.
    """

    def __init__(self, path: Path, stored: dict[str, dict] | None = None):
        self.path = Path(path)
        self._stored = dict(stored or {})  # as in the file, not yet asked for
        self._readings: dict[str, DepartmentReading] = {}

    @classmethod
    def load(cls, folder: Path) -> ReadingsStore:
        """The store of a quarter folder; empty (with a warning when damaged) if it cannot be used."""
        path = Path(folder) / STORE_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            log.warning("ignoring the stored readings %s (%s); departments unreadable tonight have no earlier reading", path, exc)
            return cls(path)
        if not isinstance(data, dict) or data.get("format") != STORE_FORMAT or not isinstance(data.get("departments"), dict):
            return cls(path)
        return cls(path, data["departments"])

    def get(self, department_key: str) -> DepartmentReading | None:
        reading = self._readings.get(department_key)
        if reading is None and department_key in self._stored:
            try:
                reading = DepartmentReading.from_json(self._stored[department_key])
            except (KeyError, TypeError, ValueError, AttributeError):
                log.warning("ignoring the stored reading of %s in %s: damaged", department_key, self.path)
                reading = None
            del self._stored[department_key]
            if reading is not None:
                self._readings[department_key] = reading
        return reading

    def put(self, department_key: str, reading: DepartmentReading) -> None:
        self._stored.pop(department_key, None)
        self._readings[department_key] = reading

    def __iter__(self) -> Iterator[str]:
        return iter({**self._stored, **self._readings})

    def __len__(self) -> int:
        return len({**self._stored, **self._readings})

    def save(self) -> None:
        """Write the store atomically (a crash leaves the previous one)."""
        departments = {**self._stored, **{key: reading.to_json() for key, reading in self._readings.items()}}
        data = {"format": STORE_FORMAT, "departments": dict(sorted(departments.items()))}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_iso)
        atomic_write(self.path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def reading_fingerprint(config: Config, department: DepartmentPlan, backend_name: str, location: str) -> str:
    """A hash of everything besides the workbook that shapes a department's reading and its data issues.

    okrsheets' version and workbook layout, the store format, the department's
    whole plan, the settings that go into its workbook (quarter, language,
    scoring), the locale cells are read in, and where the workbook is (the
    issues name it). A stored reading with another fingerprint is not reused:
    the workbook is read again. (The plan's ``repr``, not ``asdict`` as in
    ``team_workbook.fingerprint``: the same fields, five times cheaper at 1,000
    departments; plans hold only text, numbers and tuples, so it is stable.)
    """
    q = config.quarter
    payload = (STORE_FORMAT, okrsheets.__version__, LAYOUT_VERSION, config.company, config.language, config.locale,
               q.name, q.start, q.end, config.scoring, department, backend_name, location)
    return hashlib.sha256(repr(payload).encode()).hexdigest()


def kept_update(typed: object) -> str | float | None:
    """What the store keeps of a typed last-update cell (see `KeyResultReading.typed_update`).

    A date as its ISO text, a number or text as typed; anything else (a time,
    TRUE) reads as "not a date" on every night, so nothing needs to be kept.
    """
    if isinstance(typed, datetime):
        return typed.date().isoformat()
    if isinstance(typed, date):
        return typed.isoformat()
    if isinstance(typed, (str, float)) or (isinstance(typed, int) and not isinstance(typed, bool)):
        return typed
    if isinstance(typed, Decimal):  # (a backend may give one; it reads as the same number)
        return float(typed)
    return None


def _kr_from_json(values: list) -> KeyResultReading:
    current, raw, confidence, comment, last_update, last_check_in, typed_update = values
    if current is not None and type(current) is not float:  # (most are: a quick test first)
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            raise ValueError(f"not a number: {current!r}")
        current = float(current)
    if typed_update is not None and (isinstance(typed_update, bool) or not isinstance(typed_update, (str, int, float))):
        raise ValueError(f"not a typed date: {typed_update!r}")
    return _new_reading(KeyResultReading, (
        current, raw, confidence, comment, _from_iso(last_update) if last_update else None,
        _from_iso(last_check_in) if last_check_in else None, typed_update,
    ))


_new_reading = tuple.__new__  # a named tuple from its fields in order, without its Python-level __new__ (14,000 a night)
_from_iso = date.fromisoformat


def _issue_fields(issue: DataIssue) -> tuple:
    return (issue.department, issue.file, issue.sheet, issue.cell, issue.found, issue.problem, issue.fix, issue.key_result)


def _iso(value: object) -> str:
    """JSON for what json cannot write itself: the dates of a reading."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
