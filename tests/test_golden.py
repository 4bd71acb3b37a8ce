"""Golden end-to-end test: a small company scored by hand, checked against `rollup --json` and the summary.

The company (config and its own template set written below) is provisioned by
the real `okrsheets provision`; check-ins are typed into the provisioned
workbooks with openpyxl, as a person would in Excel (a percent typed as "45%"
is stored by Excel as 0.45 in a cell with a percent format); then
`okrsheets rollup --json --as-of 2026-11-16` runs. Every score, grade and
status below is computed by hand from the README's rules, arithmetic shown.

The tests after the golden one each pin one rule whose breaking no other test
noticed (the surviving mutants of issue 17).
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.words import say

from .helpers.workbooks import fill_current, okr_rows

AS_OF = "2026-11-16"

# --------------------------------------------------------------------------- the company

# A template set of the company's own (templates_dir), so every kind and unit fits in two
# departments: the built-in sets spread vnd, at_least and at_most over three departments.
TEMPLATE = """
schema = 1
key = "golden"
version = 1

[name]
vi = "Bộ mẫu kiểm thử"
en = "Test set"

[[objectives]]
id = "O1"
vi = "Tăng doanh thu."
en = "Grow revenue."

[[objectives.key_results]]
id = "O1.KR1"
kind = "increase"
unit = "vnd"
vi = "Doanh thu đạt {target}."
en = "Reach revenue of {target}."
slots.target = { type = "money", label = "số tiền" }

[[objectives.key_results]]
id = "O1.KR2"
kind = "increase"
unit = "count"
vi = "Ký {target} hợp đồng."
en = "Sign {target} contracts."
slots.target = { type = "count", label = "số lượng" }

[[objectives.key_results]]
id = "O1.KR3"
kind = "at_least"
unit = "percent"
vi = "Giữ tỷ lệ giao đúng hạn từ {target}% trở lên."
en = "Keep on-time delivery at {target}% or more."
slots.target = { type = "percent", label = "phần trăm" }

[[objectives]]
id = "O2"
vi = "Vận hành gọn."
en = "Lean operations."

[[objectives.key_results]]
id = "O2.KR1"
kind = "decrease"
unit = "days"
vi = "Giảm thời gian xử lý xuống {target} ngày."
en = "Cut handling time to {target} days."
slots.target = { type = "count", label = "số lượng" }

[[objectives.key_results]]
id = "O2.KR2"
kind = "at_most"
unit = "count"
vi = "Không quá {target} sự cố."
en = "At most {target} incidents."
slots.target = { type = "count", label = "số lượng" }

[[objectives.key_results]]
id = "O2.KR3"
kind = "milestone"
unit = "done"
vi = "Đưa quy trình mới vào dùng."
en = "Put the new process in use."

[[objectives]]
id = "O3"
vi = "Khách hàng hài lòng."
en = "Happy customers."

[[objectives.key_results]]
id = "O3.KR1"
kind = "increase"
unit = "percent"
vi = "Tăng tỷ lệ khách quay lại lên {target}%."
en = "Raise the returning-customer rate to {target}%."
slots.target = { type = "percent", label = "phần trăm" }

[[objectives.key_results]]
id = "O3.KR2"
kind = "decrease"
unit = "percent"
vi = "Giảm tỷ lệ khiếu nại xuống {target}%."
en = "Cut the complaint rate to {target}%."
slots.target = { type = "percent", label = "phần trăm" }
"""

CONFIG = """
company = "Công ty Vàng"
timezone = "Asia/Ho_Chi_Minh"
templates_dir = "templates"

[quarter]
name = "2026-Q4"

[backend]
folder = "data"

[[departments]]
key = "kinh-doanh"
name = "Phòng Kinh doanh"
template = "golden"
owners = ["lan@vang.vn"]
weight = 3
objectives = ["O1", "O3"]
values."O1" = { weight = 1.5 }
values."O1.KR1" = { start = 0, target = 8_000_000_000, weight = 2 }
values."O1.KR2" = { start = 10, target = 50 }
values."O1.KR3" = { target = 90 }
values."O3" = { weight = 0.5 }
values."O3.KR1" = { start = 20, target = 60 }
values."O3.KR2" = { start = 30, target = 10 }

[[departments]]
key = "van-hanh"
name = "Phòng Vận hành"
template = "golden"
owners = ["minh@vang.vn"]
objectives = ["O2"]
values."O2" = { weight = 2 }
values."O2.KR1" = { start = 20, target = 5 }
values."O2.KR2" = { target = 3, weight = 3 }

