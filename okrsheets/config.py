"""Read the TOML config into typed, immutable objects.

Every problem names its key path and what was expected, in the config's
language (the ``config_*`` entries of :mod:`okrsheets.words`), e.g.
``departments[4] "hr".values."O2.KR1".target: cần một số, nhận được "hai mươi"``
(departments and list items are counted from 1; departments are named by their key).
Every key is checked whatever else is wrong, and the error carries a draft of the
config so the plan's problems can join the list: an admin fixes them in one go.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property
from pathlib import Path
from typing import Any, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from okrsheets.config_cache import ConfigSource
from okrsheets.core.model import COMPANY_OBJECTIVE_ID_RE, KEY_RESULT_ID_RE, LANGUAGES, OBJECTIVE_ID_RE, CompanyObjective
from okrsheets.core.scoring import ScoringSettings
from okrsheets.errors import ConfigError
from okrsheets.files import CONFIG_ENV, DEFAULT_CONFIG_NAME
from okrsheets.shipped import example_config
from okrsheets.words import fallback_language, say

BACKENDS = ("excel", "google")
_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ENV_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@dataclass(frozen=True)
class Quarter:
    name: str
    start: date
    end: date  # last day, inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class ExcelBackendConfig:
    folder: Path


GOOGLE_AUTHS = ("service_account", "user")
KEY_FILE_ENV = "GOOGLE_APPLICATION_CREDENTIALS"  # Google's own variable for a service-account key file
DEFAULT_TOKEN_FILE = "okrsheets-google-token.json"  # beside the config file


@dataclass(frozen=True)
class GoogleBackendConfig:
    """``[backend]`` with ``kind = "google"``: where the sheets live and who the job acts as.

    ``auth = "service_account"`` acts as the key's service account, or as the
    ``impersonate`` user through domain-wide delegation; ``auth = "user"``
    acts as the person who ran ``okrsheets google login``.
    """

    folder_id: str
    auth: str = "service_account"
    service_account_file: Path | None = None
    impersonate: str | None = None
    client_secret_file: Path | None = None
    token_file: Path | None = None
    summary_spreadsheet_id: str | None = None
    share_with_owners: bool = True
    notify_owners: bool = True
    # bounded retries (backends/google/retry.py) and the quota pace (pacing.py): requests per minute
    max_tries: int = 6
    deadline_minutes: float = 120.0
    read_quota_per_user: int = 60
    read_quota_per_project: int = 300
    write_quota_per_user: int = 60
    write_quota_per_project: int = 300


@dataclass(frozen=True)
class EmailConfig:
    enabled: bool = False
    smtp_host: str = "localhost"
    smtp_port: int = 25
    tls: str = "none"  # none | starttls | ssl
    sender: str = ""
    username: str | None = None
    password_env: str = "OKRSHEETS_SMTP_PASSWORD"
    stale_after_days: int = 14


@dataclass(frozen=True)
class KeyResultValues:
    """What the config says about one objective or KR: numbers, weight, slot fillers."""

    start: float | None = None
    target: float | None = None
    weight: float = 1.0
    slots: dict[str, Any] = field(default_factory=dict)
    path: str = ""  # key path, for messages
    aligns_to: str | None = None  # the company objective this objective or KR supports ("C1")
    owner: str | None = None  # a KR's owner (e-mail address)
    carried_from: str | None = None  # the quarter this KR was carried over from, unfinished (``next-quarter``)


@dataclass(frozen=True)
class Department:
    key: str
    name: str
    template: str
    owners: tuple[str, ...] = ()
    weight: float = 1.0
    objectives: tuple[str, ...] | None = None  # a subset of the template's, or all
    key_results: tuple[str, ...] | None = None  # a subset of the chosen objectives' KRs (``next-quarter`` drops finished ones), or all
    values: dict[str, KeyResultValues] = field(default_factory=dict)
    index: int = 0  # position in the config, for messages

    @property
    def path(self) -> str:
        return department_path(self.index, self.key)


@dataclass(frozen=True)
class Config:
    company: str
    quarter: Quarter
    departments: tuple[Department, ...]
    language: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    backend: str = "excel"
    excel: ExcelBackendConfig | None = None
    google: GoogleBackendConfig | None = None
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    run_at: time = time(2, 0)
    templates_dir: Path | None = None
    admin_emails: tuple[str, ...] = ()
    protection_password_env: str = "OKRSHEETS_SHEET_PASSWORD"
    email: EmailConfig = field(default_factory=EmailConfig)
    source: Path | None = None
    company_objectives: tuple[CompanyObjective, ...] = ()

    @property
    def locale(self) -> str:
        return "en_US" if self.language == "en" else "vi_VN"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quarter_folder(self) -> Path:
        """Where the Excel backend keeps this quarter's workbooks."""
        assert self.excel is not None
        return self.excel.folder / safe_file_stem(self.quarter.name)

    @cached_property
    def _departments_by_key(self) -> dict[str, Department]:
        by_key: dict[str, Department] = {}
        for department in self.departments:
            by_key.setdefault(department.key, department)
        return by_key

    def department(self, key: str) -> Department:
        department = self._departments_by_key.get(key)
        if department is not None:
            return department
        raise ConfigError(
            say(self.language, "config_no_such_department", key=key, known=", ".join(d.key for d in self.departments)),
            str(self.source) if self.source else None, self.language,
        )

    def protection_password(self) -> str | None:
        return os.environ.get(self.protection_password_env) or None


