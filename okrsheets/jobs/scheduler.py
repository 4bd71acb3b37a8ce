"""The nightly loop behind ``okrsheets schedule``: run a job every day at ``run_at`` in the config's timezone.

The loop is a plain one: sleep until :func:`next_run_after` (at most a minute
at a time, so a suspended machine or a changed clock is noticed), run, repeat.
The next run is computed with :mod:`zoneinfo` from an injectable clock, so the
job runs at 02:00 Asia/Ho_Chi_Minh whatever the machine's own timezone is,
across daylight-saving changes, and tests drive days of schedule in
milliseconds. The job is handed in (the CLI builds it from
:func:`okrsheets.jobs.nightly.run_nightly`); this module imports nothing from
the nightly run.

Stopping: :meth:`NightlyLoop.request_stop` ends the loop at once between runs
and right after the current run during one. :func:`run_until_signalled` wires
SIGTERM and SIGINT to it (a second signal stops the process without waiting).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from okrsheets.config import Config
from okrsheets.errors import BackendError, OkrsheetsError, RollupLockedError
from okrsheets.jobs.runlog import LastRun, attach_log_file, failure_reason, read_last_run, record_failure
from okrsheets.plan import load_config_with_plan_problems
from okrsheets.words import count, say

log = logging.getLogger("okrsheets")

Clock = Callable[[], datetime]
Sleep = Callable[[float], object]
NightlyRun = Callable[[Config, str], object]  # one nightly run of a config, given what triggered it

MAX_SLEEP = 60.0  # wake up at least this often, so a suspended machine or a changed clock is noticed
CATCH_UP_AFTER = timedelta(days=1)


def next_run_after(now: datetime, run_at: time, tz: tzinfo) -> datetime:
    """The first moment strictly after ``now`` at which the wall clock in ``tz`` shows ``run_at``.

    ``now`` must be timezone-aware. When ``run_at`` falls into a DST gap it is
    moved forward by the gap (02:30 on a spring-forward night becomes 03:30);
    in a repeated hour the first occurrence is taken.
    """
    if now.tzinfo is None:
        raise ValueError("next_run_after needs a timezone-aware datetime")
    local = now.astimezone(tz)
    day = local.date()
    for _ in range(3):
        candidate = _wall_time(datetime.combine(day, run_at.replace(tzinfo=None)), tz)
        if candidate > now:
            return candidate
        day += timedelta(days=1)
    raise AssertionError("unreachable: a day always has the run time")


def _wall_time(naive: datetime, tz: tzinfo) -> datetime:
    """``naive`` as a real moment in ``tz``: first of two in a repeated hour, shifted forward in a gap."""
    moment = naive.replace(tzinfo=tz, fold=0)
    round_trip = moment.astimezone(ZoneInfo("UTC")).astimezone(tz)
    if round_trip.replace(tzinfo=None) != naive:  # in a DST gap
        return round_trip
    return moment


def catch_up_reason(last: LastRun | None, now: datetime, max_age: timedelta = CATCH_UP_AFTER, language: str = "en") -> str | None:
    """Why a run is due at start (no success yet, or the last success is older than ``max_age``), or None."""
    success = last.last_success if last else None
    if success is None:
        return say(language, "schedule_no_success")
    if now - success.started_at > max_age:
        return say(language, "schedule_stale_success", when=success.started_at.isoformat(timespec="minutes"))
    return None


class NightlyLoop:
    """Run ``job(trigger)`` daily at ``run_at`` in ``tz`` until stopped.

    ``job`` does one nightly run and may raise: a failure is logged with its
    reason and the loop goes on. ``clock`` (timezone-aware now) and ``sleep``
    (seconds; may return early) are injectable for tests; by default the
    sleep ends as soon as a stop is requested.
    """

    def __init__(
        self,
        job: Callable[[str], object],
        run_at: time,
        tz: tzinfo,
        *,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        max_sleep: float = MAX_SLEEP,
        language: str = "en",
    ):
        self.job = job
        self.language = language  # of the log lines
        self.run_at = run_at
        self.tz = tz
        self.clock: Clock = clock or (lambda: datetime.now(tz))
        self._stop = threading.Event()
        self.sleep: Sleep = sleep or self._stop.wait
        self.max_sleep = max_sleep
        self.next_run = next_run_after(self.clock(), run_at, tz)  # timezone-aware
        self.running = False
        self.runs = 0
        self.failures = 0
        self.stop_reason: str | None = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def request_stop(self, reason: str = "stop requested") -> None:
        """Stop at once between runs, or after the current run finishes."""
        if self.stop_reason is None:
            self.stop_reason = reason
        self._stop.set()

    def run(self, run_at_start: str | None = None) -> None:
        """Loop until :meth:`request_stop`; ``run_at_start`` (a reason) runs the job once first."""
        log.info(say(self.language, "schedule_started", at=self.run_at.strftime("%H:%M"), tz=self.tz, next=self._when(self.next_run)))
        if run_at_start and not self.stopping:
            log.info(say(self.language, "schedule_at_start", why=run_at_start))
            self._run_and_reschedule("schedule-start")
        while not self.stopping:
            if self.clock() >= self.next_run:
                self._run_and_reschedule("schedule")
                continue
            delay = (self.next_run - self.clock()).total_seconds()
            self.sleep(min(delay, self.max_sleep))  # at most a minute: a suspend or a clock change is noticed
        log.info(say(self.language, "schedule_stopped", reason=self.stop_reason, runs=count(self.language, self.runs, "run"), failed=self.failures))

    def _run_and_reschedule(self, trigger: str) -> None:
        """One run, then the next due time after it (a run that went past run_at was that night's run)."""
        self.run_once(trigger)
        self.next_run = next_run_after(self.clock(), self.run_at, self.tz)
        if not self.stopping:
            log.info(say(self.language, "schedule_next", when=self._when(self.next_run)))

    def run_once(self, trigger: str) -> bool:
        """Run the job now; log a failure instead of raising. True when it succeeded."""
        self.running = True
        self.runs += 1
        try:
            self.job(trigger)
            return True
        except RollupLockedError as exc:
            log.warning(say(self.language, "schedule_skipped", why=exc))
            return False
        except OkrsheetsError as exc:
            self.failures += 1
            log.error(say(self.language, "schedule_failed", why=failure_reason(exc)))
            return False
        except Exception as exc:
            self.failures += 1
            log.error(say(self.language, "schedule_failed", why=failure_reason(exc)), exc_info=True)
            return False
        finally:
            self.running = False

    def _when(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).isoformat(timespec="minutes")


def run_until_signalled(loop: NightlyLoop, run_at_start: str | None = None) -> None:
    """Run ``loop`` in a worker thread; SIGTERM/SIGINT stop it cleanly, a second one stops the process at once.

    The main thread only waits, so the signal handler never interrupts the
    rollup itself; it only asks the loop to stop. Must be called from the
    main thread. An unexpected error of the loop is re-raised here.
    """
    errors: list[BaseException] = []

    def work() -> None:
        try:
            loop.run(run_at_start)
        except BaseException as exc:  # hand it to the main thread
            errors.append(exc)
            loop.request_stop(f"error: {failure_reason(exc)}")

    def on_signal(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        if loop.stopping:
            log.warning(say(loop.language, "schedule_signal_again", signal=name))
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if loop.running:
            log.info(say(loop.language, "schedule_signal_after_run", signal=name))
        else:
            log.info(say(loop.language, "schedule_signal", signal=name))
        loop.request_stop(name)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    worker = threading.Thread(target=work, name="okrsheets-schedule")
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.5)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if errors:
        raise errors[0]


# ---------------------------------------------------------------- okrsheets schedule


def read_last_run_quietly(folder: Path, language: str = "en") -> LastRun | None:
    """The last-run record for the catch-up decision; a damaged record counts as none (with a warning)."""
    try:
        return read_last_run(folder, language)
    except BackendError as exc:
        log.warning("%s", exc)
        return None


def _reload(config: Config) -> Config:
    """The config as it is on disk now (so a new quarter or new departments need no restart).

    A config edited wrong fails that night's run with every problem of the config and of its plan, in the config's
    language (the running one's when the file cannot be read at all).
    """
    if config.source is None:
        return config
    fresh = load_config_with_plan_problems(config.source, config.language)
    if (fresh.run_at, fresh.timezone) != (config.run_at, config.timezone):
        log.warning(say(config.language, "schedule_time_changed", path=config.source))
    return fresh


def build_schedule(
    config: Config,
    nightly_run: NightlyRun,
    *,
    run_now: bool = False,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
) -> tuple[NightlyLoop, str | None]:
    """The loop for ``config`` and why it runs once at start (``--now``, or a missed night), or None.

    Each run re-reads the config (so a new quarter or new departments need no
    restart) and calls ``nightly_run(config, trigger)``.
    """
    tz = config.tz
    clock = clock or (lambda: datetime.now(tz))

    def job(trigger: str) -> object:
        started = clock()
        try:
            fresh = _reload(config)
        except OkrsheetsError as exc:  # the night fails before its rollup: recorded all the same (see record_failure)
            record_failure(config, exc, started_at=started, ended_at=clock(), trigger=trigger)
            raise
        return nightly_run(fresh, trigger)

    loop = NightlyLoop(job, config.run_at, tz, clock=clock, sleep=sleep, language=config.language)
    if run_now:
        return loop, "--now"
    return loop, catch_up_reason(read_last_run_quietly(config.quarter_folder, config.language), clock(), language=config.language)


def run_schedule(
    config: Config,
    nightly_run: NightlyRun,
    *,
    run_now: bool = False,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
    handle_signals: bool = True,
) -> int:
    """``okrsheets schedule``: run the nightly job daily until SIGTERM/SIGINT; returns the exit code (0)."""
    try:
        attach_log_file(config.quarter_folder, config.tz)
    except OSError as exc:
        log.warning(say(config.language, "log_file_unusable", folder=config.quarter_folder, why=exc))
    loop, at_start = build_schedule(config, nightly_run, run_now=run_now, clock=clock, sleep=sleep)
    if handle_signals and threading.current_thread() is threading.main_thread():
        run_until_signalled(loop, at_start)
    else:
        loop.run(at_start)
    return 0
