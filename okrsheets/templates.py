"""Load and check OKR template sets (``sheet_templates/*.toml``).

The schema is documented in ``sheet_templates/README.md``. :func:`check_file`
returns every problem in a file, each naming the file, the objective/KR ID and
the field, so an admin can fix a company's own templates in one pass.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from okrsheets import config_cache
from okrsheets.config import show_value
from okrsheets.core.model import (
    KEY_RESULT_ID_RE,
    KINDS,
    LANGUAGES,
    OBJECTIVE_ID_RE,
    SLOT_TYPES,
    UNITS,
    KeyResultTemplate,
    Localized,
    ObjectiveTemplate,
    Slot,
    TemplateSet,
)
from okrsheets.errors import TemplateError, UnknownTemplateError
from okrsheets.shipped import templates_dir
from okrsheets.stamps import folder_contents
from okrsheets.words import say, with_article

SCHEMA_VERSION = 1
SPECIAL_SLOTS = ("target", "start")

_TOP_KEYS = {"schema", "key", "version", "source_section", "name", "objectives", "description"}
_OBJECTIVE_KEYS = {"id", "vi", "en", "title", "slots", "key_results"}
_KR_KEYS = {"id", "kind", "unit", "vi", "en", "slots", "fixed_target"}
_SLOT_KEYS = {"type", "label"}
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SLOT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_TOML_PLACE_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


def builtin_dir() -> Path:
    """The folder of the built-in template sets (package data when installed; see :mod:`okrsheets.shipped`)."""
    return templates_dir()


def placeholders(text: str) -> list[str]:
    """Names of the ``{slot}`` placeholders in a template text, in order."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ValueError(f"unbalanced braces ({exc})") from None


def _got(value: object, language: str) -> str:
    """A value as a problem quotes it ("grow", 0, a table), or "nothing" for a key that is not there."""
    return say(language, "template_absent") if value is None else show_value(value, language)


def _a_kind(kind: object, language: str) -> str:
    """How a problem names a KR's kind before "KR": "an increase" in English, the kind itself in Vietnamese."""
    return with_article(str(kind)) if language == "en" else str(kind)


class _Checker:
    """Collects problems with their place, ``file: ID: field: what``, the what in ``language``."""

    def __init__(self, path: Path, language: str = "en"):
        self.path = path
        self.language = language
        self.problems: list[str] = []

    def add(self, where: str, field: str, key: str, /, **values: object) -> None:
        """One problem: the words entry ``key`` (formatted with ``values``) at ``where`` and ``field``."""
        place = f"{self.path}: {where}: " if where else f"{self.path}: "
        self.problems.append(f"{place}{field}: {say(self.language, key, **values)}")

    def got(self, value: object) -> str:
        return _got(value, self.language)

    def unknown_keys(self, table: dict, allowed: set[str], where: str, prefix: str = "") -> None:
        for key in sorted(set(table) - allowed):
            self.add(where, prefix + key, "template_unknown_key", allowed=", ".join(sorted(allowed)))

    def localized(self, table: object, where: str, field: str = "") -> Localized | None:
        if not isinstance(table, dict):  # name = "Sales" instead of name = { vi = "...", en = "..." }
            self.add(where, field or "vi, en", "template_texts_table", got=self.got(table))
            return None
        texts = {}
        for lang in LANGUAGES:
            name = f"{field}.{lang}" if field else lang
            value = table.get(lang)
            if value is None:
                self.add(where, name, "template_missing_translation")
            elif not isinstance(value, str) or not value.strip():
                self.add(where, name, "template_empty_text", got=self.got(value))
            else:
                texts[lang] = value
        return Localized(**texts) if len(texts) == len(LANGUAGES) else None

    def slots(self, table: object, where: str) -> tuple[Slot, ...]:
        if table is None:
            return ()
        if not isinstance(table, dict):
            self.add(where, "slots", "template_slots_table", got=self.got(table))
            return ()
        slots = []
        for name, spec in table.items():
            field = f"slots.{name}"
            if not _SLOT_RE.match(name):
                self.add(where, field, "template_slot_name")
            if not isinstance(spec, dict):
                self.add(where, field, "template_slot_spec", got=self.got(spec))
                continue
            self.unknown_keys(spec, _SLOT_KEYS, where, field + ".")
            slot_type = spec.get("type")
            if slot_type not in SLOT_TYPES:
                self.add(where, field + ".type", "template_slot_type", got=self.got(slot_type), known=", ".join(SLOT_TYPES))
            label = spec.get("label")
            if not isinstance(label, str) or not label.strip():
                self.add(where, field + ".label", "template_slot_label")
            slots.append(Slot(name, str(slot_type), str(label)))
        return tuple(slots)

    def slot_usage(self, text: Localized | None, slots: tuple[Slot, ...], where: str) -> None:
        if text is None:
            return
        declared = {s.name for s in slots}
        for lang in LANGUAGES:
            try:
                used = set(placeholders(text(lang)))
            except ValueError:
                self.add(where, lang, "template_unbalanced", text=text(lang))
                continue
            for name in sorted(used - declared):
                self.add(where, lang, "template_slot_undeclared", slot=name)
            for name in sorted(declared - used):
                self.add(where, lang, "template_slot_unused", slot=name)


