"""Every word the command line prints, one table per language (:mod:`.vi`, :mod:`.en`), and how to look them up.

``say(language, key, **values)`` formats one entry; ``count(language, n, noun)``
puts a count before a noun, in the plural where English needs it ("1
department", "2 departments"); Vietnamese nouns have no plural ("2 phòng ban").
Commands run without a config speak :func:`fallback_language`.
"""

from __future__ import annotations

import locale
import os
from collections.abc import Mapping

from okrsheets.words import en, vi

TABLES: dict[str, Mapping[str, str | tuple[str, ...]]] = {"vi": vi.WORDS, "en": en.WORDS}
NOUNS: dict[str, Mapping[str, str | tuple[str, str]]] = {"vi": vi.NOUNS, "en": en.NOUNS}
SLOT_TYPE = {"vi": vi.SLOT_TYPE, "en": en.SLOT_TYPE}


def lang(language: str | None) -> str:
    """ "en" or "vi" (anything else is Vietnamese, the default language of okrsheets)."""
    return "en" if language == "en" else "vi"


def say(language: str | None, key: str, /, **values) -> str:
    """The entry ``key`` of the language's table, formatted with ``values``."""
    text = TABLES[lang(language)][key]
    if not isinstance(text, str):
        raise TypeError(f"words entry {key!r} is a row of words: read it with headings()")
    return text.format(**values) if values else text


def headings(language: str | None, key: str) -> tuple[str, ...]:
    """The entry ``key`` that is a row of words (a table's column headings)."""
    row = TABLES[lang(language)][key]
    if isinstance(row, str):
        raise TypeError(f"words entry {key!r} is one sentence: read it with say()")
    return row


def noun(language: str | None, n: int, name: str) -> str:
    """The noun for ``n`` things: "department"/"departments" in English, one form in Vietnamese."""
    forms = NOUNS[lang(language)][name]
    if isinstance(forms, str):
        return forms
    return forms[0] if n == 1 else forms[1]


def count(language: str | None, n: int, name: str) -> str:
    """``n`` and its noun: "1 warning", "3 warnings", "3 cảnh báo"."""
    return f"{n} {noun(language, n, name)}"


def with_article(word: str) -> str:
    """English "a"/"an" before ``word``: "an increase", "a decrease", "an at_most"."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def slot_label(slot, language: str | None) -> str:
    """What an unfilled slot shows between brackets: the template's label (Vietnamese), or its name in English."""
    return slot.label if lang(language) == "vi" else slot.name.replace("_", " ")


def slot_type(name: str, language: str | None) -> str:
    return SLOT_TYPE[lang(language)].get(name, name)


def fallback_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of a command run without a config: $OKRSHEETS_LANG, else the system locale ("vi…"), else English."""
    environ = os.environ if environ is None else environ
    chosen = environ.get("OKRSHEETS_LANG", "").strip().lower()
    if chosen[:2] in ("vi", "en"):
        return chosen[:2]
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    if environ is os.environ:
        try:
            current = locale.getlocale()[0] or ""
        except ValueError:
            current = ""
        if current.lower().startswith("vi"):
            return "vi"
    return "en"
