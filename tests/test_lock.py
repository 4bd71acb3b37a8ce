"""The rollup lock with real processes: refused (exit 75), --wait, and a SIGKILLed holder does not block."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from okrsheets.errors import RollupLockedError
from okrsheets.jobs.lock import LOCK_NAME, LockOwner, busy_message, held_by, read_owner, rollup_lock

from .helpers.nightly import provision_hr

ICT = ZoneInfo("Asia/Ho_Chi_Minh")

HOLDER = """
import sys, time
from pathlib import Path
from zoneinfo import ZoneInfo
from okrsheets.jobs.lock import rollup_lock
with rollup_lock(Path(sys.argv[1]), tz=ZoneInfo("Asia/Ho_Chi_Minh"), command="test-holder"):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""


def start_holder(folder: Path, seconds: float) -> subprocess.Popen:
    """A second real process holding the lock; returns once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)
    proc.stdout.close()


def test_a_second_rollup_is_refused_with_pid_and_start_time(tmp_path):
    holder = start_holder(tmp_path, 30)
    try:
        with pytest.raises(RollupLockedError) as raised:
            with rollup_lock(tmp_path, tz=ICT):
                pass
        message = str(raised.value)
        since = read_owner(tmp_path).since.astimezone(ICT)
        assert message in {  # HH:MM, or with the date when the holder started before midnight
            f"another rollup is running (pid {holder.pid}, since {since:%H:%M}); try again later or use --wait",
            f"another rollup is running (pid {holder.pid}, since {since:%Y-%m-%d %H:%M}); try again later or use --wait",
        }
        assert raised.value.exit_code == 75
        owner = held_by(tmp_path)
        assert owner is not None and owner.pid == holder.pid and owner.command == "test-holder"
    finally:
        stop(holder)


def test_a_lock_left_by_a_killed_process_does_not_block(tmp_path):
    holder = start_holder(tmp_path, 60)
    assert (tmp_path / LOCK_NAME).exists() and read_owner(tmp_path).pid == holder.pid
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(10)
    holder.stdout.close()
    assert holder.returncode == -signal.SIGKILL

    assert held_by(tmp_path) is None  # the OS released the lock with the process
    started = time.monotonic()
    with rollup_lock(tmp_path, tz=ICT) as owner:
        assert time.monotonic() - started < 2
        assert read_owner(tmp_path) == owner and owner.pid == os.getpid()  # stale record replaced
    assert read_owner(tmp_path) is None


def test_wait_takes_the_lock_when_the_other_rollup_finishes(tmp_path):
    holder = start_holder(tmp_path, 1.0)
    try:
        started = time.monotonic()
        with rollup_lock(tmp_path, wait=True, tz=ICT) as owner:
            waited = time.monotonic() - started
            assert owner.pid == os.getpid()
        assert 0.3 < waited < 10
        assert holder.wait(10) == 0
    finally:
        stop(holder)


def test_wait_with_a_limit_gives_up(tmp_path):
    holder = start_holder(tmp_path, 30)
    try:
        started = time.monotonic()
        with pytest.raises(RollupLockedError, match=f"pid {holder.pid}"):
            with rollup_lock(tmp_path, wait=0.5):
                pass
        assert time.monotonic() - started < 5
    finally:
        stop(holder)


def test_busy_message_formats():
    now = datetime(2026, 11, 20, 2, 30, tzinfo=ICT)
    owner = LockOwner(4242, "", datetime(2026, 11, 20, 2, 0, tzinfo=ICT))
    assert busy_message(owner, ICT, now) == "another rollup is running (pid 4242, since 02:00); try again later or use --wait"
    yesterday = LockOwner(4242, "", datetime(2026, 11, 19, 23, 50, tzinfo=ICT))
    assert "since 2026-11-19 23:50" in busy_message(yesterday, ICT, now)
    other_host = LockOwner(7, "backup-server", datetime(2026, 11, 19, 19, 0, tzinfo=ZoneInfo("UTC")))
    assert "(pid 7 on backup-server, since 02:00)" in busy_message(other_host, ICT, now)
    assert busy_message(None) == "another rollup is running; try again later or use --wait"


def test_okrsheets_rollup_exits_75_while_another_runs(tmp_path):
    from okrsheets.config import load_config

    config_path = provision_hr(tmp_path)
    folder = load_config(config_path).quarter_folder
    holder = start_holder(folder, 30)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "okrsheets", "rollup", "--config", str(config_path)],
            capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 75, done.stderr
        assert f"một lần tổng hợp khác đang chạy (pid {holder.pid}, từ " in done.stderr
        assert "hãy thử lại sau hoặc dùng --wait" in done.stderr
    finally:
        stop(holder)
