"""Commands that cannot hurt (issue 15.5): provision never fills a missing share or prints a traceback,
rollup --dry-run writes nothing, --as-of outside the quarter needs --force, check-config warns about
risky e-mail settings and fraction-looking percents, and file modes are what docs/nightly.md says."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets.backends.excel_summary import read_history
from okrsheets.cli.main import cli
from okrsheets.sheets.team_workbook import COL, FIRST_ROW

REPO = Path(__file__).resolve().parent.parent

# One department, one objective: count 0 -> 10, days 45 -> 30, percent 70% -> 85%.
HR = """
[[departments]]
key = "hr"
template = "hr"
objectives = ["O1"]
owners = ["hr@a.vn"]
values."O1.KR1" = { target = 10 }
values."O1.KR2" = { start = 45, target = 30 }
values."O1.KR3" = { start = 70, target = 85 }
"""


def _config(tmp_path: Path, folder: str = "data", language: str = "vi", extra: str = "") -> Path:
    path = tmp_path / "okrsheets.toml"
    path.write_text(
        f'company = "Công ty B"\nlanguage = "{language}"\nquarter = "2026-Q4"\n{extra}[backend]\nfolder = "{folder}"\n{HR}',
        encoding="utf-8",
    )
    return path


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args))


def _okrsheets(*args: str, umask: int | None = None) -> subprocess.CompletedProcess:
    """The command as its own process: what an admin's terminal or cron would see, stderr included."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "okrsheets", *args], capture_output=True, text=True, env=env,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None, timeout=120)


def _type_check_ins(workbook: Path, values: dict[str, float]) -> None:
    book = openpyxl.load_workbook(workbook)
    sheet = book["OKR"]
    rows = {sheet.cell(r, 1).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}
    for kr, value in values.items():
        sheet.cell(rows[kr], COL["current"]).value = value
    book.save(workbook)


def _snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``folder`` (hidden ones too): size, mtime in ns and content hash."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


# ---------------------------------------------------------------- provision and the data folder


def test_provision_refuses_a_folder_whose_parent_is_missing_unless_create(tmp_path):
    share = tmp_path / "mnt" / "share"  # not mounted: does not exist
    config = _config(tmp_path, folder=str(share / "okr-data"))
    run = _okrsheets("provision", "--config", str(config))
    assert run.returncode == 1
    assert run.stderr == (
        f"Lỗi: {share} không tồn tại (ổ đĩa hoặc thư mục mạng chưa được gắn?), nên không tạo {share / 'okr-data'};"
        " kiểm tra [backend] folder trong cấu hình, hoặc chạy lại với --create nếu đúng là cần tạo thư mục mới\n"
    )
    assert not (tmp_path / "mnt").exists()
    assert _cli("provision", "--config", str(config), "--dry-run").exit_code == 1  # a dry run says so too
    created = _cli("provision", "--config", str(config), "--create")
    assert created.exit_code == 0, created.output
    assert (share / "okr-data" / "2026-Q4" / "hr.xlsx").is_file()


def test_rollup_of_an_unmounted_share_writes_nothing_anywhere(tmp_path):
    share = tmp_path / "mnt" / "share"  # not mounted: does not exist
    config = _config(tmp_path, folder=str(share / "okr-data"))
    run = _okrsheets("rollup", "--config", str(config))
    assert run.returncode == 1
    assert f"Lỗi: {share} không tồn tại (ổ đĩa hoặc thư mục mạng chưa được gắn?)" in run.stderr
    assert "--create" not in run.stderr  # rollup has no such option
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "mnt").exists()  # no lock, log or last-run.json on the local disk


