"""`okrsheets provision` with nothing changed since its last run says so before parsing the config
(`jobs.provision_quick`), and anything that could change its outcome sends it the normal way.

Every run here is the real command in a fresh process (`tests/helpers/instrumented_cli.py`), which
notes each file the process opened and how much TOML it parsed: the quick re-run opens no workbook,
imports no config parser, plan or lint code, and parses only the config's top-level keys and
[backend] table (to find the store).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.protection import hash_password

from okrsheets.config import load_config
from okrsheets.jobs.closed import ClosedQuarter, write_closed
from okrsheets.jobs.provision_quick import excel_password_hash
from okrsheets.jobs.provision_store import STORE_NAME

from .helpers.workbooks import fill_current, rows_by_id

REPO = Path(__file__).resolve().parent.parent
HELPER = REPO / "tests" / "helpers" / "instrumented_cli.py"
KEYS = ["d1", "d2", "d3"]
HEAVY = {"okrsheets.config", "okrsheets.plan", "okrsheets.lint", "okrsheets.jobs.provision", "okrsheets.backends.excel",
         "openpyxl", "xlsxwriter", "python_calamine"}


def write_company(folder: Path, d2_target: int = 10, comment: str = "") -> Path:
    """Three departments: d1 and d2 on the built-in "hr" set, d3 on the company's own copy of it ("hr_own")."""
    own = folder / "templates"
    if not own.exists():
        own.mkdir(parents=True)
        text = (REPO / "sheet_templates" / "hr.toml").read_text(encoding="utf-8")
        (own / "hr_own.toml").write_text(text.replace('key = "hr"', 'key = "hr_own"', 1), encoding="utf-8")
    lines = [comment, 'company = "Công ty Sen Vàng"', 'quarter = "2026-Q4"', 'templates_dir = "templates"',
             "[backend]", 'kind = "excel"', 'folder = "okr"']
    for key, template in zip(KEYS, ["hr", "hr", "hr_own"]):
        target = d2_target if key == "d2" else 10
        lines += ["[[departments]]", f'key = "{key}"', f'name = "Phòng {key}"', f'template = "{template}"',
                  f'owners = ["{key}@senvang.example"]',
                  f'values."O1.KR1" = {{ target = {target} }}', 'values."O1.KR2" = { start = 45, target = 30 }',
                  'values."O1.KR3" = { start = 70, target = 85 }']
    path = folder / "okrsheets.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Run:
    exit: int
    stdout: list[str]
    stderr: str
    opened: list[list[str]]  # [path, mode] of every file the process opened
    toml: list[int]  # characters of TOML each tomllib call parsed
    modules: set[str]  # the okrsheets modules imported, and openpyxl, xlsxwriter, python_calamine if they were

    def workbooks_opened(self) -> list[str]:
        return sorted({Path(path).stem for path, _ in self.opened if path.endswith(".xlsx")})

    @property
    def parsed_config(self) -> bool:
        return "okrsheets.config" in self.modules

    @property
    def actions(self) -> dict[str, str]:
        """Each department's outcome word ("không đổi", "đã cập nhật", ...), from the lines the command printed."""
        found = {}
        for line in self.stdout:
            words = line.split()
            for key in KEYS:
                if key in words:
                    found[key] = " ".join(words[:words.index(key)])
        return found


def provision(folder: Path, *options: str, env: dict[str, str] | None = None) -> Run:
    report = folder / "report.json"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    environment.pop("OKRSHEETS_SHEET_PASSWORD", None)  # no protection password unless ``env`` sets one
    environment.update(env or {})
    done = subprocess.run([sys.executable, str(HELPER), str(report), "provision", "--config", str(folder / "okrsheets.toml"), *options],
                          capture_output=True, text=True, cwd=folder, env=environment, timeout=300)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert "Traceback" not in done.stderr, done.stderr
    return Run(data["exit"], done.stdout.splitlines(), done.stderr, data["opened"], data["toml"], set(data["modules"]))


UNCHANGED = "không đổi"
UPDATED = "đã cập nhật"
CREATED = "đã tạo"
ALL_UNCHANGED = dict.fromkeys(KEYS, UNCHANGED)


def quarter(folder: Path) -> Path:
    return folder / "okr" / "2026-Q4"


def workbook(folder: Path, key: str) -> Path:
    return quarter(folder) / f"{key}.xlsx"


def assert_quick(run: Run, folder: Path) -> None:
    """The re-run decided before parsing the config: no workbook opened, only the config's head parsed."""
    assert run.exit == 0, run.stderr
    assert run.actions == ALL_UNCHANGED
    assert run.workbooks_opened() == []
    assert run.modules.isdisjoint(HEAVY)
    text = (folder / "okrsheets.toml").read_text(encoding="utf-8")
    head = text.index("[[departments]]")  # the top-level keys and [backend] come before
    assert run.toml and all(n < head + 5 for n in run.toml) and head < len(text) / 3


