"""Google at scale: what Google throws at a run (429s, 500s, 503s, dropped connections, an expired
token) changes nothing a user sees; a run whose every request fails ends within its deadline.

Everything runs against the offline fake through real gspread and google-auth; waits are on the
fake's frozen clock (the backend's sleep advances it), so minutes of back-off take no real time.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from okrsheets.backends.google.drive import DEPARTMENT_PROPERTY
from okrsheets.config import load_config
from okrsheets.jobs.provision import provision
from okrsheets.jobs.rollup import run_rollup, score_quarter

from .helpers.team_backends import AS_OF, CHECK_INS, team_backend

START = 1_793_000_000.0  # a fixed instant on the fake's clock, so file times agree between runs
NOW = datetime(2026, 11, 20, 9, 0)


def _patient(team, backend):
    """The run's backend on the fake's clock: its sleeps advance that clock; its jitter is seeded."""
    fake = team.fake
    backend.sleep, backend.clock = fake.clock.advance, fake.clock.now
    backend.patience.random = random.Random(7).random
    return backend


def _faults(fake) -> None:
    """About 30% of Sheets and Drive requests fail: 10% 429, 8% 500, 8% 503, 3% dropped, 1% expired token."""
    for seed, (kind, rate) in enumerate((("429", 0.10), ("500", 0.09), ("503", 0.09), ("drop", 0.03), ("401", 0.01))):
        fake.inject_fault(kind, rate=rate, seed=seed)


def _contents(fake) -> dict[str, dict]:
    """Every spreadsheet in the fake by its department (or its name), as spreadsheets.get answers it."""
    found = {}
    for file_id, item in fake.files.items():
        spreadsheet = fake.spreadsheets.get(file_id)
        if spreadsheet is None:
            continue
        answer = spreadsheet.to_api(include_grid=True)
        answer.pop("spreadsheetId", None)
        answer.pop("spreadsheetUrl", None)
        key = (getattr(item, "app_properties", None) or {}).get(DEPARTMENT_PROPERTY) or getattr(item, "name", file_id)
        found[key] = json.loads(json.dumps(answer, sort_keys=True, default=str).replace(file_id, "ID"))
    return found


def _cycle(tmp_path: Path, faulty: bool):
    """Provision, a team types, rollup with its summary: what the fake holds at the end, and the run's counts."""
    tmp_path.mkdir()
    with team_backend("google", tmp_path, provisioned=False) as team:
        fake = team.fake
        fake.clock.set(START)
        fake.clock.freeze()
        if faulty:
            _faults(fake)
        outcomes = provision(team.plan, _patient(team, team.backend()), now=NOW)
        fake.clear_faults()
        team.type("kinh-doanh", CHECK_INS)
        if faulty:
            _faults(fake)
        backend = _patient(team, team.backend())
        result = run_rollup(load_config(team.config_path), AS_OF, backend=backend)
        faults = sum(1 for e in fake.request_log if e.fault)
        return [o.action for o in outcomes], result, _contents(fake), faults, backend.patience


def test_a_cycle_with_30_percent_of_requests_failing_gives_the_same_spreadsheets_and_summary(tmp_path):
    actions, result, contents, faults, _ = _cycle(tmp_path / "calm", faulty=False)
    f_actions, f_result, f_contents, f_faults, patience = _cycle(tmp_path / "stormy", faulty=True)
    assert faults == 0 and f_faults >= 5  # the faulty run really was hit (8 of about 30 requests, seeded)
    assert patience.retries >= 1 and patience.gave_up == 0  # the rollup's tries again (google-auth handles the 401s)
    assert f_actions == actions == ["created", "created"]
    assert f_result.issues == result.issues
    assert [(d.key, d.score) for d in f_result.departments] == [(d.key, d.score) for d in result.departments]
    assert sorted(f_contents) == sorted(contents) and len(contents) == 3  # two teams and the summary
    for key in contents:
        assert f_contents[key] == contents[key], key


def test_a_department_whose_every_read_fails_becomes_a_data_issue_after_max_tries(tmp_path):
    with team_backend("google", tmp_path) as team:
        fake = team.fake
        fake.clock.freeze()
        spreadsheet_id = team.spreadsheet_id("kinh-doanh")
        backend = _patient(team, team.backend())
        fake.inject_fault("503", path=f"/spreadsheets/{spreadsheet_id}")
        fake.clear_log()
        result = score_quarter(team.plan, backend, AS_OF)
        reads = [e.status for e in fake.request_log if spreadsheet_id in e.path]
        assert reads == [503] * 6  # [backend] max_tries, default 6: then given up
        by_key = {d.key: d for d in result.departments}
        assert not by_key["kinh-doanh"].readable
        assert all(d.readable for key, d in by_key.items() if key != "kinh-doanh")
        assert any("kinh-doanh" in i.department and "HTTP 503" in i.problem and "max_tries = 6" in i.problem for i in result.issues), result.issues


