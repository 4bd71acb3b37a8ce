"""Run reports of the nightly job: logged, and kept as the last-run record.

Every rollup run (from ``okrsheets rollup``, a timer, cron or ``okrsheets
schedule``) produces one :class:`RunReport`. It is

* logged to the ``okrsheets`` logger (stderr, so the journal or cron mail has
  it, and ``<quarter_folder>/okrsheets.log``, rotated at 1 MB, 5 kept), and
* written atomically to ``<quarter_folder>/last-run.json`` together with the
  last *successful* run, which ``okrsheets status`` prints and the scheduler
  uses to catch up after the machine was off.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from okrsheets import words
from okrsheets.core.results import RollupResult
from okrsheets.errors import BackendError, OkrsheetsError
from okrsheets.files import atomic_write
from okrsheets.i18n import status_label
from okrsheets.words import say

if TYPE_CHECKING:
    from okrsheets.config import Config

LOG_NAME = "okrsheets.log"
LAST_RUN_NAME = "last-run.json"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5
RECORD_FORMAT = 1

log = logging.getLogger("okrsheets")


# ---------------------------------------------------------------- reports


@dataclass(frozen=True)
class RunReport:
    """What one run did. Times are timezone-aware; counts are None when the run failed before knowing them."""

    started_at: datetime
    ended_at: datetime
    succeeded: bool
    trigger: str = "rollup"  # rollup | schedule | schedule-start
    reason: str | None = None  # why it failed
    company: str = ""
    quarter: str = ""
    as_of: str | None = None
    departments_total: int = 0
    departments_read: int | None = None
    departments_unread: tuple[str, ...] = ()  # keys of the departments whose workbook could not be read
    key_results_scored: int | None = None
    key_results_without_check_in: int | None = None
    data_issues: int | None = None
    errors: tuple[str, ...] = ()
    api_requests: int | None = None
    summary_path: str | None = None
    score: float | None = None
    status: str | None = None
    emails_sent: int | None = None  # None: the digest is off
    email_problems: tuple[str, ...] = ()
    pid: int = field(default_factory=os.getpid)
    host: str = field(default_factory=socket.gethostname)

    @property
    def complete(self) -> bool:
        """Succeeded and read every department's workbook."""
        return self.succeeded and not self.departments_unread

    @property
    def duration_seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()

    def to_json(self) -> dict:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["ended_at"] = self.ended_at.isoformat()
        data["errors"] = list(self.errors)
        data["departments_unread"] = list(self.departments_unread)
        data["email_problems"] = list(self.email_problems)
        return data

    @classmethod
    def from_json(cls, data: dict) -> RunReport:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["started_at"] = datetime.fromisoformat(data["started_at"])
        values["ended_at"] = datetime.fromisoformat(data["ended_at"])
        values["errors"] = tuple(data.get("errors") or ())
        values["departments_unread"] = tuple(data.get("departments_unread") or ())
        values["email_problems"] = tuple(data.get("email_problems") or ())
        return cls(**values)


def success_report(
    result: RollupResult,
    *,
    started_at: datetime,
    ended_at: datetime,
    trigger: str = "rollup",
    emails_sent: int | None = None,
    email_problems: tuple[str, ...] = (),
) -> RunReport:
    readable = [d for d in result.departments if d.readable]
    scored = [kr for d in readable for kr in d.key_results]
    return RunReport(
        started_at=started_at,
        ended_at=ended_at,
        succeeded=True,
        trigger=trigger,
        company=result.company,
        quarter=result.quarter,
        as_of=result.as_of.isoformat(),
        departments_total=len(result.departments),
        departments_read=len(readable),
        departments_unread=tuple(d.key for d in result.departments if not d.readable),
        key_results_scored=len(scored),
        key_results_without_check_in=sum(1 for kr in scored if kr.status == "no_data"),
        data_issues=len(result.issues),
        errors=tuple(result.errors),
        api_requests=sum(result.api_requests.values()) if result.api_requests is not None else None,
        summary_path=result.summary_path,
        score=result.score,
        status=result.status,
        emails_sent=emails_sent,
        email_problems=tuple(email_problems),
    )


def failure_report(
    error: BaseException,
    *,
    started_at: datetime,
    ended_at: datetime,
    trigger: str = "rollup",
    company: str = "",
    quarter: str = "",
    departments_total: int = 0,
) -> RunReport:
    return RunReport(
        started_at=started_at,
        ended_at=ended_at,
        succeeded=False,
        trigger=trigger,
        reason=failure_reason(error),
        company=company,
        quarter=quarter,
        departments_total=departments_total,
    )