[[departments]]
key = "nhan-su"
name = "Phòng Nhân sự"
template = "golden"
owners = ["thu@vang.vn"]
weight = 2
objectives = ["O2"]
values."O2.KR1" = { start = 20, target = 5 }
values."O2.KR2" = { target = 3 }
"""

# What each team types (nhan-su types nothing at all). A percent cell gets Excel's "0%" format
# with the fraction Excel stores for "45%", "95%": the README's "45% is stored as 0.45" case.
CHECK_INS = {
    "kinh-doanh": {
        "O1.KR1": 2_000_000_000,
        "O1.KR2": 40,
        "O1.KR3": (0.95, "0%"),
        "O3.KR1": (0.45, "0%"),
        # O3.KR2: no check-in
    },
    "van-hanh": {"O2.KR1": 11, "O2.KR2": 5, "O2.KR3": "Xong"},
}

# --------------------------------------------------------------------------- the hand computation
# Quarter 2026-Q4: 2026-10-01 .. 2026-12-31 = 31 + 30 + 31 = 92 days (first and last counted).
# As of 2026-11-16: 31 (October) + 15 (Nov 1..15) = 46 days fully over -> expected = 46 / 92 = 0.5.
# Status: done if score >= 1; on track if score >= 0.5 - 0.1 = 0.4; off track if score < 0.5 - 0.3 = 0.2;
# at risk in between. Grade: red < 0.4 <= yellow < 0.7 <= green.
EXPECTED = 0.5

KEY_RESULTS = {  # (department, KR): (current read, score, status)
    # increase vnd, 0 -> 8e9, at 2e9: (2e9 - 0) / (8e9 - 0) = 0.25; 0.2 <= 0.25 < 0.4 -> at risk
    ("kinh-doanh", "O1.KR1"): (2_000_000_000, 0.25, "at_risk"),
    # increase count, 10 -> 50, at 40: (40 - 10) / (50 - 10) = 30 / 40 = 0.75 >= 0.4 -> on track
    ("kinh-doanh", "O1.KR2"): (40, 0.75, "on_track"),
    # at_least 90 %, 0.95 in a percent cell = 95 % >= 90 -> 1 -> done
    ("kinh-doanh", "O1.KR3"): (95, 1.0, "done"),
    # increase percent, 20 -> 60, 0.45 in a percent cell = 45: (45 - 20) / (60 - 20) = 25 / 40 = 0.625 -> on track
    # (read without the x100 it would be (0.45 - 20) / 40 < 0 -> 0)
    ("kinh-doanh", "O3.KR1"): (45, 0.625, "on_track"),
    # decrease percent, no check-in: scores 0, status no data
    ("kinh-doanh", "O3.KR2"): (None, 0.0, "no_data"),
    # decrease days, 20 -> 5, at 11: (11 - 20) / (5 - 20) = -9 / -15 = 0.6 -> on track
    ("van-hanh", "O2.KR1"): (11, 0.6, "on_track"),
    # at_most 3 incidents, at 5: 5 > 3 -> 0; it has a value, 0 < 0.2 -> off track
    ("van-hanh", "O2.KR2"): (5, 0.0, "off_track"),
    # milestone "Xong" (done) -> 1 -> done
    ("van-hanh", "O2.KR3"): (1, 1.0, "done"),
    # nhan-su typed nothing: every KR 0, no data
    ("nhan-su", "O2.KR1"): (None, 0.0, "no_data"),
    ("nhan-su", "O2.KR2"): (None, 0.0, "no_data"),
    ("nhan-su", "O2.KR3"): (None, 0.0, "no_data"),
}

OBJECTIVES = {  # (department, objective): (weight, score, grade, status)
    # kinh-doanh O1, KR weights 2, 1, 1: (0.25*2 + 0.75*1 + 1*1) / (2+1+1) = 2.25 / 4 = 0.5625
    #   yellow (0.4 <= 0.5625 < 0.7), on track (>= 0.4)
    ("kinh-doanh", "O1"): (1.5, 0.5625, "yellow", "on_track"),
    # kinh-doanh O3, KR weights 1, 1: (0.625 + 0) / 2 = 0.3125; red; 0.2 <= 0.3125 < 0.4 -> at risk
    ("kinh-doanh", "O3"): (0.5, 0.3125, "red", "at_risk"),
    # van-hanh O2, KR weights 1, 3, 1: (0.6*1 + 0*3 + 1*1) / 5 = 1.6 / 5 = 0.32; red; at risk
    ("van-hanh", "O2"): (2.0, 0.32, "red", "at_risk"),
    # nhan-su O2: (0 + 0 + 0) / 3 = 0; red; no KR has a value -> no data
    ("nhan-su", "O2"): (1.0, 0.0, "red", "no_data"),
}

DEPARTMENTS = {  # key: (weight, score, grade, status)
    # objective weights 1.5 and 0.5: (0.5625*1.5 + 0.3125*0.5) / (1.5+0.5) = (0.84375 + 0.15625) / 2 = 0.5
    #   (objective weights ignored: (0.5625 + 0.3125) / 2 = 0.4375); yellow; on track (0.5 >= 0.4)
    "kinh-doanh": (3.0, 0.5, "yellow", "on_track"),
    # one objective: 0.32; red; at risk
    "van-hanh": (1.0, 0.32, "red", "at_risk"),
    # nothing typed: 0; red; no data
    "nhan-su": (2.0, 0.0, "red", "no_data"),
}

# Company, department weights 3, 1, 2: (0.5*3 + 0.32*1 + 0*2) / (3+1+2) = 1.82 / 6 = 0.30333...
#   (department weights ignored: (0.5 + 0.32 + 0) / 3 = 0.27333...); red; 0.2 <= 0.3033 < 0.4 -> at risk
COMPANY = (1.82 / 6, "red", "at_risk")

STATUS_VI = {"done": "Hoàn thành", "on_track": "Đúng tiến độ", "at_risk": "Có rủi ro",
             "off_track": "Chậm tiến độ", "no_data": "Chưa cập nhật"}
GRADE_VI = {"red": "Đỏ", "yellow": "Vàng", "green": "Xanh"}
NAMES = {"kinh-doanh": "Phòng Kinh doanh", "van-hanh": "Phòng Vận hành", "nhan-su": "Phòng Nhân sự"}
TIGHT = {"rel": 1e-12, "abs": 1e-12}


# --------------------------------------------------------------------------- helpers


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args))
    return result


# The night's own issue for a department never read yet, beside the one that says why.
NEVER_READ = ("Chưa đọc được tệp lần nào", "The workbook has never been read")


def rollup_json(config: Path, *extra: str, exit_code: int = 0) -> dict:
    """``rollup --json``: exit 0 when every workbook was read, 1 when some could not be (monitoring notices)."""
    result = invoke("rollup", "--config", str(config), "--json", *extra)
    assert result.exit_code == exit_code, result.output
    return json.loads(result.stdout)


def write_company(tmp_path: Path, config_text: str = CONFIG) -> Path:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "golden.toml").write_text(TEMPLATE, encoding="utf-8")
    config = tmp_path / "okrsheets.toml"
    config.write_text(config_text, encoding="utf-8")
    return config


def provision(config: Path) -> None:
    result = invoke("provision", "--config", str(config))
    assert result.exit_code == 0, result.output


# What `okrsheets provision` prints it did, in either language -> the outcome's name.
ACTIONS = {say(language, outcome): outcome for language in ("vi", "en")
           for outcome in ("created", "updated", "unchanged", "forced", "locked", "damaged")}


def provision_actions(output: str) -> dict[str, str]:
    """Department key -> what `okrsheets provision` printed it did ("created", "updated", "unchanged", ...)."""
    actions = {}
    for line in output.splitlines():
        if line.endswith(".xlsx") and len(line) > 23:
            action, key = line[:22].strip(), line[23:].split()[0]
            actions[key] = ACTIONS.get(action, action)
    return actions


def workbook_path(tmp_path: Path, key: str) -> Path:
    return tmp_path / "data" / "2026-Q4" / f"{key}.xlsx"


@pytest.fixture
def company(tmp_path: Path) -> Path:
    """The golden company, provisioned, with every team's check-ins typed in; returns the config path."""
    config = write_company(tmp_path)
    provision(config)
    for key, values in CHECK_INS.items():
        fill_current(workbook_path(tmp_path, key), values)
    return config


