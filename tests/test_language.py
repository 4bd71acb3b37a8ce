"""One language per run: every line the CLI prints follows the config's ``language`` (vi or en).

The commands are run as a user runs them, on a config with ASCII names (so
any Vietnamese letter in the English run comes from okrsheets, not from the
user), then every printed line is checked:

* English run: no Vietnamese letter anywhere.
* Vietnamese run: every line that has words of its own (after removing what
  the user typed: company, department names and keys, KR IDs, paths, numbers,
  command lines) has a Vietnamese letter, and no line uses an English word.
  The English words are those the English run printed, plus a few function
  words, so a line left in English in the Vietnamese run is caught even when
  it also quotes a Vietnamese unit.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.words import count

VIETNAMESE_LETTER = re.compile(r"[\u00C0-\u024F\u1E00-\u1EFF]")  # accented Latin: every Vietnamese diacritic, and Đ/đ
REPO = Path(__file__).resolve().parent.parent
COMPANY = "Lotus Trading"
NAMES = {"sales": "Sales Team", "people": "People Team"}


def write_config(folder: Path, language: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "okrsheets.toml"
    path.write_text(
        f'company = "{COMPANY}"\nlanguage = "{language}"\nquarter = "2026-Q4"\n'
        '[backend]\nkind = "excel"\nfolder = "data"\n'
        '[[departments]]\nkey = "sales"\nname = "Sales Team"\ntemplate = "sales"\nowners = ["hung@lotus.example"]\n'
        'values."O1" = { revenue_growth = 25, market_share_growth = 3, period = "Q4 2026" }\n'
        'values."O1.KR1" = { start = 0, target = 12_000_000_000 }\nvalues."O1.KR2" = { target = 45 }\n'
        'values."O1.KR3" = { target = 2 }\n'
        '[[departments]]\nkey = "people"\nname = "People Team"\ntemplate = "hr"\nobjectives = ["O1"]\n'
        'values."O1.KR1" = { target = 10 }\nvalues."O1.KR2" = { start = 45, target = 30 }\n'
        'values."O1.KR3" = { start = 70, target = 85 }\n',
        encoding="utf-8",
    )
    return path


def write_wrong_config(folder: Path, language: str) -> Path:
    """A config wrong in many places (top level, quarter, Google backend, scoring, schedule, e-mail, departments, and
    what only the plan sees: an objective or KR the template does not have, a target below its start)."""
    path = folder / "wrong.toml"
    path.write_text(
        f'company = "{COMPANY}"\nlanguage = "{language}"\ntimezone = "Mars/Base"\nquarter = "2026-Q9"\n'
        'admin_emails = ["hung@lotus.example", "boss-at-lotus"]\nprotection_password_env = "sheet-password"\n'
        'templates_dir = "own-sets"\ncolour = 1\n'
        '[backend]\nkind = "google"\nfolder_id = "F1"\nauth = "user"\nimpersonate = "hung@lotus.example"\nmax_tries = 0\n'
        'share_with_owners = "yes"\n'
        '[scoring]\nred_below = 0.8\ngreen_from = 0.7\npace_tolerance = 0.5\noff_track_gap = 0.2\n'
        '[schedule]\nrun_at = "25:00"\n'
        '[email]\nenabled = true\nsmtp_port = 0\ntls = "tls"\nstale_after_days = 0\npassword = "hunter2"\n'
        '[[departments]]\nkey = "sales"\nname = "Sales Team"\ntemplate = "sales"\nowners = ["not-an-email"]\nweight = 0\n'
        'objectives = ["O1", "O9"]\nvalues."O1" = { revenue_growth = [25], owner = "hung@lotus.example" }\n'
        'values."O1.KR1" = { target = "12%" }\nvalues."O1.KR2" = { start = 50, target = 45 }\n'
        'values."O1.KR3" = { target = 2, colour = 3, aligns_to = "C9" }\n'
        '[[departments]]\nkey = "people"\nname = "People Team"\ntemplate = "people-ops"\n'
        '[[departments]]\nkey = "people"\ntemplate = "hr"\nobjectives = ["O1", "O2"]\nkey_results = ["O1.KR1", "O3.KR1"]\n'
        'values."O1.KR2" = { start = 45, target = 45 }\nvalues."O4.KR3" = { target = 1 }\nvalues."O1" = { start = 1 }\n',
        encoding="utf-8",
    )
    return path


def write_warned_config(folder: Path, language: str) -> Path:
    """A config check-config and lint warn about: e-mail password variable unset, plaintext SMTP login, a percent
    target that looks like a fraction, a department without owners."""
    path = folder / "warned.toml"
    path.write_text(
        f'company = "{COMPANY}"\nlanguage = "{language}"\nquarter = "2026-Q4"\n[backend]\nkind = "excel"\nfolder = "data"\n'
        '[email]\nenabled = true\nsender = "okr@lotus.example"\nusername = "okr@lotus.example"\npassword_env = "LOTUS_UNSET_PASSWORD"\n'
        '[[departments]]\nkey = "people"\nname = "People Team"\ntemplate = "hr"\nobjectives = ["O1"]\n'
        'values."O1.KR1" = { target = 10 }\nvalues."O1.KR2" = { start = 45, target = 30 }\nvalues."O1.KR3" = { start = 0.6, target = 0.8 }\n',
        encoding="utf-8",
    )
    return path


# A company's own template set wrong in every way the schema check knows (ASCII texts, so the English run's lines
# have no Vietnamese letter of the user's), and two files that are not TOML.
BROKEN_SET = """schema = 2
key = "Bad Key"
version = 0
colour = "red"
name = { vi = "Broken" }

