"""okrsheets lint: every planted problem found with its exact code and key path; a clean plan has none."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.config import load_config
from okrsheets.lint import lint_plan
from okrsheets.plan import build_plan
from okrsheets.templates import TemplateLibrary

from .conftest import EXAMPLE_CONFIG


def _big_template() -> str:
    """A company template with 6 objectives; O1 has 1 KR, O2 has 6, the others 2."""
    counts = {1: 1, 2: 6, 3: 2, 4: 2, 5: 2, 6: 2}
    parts = ['schema = 1\nkey = "big"\nversion = 1\n[name]\nvi = "Lớn"\nen = "Big"\n']
    for o, n in counts.items():
        parts.append(f'[[objectives]]\nid = "O{o}"\nvi = "Mục tiêu số {o}."\nen = "Objective number {o}."\n')
        for k in range(1, n + 1):
            parts.append(
                f'[[objectives.key_results]]\nid = "O{o}.KR{k}"\nkind = "at_least"\nunit = "count"\n'
                f'vi = "Hoàn thành {{target}} việc loại {o}-{k}."\nen = "Finish {{target}} tasks of type {o}-{k}."\n'
                'slots.target = { type = "count", label = "số lượng" }\n'
            )
    return "\n".join(parts)


PLANTED = """
company = "Công ty Thử"
quarter = "2026-Q4"
templates_dir = "own"

[[departments]]
key = "big"
template = "big"
{big_values}

[[departments]]
key = "hr"
template = "hr"
objectives = ["O1", "O2"]
owners = ["hr@a.vn"]
values."O1.KR2" = {{ target = 30 }}
values."O1.KR3" = {{ start = 0.6, target = 0.8 }}
values."O2.KR1" = {{ target = 8, weight = 3 }}
values."O2.KR2" = {{ start = 40, target = 80 }}
values."O2.KR3" = {{ start = 5, target = 10 }}

[[departments]]
key = "eng"
template = "engineering"
objectives = ["O1"]
owners = ["eng@a.vn"]
values."O1.KR1" = {{ start = 1.5, target = 0.5 }}
values."O1.KR2" = {{ target = 15 }}
values."O1.KR3" = {{ target = 3 }}

[[departments]]
key = "nv"
template = "employee"
objectives = ["O1"]
owners = ["nv@a.vn"]
values."O1.KR1" = {{ course = "Python", skill_area = "dữ liệu" }}
values."O1.KR2" = {{ target = 4, period = "quý 4/2026" }}
values."O1.KR3" = {{ target = 3, field = "kế toán" }}

[[departments]]
key = "fin"
template = "finance"
objectives = ["O4"]
owners = ["fin@a.vn"]
values."O4.KR1" = {{ deadline = 2027-01-15 }}
values."O4.KR2" = {{ start = 70, target = 85 }}
values."O4.KR3" = {{ target = 3 }}

[[departments]]
key = "fin2"
template = "finance"
objectives = ["O4"]
owners = ["fin2@a.vn"]
values."O4.KR1" = {{ deadline = 2026-12-05 }}
values."O4.KR2" = {{ start = 70, target = 90 }}
values."O4.KR3" = {{ target = 3 }}
"""

# (code, path) of every planted problem, in config order; the severity rule: scores break -> error.
PLANTED_FINDINGS = [
    ("warning", "too-many-objectives", 'departments[1] "big".template'),
    ("warning", "department-without-owner", 'departments[1] "big".owners'),
    ("warning", "too-few-key-results", 'departments[1] "big".values.O1'),
    ("warning", "too-many-key-results", 'departments[1] "big".values.O2'),
    ("error", "no-target", 'departments[2] "hr".values."O1.KR1".target'),
    ("error", "no-baseline", 'departments[2] "hr".values."O1.KR2".start'),
    ("warning", "percent-looks-like-fraction", 'departments[2] "hr".values."O1.KR3".target'),
    ("warning", "heavy-key-result", 'departments[2] "hr".values."O2.KR1".weight'),
    ("error", "relative-target-no-baseline", 'departments[3] "eng".values."O1.KR2".start'),
    ("warning", "milestone-no-deadline", 'departments[4] "nv".values."O1.KR1".deadline'),
    ("warning", "unfilled-slot", 'departments[4] "nv".values."O1.KR2".topic'),
    ("error", "deadline-outside-quarter", 'departments[5] "fin".values."O4.KR1".deadline'),
    ("warning", "duplicate-key-result", 'departments[6] "fin2".values."O4.KR3"'),
]

CLEAN = """
company = "Công ty Sạch"
quarter = "2026-Q4"