def config_warnings(config: Config, environ: Mapping[str, str] | None = None) -> list[str]:
    """What is allowed but probably wrong in the [email] settings, each with its key path, in the config's language.

    A password is only used with a ``username`` (no username: no login), so
    an unset password variable is only worth a warning then.
    """
    environ = os.environ if environ is None else environ
    email = config.email
    warnings = []
    if email.enabled and email.username and not environ.get(email.password_env):
        warnings.append(say(config.language, "config_password_unset", env=email.password_env))
    if email.username and email.tls == "none":
        warnings.append(say(config.language, "config_plaintext"))
    return warnings


_RESERVED_WINDOWS = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_stem(name: str) -> str:
    """A file name part that is valid on Windows, macOS and Linux."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name).strip().rstrip(". ")
    if not cleaned:
        cleaned = "_"
    if cleaned.split(".")[0].upper() in _RESERVED_WINDOWS:
        cleaned = "_" + cleaned
    return cleaned[:120]


def quarter_dates(name: str) -> tuple[date, date] | None:
    match = _QUARTER_RE.match(name)
    if not match:
        return None
    year, q = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def department_path(index: int, key: object = None) -> str:
    """The key path of the ``index``-th (0-based) [[departments]] table as people count: ``departments[2] "sales"``."""
    named = f' "{key}"' if isinstance(key, str) and _KEY_RE.match(key) else ""
    return f"departments[{index + 1}]{named}"


def find_config_path(explicit: str | os.PathLike | None) -> Path:
    """``--config``, then ``$OKRSHEETS_CONFIG``, then ``./okrsheets.toml``."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    candidate = Path(DEFAULT_CONFIG_NAME)
    if candidate.exists():
        return candidate
    raise ConfigError(say(fallback_language(), "config_none", env=CONFIG_ENV, name=DEFAULT_CONFIG_NAME, example=example_config()))


