"""The nightly loop: times in the config's timezone, catch-up, failures, stopping, and real processes with SIGTERM."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
import time as walltime
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo


from okrsheets.errors import BackendError, RollupLockedError
from okrsheets.jobs.nightly import run_nightly
from okrsheets.jobs.runlog import LAST_RUN_NAME, LastRun, RunReport, read_last_run, record_run
from okrsheets.jobs.scheduler import NightlyLoop, build_schedule, catch_up_reason, next_run_after

from .helpers.nightly import FakeRollup, make_config, provision_hr, write_config

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = ZoneInfo("UTC")
REPO = Path(__file__).resolve().parent.parent


class FakeTime:
    """A clock and a sleep that advances it: days of schedule in milliseconds."""

    def __init__(self, start: datetime):
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)


# ---------------------------------------------------------------- when


def test_next_run_is_run_at_in_the_config_timezone_whatever_the_clock_zone():
    at = time(2, 0)
    assert next_run_after(datetime(2026, 11, 20, 1, 59, tzinfo=ICT), at, ICT) == datetime(2026, 11, 20, 2, 0, tzinfo=ICT)
    assert next_run_after(datetime(2026, 11, 20, 2, 0, tzinfo=ICT), at, ICT) == datetime(2026, 11, 21, 2, 0, tzinfo=ICT)
    # 18:30 UTC is 01:30 in Vietnam: the run is 30 minutes away, not tomorrow's 02:00 UTC
    run = next_run_after(datetime(2026, 11, 20, 18, 30, tzinfo=UTC), at, ICT)
    assert run == datetime(2026, 11, 20, 19, 0, tzinfo=UTC)
    assert run.tzinfo == ICT and run.isoformat() == "2026-11-21T02:00:00+07:00"


def test_next_run_across_daylight_saving_changes():
    berlin = ZoneInfo("Europe/Berlin")
    # 2026-03-29: 02:00-03:00 does not exist; 02:30 moves to 03:30 that day, then back to 02:30
    spring = next_run_after(datetime(2026, 3, 28, 12, 0, tzinfo=berlin), time(2, 30), berlin)
    assert spring.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert next_run_after(spring, time(2, 30), berlin).isoformat() == "2026-03-30T02:30:00+02:00"
    # 2026-10-25: 02:30 happens twice; the first one (CEST) is taken, once
    autumn = next_run_after(datetime(2026, 10, 24, 12, 0, tzinfo=berlin), time(2, 30), berlin)
    assert autumn.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert next_run_after(autumn, time(2, 30), berlin).date().day == 26


def report(started: datetime, succeeded: bool = True) -> RunReport:
    return RunReport(started_at=started, ended_at=started + timedelta(seconds=5), succeeded=succeeded,
                     reason=None if succeeded else "boom")


def test_catch_up_when_the_last_success_is_older_than_a_day():
    now = datetime(2026, 11, 20, 9, 0, tzinfo=ICT)
    assert catch_up_reason(None, now) == "no successful rollup is recorded yet"
    recent = report(datetime(2026, 11, 20, 2, 0, tzinfo=ICT))
    assert catch_up_reason(LastRun(recent, recent), now) is None
    old = report(datetime(2026, 11, 19, 2, 0, tzinfo=ICT))
    assert "more than a day ago" in catch_up_reason(LastRun(old, old), now)
    failed_last_night = report(datetime(2026, 11, 20, 2, 0, tzinfo=ICT), succeeded=False)
    assert catch_up_reason(LastRun(failed_last_night, old), now) is not None
    assert catch_up_reason(LastRun(failed_last_night, None), now) is not None


# ---------------------------------------------------------------- the loop on a fake clock


def test_runs_daily_at_run_at_for_days_on_a_fake_clock():
    fake = FakeTime(datetime(2026, 11, 19, 18, 59, 30, tzinfo=UTC))  # 01:59:30 in Vietnam
    runs: list[tuple[str, datetime]] = []

    def job(trigger: str) -> None:
        runs.append((trigger, fake.now))
        if len(runs) == 3:
            loop.request_stop("test")

    loop = NightlyLoop(job, time(2, 0), ICT, clock=fake.clock, sleep=fake.sleep)
    assert loop.next_run == datetime(2026, 11, 20, 2, 0, tzinfo=ICT)
    loop.run()
    assert [t for t, _ in runs] == ["schedule"] * 3
    assert [when.astimezone(ICT).isoformat() for _, when in runs] == [
        "2026-11-20T02:00:00+07:00", "2026-11-21T02:00:00+07:00", "2026-11-22T02:00:00+07:00",
    ]
    assert max(fake.sleeps) <= 60  # wakes up at least every minute
    assert loop.runs == 3 and loop.failures == 0


def test_a_failed_run_is_logged_and_the_loop_goes_on(caplog):
    caplog.set_level(logging.INFO, logger="okrsheets")
    fake = FakeTime(datetime(2026, 11, 20, 1, 0, tzinfo=ICT))
    outcomes = [BackendError("cannot write the summary: disk full"), RollupLockedError("another rollup is running (pid 9, since 02:00)"),
                ZeroDivisionError("oops"), None]

    def job(trigger: str) -> None:
        outcome = outcomes.pop(0)
        if not outcomes:
            loop.request_stop("test")
        if outcome is not None:
            raise outcome

    loop = NightlyLoop(job, time(2, 0), ICT, clock=fake.clock, sleep=fake.sleep)
    loop.run()
    assert outcomes == [] and loop.runs == 4 and loop.failures == 2
    assert "nightly run failed: cannot write the summary: disk full" in caplog.text
    assert "nightly run skipped: another rollup is running (pid 9, since 02:00)" in caplog.text
    assert "nightly run failed: ZeroDivisionError: oops" in caplog.text
    assert "next run 2026-11-21T02:00+07:00" in caplog.text
    assert "schedule stopped (test) after 4 runs, 2 failed" in caplog.text


def test_a_machine_asleep_for_days_runs_once_on_waking_not_once_per_missed_night():
    fake = FakeTime(datetime(2026, 11, 20, 1, 0, tzinfo=ICT))
    runs = []

    def suspend_then_sleep(seconds: float) -> None:
        if not fake.sleeps:
            fake.now += timedelta(days=3)  # the first sleep lasts three days (a suspended laptop)
        fake.sleep(seconds)

    def job(trigger: str) -> None:
        runs.append(fake.now.isoformat())
        if len(runs) == 2:
            loop.request_stop()

    loop = NightlyLoop(job, time(2, 0), ICT, clock=fake.clock, sleep=suspend_then_sleep)
    loop.run()
    assert runs == ["2026-11-23T01:01:00+07:00", "2026-11-23T02:00:00+07:00"]


def test_run_at_start_runs_once_then_keeps_the_schedule():
    fake = FakeTime(datetime(2026, 11, 20, 15, 0, tzinfo=ICT))
    runs = []

    def job(trigger: str) -> None:
        runs.append((trigger, fake.now))
        if len(runs) == 2:
            loop.request_stop()

    loop = NightlyLoop(job, time(2, 0), ICT, clock=fake.clock, sleep=fake.sleep)
    loop.run(run_at_start="--now")
    assert runs == [
        ("schedule-start", datetime(2026, 11, 20, 15, 0, tzinfo=ICT)),
        ("schedule", datetime(2026, 11, 21, 2, 0, tzinfo=ICT)),
    ]


def test_stop_between_runs_returns_at_once():
    loop = NightlyLoop(lambda trigger: None, time(2, 0), ICT)  # real clock; sleeps until stopped
    thread = threading.Thread(target=loop.run)
    thread.start()
    walltime.sleep(0.2)
    started = walltime.monotonic()
    loop.request_stop("test")
    thread.join(5)
    assert not thread.is_alive() and walltime.monotonic() - started < 1
    assert loop.runs == 0


def test_stop_during_a_run_waits_for_it_to_finish():
    fake = FakeTime(datetime(2026, 11, 20, 1, 59, 59, tzinfo=ICT))
    in_run, finish = threading.Event(), threading.Event()
    finished = []

    def job(trigger: str) -> None:
        in_run.set()
        assert finish.wait(5)
        finished.append(trigger)

    loop = NightlyLoop(job, time(2, 0), ICT, clock=fake.clock, sleep=fake.sleep)
    thread = threading.Thread(target=loop.run)
    thread.start()
    assert in_run.wait(5)
    loop.request_stop("test")
    walltime.sleep(0.2)
    assert thread.is_alive() and loop.running  # the run is not cut short
    finish.set()
    thread.join(5)
    assert not thread.is_alive() and finished == ["schedule"] and loop.runs == 1


def test_the_loop_fires_on_the_real_clock():
    """The default clock and sleep: a run a second or two from now."""
    soon = (datetime.now(ICT) + timedelta(seconds=2)).time().replace(microsecond=0)
    fired = threading.Event()

    def job(trigger: str) -> None:
        fired.set()
        loop.request_stop("test")

    loop = NightlyLoop(job, soon, ICT)
    assert 0 < (loop.next_run - datetime.now(ICT)).total_seconds() <= 2
    thread = threading.Thread(target=loop.run)
    thread.start()
    assert fired.wait(6)
    thread.join(5)
    assert not thread.is_alive() and loop.runs == 1


# ---------------------------------------------------------------- okrsheets schedule, in process


def nightly_run(rollup, clock=None):
    """What the CLI hands the schedule: one nightly run of the (re-read) config, here with a test rollup."""
    return lambda config, trigger: run_nightly(config, rollup=rollup, trigger=trigger, clock=clock)


def never_run(config, trigger):
    raise AssertionError("the loop was only built, not run")


def test_build_schedule_catches_up_after_the_machine_was_off(tmp_path):
    config = make_config(tmp_path)
    now = datetime(2026, 11, 20, 9, 0, tzinfo=ICT)
    _, reason = build_schedule(config, never_run, clock=lambda: now)
    assert reason == "chưa có lần tổng hợp thành công nào"
    _, reason = build_schedule(config, never_run, run_now=True, clock=lambda: now)
    assert reason == "--now"

    record_run(config.quarter_folder, report(datetime(2026, 11, 20, 2, 0, tzinfo=ICT)))
    _, reason = build_schedule(config, never_run, clock=lambda: now)
    assert reason is None
    record_run(config.quarter_folder, report(datetime(2026, 11, 18, 2, 0, tzinfo=ICT)))
    _, reason = build_schedule(config, never_run, clock=lambda: now)
    assert reason == "lần tổng hợp thành công gần nhất bắt đầu lúc 2026-11-18T02:00+07:00, đã hơn một ngày"


def test_scheduled_runs_record_reports_and_survive_a_failing_rollup(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="okrsheets")
    config = make_config(tmp_path)
    fake = FakeTime(datetime(2026, 11, 20, 1, 30, tzinfo=ICT))
    rollup = FakeRollup()
    failing = [True, False]

    def flaky(config, as_of=None, progress=None):
        if failing.pop(0):
            raise BackendError("summary is open in Excel")
        loop.request_stop("test")
        return rollup(config, as_of, progress)

    loop, reason = build_schedule(config, nightly_run(flaky, fake.clock), clock=fake.clock, sleep=fake.sleep)
    loop.run(reason)  # catch-up run at start fails, the 02:00 run succeeds
    record = read_last_run(config.quarter_folder)
    assert record.last_run.succeeded and record.last_run.trigger == "schedule"
    assert record.last_run.started_at == datetime(2026, 11, 20, 2, 0, tzinfo=ICT)
    assert "tổng hợp thất bại sau" in caplog.text and "summary is open in Excel" in caplog.text
    assert "lần chạy hằng đêm thất bại: summary is open in Excel" in caplog.text


def test_a_broken_config_edit_fails_that_run_only(tmp_path, caplog):
    config = make_config(tmp_path)
    fake = FakeTime(datetime(2026, 11, 20, 1, 30, tzinfo=ICT))
    loop, _ = build_schedule(config, nightly_run(FakeRollup(), fake.clock), clock=fake.clock, sleep=fake.sleep)
    loop.run_once("schedule")  # a good night first
    config.source.write_text("company = 'x'\nquarter = 'bad'\n", encoding="utf-8")
    fake.now += timedelta(days=1)
    assert loop.run_once("schedule") is False
    assert "lần chạy hằng đêm thất bại:" in caplog.text and "quarter" in caplog.text
    # the night is kept as failed, in the quarter folder the schedule was running with (it failed before any
    # rollup began), and the last success is kept beside it
    record = read_last_run(config.quarter_folder)
    assert not record.last_run.succeeded and record.last_run.trigger == "schedule"
    assert record.last_run.started_at == datetime(2026, 11, 21, 1, 30, tzinfo=ICT)
    assert record.last_run.reason.startswith(f"{config.source}: ") and 'nhận được "bad"' in record.last_run.reason
    assert record.last_run.company == config.company and record.last_run.departments_total == len(config.departments)
    assert record.last_success.succeeded and record.last_success.started_at == datetime(2026, 11, 20, 1, 30, tzinfo=ICT)


# ---------------------------------------------------------------- real processes and signals


def schedule_command_line(config_path: Path) -> list[str]:
    return [sys.executable, "-m", "okrsheets", "schedule", "--config", str(config_path), "--now"]


def read_until(proc: subprocess.Popen, needle: str, timeout: float = 30) -> list[str]:
    """stderr lines up to and including the first one containing ``needle``."""
    lines: list[str] = []
    deadline = walltime.monotonic() + timeout
    while walltime.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"no {needle!r} in the output:\n{''.join(lines)}")


def test_schedule_process_runs_now_and_stops_on_sigterm(tmp_path):
    config_path = provision_hr(tmp_path)
    proc = subprocess.Popen(schedule_command_line(config_path), stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        lines = read_until(proc, "tổng hợp thành công")  # the config is Vietnamese, and so is the log
        assert any("bắt đầu lịch chạy: tổng hợp hằng đêm lúc 02:00 Asia/Ho_Chi_Minh" in line for line in lines)
        assert "đọc được 1/1 phòng ban" in lines[-1] and "+07:00" in lines[-1].split()[0]
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=15)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, rest
    assert "nhận SIGTERM: dừng" in rest
    assert "đã dừng lịch chạy (SIGTERM) sau 1 lần chạy, 0 lần thất bại" in rest
    folder = tmp_path / "okr" / "2026-Q4"
    record = json.loads((folder / LAST_RUN_NAME).read_text(encoding="utf-8"))
    assert record["last_run"]["succeeded"] and record["last_run"]["trigger"] == "schedule-start"
    log_text = (folder / "okrsheets.log").read_text(encoding="utf-8")
    assert "đã dừng lịch chạy (SIGTERM)" in log_text and log_text.count("tổng hợp thành công") == 1  # no duplicate handler


SLOW_SCHEDULE = """
import sys, time
from dataclasses import replace
from okrsheets.config import load_config
from okrsheets.jobs.nightly import run_nightly
from okrsheets.jobs.runlog import setup_stderr_logging
from okrsheets.jobs.scheduler import run_schedule
sys.path.insert(0, sys.argv[2])
from tests.helpers.nightly import FakeRollup

