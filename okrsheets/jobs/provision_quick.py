"""An unchanged provision re-run, decided before the config is parsed.

A run of the whole plan that leaves every workbook as planned keeps, in the
provision store (`jobs.provision_store`, its ``run``), what its outcome
depended on and what it printed:

- the config file (its resolved path and the SHA-256 of its bytes), read before
  the config was parsed, so an edit made during the run is seen next time;
- okrsheets itself: its version and the size and ``mtime_ns`` of every module
  of the package (a new layout, new lint rules or new words change them);
- the template folders (the built-in one and the config's ``templates_dir``):
  the name and the SHA-256 of the bytes of every file in them (`stamps.folder_contents`,
  as the config cache records them);
- the sheet protection password (Excel's 16-bit hash of it, which the
  workbooks hold anyway) from the environment variable the config names;
- the quarter folder, the closed-quarter record that must not be there, and
  each department's workbook (its version token is in the store's entries);
- what the run printed after the outcomes (the lint count line) and in which
  language.

When all of that is as recorded, and every workbook still has the version
token the store holds for it, provisioning would open nothing, change nothing
and print one "unchanged" line per department: `unchanged_run` gives those
outcomes without parsing the config, building the plan or computing a
fingerprint. Anything else (no record, an edited config, a touched template
or workbook, a password set or changed, a closed quarter, a folder that cannot
be written, another okrsheets) returns None: the normal path decides.

Finding the store needs the quarter folder before the config is parsed: it is
read from the config's head (`toml_head`: its top-level keys and its
``[backend]`` and ``[quarter]`` tables alone), and only trusted when the record
says a full run of this very config text wrote to that folder: a head that
names another folder finds no such record there, and the normal path decides.

This module imports nothing heavy (no config parser, backend or workbook
code): ``okrsheets provision`` runs it before anything else.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okrsheets.files import CONFIG_ENV, DEFAULT_CONFIG_NAME, file_version
from okrsheets.jobs.provision_store import ProvisionOutcome, ProvisionStore
from okrsheets.stamps import code_identity, folder_contents
from okrsheets.toml_head import toml_head

if TYPE_CHECKING:  # (the config module is what the quick re-run must not import)
    from okrsheets.config import Config

RECORD_FORMAT = 2  # bump when what the record holds changes: an older record is then ignored
# A quarter name that is its own folder name (`config.safe_file_stem` changes none of it).
_PLAIN_NAME = re.compile(r"^[0-9][A-Za-z0-9_-]{0,119}$")


@dataclass(frozen=True)
class UnchangedRun:
    """What a re-run with nothing changed prints: one outcome per department, then ``lint_line``."""

    language: str
    outcomes: tuple[ProvisionOutcome, ...]
    lint_line: str


@dataclass
class RunInputs:
    """What a provisioning run's outcome depends on, read before the config is parsed (`read`) and
    after it, before the plan is built (`see_config`)."""

    config: str  # the config file, resolved
    config_sha256: str
    text: str  # the config's text (for the quarter folder)
    code: str  # okrsheets' version and modules
    templates: list[list[Any]] | None = None  # [folder, its files] per template folder
    password: list[Any] | None = None  # [variable name, Excel's hash of its value or None]
    lint_line: str | None = None  # what the command prints after the outcomes

    @classmethod
    def read(cls, config_path: str | os.PathLike | None) -> RunInputs | None:
        """The config file's identity and okrsheets'; None when the file cannot be read (the normal path says why)."""
        path = Path(config_path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_NAME)
        try:
            content = path.read_bytes()
            resolved = path.resolve()
            text = content.decode("utf-8")
        except (OSError, UnicodeDecodeError, RuntimeError):
            return None
        return cls(str(resolved), hashlib.sha256(content).hexdigest(), text, code_identity())

    def see_config(self, config: Config) -> None:
        """Note the template folders and the protection password of the parsed ``config`` (before the plan is built)."""
        from okrsheets.templates import builtin_dir

        folders = [builtin_dir(), *([config.templates_dir] if config.templates_dir is not None else [])]
        self.templates = [[str(folder), folder_contents(folder)] for folder in folders]
        self.password = [config.protection_password_env, _password_hash(os.environ.get(config.protection_password_env))]

    def record(self, config: Config, outcomes: list[ProvisionOutcome], closed: Path) -> dict[str, Any] | None:
        """The store's record of a run of the whole plan that left every workbook as planned (on a quarter
        not closed: ``closed`` is where its record would be), or None when this run cannot be the last word:
        a department not left as planned, inputs not all seen, a Google backend."""
        if (self.templates is None or self.password is None or self.lint_line is None or config.backend != "excel"
                or not all(o.action in ("created", "updated", "unchanged", "forced") for o in outcomes)):
            return None
        return {
            "format": RECORD_FORMAT,
            "inputs": self.key(),
            "templates": self.templates,
            "password": self.password,
            "quarter_folder": str(config.quarter_folder),
            "closed": str(closed),
            "language": config.language,
            "departments": [[o.department, o.location] for o in outcomes],
            "lint_line": self.lint_line,
        }

    def key(self) -> list[str]:
        return [self.config, self.config_sha256, self.code]

    def unchanged(self) -> UnchangedRun | None:
        """The outcomes of this run if nothing changed since the recorded one (see the module's doc), else None."""
        folder = _quarter_folder(self.text, Path(self.config))
        if folder is None:
            return None
        store = ProvisionStore.read(folder)
        run = store.run
        try:
            if (run is None or run.get("format") != RECORD_FORMAT or run.get("inputs") != self.key()
                    or run.get("quarter_folder") != str(folder) or os.path.lexists(run["closed"])
                    or not os.access(folder, os.W_OK | os.X_OK)
                    or any(folder_contents(Path(templates)) != files for templates, files in run["templates"])):
                return None
            name, hashed = run["password"]
            if _password_hash(os.environ.get(name)) != hashed:
                return None
            language, lint_line = run["language"], run["lint_line"]
            if not isinstance(language, str) or not isinstance(lint_line, str):
                return None
            outcomes = []
            for key, location in run["departments"]:
                entry = store.entries.get(key)
                if entry is None or not isinstance(location, str) or entry[0] != file_version(location):
                    return None
                outcomes.append(ProvisionOutcome(key, location, "unchanged"))
            return UnchangedRun(language, tuple(outcomes), lint_line)
        except (KeyError, TypeError, ValueError):  # a record of another shape: the normal path decides
            return None


def unchanged_run(config_path: str | os.PathLike | None) -> UnchangedRun | None:
    """The outcomes of ``okrsheets provision`` (the whole plan, no options) when nothing changed since
    the last run, found without parsing the config; None when the normal path must decide."""
    inputs = RunInputs.read(config_path)
    return inputs.unchanged() if inputs is not None else None


def _quarter_folder(text: str, config: Path) -> Path | None:
    """Where the config's quarter folder is, from its head (`toml_head`: the top-level keys and the
    [backend] and [quarter] tables, as `config.parse_config` reads them); None when that cannot be told so."""
    data = toml_head(text, ("backend", "quarter"))
    if data is None:
        return None
    backend, quarter = data.get("backend", {}), data.get("quarter")
    folder = backend.get("folder", "okr-data") if isinstance(backend, dict) else None
    name = quarter.get("name") if isinstance(quarter, dict) else quarter
    if not isinstance(folder, str) or not folder.strip() or not isinstance(name, str) or not _PLAIN_NAME.match(name.strip()):
        return None
    return config.parent / Path(folder.strip()).expanduser() / name.strip()


def _password_hash(password: str | None) -> str | None:
    """The hash Excel keeps of a sheet protection password (`excel_password_hash`), None without one."""
    return excel_password_hash(password) if password else None


def excel_password_hash(password: str) -> str:
    """Excel's legacy 16-bit hash of a sheet protection password, as every protected workbook holds it
    (and as openpyxl's ``hash_password`` makes it: a test compares the two). Computed here because
    importing openpyxl takes longer than the whole quick re-run; and it tells no more than the workbooks do."""
    hashed = 0
    for index, char in enumerate(password, 1):
        value = ord(char) << index
        hashed ^= (value & 0x7FFF) | (value >> 15)
    return f"{hashed ^ len(password) ^ 0xCE4B:X}"