def assert_normal(run: Run) -> None:
    assert run.parsed_config and "okrsheets.jobs.provision" in run.modules


@pytest.fixture
def company(tmp_path: Path) -> Path:
    write_company(tmp_path)
    first = provision(tmp_path)
    assert first.exit == 0 and first.actions == dict.fromkeys(KEYS, CREATED), first.stdout + [first.stderr]
    return tmp_path


def test_an_unchanged_rerun_opens_no_workbook_parses_no_config_and_prints_what_the_normal_path_prints(company):
    quick = provision(company)
    assert_quick(quick, company)
    assert quick.stdout == [
        f"{UNCHANGED:<22} {key:<16} {workbook(company, key)}" for key in KEYS
    ] + ["3 phòng ban: 3 không đổi", f"Kiểm tra OKR (okrsheets lint): {lint_summary(company)}"]
    assert quick.stderr == ""
    # the same lines as the normal path's, which parses the config and decides from the store's entries
    store = quarter(company) / STORE_NAME
    data = json.loads(store.read_text(encoding="utf-8"))
    del data["run"]
    store.write_text(json.dumps(data), encoding="utf-8")
    normal = provision(company)
    assert_normal(normal)
    assert normal.workbooks_opened() == [] and normal.stdout == quick.stdout and normal.exit == 0
    assert_quick(provision(company), company)  # the normal run left the record again