def load_config(path: str | os.PathLike | None = None, language: str | None = None) -> Config:
    """Find, read and check the config; raise :class:`ConfigError` listing every problem.

    ``language`` is the language of the error when the file cannot be read or is not TOML (default: the language of a
    run without a config); the problems of a config that can be read are in its own language.
    """
    config_path = find_config_path(path)
    told = language or fallback_language()
    try:
        with open(config_path, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise ConfigError(say(told, "config_not_found", path=config_path), language=language) from None
    except OSError as exc:
        raise ConfigError(say(told, "config_unreadable", path=config_path, why=exc.strerror), language=language) from None
    source = ConfigSource.of(config_path, content)
    cached = source.cached(_may_reuse) if source is not None else None
    if isinstance(cached, Config):  # the same file, okrsheets and environment as a run that parsed it (config_cache)
        return cached
    try:
        data = tomllib.loads(content.decode())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(say(told, "config_not_toml", why=exc), str(config_path), language) from None
    config = parse_config(data, config_path)
    if source is not None:
        source.remember(config)  # its plan, once built, is kept with it
    return config


def _may_reuse(config: object) -> bool:
    """Whether a cached config is still what :func:`parse_config` would make of its file: what that checks outside
    the file (``templates_dir`` is a folder, the timezone is known, Google's credential files are the right kind)
    is still so."""
    if not isinstance(config, Config):
        return False
    if config.templates_dir is not None and not config.templates_dir.is_dir():
        return False
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    google = config.google
    if google is not None:
        r = _Reader(config.language)
        if google.service_account_file is not None:
            _check_google_json(r, "backend.service_account_file", google.service_account_file, "service_account")
        if google.client_secret_file is not None:
            _check_google_json(r, "backend.client_secret_file", google.client_secret_file, "client_secret")
        if google.token_file is not None and google.token_file.exists():
            _check_google_json(r, "backend.token_file", google.token_file, "authorized_user")
        if r.problems:
            return False
    return True


def show_value(value: Any, language: str) -> str:
    """A config value as a problem quotes it: "text", 12, true, 2026-10-01, or "a table"/"một bảng", "a list"/"một danh sách"."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, time)):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, dict):
        return say(language, "config_a_table")
    if isinstance(value, list):
        return say(language, "config_a_list")
    return repr(value)


def problems_language(data: Mapping[str, Any]) -> str:
    """The language a config's problems are told in: its ``language`` when that reads "vi" or "en" (Vietnamese when
    the key is absent, as for the config itself), else the language of a run without a config (:func:`fallback_language`)."""
    value = data.get("language", "vi")
    if isinstance(value, str) and value.strip() in LANGUAGES:
        return value.strip()
    return fallback_language()


_BARE_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")


def _quote_key(key: str) -> str:
    return key if _BARE_KEY_RE.match(key) else f'"{key}"'


class _Reader:
    """Typed getters that record problems with key paths, in the problems' language, instead of raising."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.problems: list[str] = []

    def problem(self, path: str, key: str, /, **values: object) -> None:
        """``path: <the words entry key, formatted>``, e.g. ``quarter.name: cần một quý như "2026-Q4", nhận được "Q9"``."""
        self.problems.append(f"{path}: {say(self.language, key, **values)}")

    def got(self, value: Any) -> str:
        return show_value(value, self.language)

    def unknown(self, table: dict, allowed: set[str], path: str) -> None:
        for key in sorted(set(table) - allowed):
            self.problem(f"{path}.{_quote_key(key)}" if path else _quote_key(key), "config_unknown_setting",
                         allowed=", ".join(sorted(allowed)))

    def text(self, table: dict, key: str, path: str, default: str | None = None, required: bool = False) -> str | None:
        value = table.get(key, default)
        if value is None:
            if required:
                self.problem(f"{path}.{key}" if path else key, "config_missing_text")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{path}.{key}" if path else key, "config_text", got=self.got(value))
            return default
        return value.strip()

    @overload
    def number(self, table: dict, key: str, path: str, default: float, positive: bool = False) -> float: ...
    @overload
    def number(self, table: dict, key: str, path: str, default: None = None, positive: bool = False) -> float | None: ...
    def number(self, table: dict, key: str, path: str, default: float | None = None, positive: bool = False) -> float | None:
        # a TOML table holds no null, so with a number as default the answer is a number
        value = table.get(key, default)
        if value is None:
            return None
        if (type(value) is float or type(value) is int) and math.isfinite(value) and (value > 0 or not positive):
            return float(value)  # the usual case, told apart without the checks below (a bool is not of type int)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.problem(f"{path}.{key}" if path else key, "config_number", got=self.got(value))
            return default
        if positive and value <= 0:
            self.problem(f"{path}.{key}" if path else key, "config_positive", got=self.got(value))
            return default
        return float(value)

    def flag(self, table: dict, key: str, path: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"{path}.{key}" if path else key, "config_flag", got=self.got(value))
            return default
        return value

    def table(self, table: dict, key: str, path: str) -> dict:
        value = table.get(key, {})
        if not isinstance(value, dict):
            self.problem(f"{path}.{key}" if path else key, "config_table", got=self.got(value))
            return {}
        return value

    def emails(self, table: dict, key: str, path: str) -> tuple[str, ...]:
        value = table.get(key, [])
        full = f"{path}.{key}" if path else key
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(full, "config_emails", got=self.got(value))
            return ()
        good = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not _EMAIL_RE.match(item):
                self.problem(f"{full}[{i + 1}]", "config_email", got=self.got(item))  # counted from 1, as departments[1]
            else:
                good.append(item)
        return tuple(good)

    def env_name(self, table: dict, key: str, path: str, default: str) -> str:
        value = self.text(table, key, path, default) or default
        if not _ENV_RE.match(value):
            self.problem(f"{path}.{key}" if path else key, "config_env_name", got=self.got(value))
        return value


