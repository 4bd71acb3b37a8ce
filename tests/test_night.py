"""A night that is never silently wrong (issue 11.8).

Each test runs the real command line on provisioned HR workbooks (one
objective, three KRs: count 0 -> 10, days 45 -> 30, percent 70% -> 85%) and
checks what an admin or a monitoring check would see.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets.backends.excel_summary import read_history
from okrsheets.cli.main import cli

from .helpers.workbooks import hr_config as _config
from .helpers.workbooks import open_with_values as _fill

QUARTER_DAYS = 92  # 2026-10-01 .. 2026-12-31


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def _company(tmp_path: Path, keys: list[str], provision: bool = True) -> tuple[Path, Path]:
    config = _config(tmp_path, keys)
    if provision:
        assert _invoke("provision", "--config", str(config)).exit_code == 0
    return config, tmp_path / "data" / "2026-Q4"


def _type(folder: Path, key: str, values: dict[str, object]) -> None:
    workbook = _fill(folder / f"{key}.xlsx", values)[0]
    workbook.save(folder / f"{key}.xlsx")


def _rollup(config: Path, as_of: str, exit_code: int):
    result = _invoke("rollup", "--config", str(config), "--json", "--as-of", as_of)
    assert result.exit_code == exit_code, result.output
    return result


def _json(result) -> dict:
    return json.loads(result.stdout)


def _overview(summary: Path) -> dict[str, tuple]:
    """The overview sheet's department rows: {department cell: (score, grade)}."""
    ws = openpyxl.load_workbook(summary)["Tổng quan"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Phòng ban")
    return {row[0]: (row[1], row[2]) for row in rows[header + 1:] if row[0]}


# ---------------------------------------------------------------- last good reading


def test_a_department_not_read_tonight_keeps_its_last_good_reading_and_never_counts_as_zero(tmp_path):
    config, folder = _company(tmp_path, ["a", "b", "c"])
    (folder / "c.xlsx").unlink()  # c's workbook was never there to read
    _type(folder, "a", {"O1.KR1": 5, "O1.KR2": 40})  # 0.5 and (45-40)/15 = 1/3; KR3 no check-in
    _type(folder, "b", {"O1.KR1": 10})  # 1.0
    night1 = _json(_rollup(config, "2026-11-15", exit_code=1))  # c could not be read
    scores = {d["key"]: d["score"] for d in night1["departments"]}
    assert scores["a"] == pytest.approx((0.5 + 1 / 3) / 3)
    assert scores["b"] == pytest.approx(1 / 3)
    # c has no reading: left out of the company score instead of pulling it down as a 0
    assert night1["score"] == pytest.approx(((0.5 + 1 / 3) / 3 + 1 / 3) / 2)
    c = next(d for d in night1["departments"] if d["key"] == "c")
    assert (c["readable"], c["read_on"], c["status"]) == (False, None, "no_data")

    # Night 2: a's workbook is damaged, b's value changed.
    (folder / "a.xlsx").write_bytes((folder / "a.xlsx").read_bytes()[:2000])
    _type(folder, "b", {"O1.KR1": 8})
    night2 = _json(_rollup(config, "2026-11-20", exit_code=1))
    a = next(d for d in night2["departments"] if d["key"] == "a")
    assert (a["readable"], a["read_on"]) == (False, "2026-11-15")
    assert a["score"] == pytest.approx((0.5 + 1 / 3) / 3)  # from the stored values, not 0
    kr1 = next(kr for kr in a["key_results"] if kr["id"] == "O1.KR1")
    assert (kr1["current"], kr1["expected"]) == (5.0, pytest.approx(50 / QUARTER_DAYS))  # scored against tonight's pace
    assert kr1["gap"] == pytest.approx(50 / QUARTER_DAYS - 0.5)
    assert night2["score"] == pytest.approx(((0.5 + 1 / 3) / 3 + 0.8 / 3) / 2)
    problems = {i["problem"] for i in night2["issues"] if i["department"] == "a"}
    assert "Đêm nay không đọc được tệp; bảng tổng hợp dùng số liệu đọc ngày 15/11/2026, điểm được tính lại theo tiến độ hôm nay." in problems
    assert "Không đọc được tệp: tệp bị cắt cụt hoặc hỏng" in problems
    assert any(i["problem"].startswith("Chưa đọc được tệp lần nào") for i in night2["issues"] if i["department"] == "c")

    # the same from the library, as the e-mail digest and the terminal table show it
    from okrsheets.cli.report import score_table
    from okrsheets.config import load_config
    from okrsheets.jobs.digest import admin_text
    from okrsheets.jobs.readings import ReadingsStore
    from okrsheets.jobs.rollup import score_quarter
    from okrsheets.plan import build_plan
    from okrsheets.backends.excel import ExcelBackend

    loaded = load_config(config)
    result = score_quarter(build_plan(loaded), ExcelBackend(loaded), date(2026, 11, 20), {},
                           readings=ReadingsStore.load(folder))
    text = admin_text(result, "vi")
    assert "- a: 28% (số liệu ngày 15/11/2026) (không đọc được);" in text
    assert "- c: — (không đọc được);" in text
    table = "\n".join(score_table(result))
    assert "a (số liệu ngày 15/11/2026)  27,8%" in table
    assert any(line.split()[:3] == ["c", "—", "—"] for line in table.splitlines()), table

    assert json.loads((folder / ".okrsheets-readings.json").read_text(encoding="utf-8"))["departments"]["a"]["read_on"] == "2026-11-15"
    summary = folder / "company-summary.xlsx"
    overview = _overview(summary)
    assert overview["a (số liệu ngày 15/11/2026)"][0] == pytest.approx((0.5 + 1 / 3) / 3)
    assert overview["c"] == (None, None)  # no score, not 0%
    history = {row["date"]: row for row in read_history(summary)}
    assert set(history[date(2026, 11, 20)]["departments"]) == {"b"}  # only what was read that night
    assert history[date(2026, 11, 20)]["score"] == pytest.approx(night2["score"])


def test_in_english_a_stale_department_is_marked_reading_of_its_date(tmp_path):
    config, folder = _company(tmp_path, ["a", "b"])
    config.write_text(config.read_text(encoding="utf-8").replace('quarter = "2026-Q4"', 'language = "en"\nquarter = "2026-Q4"'), encoding="utf-8")
    _type(folder, "a", {"O1.KR1": 5})
    _rollup(config, "2026-11-15", exit_code=0)
    (folder / "a.xlsx").write_text("hello", encoding="utf-8")
    night2 = _json(_rollup(config, "2026-11-16", exit_code=1))
    ws = openpyxl.load_workbook(folder / "company-summary.xlsx")["Overview"]
    names = [row[0] for row in ws.iter_rows(values_only=True)]
    assert "a (reading of 2026-11-15)" in names
    assert "The workbook could not be read tonight; the summary shows its reading of 2026-11-15, scored against today's pace." in {
        i["problem"] for i in night2["issues"]}


# ---------------------------------------------------------------- exit codes and status


def test_a_rollup_before_any_provision_exits_1_writes_nothing_and_says_to_provision(tmp_path):
    config, folder = _company(tmp_path, ["a", "b"], provision=False)
    result = _invoke("rollup", "--config", str(config))
    assert result.exit_code == 1
    assert "Không đọc được tệp OKR nào (2 phòng ban)" in result.output
    assert "hãy chạy `okrsheets provision` trước" in result.output
    assert "Traceback" not in result.output
    assert not (folder / "company-summary.xlsx").exists()  # no history row with a company score of 0
    status = _invoke("status", "--config", str(config))
    assert status.exit_code == 1
    assert "Lần chạy gần nhất: THẤT BẠI" in status.output and "okrsheets provision" in status.output


def test_a_rollup_that_could_not_read_some_departments_exits_1_and_status_says_so(tmp_path):
    config, folder = _company(tmp_path, ["a", "b", "c"])
    (folder / "b.xlsx").write_text("xin chào", encoding="utf-8")
    result = _invoke("rollup", "--config", str(config), "--as-of", "2026-11-15")
    assert result.exit_code == 1
    assert "1/3 phòng ban không đọc được tệp (b)" in result.output
    assert (folder / "company-summary.xlsx").exists()  # the summary is still written
    status = _invoke("status", "--config", str(config))
    assert status.exit_code == 1, status.output
    assert "Lần chạy gần nhất: CHƯA ĐỦ" in status.output
    assert "không đọc được:             b" in status.output
    assert json.loads((folder / "last-run.json").read_text())["last_run"]["departments_unread"] == ["b"]
    # once every workbook reads again, both say so with 0
    shutil.copy(folder / "a.xlsx", folder / "b.xlsx")
    (folder / "b.xlsx").unlink()
    assert _invoke("provision", "--config", str(config)).exit_code == 0
    assert _invoke("rollup", "--config", str(config), "--as-of", "2026-11-16").exit_code == 0
    status = _invoke("status", "--config", str(config))
    assert status.exit_code == 0 and "Lần chạy gần nhất: thành công" in status.output


README = Path(__file__).resolve().parent.parent / "README.md"
NIGHTLY = Path(__file__).resolve().parent.parent / "docs" / "nightly.md"


def test_readme_help_and_nightly_doc_give_the_same_exit_codes():
    readme = README.read_text(encoding="utf-8")
    table = readme[readme.index("### Exit codes"):]
    table = table[: table.index("\n## ")]
    assert "| 1 | some workbook could not be read (the summary is still written, showing its last good reading)," in table
    assert "none could be read (nothing is written: run `okrsheets provision` first)" in table
    assert "| 75 | another rollup is running" in table
    help_text = " ".join(_invoke("rollup", "--help").output.split())
    assert "1 some workbook could not be read (the summary is still written and shows its last good reading)" in help_text
    assert "or none could be read (nothing is written: run `provision` first)" in help_text
    doc = " ".join(NIGHTLY.read_text(encoding="utf-8").split())
    assert "`okrsheets rollup` exits 0 when every workbook was read and the summary written" in doc
    assert "| 1 | the last run failed (the reason is printed), could not read some departments" in doc
    assert ("Each department's last good reading is kept in `<quarter folder>/.okrsheets-readings.json`: a workbook "
            "that cannot be read tonight is shown from it, marked with the date it was read;") in doc
    assert "Temporary files a killed run leaves (`.company-summary.*.xlsx.tmp`) are removed by the next run once they are ten minutes old." in doc
    assert "If `company-summary.xlsx` is open in Excel or LibreOffice, the summary is written beside it as `company-summary (<date>).xlsx`." in doc


# ---------------------------------------------------------------- summary open in Excel or LibreOffice


@pytest.mark.parametrize("lock_name", ["~$company-summary.xlsx", ".~lock.company-summary.xlsx#"])
def test_a_summary_open_in_excel_is_left_alone_and_tonights_goes_beside_it(tmp_path, lock_name):
    config, folder = _company(tmp_path, ["a"])
    _type(folder, "a", {"O1.KR1": 5})
    _rollup(config, "2026-11-15", exit_code=0)
    summary = folder / "company-summary.xlsx"
    before = summary.read_bytes()
    (folder / lock_name).write_text("someone", encoding="utf-8")
    _type(folder, "a", {"O1.KR1": 10})
    result = _invoke("rollup", "--config", str(config), "--as-of", "2026-11-16")
    assert result.exit_code == 0, result.output
    beside = folder / "company-summary (2026-11-16).xlsx"
    assert f"bảng tổng hợp đêm nay được ghi vào {beside}" in result.output
    assert summary.read_bytes() == before  # the open file is untouched
    assert [row["date"] for row in read_history(beside)] == [date(2026, 11, 15), date(2026, 11, 16)]
    record = json.loads((folder / "last-run.json").read_text())["last_run"]
    assert record["succeeded"] and record["summary_path"] == str(beside)
    assert any("company-summary (2026-11-16).xlsx" in e for e in record["errors"])
    state = json.loads((folder / ".okrsheets-state.json").read_text())
    assert state["a"]["O1.KR1"] == {"value": 10.0, "changed": "2026-11-16"}  # the night's check-ins are kept
    status = _invoke("status", "--config", str(config))
    assert str(beside) in status.output

    download = folder / "company-summary (1).xlsx"  # someone's own copy: not ours to touch
    shutil.copy(summary, download)
    (folder / lock_name).unlink()  # closed: the next night writes the usual name again, with every night
    result = _invoke("rollup", "--config", str(config), "--as-of", "2026-11-17")
    assert result.exit_code == 0, result.output
    assert [row["date"] for row in read_history(summary)] == [date(2026, 11, 15), date(2026, 11, 16), date(2026, 11, 17)]
    assert not beside.exists()  # its history now lives in the usual summary
    assert download.read_bytes() == before


# ---------------------------------------------------------------- temporary files of a killed run


def test_temporary_files_of_a_killed_run_are_removed_by_the_next_run(tmp_path):
    config, folder = _company(tmp_path, ["a"])
    old = time.time() - 11 * 60  # ten minutes untouched: a killed run's
    left = [folder / ".company-summary.k3x_9abz.xlsx.tmp", folder / ".a.q1w2e3r4.xlsx.tmp",
            folder / ".last-run.0a1b2c3d.json.tmp", folder / "..okrsheets-state.zz_y8x7w.json.tmp"]
    for path in left:
        path.write_bytes(b"half a file")
        os.utime(path, (old, old))
    fresh = folder / ".company-summary.abcdefgh.xlsx.tmp"  # a write in progress (or just ended)
    fresh.write_bytes(b"being written")
    os.utime(fresh, (time.time() - 9 * 60, time.time() - 9 * 60))
    theirs = [folder / "notes.tmp", folder / ".backup.tmp", folder / "a.xlsx.tmp"]  # not named like ours
    for path in theirs:
        path.write_bytes(b"someone else's")
        os.utime(path, (old, old))
    _rollup(config, "2026-11-15", exit_code=0)
    assert [p.exists() for p in left] == [False] * len(left)
    assert fresh.exists() and all(p.exists() for p in theirs)


# ---------------------------------------------------------------- the file system


def _rollup_process(config: Path) -> subprocess.CompletedProcess:
    """`okrsheets rollup` as its own process, the way cron or systemd runs it: all of stderr is seen."""
    root = str(Path(__file__).resolve().parent.parent)  # this checkout's okrsheets, whatever is installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "okrsheets", "rollup", "--config", str(config)],
                          capture_output=True, text=True, timeout=120, env=env)