def check_data(data: dict, path: Path, builtin: bool = False, language: str = "en") -> tuple[TemplateSet | None, list[str]]:
    """Check parsed TOML; return the template set (when valid) and the problems (in ``language``)."""
    c = _Checker(path, language)
    c.unknown_keys(data, _TOP_KEYS, "")
    if data.get("schema") != SCHEMA_VERSION:
        c.add("", "schema", "template_schema", version=SCHEMA_VERSION, got=c.got(data.get("schema")))
    key = data.get("key")
    if not isinstance(key, str) or not _KEY_RE.match(key):
        c.add("", "key", "template_key", got=c.got(key))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        c.add("", "version", "template_version", got=c.got(version))
    name = c.localized(data.get("name") or {}, "", "name")
    raw_objectives = data.get("objectives")
    if not isinstance(raw_objectives, list) or not raw_objectives:
        c.add("", "objectives", "template_no_objectives")
        raw_objectives = []

    seen: set[str] = set()
    objectives = []
    for index, raw in enumerate(raw_objectives):
        oid = raw.get("id") if isinstance(raw, dict) else None
        where = str(oid) if oid else f"objectives[{index}]"
        if not isinstance(raw, dict):
            c.add(where, "objectives", "template_not_a_table", got=c.got(raw))
            continue
        c.unknown_keys(raw, _OBJECTIVE_KEYS, where)
        if not isinstance(oid, str) or not OBJECTIVE_ID_RE.match(oid):
            c.add(where, "id", "template_objective_id", got=c.got(oid))
        elif oid in seen:
            c.add(where, "id", "template_duplicate_id")
        seen.add(str(oid))
        text = c.localized(raw, where)
        title = c.localized(raw["title"], where, "title") if "title" in raw else None
        slots = c.slots(raw.get("slots"), where)
        for slot in slots:
            if slot.name in SPECIAL_SLOTS:
                c.add(where, f"slots.{slot.name}", "template_special_slot")
        c.slot_usage(text, slots, where)
        key_results = []
        raw_krs = raw.get("key_results")
        if not isinstance(raw_krs, list) or not raw_krs:
            c.add(where, "key_results", "template_no_key_results")
            raw_krs = []
        for kr_index, raw_kr in enumerate(raw_krs):
            kr = _check_key_result(c, raw_kr, oid, kr_index, seen)
            if kr is not None:
                key_results.append(kr)
        if text is not None:
            objectives.append(ObjectiveTemplate(str(oid), text, tuple(key_results), title, slots))

    if c.problems or not isinstance(key, str) or not isinstance(version, int) or name is None:  # each of these added a problem
        return None, c.problems
    return (
        TemplateSet(
            key=key,
            version=version,
            name=name,
            objectives=tuple(objectives),
            source_section=str(data["source_section"]) if "source_section" in data else None,
            path=path,
            builtin=builtin,
        ),
        [],
    )


def _check_key_result(c: _Checker, raw: object, oid: object, index: int, seen: set[str]) -> KeyResultTemplate | None:
    krid = raw.get("id") if isinstance(raw, dict) else None
    where = str(krid) if krid else f"{oid}.key_results[{index}]"
    if not isinstance(raw, dict):
        c.add(where, "key_results", "template_not_a_table", got=c.got(raw))
        return None
    c.unknown_keys(raw, _KR_KEYS, where)
    match = KEY_RESULT_ID_RE.match(krid) if isinstance(krid, str) else None
    if not match:
        c.add(where, "id", "template_kr_id", example=f"{oid}.KR1", got=c.got(krid))
    elif match.group(1) != oid:
        c.add(where, "id", "template_kr_id_objective", id=oid)
    elif krid in seen:
        c.add(where, "id", "template_duplicate_id")
    seen.add(str(krid))
    kind, unit = raw.get("kind"), raw.get("unit")
    if kind not in KINDS:
        c.add(where, "kind", "template_kind", got=c.got(kind), known=", ".join(KINDS))
    if unit not in UNITS:
        c.add(where, "unit", "template_unit", got=c.got(unit), known=", ".join(UNITS))
    elif kind == "milestone" and unit != "done":
        c.add(where, "unit", "template_milestone_unit", got=c.got(unit))
    elif kind in KINDS and kind != "milestone" and unit == "done":
        c.add(where, "unit", "template_done_unit", kind=_a_kind(kind, c.language))
    text = c.localized(raw, where)
    slots = c.slots(raw.get("slots"), where)
    c.slot_usage(text, slots, where)
    names = {s.name for s in slots}
    fixed = raw.get("fixed_target")
    if fixed is not None and (not isinstance(fixed, (int, float)) or isinstance(fixed, bool)):
        c.add(where, "fixed_target", "template_fixed_number", got=c.got(fixed))
    if kind == "milestone" and ("target" in names or fixed is not None):
        c.add(where, "slots.target", "template_milestone_target")
    if kind in KINDS and kind != "milestone" and "target" not in names and fixed is None:
        c.add(where, "slots", "template_needs_target", kind=_a_kind(kind, c.language))
    if "target" in names and fixed is not None:
        c.add(where, "fixed_target", "template_target_twice")
    if text is None or kind not in KINDS or unit not in UNITS:
        return None
    return KeyResultTemplate(
        id=str(krid), kind=kind, unit=unit, text=text, slots=slots,
        fixed_target=float(fixed) if isinstance(fixed, (int, float)) else None,
    )