_TOP = {
    "company", "language", "timezone", "templates_dir", "admin_emails", "quarter", "backend",
    "scoring", "schedule", "departments", "protection_password_env", "email", "company_objectives",
}


def parse_config(data: dict, source: Path | None = None) -> Config:
    """Check ``data`` (a parsed TOML config) and return it typed; raise :class:`ConfigError` listing every problem.

    Every key is checked, whatever else is wrong, so one run lists them all, in
    the language of :func:`problems_language`. The error carries a ``draft``: the
    config as far as it could be read (a fallback for each wrong key), so the
    plan's checks can run on it too (:func:`okrsheets.plan.with_plan_problems`).
    """
    r = _Reader(problems_language(data))
    base = source.resolve().parent if source else Path.cwd()
    r.unknown(data, _TOP, "")
    company = r.text(data, "company", "", required=True) or ""
    language = r.text(data, "language", "", "vi") or "vi"
    if language not in LANGUAGES:
        r.problem("language", "config_language", got=r.got(language))
        language = r.language
    timezone = r.text(data, "timezone", "", "Asia/Ho_Chi_Minh") or "Asia/Ho_Chi_Minh"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        r.problem("timezone", "config_timezone", got=r.got(timezone))
        timezone = "Asia/Ho_Chi_Minh"
    templates_dir = _templates_dir(r, data, base)
    admin_emails = r.emails(data, "admin_emails", "")
    protection_password_env = r.env_name(data, "protection_password_env", "", "OKRSHEETS_SHEET_PASSWORD")
    quarter = _parse_quarter(r, data.get("quarter"))
    backend, excel, google = _parse_backend(r, r.table(data, "backend", ""), base)
    scoring = _parse_scoring(r, r.table(data, "scoring", ""))
    run_at = _parse_schedule(r, r.table(data, "schedule", ""))
    email = _parse_email(r, r.table(data, "email", ""))
    departments = _parse_departments(r, data.get("departments"))
    company_objectives = _parse_company_objectives(r, data.get("company_objectives", []))
    _check_alignment(r, company_objectives, departments)
    config = Config(
        company=company,
        quarter=quarter,
        departments=departments,
        language=language,
        timezone=timezone,
        backend=backend,
        excel=excel,
        google=google,
        scoring=scoring,
        run_at=run_at,
        templates_dir=templates_dir,
        admin_emails=admin_emails,
        protection_password_env=protection_password_env,
        email=email,
        source=source,
        company_objectives=company_objectives,
    )
    if r.problems:
        raise ConfigError(r.problems, str(source) if source else None, r.language, draft=config)
    return config


def _templates_dir(r: _Reader, data: dict, base: Path) -> Path | None:
    """``templates_dir``: the company's own template sets, a folder relative to the config file."""
    name = r.text(data, "templates_dir", "")
    if name is None:
        return None
    folder = base / name
    if not folder.is_dir():
        r.problem("templates_dir", "config_templates_dir", path=folder)
    return folder


def _parse_quarter(r: _Reader, raw: Any) -> Quarter:
    fallback = Quarter("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))
    if raw is None:
        r.problem("quarter", "config_quarter_missing")
        return fallback
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, dict):
        r.problem("quarter", "config_quarter_type", got=r.got(raw))
        return fallback
    r.unknown(raw, {"name", "start", "end"}, "quarter")
    name = r.text(raw, "name", "quarter", required=True) or fallback.name
    start, end = raw.get("start"), raw.get("end")
    if start is None and end is None:
        dates = quarter_dates(name)
        if dates is None:
            r.problem("quarter.name", "config_quarter_name", got=r.got(name))
            return fallback
        return Quarter(name, *dates)
    dated = True
    for key, value in (("start", start), ("end", end)):
        if not isinstance(value, date) or hasattr(value, "hour"):
            r.problem(f"quarter.{key}", "config_quarter_date", got=r.got(value))
            dated = False
    if not dated or not isinstance(start, date) or not isinstance(end, date):
        return fallback
    if end <= start:
        r.problem("quarter.end", "config_quarter_end", start=start, end=end)
        return fallback
    return Quarter(name, start, end)


