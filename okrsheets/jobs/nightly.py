"""One nightly run: lock, rollup, run report, e-mail digest; and ``okrsheets status``.

:func:`run_nightly` is what ``okrsheets rollup`` and every ``okrsheets
schedule`` run call. The rollup function is passed in (default:
:func:`okrsheets.jobs.rollup.run_rollup`, imported when first needed) so tests and
other callers can give their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from okrsheets.config import Config
from okrsheets.core.results import RollupResult
from okrsheets.errors import OkrsheetsError
from okrsheets.files import check_folder, check_share_mounted
from okrsheets.jobs.lock import LockOwner, held_by, rollup_lock
from okrsheets.jobs.runlog import (
    LastRun,
    keep_report,
    key_list,
    log_file,
    read_last_run,
    record_failure,
    report_lines,
    success_report,
)
from okrsheets.jobs.scheduler import next_run_after
from okrsheets.words import count, say

log = logging.getLogger("okrsheets")

Progress = Callable[[int, int], None]
RollupFunction = Callable[..., RollupResult]

# okrsheets status exit codes
STATUS_SUCCEEDED = 0
STATUS_FAILED = 1
STATUS_NO_RUN = 3


def default_rollup() -> RollupFunction:
    from okrsheets.jobs.rollup import run_rollup

    return run_rollup


def run_nightly(
    config: Config,
    as_of: date | None = None,
    wait: bool | float = False,
    rollup: RollupFunction | None = None,
    progress: Progress | None = None,
    *,
    trigger: str = "rollup",
    clock: Callable[[], datetime] | None = None,
    full: bool = False,
) -> RollupResult:
    """Take the rollup lock, run the rollup, record the run, send the digest.

    The rollup skips workbooks unchanged since their last reading; ``full``
    (``rollup --full``) reads them all and is passed on as ``full=True``.

    * Another rollup running: :class:`~okrsheets.errors.RollupLockedError`
      (exit code 75) at once, or wait for it with ``wait=True`` (or at most
      ``wait`` seconds).
    * The run report is logged and written to ``last-run.json`` also when the
      rollup fails; the rollup's exception is then re-raised.
    * With ``config.email.enabled`` the digest is sent after a successful
      rollup; a failed send is logged and recorded, never raised.
    """
    rollup = rollup or default_rollup()
    now = clock or (lambda: datetime.now(config.tz))
    folder = config.quarter_folder
    if config.backend == "excel" and config.excel is not None:  # an unmounted share: read and write nothing
        check_share_mounted(Path(config.excel.folder), config.language)
    check_folder(folder, config.language)  # a folder that is a file, a link loop, no permission: say so plainly
    with log_file(folder, config.tz):
        with rollup_lock(folder, wait=wait, tz=config.tz, command=trigger, language=config.language):
            return _run_locked(config, as_of, rollup, progress, trigger, now, full)


def _run_locked(
    config: Config,
    as_of: date | None,
    rollup: RollupFunction,
    progress: Progress | None,
    trigger: str,
    now: Callable[[], datetime],
    full: bool = False,
) -> RollupResult:
    started = now()
    log.info(say(
        config.language, "log_started", trigger=trigger, company=config.company, quarter=config.quarter.name,
        departments=count(config.language, len(config.departments), "department"),
    ))
    try:
        result = rollup(config, as_of=as_of, progress=progress, **({"full": True} if full else {}))
    except BaseException as exc:
        if not isinstance(exc, (OkrsheetsError, KeyboardInterrupt, SystemExit)):
            log.error("unexpected error in the rollup", exc_info=True)
        record_failure(config, exc, started_at=started, ended_at=now(), trigger=trigger)
        raise
    emails_sent, email_problems = _digest(config, result)
    keep_report(config, success_report(
        result, started_at=started, ended_at=now(), trigger=trigger,
        emails_sent=emails_sent, email_problems=email_problems,
    ))
    return result


_UNREAD = {
    "vi": "{count}/{total} phòng ban không đọc được tệp ({keys}); bảng tổng hợp dùng số liệu đọc được gần nhất "
          "của các phòng ban đó, xem trang vấn đề dữ liệu",
    "en": "{count} of {total} departments could not be read ({keys}); the summary shows their last good reading, "
          "see its data-issues sheet",
}


def unread_message(result: RollupResult) -> str | None:
    """Why the rollup exits 1 although it wrote the summary: the departments it could not read; None if all were read."""
    unread = [d.key for d in result.departments if not d.readable]
    if not unread:
        return None
    words = _UNREAD["en" if result.language == "en" else "vi"]
    return words.format(count=len(unread), total=len(result.departments), keys=key_list(unread))


def _digest(config: Config, result: RollupResult) -> tuple[int | None, tuple[str, ...]]:
    """Send the digest when enabled; a failure of any kind is logged, never raised."""
    if not config.email.enabled:
        return None, ()
    from okrsheets.jobs.digest import send_digest

    try:
        outcome = send_digest(config, result)
    except Exception as exc:  # a bug in the digest must not fail a rollup that wrote its summary
        failed = say(config.language, "digest_failed", why=exc)
        log.error(failed, exc_info=True)
        return 0, (failed,)
    return outcome.sent, outcome.problems


# ---------------------------------------------------------------- okrsheets status


@dataclass(frozen=True)
class NightlyStatus:
    """What ``okrsheets status`` shows."""

    last: LastRun | None
    next_run: datetime
    now: datetime
    running: LockOwner | None = None
    folder: Path | None = None
    language: str = "en"

    @property
    def exit_code(self) -> int:
        if self.last is None:
            return STATUS_NO_RUN
        return STATUS_SUCCEEDED if self.last.last_run.complete else STATUS_FAILED

    def lines(self) -> list[str]:
        language = self.language
        lines = []
        if self.running is not None:
            since = self.running.since.isoformat(timespec="seconds")
            lines.append(say(language, "running_now", pid=self.running.pid, host=self.running.host, since=since))
        if self.last is None:
            lines.append(say(language, "no_run_yet", path=self.folder / "last-run.json" if self.folder else "last-run.json"))
        else:
            lines += report_lines(self.last.last_run, language)
            if not self.last.last_run.succeeded:
                success = self.last.last_success
                when = success.ended_at.isoformat(timespec="seconds") if success else say(language, "never")
                lines.append(say(language, "last_success", when=when))
        duration = _duration(self.next_run - self.now, language)
        lines.append(say(language, "next_run", when=self.next_run.isoformat(timespec="minutes"), duration=duration))
        return lines

    def to_json(self) -> dict:
        return {
            "exit_code": self.exit_code,
            "last_run": self.last.last_run.to_json() if self.last else None,
            "last_success": self.last.last_success.to_json() if self.last and self.last.last_success else None,
            "next_run": self.next_run.isoformat(),
            "running": self.running.to_json() if self.running else None,
        }


def _duration(delta, language: str) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    return say(language, "duration_hours", hours=hours, minutes=minutes) if hours else say(language, "duration_minutes", minutes=minutes)


def nightly_status(config: Config, now: datetime | None = None) -> NightlyStatus:
    """The last run (from ``last-run.json``), whether one is running, and when the next is due."""
    now = now or datetime.now(config.tz)
    folder = config.quarter_folder
    return NightlyStatus(
        last=read_last_run(folder, config.language),
        next_run=next_run_after(now, config.run_at, config.tz),
        now=now,
        running=held_by(folder),
        folder=folder,
        language=config.language,
    )
