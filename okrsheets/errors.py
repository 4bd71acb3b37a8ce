"""The one exception tree of okrsheets.

Library code raises subclasses of :class:`OkrsheetsError`; the CLI turns them
into a clear message and the exit code given by ``exit_code``. Subclasses also
inherit a matching builtin where one fits, so callers that catch ``ValueError``
or ``OSError`` keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okrsheets.core.results import RollupResult


class OkrsheetsError(Exception):
    """Base class of every error okrsheets raises on purpose."""

    exit_code = 1


class ConfigError(OkrsheetsError, ValueError):
    """The config file is missing, unreadable or wrong.

    ``problems`` holds one line per problem, each naming the key path
    (``departments[4] "hr".values."O2.KR1".target``) and what was expected.
    ``draft``, when the config was read but is wrong, is the config as far as
    it could be read (a fallback for each wrong key), so the plan's checks can
    run on it too and one run reports every problem.
    """

    exit_code = 2

    def __init__(self, problems: list[str] | str, source: str | None = None, language: str | None = None,
                 draft: object | None = None):
        from okrsheets.words import count, fallback_language

        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        self.language = language  # the language of the problems: the CLI says "Error:"/"Lỗi:" in it
        self.draft = draft
        head = f"{source}: " if source else ""
        if len(self.problems) == 1:
            message = head + self.problems[0]
        else:
            message = head + f"{count(language or fallback_language(), len(self.problems), 'problem')}:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(message)


class TemplateError(OkrsheetsError, ValueError):
    """A template set file breaks the schema. ``problems`` name file, ID and field, in ``language``."""

    exit_code = 1

    def __init__(self, problems: list[str], language: str | None = None):
        from okrsheets.words import count, fallback_language

        self.problems = list(problems)
        self.language = language  # the language of the problems: the CLI says "Error:"/"Lỗi:" in it
        if len(self.problems) == 1:
            message = self.problems[0]
        else:  # as a ConfigError lists its problems: how many, then one per line
            message = f"{count(language or fallback_language(), len(self.problems), 'problem')}:\n" + "\n".join(
                f"  - {p}" for p in self.problems)
        super().__init__(message)


class UnknownTemplateError(OkrsheetsError, KeyError):
    """No template set has the key asked for; the message, in ``language``, lists the known keys."""

    exit_code = 2

    def __init__(self, message: str, language: str | None = None):
        super().__init__(message)
        self.language = language

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class WorkbookError(OkrsheetsError):
    """A team workbook or summary cannot be written or read as asked.

    ``reason`` says why a workbook could not be read, so the rollup can tell the
    team in the config's language: one of the keys of ``i18n.UNREADABLE``
    ("password", "xls", "ods", "csv", "directory", "permission", "damaged" ...),
    or None.
    """

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


class WorkbookLockedError(WorkbookError):
    """The file is open in Excel or LibreOffice (its lock file is next to it)."""


class DamagedWorkbookError(WorkbookError):
    """A team changed the structure okrsheets relies on."""


class RollupLockedError(OkrsheetsError):
    """Another rollup holds the lock."""

    exit_code = 75  # EX_TEMPFAIL: try again later


class BackendError(OkrsheetsError):
    """Storage (disk or Google) failed in a way the user must act on."""


class NothingReadError(BackendError):
    """A rollup could read no team workbook: nothing is written. ``result`` holds the scores and the data
    issues that say why each workbook could not be read (``rollup --json`` still prints them)."""

    def __init__(self, message: str, result: RollupResult | None = None):
        super().__init__(message)
        self.result = result


class GoogleError(BackendError):
    """Google refused or failed a request; the message says what to do.

    ``reason`` is Google's own word for it when there is one (``invalid_grant``,
    ``storageQuotaExceeded``, ``notFound``, ``PERMISSION_DENIED``...), ``status``
    the HTTP status (0 when Google was not reached).
    """

    def __init__(self, message: str, reason: str | None = None, status: int = 0):
        super().__init__(message)
        self.reason = reason
        self.status = status


class GoogleAuthError(GoogleError):
    """The credentials cannot be used: missing or revoked login, deleted key, delegation not granted."""


class GoogleAccessError(GoogleError):
    """A file or folder is not found, or not shared with the job's identity as it needs."""


class GoogleStorageError(GoogleError):
    """A service account without Drive storage tried to create a file outside a shared drive."""
