"""The rollup reads workbooks in forked worker processes: same result as a serial run, and a dead worker loses nothing."""

from __future__ import annotations

import json
import os
import threading
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsheets.backends.excel import ExcelBackend
from okrsheets.cli.main import cli
from okrsheets.config import load_config
from okrsheets.plan import build_plan
from okrsheets.jobs.rollup import PARALLEL_FROM, rollup_workers, score_quarter

from .helpers.workbooks import DAMAGES, damage, fill_current, hr_config

AS_OF = date(2026, 11, 15)


@pytest.fixture
def company(tmp_path: Path):
    """Sixteen HR departments: some with check-ins, the rest damaged in every way test_rollup knows."""
    keys = [f"ok{i}" for i in range(16 - len(DAMAGES))] + list(DAMAGES)
    path = hr_config(tmp_path, keys)
    assert CliRunner().invoke(cli, ["provision", "--config", str(path)]).exit_code == 0
    folder = tmp_path / "data" / "2026-Q4"
    for i, key in enumerate(keys[: 16 - len(DAMAGES)]):
        fill_current(folder / f"{key}.xlsx", {"O1.KR1": i, "O1.KR2": f"{i * 5}%", "O1.KR3": "xong"})
    for kind in DAMAGES:
        damage(kind, folder / f"{kind}.xlsx")
    config = load_config(path)
    return build_plan(config), ExcelBackend(config)


class _RecordingBackend(ExcelBackend):
    """Appends the reading process's pid to a file on every read, to show where the reading happened."""

    def __init__(self, config, record: Path):
        super().__init__(config)
        self.record = record

    def read(self, department_key, sheets=None):
        with open(self.record, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        return super().read(department_key, sheets)


def test_parallel_rollup_gives_exactly_the_serial_result(company, tmp_path):
    plan, backend = company
    serial_state, parallel_state = {"ok1": {"O1.KR1": {"value": 1.0, "changed": "2026-11-01"}}}, {}
    parallel_state.update({k: dict(v) for k, v in serial_state.items()})
    serial = score_quarter(plan, backend, AS_OF, serial_state, workers=1)
    seen = []
    record = tmp_path / "readers.txt"
    parallel = score_quarter(plan, _RecordingBackend(backend.config, record), AS_OF, parallel_state,
                             progress=lambda done, total: seen.append(done), workers=2)
    readers = set(record.read_text(encoding="utf-8").split())
    assert readers and str(os.getpid()) not in readers  # really read in worker processes, not in this one
    assert parallel == serial  # every score, status, value read and data issue, in plan order
    assert [d.key for d in parallel.departments] == [d.key for d in plan.departments]
    assert parallel_state == serial_state  # the check-in dates kept for the next night
    assert serial_state["ok1"]["O1.KR1"] == {"value": 1.0, "changed": "2026-11-01"}  # unchanged value keeps its date
    assert seen == sorted(seen) and seen[-1] == len(plan.departments)
    assert len(parallel.issues) >= len(DAMAGES)


class _DyingBackend(ExcelBackend):
    """Kills the worker process that reads department "ok3", as the kernel's OOM killer would."""

    def __init__(self, config, parent: int):
        super().__init__(config)
        self.parent = parent

    def read(self, department_key, sheets=None):
        if department_key == "ok3" and os.getpid() != self.parent:
            os._exit(9)
        return super().read(department_key, sheets)


def test_a_worker_that_dies_loses_no_department(company, caplog):
    plan, backend = company
    dying = _DyingBackend(backend.config, os.getpid())
    result = score_quarter(plan, dying, AS_OF, {}, workers=2)
    assert result == score_quarter(plan, backend, AS_OF, {}, workers=1)
    assert "worker process died" in caplog.text


def test_worker_count(company, monkeypatch):
    plan, backend = company
    monkeypatch.delenv("OKRSHEETS_WORKERS", raising=False)
    assert rollup_workers(PARALLEL_FROM - 1, backend) == 1  # a small company is read in one process
    assert rollup_workers(PARALLEL_FROM, backend) == min(len(os.sched_getaffinity(0)), 8)
    monkeypatch.setenv("OKRSHEETS_WORKERS", "3")
    assert rollup_workers(1000, backend) == 3
    monkeypatch.setenv("OKRSHEETS_WORKERS", "1")
    assert rollup_workers(1000, backend) == 1

    class Serial(ExcelBackend):
        parallel_reads = False  # e.g. Google: one HTTP session and one quota

    assert rollup_workers(1000, Serial(backend.config)) == 1


def test_a_hand_edited_state_file_does_not_make_a_workbook_unreadable(company):
    plan, backend = company
    state = {"ok1": {"O1.KR1": ["not", "a", "dict"], "O1.KR2": {"value": 5.0, "changed": "hôm qua"}}, "ok2": "x"}
    result = score_quarter(plan, backend, AS_OF, state, workers=1)
    clean = score_quarter(plan, backend, AS_OF, {}, workers=1)
    assert result == clean  # the same scores and issues as with no state at all
    assert state["ok1"]["O1.KR1"] == {"value": 1.0, "changed": AS_OF.isoformat()}  # rewritten cleanly for tomorrow


def test_a_state_file_that_is_not_an_object_is_ignored(company, caplog):
    plan, backend = company
    folder = backend.config.quarter_folder
    (folder / ".okrsheets-state.json").write_text("[1, 2]", encoding="utf-8")
    result = CliRunner().invoke(cli, ["rollup", "--config", str(backend.config.source), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1, result.output  # the damaged departments could not be read
    assert "6/16 phòng ban không đọc được tệp" in result.output
    assert "not a JSON object" in caplog.text
    assert json.loads((folder / ".okrsheets-state.json").read_text(encoding="utf-8"))["ok1"]["O1.KR1"]["value"] == 1.0


def test_parallel_reading_from_the_schedule_thread(company):
    # `okrsheets schedule` runs each night's rollup in a worker thread while the main thread waits for signals.
    plan, backend = company
    results = []
    thread = threading.Thread(target=lambda: results.append(score_quarter(plan, backend, AS_OF, {}, workers=2)))
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "forking from a thread deadlocked"
    assert results == [score_quarter(plan, backend, AS_OF, {}, workers=1)]


class _OddValueBackend(ExcelBackend):
    """In a worker, department "ok2" gets a location that cannot be pickled, so its data issues cannot be sent back."""

    def __init__(self, config, parent: int):
        super().__init__(config)
        self.parent = parent

    def location(self, department_key):
        location = super().location(department_key)
        return _OddLocation(location) if os.getpid() != self.parent and department_key == "ok2" else location


class _OddLocation(str):
    def __reduce__(self):
        raise TypeError("cannot pickle this location")


def test_a_result_a_worker_cannot_send_back_loses_no_department(company, caplog):
    plan, backend = company
    result = score_quarter(plan, _OddValueBackend(backend.config, os.getpid()), AS_OF, {}, workers=2)
    assert result == score_quarter(plan, backend, AS_OF, {}, workers=1)
    assert "a rollup worker failed" in caplog.text
