"""The template library: complete against the article, valid, and the validator catches breakage."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.templates import TemplateLibrary, builtin_dir, check_paths

from .conftest import shared_or_skip

ARTICLE = "source/000_38dd0e613cc78bf4.txt"
_SECTION = re.compile(r"^(\d+)\. ")
_OBJECTIVE = re.compile(r"^- (?:O \(Objective\)|Objective):\s*(.*)$")
_KR = re.compile(r"^- KR(\d+):\s*(.*)$")
_PLACEHOLDER = re.compile(r"\[[^\]]*\]")


def _article_sections(text: str) -> dict[str, list[tuple[str, list[str]]]]:
    """section number -> [(objective text, [KR texts])] for sections 2..15."""
    sections: dict[str, list[tuple[str, list[str]]]] = {}
    current = None
    for line in text.splitlines():
        if m := _SECTION.match(line):
            number = int(m.group(1))
            current = str(number) if 2 <= number <= 15 else None
            if current:
                sections[current] = []
        elif current and (m := _OBJECTIVE.match(line)):
            sections[current].append((m.group(1), []))
        elif current and (m := _KR.match(line)):
            sections[current][-1][1].append(m.group(2))
    return sections


def _pieces(text: str) -> list[str]:
    return [p.strip() for p in _PLACEHOLDER.split(text) if p.strip()]


def test_library_has_14_sets_67_objectives_201_key_results():
    library = TemplateLibrary.load()
    assert len(library) == 14
    assert sum(len(t.objectives) for t in library) == 67
    assert sum(len(t.key_results) for t in library) == 201


def test_every_objective_and_key_result_of_the_article_is_in_the_library():
    article = shared_or_skip(ARTICLE).read_text(encoding="utf-8")
    sections = _article_sections(article)
    assert len(sections) == 14
    assert sum(len(s) for s in sections.values()) == 67
    assert sum(len(krs) for s in sections.values() for _, krs in s) == 201
    by_section = {t.source_section: t for t in TemplateLibrary.load()}
    missing = []
    for number, objectives in sections.items():
        template = by_section[number]
        assert len(template.objectives) == len(objectives), f"section {number}"
        for objective, (text, kr_texts) in zip(template.objectives, objectives):
            pairs = [(objective.id, text, objective.text.vi)]
            assert len(objective.key_results) == len(kr_texts), objective.id
            pairs += [(kr.id, t, kr.text.vi) for kr, t in zip(objective.key_results, kr_texts)]
            for item_id, article_text, template_text in pairs:
                for piece in _pieces(article_text):
                    if piece not in template_text:
                        missing.append(f"{template.key} {item_id}: {piece!r} not in {template_text!r}")
    assert not missing, "\n".join(missing)


def test_placeholders_are_typed_slots_labelled_with_the_article_words():
    marketing = TemplateLibrary.load().get("marketing")
    kr = marketing.objectives[0].key_results[0]
    assert "{target}" in kr.text.vi and "{target}" in kr.text.en
    slot = next(s for s in kr.slots if s.name == "target")
    assert slot.type == "percent" and slot.label == "phần trăm"
    kinds = {kr.kind for t in TemplateLibrary.load() for kr in t.key_results}
    assert kinds == {"increase", "decrease", "at_least", "at_most", "milestone"}


def test_builtin_templates_validate_cleanly():
    sets, problems = check_paths([builtin_dir()])
    assert problems == []
    result = CliRunner().invoke(cli, ["templates", "validate"], env={"OKRSHEETS_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 14 template sets, 67 objectives, 201 key results.\n"


def test_templates_list_shows_totals():
    result = CliRunner().invoke(cli, ["templates", "list"], env={"OKRSHEETS_LANG": "vi"})
    assert result.exit_code == 0
    assert "marketing" in result.output and "Phòng Marketing" in result.output
    assert result.output.strip().splitlines()[-1].split() == ["14", "bộ", "mẫu", "67", "201"]
    english = CliRunner().invoke(cli, ["templates", "list", "--lang", "en"])
    assert "Marketing department" in english.output and "Phòng Marketing" not in english.output
    assert english.output.strip().splitlines()[-1].split() == ["14", "template", "sets", "67", "201"]


def test_templates_show_in_english_and_vietnamese():
    en = CliRunner().invoke(cli, ["templates", "show", "marketing", "--lang", "en"])
    vi = CliRunner().invoke(cli, ["templates", "show", "marketing"], env={"OKRSHEETS_LANG": "vi"})
    assert en.exit_code == 0 and vi.exit_code == 0
    assert "O1.KR1" in en.output and "{target}: percent [target]" in en.output and "phần trăm" not in en.output
    assert "(increase, %)" in en.output
    assert "{target}: phần trăm [phần trăm]" in vi.output and "(tăng, %)" in vi.output
    assert en.output != vi.output


def test_templates_show_unknown_key_is_a_clear_error():
    result = CliRunner().invoke(cli, ["templates", "show", "nope"], env={"OKRSHEETS_LANG": "en"})
    assert result.exit_code == 2
    assert 'unknown template set "nope"' in result.output
    assert "marketing" in result.output


BROKEN = """
schema = 1
key = "broken"
version = 1
colour = "red"
[name]
vi = "Hỏng"

