"""Read the TOML config into typed, immutable objects.

Every problem names its key path and what was expected, e.g.
``departments[4] "hr".values."O2.KR1".target: expected a number, got "hai mươi"``
(departments are counted from 1 and named by their key).
All problems are collected before raising, so an admin fixes them in one go.
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

from okrsheets.core.model import COMPANY_OBJECTIVE_ID_RE, KEY_RESULT_ID_RE, LANGUAGES, OBJECTIVE_ID_RE, CompanyObjective
from okrsheets.core.scoring import ScoringSettings
from okrsheets.errors import ConfigError
from okrsheets.shipped import example_config
from okrsheets.words import fallback_language, say

CONFIG_ENV = "OKRSHEETS_CONFIG"
DEFAULT_CONFIG_NAME = "okrsheets.toml"
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
            f"--department {key}: no such department; known: {', '.join(d.key for d in self.departments)}",
            str(self.source) if self.source else None,
        )

    def protection_password(self) -> str | None:
        return os.environ.get(self.protection_password_env) or None


_CONFIG_WARNINGS = {
    "vi": {
        "password_unset": "email.password_env: e-mail đang bật và có username nhưng biến môi trường {env} chưa được đặt ở đây:"
                          " máy chủ SMTP sẽ từ chối đăng nhập và không ai nhận e-mail; đặt {env} trong môi trường của tác vụ hằng đêm"
                          " (vd. /etc/okrsheets/okrsheets.env)",
        "plaintext": "email.tls: username được đặt với tls = \"none\": mật khẩu SMTP đi qua mạng không mã hóa;"
                     " dùng tls = \"starttls\" (cổng 587) hoặc \"ssl\" (cổng 465)",
    },
    "en": {
        "password_unset": "email.password_env: e-mail is enabled with a username but the environment variable {env} is not set here:"
                          " the SMTP server will refuse the login and nobody gets e-mail; set {env} in the nightly job's environment"
                          " (e.g. /etc/okrsheets/okrsheets.env)",
        "plaintext": "email.tls: username is set with tls = \"none\": the SMTP password crosses the network unencrypted;"
                     " use tls = \"starttls\" (port 587) or \"ssl\" (port 465)",
    },
}


def config_warnings(config: Config, environ: Mapping[str, str] | None = None) -> list[str]:
    """What is allowed but probably wrong in the [email] settings, each with its key path, in the config's language.

    A password is only used with a ``username`` (no username: no login), so
    an unset password variable is only worth a warning then.
    """
    environ = os.environ if environ is None else environ
    words = _CONFIG_WARNINGS["en" if config.language == "en" else "vi"]
    email = config.email
    warnings = []
    if email.enabled and email.username and not environ.get(email.password_env):
        warnings.append(words["password_unset"].format(env=email.password_env))
    if email.username and email.tls == "none":
        warnings.append(words["plaintext"])
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


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Find, read and check the config; raise :class:`ConfigError` listing every problem."""
    config_path = find_config_path(path)
    try:
        with open(config_path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(say(fallback_language(), "config_not_found", path=config_path)) from None
    except OSError as exc:
        raise ConfigError(say(fallback_language(), "config_unreadable", path=config_path, why=exc.strerror)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(say(fallback_language(), "config_not_toml", why=exc), str(config_path)) from None
    return parse_config(data, config_path)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_BARE_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")


def _quote_key(key: str) -> str:
    return key if _BARE_KEY_RE.match(key) else f'"{key}"'


class _Reader:
    """Typed getters that record problems with key paths instead of raising."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, what: str) -> None:
        self.problems.append(f"{path}: {what}")

    def unknown(self, table: dict, allowed: set[str], path: str) -> None:
        for key in sorted(set(table) - allowed):
            self.problem(
                f"{path}.{_quote_key(key)}" if path else _quote_key(key),
                f"unknown setting (expected one of: {', '.join(sorted(allowed))})",
            )

    def text(self, table: dict, key: str, path: str, default: str | None = None, required: bool = False) -> str | None:
        value = table.get(key, default)
        full = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.problem(full, "missing; expected text")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(full, f"expected text, got {_describe(value)}")
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
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.problem(f"{path}.{key}" if path else key, f"expected a number, got {_describe(value)}")
            return default
        if positive and value <= 0:
            self.problem(f"{path}.{key}" if path else key, f"expected a number greater than 0, got {value}")
            return default
        return float(value)

    def table(self, table: dict, key: str, path: str) -> dict:
        value = table.get(key, {})
        if not isinstance(value, dict):
            self.problem(f"{path}.{key}" if path else key, f"expected a table, got {_describe(value)}")
            return {}
        return value

    def emails(self, table: dict, key: str, path: str) -> tuple[str, ...]:
        value = table.get(key, [])
        full = f"{path}.{key}" if path else key
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(full, f"expected a list of e-mail addresses, got {_describe(value)}")
            return ()
        good = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not _EMAIL_RE.match(item):
                self.problem(f"{full}[{i}]", f"expected an e-mail address, got {_describe(item)}")
            else:
                good.append(item)
        return tuple(good)

    def env_name(self, table: dict, key: str, path: str, default: str) -> str:
        value = self.text(table, key, path, default) or default
        if not _ENV_RE.match(value):
            self.problem(
                f"{path}.{key}" if path else key,
                f"expected the NAME of an environment variable (like OKRSHEETS_SHEET_PASSWORD), got {_describe(value)};"
                " secrets never go in the config file",
            )
        return value


_TOP = {
    "company", "language", "timezone", "templates_dir", "admin_emails", "quarter", "backend",
    "scoring", "schedule", "departments", "protection_password_env", "email", "company_objectives",
}


def parse_config(data: dict, source: Path | None = None) -> Config:
    r = _Reader()
    base = source.resolve().parent if source else Path.cwd()
    r.unknown(data, _TOP, "")
    company = r.text(data, "company", "", required=True) or ""
    language = r.text(data, "language", "", "vi") or "vi"
    if language not in LANGUAGES:
        r.problem("language", f'expected "vi" or "en", got {_describe(language)}')
        language = "vi"
    timezone = r.text(data, "timezone", "", "Asia/Ho_Chi_Minh") or "Asia/Ho_Chi_Minh"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        r.problem("timezone", f'unknown timezone {_describe(timezone)}; expected an IANA name like "Asia/Ho_Chi_Minh"')
        timezone = "Asia/Ho_Chi_Minh"
    templates_dir = r.text(data, "templates_dir", "")
    quarter = _parse_quarter(r, data.get("quarter"))
    backend, excel, google = _parse_backend(r, r.table(data, "backend", ""), base)
    scoring = _parse_scoring(r, r.table(data, "scoring", ""))
    run_at = _parse_schedule(r, r.table(data, "schedule", ""))
    email = _parse_email(r, r.table(data, "email", ""))
    departments = _parse_departments(r, data.get("departments"))
    company_objectives = _parse_company_objectives(r, data.get("company_objectives", []))
    _check_alignment(r, company_objectives, departments)
    config = None
    if not r.problems:
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
            templates_dir=(base / templates_dir) if templates_dir else None,
            admin_emails=r.emails(data, "admin_emails", ""),
            protection_password_env=r.env_name(data, "protection_password_env", "", "OKRSHEETS_SHEET_PASSWORD"),
            email=email,
            source=source,
            company_objectives=company_objectives,
        )
    if r.problems or config is None:  # config is None only when there were problems
        read = data.get("language")  # the messages follow the config's language when it could be read
        raise ConfigError(r.problems, str(source) if source else None, read if read in LANGUAGES else None)
    return config


def _parse_quarter(r: _Reader, raw: Any) -> Quarter:
    fallback = Quarter("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))
    if raw is None:
        r.problem("quarter", 'missing; expected a table like [quarter] name = "2026-Q4"')
        return fallback
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, dict):
        r.problem("quarter", f'expected "2026-Q4" or a table with name, start and end, got {_describe(raw)}')
        return fallback
    r.unknown(raw, {"name", "start", "end"}, "quarter")
    name = r.text(raw, "name", "quarter", required=True) or fallback.name
    start, end = raw.get("start"), raw.get("end")
    if start is None and end is None:
        dates = quarter_dates(name)
        if dates is None:
            r.problem("quarter.name", f'expected a quarter like "2026-Q4" (or give start and end dates), got {_describe(name)}')
            return fallback
        return Quarter(name, *dates)
    for key, value in (("start", start), ("end", end)):
        if not isinstance(value, date) or hasattr(value, "hour"):
            r.problem(f"quarter.{key}", f"expected a date like 2026-10-01 (no quotes), got {_describe(value)}")
    if r.problems or not isinstance(start, date) or not isinstance(end, date):
        return fallback
    if end <= start:
        r.problem("quarter.end", f"must be after quarter.start ({start}), got {end}")
        return fallback
    return Quarter(name, start, end)


BACKEND_KEYS = {
    "kind", "folder", "folder_id", "summary_spreadsheet_id", "auth", "service_account_file", "impersonate",
    "client_secret_file", "token_file", "share_with_owners", "notify_owners",
    "max_tries", "deadline_minutes", "read_quota_per_user", "read_quota_per_project",
    "write_quota_per_user", "write_quota_per_project",
}
# [backend] keys that pace and bound Google requests: (default, smallest allowed, what it counts)
GOOGLE_LIMIT_KEYS = {
    "max_tries": (6, 1, "tries of one request before giving up on it"),
    "read_quota_per_user": (60, 1, "Sheets read requests a minute (Google's default quota: 60)"),
    "read_quota_per_project": (300, 1, "Sheets read requests a minute (Google's default quota: 300)"),
    "write_quota_per_user": (60, 1, "Sheets write requests a minute (Google's default quota: 60)"),
    "write_quota_per_project": (300, 1, "Sheets write requests a minute (Google's default quota: 300)"),
}


def _parse_backend(r: _Reader, raw: dict, base: Path):
    r.unknown(raw, BACKEND_KEYS, "backend")
    kind = r.text(raw, "kind", "backend", "excel") or "excel"
    if kind not in BACKENDS:
        r.problem("backend.kind", f'expected "excel" or "google", got {_describe(kind)}')
        return "excel", None, None
    folder = r.text(raw, "folder", "backend", "okr-data") or "okr-data"
    excel = ExcelBackendConfig(folder=(base / Path(folder).expanduser()))
    google = _parse_google(r, raw, base) if kind == "google" else None
    return kind, excel, google


def _flag(r: _Reader, raw: dict, key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        r.problem(f"backend.{key}", f"expected true or false, got {_describe(value)}")
        return default
    return value


def _parse_google(r: _Reader, raw: dict, base: Path) -> GoogleBackendConfig | None:
    before = len(r.problems)
    folder_id = r.text(raw, "folder_id", "backend", required=True)
    auth = r.text(raw, "auth", "backend", "service_account") or "service_account"
    if auth not in GOOGLE_AUTHS:
        r.problem("backend.auth", f'expected "service_account" or "user", got {_describe(auth)}')
    key_file = client_secret = token_file = impersonate = None
    if auth == "service_account":
        for key in ("client_secret_file", "token_file"):
            if key in raw:
                r.problem(f"backend.{key}", 'only used with auth = "user"; remove it, or set auth = "user"')
        key_text = r.text(raw, "service_account_file", "backend") or os.environ.get(KEY_FILE_ENV) or None
        if key_text is None:
            r.problem(
                "backend.service_account_file",
                f"missing; expected the path of the service account's JSON key file (or set {KEY_FILE_ENV});"
                ' for a personal Google account set auth = "user" instead',
            )
        else:
            key_file = base / Path(key_text).expanduser()
            _check_google_json(r, "backend.service_account_file", key_file, "service_account")
        impersonate = r.text(raw, "impersonate", "backend")
        if impersonate is not None and not _EMAIL_RE.match(impersonate):
            r.problem("backend.impersonate", f"expected the e-mail address of a user of your Google Workspace domain, got {_describe(impersonate)}")
    elif auth == "user":
        for key in ("service_account_file", "impersonate"):
            if key in raw:
                r.problem(f"backend.{key}", 'only used with auth = "service_account"; remove it, or set auth = "service_account"')
        secret_text = r.text(raw, "client_secret_file", "backend")
        if secret_text is None:
            r.problem(
                "backend.client_secret_file",
                'missing; expected the path of the OAuth client JSON (type "Desktop app") downloaded from the Google Cloud console',
            )
        else:
            client_secret = base / Path(secret_text).expanduser()
            _check_google_json(r, "backend.client_secret_file", client_secret, "client_secret")
        token_file = base / Path(r.text(raw, "token_file", "backend", DEFAULT_TOKEN_FILE) or DEFAULT_TOKEN_FILE).expanduser()
        if token_file.exists():
            _check_google_json(r, "backend.token_file", token_file, "authorized_user")
    summary_id = r.text(raw, "summary_spreadsheet_id", "backend")
    share = _flag(r, raw, "share_with_owners", True)
    notify = _flag(r, raw, "notify_owners", True)
    limits = {key: _whole(r, raw, key, *spec) for key, spec in GOOGLE_LIMIT_KEYS.items()}
    deadline = r.number(raw, "deadline_minutes", "backend", 120.0, positive=True) or 120.0
    if len(r.problems) > before or folder_id is None:
        return None
    return GoogleBackendConfig(
        folder_id=folder_id, auth=auth, service_account_file=key_file, impersonate=impersonate,
        client_secret_file=client_secret, token_file=token_file, summary_spreadsheet_id=summary_id,
        share_with_owners=share, notify_owners=notify, deadline_minutes=deadline, **limits,
    )


def _whole(r: _Reader, raw: dict, key: str, default: int, least: int, what: str) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        r.problem(f"backend.{key}", f"expected a whole number of {what}, at least {least}, got {_describe(value)}")
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


_GOOGLE_FILE_WORDS = {
    "service_account": "a service-account key (set it as service_account_file, with auth = \"service_account\")",
    "client_secret": "an OAuth client secret of a desktop app (set it as client_secret_file, with auth = \"user\")",
    "web_client": "an OAuth client of type \"Web application\"; okrsheets needs one of type \"Desktop app\"",
    "authorized_user": "a saved login made by `okrsheets google login` (it belongs in token_file, with auth = \"user\")",
    "unknown": "not a Google credentials file",
}
_GOOGLE_FILE_FIX = {
    "service_account": "in the Google Cloud console open IAM & Admin > Service accounts > your account > Keys > Add key > JSON",
    "client_secret": "in the Google Cloud console open APIs & Services > Credentials > Create credentials > OAuth client ID > Desktop app, then Download JSON",
    "authorized_user": "delete it and run `okrsheets google login` again",
}


def _check_google_json(r: _Reader, key: str, path: Path, expected: str) -> None:
    """A problem when the file is missing, unreadable, not JSON, or the wrong kind of Google file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        r.problem(key, f"file not found: {path}; {_GOOGLE_FILE_FIX[expected]}")
        return
    except (OSError, UnicodeDecodeError) as exc:
        r.problem(key, f"cannot read {path}: {getattr(exc, 'strerror', None) or exc.__class__.__name__}")
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        r.problem(key, f"{path} is not valid JSON (line {exc.lineno}); {_GOOGLE_FILE_FIX[expected]}")
        return
    found = google_file_kind(data)
    if found != expected:
        r.problem(key, f"{path} is {_GOOGLE_FILE_WORDS[found]}, not {_GOOGLE_FILE_WORDS[expected].split(' (')[0]}; {_GOOGLE_FILE_FIX[expected]}")


def _parse_scoring(r: _Reader, raw: dict) -> ScoringSettings:
    fields = ("red_below", "green_from", "pace_tolerance", "off_track_gap")
    r.unknown(raw, set(fields), "scoring")
    defaults = ScoringSettings()
    values = {f: r.number(raw, f, "scoring", getattr(defaults, f)) for f in fields}
    try:
        return ScoringSettings(**values)
    except ValueError as exc:
        r.problem("scoring", str(exc))
        return defaults


def _parse_schedule(r: _Reader, raw: dict) -> time:
    r.unknown(raw, {"run_at"}, "schedule")
    value = raw.get("run_at", "02:00")
    if isinstance(value, time):
        return value
    if isinstance(value, str) and re.match(r"^([01]?\d|2[0-3]):[0-5]\d$", value.strip()):
        hour, minute = value.strip().split(":")
        return time(int(hour), int(minute))
    r.problem("schedule.run_at", f'expected a local time like "02:00", got {_describe(value)}')
    return time(2, 0)


def _parse_email(r: _Reader, raw: dict) -> EmailConfig:
    allowed = {"enabled", "smtp_host", "smtp_port", "tls", "sender", "username", "password_env", "stale_after_days"}
    r.unknown(raw, allowed, "email")
    if "password" in raw:
        r.problem("email.password", "passwords never go in the config file; set password_env to the name of an environment variable")
    enabled = raw.get("enabled", False)
    if not isinstance(enabled, bool):
        r.problem("email.enabled", f"expected true or false, got {_describe(enabled)}")
        enabled = False
    port = raw.get("smtp_port", 25)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        r.problem("email.smtp_port", f"expected a port number, got {_describe(port)}")
        port = 25
    tls = r.text(raw, "tls", "email", "none") or "none"
    if tls not in ("none", "starttls", "ssl"):
        r.problem("email.tls", f'expected "none", "starttls" or "ssl", got {_describe(tls)}')
    stale = raw.get("stale_after_days", 14)
    if isinstance(stale, bool) or not isinstance(stale, int) or stale < 1:
        r.problem("email.stale_after_days", f"expected a whole number of days >= 1, got {_describe(stale)}")
        stale = 14
    sender = r.text(raw, "sender", "email") or ""
    if enabled and not _EMAIL_RE.match(sender):
        r.problem("email.sender", f"expected the sender's e-mail address, got {_describe(sender)}")
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
    if not isinstance(raw, list) or not raw:
        r.problem("departments", "expected at least one [[departments]] table")
        return ()
    departments = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        path = department_path(index, table.get("key") if isinstance(table, dict) else None)
        if not isinstance(table, dict):
            r.problem(path, f"expected a table, got {_describe(table)}")
            continue
        r.unknown(table, _DEPARTMENT_KEYS, path)
        key = r.text(table, "key", path, required=True) or f"department-{index}"
        if len(key) > 64:
            r.problem(f"{path}.key", f"at most 64 characters (it names the workbook file), got {len(key)}: {_describe(key)}")
        elif not _KEY_RE.match(key):
            r.problem(f"{path}.key", f"expected letters, digits, _ and - (it names the file), got {_describe(key)}")
        elif key.lower() in seen:
            r.problem(f"{path}.key", f"duplicate department key {_describe(key)}")
        seen.add(key.lower())
        objectives = table.get("objectives")
        if objectives is not None and (
            not isinstance(objectives, list) or not objectives or not all(isinstance(o, str) for o in objectives)
        ):
            r.problem(f"{path}.objectives", f'expected a list of objective IDs like ["O1", "O3"], got {_describe(objectives)}')
            objectives = None
        key_results = table.get("key_results")
        if key_results is not None and (
            not isinstance(key_results, list) or not key_results or not all(isinstance(k, str) for k in key_results)
        ):
            r.problem(f"{path}.key_results", f'expected a list of KR IDs like ["O1.KR1", "O2.KR3"], got {_describe(key_results)}')
            key_results = None
        values_raw = r.table(table, "values", path)
        values = {}
        for item_id, item in values_raw.items():
            item_path = f"{path}.values.{_quote_key(item_id)}"
            if not isinstance(item, dict):
                r.problem(item_path, f"expected a table of start, target, weight and slot values, got {_describe(item)}")
                continue
            slots = {}
            carried_from = r.text(item, "carried_from", item_path)
            if carried_from is not None and not _QUARTER_RE.match(carried_from):
                r.problem(f"{item_path}.carried_from", f'expected a quarter like "2026-Q4", got {_describe(carried_from)}')
            for slot, value in item.items():
                if slot in _ITEM_SETTINGS:
                    continue
                if slot == "carried_from":
                    continue
                if not isinstance(value, (str, int, float, date)) or isinstance(value, bool):
                    r.problem(f"{item_path}.{slot}", f"expected text, a number or a date, got {_describe(value)}")
                slots[slot] = value
            values[item_id] = KeyResultValues(
                start=r.number(item, "start", item_path),
                target=r.number(item, "target", item_path),
                weight=r.number(item, "weight", item_path, 1.0, positive=True) or 1.0,
                slots=slots,
                path=item_path,
                aligns_to=r.text(item, "aligns_to", item_path),
                owner=_kr_owner(r, item, item_id, item_path),
                carried_from=carried_from,
            )
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


_ITEM_SETTINGS = ("start", "target", "weight", "aligns_to", "owner")  # the other keys of values."<ID>" fill slots
_COMPANY_OBJECTIVE_KEYS = {"id", "text", "weight", "owner"}


def _kr_owner(r: _Reader, item: dict, item_id: str, path: str) -> str | None:
    """A KR's ``owner``: one e-mail address (objectives have none: their department's owners own them)."""
    owner = item.get("owner")
    if owner is None:
        return None
    if OBJECTIVE_ID_RE.match(item_id):
        r.problem(f"{path}.owner", f'an objective has no owner of its own (the department\'s owners own it); set owner on one of its KRs, like "{item_id}.KR1"')
        return None
    if not isinstance(owner, str) or not _EMAIL_RE.match(owner.strip()):
        r.problem(f"{path}.owner", f"expected one e-mail address (the person who owns this KR), got {_describe(owner)}")
        return None
    return owner.strip()


def company_objective_path(index: int, key: object = None) -> str:
    """The key path of the ``index``-th (0-based) [[company_objectives]] table: ``company_objectives[1] "C1"``."""
    named = f' "{key}"' if isinstance(key, str) and _KEY_RE.match(key) else ""
    return f"company_objectives[{index + 1}]{named}"


def _parse_company_objectives(r: _Reader, raw: Any) -> tuple[CompanyObjective, ...]:
    """``[[company_objectives]]``: each with an ``id`` like "C1", its text, a weight (default 1) and an owner."""
    if not isinstance(raw, list):
        r.problem("company_objectives", f'expected [[company_objectives]] tables (id = "C1", text = ...), got {_describe(raw)}')
        return ()
    objectives = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        path = company_objective_path(index, table.get("id") if isinstance(table, dict) else None)
        if not isinstance(table, dict):
            r.problem(path, f"expected a table, got {_describe(table)}")
            continue
        for key in ("aligns_to", "parent"):
            if key in table:
                r.problem(f"{path}.{key}", "company objectives do not align to each other: departments' objectives and KRs"
                          " align to company objectives (one level, so there are no cycles); remove it")
        r.unknown({k: v for k, v in table.items() if k not in ("aligns_to", "parent")}, _COMPANY_OBJECTIVE_KEYS, path)
        objective_id = r.text(table, "id", path, required=True)
        if objective_id is not None and not COMPANY_OBJECTIVE_ID_RE.match(objective_id):
            r.problem(f"{path}.id", f'expected an ID like "C1" (C and a number, to tell it from a department\'s "O1"), got {_describe(objective_id)}')
        elif objective_id is not None and objective_id in seen:
            r.problem(f"{path}.id", f"duplicate company objective ID {_describe(objective_id)}")
        seen.add(objective_id or "")
        text = r.text(table, "text", path, required=True)
        owner = r.text(table, "owner", path)
        if owner is not None and not _EMAIL_RE.match(owner):
            r.problem(f"{path}.owner", f"expected one e-mail address, got {_describe(owner)}")
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
                    why = f'no company objective "{target}"; known: {", ".join(known)} (fix the ID, or add it to [[company_objectives]])'
                else:
                    why = f'no company objective "{target}": the config has no [[company_objectives]]; add one with id = "{target}", or remove aligns_to'
                r.problem(f"{values.path}.aligns_to", why)
                continue
            match = KEY_RESULT_ID_RE.match(item_id)
            parent = department.values.get(match.group(1)) if match else None
            if match and parent is not None and parent.aligns_to == target:  # (a parent only with a match)
                r.problem(f"{values.path}.aligns_to", f'{match.group(1)} already aligns to "{target}" and counts all its KRs there;'
                          f" remove aligns_to from {item_id} (or point it at another company objective)")