def table(sheet, header_row: int) -> tuple[dict[str, int], list[tuple]]:
    """The header -> column map of a summary table and its data rows (values only)."""
    headers = {cell.value: cell.column for cell in sheet[header_row] if cell.value is not None}
    rows = list(sheet.iter_rows(min_row=header_row + 1, values_only=True))
    return headers, rows


def find_row(rows: list[tuple], headers: dict[str, int], **match: object) -> tuple:
    found = [row for row in rows if all(row[headers[h] - 1] == v for h, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


# --------------------------------------------------------------------------- the golden test


def test_golden_company_scores_in_json(company: Path):
    data = rollup_json(company, "--as-of", AS_OF)
    assert data["as_of"] == AS_OF
    assert data["expected"] == pytest.approx(EXPECTED, **TIGHT)
    assert data["issues"] == []
    score, grade, status = COMPANY
    assert (data["score"], data["grade"], data["status"]) == (pytest.approx(score, **TIGHT), grade, status)

    departments = {d["key"]: d for d in data["departments"]}
    assert set(departments) == set(DEPARTMENTS)
    for key, (weight, score, grade, status) in DEPARTMENTS.items():
        got = departments[key]
        assert (got["weight"], got["score"], got["grade"], got["status"]) == (
            weight, pytest.approx(score, **TIGHT), grade, status), key
    objectives = {(d["key"], o["id"]): o for d in data["departments"] for o in d["objectives"]}
    assert set(objectives) == set(OBJECTIVES)
    for id_, (weight, score, grade, status) in OBJECTIVES.items():
        got = objectives[id_]
        assert (got["weight"], got["score"], got["grade"], got["status"]) == (
            weight, pytest.approx(score, **TIGHT), grade, status), id_
    key_results = {(d["key"], k["id"]): k for d in data["departments"] for k in d["key_results"]}
    assert set(key_results) == set(KEY_RESULTS)
    for id_, (current, score, status) in KEY_RESULTS.items():
        got = key_results[id_]
        expected_current = None if current is None else pytest.approx(current, **TIGHT)
        assert (got["current"], got["score"], got["status"]) == (
            expected_current, pytest.approx(score, **TIGHT), status), id_
        assert got["expected"] == pytest.approx(EXPECTED, **TIGHT)
        assert got["gap"] == pytest.approx(EXPECTED - score, **TIGHT)  # gap = expected - score
    # start and target as the config gives them (percent KRs in percent, not as fractions)
    assert [(key_results[k]["start"], key_results[k]["target"]) for k in (
        ("kinh-doanh", "O1.KR1"), ("kinh-doanh", "O1.KR3"), ("kinh-doanh", "O3.KR1"), ("van-hanh", "O2.KR3"))] == [
        (0, 8_000_000_000), (None, 90), (20, 60), (None, None)]


def test_golden_company_scores_in_the_summary_workbook(company: Path, tmp_path: Path):
    rollup_json(company, "--as-of", AS_OF)
    summary = openpyxl.load_workbook(tmp_path / "data" / "2026-Q4" / "company-summary.xlsx")

    overview = summary["Tổng quan"]
    facts = {row[0]: row[1] for row in overview.iter_rows(max_col=2, values_only=True) if row[0]}
    score, grade, status = COMPANY
    assert overview["A1"].value == "Báo cáo OKR: Công ty Vàng"  # the title block names the company
    assert facts["Quý"] == "2026-Q4"
    assert facts["Tính đến ngày"] == datetime(2026, 11, 16)
    assert facts["Tiến độ kỳ vọng"] == pytest.approx(EXPECTED, **TIGHT)
    assert facts["Điểm công ty"] == pytest.approx(score, **TIGHT)
    assert (facts["Xếp loại"], facts["Trạng thái"]) == (GRADE_VI[grade], STATUS_VI[status])
    header_row = next(c.row for c in overview["A"] if c.value == "Phòng ban")
    headers, rows = table(overview, header_row)
    for key, (_, score, grade, status) in DEPARTMENTS.items():
        row = find_row(rows, headers, **{"Phòng ban": NAMES[key]})
        assert row[headers["Điểm"] - 1] == pytest.approx(score, **TIGHT), key
        shown = (row[headers["Xếp loại"] - 1], row[headers["Trạng thái"] - 1])
        assert shown == (GRADE_VI[grade], STATUS_VI[status]), key
    counts = find_row(rows, headers, **{"Phòng ban": NAMES["kinh-doanh"]})
    # kinh-doanh's KRs: 1 done, 2 on track, 1 at risk, 0 off track, 1 no data
    assert [counts[headers[STATUS_VI[s]] - 1] for s in STATUS_VI] == [1, 2, 1, 0, 1]

    headers, rows = table(summary["Mục tiêu"], 1)
    for (key, id_), (weight, score, grade, status) in OBJECTIVES.items():
        row = find_row(rows, headers, **{"Phòng ban": NAMES[key], "Mã": id_})
        assert row[headers["Trọng số"] - 1] == weight
        assert row[headers["Điểm"] - 1] == pytest.approx(score, **TIGHT), (key, id_)
        assert (row[headers["Xếp loại"] - 1], row[headers["Trạng thái"] - 1]) == (GRADE_VI[grade], STATUS_VI[status])

    headers, rows = table(summary["Kết quả then chốt"], 1)
    for (key, id_), (current, score, status) in KEY_RESULTS.items():
        row = find_row(rows, headers, **{"Phòng ban": NAMES[key], "Mã": id_})
        assert row[headers["Hiện tại"] - 1] == (None if current is None else pytest.approx(current, **TIGHT)), id_
        assert row[headers["Điểm"] - 1] == pytest.approx(score, **TIGHT), (key, id_)
        assert row[headers["Trạng thái"] - 1] == STATUS_VI[status], (key, id_)

    # At risk: the at-risk and off-track KRs, furthest behind first: O2.KR2 (gap 0.5 - 0 = 0.5), O1.KR1 (0.25)
    headers, rows = table(summary["Có rủi ro"], 1)
    assert [(r[headers["Mã"] - 1], r[headers["Chênh lệch"] - 1]) for r in rows] == [
        ("O2.KR2", pytest.approx(0.5, **TIGHT)), ("O1.KR1", pytest.approx(0.25, **TIGHT))]

    history = summary["Lịch sử"]
    keys = [c.value for c in history[1]]
    day = next(r for r in history.iter_rows(min_row=3, values_only=True) if r[0] == datetime(2026, 11, 16))
    assert day[keys.index("#score")] == pytest.approx(COMPANY[0], **TIGHT)
    for key, (_, department_score, _, _) in DEPARTMENTS.items():
        assert day[keys.index(key)] == pytest.approx(department_score, **TIGHT), key


# --------------------------------------------------------------------------- pins: one rule each


def test_a_company_without_any_check_in_has_status_no_data(tmp_path: Path):
    config = write_company(tmp_path)
    provision(config)
    data = rollup_json(config, "--as-of", AS_OF)
    # every KR 0 -> every objective, department and the company 0; red; no value anywhere -> no data
    assert (data["score"], data["grade"], data["status"]) == (0.0, "red", "no_data")
    assert {d["key"]: d["status"] for d in data["departments"]} == dict.fromkeys(DEPARTMENTS, "no_data")
    overview = openpyxl.load_workbook(tmp_path / "data" / "2026-Q4" / "company-summary.xlsx")["Tổng quan"]
    facts = {row[0]: row[1] for row in overview.iter_rows(max_col=2, values_only=True) if row[0]}
    assert facts["Trạng thái"] == "Chưa cập nhật"


# At every moment one of these two zones (UTC+14 and UTC-12, 26 hours apart) has another date
# than the machine's local clock, so "today" read from the wrong clock shows.
FAR_ZONES = ("Pacific/Kiritimati", "Etc/GMT+12")


def test_without_as_of_today_is_the_date_in_the_config_timezone(tmp_path: Path):
    zone = next(z for z in FAR_ZONES if datetime.now(ZoneInfo(z)).date() != date.today())
    config = write_company(tmp_path, CONFIG.replace('timezone = "Asia/Ho_Chi_Minh"', f'timezone = "{zone}"'))
    provision(config)
    for _ in range(3):  # a run that straddles midnight in that zone is retried
        before = datetime.now(ZoneInfo(zone)).date()
        data = rollup_json(config)
        if datetime.now(ZoneInfo(zone)).date() == before:
            break
    assert before != date.today()
    assert data["as_of"] == before.isoformat()
    # expected = clamp((today - 2026-10-01) / 92 days, 0, 1)
    assert data["expected"] == pytest.approx(min(1.0, max(0.0, (before - date(2026, 10, 1)).days / 92)), **TIGHT)


@pytest.mark.parametrize("language, belongs_to", [("vi", 'phòng ban "van-hanh"'), ("en", 'department "van-hanh"')])
def test_another_departments_workbook_in_a_departments_place_is_not_scored(tmp_path: Path, language, belongs_to):
    config = write_company(tmp_path, CONFIG.replace('timezone = ', f'language = "{language}"\ntimezone = '))
    provision(config)
    fill_current(workbook_path(tmp_path, "van-hanh"), CHECK_INS["van-hanh"])
    # van-hanh and nhan-su have the same KR IDs (O2.KR1..3): only the workbook's own key tells them apart
    shutil.copy(workbook_path(tmp_path, "van-hanh"), workbook_path(tmp_path, "nhan-su"))
    data = rollup_json(config, "--as-of", AS_OF, exit_code=1)  # one workbook could not be read
    nhan_su = next(d for d in data["departments"] if d["key"] == "nhan-su")
    assert (nhan_su["score"], nhan_su["status"], nhan_su["readable"]) == (0.0, "no_data", False)
    issues = [i for i in data["issues"] if i["department"] == "nhan-su" and not i["problem"].startswith(NEVER_READ)]
    assert len(issues) == 1 and issues[0]["file"].endswith("nhan-su.xlsx")
    assert belongs_to in issues[0]["problem"] and '"nhan-su"' in issues[0]["problem"], issues[0]
    # provisioning does not overwrite it either: it belongs to someone else
    before = workbook_path(tmp_path, "nhan-su").read_bytes()
    result = invoke("provision", "--config", str(config))
    assert provision_actions(result.output)["nhan-su"] == "damaged"
    assert workbook_path(tmp_path, "nhan-su").read_bytes() == before


def test_a_workbook_of_another_template_set_is_not_scored(tmp_path: Path):
    config = write_company(tmp_path)
    provision(config)
    fill_current(workbook_path(tmp_path, "nhan-su"), CHECK_INS["van-hanh"])
    # the admin moves nhan-su to another set with the same KR IDs and has not provisioned yet
    other_set = TEMPLATE.replace('key = "golden"', 'key = "golden_b"')
    (tmp_path / "templates" / "golden_b.toml").write_text(other_set, encoding="utf-8")
    text = CONFIG.replace('key = "nhan-su"\nname = "Phòng Nhân sự"\ntemplate = "golden"',
                          'key = "nhan-su"\nname = "Phòng Nhân sự"\ntemplate = "golden_b"')
    assert text != CONFIG
    config.write_text(text, encoding="utf-8")
    data = rollup_json(config, "--as-of", AS_OF, exit_code=1)  # one workbook could not be read
    nhan_su = next(d for d in data["departments"] if d["key"] == "nhan-su")
    assert (nhan_su["score"], nhan_su["status"], nhan_su["readable"]) == (0.0, "no_data", False)
    issues = [i for i in data["issues"] if i["department"] == "nhan-su" and not i["problem"].startswith(NEVER_READ)]
    assert len(issues) == 1, issues
    assert 'mẫu OKR "golden"' in issues[0]["problem"] and '"golden_b"' in issues[0]["problem"], issues


def test_rows_archived_by_re_provisioning_are_kept_but_not_scored(tmp_path: Path):
    config = write_company(tmp_path)
    provision(config)
    fill_current(workbook_path(tmp_path, "kinh-doanh"), CHECK_INS["kinh-doanh"])
    # kinh-doanh drops O3: its rows move to the archived block with the values typed
    config.write_text(CONFIG.replace('objectives = ["O1", "O3"]', 'objectives = ["O1"]')
                      .replace('values."O3" = { weight = 0.5 }\n', "")
                      .replace('values."O3.KR1" = { start = 20, target = 60 }\n', "")
                      .replace('values."O3.KR2" = { start = 30, target = 10 }\n', ""), encoding="utf-8")
    provision(config)
    sheet = openpyxl.load_workbook(workbook_path(tmp_path, "kinh-doanh"))["OKR"]
    archived = {sheet.cell(r, 1).value: sheet.cell(r, 7).value for r in range(1, sheet.max_row + 1)
                if sheet.cell(r, 14).value == "archived"}
    assert archived == {"O3": None, "O3.KR1": 0.45, "O3.KR2": None}
    data = rollup_json(config, "--as-of", AS_OF)
    assert data["issues"] == []
    kinh_doanh = next(d for d in data["departments"] if d["key"] == "kinh-doanh")
    # only O1 is left: the department scores O1's 0.5625
    assert [o["id"] for o in kinh_doanh["objectives"]] == ["O1"]
    assert kinh_doanh["score"] == pytest.approx(0.5625, **TIGHT)


def test_changing_only_the_scoring_thresholds_rewrites_the_workbooks(tmp_path: Path):
    config = write_company(tmp_path)
    provision(config)
    path = workbook_path(tmp_path, "van-hanh")
    fill_current(path, CHECK_INS["van-hanh"])
    typed = path.read_bytes()
    result = invoke("provision", "--config", str(config))
    assert provision_actions(result.output) == dict.fromkeys(DEPARTMENTS, "unchanged")
    assert path.read_bytes() == typed
    config.write_text(CONFIG + "\n[scoring]\npace_tolerance = 0.25\noff_track_gap = 0.5\n", encoding="utf-8")
    result = invoke("provision", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert provision_actions(result.output) == dict.fromkeys(DEPARTMENTS, "updated")
    assert path.read_bytes() != typed
    sheet = openpyxl.load_workbook(path)["OKR"]
    rows = okr_rows(sheet)
    assert sheet.cell(rows["O2.KR1"], 7).value == 11  # what the team typed is kept
    again = invoke("provision", "--config", str(config))
    assert provision_actions(again.output) == dict.fromkeys(DEPARTMENTS, "unchanged")


def test_the_sheet_says_on_track_at_exactly_expected_minus_tolerance(tmp_path: Path):
    """LibreOffice recalculates a KR at score == expected - pace_tolerance: on track, as the engine says.

    Values exact in binary: an 8-day quarter 2026-10-01..08 on 2026-10-05 gives
    expected = 4 / 8 = 0.5; tolerance 0.25; an increase KR 0 -> 4 at 1 scores
    1 / 4 = 0.25 = 0.5 - 0.25. (Provisioned first with the default tolerance,
    then re-provisioned with 0.25: the sheet must follow the new setting.)
    """
    from .conftest import soffice_convert, soffice_or_skip

    soffice_or_skip()
    text = CONFIG.replace('[quarter]\nname = "2026-Q4"',
                          '[quarter]\nname = "2026-Q4"\nstart = 2026-10-01\nend = 2026-10-08')
    text = text.replace('values."O1.KR2" = { start = 10, target = 50 }', 'values."O1.KR2" = { start = 0, target = 4 }')
    config = write_company(tmp_path, text)
    provision(config)
    config.write_text(text + "\n[scoring]\npace_tolerance = 0.25\noff_track_gap = 0.5\n", encoding="utf-8")
    provision(config)
    path = workbook_path(tmp_path, "kinh-doanh")
    fill_current(path, {"O1.KR2": 1})
    workbook = openpyxl.load_workbook(path)
    workbook["OKR"]["B6"].value = date(2026, 10, 5)  # the sheet's =TODAY(), fixed to the day under test
    workbook.save(path)
    out = tmp_path / "recalculated"
    out.mkdir()
    (recalculated,) = soffice_convert([path], "xlsx", out, tmp_path, recalculate=True)
    sheet = openpyxl.load_workbook(recalculated, data_only=True)["OKR"]
    row = okr_rows(sheet)["O1.KR2"]
    assert sheet["D6"].value == 0.5  # expected progress
    assert sheet.cell(row, 10).value == 0.25  # score
    assert sheet.cell(row, 11).value == "Đúng tiến độ"
    data = rollup_json(config, "--as-of", "2026-10-05")
    kr = next(k for d in data["departments"] for k in d["key_results"] if k["id"] == "O1.KR2")
    assert (data["expected"], kr["score"], kr["status"]) == (0.5, 0.25, "on_track")


def test_one_digest_per_owner_whatever_the_case_of_the_address(tmp_path: Path):
    from okrsheets.config import load_config
    from okrsheets.jobs.digest import owner_digests
    from okrsheets.jobs.rollup import run_rollup

    text = CONFIG.replace('owners = ["thu@vang.vn"]', 'owners = ["Minh@Vang.VN"]')
    config = write_company(tmp_path, text)
    provision(config)
    fill_current(workbook_path(tmp_path, "van-hanh"), CHECK_INS["van-hanh"])
    settings = load_config(config)
    digests = owner_digests(settings, run_rollup(settings, date(2026, 11, 16)))
    # van-hanh has KRs at risk, nhan-su has stale ones (no check-in): minh gets one digest with both
    assert {owner: [d.department.key for d in ds] for owner, ds in digests.items() if "minh" in owner.lower()} == {
        "minh@vang.vn": ["van-hanh", "nhan-su"]}


def test_an_unknown_milestone_word_is_an_issue_quoting_it(tmp_path: Path):
    config = write_company(tmp_path)
    provision(config)
    fill_current(workbook_path(tmp_path, "van-hanh"), {**CHECK_INS["van-hanh"], "O2.KR3": "sắp xong"})
    data = rollup_json(config, "--as-of", AS_OF)
    (issue,) = data["issues"]
    row = okr_rows(openpyxl.load_workbook(workbook_path(tmp_path, "van-hanh"))["OKR"])["O2.KR3"]
    where = (issue["department"], issue["cell"], issue["found"], issue["key_result"])
    assert where == ("van-hanh", f"G{row}", "sắp xong", "O2.KR3")
    assert 'Giá trị "sắp xong" không hợp lệ cho kết quả dạng hoàn thành' in issue["problem"], issue
    van_hanh = next(d for d in data["departments"] if d["key"] == "van-hanh")
    kr = next(k for k in van_hanh["key_results"] if k["id"] == "O2.KR3")
    assert (kr["current"], kr["score"], kr["status"]) == (None, 0.0, "no_data")  # an issue counts as no check-in


def test_the_last_check_in_is_the_night_the_value_last_changed(tmp_path: Path):
    config = write_company(tmp_path)
    provision(config)
    path = workbook_path(tmp_path, "van-hanh")
    fill_current(path, CHECK_INS["van-hanh"])

    def last_check_ins(as_of: str) -> dict[str, str | None]:
        data = rollup_json(config, "--as-of", as_of)
        van_hanh = next(d for d in data["departments"] if d["key"] == "van-hanh")
        return {k["id"]: k["last_check_in"] for k in van_hanh["key_results"]}

    assert last_check_ins("2026-11-16") == dict.fromkeys(["O2.KR1", "O2.KR2", "O2.KR3"], "2026-11-16")
    # nothing typed since: the dates stay (the rollup remembers them in .okrsheets-state.json)
    assert last_check_ins("2026-11-20") == dict.fromkeys(["O2.KR1", "O2.KR2", "O2.KR3"], "2026-11-16")
    fill_current(path, {"O2.KR1": 9})  # a new value on one KR
    assert last_check_ins("2026-11-21") == {"O2.KR1": "2026-11-21", "O2.KR2": "2026-11-16", "O2.KR3": "2026-11-16"}


def test_a_key_result_without_a_target_is_an_issue_naming_it(tmp_path: Path):
    config = write_company(tmp_path, CONFIG.replace('values."O2.KR2" = { target = 3 }\n', ""))
    provision(config)
    fill_current(workbook_path(tmp_path, "nhan-su"), {"O2.KR2": 1})
    data = rollup_json(config, "--as-of", AS_OF)
    (issue,) = data["issues"]
    assert (issue["department"], issue["key_result"]) == ("nhan-su", "O2.KR2")
    assert issue["problem"] == "O2.KR2 chưa có chỉ tiêu/mức bắt đầu trong cấu hình nên chưa tính điểm được." and "O2.KR2" in issue["fix"], issue
    nhan_su = next(d for d in data["departments"] if d["key"] == "nhan-su")
    kr = next(k for k in nhan_su["key_results"] if k["id"] == "O2.KR2")
    assert (kr["score"], kr["status"]) == (0.0, "no_data")  # not scored, whatever was typed


def test_the_team_sheets_show_the_hand_computed_scores(company: Path, tmp_path: Path):
    """LibreOffice recalculates the golden workbooks: every KR, objective and department cell shows the hand values."""
    from .conftest import soffice_convert, soffice_or_skip

    soffice_or_skip()
    paths = []
    for key in DEPARTMENTS:
        path = workbook_path(tmp_path, key)
        workbook = openpyxl.load_workbook(path)
        workbook["OKR"]["B6"].value = date(2026, 11, 16)  # the sheet's =TODAY(), fixed to AS_OF
        workbook.save(path)
        paths.append(path)
    out = tmp_path / "recalculated"
    out.mkdir()
    for key, recalculated in zip(DEPARTMENTS, soffice_convert(paths, "xlsx", out, tmp_path, recalculate=True)):
        sheet = openpyxl.load_workbook(recalculated, data_only=True)["OKR"]
        rows = okr_rows(sheet)
        assert sheet["D6"].value == pytest.approx(EXPECTED, **TIGHT), key
        _, score, _, status = DEPARTMENTS[key]
        assert (sheet["F6"].value, sheet["H6"].value) == (pytest.approx(score, abs=1e-9), STATUS_VI[status]), key
        for (department, id_), (_, score, _, status) in OBJECTIVES.items():
            if department == key:
                shown = (sheet.cell(rows[id_], 10).value, sheet.cell(rows[id_], 11).value)
                assert shown == (pytest.approx(score, abs=1e-9), STATUS_VI[status]), (key, id_)
        for (department, id_), (_, score, status) in KEY_RESULTS.items():
            if department == key:
                shown = (sheet.cell(rows[id_], 10).value, sheet.cell(rows[id_], 11).value)
                assert shown == (pytest.approx(score, abs=1e-9), STATUS_VI[status]), (key, id_)


def test_an_unexpected_error_reading_one_workbook_stops_no_other(tmp_path: Path):
    from okrsheets.backends.excel import ExcelBackend
    from okrsheets.config import load_config
    from okrsheets.jobs.rollup import run_rollup

    class BrokenForVanHanh(ExcelBackend):
        """The real Excel backend, except that reading van-hanh hits a bug."""

        def read(self, key, *args, **kwargs):
            if key == "van-hanh":
                raise RuntimeError("đọc lỗi")
            return super().read(key, *args, **kwargs)

    config = write_company(tmp_path)
    provision(config)
    for key, values in CHECK_INS.items():
        fill_current(workbook_path(tmp_path, key), values)
    settings = load_config(config)
    result = run_rollup(settings, date(2026, 11, 16), backend=BrokenForVanHanh(settings))
    van_hanh = next(d for d in result.departments if d.key == "van-hanh")
    assert (van_hanh.readable, van_hanh.score, van_hanh.status) == (False, 0.0, "no_data")
    assert [kr.status for kr in van_hanh.key_results] == ["no_data"] * 3
    issue, never_read = result.issues  # why it could not be read, then the night's "never read yet"
    assert never_read.department == "van-hanh" and never_read.problem.startswith(NEVER_READ)
    assert (issue.department, issue.file) == ("van-hanh", str(workbook_path(tmp_path, "van-hanh")))
    # in the team's language, without the program's own exception text (that goes to the log)
    assert issue.problem == "Không đọc được tệp vì một lỗi không lường trước khi đọc.", issue
    kinh_doanh = next(d for d in result.departments if d.key == "kinh-doanh")
    assert kinh_doanh.score == pytest.approx(DEPARTMENTS["kinh-doanh"][1], **TIGHT)  # the others are scored as ever
