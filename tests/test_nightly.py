"""run_nightly and okrsheets status: lock, run report, last-run record, exit codes.

The helpers (config files, hand-built RollupResults, a small real rollup
function) are in tests/helpers/nightly.py, shared with test_scheduler,
test_digest and test_lock.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from okrsheets.cli.nightly import status_command
from okrsheets.config import load_config
from okrsheets.errors import BackendError, RollupLockedError
from okrsheets.jobs.lock import rollup_lock
from okrsheets.jobs.nightly import STATUS_FAILED, STATUS_NO_RUN, STATUS_SUCCEEDED, nightly_status, run_nightly
from okrsheets.jobs.runlog import LAST_RUN_NAME, LOG_NAME, read_last_run

from .helpers.nightly import FakeRollup, make_config, provision_hr, sample_result, write_config

ICT = ZoneInfo("Asia/Ho_Chi_Minh")


def ticking_clock(start: datetime, step: timedelta = timedelta(seconds=2)):
    moments = [start - step]

    def clock() -> datetime:
        moments[0] += step
        return moments[0]

    return clock


# ---------------------------------------------------------------- run_nightly


def test_success_is_recorded_in_last_run_json_and_logged(tmp_path, caplog):
    config = make_config(tmp_path, top='language = "en"')  # the log line in English; test_language has the Vietnamese one
    caplog.set_level(logging.INFO, logger="okrsheets")
    start = datetime(2026, 11, 20, 2, 0, tzinfo=ICT)

    result = run_nightly(config, rollup=FakeRollup(api_requests={"drive.files.list": 1, "sheets.spreadsheets.values.batchGet": 40, "sheets.spreadsheets.batchUpdate": 1}), clock=ticking_clock(start))

    assert result.summary_path == str(config.quarter_folder / "company-summary.xlsx")
    data = json.loads((config.quarter_folder / LAST_RUN_NAME).read_text(encoding="utf-8"))
    run = data["last_run"]
    assert run["started_at"] == "2026-11-20T02:00:00+07:00"
    assert run["ended_at"] == "2026-11-20T02:00:02+07:00"
    assert run["succeeded"] is True and run["reason"] is None
    assert run["departments_total"] == 3 and run["departments_read"] == 3
    assert run["key_results_scored"] == 7 and run["key_results_without_check_in"] == 1
    assert run["data_issues"] == 1
    assert run["errors"] == ["sales: one workbook was slow"]
    assert run["api_requests"] == 42
    assert run["summary_path"] == result.summary_path
    assert run["emails_sent"] is None  # digest off
    assert data["last_success"] == run
    line = "rollup succeeded in 2.0 s (rollup): 3/3 departments read, 7 KRs scored, 1 data issue, 1 error, 42 API requests"
    assert line in caplog.text
    log_text = (config.quarter_folder / LOG_NAME).read_text(encoding="utf-8")
    assert line in log_text and "+07:00" in log_text.split()[0]


def test_unreadable_department_and_missing_api_count(tmp_path):
    config = make_config(tmp_path)
    result = sample_result()
    broken = replace(result.departments[2], readable=False, key_results=())
    run_nightly(config, rollup=FakeRollup(replace(result, departments=result.departments[:2] + (broken,))))
    report = read_last_run(config.quarter_folder).last_run
    assert (report.departments_read, report.departments_total) == (2, 3)
    assert report.key_results_scored == 6
    assert report.api_requests is None


def test_failure_is_recorded_then_reraised_keeping_the_last_success(tmp_path, caplog):
    config = make_config(tmp_path, top='language = "en"')
    run_nightly(config, rollup=FakeRollup())
    first_success = read_last_run(config.quarter_folder).last_success

    error = BackendError("cannot write the summary in /okr/2026-Q4: No space left on device")
    with pytest.raises(BackendError) as raised:
        run_nightly(config, rollup=FakeRollup(error=error))
    assert raised.value is error

    record = read_last_run(config.quarter_folder)
    assert record.last_run.succeeded is False
    assert record.last_run.reason == str(error)
    assert record.last_run.departments_read is None
    assert record.last_success == first_success
    assert "rollup failed after" in caplog.text and "No space left on device" in caplog.text


def test_an_unexpected_error_is_recorded_with_its_type(tmp_path):
    config = make_config(tmp_path)
    with pytest.raises(ZeroDivisionError):
        run_nightly(config, rollup=FakeRollup(error=ZeroDivisionError("division by zero")))
    record = read_last_run(config.quarter_folder)
    assert record.last_run.reason == "ZeroDivisionError: division by zero"
    assert record.last_success is None


def test_as_of_and_progress_reach_the_rollup(tmp_path):
    config = make_config(tmp_path)
    rollup = FakeRollup()
    seen = []
    result = run_nightly(config, as_of=date(2026, 12, 1), rollup=rollup, progress=lambda done, total: seen.append((done, total)))
    assert rollup.calls[0]["as_of"] == date(2026, 12, 1) and result.as_of == date(2026, 12, 1)
    assert seen == [(1, 1)]


def test_a_second_run_while_one_holds_the_lock_is_refused(tmp_path):
    config = make_config(tmp_path)
    rollup = FakeRollup()
    with rollup_lock(config.quarter_folder, tz=config.tz):
        with pytest.raises(RollupLockedError) as raised:
            run_nightly(config, rollup=rollup)
    assert raised.value.exit_code == 75
    assert f"một lần tổng hợp khác đang chạy (pid {__import__('os').getpid()}, từ " in str(raised.value)
    assert rollup.calls == [] and not (config.quarter_folder / LAST_RUN_NAME).exists()


def test_the_lock_is_released_after_a_failed_run(tmp_path):
    config = make_config(tmp_path)
    with pytest.raises(BackendError):
        run_nightly(config, rollup=FakeRollup(error=BackendError("boom")))
    run_nightly(config, rollup=FakeRollup())  # not locked out
    assert read_last_run(config.quarter_folder).last_run.succeeded


# ---------------------------------------------------------------- status


def test_status_codes_no_run_success_failure(tmp_path):
    config = make_config(tmp_path, top='language = "en"')  # the status in English; the next test has it in Vietnamese
    now = datetime(2026, 11, 20, 15, 30, tzinfo=ICT)
    status = nightly_status(config, now=now)
    assert status.exit_code == STATUS_NO_RUN == 3
    assert status.next_run == datetime(2026, 11, 21, 2, 0, tzinfo=ICT)
    assert any(line.startswith("No run yet") for line in status.lines())

    run_nightly(config, rollup=FakeRollup())
    assert nightly_status(config, now=now).exit_code == STATUS_SUCCEEDED == 0

    with pytest.raises(BackendError):
        run_nightly(config, rollup=FakeRollup(error=BackendError("summary open in Excel")))
    status = nightly_status(config, now=now)
    assert status.exit_code == STATUS_FAILED == 1
    text = "\n".join(status.lines())
    assert "Last run: FAILED" in text and "summary open in Excel" in text and "Last success: 20" in text
    assert "Next run due: 2026-11-21T02:00+07:00 (in 10 h 30 min)" in text


def test_status_command_prints_the_report_and_exits_with_its_code(tmp_path):
    path = write_config(tmp_path)
    runner = CliRunner()
    result = runner.invoke(status_command, ["--config", str(path)])
    assert result.exit_code == 3, result.output
    assert "Chưa chạy lần nào" in result.output and "Lần chạy tiếp theo:" in result.output

    run_nightly(load_config(path), rollup=FakeRollup(api_requests={"sheets.spreadsheets.get": 7}))
    result = runner.invoke(status_command, ["--config", str(path)])
    assert result.exit_code == 0, result.output
    for expected in ("Lần chạy gần nhất: thành công", "phòng ban đã đọc:           3/3", "kết quả then chốt đã chấm:  7 (1 chưa được cập nhật)",
                     "vấn đề dữ liệu:             1", "yêu cầu API:                7", "company-summary.xlsx", "Lần chạy tiếp theo:"):
        assert expected in result.output

    result = runner.invoke(status_command, ["--config", str(path), "--json"])
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["last_run"]["succeeded"] is True and data["next_run"].endswith("+07:00")


def test_status_help_documents_the_exit_codes():
    result = CliRunner().invoke(status_command, ["--help"])
    assert result.exit_code == 0
    assert "0 the last run succeeded, 1 it failed or could not read some departments, 3 there has been no run" in " ".join(result.output.split())


def test_a_damaged_last_run_record_is_a_clear_error(tmp_path):
    config = make_config(tmp_path)
    config.quarter_folder.mkdir(parents=True)
    (config.quarter_folder / LAST_RUN_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(BackendError, match="damaged"):
        nightly_status(config)
    run_nightly(config, rollup=FakeRollup())  # the next run rewrites it
    assert nightly_status(config).exit_code == 0


# ---------------------------------------------------------------- end to end with the real rollup


def test_end_to_end_with_the_real_rollup(tmp_path):
    config = load_config(provision_hr(tmp_path))
    result = run_nightly(config)
    assert Path(result.summary_path).exists()
    report = read_last_run(config.quarter_folder).last_run
    assert report.succeeded and report.departments_read == 1 and report.key_results_scored == len(result.key_results)
    assert report.summary_path == result.summary_path