BACKEND_KEYS = {
    "kind", "folder", "folder_id", "summary_spreadsheet_id", "auth", "service_account_file", "impersonate",
    "client_secret_file", "token_file", "share_with_owners", "notify_owners",
    "max_tries", "deadline_minutes", "read_quota_per_user", "read_quota_per_project",
    "write_quota_per_user", "write_quota_per_project",
}
# [backend] keys that pace and bound Google requests: (default, smallest allowed); what each counts is
# the words entry "config_limit_<key>"
GOOGLE_LIMIT_KEYS = {
    "max_tries": (6, 1),
    "read_quota_per_user": (60, 1),
    "read_quota_per_project": (300, 1),
    "write_quota_per_user": (60, 1),
    "write_quota_per_project": (300, 1),
}


def _parse_backend(r: _Reader, raw: dict, base: Path):
    r.unknown(raw, BACKEND_KEYS, "backend")
    kind = r.text(raw, "kind", "backend", "excel") or "excel"
    folder = r.text(raw, "folder", "backend", "okr-data") or "okr-data"  # both backends keep the run's own files there
    excel = ExcelBackendConfig(folder=(base / Path(folder).expanduser()))
    if kind not in BACKENDS:
        r.problem("backend.kind", "config_backend_kind", got=r.got(kind))
        return "excel", excel, None
    google = _parse_google(r, raw, base) if kind == "google" else None
    return kind, excel, google


def _parse_google(r: _Reader, raw: dict, base: Path) -> GoogleBackendConfig | None:
    before = len(r.problems)
    folder_id = r.text(raw, "folder_id", "backend", required=True)
    auth = r.text(raw, "auth", "backend", "service_account") or "service_account"
    if auth not in GOOGLE_AUTHS:
        r.problem("backend.auth", "config_google_auth", got=r.got(auth))
    key_file = client_secret = token_file = impersonate = None
    if auth == "service_account":
        for key in ("client_secret_file", "token_file"):
            if key in raw:
                r.problem(f"backend.{key}", "config_only_user")
        key_text = r.text(raw, "service_account_file", "backend") or os.environ.get(KEY_FILE_ENV) or None
        if key_text is None:
            r.problem("backend.service_account_file", "config_key_file_missing", env=KEY_FILE_ENV)
        else:
            key_file = base / Path(key_text).expanduser()
            _check_google_json(r, "backend.service_account_file", key_file, "service_account")
        impersonate = r.text(raw, "impersonate", "backend")
        if impersonate is not None and not _EMAIL_RE.match(impersonate):
            r.problem("backend.impersonate", "config_impersonate", got=r.got(impersonate))
    elif auth == "user":
        for key in ("service_account_file", "impersonate"):
            if key in raw:
                r.problem(f"backend.{key}", "config_only_service_account")
        secret_text = r.text(raw, "client_secret_file", "backend")
        if secret_text is None:
            r.problem("backend.client_secret_file", "config_client_secret_missing")
        else:
            client_secret = base / Path(secret_text).expanduser()
            _check_google_json(r, "backend.client_secret_file", client_secret, "client_secret")
        token_file = base / Path(r.text(raw, "token_file", "backend", DEFAULT_TOKEN_FILE) or DEFAULT_TOKEN_FILE).expanduser()
        if token_file.exists():
            _check_google_json(r, "backend.token_file", token_file, "authorized_user")
    summary_id = r.text(raw, "summary_spreadsheet_id", "backend")
    share = r.flag(raw, "share_with_owners", "backend", True)
    notify = r.flag(raw, "notify_owners", "backend", True)
    limits = {key: _whole(r, raw, key, *spec) for key, spec in GOOGLE_LIMIT_KEYS.items()}
    deadline = r.number(raw, "deadline_minutes", "backend", 120.0, positive=True) or 120.0
    if len(r.problems) > before or folder_id is None:
        return None
    return GoogleBackendConfig(
        folder_id=folder_id, auth=auth, service_account_file=key_file, impersonate=impersonate,
        client_secret_file=client_secret, token_file=token_file, summary_spreadsheet_id=summary_id,
        share_with_owners=share, notify_owners=notify, deadline_minutes=deadline, **limits,
    )


