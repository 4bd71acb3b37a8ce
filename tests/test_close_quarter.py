"""close-quarter and next-quarter on the demo company: the final record, read-only workbooks, the carried config."""

from __future__ import annotations

import hashlib
import json
import shutil
import tomllib
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.config import load_config, parse_config
from okrsheets.errors import ConfigError
from okrsheets.jobs import demo
from okrsheets.plan import build_plan
from okrsheets.sheets.team_workbook import COL

TODAY = date(2026, 11, 20)


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """The demo (English) provisioned and checked in, a copy of its workbooks before close, then closed."""
    folder = tmp_path_factory.mktemp("closeq") / "demo"
    prepared = demo.prepare(folder, TODAY, "en")
    config_path = folder / "okrsheets.toml"
    quarter = prepared.config.quarter_folder
    before = folder.parent / "before"
    shutil.copytree(quarter, before)
    closed = run("close-quarter", "--config", str(config_path), ok=False)
    record = json.loads((quarter / ".okrsheets-closed.json").read_text(encoding="utf-8"))
    # the demo's employee team deleted a KR row: that workbook is not closed until the admin forces it
    forced = run("provision", "--config", str(config_path), "--force")
    return {"config": config_path, "quarter": quarter, "before": before, "closed_output": closed.output, "record": record,
            "closed_exit": closed.exit_code, "forced_output": forced.output}


@pytest.fixture(scope="module")
def after_close(cycle):
    """A rollup after close (--json), then next-quarter, then its provisioning; old files' digests around it."""
    rolled = run("rollup", "--config", str(cycle["config"]), "--json")
    final = json.loads(rolled.output)
    written = run("next-quarter", "--config", str(cycle["config"]))
    new_config = cycle["config"].with_name("okrsheets-2027-Q1.toml")
    old = digests(cycle["quarter"])
    provisioned = run("provision", "--config", str(new_config))
    return {"final": final, "written": written.output, "new_config": new_config, "old_digests": old,
            "provisioned": provisioned.output}


def test_close_writes_the_final_record_and_a_frozen_final_summary(cycle):
    record, quarter = cycle["record"], cycle["quarter"]
    assert record["quarter"] == "2026-Q4"
    closed_on = date.fromisoformat(record["closed_on"])
    assert record["final"]["as_of"] == min(closed_on, date(2026, 12, 31)).isoformat()
    assert len(record["final"]["departments"]) == 14
    assert all(d["readable"] for d in record["final"]["departments"])
    assert (quarter / "company-summary-final.xlsx").read_bytes() == (quarter / "company-summary.xlsx").read_bytes()
    assert f"Quarter 2026-Q4 closed on {closed_on.isoformat()}" in cycle["closed_output"]
    assert cycle["closed_output"].count("updated ") == 13
    assert "SKIPPED (damaged)      employee" in cycle["closed_output"] and cycle["closed_exit"] == 1
    assert "rebuilt (forced)       employee" in cycle["forced_output"]
    assert "14 departments: 13 unchanged, 1 rebuilt (forced)" in cycle["forced_output"]
    employee = openpyxl.load_workbook(quarter / "employee.xlsx")["OKR"]
    assert employee["A7"].value.startswith("Quarter closed on ")
    assert all(c.protection.locked for row in employee.iter_rows() for c in row)


