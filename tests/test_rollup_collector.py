"""A rollup pauses Python's cyclic garbage collector while it scores (no reference cycles, 100,000 objects
a night at 1,000 departments), never while a workbook is read, here or in a forked worker process."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsheets.backends.excel import ExcelBackend
from okrsheets.cli.main import cli
from okrsheets.config import load_config
from okrsheets.jobs.readings import ReadingsStore
from okrsheets.jobs.rollup import run_rollup, score_quarter
from okrsheets.plan import build_plan

from .helpers.workbooks import hr_config

KEYS = [f"d{i}" for i in range(6)]
NIGHT = date(2026, 11, 16)


class WatchingBackend(ExcelBackend):
    """The real Excel backend, noting in a file (workers are other processes) whether the collector was on."""

    def __init__(self, config, notes: Path):
        super().__init__(config)
        self.notes = notes

    def read(self, department_key, sheets=None):
        with self.notes.open("a", encoding="utf-8") as notes:
            notes.write(f"{department_key} {int(gc.isenabled())}\n")
        return super().read(department_key, sheets)


@pytest.fixture
def company(tmp_path):
    config = hr_config(tmp_path, KEYS)
    assert CliRunner().invoke(cli, ["provision", "--config", str(config)]).exit_code == 0
    return load_config(config)


def _reads(notes: Path) -> dict[str, str]:
    return dict(line.split() for line in notes.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("workers", [1, 2])
def test_every_workbook_is_read_with_the_collector_on_and_it_is_on_again_after(company, tmp_path, workers):
    notes = tmp_path / "reads.txt"
    assert gc.isenabled()
    result = score_quarter(build_plan(company), WatchingBackend(company, notes), NIGHT, {}, workers=workers,
                           readings=ReadingsStore(tmp_path / "store.json"))
    assert _reads(notes) == dict.fromkeys(KEYS, "1")  # workers=2: read in two forked processes
    assert gc.isenabled() and [d.key for d in result.departments if d.readable] == KEYS


def test_a_caller_that_paused_the_collector_finds_it_paused(company, tmp_path):
    notes = tmp_path / "reads.txt"
    gc.disable()
    try:
        score_quarter(build_plan(company), WatchingBackend(company, notes), NIGHT, {}, workers=1)
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert _reads(notes) == dict.fromkeys(KEYS, "0")  # as it was


def test_the_collector_is_on_again_when_scoring_fails(company, tmp_path, monkeypatch):
    from okrsheets.jobs import rollup

    def broken(*args, **kwargs):
        assert not gc.isenabled()  # scoring, paused
        raise RuntimeError("scoring broke")

    monkeypatch.setattr(rollup, "_assemble", broken)
    with pytest.raises(RuntimeError, match="scoring broke"):
        run_rollup(company, NIGHT, backend=ExcelBackend(company))
    assert gc.isenabled()


def test_a_night_of_unchanged_workbooks_reads_none_and_leaves_the_collector_on(company, tmp_path):
    run_rollup(company, NIGHT)
    notes = tmp_path / "reads.txt"
    result = run_rollup(company, date(2026, 11, 17), backend=WatchingBackend(company, notes))
    assert not notes.exists() and gc.isenabled() and all(d.readable for d in result.departments)
