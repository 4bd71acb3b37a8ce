"""What provisioning last wrote or checked, kept in the quarter folder as ``.okrsheets-provision.json``.

For each department: the backend's version token of its workbook (an Excel
file's size and ``mtime_ns``; see ``Backend.version``) and the fingerprint
(`sheets.team_workbook.fingerprint`) the workbook holds at that version. When
a department's workbook still has that token and its plan still has that
fingerprint, the workbook is unchanged: provisioning says so without opening
it. Anything else (a team saved the workbook, the config or the layout
changed) goes the careful way, opening the workbook, as without a store.

It also keeps the record of the last run of the whole plan that left every
workbook as planned (``run``: what that run depended on and what it printed,
made and checked by `jobs.provision_quick`), so that a re-run with nothing
changed says so without reading the config.

The file is written atomically; a missing, damaged or older-format file, or one
written for another layout, only means an empty store.

This module is imported by the quick re-run before anything heavy: it imports
the team workbook's layout only when a store is loaded for provisioning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrsheets.files import atomic_write

STORE_NAME = ".okrsheets-provision.json"
STORE_FORMAT = 1  # bump when what the file holds changes: an older store is then ignored


@dataclass(frozen=True)
class ProvisionOutcome:
    department: str
    location: str
    action: str  # created | updated | unchanged | locked | damaged | forced | failed
    changes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    backup: str | None = None

    @property
    def ok(self) -> bool:
        return self.action in ("created", "updated", "unchanged", "forced")


class ProvisionStore:
    """Department key -> (version token, fingerprint) of its workbook as provisioning last saw it,
    and the record of the last whole run (``run``, None when there is none)."""

    def __init__(self, path: Path, entries: dict[str, tuple[str, str]] | None = None, run: dict[str, Any] | None = None,
                 layout: object = None):
        self.path = path
        self.entries = dict(entries or {})
        self.run = run
        self.layout = layout  # the team-workbook layout the file was written for
        self._saved = (dict(self.entries), run)

    @classmethod
    def load(cls, folder: Path) -> ProvisionStore:
        """The store in ``folder``; empty when the file is missing, unreadable, damaged or of another format or layout."""
        from okrsheets.sheets import team_workbook  # only here: the quick re-run reads the store without it

        store = cls.read(folder)
        return store if store.layout == team_workbook.LAYOUT_VERSION else cls(store.path)

    @classmethod
    def read(cls, folder: Path) -> ProvisionStore:
        """The store in ``folder`` whatever its layout (``load`` checks it); empty when the file is missing,
        unreadable, damaged or of another format."""
        path = Path(folder) / STORE_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return cls(path)
        if not isinstance(data, dict) or data.get("format") != STORE_FORMAT:
            return cls(path)
        departments = data.get("departments")
        if not isinstance(departments, dict):
            return cls(path)
        entries = {
            key: (entry["version"], entry["fingerprint"]) for key, entry in departments.items()
            if isinstance(entry, dict) and isinstance(entry.get("version"), str) and isinstance(entry.get("fingerprint"), str)
        }
        run = data.get("run")
        return cls(path, entries, run if isinstance(run, dict) else None, data.get("layout"))

    def unchanged(self, department_key: str, version: str | None, fingerprint: str) -> bool:
        """Whether the workbook is known to hold ``fingerprint`` at this version (``None``: the backend cannot tell)."""
        return version is not None and self.entries.get(department_key) == (version, fingerprint)

    def record(self, department_key: str, version: str | None, fingerprint: str) -> None:
        """The workbook holds ``fingerprint`` at ``version`` (forgotten when the version is unknown)."""
        if version is None:
            self.forget(department_key)
        else:
            self.entries[department_key] = (version, fingerprint)

    def forget(self, department_key: str) -> None:
        self.entries.pop(department_key, None)

    def save(self) -> None:
        """Write the store atomically when it changed. A store that cannot be written is left as it was:
        the next run opens the workbooks it would have skipped, nothing else."""
        from okrsheets.sheets import team_workbook

        if (self.entries, self.run) == self._saved:
            return
        data: dict[str, Any] = {
            "format": STORE_FORMAT,
            "layout": team_workbook.LAYOUT_VERSION,
            "departments": {key: {"version": v, "fingerprint": f} for key, (v, f) in sorted(self.entries.items())},
        }
        if self.run is not None:
            data["run"] = self.run
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        try:
            atomic_write(self.path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except OSError:
            return
        self.layout = team_workbook.LAYOUT_VERSION
        self._saved = (dict(self.entries), self.run)
