"""Company objectives, alignment and KR owners (issue 16 items 1 and 2): scores checked by hand."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.config import load_config
from okrsheets.core.alignment import with_company_objectives
from okrsheets.errors import ConfigError
from okrsheets.jobs.digest import build_messages, owner_digests
from okrsheets.jobs.rollup import run_rollup
from okrsheets.plan import build_plan

from .helpers.workbooks import fill_current, okr_rows

AS_OF = "2026-11-15"
CONFIG = """company = "Công ty B"
quarter = "2026-Q4"
language = "en"
[backend]
folder = "data"

[[company_objectives]]
id = "C1"
text = "Build a strong team"
weight = 2
owner = "ceo@b.vn"

[[company_objectives]]
id = "C2"
text = "Hire faster"

[[company_objectives]]
id = "C3"
text = "Nobody supports this"

[[departments]]
key = "a"
name = "Dept A"
template = "hr"
objectives = ["O1"]
owners = ["head.a@b.vn"]
values."O1" = { weight = 2, aligns_to = "C1" }
values."O1.KR1" = { target = 10 }
values."O1.KR2" = { start = 45, target = 30, aligns_to = "C2", owner = "kr2@b.vn" }
values."O1.KR3" = { start = 70, target = 85 }

[[departments]]
key = "b"
name = "Dept B"
template = "hr"
objectives = ["O1", "O2"]
owners = ["head.b@b.vn"]
values."O1.KR1" = { target = 10, weight = 3, aligns_to = "C2", owner = "kr1@b.vn" }
values."O1.KR2" = { start = 45, target = 30 }
values."O1.KR3" = { start = 70, target = 85 }
values."O2" = { aligns_to = "C1" }
values."O2.KR1" = { target = 10 }
values."O2.KR2" = { start = 40, target = 80 }
values."O2.KR3" = { start = 5, target = 10 }
"""
A = "Attract and recruit talent that fits the company's needs and build a high-quality workforce."
B_O2 = "Develop and build employees' capabilities, and create opportunities for learning and career growth."


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def _write(tmp_path: Path, text: str = CONFIG) -> Path:
    path = tmp_path / "okrsheets.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def company(tmp_path: Path) -> Path:
    """Provisioned, with check-ins: A's O1 scores 0.6 (each KR 0.6); B's O1.KR1 0.8, B's O2 0.3 (each KR 0.3)."""
    config = _write(tmp_path)
    assert _invoke("provision", "--config", str(config)).exit_code == 0
    folder = tmp_path / "data" / "2026-Q4"
    fill_current(folder / "a.xlsx", {"O1.KR1": 6, "O1.KR2": 36, "O1.KR3": (0.79, "0%")})
    fill_current(folder / "b.xlsx", {"O1.KR1": 8, "O2.KR1": 3, "O2.KR2": (0.52, "0%"), "O2.KR3": (0.065, "0%")})
    return config