def test_a_refusal_is_never_sent_again(tmp_path):
    """A 404 (a spreadsheet deleted behind the listing's back) is asked once, not six times."""
    with team_backend("google", tmp_path) as team:
        fake = team.fake
        spreadsheet_id = team.spreadsheet_id("kinh-doanh")
        backend = team.backend()
        backend.location("kinh-doanh")  # the listing, before the spreadsheet goes
        del fake.spreadsheets[spreadsheet_id], fake.files[spreadsheet_id]
        fake.clear_log()
        score_quarter(team.plan, backend, AS_OF)
        assert [e.status for e in fake.request_log if spreadsheet_id in e.path] == [404]


def test_a_run_whose_every_request_fails_ends_within_its_deadline_with_exit_1(tmp_path):
    with team_backend("google", tmp_path, provisioned=False) as team:
        text = team.config_path.read_text(encoding="utf-8").replace(
            "notify_owners = false\n", "notify_owners = false\ndeadline_minutes = 0.05\nmax_tries = 100\n")
        team.config_path.write_text(text, encoding="utf-8")
        team.fake.inject_fault("503")
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        completed = subprocess.run([sys.executable, "-m", "okrsheets", "rollup", "--config", str(team.config_path)],
                                   capture_output=True, text=True, env=env, timeout=120)
        assert completed.returncode == 1, completed.stderr
        assert "Google trả lời HTTP 503 cho GET /drive/v3/files " in completed.stderr  # the folder's listing: the run stops
        assert "giới hạn 0.05 phút của lần chạy (backend.deadline_minutes)" in completed.stderr
        assert "Traceback" not in completed.stderr
        assert "Traceback" not in completed.stderr
        times = [e.time for e in team.fake.request_log]
        assert len(times) >= 2 and max(times) - min(times) < 3.0 + 0.5  # nothing sent after the 3-second deadline


def test_a_department_whose_write_google_keeps_failing_is_that_departments_outcome_and_the_next_run_makes_it(tmp_path):
    with team_backend("google", tmp_path, provisioned=False) as team:
        fake = team.fake
        fake.clock.freeze()
        fake.inject_fault("503", path=":batchUpdate", times=6)  # the first department's six tries
        outcomes = provision(team.plan, _patient(team, team.backend()), now=NOW)
        assert [o.action for o in outcomes] == ["failed", "created"]
        assert "HTTP 503" in outcomes[0].problems[0] and "backend.max_tries = 6" in outcomes[0].problems[0]
        trashed = [f for f in fake.files.values() if getattr(f, "trashed", False)]
        assert len(trashed) == 1  # the empty spreadsheet made for it went to the trash
        outcomes = provision(team.plan, _patient(team, team.backend()), now=NOW)
        assert [o.action for o in outcomes] == ["created", "unchanged"]


def test_a_create_whose_answer_was_lost_is_found_in_the_folder_not_made_twice(tmp_path):
    """Google made the spreadsheet but the connection dropped before the answer: sending files.create
    again would make a second spreadsheet claiming the same department."""
    with team_backend("google", tmp_path, provisioned=False) as team:
        fake = team.fake
        fake.inject_fault("lost", nth=1, method="POST", path="/drive/v3/files")
        fake.clear_log()
        outcomes = provision(team.plan, team.backend(), now=NOW)
        assert [o.action for o in outcomes] == ["created", "created"]
        creates = [e.status for e in fake.request_log if e.endpoint == "drive.files.create"]
        assert creates == [0, 200]  # the lost one, then the second department's
        spreadsheets = [f for f in fake.files.values() if (getattr(f, "app_properties", None) or {}).get(DEPARTMENT_PROPERTY)]
        assert sorted(f.app_properties[DEPARTMENT_PROPERTY] for f in spreadsheets) == ["kinh-doanh", "van-hanh"]
        assert all(d.readable for d in score_quarter(team.plan, team.backend(), AS_OF).departments)


def test_a_create_dropped_before_google_made_it_is_sent_again(tmp_path):
    with team_backend("google", tmp_path, provisioned=False) as team:
        fake = team.fake
        fake.inject_fault("drop", nth=1, method="POST", path="/drive/v3/files")
        fake.clear_log()
        outcomes = provision(team.plan, team.backend(), now=NOW)
        assert [o.action for o in outcomes] == ["created", "created"]
        creates = [e.status for e in fake.request_log if e.endpoint == "drive.files.create"]
        assert creates == [0, 200, 200]
