"""The starter config ``okrsheets init`` writes: the example company, or one built from a few answers."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from okrsheets.config import DEFAULT_CONFIG_NAME
from okrsheets.errors import OkrsheetsError
from okrsheets.files import atomic_write
from okrsheets.shipped import example_config
from okrsheets.templates import TemplateLibrary
from okrsheets.words import say


def example_config_text() -> str:
    """The shipped example config (a Vietnamese company with every setting explained)."""
    return example_config().read_text(encoding="utf-8")


def starter_config_text(
    company: str, language: str, template_keys: Sequence[str], library: TemplateLibrary, today: date
) -> str:
    """A config for ``company``: this quarter, ``language``, one department per chosen template set.

    Targets are left for the admin to fill in; ``okrsheets check-config``
    lists every one still missing, and ``okrsheets templates show KEY`` the
    key results of each set.
    """
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    lines = [
        "# Written by `okrsheets init`. Every setting is explained in the example config",
        "# (`okrsheets init --example DIR` writes it). Check this file with `okrsheets check-config`.",
        f"company = {_toml_string(company)}",
        f'language = "{language}"              # what people read in the sheets: "vi" or "en"',
        'timezone = "Asia/Ho_Chi_Minh"',
        "",
        "[quarter]",
        f'name = "{quarter}"',
        "",
        "[backend]",
        'kind = "excel"',
        'folder = "okr-data"            # workbooks go to okr-data/<quarter>/<department>.xlsx, next to this file',
        "",
        "[schedule]",
        'run_at = "02:00"               # the nightly rollup, local time in `timezone`',
    ]
    for key in template_keys:
        template = library.get(key)
        lines += [
            "",
            "[[departments]]",
            f"key = {_toml_string(key.replace('_', '-'))}",
            f"name = {_toml_string(template.name(language))}",
            f"template = {_toml_string(key)}",
            "owners = []                    # e-mail addresses of the department's OKR owners",
            f"# values.\"O1.KR1\" = {{ start = 0, target = 10 }}   (`okrsheets templates show {key}` lists the IDs)",
        ]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # a company name that broke the TOML would be a bug here, not the user's problem
    return text


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write_starter(directory: Path, text: str, language: str = "en") -> Path:
    """Write ``text`` as ``directory/okrsheets.toml``; never over an existing file."""
    path = directory / DEFAULT_CONFIG_NAME
    if path.exists():
        raise OkrsheetsError(say(language, "init_exists", path=path))
    if not directory.is_dir():
        if not directory.parent.is_dir():
            raise OkrsheetsError(say(language, "init_no_parent", folder=directory, parent=directory.parent))
        try:
            directory.mkdir()
        except OSError as exc:
            raise OkrsheetsError(say(language, "init_cannot_create", folder=directory, why=exc.strerror)) from None
    try:
        atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as exc:
        raise OkrsheetsError(say(language, "init_cannot_write", path=path, why=exc.strerror)) from None
    return path
