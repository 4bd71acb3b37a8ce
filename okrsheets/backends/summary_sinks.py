"""Where the rollup's company summary goes: one small "summary sink" per backend, chosen from the config.

:func:`open_summary_sink` gives the sink of ``config.backend``:

- Excel: ``company-summary.xlsx`` in the quarter folder (beside it when that one is
  open in Excel or LibreOffice), rendered by :mod:`okrsheets.backends.excel_summary`;
- Google: the summary spreadsheet in the Drive folder, rendered by
  :mod:`okrsheets.backends.google.summary` through the same connection the
  backend read the team spreadsheets with, when the backend offers one
  (``backend.connection``), so one counter sees every request of the run.

A sink's :meth:`preview` says what a run would write where, reading only
(``rollup --dry-run``); :meth:`write` returns where the summary went and the notes the run
reports (e.g. "the summary was open, tonight's went beside it");
:meth:`api_requests` the Google API requests of the run by kind, or None
(Excel sends none). The check-in state and the readings store stay in the
quarter folder (``[backend] folder``) for both backends: see docs/architecture.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from okrsheets.backends.base import Backend, SummaryPreview
from okrsheets.config import Config
from okrsheets.core.results import RollupResult
from okrsheets.errors import BackendError, OkrsheetsError
from okrsheets.files import describe_os_error, office_lock_file

__all__ = ["ExcelSummarySink", "SummaryPlace", "SummaryPreview", "SummarySink", "SummaryWrite", "open_summary_sink"]

log = logging.getLogger("okrsheets")


@dataclass(frozen=True)
class SummaryWrite:
    location: str  # a path or a URL
    notes: tuple[str, ...] = ()  # what the run reports in ``errors`` (the summary went elsewhere than usual)


class SummaryPlace(Protocol):
    """Where a summary went: a SummaryWrite, or a backend's own record with these two (Google's SummaryWritten)."""

    @property
    def location(self) -> str: ...

    @property
    def notes(self) -> tuple[str, ...]: ...


class SummarySink(Protocol):
    def preview(self, as_of: date) -> SummaryPreview:
        """Where tonight's summary would go and whether its history has that night already; writes nothing."""

    def write(self, result: RollupResult) -> SummaryPlace:
        """Write tonight's summary; raises an OkrsheetsError whose message says what to do."""

    def api_requests(self) -> dict[str, int] | None:
        """The API requests of the run so far by kind, or None for a backend without an API."""


def open_summary_sink(config: Config, backend: Backend) -> SummarySink:
    if config.backend == "google":
        from okrsheets.backends.google.summary import GoogleSummarySink

        return GoogleSummarySink(config, backend)
    return ExcelSummarySink(config)


_SUMMARY_OPEN = {
    "vi": "{name} đang mở trong Excel hoặc LibreOffice (tệp khóa {lock}): bảng tổng hợp đêm nay được ghi vào {path}; "
          "đóng tệp đó để đêm sau ghi lại vào {name}",
    "en": "{name} is open in Excel or LibreOffice (lock file {lock}): tonight's summary was written to {path}; "
          "close it and the next night writes {name} again",
}


class ExcelSummarySink:
    """``company-summary.xlsx`` in the quarter folder; its history carried over from the earlier files."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def api_requests(self) -> dict[str, int] | None:
        return None

    def preview(self, as_of: date) -> SummaryPreview:
        from okrsheets.backends.excel_summary import read_history, summary_target

        target, open_lock = summary_target(self.config.quarter_folder, as_of)
        try:
            replaces = any(row["date"] == as_of for row in read_history(target))
        except (OkrsheetsError, OSError):
            replaces = False  # an unreadable summary is kept aside by the real run; the row is new there
        return SummaryPreview(str(target), open_lock, replaces, new=not target.exists())

    def write(self, result: RollupResult) -> SummaryWrite:
        from okrsheets.backends.excel_summary import SUMMARY_NAME, earlier_summaries, summary_target, write_summary

        config = self.config
        lang = "en" if config.language == "en" else "vi"
        folder = config.quarter_folder
        target = folder
        notes = []
        try:
            target, open_lock = summary_target(folder, result.as_of)
            earlier = earlier_summaries(folder)
            usual = folder / SUMMARY_NAME
            history_from = [p for p in ([usual] if target != usual and usual.is_file() else []) + earlier if p != target]
            write_summary(result, target, config.scoring, config.email.stale_after_days, history_from=history_from)
            if open_lock is not None:
                notes.append(_SUMMARY_OPEN[lang].format(name=SUMMARY_NAME, lock=open_lock.name, path=target))
                log.warning("%s", notes[-1])
            else:
                _remove_superseded(earlier, target)
        except OSError as exc:
            raise BackendError(describe_os_error(exc, getattr(exc, "filename", None) or target, lang)) from None
        return SummaryWrite(str(target), tuple(notes))


def _remove_superseded(earlier: list[Path], written: Path) -> None:
    """Summaries written beside an open one: their history is now in ``written``; drop those not open."""
    for path in earlier:
        if path == written or office_lock_file(path) is not None:
            continue
        try:
            path.unlink()
            log.info("removed %s: its history is kept in %s", path.name, written.name)
        except OSError as exc:
            log.warning("cannot remove %s: %s", path, exc)