def failure_reason(error: BaseException) -> str:
    """One line a person can act on: the message of our own errors, the type as well for anything else."""
    if isinstance(error, OkrsheetsError):
        return str(error) or type(error).__name__
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def key_list(keys: tuple[str, ...] | list[str], shown: int = 10) -> str:
    """Department keys for one line: the first ``shown``, then how many more."""
    more = len(keys) - shown
    return ", ".join(keys[:shown]) + (f" (+{more})" if more > 0 else "")


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


def summary_line(report: RunReport, language: str = "en") -> str:
    """The one log line of a run, e.g. ``rollup succeeded in 3.1 s (rollup): 6/6 departments read, ...``."""
    took = f"{report.duration_seconds:.1f} s"
    if not report.succeeded:
        return say(language, "log_failed", took=took, trigger=report.trigger, reason=report.reason)
    def counted(value: int | None, noun: str) -> str:
        return f"{_count(value)} {words.noun(language, value if value is not None else 2, noun)}"
    parts = [
        say(language, "log_read", read=_count(report.departments_read), total=report.departments_total)
        + (say(language, "log_not_read", keys=key_list(report.departments_unread)) if report.departments_unread else ""),
        say(language, "log_scored", count=counted(report.key_results_scored, "kr")),
        counted(report.data_issues, "data_issue"),
        counted(len(report.errors), "error"),
    ]
    if report.api_requests is not None:
        parts.append(counted(report.api_requests, "api_request"))
    if report.emails_sent is not None:
        parts.append(say(language, "log_sent", count=counted(report.emails_sent, "email")))
        if report.email_problems:
            parts.append(counted(len(report.email_problems), "email_problem"))
    parts.append(say(language, "log_summary", path=report.summary_path or say(language, "none")))
    return say(language, "log_succeeded", took=took, trigger=report.trigger, parts=", ".join(parts))


def log_report(report: RunReport, language: str = "en") -> None:
    if report.succeeded:
        log.info(summary_line(report, language))
        for error in report.errors:
            log.warning(say(language, "log_rollup_error", error=error))
    else:
        log.error(summary_line(report, language))


def report_lines(report: RunReport, language: str = "en") -> list[str]:
    """The report as ``okrsheets status`` prints it, in ``language``."""
    outcome = say(language, "outcome_succeeded" if report.complete else "outcome_incomplete" if report.succeeded else "outcome_failed")
    lines = [
        say(language, "report_last_run", outcome=outcome, trigger=report.trigger, pid=report.pid, host=report.host),
        say(language, "report_started", value=report.started_at.isoformat(timespec="seconds")),
        say(language, "report_ended", value=report.ended_at.isoformat(timespec="seconds"), seconds=f"{report.duration_seconds:.1f}"),
    ]
    if not report.succeeded:
        lines.append(say(language, "report_reason", value=report.reason))
        return lines
    without = report.key_results_without_check_in
    not_applicable = say(language, "not_applicable")
    score = not_applicable if report.score is None else f"{report.score:.0%}"
    lines += [
        say(language, "report_as_of", value=report.as_of),
        say(language, "report_read", read=_count(report.departments_read), total=report.departments_total),
        *([say(language, "report_not_read", keys=key_list(report.departments_unread))] if report.departments_unread else []),
        say(language, "report_scored", value=_count(report.key_results_scored))
        + (say(language, "report_without", count=without) if without else ""),
        say(language, "report_issues", value=_count(report.data_issues)),
        say(language, "report_errors", value=len(report.errors) or say(language, "none_errors")),
        *(f"    - {error}" for error in report.errors),
        say(language, "report_requests", value=not_applicable if report.api_requests is None else report.api_requests),
        say(language, "report_score", value=score) + (f" ({status_label(report.status, language)})" if report.status else ""),
        say(language, "report_summary", value=report.summary_path or say(language, "none")),
        say(language, "report_emails", value=say(language, "digest_off") if report.emails_sent is None else report.emails_sent),
        *(f"    - {problem}" for problem in report.email_problems),
    ]
    return lines


# ---------------------------------------------------------------- last-run record


