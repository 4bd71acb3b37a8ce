"""The Backend protocol that provisioning and rollup are written against."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from okrsheets.sheets.data import FormatKind, SheetData, SheetDetails, WorkbookData
from okrsheets.sheets.spec import WorkbookSpec

__all__ = ["Backend", "FormatKind", "SheetData", "SheetDetails", "SummaryPreview", "WorkbookData"]


class Backend(Protocol):
    """Where team workbooks live. Excel files and Google spreadsheets implement it."""

    name: str
    # True when read() may be called from forked worker processes (see rollup.rollup_workers)
    parallel_reads: bool

    def location(self, department_key: str) -> str:
        """Where the department's workbook is (a path, or a spreadsheet's URL), for messages."""

    def exists(self, department_key: str) -> bool: ...

    def read(self, department_key: str, sheets: Collection[str] | None = None) -> WorkbookData:
        """The values of all sheets, or of the sheets named in ``sheets`` that exist.

        Raises WorkbookError when the workbook cannot be read.
        """

    def write(self, department_key: str, spec: WorkbookSpec) -> None:
        """Create or replace the workbook atomically; raises WorkbookLockedError when it is open."""

    def check_writable(self, department_key: str) -> None:
        """Raise WorkbookLockedError when the workbook is open elsewhere."""

    def backup(self, department_key: str, stamp: str) -> str:
        """Keep a copy before a forced rebuild; returns where it went."""

    def version(self, department_key: str) -> str | None:
        """The workbook's version token (see below). Both backends have it; provisioning and the rollup
        still ask ``hasattr`` first, so a backend without it works, opening every workbook."""

    # Optional: ``near_misses(department_key) -> list[str]``, the names of workbooks beside a missing
    # one that may be it renamed ("marketing (1).xlsx", "marketing.ods"), for the rollup's message.
    # ``version(department_key) -> str | None`` (above), the workbook's version token: a text that changes
    # whenever the workbook may have changed (Excel: the file's size and mtime_ns; Google: Drive's
    # modifiedTime), None when the backend cannot tell or the workbook is missing. The rollup does not open
    # a workbook whose token is that of its stored reading (jobs/readings.py); without it every one is read.
    # Optional: ``read_typed_cells(department_key, sheet, columns)``, the team's cells as typed
    # ({(row, column): TypedCell}), which provisioning carries over. Optional (Google):
    # ``cell_link(department_key, sheet, cell) -> str | None``, the address of one cell of a workbook read
    # this run (``https://docs.google.com/spreadsheets/d/ID/edit#gid=GID&range=G12``).
    # A WorkbookError with a ``fix`` attribute words its problem itself (in the config's language); the
    # rollup shows ``str(error)`` and ``fix`` as the department's data issue.


@dataclass(frozen=True)
class SummaryPreview:
    """Where a run would write tonight's summary (``rollup --dry-run``), found by reading only."""

    location: str  # a path or a URL; for a summary not made yet, what would be made where
    open_lock: Path | None = None  # the lock file of a summary open in Excel or LibreOffice: it would go beside it
    replaces_row: bool = False  # the summary's history already has a row of that night: it would be replaced
    new: bool = False  # there is no summary yet: the run would create it
