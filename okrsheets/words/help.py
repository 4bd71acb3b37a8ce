"""The command line's help, per language (:mod:`.help_vi`, :mod:`.help_en`), and click's own words.

``command_help(language, path)`` is a command's help ("rollup", "templates
list"; "" is ``okrsheets`` itself); ``option_help(language, path, option)`` an
option's, looked up as "path --option", else "--option" (the options every
command shares: --config, --help, --version); ``click_text(language,
message)`` one of click's own sentences, which click marks for gettext with
its English text as the key (Usage:, Options, Error: ..., No such option ...).
"""

from __future__ import annotations

from types import ModuleType

from okrsheets.words import help_en, help_vi, lang

TABLES: dict[str, ModuleType] = {"vi": help_vi, "en": help_en}


def command_help(language: str | None, path: str) -> str:
    return TABLES[lang(language)].COMMANDS[path]


def option_help(language: str | None, path: str, option: str) -> str:
    options = TABLES[lang(language)].OPTIONS
    return options[f"{path} {option}".strip()] if f"{path} {option}".strip() in options else options[option]


def metavar(language: str | None, name: str) -> str:
    """The usage line's placeholder ``name`` ("options", "command"): [OPTIONS], [TÙY_CHỌN]."""
    return TABLES[lang(language)].METAVARS[name]


def click_text(language: str | None, message: str) -> str:
    """One of click's sentences in ``language``: its Vietnamese translation, or click's English."""
    return TABLES[lang(language)].CLICK.get(message, message)


def click_plural(language: str | None, singular: str, plural: str, n: int) -> str:
    """click's sentence for ``n`` things (gettext's ngettext): Vietnamese has one form, each translated."""
    return click_text(language, singular if n == 1 else plural)