def _no_traceback(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def test_a_folder_named_like_the_summary_gets_a_clear_message(tmp_path):
    config, folder = _company(tmp_path, ["a"])
    (folder / "company-summary.xlsx").mkdir()
    result = _rollup_process(config)
    _no_traceback(result, f"Lỗi: {folder / 'company-summary.xlsx'} là một thư mục, không phải tệp; đổi tên hoặc xóa thư mục đó rồi chạy lại")


def test_a_folder_named_like_a_team_workbook_is_a_data_issue_without_a_traceback(tmp_path):
    config, folder = _company(tmp_path, ["a", "b"])
    (folder / "b.xlsx").unlink()
    (folder / "b.xlsx").mkdir()
    result = _rollup_process(config)
    _no_traceback(result, "1/2 phòng ban không đọc được tệp (b)")
    assert (folder / "company-summary.xlsx").is_file()  # a's department is still summed up


def test_a_data_folder_that_is_a_file_gets_a_clear_message_in_english_too(tmp_path):
    config, folder = _company(tmp_path, ["a"])
    config.write_text(config.read_text(encoding="utf-8").replace('quarter = "2026-Q4"', 'language = "en"\nquarter = "2026-Q4"'), encoding="utf-8")
    shutil.rmtree(tmp_path / "data")
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    result = _rollup_process(config)
    _no_traceback(result, f"Error: {tmp_path / 'data'} is a file, not a folder; rename or remove that file, or fix [backend] folder in the config")


def test_a_symlink_loop_gets_a_clear_message(tmp_path):
    config, folder = _company(tmp_path, ["a"])
    shutil.rmtree(folder)
    folder.symlink_to(folder.name)  # 2026-Q4 -> 2026-Q4
    result = _rollup_process(config)
    _no_traceback(result, f"Lỗi: {folder} là một liên kết (symlink) vòng lặp hoặc trỏ tới nơi không tồn tại")


def test_a_missing_disk_path_reads_nothing_and_says_to_provision(tmp_path):
    config, folder = _company(tmp_path, ["a"], provision=False)
    result = _rollup_process(config)
    _no_traceback(result, "Không đọc được tệp OKR nào (1 phòng ban) trong", "okrsheets provision")


def test_a_folder_without_write_permission_gets_a_clear_message(tmp_path):
    config, folder = _company(tmp_path, ["a"])
    if os.geteuid() != 0:
        folder.chmod(0o555)
    elif not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("running as root without chattr: no way to deny writing here")
    try:
        result = _rollup_process(config)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)
    _no_traceback(result, f"Lỗi: không có quyền ghi vào {folder}; cho người dùng chạy okrsheets quyền ghi vào thư mục đó")