def _whole(r: _Reader, raw: dict, key: str, default: int, least: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        r.problem(f"backend.{key}", "config_google_limit", what=say(r.language, f"config_limit_{key}"), least=least, got=r.got(value))
        return default
    return value


def google_file_kind(data: object) -> str:
    """What a Google JSON credentials file is: "service_account", "client_secret", "web_client",
    "authorized_user" or "unknown". Only the shape is looked at; no secret is kept or shown."""
    if not isinstance(data, dict):
        return "unknown"
    if data.get("type") == "service_account" and data.get("private_key") and data.get("client_email"):
        return "service_account"
    if data.get("type") in ("authorized_user", None) and data.get("refresh_token") and data.get("client_id"):
        return "authorized_user"
    if isinstance(data.get("installed"), dict) and data["installed"].get("client_id"):
        return "client_secret"
    if isinstance(data.get("web"), dict) and data["web"].get("client_id"):
        return "web_client"
    return "unknown"


def _check_google_json(r: _Reader, key: str, path: Path, expected: str) -> None:
    """A problem when the file is missing, unreadable, not JSON, or the wrong kind of Google file."""
    fix = say(r.language, f"config_google_fix_{expected}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        r.problem(key, "config_google_file_missing", path=path, fix=fix)
        return
    except UnicodeDecodeError:
        r.problem(key, "config_google_file_not_text", path=path, fix=fix)
        return
    except IsADirectoryError:
        r.problem(key, "config_google_file_folder", path=path, fix=fix)
        return
    except PermissionError:
        r.problem(key, "config_google_file_permission", path=path)
        return
    except OSError as exc:
        r.problem(key, "config_google_file_unreadable", path=path, why=exc.strerror or exc.__class__.__name__)
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        r.problem(key, "config_google_file_not_json", path=path, line=exc.lineno, fix=fix)
        return
    found = google_file_kind(data)
    if found == "unknown":
        r.problem(key, "config_google_file_unknown", path=path, expected=say(r.language, f"config_google_{expected}"), fix=fix)
    elif found != expected:
        where = "config_google_web_client" if found == "web_client" else f"config_google_{found}_where"
        r.problem(key, "config_google_file_kind", path=path, found=say(r.language, where),
                  expected=say(r.language, f"config_google_{expected}"), fix=fix)


def _parse_scoring(r: _Reader, raw: dict) -> ScoringSettings:
    """``[scoring]``; the rule for the thresholds is ScoringSettings' own, checked a pair at a time so the problem names the pair."""
    fields = ("red_below", "green_from", "pace_tolerance", "off_track_gap")
    r.unknown(raw, set(fields), "scoring")
    defaults = ScoringSettings()
    values = {f: r.number(raw, f, "scoring", getattr(defaults, f)) for f in fields}
    try:
        return ScoringSettings(**values)
    except ValueError:
        pass
    for pair, key in ((fields[:2], "config_scoring_grades"), (fields[2:], "config_scoring_pace")):
        try:
            ScoringSettings(**{f: values[f] for f in pair})
        except ValueError:
            r.problem("scoring", key, **{f: r.got(raw.get(f, values[f])) for f in pair})
    return defaults


def _parse_schedule(r: _Reader, raw: dict) -> time:
    r.unknown(raw, {"run_at"}, "schedule")
    value = raw.get("run_at", "02:00")
    if isinstance(value, time):
        return value
    if isinstance(value, str) and re.match(r"^([01]?\d|2[0-3]):[0-5]\d$", value.strip()):
        hour, minute = value.strip().split(":")
        return time(int(hour), int(minute))
    r.problem("schedule.run_at", "config_run_at", got=r.got(value))
    return time(2, 0)


def _parse_email(r: _Reader, raw: dict) -> EmailConfig:
    allowed = {"enabled", "smtp_host", "smtp_port", "tls", "sender", "username", "password_env", "stale_after_days"}
    r.unknown({k: v for k, v in raw.items() if k != "password"}, allowed, "email")  # a password is told below
    if "password" in raw:
        r.problem("email.password", "config_email_password")
    enabled = r.flag(raw, "enabled", "email", False)
    port = raw.get("smtp_port", 25)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        r.problem("email.smtp_port", "config_smtp_port", got=r.got(port))
        port = 25
    tls = r.text(raw, "tls", "email", "none") or "none"
    if tls not in ("none", "starttls", "ssl"):
        r.problem("email.tls", "config_tls", got=r.got(tls))
    stale = raw.get("stale_after_days", 14)
    if isinstance(stale, bool) or not isinstance(stale, int) or stale < 1:
        r.problem("email.stale_after_days", "config_stale_days", got=r.got(stale))
        stale = 14
    sender = r.text(raw, "sender", "email") or ""
    if enabled and "sender" not in raw:
        r.problem("email.sender", "config_sender_missing")
    elif enabled and sender and not _EMAIL_RE.match(sender):  # (not text at all: r.text said so)
        r.problem("email.sender", "config_sender", got=r.got(sender))
    return EmailConfig(
        enabled=enabled,
        smtp_host=r.text(raw, "smtp_host", "email", "localhost") or "localhost",
        smtp_port=port,
        tls=tls,
        sender=sender,
        username=r.text(raw, "username", "email"),
        password_env=r.env_name(raw, "password_env", "email", "OKRSHEETS_SMTP_PASSWORD"),
        stale_after_days=stale,
    )


_DEPARTMENT_KEYS = {"key", "name", "template", "owners", "weight", "objectives", "key_results", "values"}


def _parse_departments(r: _Reader, raw: Any) -> tuple[Department, ...]:
    """The [[departments]]. Where a key is wrong the department keeps a fallback that asks the plan's checks
    nothing more about it (no objectives chosen, no numbers), so a wrong key is reported once."""
    if not isinstance(raw, list) or not raw:
        r.problem("departments", "config_no_departments")
        return ()
    departments = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        path = department_path(index, table.get("key") if isinstance(table, dict) else None)
        if not isinstance(table, dict):
            r.problem(path, "config_table", got=r.got(table))
            continue
        r.unknown(table, _DEPARTMENT_KEYS, path)
        key = r.text(table, "key", path, required=True) or f"department-{index}"
        if len(key) > 64:
            r.problem(f"{path}.key", "config_key_too_long", length=len(key), got=r.got(key))
        elif not _KEY_RE.match(key):
            r.problem(f"{path}.key", "config_key_characters", got=r.got(key))
        elif key.lower() in seen:
            r.problem(f"{path}.key", "config_key_duplicate", got=r.got(key))
        seen.add(key.lower())
        objectives = table.get("objectives")
        key_results = table.get("key_results")
        if objectives is not None and (
            not isinstance(objectives, list) or not objectives or not all(isinstance(o, str) for o in objectives)
        ):
            r.problem(f"{path}.objectives", "config_objective_ids", got=r.got(objectives))
            objectives = key_results = None  # (every objective: the listed KRs would leave some without one)
        if key_results is not None and (
            not isinstance(key_results, list) or not key_results or not all(isinstance(k, str) for k in key_results)
        ):
            r.problem(f"{path}.key_results", "config_key_result_ids", got=r.got(key_results))
            key_results = None
        values_raw = r.table(table, "values", path)
        values = {}
        for item_id, item in values_raw.items():
            item_path = f"{path}.values.{_quote_key(item_id)}"
            if not isinstance(item, dict):
                r.problem(item_path, "config_values_table", got=r.got(item))
                continue
            values[item_id] = _parse_values(r, item, item_id, item_path)
        departments.append(
            Department(
                key=key,
                name=r.text(table, "name", path) or key,
                template=r.text(table, "template", path, required=True) or "",
                owners=r.emails(table, "owners", path),
                weight=r.number(table, "weight", path, 1.0, positive=True) or 1.0,
                objectives=tuple(objectives) if objectives else None,
                key_results=tuple(key_results) if key_results else None,
                values=values,
                index=index,
            )
        )
    return tuple(departments)


def _parse_values(r: _Reader, item: dict, item_id: str, path: str) -> KeyResultValues:
    """One ``values."<ID>"`` table: start, target, weight, alignment, owner, and the slots' values."""
    carried_from = r.text(item, "carried_from", path) if "carried_from" in item else None
    if carried_from is not None and not _QUARTER_RE.match(carried_from):
        r.problem(f"{path}.carried_from", "config_carried_from", got=r.got(carried_from))
    slots = {}
    for slot, value in item.items():
        if slot in _NOT_SLOTS:
            continue
        if not isinstance(value, (str, int, float, date)) or isinstance(value, bool):
            r.problem(f"{path}.{slot}", "config_slot_value", got=r.got(value))
            continue
        slots[slot] = value
    before = len(r.problems)
    start, target = r.number(item, "start", path), r.number(item, "target", path)
    if len(r.problems) > before:
        start = target = None  # one of them is wrong: the plan does not compare them
    return KeyResultValues(
        start=start,
        target=target,
        weight=r.number(item, "weight", path, 1.0, positive=True) or 1.0,
        slots=slots,
        path=path,
        aligns_to=r.text(item, "aligns_to", path),
        owner=_kr_owner(r, item, item_id, path),
        carried_from=carried_from,
    )


_ITEM_SETTINGS = ("start", "target", "weight", "aligns_to", "owner")  # the other keys of values."<ID>" fill slots
_NOT_SLOTS = frozenset((*_ITEM_SETTINGS, "carried_from"))
_COMPANY_OBJECTIVE_KEYS = {"id", "text", "weight", "owner"}


def _kr_owner(r: _Reader, item: dict, item_id: str, path: str) -> str | None:
    """A KR's ``owner``: one e-mail address (objectives have none: their department's owners own them)."""
    owner = item.get("owner")
    if owner is None:
        return None
    if OBJECTIVE_ID_RE.match(item_id):
        r.problem(f"{path}.owner", "config_objective_owner", id=item_id)
        return None
    if not isinstance(owner, str) or not _EMAIL_RE.match(owner.strip()):
        r.problem(f"{path}.owner", "config_kr_owner", got=r.got(owner))
        return None
    return owner.strip()


def company_objective_path(index: int, key: object = None) -> str:
    """The key path of the ``index``-th (0-based) [[company_objectives]] table: ``company_objectives[1] "C1"``."""
    named = f' "{key}"' if isinstance(key, str) and _KEY_RE.match(key) else ""
    return f"company_objectives[{index + 1}]{named}"


def _parse_company_objectives(r: _Reader, raw: Any) -> tuple[CompanyObjective, ...]:
    """``[[company_objectives]]``: each with an ``id`` like "C1", its text, a weight (default 1) and an owner."""
    if not isinstance(raw, list):
        r.problem("company_objectives", "config_company_objectives", got=r.got(raw))
        return ()
    objectives = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        path = company_objective_path(index, table.get("id") if isinstance(table, dict) else None)
        if not isinstance(table, dict):
            r.problem(path, "config_table", got=r.got(table))
            continue
        for key in ("aligns_to", "parent"):
            if key in table:
                r.problem(f"{path}.{key}", "config_company_no_parent")
        r.unknown({k: v for k, v in table.items() if k not in ("aligns_to", "parent")}, _COMPANY_OBJECTIVE_KEYS, path)
        objective_id = r.text(table, "id", path, required=True)
        if objective_id is not None and not COMPANY_OBJECTIVE_ID_RE.match(objective_id):
            r.problem(f"{path}.id", "config_company_id", got=r.got(objective_id))
        elif objective_id is not None and objective_id in seen:
            r.problem(f"{path}.id", "config_company_id_duplicate", got=r.got(objective_id))
        seen.add(objective_id or "")
        text = r.text(table, "text", path, required=True)
        owner = r.text(table, "owner", path)
        if owner is not None and not _EMAIL_RE.match(owner):
            r.problem(f"{path}.owner", "config_company_owner", got=r.got(owner))
        objectives.append(CompanyObjective(
            id=objective_id or f"C{index + 1}", text=text or "",
            weight=r.number(table, "weight", path, 1.0, positive=True) or 1.0, owner=owner,
        ))
    return tuple(objectives)


def _check_alignment(r: _Reader, company: tuple[CompanyObjective, ...], departments: tuple[Department, ...]) -> None:
    """Every ``aligns_to`` names a company objective, and no KR is counted twice in the same one.

    A KR whose objective already aligns to the same company objective would count twice in its score.
    """
    known = [c.id for c in company]
    for department in departments:
        for item_id, values in department.values.items():
            target = values.aligns_to
            if target is None:
                continue
            if target not in known:
                if known:
                    r.problem(f"{values.path}.aligns_to", "config_aligns_unknown", id=target, known=", ".join(known))
                else:
                    r.problem(f"{values.path}.aligns_to", "config_aligns_none", id=target)
                continue
            match = KEY_RESULT_ID_RE.match(item_id)
            parent = department.values.get(match.group(1)) if match else None
            if match and parent is not None and parent.aligns_to == target:  # (a parent only with a match)
                r.problem(f"{values.path}.aligns_to", "config_aligns_twice", parent=match.group(1), id=target, kr=item_id)