[[objectives]]
id = "O1"
vi = "Tăng {x}"
en = "Grow {x}"
slots.x = { type = "text", label = "x" }

[[objectives.key_results]]
id = "O1.KR1"
kind = "grow"
unit = "percent"
vi = "Tăng {target}% trong {period}"
en = "Grow {target}%"
slots.target = { type = "percent", label = "phần trăm" }

[[objectives.key_results]]
id = "O1.KR1"
kind = "milestone"
unit = "parsecs"
vi = "Xong"
en = "Done"
"""


def test_validate_names_file_id_and_field(tmp_path: Path):
    broken = tmp_path / "broken.toml"
    broken.write_text(BROKEN, encoding="utf-8")
    result = CliRunner().invoke(cli, ["templates", "validate", str(broken)], env={"OKRSHEETS_LANG": "en"})
    assert result.exit_code == 1
    out = result.output
    assert f"{broken}: colour: unknown key" in out
    assert f"{broken}: name.en: missing translation" in out
    assert f"{broken}: O1.KR1: kind: unknown kind \"grow\"" in out
    assert f"{broken}: O1.KR1: vi: slot {{period}} is used but not declared" in out
    assert f"{broken}: O1.KR1: id: duplicate ID" in out
    assert f"{broken}: O1.KR1: unit: unknown unit \"parsecs\"" in out


def test_a_text_written_as_a_string_instead_of_its_table_is_a_problem_not_a_crash(tmp_path: Path):
    """name = "Sales" (a company's first guess) instead of name = { vi = "...", en = "..." }: it crashed with a traceback."""
    own = tmp_path / "own.toml"
    own.write_text('schema = 1\nversion = 1\nkey = "own"\nname = "Sales"\n[[objectives]]\nid = "O1"\n'
                   'title = "Grow"\nvi = "Tăng"\nen = "Grow"\n[[objectives.key_results]]\nid = "O1.KR1"\n'
                   'kind = "milestone"\nunit = "done"\nvi = 3\nen = "Done"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["templates", "validate", str(own)], env={"OKRSHEETS_LANG": "en"})
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.splitlines() == [
        f'{own}: name: expected a table with the Vietnamese and English texts (vi = "...", en = "..."), got "Sales"',
        f'{own}: O1: title: expected a table with the Vietnamese and English texts (vi = "...", en = "..."), got "Grow"',
        f"{own}: O1.KR1: vi: expected non-empty text, got 3",
        "3 problems found.",
    ]


def test_validate_reports_invalid_toml(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("key = [", encoding="utf-8")
    result = CliRunner().invoke(cli, ["templates", "validate", str(bad)], env={"OKRSHEETS_LANG": "en"})
    assert result.exit_code == 1
    assert f"{bad}: not valid TOML" in result.output


def test_company_templates_from_config_folder(tmp_path: Path):
    own = tmp_path / "own"
    own.mkdir()
    text = (builtin_dir() / "individual.toml").read_text(encoding="utf-8").replace('key = "individual"', 'key = "cua-toi"')
    (own / "mine.toml").write_text(text, encoding="utf-8")
    config = tmp_path / "okr.toml"
    config.write_text(
        'company = "X"\ntemplates_dir = "own"\nquarter = "2026-Q4"\n'
        '[[departments]]\nkey = "me"\ntemplate = "cua-toi"\nvalues."O1.KR1" = { target = 3 }\n',
        encoding="utf-8",
    )
    listed = CliRunner().invoke(cli, ["templates", "list", "--config", str(config)])
    assert listed.exit_code == 0 and "cua-toi" in listed.output
    checked = CliRunner().invoke(cli, ["check-config", "--config", str(config)])
    assert checked.exit_code == 0, checked.output
    assert "Ký kết thành công 3 hợp đồng" in checked.output