@dataclass(frozen=True)
class LastRun:
    """The content of ``last-run.json``."""

    last_run: RunReport
    last_success: RunReport | None

    def to_json(self) -> dict:
        return {
            "format": RECORD_FORMAT,
            "last_run": self.last_run.to_json(),
            "last_success": self.last_success.to_json() if self.last_success else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> LastRun:
        success = data.get("last_success")
        return cls(RunReport.from_json(data["last_run"]), RunReport.from_json(success) if success else None)


def last_run_path(folder: Path) -> Path:
    return Path(folder) / LAST_RUN_NAME


def read_last_run(folder: Path, language: str = "en") -> LastRun | None:
    """The last-run record, None when there has been no run; BackendError when it is unreadable."""
    path = last_run_path(folder)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BackendError(say(language, "last_run_unreadable", path=path, why=exc.strerror or exc)) from None
    try:
        return LastRun.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise BackendError(say(language, "last_run_damaged", path=path, why=exc)) from None


def record_run(folder: Path, report: RunReport) -> LastRun:
    """Write ``last-run.json`` atomically, keeping the previous last success when this run failed."""
    previous_success = None
    if not report.succeeded:
        try:
            previous = read_last_run(folder)
        except BackendError as exc:
            log.warning("%s", exc)
            previous = None
        previous_success = previous.last_success if previous else None
    record = LastRun(report, report if report.succeeded else previous_success)
    text = json.dumps(record.to_json(), ensure_ascii=False, indent=2) + "\n"
    atomic_write(last_run_path(folder), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return record


def keep_report(config: Config, report: RunReport) -> None:
    """Log ``report`` and write it to ``last-run.json`` in ``config``'s quarter folder; a folder that cannot be
    written is logged, never raised (the run itself is over)."""
    log_report(report, config.language)
    try:
        record_run(config.quarter_folder, report)
    except OSError as exc:
        log.error(say(config.language, "last_run_unwritable", folder=config.quarter_folder, why=exc))


def record_failure(config: Config, error: BaseException, *, started_at: datetime, ended_at: datetime, trigger: str) -> None:
    """Keep a failed night's report (`keep_report`).

    Also for a night of ``okrsheets schedule`` that failed before its rollup began (the config, edited, no longer
    loads): ``config`` is then the one the schedule was running with, so ``last-run.json`` (what ``okrsheets
    status`` shows, once the config loads again, and what a monitoring check reads) says the night failed, and why.
    """
    keep_report(config, failure_report(
        error, started_at=started_at, ended_at=ended_at, trigger=trigger, company=config.company,
        quarter=config.quarter.name, departments_total=len(config.departments),
    ))


# ---------------------------------------------------------------- logging setup


class ZonedFormatter(logging.Formatter):
    """Log times as ISO 8601 with the UTC offset of the given timezone (default: the machine's)."""

    def __init__(self, fmt: str, tz: tzinfo | None = None):
        super().__init__(fmt)
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging API)
        moment = datetime.fromtimestamp(record.created, self.tz)
        if self.tz is None:
            moment = moment.astimezone()
        return moment.isoformat(timespec="seconds")


LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(message)s"


def _ensure_info_level() -> None:
    if log.level == logging.NOTSET or log.level > logging.INFO:
        log.setLevel(logging.INFO)


class _StderrHandler(logging.StreamHandler):
    """The one stderr handler setup_stderr_logging adds (found again by its class)."""


def setup_stderr_logging(tz: tzinfo | None = None, level: int = logging.INFO) -> logging.Handler:
    """Send the ``okrsheets`` log to stderr once per process (the CLI calls this)."""
    for handler in log.handlers:
        if isinstance(handler, _StderrHandler):
            handler.setFormatter(ZonedFormatter(LOG_FORMAT, tz))
            return handler
    added = _StderrHandler(sys.stderr)
    added.setFormatter(ZonedFormatter(LOG_FORMAT, tz))
    log.addHandler(added)
    log.setLevel(level)
    return added


def _file_handler_for(path: Path) -> logging.Handler | None:
    wanted = os.path.abspath(path)
    for handler in log.handlers:
        if isinstance(handler, logging.FileHandler) and handler.baseFilename == wanted:
            return handler
    return None


def attach_log_file(folder: Path, tz: tzinfo | None = None) -> tuple[logging.Handler, bool]:
    """Add a rotating ``okrsheets.log`` handler for ``folder`` unless one is there; return it and whether it is new."""
    path = Path(folder) / LOG_NAME
    existing = _file_handler_for(path)
    if existing is not None:
        return existing, False
    Path(folder).mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True
    )
    handler.setFormatter(ZonedFormatter(LOG_FORMAT, tz))
    handler.setLevel(logging.INFO)
    _ensure_info_level()
    log.addHandler(handler)
    return handler, True


def detach_log_file(handler: logging.Handler) -> None:
    log.removeHandler(handler)
    handler.close()


@contextmanager
def log_file(folder: Path, tz: tzinfo | None = None) -> Iterator[None]:
    """Log to ``<folder>/okrsheets.log`` for the ``with`` block (no duplicate when already attached)."""
    try:
        handler, added = attach_log_file(folder, tz)
    except OSError as exc:
        log.warning("cannot open the log file in %s: %s", folder, exc)
        handler, added = None, False
    try:
        yield
    finally:
        if added and handler is not None:
            detach_log_file(handler)
