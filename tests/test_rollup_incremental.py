"""Incremental nights (issue 13.1): a workbook unchanged since its last reading is not opened, and nobody can tell.

Ten provisioned HR workbooks (one objective, three KRs: count 0 -> 10, days
45 -> 30, percent 70% -> 85%). The backend is the real ExcelBackend, counting
the workbooks it opens. Every incremental night is compared with a full read
of the same files from the same state: the results must be equal.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets.backends.excel import ExcelBackend
from okrsheets.cli.main import cli
from okrsheets.config import load_config
from okrsheets.core.values import read_update_date
from okrsheets.jobs.digest import admin_text
from okrsheets.jobs.nightly import run_nightly
from okrsheets.jobs.readings import STORE_NAME, ReadingsStore, kept_update
from okrsheets.jobs.rollup import STATE_NAME, run_rollup, score_quarter
from okrsheets.plan import build_plan
from okrsheets.sheets.team_workbook import COL

from .helpers.workbooks import hr_config, okr_rows

KEYS = [f"d{i}" for i in range(10)]
NIGHT1, NIGHT2 = date(2026, 11, 15), date(2026, 11, 16)
QUARTER_DAYS = 92  # 2026-10-01 .. 2026-12-31
REPO = Path(__file__).resolve().parent.parent


class CountingBackend(ExcelBackend):
    """The real Excel backend, noting each department whose workbook it opens."""

    def __init__(self, config):
        super().__init__(config)
        self.opened: list[str] = []

    def read(self, department_key, sheets=None):
        self.opened.append(department_key)
        return super().read(department_key, sheets)


def _type(path: Path, typed: dict[str, dict[str, object]]) -> None:
    """Type check-ins as a team would: {KR ID: {"current": 5, "last_update": date(...), "comment": "..."}}."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["OKR"]
    rows = okr_rows(sheet)
    for kr_id, cells in typed.items():
        for column, value in cells.items():
            sheet.cell(rows[kr_id], COL[column]).value = value
    workbook.save(path)


def _company(tmp_path: Path) -> Path:
    """Ten departments: d0 with data issues, d1..d9 with values checked in on 10 November."""
    config = hr_config(tmp_path, KEYS)
    assert CliRunner().invoke(cli, ["provision", "--config", str(config)]).exit_code == 0
    folder = tmp_path / "data" / "2026-Q4"
    _type(folder / "d0.xlsx", {
        "O1.KR1": {"current": "khoảng mười", "last_update": date(2026, 11, 10)},  # not a number: a data issue
        "O1.KR2": {"current": 40, "confidence": 12},  # (45-40)/15 = 1/3; confidence 12 is out of 1-10: an issue
    })
    for i, key in enumerate(KEYS[1:], start=1):
        _type(folder / f"{key}.xlsx", {"O1.KR1": {"current": i, "last_update": date(2026, 11, 10), "comment": "đúng hạn"}})
    return config


def _night(config: Path, as_of: date, **options):
    """One rollup through run_rollup with a counting backend: (result, the departments opened)."""
    loaded = load_config(config)
    backend = CountingBackend(loaded)
    result = run_rollup(loaded, as_of, backend=backend, **options)
    return result, backend.opened


def _both_ways(config: Path, as_of: date):
    """Tonight's incremental and full results, each from the same state and store, nothing written."""
    loaded = load_config(config)
    plan, folder = build_plan(loaded), loaded.quarter_folder
    state = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
    incremental, full = CountingBackend(loaded), CountingBackend(loaded)
    stores = ReadingsStore.load(folder), ReadingsStore.load(folder)
    states = copy.deepcopy(state), copy.deepcopy(state)
    got = score_quarter(plan, incremental, as_of, states[0], readings=stores[0])
    want = score_quarter(plan, full, as_of, states[1], readings=stores[1], full=True)
    assert sorted(full.opened) == KEYS
    assert states[0] == states[1]  # the check-in state a night leaves is the same too
    assert {k: stores[0].get(k) for k in stores[0]} == {k: stores[1].get(k) for k in stores[1]}  # and the store
    return got, want, incremental.opened


