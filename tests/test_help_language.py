"""`--help` and click's own words speak the run's language: Vietnamese under OKRSHEETS_LANG=vi or a
Vietnamese locale, English otherwise, the config's when `--config` names one on the command line."""

from __future__ import annotations

import ast
import gettext
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.cli.speak import CLICK_MODULES, Command, Group, long_name
from okrsheets.words import help_en, help_vi

REPO = Path(__file__).resolve().parent.parent
VIETNAMESE_LETTER = re.compile(r"[\u00C0-\u024F\u1E00-\u1EFF]")  # accented Latin: every Vietnamese diacritic, and Đ/đ


def every_command(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    yield prefix, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_command(command, (*prefix, name))
        else:
            yield (*prefix, name), command


COMMANDS = list(every_command())


def show_help(path: tuple[str, ...], language: str) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"], env={"OKRSHEETS_LANG": language}, prog_name="okrsheets")
    assert result.exit_code == 0, result.output
    return result.output


# What the help may show in either language: names of programs, products, files, settings and signals.
SHARED = {"okrsheets", "excel", "google", "sheets", "libreoffice", "okr", "okrs", "kr", "krs", "json", "linux", "cpu",
          "smarter", "systemd", "cron", "stderr", "stdout", "ctrl", "sigterm", "auth", "user", "localhost", "demo",
          "timer", "id", "api", "vi", "en", "start"}
# Vietnamese words written in ASCII letters that are English words too ("in" = print, "an toàn" = safe, "then chốt")
VIETNAMESE_ASCII = {"in", "an", "then", "con", "can", "sau", "cho", "khi", "theo"}


def words_of(text: str) -> set[str]:
    """The words of a help page written in ASCII letters, without what names a thing: options, metavars,
    commands, paths and files, `code`, $VARIABLES, config keys (run_at, [backend]) and quoted values."""
    text = re.sub(r"\b[a-z]+(-[a-z]+)+\b", " ", text)  # commands and words with a hyphen: check-config, e-mail
    text = re.sub(r"`[^`]*`|\$\w+|--?[a-z][a-z-]*|\S*[/.]\S*\w|\[[a-z_]+\]|\b\w+_\w+\b|\"[^\"]*\"|'[^']*'", " ", text)
    text = re.sub(r"\b[A-Z][A-Z_-]+\b", " ", text)  # metavars: DIRECTORY, KEY, FILE, YYYY-QN
    names = {name for path, _ in COMMANDS for name in path}
    return {w.lower() for w in re.findall(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]{2,}", text)
            if w.isascii() and w.lower() not in names}


def test_every_command_and_option_has_its_help_in_both_languages_and_no_text_is_left_over():
    used = {"vi": set(), "en": set()}
    for path, command in COMMANDS:
        assert isinstance(command, (Command, Group)), f"{' '.join(path)}: make it with cls=Command (okrsheets/cli/speak.py)"
        key = " ".join(path)
        assert command.path == key
        for language, table in (("vi", help_vi), ("en", help_en)):
            assert len(table.COMMANDS[key].strip()) > 20, (language, key)
            used[language].add(key)
            options = [p for p in command.params if isinstance(p, click.Option)]
            for option in [*options, command.get_help_option(click.Context(command, help_option_names=["-h", "--help"]))]:
                name = long_name(option)
                found = f"{key} {name}".strip() if f"{key} {name}".strip() in table.OPTIONS else name
                assert found in table.OPTIONS, (language, key, name)
                used[language].add(("option", found))
    for language, table in (("vi", help_vi), ("en", help_en)):
        keys = set(table.COMMANDS) | {("option", k) for k in table.OPTIONS}
        assert keys == used[language], f"{language}: texts no command uses: {keys - used[language]}"
    assert set(help_vi.METAVARS) == set(help_en.METAVARS)


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=lambda path: " ".join(path) or "okrsheets")
def test_help_is_vietnamese_under_vi_and_english_under_en(path):
    english, vietnamese = show_help(path, "en"), show_help(path, "vi")
    assert not VIETNAMESE_LETTER.search(english), english
    assert english.startswith("Usage: okrsheets") and "\nOptions:\n" in english and "Show this message and exit." in english
    assert vietnamese.startswith("Cách dùng: okrsheets") and "\nTùy chọn:\n" in vietnamese
    assert "Hiện hướng dẫn này rồi thoát." in vietnamese and "[OPTIONS]" not in vietnamese
    # no sentence left in English: no word of the English page (but names) in the Vietnamese one
    left = (words_of(english) & words_of(vietnamese)) - SHARED - VIETNAMESE_ASCII
    assert left == set(), f"English words in the Vietnamese help of {' '.join(path)}: {sorted(left)}\n{vietnamese}"
    # and every paragraph and option line of it is Vietnamese
    for paragraph in re.split(r"\n\s*\n", vietnamese.split("\n", 1)[1]):
        for line in re.split(r"\n(?=  -)", paragraph):
            if words_of(line) - SHARED:
                assert VIETNAMESE_LETTER.search(line), line


def test_a_groups_command_list_speaks_the_language():
    vietnamese = show_help(("templates",), "vi")
    assert "\nLệnh:\n" in vietnamese
    assert "  list      Liệt kê các bộ mẫu với số mục tiêu và số kết quả then chốt." in vietnamese
    assert "Cách dùng: okrsheets templates [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]..." in vietnamese
    english = show_help(("templates",), "en")
    assert "  list      List template sets with their objective and key-result counts." in english