def lint_summary(folder: Path) -> str:
    """The last line `okrsheets lint` prints (here "33 lỗi, 33 cảnh báo": the KRs of O2 to O5 have no target,
    and d2 and d3 repeat d1's texts)."""
    done = subprocess.run([sys.executable, "-m", "okrsheets", "lint", "--config", str(folder / "okrsheets.toml")], capture_output=True,
                          text=True, cwd=folder, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    return done.stdout.splitlines()[-1]


def touch(path: Path) -> None:
    mtime = path.stat().st_mtime_ns + 5_000_000_000
    os.utime(path, ns=(mtime, mtime))


def edit_own_template(folder: Path) -> None:
    path = folder / "templates" / "hr_own.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("thu hút {target} ứng viên", "thu hút {target} ứng viên giỏi", 1), encoding="utf-8")


def team_types(folder: Path) -> None:
    fill_current(workbook(folder, "d1"), {"O1.KR1": 7})


def damage_store(folder: Path) -> None:
    (quarter(folder) / STORE_NAME).write_text('{"format": 1, "run": {"form', encoding="utf-8")


def delete_store(folder: Path) -> None:
    (quarter(folder) / STORE_NAME).unlink()


def reshape_record(folder: Path) -> None:
    """The store whole, its record of another shape (what another okrsheets or a hand edit could leave)."""
    path = quarter(folder) / STORE_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    data["run"].update(language=5, departments=[["d1", 3], ["d2"]])
    path.write_text(json.dumps(data), encoding="utf-8")


# (what changes, the outcome of the next run, the workbooks it opens, its environment)
INVALIDATIONS = {
    "config edited": (lambda f: write_company(f, d2_target=12), {**ALL_UNCHANGED, "d2": UPDATED}, ["d2"], None),
    "only a comment added to the config": (lambda f: write_company(f, comment="# quý 4"), ALL_UNCHANGED, [], None),
    "own template edited": (edit_own_template, {**ALL_UNCHANGED, "d3": UPDATED}, ["d3"], None),
    "a file added to templates_dir": (lambda f: (f / "templates" / "notes.txt").write_text("x", encoding="utf-8"),
                                      ALL_UNCHANGED, [], None),
    "workbook touched": (lambda f: touch(workbook(f, "d1")), ALL_UNCHANGED, ["d1"], None),
    "workbook saved with a check-in": (team_types, ALL_UNCHANGED, ["d1"], None),
    "workbook deleted": (lambda f: workbook(f, "d3").unlink(), {**ALL_UNCHANGED, "d3": CREATED}, [], None),
    "store damaged": (damage_store, ALL_UNCHANGED, KEYS, None),
    "store deleted": (delete_store, ALL_UNCHANGED, KEYS, None),
    "the record of another shape": (reshape_record, ALL_UNCHANGED, [], None),
    "okrsheets upgraded": (lambda f: None, ALL_UNCHANGED, [], {"INSTRUMENT_VERSION": "9.9.9"}),
    "protection password set": (lambda f: None, dict.fromkeys(KEYS, UPDATED), KEYS, {"OKRSHEETS_SHEET_PASSWORD": "sen-vang"}),
}


@pytest.mark.parametrize("change", INVALIDATIONS.values(), ids=INVALIDATIONS.keys())
def test_a_change_goes_the_normal_way_with_the_right_outcome_and_the_next_rerun_is_quick_again(company, change):
    make, expected, opened, env = change
    quick = provision(company)
    assert_quick(quick, company)
    make(company)
    normal = provision(company, env=env)
    assert_normal(normal)
    assert normal.exit == 0, normal.stdout + [normal.stderr]
    assert normal.actions == expected
    assert normal.workbooks_opened() == sorted(opened)
    assert_quick(provision(company, env=env), company)


def test_a_changed_or_removed_password_rebuilds_every_workbook(company):
    first = {"OKRSHEETS_SHEET_PASSWORD": "sen-vang"}
    assert provision(company, env=first).actions == dict.fromkeys(KEYS, UPDATED)
    assert_quick(provision(company, env=first), company)  # (openpyxl not imported for the password's hash either)
    second = provision(company, env={"OKRSHEETS_SHEET_PASSWORD": "hoa-sen"})
    assert_normal(second)
    assert second.actions == dict.fromkeys(KEYS, UPDATED)
    removed = provision(company)
    assert_normal(removed)
    assert removed.actions == dict.fromkeys(KEYS, UPDATED)
    assert openpyxl.load_workbook(workbook(company, "d1"))["OKR"].protection.password is None


@pytest.mark.parametrize("password", ["a", "sen-vang", "Mật khẩu 2026!", "x" * 40, "\U0001F600 ok"])
def test_the_password_is_kept_as_the_hash_excel_keeps_in_every_protected_workbook(password):
    # the quick re-run computes it itself: importing openpyxl would cost more than the whole re-run
    assert excel_password_hash(password) == hash_password(password)


def test_a_damaged_workbook_is_reported_on_every_run(company):
    path = workbook(company, "d2")
    book = openpyxl.load_workbook(path)
    sheet = book["OKR"]
    sheet.delete_rows(rows_by_id(sheet)["O1.KR2"])
    book.save(path)
    for _ in range(2):
        run = provision(company)
        assert_normal(run)
        assert run.exit == 1 and run.actions == {**ALL_UNCHANGED, "d2": "BỎ QUA (bị hỏng)"}
        assert run.workbooks_opened() == ["d2"]


def test_a_closed_quarter_is_refused_though_nothing_else_changed(company):
    assert_quick(provision(company), company)
    write_closed(load_config(company / "okrsheets.toml"), ClosedQuarter("2026-Q4", date(2026, 12, 31), {}))
    refused = provision(company)
    assert_normal(refused)
    assert refused.exit == 1 and "2026-Q4" in refused.stderr and "--force" in refused.stderr
    assert refused.workbooks_opened() == []


@pytest.mark.parametrize("options", [["--dry-run"], ["--department", "d1"], ["--force"]], ids=" ".join)
def test_a_run_with_options_goes_the_normal_way(company, options):
    assert_quick(provision(company), company)
    run = provision(company, *options)
    assert_normal(run)
    assert run.exit == 0 and run.actions == ({"d1": UNCHANGED} if "d1" in options else ALL_UNCHANGED)
    assert run.workbooks_opened() == (KEYS if options == ["--force"] else [])


def test_a_run_of_one_department_drops_the_record_it_cannot_vouch_for(company):
    # d2's target changes and only d1 is provisioned: the record must not let the next run call d2 unchanged
    write_company(company, d2_target=12)
    one = provision(company, "--department", "d1")
    assert one.actions == {"d1": UNCHANGED}
    store = json.loads((quarter(company) / STORE_NAME).read_text(encoding="utf-8"))
    assert "run" not in store
    whole = provision(company)
    assert_normal(whole)
    assert whole.actions == {**ALL_UNCHANGED, "d2": UPDATED}


def test_the_config_found_through_the_environment_is_the_one_checked(company, tmp_path_factory):
    # the same text elsewhere is another config (its relative folders are elsewhere): the normal way decides
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.copytree(company / "templates", elsewhere / "templates")
    shutil.copy2(company / "okrsheets.toml", elsewhere / "okrsheets.toml")
    report = elsewhere / "report.json"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OKRSHEETS_CONFIG": str(company / "okrsheets.toml")}
    done = subprocess.run([sys.executable, str(HELPER), str(report), "provision"], capture_output=True, text=True,
                          cwd=elsewhere, env=env, timeout=300)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["exit"] == 0 and "okrsheets.config" not in data["modules"], done.stderr
    assert str(workbook(company, "d1")) in done.stdout
    moved = provision(elsewhere)
    assert_normal(moved)
    assert moved.actions == dict.fromkeys(KEYS, CREATED)