def test_the_summary_history_marks_the_final_night_and_keeps_it_after_later_rollups(cycle, after_close):
    from okrsheets.backends.excel_history import load_history

    as_of = date.fromisoformat(cycle["record"]["final"]["as_of"])
    for name in ("company-summary-final.xlsx", "company-summary.xlsx"):  # the frozen copy, and the one rollup rewrote
        history = load_history(cycle["quarter"] / name)
        assert history.final == as_of
        assert history.rows[as_of][0] == pytest.approx(cycle["record"]["final"]["score"], abs=1e-12)
    sheet = openpyxl.load_workbook(cycle["quarter"] / "company-summary-final.xlsx")["History"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "#final" and rows[1][-1] == "Final"
    marked = [row for row in rows[2:] if row[-1] is not None]
    assert [(row[0].date(), row[-1]) for row in marked] == [(as_of, "Final score (quarter closed)")]


def test_closed_workbooks_are_read_only_with_a_banner_and_keep_every_typed_value(cycle):
    closed_on = cycle["record"]["closed_on"]
    for name in ("sales.xlsx", "hr.xlsx", "engineering.xlsx"):
        after = openpyxl.load_workbook(cycle["quarter"] / name)
        before = openpyxl.load_workbook(cycle["before"] / name)
        for sheet in after.worksheets:
            assert sheet.protection.sheet, (name, sheet.title)
            unlocked = [c.coordinate for row in sheet.iter_rows() for c in row if not c.protection.locked]
            assert unlocked == [], (name, sheet.title)
        okr, old = after["OKR"], before["OKR"]
        assert okr["A7"].value == f"Quarter closed on {closed_on}, read-only"
        assert after["Guide"]["A1"].value == okr["A7"].value
        changed = {c.coordinate for row in old.iter_rows() for c in row if c.value != okr[c.coordinate].value}
        assert changed == {"A7", "B5"}  # the banner and the provisioning time; every value typed is as it was
        typed = [old.cell(r, 7).value for r in range(9, old.max_row + 1)]
        assert any(v not in (None, "") for v in typed)
        assert typed == [okr.cell(r, 7).value for r in range(9, okr.max_row + 1)]


def test_provision_refuses_a_closed_quarter_unless_forced(cycle):
    refused = run("provision", "--config", str(cycle["config"]), ok=False)
    assert refused.exit_code == 1
    assert "quarter 2026-Q4 was closed on" in refused.output and "--force" in refused.output
    assert "Traceback" not in refused.output
    before = digests(cycle["quarter"])
    forced = run("provision", "--config", str(cycle["config"]), "--force")
    assert "14 departments: 14 unchanged" in forced.output  # the workbooks are already closed: still read-only, not rewritten
    assert {k: v for k, v in digests(cycle["quarter"]).items() if k.endswith(".xlsx")} == \
        {k: v for k, v in before.items() if k.endswith(".xlsx")}
    again = run("close-quarter", "--config", str(cycle["config"]), ok=False)
    assert again.exit_code == 1 and "already closed" in again.output


def test_rollup_after_close_reads_the_closed_workbooks(cycle, after_close):
    final = after_close["final"]
    assert all(d["readable"] for d in final["departments"])
    assert final["score"] == pytest.approx(cycle["record"]["final"]["score"], abs=1e-12)


def test_next_quarter_carries_exactly_the_unfinished_krs_with_their_final_values(cycle, after_close):
    final = after_close["final"]
    old = tomllib.loads(cycle["config"].read_text(encoding="utf-8"))
    new = tomllib.loads(after_close["new_config"].read_text(encoding="utf-8"))
    assert new["quarter"] == "2027-Q1" and new["company"] == old["company"] and new["backend"] == old["backend"]
    assert [d["key"] for d in new["departments"]] == [d["key"] for d in old["departments"]]
    carried = dropped = 0
    for department, before, after in zip(final["departments"], old["departments"], new["departments"]):
        unfinished = [kr for kr in department["key_results"] if kr["score"] < 1.0]
        finished = [kr["id"] for kr in department["key_results"] if kr["score"] >= 1.0]
        assert after["key_results"] == [kr["id"] for kr in unfinished], department["key"]
        assert after["objectives"] == list(dict.fromkeys(kr["objective_id"] for kr in unfinished))
        assert not set(finished) & set(after["values"])
        for kr in unfinished:
            values, was = after["values"][kr["id"]], before["values"].get(kr["id"], {})
            assert values["carried_from"] == "2026-Q4"
            if kr["kind"] != "milestone" and kr["current"] is not None:
                assert values["start"] == pytest.approx(kr["current"], abs=1e-9), (department["key"], kr["id"])
            else:
                assert values.get("start") == was.get("start")
            assert values.get("target") == was.get("target")
        carried += len(unfinished)
        dropped += len(finished)
    assert carried > 100 and dropped > 5  # the demo has both
    assert f"Wrote {after_close['new_config']} for 2027-Q1: {carried} KRs carried over, {dropped} KRs finished and dropped." \
        in after_close["written"]
    assert "Hoa Sen Demo Ltd: 2027-Q1 (2027-01-01 – 2027-03-31, 90 days)" in after_close["written"]  # check-config ran
    text = after_close["new_config"].read_text(encoding="utf-8")
    assert text.count("# carried from 2026-Q4:") == carried
    assert "# Generated by `okrsheets demo`" in text  # the original comments are kept


def test_the_written_config_passes_check_config_and_its_plan_holds_the_carried_starts(after_close):
    plan = build_plan(load_config(after_close["new_config"]))
    sales = plan.department("sales")
    final = next(d for d in after_close["final"]["departments"] if d["key"] == "sales")
    unfinished = {kr["id"]: kr for kr in final["key_results"] if kr["score"] < 1.0}
    assert [kr.id for kr in sales.key_results] == list(unfinished)
    for kr in sales.key_results:
        if kr.kind in ("increase", "decrease") and unfinished[kr.id]["current"] is not None:
            assert kr.start == pytest.approx(unfinished[kr.id]["current"], abs=1e-9)
    assert run("check-config", "--config", str(after_close["new_config"])).exit_code == 0
    assert run("lint", "--config", str(after_close["new_config"])).exit_code == 0  # warnings at most


def test_a_carried_deadline_moves_to_the_same_day_of_the_new_quarter(after_close):
    new = tomllib.loads(after_close["new_config"].read_text(encoding="utf-8"))
    employee = next(d for d in new["departments"] if d["key"] == "employee")
    assert employee["values"]["O1.KR1"]["deadline"] == date(2027, 3, 23)  # 2026-12-21 is day 81 of 2026-Q4; day 81 of 2027-Q1
    assert "deadline moved from 2026-12-21" in after_close["new_config"].read_text(encoding="utf-8")
    for department in new["departments"]:
        for values in department["values"].values():
            for value in values.values():
                if isinstance(value, date):
                    assert date(2027, 1, 1) <= value <= date(2027, 3, 31)


def test_provisioning_the_next_quarter_leaves_the_closed_quarter_untouched(cycle, after_close):
    assert "14 departments: 14 created" in after_close["provisioned"]
    assert digests(cycle["quarter"]) == after_close["old_digests"]
    new_folder = cycle["quarter"].parent / "2027-Q1"
    assert sorted(p.name for p in new_folder.glob("*.xlsx")) == sorted(p.name for p in cycle["before"].glob("*.xlsx")
                                                                      if p.name != "company-summary.xlsx")
    sales = openpyxl.load_workbook(new_folder / "sales.xlsx")["OKR"]
    assert sales["A7"].value is None and any(not c.protection.locked for row in sales.iter_rows() for c in row)


def test_next_quarter_refuses_an_open_quarter_and_an_existing_file(tmp_path, cycle, after_close):
    again = run("next-quarter", "--config", str(cycle["config"]), ok=False)
    assert again.exit_code == 1 and "already exists and is left alone" in again.output
    opened = run("next-quarter", "--config", str(after_close["new_config"]), ok=False)
    assert opened.exit_code == 1 and "quarter 2027-Q1 is not closed: run `okrsheets close-quarter` first" in opened.output
    wrong = run("next-quarter", "--config", str(cycle["config"]), "--to", "2026-Q4", "--out", str(tmp_path / "x.toml"), ok=False)
    assert wrong.exit_code == 1 and "is the closed quarter itself" in wrong.output


def test_next_quarter_elsewhere_makes_relative_paths_absolute(tmp_path, cycle):
    out = tmp_path / "elsewhere" / "q2.toml"
    out.parent.mkdir()
    run("next-quarter", "--config", str(cycle["config"]), "--to", "2027-Q2", "--out", str(out))
    new = tomllib.loads(out.read_text(encoding="utf-8"))
    assert new["quarter"] == "2027-Q2"
    assert new["backend"]["folder"] == str(cycle["config"].parent.resolve() / "okr-data")
    assert load_config(out).quarter_folder == cycle["quarter"].parent / "2027-Q2"


MINIMAL = {
    "company": "C", "quarter": "2026-Q4",
    "departments": [{"key": "sales", "template": "sales", "objectives": ["O1"], "key_results": ["O1.KR2"],
                     "values": {"O1.KR2": {"target": 12, "start": 3, "carried_from": "2026-Q3"}}}],
}


def test_config_key_results_picks_krs_and_carried_from_is_not_a_slot():
    config = parse_config(MINIMAL)
    assert config.departments[0].values["O1.KR2"].carried_from == "2026-Q3"
    plan = build_plan(config)
    assert [kr.id for kr in plan.departments[0].key_results] == ["O1.KR2"]
    assert plan.departments[0].key_results[0].start == 3


def test_config_key_results_and_carried_from_problems_name_the_key():
    bad = json.loads(json.dumps(MINIMAL))
    bad["departments"][0]["values"]["O1.KR2"]["carried_from"] = "last quarter"
    with pytest.raises(ConfigError) as caught:
        parse_config(bad)
    assert 'departments[1] "sales".values."O1.KR2".carried_from: cần một quý như "2026-Q4", nhận được "last quarter"' in str(caught.value)
    bad = json.loads(json.dumps(MINIMAL))
    bad["departments"][0]["key_results"] = ["O2.KR1"]
    with pytest.raises(ConfigError) as caught:
        build_plan(parse_config(bad))
    assert 'departments[1] "sales".key_results[1]: "O2.KR1" không phải là KR của các mục tiêu đã chọn cho phòng ban này' in str(caught.value)


def test_close_quarter_on_google_locks_every_cell_and_keeps_the_check_ins(tmp_path):
    import gspread

    from okrsheets.jobs.close import close_quarter
    from okrsheets.jobs.closed import QuarterClosedError

    from .google_setups import ADMIN
    from .helpers.google_summary import google_sheets
    from .helpers.team_backends import AS_OF, CHECK_INS, SCORES, TEAM, team_backend

    with team_backend("google", tmp_path) as google:
        google.type("kinh-doanh", CHECK_INS)
        closed = close_quarter(google.plan.config, today=AS_OF)
        assert [o.action for o in closed.outcomes] == ["updated", "updated"]
        finals = {kr["id"]: kr["score"] for kr in closed.closed.final["key_results"] if kr["department"] == "kinh-doanh"}
        assert finals == pytest.approx(SCORES, abs=1e-12)
        sheet = google.team_client(TEAM).open_by_key(google.spreadsheet_id("kinh-doanh")).worksheet("OKR")
        assert sheet.acell("A7").value == "Quý đã đóng ngày 16/11/2026 — chỉ xem"
        for cell in ("G11", "H11", "L11", "M11"):  # current, confidence, comment, last update: open before close
            with pytest.raises(gspread.exceptions.APIError) as refused:
                sheet.update([["1"]], cell, value_input_option="USER_ENTERED")
            assert "protected cell" in str(refused.value)
        rows = {row[0]: row for row in sheet.get("A9:M15", value_render_option="FORMULA")}
        assert rows["O1.KR1"][COL["current"] - 1] == "1.234.567 ₫"
        assert rows["O1.KR3"][COL["current"] - 1] == 7
        with pytest.raises(QuarterClosedError):
            google.provision()
        summary_id = closed.final_summary.split("/")[5]  # on Google the final summary is the summary spreadsheet
        history = google_sheets(google.team_client(ADMIN), summary_id)["Lịch sử"]
        assert history[0][-1] == "#final" and history[1][-1] == "Cuối quý"
        assert [row[-1] for row in history[2:]] == ["Điểm cuối quý (đã đóng)"]  # the one night, the final one


def test_deleting_the_closed_record_reopens_the_quarter(tmp_path):
    from okrsheets.jobs.close import close_quarter
    from okrsheets.jobs.closed import closed_path

    from .helpers.team_backends import AS_OF, CHECK_INS, team_backend

    with team_backend("excel", tmp_path, language="en") as excel:
        excel.type("kinh-doanh", CHECK_INS)
        config = excel.plan.config
        close_quarter(config, today=AS_OF)
        path = Path(excel.backend().location("kinh-doanh"))
        assert openpyxl.load_workbook(path)["OKR"]["A7"].value == "Quarter closed on 2026-11-16, read-only"
        closed_path(config).unlink()
        assert [o.action for o in excel.provision()] == ["updated", "updated"]
        okr = openpyxl.load_workbook(path)["OKR"]
        assert okr["A7"].value is None
        assert not okr["G11"].protection.locked and okr["G12"].value == 7  # O1.KR3's current, as typed
