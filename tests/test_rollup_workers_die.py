"""A rollup killed with SIGKILL leaves no worker process behind (issue 11.8).

A real rollup of 120 departments runs in its own process group with two
worker processes; it is killed mid-read, and /proc must show no process of
that group still alive a few seconds later.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from okrsheets.backends.excel import ExcelBackend
from okrsheets.config import load_config
from okrsheets.jobs.provision import provision
from okrsheets.plan import build_plan

from .helpers.workbooks import hr_config as _config

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")

DEPARTMENTS = 120


def _group(pgid: int) -> dict[int, str]:
    """Live processes of process group ``pgid``: {pid: state}; zombies are dead and left out."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, _ppid, group = stat.rsplit(")", 1)[1].split()[:3]
        if int(group) == pgid and state not in ("Z", "X"):
            found[int(entry)] = state
    return found


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_workers_die_when_the_rollup_is_killed(tmp_path):
    config_path = _config(tmp_path, [f"d{i:03d}" for i in range(DEPARTMENTS)])
    config = load_config(config_path)
    outcomes = provision(build_plan(config), ExcelBackend(config))
    assert [o.action for o in outcomes] == ["created"] * DEPARTMENTS
    root = str(Path(__file__).resolve().parent.parent)  # this checkout's okrsheets, whatever is installed
    env = {**os.environ, "OKRSHEETS_WORKERS": "2",
           "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    rollup = subprocess.Popen(
        [sys.executable, "-m", "okrsheets", "rollup", "--config", str(config_path), "--as-of", "2026-11-15"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    pgid = rollup.pid
    try:
        workers_started = _wait_for(lambda: len(_group(pgid)) >= 3 or rollup.poll() is not None, 60)
        assert workers_started and rollup.poll() is None, "the rollup ended before its workers were seen"
        time.sleep(0.05)  # reading is under way
        rollup.send_signal(signal.SIGKILL)
        rollup.wait(10)
        assert _wait_for(lambda: not _group(pgid), 10), f"worker processes survived the rollup: {_group(pgid)}"
    finally:
        try:
            os.killpg(pgid, signal.SIGKILL)  # leave nothing running whatever the outcome
        except ProcessLookupError:
            pass
        if rollup.poll() is None:
            rollup.wait(10)