[[departments]]
key = "hr"
template = "hr"
objectives = ["O1", "O3"]
owners = ["hr@a.vn"]
values."O1.KR1" = { target = 10 }
values."O1.KR2" = { start = 45, target = 30 }
values."O1.KR3" = { start = 70, target = 85 }
values."O3.KR1" = { start = 68, target = 80 }
values."O3.KR2" = { target = 5 }
values."O3.KR3" = { target = 4 }

[[departments]]
key = "fin"
template = "finance"
objectives = ["O4"]
owners = ["fin@a.vn"]
values."O4.KR1" = { deadline = 2026-12-31 }
values."O4.KR2" = { start = 70, target = 85 }
values."O4.KR3" = { target = 3 }
"""

# The example config asks "increase ... by X%" with start 0 eight times: each an error.
EXAMPLE_FINDINGS = [
    ("error", "relative-target-no-baseline", f'departments[{n}] "{key}".values."{kr}".start')
    for n, key, kr in [
        (1, "marketing", "O1.KR1"), (1, "marketing", "O1.KR2"), (1, "marketing", "O2.KR3"), (1, "marketing", "O4.KR2"),
        (2, "sales", "O4.KR3"), (4, "engineering", "O4.KR2"), (5, "finance", "O4.KR2"), (6, "cskh", "O2.KR2"),
    ]
]


def _planted(tmp_path: Path, language: str = "vi") -> Path:
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "big.toml").write_text(_big_template(), encoding="utf-8")
    big_values = "\n".join(
        f'values."O{o}.KR{k}" = {{ target = 5 }}' for o, n in {1: 1, 2: 6, 3: 2, 4: 2, 5: 2, 6: 2}.items() for k in range(1, n + 1)
    )
    path = tmp_path / "okrsheets.toml"
    path.write_text(f'language = "{language}"\n' + PLANTED.format(big_values=big_values), encoding="utf-8")
    return path


def _lint(path: Path, *args: str):
    return CliRunner().invoke(cli, ["lint", "--config", str(path), *args])


def _found(result) -> list[tuple[str, str, str]]:
    return [(f["severity"], f["code"], f["path"]) for f in json.loads(result.output)]


def test_every_planted_problem_is_found_with_its_code_and_path(tmp_path):
    result = _lint(_planted(tmp_path), "--json")
    assert result.exit_code == 1, result.output
    assert _found(result) == PLANTED_FINDINGS


def test_a_clean_plan_has_no_findings_and_exits_0(tmp_path):
    path = tmp_path / "okrsheets.toml"
    path.write_text(CLEAN, encoding="utf-8")
    result = _lint(path)
    assert result.exit_code == 0, result.output
    assert result.output == "không có vấn đề nào\n"
    assert json.loads(_lint(path, "--json").output) == []


def test_the_example_config_gets_exactly_its_relative_percent_errors():
    result = _lint(EXAMPLE_CONFIG, "--json")
    assert result.exit_code == 1
    assert _found(result) == EXAMPLE_FINDINGS


def test_warnings_only_exit_0_and_text_lines_say_path_code_why_and_fix(tmp_path):
    path = tmp_path / "okrsheets.toml"
    path.write_text(CLEAN.replace('owners = ["fin@a.vn"]\n', ""), encoding="utf-8")
    result = _lint(path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        'cảnh báo: departments[2] "fin".owners [department-without-owner] phòng ban fin chưa có người phụ trách:'
        ' không ai nhận e-mail nhắc việc và "theo dõi và điều chỉnh"; cách sửa: đặt owners = ["ten@congty.vn"]',
        "0 lỗi, 1 cảnh báo",
    ]


def test_findings_speak_the_configs_language(tmp_path):
    result = _lint(_planted(tmp_path, "en"))
    lines = result.output.splitlines()
    assert lines[-1] == "4 errors, 9 warnings"
    assert (
        'error: departments[3] "eng".values."O1.KR2".start [relative-target-no-baseline] O1.KR2 says "by 15%"'
        " (relative to today) but start = 0: a team that types today's level (say 78%) scores 100% at once;"
        " fix: set start to today's level and target to the level to reach (e.g. start = 78, target = 90)"
    ) in lines
    assert (
        'warning: departments[2] "hr".values."O1.KR3".target [percent-looks-like-fraction] O1.KR3: the percent target'
        ' 0.6 → 0.8 looks like a fraction; the sheet will say "0.8%", not 60 → 80%;'
        " fix: if you meant 60 → 80%, write percent numbers (start = 60, target = 80); if 0.8% is right, ignore this warning"
    ) in lines
    assert 'error: departments[5] "fin".values."O4.KR1".deadline [deadline-outside-quarter] O4.KR1: 2027-01-15 is outside' \
           " quarter 2026-Q4 (2026-10-01 – 2026-12-31), so it cannot be evaluated this quarter;" \
           " fix: set deadline to a day in the quarter, or move the KR to another quarter" in lines


def test_a_config_that_does_not_load_exits_2(tmp_path):
    path = tmp_path / "okrsheets.toml"
    path.write_text('company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "a"\ntemplate = "nope"\n', encoding="utf-8")
    result = _lint(path)
    assert result.exit_code == 2
    assert 'departments[1] "a".template: không có bộ mẫu "nope"' in result.output


def test_a_kr_weighing_exactly_half_is_fine_more_is_not(tmp_path):
    # the example's marketing O1.KR2 has weight 2 of 1 + 2 + 1: exactly half, no finding (see EXAMPLE_FINDINGS)
    config = load_config(EXAMPLE_CONFIG)
    library = TemplateLibrary.load()
    marketing = config.departments[0]
    heavier = {**marketing.values, "O1.KR2": type(marketing.values["O1.KR2"])(start=0, target=40, weight=2.1, path="")}
    from dataclasses import replace

    config = replace(config, departments=(replace(marketing, values=heavier), *config.departments[1:]))
    findings = lint_plan(build_plan(config, library), library)
    heavy = [f for f in findings if f.code == "heavy-key-result"]
    assert [(f.path, f.message) for f in heavy] == [
        ('departments[1] "marketing".values."O1.KR2".weight',
         "O1.KR2 chiếm 51% trọng số của O1: một KR quyết định hơn nửa điểm mục tiêu")
    ]


def test_provision_prints_the_lint_count_not_the_list(tmp_path):
    config = tmp_path / "okrsheets.toml"
    config.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["provision", "--config", str(config), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Kiểm tra OKR (okrsheets lint): 8 lỗi, 0 cảnh báo"
    assert "relative-target-no-baseline" not in result.output


def _kr(kind: str, start, target, unit: str = "percent"):
    from okrsheets.core.model import PlannedKeyResult

    return PlannedKeyResult("O1.KR1", "O1", "text", kind, unit, start, target, 1.0)


def test_what_looks_like_a_fraction():
    from okrsheets.lint import looks_like_fraction

    assert looks_like_fraction(_kr("increase", 0.6, 0.8))  # meant 60% -> 80%
    assert looks_like_fraction(_kr("increase", 0, 0.9))
    assert looks_like_fraction(_kr("at_least", None, 0.95))
    assert not looks_like_fraction(_kr("at_most", None, 0))  # "0% defects"
    assert not looks_like_fraction(_kr("at_most", None, 1))  # "at most 1% downtime"
    assert not looks_like_fraction(_kr("decrease", 1.5, 0.5))  # 1.5% -> 0.5%: a real percent
    assert not looks_like_fraction(_kr("increase", 0.6, 0.8, unit="points"))
    assert not looks_like_fraction(_kr("at_least", 0.2, 5))  # a threshold KR's start is not used
