"""Progress of long runs: the estimate from the quota's pace, and one line per 10% without a terminal."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from types import SimpleNamespace

from okrsheets.cli.progress import Progress, pace_per_minute, time_left

from .conftest import EXAMPLE_CONFIG, REPO

GOOGLE = SimpleNamespace(read_quota_per_user=60, read_quota_per_project=300, write_quota_per_user=40, write_quota_per_project=300)


def test_the_estimate_follows_the_quota_pace():
    config = SimpleNamespace(backend="google", google=GOOGLE)
    assert pace_per_minute(config) == 60
    assert pace_per_minute(config, ("read", "write")) == 40
    assert pace_per_minute(SimpleNamespace(backend="excel", google=None)) is None
    assert time_left("vi", 180, 60) == ", còn khoảng 3 phút"
    assert time_left("en", 181, 60) == ", about 4 min left"
    assert time_left("vi", 180, None) == ""  # Excel: no quota, no estimate


def test_without_a_terminal_the_nightly_job_logs_one_line_per_tenth(caplog):
    progress = Progress("vi", "progress_read", 60, terminal=False)
    with caplog.at_level(logging.INFO, logger="okrsheets"):
        for done in range(301):
            progress(done, 300)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 10
    assert lines[0] == "đọc 30/300 phòng ban, còn khoảng 5 phút"
    assert lines[3] == "đọc 120/300 phòng ban, còn khoảng 3 phút"
    assert lines[-1] == "đọc 300/300 phòng ban"


def test_the_progress_line_in_english():
    assert Progress("en", "progress_provision", 60, terminal=False).line(120, 300) == "provisioned 120/300 departments, about 3 min left"


def test_provision_without_a_terminal_prints_one_line_per_tenth_on_stderr(tmp_path):
    """provision keeps no log: piped (cron, CI, a script), its progress lines go to stderr, its outcomes to stdout."""
    config = tmp_path / "okrsheets.toml"
    config.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")  # 6 departments, Vietnamese
    run = subprocess.run([sys.executable, "-m", "okrsheets", "provision", "--config", str(config)],
                         capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == [f"dựng {done}/6 phòng ban" for done in range(1, 7)]
    assert run.stdout.splitlines()[0].split() == ["đã", "tạo", "marketing", str(tmp_path / "okr-data" / "2026-Q4" / "marketing.xlsx")]