def test_a_missing_data_folder_under_an_existing_parent_is_created(tmp_path):
    result = _cli("provision", "--config", str(_config(tmp_path, folder="okr-data")))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "okr-data" / "2026-Q4" / "hr.xlsx").is_file()


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("damage", ["folder_is_a_file", "parent_is_a_file", "symlink_loop", "quarter_is_a_file"])
def test_file_system_problems_are_one_line_in_the_configs_language(tmp_path, damage, dry_run):
    data = tmp_path / "okr-data"
    if damage == "folder_is_a_file":
        data.write_text("x")
        culprit, why = data, "is a file, not a folder"
    elif damage == "parent_is_a_file":
        (tmp_path / "share").write_text("x")
        data = tmp_path / "share" / "okr-data"
        culprit, why = tmp_path / "share", "is a file, not a folder"
    elif damage == "symlink_loop":
        data.symlink_to(data)
        culprit, why = data, "is a symbolic link that loops or leads nowhere"
    else:
        data.mkdir()
        (data / "2026-Q4").write_text("x")
        culprit, why = data / "2026-Q4", "is a file, not a folder"
    config = _config(tmp_path, folder=str(data), language="en")
    run = _okrsheets("provision", "--config", str(config), *(["--dry-run"] if dry_run else []))
    assert run.returncode == 1
    assert run.stderr.startswith(f"Error: {culprit} {why}") and run.stderr.count("\n") == 1, run.stderr
    assert "Traceback" not in run.stderr + run.stdout


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_without_permission_is_one_line(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    run = _okrsheets("provision", "--config", str(_config(tmp_path, folder=str(locked / "okr-data"), language="en")))
    assert run.returncode == 1
    assert run.stderr.startswith("Error: no permission to write in ") and run.stderr.count("\n") == 1, run.stderr


# ---------------------------------------------------------------- rollup --dry-run and --as-of


def _provisioned(tmp_path: Path, language: str = "vi") -> tuple[Path, Path]:
    config = _config(tmp_path, language=language)
    assert _cli("provision", "--config", str(config)).exit_code == 0
    folder = tmp_path / "data" / "2026-Q4"
    # KR1 4 of 0 -> 10: 0.4; KR2 40 of 45 -> 30: 5/15; KR3 75% of 70 -> 85: 5/15. Objective = department = company:
    # (0.4 + 1/3 + 1/3) / 3 = 0.35555... -> 35,6%
    _type_check_ins(folder / "hr.xlsx", {"O1.KR1": 4, "O1.KR2": 40, "O1.KR3": 0.75})
    return config, folder


def test_a_dry_run_on_a_fresh_quarter_writes_nothing_at_all(tmp_path):
    config, folder = _provisioned(tmp_path)
    before = _snapshot(tmp_path)
    result = _cli("rollup", "--config", str(config), "--dry-run", "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert _snapshot(tmp_path) == before  # no summary, state, readings, log, lock or last-run.json
    assert result.output.splitlines()[-6:] == [
        "Công ty B  35,6%  Đỏ   Có rủi ro        0",  # 35,6% against an expected 54% (50 of 92 days)
        "Chạy thử: chưa ghi gì. Một lần tổng hợp thật sẽ ghi:",
        f"  bảng tổng hợp: {folder / 'company-summary.xlsx'}",
        "  dòng lịch sử 20/11/2026 (dòng mới): công ty 35,6%; hr 35,6%",
        f"  trạng thái: {folder / '.okrsheets-state.json'}",
        f"  số liệu đọc được gần nhất: {folder / '.okrsheets-readings.json'}",
    ]


def test_a_dry_run_after_real_runs_leaves_every_file_and_mtime_and_adds_no_history_row(tmp_path):
    config, folder = _provisioned(tmp_path, language="en")
    assert _cli("rollup", "--config", str(config), "--as-of", "2026-11-20").exit_code == 0
    before = _snapshot(tmp_path)
    assert {".okrsheets-state.json", ".okrsheets-readings.json", "last-run.json", "okrsheets.log",
            "company-summary.xlsx"} <= {Path(p).name for p in before}
    for day in ("2026-11-20", "2026-11-27", "2027-02-01"):  # same night, a later one, and outside the quarter
        result = _cli("rollup", "--config", str(config), "--dry-run", "--json", "--as-of", day)
        assert result.exit_code == 0, result.output
        assert _snapshot(tmp_path) == before
    preview = json.loads(result.output)["dry_run"]  # the last one: 2027-02-01, allowed without --force as it writes nothing
    assert preview["written"] is False and preview["summary_path"] == str(folder / "company-summary.xlsx")
    assert preview["history_row"] == {"date": "2027-02-01", "score": pytest.approx(16 / 45),
                                      "departments": {"hr": pytest.approx(16 / 45)}, "replaces_existing_row": False}
    assert [row["date"].isoformat() for row in read_history(folder / "company-summary.xlsx")] == ["2026-11-20"]
    text = _cli("rollup", "--config", str(config), "--dry-run", "--as-of", "2026-11-20").output
    assert "  history row 2026-11-20 (replacing that date's row): company 35.6%; hr 35.6%" in text


def test_as_of_outside_the_quarter_is_refused_unless_force(tmp_path):
    config, folder = _provisioned(tmp_path)
    before = _snapshot(tmp_path)
    refused = _cli("rollup", "--config", str(config), "--as-of", "2027-02-01")
    assert refused.exit_code == 2
    assert (
        "Lỗi: --as-of 01/02/2027 nằm ngoài quý 2026-Q4 (01/10/2026 – 31/12/2026): bảng tổng hợp sẽ bị ghi đè và lịch sử"
        " thêm một dòng không xóa được; xem trước với --dry-run, hoặc thêm --force nếu đúng là muốn vậy"
    ) in refused.output
    assert _snapshot(tmp_path) == before
    forced = _cli("rollup", "--config", str(config), "--as-of", "2027-02-01", "--force")
    assert forced.exit_code == 0, forced.output
    assert [row["date"].isoformat() for row in read_history(folder / "company-summary.xlsx")] == ["2027-02-01"]
    assert _cli("rollup", "--config", str(config), "--as-of", "2026-12-31").exit_code == 0  # the last day is inside


# ---------------------------------------------------------------- check-config warnings


EMAIL = """[email]
enabled = true
sender = "bot@a.vn"
smtp_port = 587
tls = "{tls}"
username = "bot@a.vn"
password_env = "OKRSHEETS_TEST_SMTP_PASSWORD"
"""


def test_check_config_warns_about_an_unset_password_variable_and_plaintext_auth(tmp_path, monkeypatch):
    monkeypatch.delenv("OKRSHEETS_TEST_SMTP_PASSWORD", raising=False)
    config = _config(tmp_path, language="en", extra=EMAIL.format(tls="none"))
    result = _cli("check-config", "--config", str(config))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: email.")]
    assert warnings == [
        "warning: email.password_env: e-mail is enabled with a username but the environment variable"
        " OKRSHEETS_TEST_SMTP_PASSWORD is not set here: the SMTP server will refuse the login and nobody gets e-mail;"
        " set OKRSHEETS_TEST_SMTP_PASSWORD in the nightly job's environment (e.g. /etc/okrsheets/okrsheets.env)",
        'warning: email.tls: username is set with tls = "none": the SMTP password crosses the network unencrypted;'
        ' use tls = "starttls" (port 587) or "ssl" (port 465)',
    ]
    assert result.output.splitlines()[-1] == "1 department, 1 objective, 3 key results; 2 warnings"
    monkeypatch.setenv("OKRSHEETS_TEST_SMTP_PASSWORD", "s3cret")
    fixed = _cli("check-config", "--config", str(_config(tmp_path, language="en", extra=EMAIL.format(tls="starttls"))))
    assert "warning: email." not in fixed.output and "s3cret" not in fixed.output


def test_check_config_warns_about_a_percent_that_looks_like_a_fraction(tmp_path):
    config = _config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace("start = 70, target = 85", "start = 0.7, target = 0.85"),
                      encoding="utf-8")
    result = _cli("check-config", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert (
        'cảnh báo: departments[1] "hr".values."O1.KR3".target: O1.KR3: chỉ tiêu phần trăm 0,7 → 0,85 trông như phân số;'
        ' trang sẽ ghi "0,85%", không phải 70 → 85%; nếu ý là 70 → 85%, ghi số phần trăm (start = 70, target = 85);'
        " nếu đúng là 0,85%, bỏ qua cảnh báo này"
    ) in result.output.splitlines()


# ---------------------------------------------------------------- file modes (docs/nightly.md)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_file_modes_follow_the_umask_as_docs_nightly_says(tmp_path):
    doc = " ".join((REPO / "docs" / "nightly.md").read_text(encoding="utf-8").split())
    assert "created readable by their owner only" not in doc
    assert "The service in `scripts/` sets `UMask=0027`, so they are 0640" in doc
    assert "\nUMask=0027\n" in (REPO / "scripts" / "okrsheets-rollup.service").read_text(encoding="utf-8")
    config, folder = _provisioned(tmp_path)
    run = _okrsheets("rollup", "--config", str(config), "--as-of", "2026-11-20", umask=0o027)
    assert run.returncode == 0, run.stderr
    names = ["company-summary.xlsx", "last-run.json", ".okrsheets-state.json", ".okrsheets-readings.json", "okrsheets.log"]
    assert {name: oct((folder / name).stat().st_mode & 0o777) for name in names} == {name: "0o640" for name in names}
    (folder / "company-summary.xlsx").chmod(0o644)  # "a file whose mode you changed keeps it"
    (folder / "last-run.json").chmod(0o600)
    assert _okrsheets("rollup", "--config", str(config), "--as-of", "2026-11-21", umask=0o027).returncode == 0
    assert oct((folder / "company-summary.xlsx").stat().st_mode & 0o777) == "0o644"
    assert oct((folder / "last-run.json").stat().st_mode & 0o777) == "0o600"