def test_a_night_with_one_changed_workbook_opens_only_that_one_and_scores_like_a_full_read(tmp_path):
    config = _company(tmp_path)
    night1, opened = _night(config, NIGHT1)
    assert sorted(opened) == KEYS  # no store yet: every workbook is read
    _type(tmp_path / "data" / "2026-Q4" / "d3.xlsx", {"O1.KR1": {"current": 8}})

    got, want, opened = _both_ways(config, NIGHT2)
    assert opened == ["d3"]
    assert got == want
    scores = {d.key: d.score for d in got.departments}
    assert scores["d3"] == pytest.approx(0.8 / 3)  # 8 of 10; KR2 and KR3 no check-in
    assert scores["d7"] == pytest.approx(0.7 / 3)  # not opened: its stored 7 scored again
    assert scores["d0"] == pytest.approx((1 / 3) / 3)  # "khoảng mười" reads as no value
    assert got.expected == pytest.approx(46 / QUARTER_DAYS) != night1.expected  # tonight's pace
    d7 = next(d for d in got.departments if d.key == "d7")
    assert (d7.readable, d7.stale, d7.read_on) == (True, False, NIGHT2)
    kr1 = d7.key_results[0]
    assert (kr1.current, kr1.raw, kr1.comment, kr1.last_update, kr1.last_check_in) == (
        7.0, "7", "đúng hạn", date(2026, 11, 10), NIGHT1)  # first seen on night 1
    assert kr1.expected == pytest.approx(46 / QUARTER_DAYS) and kr1.gap == pytest.approx(46 / QUARTER_DAYS - 0.7)
    # d0's data issues are still reported although its workbook was not opened; none says "not read tonight"
    d0_issues = [(i.cell, i.key_result) for i in got.issues if i.department == "d0"]
    assert d0_issues == [("G10", "O1.KR1"), ("H11", "O1.KR2")]  # row 9 is the objective
    assert [i for i in want.issues if i.department == "d0"] == [i for i in got.issues if i.department == "d0"]


def test_an_incremental_night_shows_exactly_what_a_full_read_shows_in_json_summary_and_digest(tmp_path):
    config = _company(tmp_path)
    folder = tmp_path / "data" / "2026-Q4"
    runner = CliRunner()
    night1 = runner.invoke(cli, ["rollup", "--config", str(config), "--as-of", "2026-11-15"])
    assert night1.exit_code == 0, night1.output
    _type(folder / "d5.xlsx", {"O1.KR2": {"current": 33, "last_update": "16/11/2026"}})
    before = {name: (folder / name).read_bytes() for name in (STATE_NAME, STORE_NAME, "company-summary.xlsx")}

    outputs, summaries, stores = {}, {}, {}
    for way, options in (("incremental", []), ("full", ["--full"])):
        for name, content in before.items():  # each way starts from the same night-1 files
            (folder / name).write_bytes(content)
        run = runner.invoke(cli, ["rollup", "--config", str(config), "--as-of", "2026-11-20", "--json", *options])
        assert run.exit_code == 0, run.output
        outputs[way] = {k: v for k, v in json.loads(run.stdout).items() if k not in ("started_at", "finished_at")}
        summaries[way] = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)]
                          for ws in openpyxl.load_workbook(folder / "company-summary.xlsx")}
        stores[way] = (folder / STORE_NAME).read_text(encoding="utf-8"), (folder / STATE_NAME).read_text(encoding="utf-8")
    assert outputs["incremental"] == outputs["full"]
    assert summaries["incremental"] == summaries["full"]
    assert stores["incremental"] == stores["full"]
    d5 = next(d for d in outputs["incremental"]["departments"] if d["key"] == "d5")
    assert d5["score"] == pytest.approx((0.5 + 0.8) / 3)  # 5 of 10, and 45 -> 33 is 12 of the 15 days to cut
    assert d5["key_results"][1]["last_update"] == "2026-11-16"

    # the digest is made from the result: the same result, the same e-mail
    for name, content in before.items():
        (folder / name).write_bytes(content)
    got, want, opened = _both_ways(config, date(2026, 11, 20))
    assert opened == ["d5"] and got == want
    assert admin_text(got, "vi") == admin_text(want, "vi")


def test_a_touched_workbook_is_read_again_though_its_content_is_the_same(tmp_path):
    config = _company(tmp_path)
    _night(config, NIGHT1)
    path = tmp_path / "data" / "2026-Q4" / "d4.xlsx"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # what `touch` does, a second later
    got, want, opened = _both_ways(config, NIGHT2)
    assert opened == ["d4"] and got == want
    _, opened = _night(config, NIGHT2)
    assert opened == ["d4"]
    _, opened = _night(config, NIGHT2)
    assert opened == []  # the store now holds the touched file's version