def test_clicks_errors_speak_the_language():
    def run(args, language):
        return CliRunner().invoke(cli, args, env={"OKRSHEETS_LANG": language}, prog_name="okrsheets")

    wrong = run(["rollup", "--bogus"], "vi")
    assert wrong.exit_code == 2
    assert wrong.output.splitlines() == ["Cách dùng: okrsheets rollup [TÙY_CHỌN]", "Gõ 'okrsheets rollup --help' để xem hướng dẫn.", "",
                                         "Lỗi: Không có tùy chọn '--bogus'."]
    assert run(["rollup", "--bogus"], "en").output.splitlines()[-1] == "Error: No such option '--bogus'."
    assert run(["rollup", "--as-of", "2026-13-01"], "vi").output.splitlines()[-1] == (
        "Lỗi: Giá trị không hợp lệ cho '--as-of': '2026-13-01' không đúng định dạng '%Y-%m-%d'.")
    assert run(["frobnicate"], "vi").output.splitlines()[-1] == "Lỗi: Không có lệnh 'frobnicate'."
    assert run(["google", "login", "--port", "70000"], "vi").output.splitlines()[-1] == (
        "Lỗi: Giá trị không hợp lệ cho '--port': 70000 không nằm trong khoảng 0<=x<=65535.")
    assert run(["templates", "validate", "/no/such/folder"], "vi").output.splitlines()[-1] == (
        "Lỗi: Giá trị không hợp lệ cho '[PATHS]...': Không có '/no/such/folder'.")
    assert run(["--version"], "vi").output.startswith("okrsheets ")  # the version line has no words


# click's sentences that only a programmer sees (a command defined wrongly) or that okrsheets never shows
# (Windows consoles, shell completion, editors, colours).
NEVER_SHOWN = {
    "Could not determine name for option with declarations {decls!r}", "Name '{name}' defined twice",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Boolean option {decl!r} cannot use the same flag for true/false.", "Unknown color {colour!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you mean to pass '--{name}'?",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
}


def clicks_sentences() -> set[str]:
    """Every sentence the click modules okrsheets teaches mark for gettext (`_("...")`, `ngettext("...", "...")`)."""
    found = set()
    for name in CLICK_MODULES:
        source = Path(importlib.import_module(name).__file__).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found |= {a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_every_sentence_click_can_print_has_its_vietnamese_and_click_asks_okrsheets_for_it():
    sentences = clicks_sentences()
    assert {"Usage:", "Options", "No such option {name!r}.", "Error: {message}"} <= sentences  # the scan sees them
    assert sorted(sentences - NEVER_SHOWN - set(help_vi.CLICK)) == []
    assert "required" in help_vi.CLICK  # click marks it through a variable: _(extra["required"])
    assert set(help_vi.CLICK) <= sentences | {"required"}  # no translation of a sentence click does not have
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        assert getattr(module, "_", None) is not gettext.gettext, name
        assert getattr(module, "ngettext", None) is not gettext.ngettext, name


def run_okrsheets(*args: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("OKRSHEETS_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    done = subprocess.run([sys.executable, "-m", "okrsheets", *args], capture_output=True, text=True,
                          env={**environ, "PYTHONPATH": str(REPO), **env})
    return done.stdout + done.stderr


def test_the_help_language_is_the_command_lines_config_else_okrsheets_lang_else_the_locale_else_english(tmp_path):
    assert run_okrsheets("--help", LANG="vi_VN.UTF-8").startswith("Cách dùng:")
    assert run_okrsheets("--help", LC_ALL="vi_VN.UTF-8", LANG="en_US.UTF-8").startswith("Cách dùng:")
    assert run_okrsheets("--help", LANG="C.UTF-8").startswith("Usage:")
    assert run_okrsheets("--help").startswith("Usage:")
    assert run_okrsheets("--help", OKRSHEETS_LANG="en", LANG="vi_VN.UTF-8").startswith("Usage:")
    assert run_okrsheets("rollup", "--help", OKRSHEETS_LANG="vi", LANG="C.UTF-8").startswith("Cách dùng: okrsheets rollup")
    vietnamese, english = tmp_path / "vi.toml", tmp_path / "en.toml"
    vietnamese.write_text('company = "A"\nlanguage = "vi"\n', encoding="utf-8")
    english.write_text('company = "A"\nlanguage = "en"\n', encoding="utf-8")
    assert run_okrsheets("rollup", "--config", str(vietnamese), "--help", OKRSHEETS_LANG="en").startswith("Cách dùng:")
    assert run_okrsheets("status", f"--config={english}", "--help", OKRSHEETS_LANG="vi").startswith("Usage:")
    assert run_okrsheets("rollup", "--config", str(vietnamese), "--bogus", OKRSHEETS_LANG="en").endswith(
        "Lỗi: Không có tùy chọn '--bogus'.\n")
    # a config that cannot be read says nothing about the language: the fallback's
    assert run_okrsheets("rollup", "--config", str(tmp_path / "missing.toml"), "--help", OKRSHEETS_LANG="vi").startswith("Cách dùng:")
    assert run_okrsheets("rollup", "--config", str(tmp_path / "missing.toml"), "--help", OKRSHEETS_LANG="en").startswith("Usage:")


def test_help_with_a_config_imports_no_writer_reader_or_google_client(tmp_path):
    config = tmp_path / "okrsheets.toml"
    config.write_text('company = "A"\nlanguage = "vi"\n', encoding="utf-8")
    environ = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "okrsheets", "rollup", "--config", str(config), "--help"],
                          capture_output=True, text=True, env=environ)
    assert done.stdout.startswith("Cách dùng: okrsheets rollup")
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:") and line.count("|") == 2}
    assert "okrsheets.cli.speak" in modules
    heavy = ("openpyxl", "xlsxwriter", "python_calamine", "gspread", "google.auth", "okrsheets.config", "okrsheets.backends",
             "okrsheets.sheets")
    assert {m for m in modules if m.startswith(heavy)} == set()
