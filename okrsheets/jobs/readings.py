"""The last good reading of each department, kept between nights in ``.okrsheets-readings.json``.

A reading is what the rollup found in a department's workbook (each KR's
value, the text typed, confidence, comment, dates), never its scores: scores,
pace and statuses are recomputed from it every night. When a workbook cannot
be read tonight, the summary shows its last good reading, marked with the date
it was read, instead of scoring the department 0.

The store is backend-neutral and keyed by department; each reading may carry
the backend's version token of the workbook it came from (an Excel file's size
and ``mtime_ns``, a Google file's ``modifiedTime``), so a later rollup can skip
opening a workbook that has not changed. The file is written atomically; a
missing, damaged or older-format file only means an empty store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from okrsheets.core.results import DataIssue
from okrsheets.files import atomic_write

log = logging.getLogger("okrsheets")

STORE_NAME = ".okrsheets-readings.json"
STORE_FORMAT = 1  # bump when what a reading holds changes: an older store is then ignored


@dataclass(frozen=True)
class KeyResultReading:
    """What one KR's row held: the value read (None: no check-in or not readable) and what was typed."""

    current: float | None = None
    raw: str | None = None
    confidence: str | None = None
    comment: str | None = None
    last_update: date | None = None
    last_check_in: date | None = None


@dataclass(frozen=True)
class DepartmentReading:
    """One department's workbook as read on ``read_on``."""

    read_on: date
    key_results: dict[str, KeyResultReading] = field(default_factory=dict)  # by KR ID
    version: str | None = None  # the backend's version token of the workbook read, when it gives one
    issues: tuple[DataIssue, ...] = ()  # the data issues found in that reading

    def to_json(self) -> dict:
        return {
            "read_on": self.read_on.isoformat(),
            "version": self.version,
            "key_results": {kr_id: _kr_json(kr) for kr_id, kr in self.key_results.items()},
            "issues": [list(_issue_fields(issue)) for issue in self.issues],
        }

    @classmethod
    def from_json(cls, data: dict) -> DepartmentReading:
        return cls(
            read_on=date.fromisoformat(data["read_on"]),
            key_results={str(kr_id): _kr_from_json(kr) for kr_id, kr in data["key_results"].items()},
            version=data.get("version"),
            issues=tuple(DataIssue(*fields) for fields in data.get("issues", ())),
        )


class ReadingsStore:
    """Department key -> its last good reading. ``load`` it, ``get``/``put`` readings, ``save`` it."""

    def __init__(self, path: Path, readings: dict[str, DepartmentReading] | None = None):
        self.path = Path(path)
        self._readings = dict(readings or {})

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
        if not isinstance(data, dict) or data.get("format") != STORE_FORMAT:
            return cls(path)
        readings = {}
        for key, reading in (data.get("departments") or {}).items():
            try:
                readings[str(key)] = DepartmentReading.from_json(reading)
            except (KeyError, TypeError, ValueError, AttributeError):
                log.warning("ignoring the stored reading of %s in %s: damaged", key, path)
        return cls(path, readings)

    def get(self, department_key: str) -> DepartmentReading | None:
        return self._readings.get(department_key)

    def put(self, department_key: str, reading: DepartmentReading) -> None:
        self._readings[department_key] = reading

    def __iter__(self) -> Iterator[str]:
        return iter(self._readings)

    def __len__(self) -> int:
        return len(self._readings)

    def save(self) -> None:
        """Write the store atomically (a crash leaves the previous one)."""
        data = {
            "format": STORE_FORMAT,
            "departments": {key: reading.to_json() for key, reading in sorted(self._readings.items())},
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        atomic_write(self.path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _kr_json(kr: KeyResultReading) -> list:
    return [kr.current, kr.raw, kr.confidence, kr.comment, _iso(kr.last_update), _iso(kr.last_check_in)]


def _kr_from_json(values: list) -> KeyResultReading:
    current, raw, confidence, comment, last_update, last_check_in = values
    if current is not None and (isinstance(current, bool) or not isinstance(current, (int, float))):
        raise ValueError(f"not a number: {current!r}")
    return KeyResultReading(
        None if current is None else float(current), raw, confidence, comment, _date(last_update), _date(last_check_in),
    )


def _issue_fields(issue: DataIssue) -> tuple:
    return (issue.department, issue.file, issue.sheet, issue.cell, issue.found, issue.problem, issue.fix, issue.key_result)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