def test_full_opens_every_workbook_and_still_writes_the_store(tmp_path):
    config = _company(tmp_path)
    _night(config, NIGHT1)
    store = tmp_path / "data" / "2026-Q4" / STORE_NAME
    store.unlink()
    _, opened = _night(config, NIGHT2, full=True)
    assert sorted(opened) == KEYS
    assert store.is_file()
    _, opened = _night(config, NIGHT2)
    assert opened == []  # the store --full wrote is used the next night
    # the nightly job (what `okrsheets rollup` and `schedule` run) is incremental unless told otherwise
    loaded = load_config(config)
    backend = CountingBackend(loaded)
    run_nightly(loaded, as_of=NIGHT2, rollup=lambda cfg, **kw: run_rollup(cfg, backend=backend, **kw))
    assert backend.opened == []
    run_nightly(loaded, as_of=NIGHT2, rollup=lambda cfg, **kw: run_rollup(cfg, backend=backend, **kw), full=True)
    assert sorted(backend.opened) == KEYS


def test_a_changed_target_in_the_config_reads_that_department_again(tmp_path):
    config = _company(tmp_path)
    _night(config, NIGHT1)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('values."O1.KR1" = { target = 10 }', 'values."O1.KR1" = { target = 20 }', 2),
                      encoding="utf-8")  # d0 and d1 only (the first two departments)
    got, want, opened = _both_ways(config, NIGHT2)
    assert sorted(opened) == ["d0", "d1"] and got == want
    assert got.departments[1].key_results[0].score == pytest.approx(1 / 20)  # 1 of the new target 20
    assert got.departments[2].key_results[0].score == pytest.approx(2 / 10)  # d2 unchanged


def test_a_date_that_reads_differently_on_another_day_is_read_again(tmp_path):
    config = _company(tmp_path)
    folder = tmp_path / "data" / "2026-Q4"
    _type(folder / "d1.xlsx", {"O1.KR1": {"last_update": "24 tháng 11"}})  # no year: 2025 until 23 Nov 2026
    _type(folder / "d2.xlsx", {"O1.KR1": {"last_update": date(2026, 11, 20)}})  # after tomorrow: an issue until 19 Nov
    _night(config, NIGHT1)
    got, want, opened = _both_ways(config, NIGHT2)
    assert opened == ["d2"] and got == want  # the issue says "after 17/11/2026" tonight, "16/11" last night
    _night(config, NIGHT2)
    got, want, opened = _both_ways(config, date(2026, 11, 19))
    assert opened == ["d2"] and got == want  # the day after tomorrow, and then tomorrow: valid
    _night(config, date(2026, 11, 19))
    got, want, opened = _both_ways(config, date(2026, 11, 22))
    assert opened == [] and got == want
    _night(config, date(2026, 11, 22))
    got, want, opened = _both_ways(config, date(2026, 11, 25))
    assert opened == ["d1"] and got == want  # "24 tháng 11" is now this year's
    assert got.departments[1].key_results[0].last_update == date(2026, 11, 24)
    got, want, opened = _both_ways(config, date(2026, 11, 10))  # an --as-of before the night read: 20/11 is ahead again
    assert opened == ["d2"] and got == want


def test_a_stored_date_reads_as_the_date_typed():
    """The store keeps a typed date as ISO text: on any night it reads as the date cell did."""
    for typed in (date(2026, 11, 10), date(2026, 11, 20), datetime(2026, 12, 24, 9, 30), date(2027, 1, 1)):
        for locale in ("vi", "en"):
            for night in (NIGHT1, date(2026, 11, 21), date(2026, 12, 31)):
                assert read_update_date(kept_update(typed), locale, night, date(2025, 10, 1)) == \
                       read_update_date(typed, locale, night, date(2025, 10, 1))


def test_a_missing_or_damaged_store_means_every_workbook_is_read(tmp_path):
    config = _company(tmp_path)
    store = tmp_path / "data" / "2026-Q4" / STORE_NAME
    _night(config, NIGHT1)
    store.write_text("{damaged", encoding="utf-8")
    _, opened = _night(config, NIGHT2)
    assert sorted(opened) == KEYS
    store.unlink()
    _, opened = _night(config, NIGHT2)
    assert sorted(opened) == KEYS
    data = json.loads(store.read_text(encoding="utf-8"))
    data["departments"]["d6"]["fingerprint"] = "another okrsheets"
    store.write_text(json.dumps(data), encoding="utf-8")
    _, opened = _night(config, NIGHT2)
    assert opened == ["d6"]


