"""Excel backend: team workbooks as .xlsx files on disk.

Writes each workbook whole from its spec with XlsxWriter
(`okrsheets.backends.excel_write`), atomically and never over a file open in
Excel or LibreOffice; reads with python-calamine, about 20x faster than
openpyxl (`okrsheets.backends.excel_read`), and the cells a team typed, with
their types and number formats, with openpyxl (`read_typed_cells`).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from okrsheets.backends.base import WorkbookData
from okrsheets.backends.excel_read import read_workbook
from okrsheets.backends.excel_write import write_workbook
from okrsheets.config import Config, safe_file_stem
from okrsheets.errors import WorkbookError
from okrsheets.files import atomic_write, ensure_not_open, file_version
from okrsheets.sheets.spec import CellError, Formula, WorkbookSpec
from okrsheets.sheets.team_workbook import TypedCell

if TYPE_CHECKING:  # openpyxl (and the numpy it imports) is loaded by what uses it: a rollup never does
    from openpyxl import Workbook

# Extensions of files that may be a team's workbook saved under another name or format.
_WORKBOOK_SUFFIXES = frozenset({"xlsx", "xlsm", "xls", "ods", "csv", "numbers"})


class ExcelBackend:
    name = "excel"
    parallel_reads = True  # plain files: the rollup may read them from forked worker processes

    def __init__(self, config: Config):
        self.config = config
        self.folder = config.quarter_folder

    def path(self, department_key: str) -> Path:
        return self.folder / f"{safe_file_stem(department_key)}.xlsx"

    def location(self, department_key: str) -> str:
        return str(self.path(department_key))

    def exists(self, department_key: str) -> bool:
        path = self.path(department_key)
        return path.exists() or path.is_symlink()  # a broken or looping link is there too, never overwritten blindly

    def check_writable(self, department_key: str) -> None:
        ensure_not_open(self.path(department_key))

    def version(self, department_key: str) -> str | None:
        """The workbook file's version token (`files.file_version`: its size and mtime_ns), None when it cannot be stat'ed."""
        return file_version(self.path(department_key))

    def read(self, department_key: str, sheets: Collection[str] | None = None) -> WorkbookData:
        return read_workbook(self.path(department_key), sheets)

    def read_typed_cells(self, department_key: str, sheet: str, columns: Collection[int]) -> dict[tuple[int, int], TypedCell]:
        return read_typed_cells(self.path(department_key), sheet, columns)

    def write(self, department_key: str, spec: WorkbookSpec) -> None:
        path = self.path(department_key)
        ensure_not_open(path)
        atomic_write(path, lambda tmp: write_workbook(spec, tmp))

    def near_misses(self, department_key: str) -> list[str]:
        """Files beside a missing workbook that may be it under another name or format, by name.

        "marketing (1).xlsx", "marketing-old.xlsx", "marketing.ods", "Marketing.XLSX" for
        marketing.xlsx; never another department's own workbook, a lock file or a backup.
        """
        path = self.path(department_key)
        stem = path.stem.casefold()
        others = {self.path(d.key).name.casefold() for d in self.config.departments} - {path.name.casefold()}
        try:
            names = sorted(entry.name for entry in self.folder.iterdir())
        except OSError:
            return []
        found = []
        for name in names:
            folded = name.casefold()
            if folded in others or name.startswith((".", "~$")) or ".backup-" in folded or name == path.name:
                continue
            base, dot, suffix = folded.rpartition(".")
            if dot and suffix in _WORKBOOK_SUFFIXES and (base == stem or (base.startswith(stem) and not base[len(stem)].isalnum())):
                found.append(name)
        return found

    def backup(self, department_key: str, stamp: str) -> str:
        path = self.path(department_key)
        target = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
        if path.is_dir() or (path.is_symlink() and not path.exists()):
            path.rename(target)  # a folder or a broken link under the name: moved aside whole
            return str(target)
        try:
            shutil.copy2(path, target)
        except PermissionError:  # a file okrsheets may not read: moved aside, content untouched
            target.unlink(missing_ok=True)
            path.rename(target)
        return str(target)


def read_typed_cells(path: Path, sheet: str, columns: Collection[int]) -> dict[tuple[int, int], TypedCell]:
    """The non-empty cells of ``columns`` on ``sheet``, each as the file holds it: {(row, column): TypedCell}.

    What provisioning carries over: its value with its type (a formula as its
    text, an error as an error, a date as a date) and its own number format.
    Raises WorkbookError when the file cannot be read.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise WorkbookError(f"{path}: cannot read the cells teams typed ({exc})", "damaged") from exc
    try:
        if sheet not in workbook.sheetnames:
            return {}
        wanted = set(columns)
        cells = {}
        for row in workbook[sheet].iter_rows(min_col=min(wanted), max_col=max(wanted)):
            for cell in row:
                if cell.value is None or getattr(cell, "column", None) not in wanted:
                    continue
                cells[(cell.row, cell.column)] = TypedCell(_typed_value(cell), cell.number_format)
        return cells
    finally:
        workbook.close()


def _typed_value(cell) -> object:
    """A cell's value as the spec writes it back: formulas as Formula, errors as CellError, the rest as is."""
    if cell.data_type == "f":
        return Formula(getattr(cell.value, "text", None) or str(cell.value))  # ArrayFormula keeps its text
    if cell.data_type == "e":
        return CellError(str(cell.value))
    return cell.value


# ---------------------------------------------------------------- rendering


def render(spec: WorkbookSpec) -> Workbook:
    """The workbook `ExcelBackend.write` saves for ``spec``, as openpyxl reads it back (to look at what is written)."""
    from openpyxl import load_workbook

    buffer = io.BytesIO()
    write_workbook(spec, buffer)
    buffer.seek(0)
    return load_workbook(buffer)