[[objectives]]
id = "O1"
vi = "Grow {x"
en = "Grow {x}"
slots.x = { type = "texty", label = "" }
slots.target = { type = "percent", label = "t" }

[[objectives.key_results]]
id = "O2.KR1"
kind = "grow"
unit = "parsecs"
vi = "Grow {target} in {period}"
en = "Grow {target}"
fixed_target = "x"

[[objectives.key_results]]
id = "O1.KR2"
kind = "increase"
unit = "done"
vi = "Done"
en = "Done"
slots.y = "z"

[[objectives.key_results]]
id = "O1.KR3"
kind = "milestone"
unit = "count"
vi = "Done {target}"
en = "Done {target}"
slots.target = { type = "percent", label = "t" }

[[objectives.key_results]]
id = "O1.KR3"
kind = "at_most"
unit = "days"
vi = "At most"
en = "At most"
"""


def write_own_templates(folder: Path) -> tuple[Path, list[Path]]:
    """A templates_dir with one broken set and two files that are not TOML; the config that uses it; the files."""
    own = folder / "own"
    own.mkdir(parents=True, exist_ok=True)
    files = [own / "broken.toml", own / "open-bracket.toml", own / "no-equals.toml"]
    for file, text in zip(files, (BROKEN_SET, "key = [\n", "key = 1\nname value\n")):
        file.write_text(text, encoding="utf-8")
    config = folder / "own-templates.toml"
    config.write_text((folder / "okrsheets.toml").read_text(encoding="utf-8").replace(
        'quarter = "2026-Q4"\n', 'quarter = "2026-Q4"\ntemplates_dir = "own"\n'), encoding="utf-8")
    return config, files


def run(args: list[str], language: str, env: dict | None = None) -> tuple[int, list[str]]:
    """Run the CLI; return its exit code and every line it printed (stdout and stderr)."""
    result = CliRunner().invoke(cli, args, env={"OKRSHEETS_LANG": language, **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output.splitlines()


def every_command(tmp_path: Path, language: str) -> dict[str, list[str]]:
    """What provision, rollup, status, check-config, demo, lint, templates and init print, by command."""
    config = str(write_config(tmp_path / language, language))
    out: dict[str, list[str]] = {}
    out["status (no run yet)"] = run(["status", "--config", config], language)[1]
    out["check-config"] = run(["check-config", "--config", config], language)[1]
    out["provision --dry-run"] = run(["provision", "--config", config, "--dry-run"], language)[1]
    out["provision"] = run(["provision", "--config", config], language)[1]
    out["provision again"] = run(["provision", "--config", config], language)[1]
    out["rollup --dry-run"] = run(["rollup", "--config", config, "--as-of", "2026-11-15", "--dry-run"], language)[1]
    out["rollup"] = run(["rollup", "--config", config, "--as-of", "2026-11-15"], language)[1]
    out["rollup outside the quarter"] = run(["rollup", "--config", config, "--as-of", "2027-02-01"], language)[1]
    out["status"] = run(["status", "--config", config], language)[1]
    logged = subprocess.run([sys.executable, "-m", "okrsheets", "rollup", "--config", config, "--as-of", "2026-11-16"],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO), "OKRSHEETS_LANG": language})
    out["rollup's log lines"] = [re.sub(r"^.*?\b(INFO|WARNING|ERROR)\b ", "", line) for line in logged.stderr.splitlines()]  # no time, level
    assert len(out["rollup's log lines"]) == 2, logged.stderr
    out["lint"] = run(["lint", "--config", config], language)[1]
    out["templates list"] = run(["templates", "list", "--config", config], language)[1]
    out["templates show"] = run(["templates", "show", "hr", "--config", config], language)[1]
    out["templates validate"] = run(["templates", "validate"], language)[1]
    out["demo"] = run(["demo", str(tmp_path / f"demo-{language}"), "--as-of", "2026-11-15", "--lang", language], language)[1]
    out["templates show, an unknown set"] = run(["templates", "show", "nope"], language)[1]
    out["templates show, an unknown set, with a config"] = run(["templates", "show", "nope", "--config", config], language)[1]
    own_config, own_files = write_own_templates(tmp_path / language)
    code, out["templates validate, broken files"] = run(["templates", "validate", *map(str, own_files)], language)
    assert code == 1 and len(out["templates validate, broken files"]) == 27  # 26 problems and their count
    for command in ("check-config", "provision", "lint", "templates list", "templates show"):
        name = f"{command}, a broken set in templates_dir"
        out[name] = run([*command.split(), *(["hr"] if command == "templates show" else []), "--config", str(own_config)], language)[1]
        assert len(out[name]) == 27, (name, out[name])  # "Error: 26 problems:" and the problems of templates validate
        assert out[name][0] == {"en": "Error: 26 problems:", "vi": "Lỗi: 26 lỗi:"}[language], out[name][0]
        assert all(line.startswith(f"  - {own_files[0].parent}/") for line in out[name][1:]), out[name]
    wrong_too = own_config.with_name("own-templates-wrong.toml")
    wrong_too.write_text(own_config.read_text(encoding="utf-8").replace('"2026-Q4"', '"2026-Q9"'), encoding="utf-8")
    out["check-config, a wrong config and a broken set in templates_dir"] = run(["check-config", "--config", str(wrong_too)], language)[1]
    out["init"] = run(["init", str(tmp_path / f"init-{language}")], language)[1]
    out["init again"] = run(["init", str(tmp_path / f"init-{language}")], language)[1]
    out["config error"] = run(["check-config", "--config", str(tmp_path / "missing.toml")], language)[1]
    wrong = str(write_wrong_config(tmp_path / language, language))
    code, out["check-config, a config wrong in many places"] = run(["check-config", "--config", wrong], language)
    assert code == 2 and len(out["check-config, a config wrong in many places"]) > 30
    out["provision, the same config"] = run(["provision", "--config", wrong], language)[1]
    unreadable = tmp_path / language / "unreadable.toml"  # no language to read: the run's ($OKRSHEETS_LANG)
    unreadable.write_text(Path(wrong).read_text(encoding="utf-8").replace(f'language = "{language}"', 'language = "fr"'), encoding="utf-8")
    out["check-config, a wrong config whose language cannot be read"] = run(["check-config", "--config", str(unreadable)], language)[1]
    warned = str(write_warned_config(tmp_path / language, language))
    out["check-config warnings"] = run(["check-config", "--config", warned], language, env={"LOTUS_UNSET_PASSWORD": None})[1]
    out["lint warnings"] = run(["lint", "--config", warned], language)[1]
    return out


TEMPLATE_KEYS = ("customer_service", "design", "employee", "engineering", "enterprise", "finance", "hr", "individual",
                 "leadership", "marketing", "product", "sales", "sme", "training")


def user_text(line: str, tmp_path: Path) -> str:
    """The line without what the user typed or what names a thing: paths, names, keys, IDs, numbers, commands."""
    line = line.replace(str(tmp_path), " ").replace(socket.gethostname(), " ")
    line = re.sub(r"`[^`]*`", " ", line)  # a command to type, in backquotes
    line = re.sub(r"\S*(okrsheets|python\S*) (-m okrsheets )?[a-z-]+( --?\S+( \S+)?)*", " ", line)  # a command to type
    line = re.sub(r'departments\[\d+\]( "[^"]*")?(\.("[^"]*"|\w+))*', " ", line)  # a config key path
    line = re.sub(r"\S+@\S+|\S*/\S*|\S+\.(xlsx|toml|json)\b|\{\w+\}|--[a-z-]+", " ", line)  # e-mails, paths, {slots}, options
    # a config's key names and values, as a problem or warning quotes them: "2026-Q9", quarter.name, timezone:,
    # tls = "none", a list of setting names, an environment variable, and the few keys and values a sentence names
    line = re.sub(r'"[^"]*"|\b[a-z_]+(\.[a-z_]+)+\b|\b[a-z_]+(\[\d+\])?(?=: )|\b[a-z_]+(?= = )|\b[a-z_]+(, [a-z_]+){2,}', " ", line)
    line = re.sub(r"\b[A-Z]+(_[A-Z]+)+\b|\b(name|end|owner|objectives|slots|username|id|true|false)\b", " ", line)
    line = re.sub(r"\b[a-z_]+(-[a-z_]+)+\b|\b[a-z]+_[a-z_]+\b", " ", line)  # lint codes, slot and setting names
    for name in (COMPANY, *NAMES.values(), *NAMES):
        line = line.replace(name, " ")
    line = re.sub(r"^(" + "|".join(TEMPLATE_KEYS) + r")\b", " ", line)  # the key column of `templates list`
    # IDs, acronyms, setting names and values a config has in either language, the nightly run's trigger
    line = re.sub(r"\b(O\d+(\.KR\d+)?|KRs?|OKRs?|VND|VNĐ|ID|pid|API|SMARTER|JSON|json|TOML|lint|excel|google|target|start|owners|rollup|schedule"
                  r"|Google Cloud|Google|OAuth|IANA|SMTP"
                  r"|" + "|".join(TEMPLATE_KEYS) + r""
                  r"|\d{4}-Q\d|[A-Z][a-z]+/[A-Z][a-z_]+)\b", " ", line)
    line = re.sub(r"[\d.,:;%()\[\]{}<>=+\-–—→|/*'\"#_!?]+", " ", line)
    return line.strip()


FUNCTION_WORDS = {"the", "of", "and", "to", "in", "is", "not", "no", "with", "for", "from", "see", "would", "was", "a", "an",
                  "at", "by", "or", "run", "found", "error", "errors", "warning", "warnings", "problem", "problems", "summary"}
# Vietnamese words written without a diacritic, and the loanwords the built-in Vietnamese templates use
VIETNAMESE_ASCII = {"ban", "tin", "con", "theo", "cho", "khi", "tra", "tham", "thanh", "xanh", "doanh", "kinh", "sinh", "an", "ghi",
                    "mong", "chi", "tieu", "nay", "giao", "chung", "hanh", "phong", "trang", "thai", "sau", "vi", "tao", "cao", "so",
                    "in", "tong", "hop", "nhan", "xem", "mang", "can", "lai", "hai", "ngay", "tim", "demo", "hoa", "sen",
                    "marketing", "sme", "crm", "workshop", "team", "building", "email", "mail"}


def ascii_words(text: str) -> list[str]:
    """The words of ``text`` written with ASCII letters only ("toán" is not "to")."""
    return [w for w in re.findall(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]{2,}", text) if w.isascii()]


def english_words(lines: list[str], tmp_path: Path) -> set[str]:
    words = {w.lower() for line in lines for w in ascii_words(user_text(line, tmp_path))}
    return (words | FUNCTION_WORDS) - VIETNAMESE_ASCII


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("language")
    return tmp_path, {language: every_command(tmp_path, language) for language in ("en", "vi")}


def test_every_line_of_an_english_run_is_english(both):
    tmp_path, outputs = both
    wrong = [f"{command}: {line}" for command, lines in outputs["en"].items() for line in lines
             if VIETNAMESE_LETTER.search(user_text(line, tmp_path))]
    assert sum(len(lines) for lines in outputs["en"].values()) > 100
    assert wrong == []


def test_every_line_of_a_vietnamese_run_is_vietnamese(both):
    tmp_path, outputs = both
    english = english_words([line for lines in outputs["en"].values() for line in lines], tmp_path)
    wrong = []
    for command, lines in outputs["vi"].items():
        for line in lines:
            text = user_text(line, tmp_path)
            if not re.search(r"[A-Za-zÀ-ỹ]", text):
                continue  # a number, a path, a table border, a blank line
            used = sorted({w for w in ascii_words(text) if w.lower() in english})
            if not VIETNAMESE_LETTER.search(text) or used:
                wrong.append(f"{command}: {line}" + (f"  <- {', '.join(used)}" if used else ""))
    assert sum(len(lines) for lines in outputs["vi"].values()) > 100
    assert wrong == []


def test_counts_and_articles_read_right_in_both_languages(tmp_path):
    from okrsheets.templates import check_paths
    from okrsheets.words import count

    assert [count("en", n, "department") for n in (0, 1, 2)] == ["0 departments", "1 department", "2 departments"]
    assert [count("vi", n, "department") for n in (1, 2)] == ["1 phòng ban", "2 phòng ban"]

    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "okrsheets.toml").write_text(
        'company = "Lotus"\nlanguage = "en"\nquarter = "2026-Q4"\n[backend]\nkind = "excel"\nfolder = "data"\n'
        '[[departments]]\nkey = "people"\ntemplate = "hr"\nobjectives = ["O1"]\nowners = ["a@lotus.example"]\n'
        'values."O1.KR1" = { target = 10 }\nvalues."O1.KR2" = { start = 45, target = 30 }\nvalues."O1.KR3" = { start = 70, target = 85 }\n',
        encoding="utf-8",
    )
    config = str(folder / "okrsheets.toml")
    assert run(["check-config", "--config", config], "en")[1][-1] == "1 department, 1 objective, 3 key results; 0 warnings"
    assert run(["provision", "--config", config, "--dry-run"], "en")[1][2] == "1 department: 1 to create (dry run: nothing written)"
    assert run(["provision", "--config", config], "en")[1][:3] == [
        f"created                people           {folder / 'data' / '2026-Q4' / 'people.xlsx'}", "    3 key results", "1 department: 1 created",
    ]
    (folder / "okrsheets.toml").write_text((folder / "okrsheets.toml").read_text().replace('"en"', '"vi"'), encoding="utf-8")
    assert run(["check-config", "--config", config], "en")[1][-1] == "1 phòng ban, 1 mục tiêu, 3 kết quả then chốt; 0 cảnh báo"

    bad = tmp_path / "bad.toml"
    bad.write_text(
        'key = "bad"\nversion = 1\nname = { vi = "X", en = "X" }\n[[objectives]]\nid = "O1"\ntext = { vi = "a", en = "a" }\n'
        '[[objectives.key_results]]\nid = "O1.KR1"\nkind = "increase"\nunit = "done"\ntext = { vi = "b", en = "b" }\n',
        encoding="utf-8",
    )
    problems = check_paths([bad])[1]
    assert any("an increase KR needs a measurable unit" in p for p in problems), problems
    code, lines = run(["templates", "validate", str(bad)], "en")
    assert code == 1 and lines[-1] == f"{count('en', len(problems), 'problem')} found."
    assert run(["templates", "validate", str(bad)], "vi")[1][-1] == f"Tìm thấy {len(problems)} lỗi."


def test_without_a_config_the_language_is_okrsheets_lang_else_the_system_locale_else_english():
    from okrsheets.words import fallback_language

    assert fallback_language({"OKRSHEETS_LANG": "en", "LANG": "vi_VN.UTF-8"}) == "en"
    assert fallback_language({"OKRSHEETS_LANG": "vi", "LANG": "C.UTF-8"}) == "vi"
    assert fallback_language({"LANG": "vi_VN.UTF-8"}) == "vi"
    assert fallback_language({"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}) == "vi"
    assert fallback_language({"LANG": "en_US.UTF-8"}) == "en" and fallback_language({}) == "en"

    env = {k: v for k, v in os.environ.items() if k not in ("OKRSHEETS_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    env["PYTHONPATH"] = str(REPO)
    said = {}
    for locale_name in ("vi_VN.UTF-8", "C.UTF-8"):
        done = subprocess.run([sys.executable, "-m", "okrsheets", "templates", "validate"], capture_output=True, text=True,
                              env={**env, "LANG": locale_name})
        said[locale_name] = done.stdout.strip()
    assert said == {"vi_VN.UTF-8": "Tốt: 14 bộ mẫu, 67 mục tiêu, 201 kết quả then chốt.",
                    "C.UTF-8": "OK: 14 template sets, 67 objectives, 201 key results."}


def test_a_config_error_speaks_the_configs_language_when_it_could_be_read(tmp_path):
    path = tmp_path / "okrsheets.toml"
    for language, other, head in (("vi", "en", "Lỗi"), ("en", "vi", "Error")):
        path.write_text(f'company = "A"\nlanguage = "{language}"\nquarter = "2026-Q9"\n', encoding="utf-8")
        code, lines = run(["check-config", "--config", str(path)], other)
        assert code == 2 and lines[0] == f"{head}: {path}: {count(language, 2, 'problem')}:", lines
    path.write_text('company = "A"\nlanguage = "fr"\n', encoding="utf-8")  # no language to read: the fallback's
    assert run(["check-config", "--config", str(path)], "vi")[1][0].startswith(f"Lỗi: {path}: ")
    assert run(["check-config", "--config", str(path)], "en")[1][0].startswith(f"Error: {path}: ")


def test_template_problems_speak_the_configs_language_and_templates_show_its_lang(tmp_path):
    write_config(tmp_path, "vi")
    config, (broken, open_bracket, no_equals) = write_own_templates(tmp_path)
    code, lines = run(["check-config", "--config", str(config)], "en")  # the config says vi
    assert code == 1 and len(lines) == 27
    assert lines[:2] == ["Lỗi: 26 lỗi:", f"  - {broken}: colour: không có khóa này (các khóa dùng được: description, key, name,"
                         " objectives, schema, source_section, version)"]
    assert f'  - {broken}: O1.KR3: slots: KR loại "at_most" cần chỗ trống "target" hoặc fixed_target' in lines
    assert lines[-2:] == [
        f"  - {no_equals}: không phải TOML hợp lệ ở dòng 2, cột 6: hãy kiểm tra dấu ngoặc kép, dấu = và dấu ngoặc ở đó",
        f"  - {open_bracket}: không phải TOML hợp lệ: tệp kết thúc khi còn một dấu ngoặc kép, dấu ngoặc hay giá trị chưa đóng",
    ]
    wrong = config.with_name("wrong-too.toml")  # and the config itself is wrong: one run tells both
    wrong.write_text(config.read_text(encoding="utf-8").replace('"2026-Q4"', '"2026-Q9"'), encoding="utf-8")
    code, lines = run(["check-config", "--config", str(wrong)], "en")
    assert code == 2 and len(lines) == 28 and lines[:3] == [
        f"Lỗi: {wrong}: 27 lỗi:",
        '  - quarter.name: cần một quý như "2026-Q4" (hoặc cho ngày start và end), nhận được "2026-Q9"',
        f"  - {broken}: colour: không có khóa này (các khóa dùng được: description, key, name, objectives, schema, source_section,"
        " version)",
    ]
    code, lines = run(["templates", "validate", str(broken)], "en")  # no config: $OKRSHEETS_LANG
    assert code == 1 and lines[-3:] == [
        f"{broken}: O1.KR3: id: duplicate ID",
        f'{broken}: O1.KR3: slots: an at_most KR needs a "target" slot or fixed_target',
        "24 problems found.",
    ]
    known = ", ".join(TEMPLATE_KEYS)
    assert run(["templates", "show", "nope", "--lang", "en"], "vi") == (
        2, [f'Error: unknown template set "nope"; known: {known} (see `okrsheets templates list`)'])
    assert run(["templates", "show", "nope"], "vi") == (
        2, [f'Lỗi: không có bộ mẫu "nope"; các bộ mẫu hiện có: {known} (xem `okrsheets templates list`)'])


# A KR's target is "chỉ tiêu" and its start "mức bắt đầu": "mục tiêu" is an Objective, "điểm bắt đầu" reads as a score.
TARGET_AS_OBJECTIVE = re.compile(r"điểm bắt đầu|mục tiêu\s*[/,]\s*(mức |điểm )?bắt đầu|(bắt đầu|start)\s*[/,]\s*mục tiêu", re.IGNORECASE)


def test_data_issues_call_a_target_chi_tieu_and_a_start_muc_bat_dau(tmp_path):
    import openpyxl

    from okrsheets.jobs.rollup import MESSAGES
    from okrsheets.sheets.team_workbook import COL

    from .helpers.workbooks import okr_rows

    config = tmp_path / "okrsheets.toml"
    config.write_text(  # O1.KR1 has no target, so it cannot be scored
        'company = "Lotus"\nlanguage = "vi"\nquarter = "2026-Q4"\n[backend]\nkind = "excel"\nfolder = "data"\n'
        '[[departments]]\nkey = "people"\ntemplate = "hr"\nobjectives = ["O1"]\nowners = ["a@lotus.example"]\n'
        'values."O1.KR2" = { start = 45, target = 30 }\nvalues."O1.KR3" = { start = 70, target = 85 }\n',
        encoding="utf-8",
    )
    assert run(["provision", "--config", str(config)], "vi")[0] == 0
    path = tmp_path / "data" / "2026-Q4" / "people.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["OKR"]
    sheet.cell(okr_rows(sheet)["O1.KR3"], COL["target"]).value = 90  # a locked cell the team changed
    workbook.save(path)
    result = CliRunner().invoke(cli, ["rollup", "--config", str(config), "--as-of", "2026-11-15", "--json"])
    problems = [issue["problem"] for issue in json.loads(result.stdout)["issues"]]
    assert problems == [
        'Trang "OKR" đã bị sửa ở chỗ okrsheets khóa (công thức điểm/trạng thái, chỉ tiêu, mức bắt đầu, trọng số hoặc loại KR),'
        " nên điểm và trạng thái hiện trên chính trang này có thể không còn đúng. Báo cáo tổng hợp vẫn tính theo kế hoạch.",
        "O1.KR1 chưa có chỉ tiêu/mức bắt đầu trong cấu hình nên chưa tính điểm được.",
    ]
    texts = [*problems, *(text for pair in MESSAGES["vi"].values() for text in pair)]  # and every data issue not met here
    assert [text for text in texts if TARGET_AS_OBJECTIVE.search(text)] == []