def test_worker_processes_only_get_the_workbooks_to_read(tmp_path):
    config = _company(tmp_path)
    _night(config, NIGHT1)
    folder = tmp_path / "data" / "2026-Q4"
    _type(folder / "d8.xlsx", {"O1.KR1": {"current": 2}})
    record = tmp_path / "opened.txt"

    class RecordingBackend(ExcelBackend):  # workers are other processes: they note what they open in a file
        def read(self, department_key, sheets=None):
            with open(record, "a", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()} {department_key}\n")
            return super().read(department_key, sheets)

    loaded = load_config(config)
    state = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
    got = score_quarter(build_plan(loaded), RecordingBackend(loaded), NIGHT2, copy.deepcopy(state), workers=2,
                        readings=ReadingsStore.load(folder))
    lines = record.read_text(encoding="utf-8").split()
    assert lines[1::2] == ["d8"] and int(lines[0]) != os.getpid()  # read once, in a worker
    want = score_quarter(build_plan(loaded), ExcelBackend(loaded), NIGHT2, copy.deepcopy(state), workers=1,
                         readings=ReadingsStore.load(folder), full=True)
    assert got == want


def test_rollup_full_on_the_command_line_opens_what_the_store_says_is_unchanged(tmp_path):
    config = _company(tmp_path)
    folder = tmp_path / "data" / "2026-Q4"
    _night(config, NIGHT1)
    # Hand-edit d9's stored reading (same file version and fingerprint): only a night that does not open
    # d9.xlsx can show 2 instead of the 9 typed in it.
    store = folder / STORE_NAME
    data = json.loads(store.read_text(encoding="utf-8"))
    data["departments"]["d9"]["key_results"]["O1.KR1"][:2] = [2.0, "2"]
    store.write_text(json.dumps(data), encoding="utf-8")

    def rollup(*options: str) -> dict:
        run = subprocess.run([sys.executable, "-m", "okrsheets", "rollup", "--config", str(config), "--as-of",
                              "2026-11-16", "--json", *options], capture_output=True, text=True, cwd=tmp_path,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
        assert run.returncode == 0, run.stderr
        return next(d for d in json.loads(run.stdout)["departments"] if d["key"] == "d9")["key_results"][0]

    assert rollup()["current"] == 2.0  # not opened: the store was trusted
    data["departments"]["d9"]["key_results"]["O1.KR1"][:2] = [2.0, "2"]
    store.write_text(json.dumps(data), encoding="utf-8")
    assert rollup("--dry-run", "--full")["current"] == 9.0  # a dry run can open every workbook too
    assert json.loads(store.read_text(encoding="utf-8")) == data  # and writes nothing
    assert rollup("--full")["current"] == 9.0  # opened
    assert rollup()["current"] == 9.0  # and --full stored what it read
    help_text = subprocess.run([sys.executable, "-m", "okrsheets", "rollup", "--help"], capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)}).stdout
    assert "--full Open every workbook, also those unchanged since their last reading." in " ".join(help_text.split())


def test_the_readme_and_the_nightly_guide_say_what_rollup_skips():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `okrsheets rollup"))
    assert "[--full]" in row
    assert ("a workbook unchanged since the last rollup (same file size and modification time, same config) is not "
            "opened: its last reading is scored again against tonight's pace; `--full` opens them all") in row
    guide = " ".join((REPO / "docs" / "nightly.md").read_text(encoding="utf-8").split())
    assert ("a workbook unchanged since its last reading (same file size and modification time, same config) is not "
            "opened again (`okrsheets rollup --full` opens every one)") in guide


def test_a_backend_without_version_tokens_reads_every_workbook(tmp_path):
    config = _company(tmp_path)
    _night(config, NIGHT1)

    class NoVersions(CountingBackend):
        def version(self, department_key):
            return None  # the backend cannot tell

    loaded = load_config(config)
    backend = NoVersions(loaded)
    result = run_rollup(loaded, NIGHT2, backend=backend)
    assert sorted(backend.opened) == KEYS
    assert result.score == pytest.approx(((1 / 3) / 3 + sum(i / 10 / 3 for i in range(1, 10))) / 10)


def test_check_in_dates_come_from_the_state_as_a_read_would_set_them(tmp_path):
    config = _company(tmp_path)
    folder = tmp_path / "data" / "2026-Q4"
    _night(config, NIGHT1)
    state = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
    assert state["d4"]["O1.KR1"] == {"value": 4.0, "changed": "2026-11-15"}
    (folder / STATE_NAME).write_text("{}", encoding="utf-8")  # the state was lost: every value is new tonight
    got, want, opened = _both_ways(config, NIGHT2)
    assert opened == [] and got == want
    assert got.departments[4].key_results[0].last_check_in == NIGHT2