def check_file(path: Path, builtin: bool = False, language: str = "en") -> tuple[TemplateSet | None, list[str]]:
    """Read and check one template file; the problems are in ``language``."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        return None, [f"{path}: {_unreadable(exc, language)}"]
    except tomllib.TOMLDecodeError as exc:
        place = _TOML_PLACE_RE.search(str(exc))
        if place is None:  # "(at end of document)": a quote, bracket or value left open
            return None, [f"{path}: {say(language, 'template_not_toml_end')}"]
        return None, [f"{path}: {say(language, 'template_not_toml', line=place.group(1), column=place.group(2))}"]
    return check_data(data, path, builtin, language)


def _unreadable(error: OSError, language: str) -> str:
    """Why a template file cannot be read, in ``language`` (the system's own words only for a rare failure)."""
    if isinstance(error, PermissionError):
        return say(language, "template_no_permission")
    if isinstance(error, IsADirectoryError):
        return say(language, "template_is_folder")
    if isinstance(error, FileNotFoundError):
        return say(language, "template_no_file")
    return say(language, "template_unreadable", why=error.strerror or type(error).__name__)


def template_contents(extra_dir: Path | None = None) -> list[list[Any]]:
    """The bytes' SHA-256 of every file in the built-in template folder and in ``extra_dir``, per folder
    (`stamps.folder_contents`): what a plan built from these folders depends on."""
    return [[str(folder), folder_contents(folder)] for folder in (builtin_dir(), *([extra_dir] if extra_dir is not None else []))]


def template_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.toml") if p.is_file())


def check_paths(paths: Iterable[Path], language: str = "en") -> tuple[list[TemplateSet], list[str]]:
    """Check files and folders of template sets, including duplicate keys across files; problems in ``language``."""
    sets: list[TemplateSet] = []
    problems: list[str] = []
    for path in paths:
        files = template_files(path) if path.is_dir() else [path]
        if path.is_dir() and not files:
            problems.append(f"{path}: {say(language, 'template_empty_folder')}")
        for file in files:
            template, found = check_file(file, language=language)
            problems.extend(found)
            if template is not None:
                sets.append(template)
    by_key: dict[str, Path | None] = {}
    for template in sets:
        if template.key in by_key:
            problems.append(f"{template.path}: key: {say(language, 'template_key_taken', got=_got(template.key, language), other=by_key[template.key])}")
        by_key[template.key] = template.path
    return sets, problems


class TemplateLibrary:
    """The built-in template sets plus a company's own (which may not reuse a built-in key).

    ``language`` is the language of its problems and of :meth:`get`'s error.
    """

    def __init__(self, sets: Iterable[TemplateSet], language: str = "en"):
        self._sets = {t.key: t for t in sets}
        self.language = language
        self.contents: list[list[Any]] | None = None  # the folders' contents it was loaded from (`load`, cache on)

    @classmethod
    def load(cls, extra_dir: Path | None = None, language: str = "en") -> TemplateLibrary:
        """The built-in sets and those in ``extra_dir``; with the config cache on, the library knows its folders'
        `template_contents` as they were before it read them (a plan built from it is kept with them)."""
        contents = template_contents(extra_dir) if config_cache.enabled() else None
        sets, problems = check_paths([builtin_dir()], language)
        sets = [TemplateSet(**{**t.__dict__, "builtin": True}) for t in sets]
        if extra_dir is not None:
            if not extra_dir.is_dir():
                problems.append(f"{extra_dir}: {say(language, 'template_dir_not_folder')}")
            else:
                own, own_problems = check_paths([extra_dir], language)
                problems.extend(own_problems)
                builtin_keys = {t.key for t in sets}
                for template in own:
                    if template.key in builtin_keys:
                        problems.append(f"{template.path}: key: {say(language, 'template_key_builtin', got=_got(template.key, language))}")
                sets.extend(TemplateSet(**{**t.__dict__, "builtin": False}) for t in own)
        if problems:
            raise TemplateError(problems, language)
        library = cls(sets, language)
        library.contents = contents
        return library

    def __iter__(self):
        return iter(self._sets.values())

    def __len__(self) -> int:
        return len(self._sets)

    def keys(self) -> list[str]:
        return list(self._sets)

    def get(self, key: str) -> TemplateSet:
        try:
            return self._sets[key]
        except KeyError:
            raise UnknownTemplateError(
                say(self.language, "template_unknown_set", key=key, known=", ".join(sorted(self._sets))), self.language
            ) from None
