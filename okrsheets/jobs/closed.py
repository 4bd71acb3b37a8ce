"""The closed state of a quarter: ``.okrsheets-closed.json`` in the quarter folder, written by ``close-quarter``.

It holds the day the quarter was closed and the final scores of every
department and KR (the final rollup's), so ``next-quarter`` carries exactly
what was unfinished at close, whatever later rollups read. Provisioning reads
it to render the team workbooks read-only, and refuses a closed quarter
unless forced. Deleting the file reopens the quarter (the next ``provision``
unlocks the workbooks). The file sits in the quarter folder for both backends,
beside the rollup's state and readings store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from okrsheets.config import Config
from okrsheets.errors import OkrsheetsError
from okrsheets.files import atomic_write
from okrsheets.words import say

CLOSED_NAME = ".okrsheets-closed.json"


class QuarterClosedError(OkrsheetsError):
    """A command that changes the quarter's workbooks was run on a closed quarter."""

    exit_code = 1


@dataclass(frozen=True)
class ClosedQuarter:
    """What ``close-quarter`` froze: when, and the final record (the final rollup's scores, as JSON)."""

    quarter: str
    closed_on: date
    final: dict

    def to_json(self) -> dict:
        return {"quarter": self.quarter, "closed_on": self.closed_on.isoformat(), "final": self.final}


def closed_path(config: Config) -> Path:
    return config.quarter_folder / CLOSED_NAME


def read_closed(config: Config) -> ClosedQuarter | None:
    """The quarter's closed record, or None while it is open (a damaged file says so instead of passing as open)."""
    path = closed_path(config)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ClosedQuarter(str(data["quarter"]), date.fromisoformat(data["closed_on"]), dict(data.get("final") or {}))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OkrsheetsError(say(config.language, "closed_unreadable", path=path, why=exc)) from None


def write_closed(config: Config, closed: ClosedQuarter) -> Path:
    path = closed_path(config)
    text = json.dumps(closed.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
    atomic_write(path, lambda p: p.write_text(text + "\n", encoding="utf-8"))
    return path