def test_rollup_json_scores_each_company_objective_from_what_is_aligned(company: Path):
    result = _invoke("rollup", "--config", str(company), "--json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    c1, c2, c3 = json.loads(result.stdout)["company_objectives"]
    # C1: A's O1 (0.6, weight 2) and B's O2 (0.3, weight 1): (0.6*2 + 0.3*1) / 3 = 0.5
    assert c1 == {
        "id": "C1", "text": "Build a strong team", "weight": 2.0, "owner": "ceo@b.vn", "score": 0.5, "grade": "yellow",
        "status": "on_track",  # 0.5 >= expected 0.489 - 0.1
        "aligned": [
            {"department": "a", "id": "O1", "text": A, "weight": 2.0, "score": 0.6, "status": "on_track", "counted": True},
            {"department": "b", "id": "O2", "text": B_O2, "weight": 1.0, "score": 0.3, "status": "at_risk", "counted": True},
        ],
    }
    # C2: A's O1.KR2 (0.6, weight 1) and B's O1.KR1 (0.8, weight 3): (0.6 + 2.4) / 4 = 0.75
    assert [(a["department"], a["id"], a["score"], a["weight"]) for a in c2["aligned"]] == [
        ("a", "O1.KR2", 0.6, 1.0), ("b", "O1.KR1", 0.8, 3.0)]
    assert c2["score"] == pytest.approx(0.75, abs=1e-12) and c2["grade"] == "green"
    # C3: nothing aligned: no score, no data
    assert (c3["score"], c3["status"], c3["aligned"]) == (0.0, "no_data", [])


def test_the_summary_has_an_alignment_sheet_and_the_kr_owner_column(company: Path):
    run_rollup(load_config(company), date.fromisoformat(AS_OF))
    book = openpyxl.load_workbook(company.parent / "data" / "2026-Q4" / "company-summary.xlsx")
    assert book.sheetnames[1] == "Company objectives"
    rows = [list(r) for r in book["Company objectives"].iter_rows(values_only=True)]
    assert rows[0] == ["Company objective", "Objective", "Department", "ID", "Department objective / KR", "Weight",
                       "Score", "Grade", "Status"]
    assert rows[1] == ["C1", "Build a strong team", None, None, None, 2, 0.5, "Yellow", "On track"]
    assert rows[2] == ["C1", None, "Dept A", "O1", A, 2, 0.6, None, "On track"]
    assert rows[3] == ["C1", None, "Dept B", "O2", B_O2, 1, 0.3, None, "At risk"]
    assert rows[4][:3] == ["C2", "Hire faster", None] and rows[4][6] == pytest.approx(0.75, abs=1e-12)
    assert [r[3] for r in rows[5:7]] == ["O1.KR2", "O1.KR1"]
    assert rows[7][:1] + rows[7][6:] == ["C3", 0, "Red", "No check-in"]
    krs = [list(r) for r in book["Key results"].iter_rows(values_only=True)]
    assert krs[0][-1] == "KR owner"
    owners = {(r[0], r[2]): r[-1] for r in krs[1:]}
    assert owners[("Dept A", "O1.KR2")] == "kr2@b.vn" and owners[("Dept B", "O1.KR1")] == "kr1@b.vn"
    assert owners[("Dept A", "O1.KR1")] is None


def test_the_team_sheet_shows_the_company_objective_and_the_kr_owner(company: Path):
    sheet = openpyxl.load_workbook(company.parent / "data" / "2026-Q4" / "b.xlsx")["OKR"]
    rows = okr_rows(sheet)
    assert sheet.cell(rows["O2"], 2).value.endswith("\nSupports company objective: C1 – Build a strong team")
    assert sheet.cell(rows["O1.KR1"], 2).value == (
        "Attract 10 high-quality candidates for each open position.\nSupports company objective: C2\nKR owner: kr1@b.vn")
    assert sheet.cell(rows["O1.KR2"], 2).value == "Cut the average time to hire to 30 days."
    again = _invoke("provision", "--config", str(company))  # the extra lines are not a change of the KR's text
    assert again.exit_code == 0 and "unchanged" in again.output, again.output


def test_the_digest_goes_to_kr_owners_about_their_krs_and_to_department_owners_about_the_rest(company: Path):
    text = CONFIG.replace('language = "en"', 'language = "en"\n[email]\nenabled = true\nsender = "okr@b.vn"')
    config = load_config(_write(company.parent, text))
    result = run_rollup(config, date(2026, 12, 31))  # the last day: every KR checked in is behind pace
    digests = owner_digests(config, result)
    reported = {person: [(d.department.key, [kr.id for kr in (*d.at_risk, *d.stale)]) for d in parts]
                for person, parts in digests.items()}
    # every KR is at risk or off track, or stale (never checked in); owned ones go to their owners only
    assert reported["kr2@b.vn"] == [("a", ["O1.KR2"])]
    assert reported["kr1@b.vn"] == [("b", ["O1.KR1"])]
    assert "O1.KR2" not in reported["head.a@b.vn"][0][1] and "O1.KR1" in reported["head.a@b.vn"][0][1]
    assert "O1.KR1" not in reported["head.b@b.vn"][0][1] and "O2.KR1" in reported["head.b@b.vn"][0][1]
    to = sorted(m["To"] for m in build_messages(config, result))
    assert to == ["head.a@b.vn", "head.b@b.vn", "kr1@b.vn", "kr2@b.vn"]


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, text))
    return caught.value.problems


def test_check_config_reports_a_link_to_an_unknown_company_objective(tmp_path: Path):
    problems = _problems(tmp_path, CONFIG.replace('values."O2" = { aligns_to = "C1" }', 'values."O2" = { aligns_to = "C9" }'))
    assert problems == ['departments[2] "b".values.O2.aligns_to: no company objective "C9"; known: C1, C2, C3'
                        ' (fix the ID, or add it to [[company_objectives]])']


