"""Progress of `okrsheets provision` and `okrsheets rollup` on Google, as a person sees it: under a real
pseudo-terminal a bar with the count and the time left at the quota's pace; without a terminal (the nightly
job) one log line per 10% of the departments instead.

The CLI runs in a real subprocess against the offline fake (14 departments, Google's default quota of 60
requests a minute: the 7 left of 14 take "about 1 min").
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers.team_backends import AS_OF, DEPARTMENTS, team_backend

ROOT = Path(__file__).resolve().parents[1]
COMPANY = DEPARTMENTS + "".join(
    f'\n[[departments]]\nkey = "team-{n}"\nname = "Nhóm {n}"\ntemplate = "golden"\nowners = ["team{n}@senvang.example"]\n'
    f'values."O1.KR1" = {{ start = 0, target = 10_000_000 }}\nvalues."O1.KR2" = {{ start = 20, target = 60 }}\n'
    f'values."O1.KR3" = {{ target = 5 }}\nvalues."O2.KR2" = {{ start = 20, target = 5 }}\n'
    for n in range(12))
BAR = re.compile(r"\[[#-]{36}\]  ")  # click's bar, 36 wide
pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")


def command(google, *args: str) -> list[str]:
    return [sys.executable, "-m", "okrsheets", *args, "--config", str(google.config_path)]


def environment() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="120", TERM="xterm")


def on_a_terminal(args: list[str], timeout: float = 300) -> tuple[int, str]:
    """Run ``args`` with stdin, stdout and stderr on a new pseudo-terminal; what the terminal showed."""
    master, slave = os.openpty()
    process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=environment(), close_fds=True)
    os.close(slave)
    shown = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    return code, shown.decode("utf-8", "replace")


def frames(shown: str) -> list[str]:
    """What the terminal showed, one line per redraw of the bar (click redraws with a carriage return),
    without the escape sequences that hide and show the cursor. The warning that requests go to the fake
    (printed once, when the first request opens the connection, so after the first frame) is on a line of its own."""
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    shown = re.sub(r"(Cảnh báo|Warning): OKRSHEETS_GOOGLE_API_URL[^\r\n]*", "\n", shown)
    return [part.rstrip() for part in re.split(r"[\r\n]", shown) if part.strip()]


def test_provision_and_rollup_on_a_terminal_show_the_bar_the_count_and_the_time_left_in_vietnamese(tmp_path):
    with team_backend("google", tmp_path, departments=COMPANY, provisioned=False) as google:
        code, shown = on_a_terminal(command(google, "provision"))
        assert code == 0, shown
        bars = [line for line in frames(shown) if BAR.match(line)]
        assert [BAR.sub("", line) for line in bars] == (
            [f"dựng {n}/14 phòng ban, còn khoảng 1 phút" for n in range(14)] + ["dựng 14/14 phòng ban"])
        assert bars[7].startswith("[" + "#" * 18 + "-" * 18 + "]")  # half the bar at 7 of 14
        code, shown = on_a_terminal(command(google, "rollup", "--as-of", AS_OF.isoformat()))
        assert code == 0, shown
        read = [BAR.sub("", line) for line in frames(shown) if BAR.match(line)]
        assert read[6:8] == ["đọc 7/14 phòng ban, còn khoảng 1 phút", "đọc 8/14 phòng ban, còn khoảng 1 phút"]
        assert read[-1] == "đọc 14/14 phòng ban"


def test_the_bar_speaks_english_with_an_english_config(tmp_path):
    with team_backend("google", tmp_path, departments=COMPANY, language="en", provisioned=False) as google:
        code, shown = on_a_terminal(command(google, "provision"))
        assert code == 0, shown
        provisioned = [BAR.sub("", line) for line in frames(shown) if BAR.match(line)]
        assert provisioned[7] == "provisioned 7/14 departments, about 1 min left"
        assert provisioned[-1] == "provisioned 14/14 departments"
        code, shown = on_a_terminal(command(google, "rollup", "--as-of", AS_OF.isoformat()))
        assert code == 0, shown
        assert "read 7/14 departments, about 1 min left" in [BAR.sub("", line) for line in frames(shown) if BAR.match(line)]


def test_without_a_terminal_the_rollup_logs_one_line_per_tenth_and_draws_no_bar(tmp_path):
    with team_backend("google", tmp_path, departments=COMPANY) as google:
        run = subprocess.run(command(google, "rollup", "--as-of", AS_OF.isoformat()), capture_output=True, text=True,
                             timeout=300, env=environment())
        assert run.returncode == 0, run.stdout + run.stderr
        logged = [line.split(" INFO ", 1)[1] for line in run.stderr.splitlines() if " INFO đọc " in line]
        # a new tenth is reached at 2, 3, 5, 6, 7, 9, 10, 12, 13 and 14 of 14
        assert logged == [f"đọc {n}/14 phòng ban, còn khoảng 1 phút" for n in (2, 3, 5, 6, 7, 9, 10, 12, 13)] + ["đọc 14/14 phòng ban"]
        assert not BAR.search(run.stderr + run.stdout)
        log_file = (google.plan.config.quarter_folder / "okrsheets.log").read_text(encoding="utf-8")
        assert "INFO đọc 7/14 phòng ban, còn khoảng 1 phút" in log_file  # the nightly job's log keeps them too