fake = FakeRollup()
def slow_rollup(config, as_of=None, progress=None):
    print("ROLLUP RUNNING", file=sys.stderr, flush=True)
    time.sleep(1.5)
    return fake(config, as_of, progress)

config = load_config(sys.argv[1])
setup_stderr_logging(config.tz)
sys.exit(run_schedule(config, lambda cfg, trigger: run_nightly(cfg, rollup=slow_rollup, trigger=trigger), run_now=True))
"""


def test_sigterm_during_a_run_lets_it_finish_then_exits_0(tmp_path):
    config_path = write_config(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", SLOW_SCHEDULE, str(config_path), str(REPO)],
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        read_until(proc, "ROLLUP RUNNING")
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=15)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, rest
    order = [rest.index(text) for text in (
        "nhận SIGINT: dừng sau khi lần chạy hiện tại xong",
        "tổng hợp thành công",
        "đã dừng lịch chạy (SIGINT) sau 1 lần chạy, 0 lần thất bại",
    )]
    assert order == sorted(order), rest
    assert "Traceback" not in rest


def test_a_start_run_that_ends_after_run_at_counts_as_that_nights_run():
    fake = FakeTime(datetime(2026, 11, 20, 1, 59, 58, tzinfo=ICT))
    runs = []

    def job(trigger: str) -> None:
        runs.append((trigger, fake.now))
        fake.now += timedelta(seconds=5)  # the run takes past 02:00
        if len(runs) == 2:
            loop.request_stop()

    loop = NightlyLoop(job, time(2, 0), ICT, clock=fake.clock, sleep=fake.sleep)
    loop.run(run_at_start="--now")
    assert [(t, w.isoformat()) for t, w in runs] == [
        ("schedule-start", "2026-11-20T01:59:58+07:00"),
        ("schedule", "2026-11-21T02:00:00+07:00"),
    ]


def test_a_config_broken_between_two_nights_logs_its_own_and_its_plans_problems(tmp_path, caplog):
    """Night 1 runs; the admin then breaks the config (a wrong quarter, and a template set that does not exist, which only
    the plan sees); night 2 fails and logs both, in the config's language; the fixed config runs again on night 3."""
    caplog.set_level(logging.INFO, logger="okrsheets")
    config = make_config(tmp_path)
    path, good = config.source, config.source.read_text(encoding="utf-8")
    broken = good.replace('quarter = "2026-Q4"', 'quarter = "2026-Q9"').replace('template = "finance"', 'template = "finanse"')
    fake = FakeTime(datetime(2026, 11, 20, 1, 30, tzinfo=ICT))
    rollup = FakeRollup()

    def sleep(seconds: float) -> None:  # between two ticks of the loop: the admin edits the file
        text = path.read_text(encoding="utf-8")
        if len(rollup.calls) == 1 and loop.failures == 0 and text == good:
            path.write_text(broken, encoding="utf-8")
        elif loop.failures == 1 and text == broken:
            path.write_text(good, encoding="utf-8")
        if len(rollup.calls) == 2:
            loop.request_stop("test")
        fake.sleep(seconds)

    loop, reason = build_schedule(config, nightly_run(rollup, fake.clock), run_now=True, clock=fake.clock, sleep=sleep)
    loop.run(reason)
    assert (len(rollup.calls), loop.runs, loop.failures) == (2, 3, 1)
    failed = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    known = ", ".join(sorted(p.stem for p in (REPO / "sheet_templates").glob("*.toml")))
    problems = (f"{path}: 2 lỗi:\n"
                '  - quarter.name: cần một quý như "2026-Q4" (hoặc cho ngày start và end), nhận được "2026-Q9"\n'
                f'  - departments[3] "finance".template: không có bộ mẫu "finanse"; các bộ mẫu hiện có: {known}')
    assert failed == [  # the night's report (as for a rollup that fails), then the schedule's own line
        f"tổng hợp thất bại sau 0.0 s (schedule): {problems}",
        f"lần chạy hằng đêm thất bại: {problems}",
    ]


def test_a_config_gone_between_two_nights_is_told_in_the_running_configs_language(tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("OKRSHEETS_LANG", "en")  # the language of a command without a config; the schedule has one (vi)
    config = make_config(tmp_path)
    fake = FakeTime(datetime(2026, 11, 20, 1, 30, tzinfo=ICT))
    loop, _ = build_schedule(config, nightly_run(FakeRollup(), fake.clock), clock=fake.clock, sleep=fake.sleep)
    config.source.unlink()
    assert loop.run_once("schedule") is False
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        f"tổng hợp thất bại sau 0.0 s (schedule): không tìm thấy tệp cấu hình: {config.source}",
        f"lần chạy hằng đêm thất bại: không tìm thấy tệp cấu hình: {config.source}"]
    assert read_last_run(config.quarter_folder).last_run.reason == f"không tìm thấy tệp cấu hình: {config.source}"