def test_check_config_reports_a_kr_counted_twice_and_a_company_objective_aligned_to_another(tmp_path: Path):
    text = CONFIG.replace('values."O1.KR1" = { target = 10 }', 'values."O1.KR1" = { target = 10, aligns_to = "C1" }')
    text = text.replace('text = "Hire faster"', 'text = "Hire faster"\naligns_to = "C1"')
    assert _problems(tmp_path, text) == [
        'company_objectives[2] "C2".aligns_to: company objectives do not align to each other: departments\' objectives'
        ' and KRs align to company objectives (one level, so there are no cycles); remove it',
        'departments[1] "a".values."O1.KR1".aligns_to: O1 already aligns to "C1" and counts all its KRs there;'
        ' remove aligns_to from O1.KR1 (or point it at another company objective)',
    ]


def test_check_config_reports_bad_ids_and_owners(tmp_path: Path):
    text = CONFIG.replace('id = "C3"', 'id = "O3"').replace('owner = "kr1@b.vn"', 'owner = "kr1"')
    assert _problems(tmp_path, text) == [
        'departments[2] "b".values."O1.KR1".owner: expected one e-mail address (the person who owns this KR), got "kr1"',
        'company_objectives[3] "O3".id: expected an ID like "C1" (C and a number, to tell it from a department\'s "O1"), got "O3"',
    ]


def test_check_config_warns_about_a_company_objective_nothing_supports(tmp_path: Path):
    result = _invoke("check-config", "--config", str(_write(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "C1 Build a strong team ← a O1, b O2" in result.output
    assert "C2 Hire faster ← a O1.KR2, b O1.KR1" in result.output
    assert ('warning: company objective C3: no department objective or KR aligns to it, so it has no score;'
            ' set aligns_to = "C3" in a department\'s values."O1" (or remove company_objectives[3] "C3")') in result.output


def test_a_department_never_read_is_left_out_of_a_company_objective(company: Path):
    config = load_config(company)
    result = run_rollup(config, date.fromisoformat(AS_OF))
    never_read = replace(result, departments=(result.departments[0], replace(result.departments[1], readable=False, read_on=None)))
    c1 = with_company_objectives(never_read, config.company_objectives, build_plan(config).departments, config.scoring).company_objectives[0]
    assert c1.score == 0.6  # A's O1 alone; B's O2 is listed, not counted
    assert [(a.id, a.counted) for a in c1.aligned] == [("O1", True), ("O2", False)]


def test_the_demo_scores_its_company_objectives_from_the_aligned_objectives(tmp_path: Path):
    assert _invoke("demo", str(tmp_path / "demo"), "--as-of", AS_OF).exit_code == 0
    data = json.loads(_invoke("rollup", "--config", str(tmp_path / "demo" / "okrsheets.toml"), "--json", "--as-of", AS_OF).stdout)
    objectives = {(d["key"], o["id"]): o["score"] for d in data["departments"] for o in d["objectives"]}
    aligned = {c["id"]: [(a["department"], a["id"]) for a in c["aligned"]] for c in data["company_objectives"]}
    assert aligned == {"C1": [("marketing", "O1"), ("sales", "O1")], "C2": [("hr", "O1"), ("training", "O1")],
                       "C3": [("customer-service", "O1"), ("product", "O1")]}
    for c in data["company_objectives"]:  # every aligned objective has weight 1: the plain mean
        first, second = (objectives[key] for key in aligned[c["id"]])
        assert c["score"] == pytest.approx((first + second) / 2, abs=1e-12)


def test_someone_owning_a_department_and_a_kr_elsewhere_gets_one_message(company: Path):
    text = CONFIG.replace('language = "en"', 'language = "en"\n[email]\nenabled = true\nsender = "okr@b.vn"')
    config = load_config(_write(company.parent, text.replace('owner = "kr1@b.vn"', 'owner = "head.a@b.vn"')))
    result = run_rollup(config, date(2026, 12, 31))
    digests = owner_digests(config, result)
    assert [(d.department.key, [kr.id for kr in (*d.at_risk, *d.stale)]) for d in digests["head.a@b.vn"]] == [
        ("a", ["O1.KR1", "O1.KR3"]), ("b", ["O1.KR1"])]
    assert [m["To"] for m in build_messages(config, result)].count("head.a@b.vn") == 1
