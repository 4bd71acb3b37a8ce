"""Google's answers, turned into okrsheets errors that say what to do.

:func:`explain` takes what google-auth, gspread or requests raised and returns
a :class:`~okrsheets.errors.GoogleError` subclass whose message names the file
or the address involved and the fix, in the config's language:

* ``invalid_grant`` on a saved login: run ``okrsheets google login`` again;
* ``unauthorized_client`` with ``impersonate``: the admin must grant
  domain-wide delegation for the client ID and scopes;
* 403 ``storageQuotaExceeded``: a service account has no Drive storage
  outside a shared drive: use a shared drive, ``impersonate`` or ``auth = "user"``;
* 404: not found or not shared with the job's address; 403: not shared as Editor;
* 400 ``FAILED_PRECONDITION`` on a file that is no Google spreadsheet (an uploaded .xlsx);
* 429 and 5xx: Google's side, try again later.
"""

from __future__ import annotations

from typing import Any

from okrsheets.backends.google import endpoint
from okrsheets.backends.google.words import say
from okrsheets.config import GoogleBackendConfig
from okrsheets.errors import GoogleAccessError, GoogleAuthError, GoogleError, GoogleStorageError

SCOPES_TEXT = "https://www.googleapis.com/auth/spreadsheets,https://www.googleapis.com/auth/drive"
QUOTA_REASONS = {"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED"}
DISABLED_REASONS = {"accessNotConfigured", "SERVICE_DISABLED"}


def _oauth_error(exc: Exception) -> tuple[str, str]:
    """``(error, description)`` of a google-auth RefreshError, from Google's JSON answer."""
    data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
    error = str(data.get("error") or "")
    description = str(data.get("error_description") or "")
    if not error and exc.args:
        error = str(exc.args[0]).split(":")[0].strip()
    return error, description


def _reason(error: dict[str, Any]) -> str:
    """Google's reason word: Drive's ``errors[0].reason`` or Sheets' ``ErrorInfo.reason``, else the status."""
    for item in error.get("errors") or []:
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("reason"):
            return str(detail["reason"])
    return str(error.get("status") or "")


def explain(
    exc: BaseException,
    language: str = "vi",
    *,
    google: GoogleBackendConfig | None = None,
    identity: str | None = None,
    what: str = "what_file",
    file_id: str = "",
    key: str = "folder_id",
) -> GoogleError:
    """The okrsheets error for ``exc``; ``identity`` is the address the job runs as, ``what``
    a word key (``what_folder``, ``what_summary``, ``what_file``) for the file ``file_id``,
    ``key`` the ``[backend]`` setting that names it."""
    import requests
    from google.auth import exceptions as auth_exceptions
    from gspread.exceptions import APIError

    if isinstance(exc, GoogleError):
        return exc
    email = identity or (google.impersonate if google and google.impersonate else None) or "?"
    if isinstance(exc, auth_exceptions.RefreshError):
        error, description = _oauth_error(exc)
        if error == "invalid_grant" and google is not None and google.auth == "user":
            return GoogleAuthError(say(language, "revoked"), error, 400)
        if error == "unauthorized_client" and google is not None and google.impersonate:
            client_id = _client_id(google)
            return GoogleAuthError(
                say(language, "delegation_denied", user=google.impersonate, client_id=client_id, scopes=SCOPES_TEXT), error, 401
            )
        if error == "invalid_client" and google is not None and google.client_secret_file is not None:
            return GoogleAuthError(say(language, "client_rejected", path=google.client_secret_file), error, 401)
        path = (google.service_account_file or google.token_file) if google else "?"
        return GoogleAuthError(say(language, "key_rejected", path=path, why=f"{error}: {description}".strip(": ")), error or None, 400)
    if isinstance(exc, (auth_exceptions.TransportError, requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
        url = endpoint.api_url(language) or "Google"
        return GoogleError(say(language, "unreachable", url=url, why=exc.__class__.__name__), "unreachable", 0)
    if isinstance(exc, APIError):
        details: dict[str, Any] = exc.error if isinstance(exc.error, dict) else {}
        status = int(details.get("code") or exc.code or 0)
        reason = _reason(details)
        message = str(details.get("message") or "")
        word = say(language, what)
        if reason == "storageQuotaExceeded":
            return GoogleStorageError(say(language, "storage", email=email), reason, status)
        if reason == "FAILED_PRECONDITION" and "not supported for this document" in message:
            return GoogleAccessError(say(language, "not_a_spreadsheet", what=word, id=file_id), reason, status)
        if reason in DISABLED_REASONS:
            api = "Google Drive API" if "drive" in message.lower() else "Google Sheets API"
            return GoogleError(say(language, "api_disabled", api=api), reason, status)
        if status == 404:
            return GoogleAccessError(say(language, "not_found", what=word, id=file_id, email=email, key=key), reason or "notFound", status)
        if status == 403 and reason not in QUOTA_REASONS:
            return GoogleAccessError(say(language, "forbidden", what=word, id=file_id, email=email, why=message), reason, status)
        if status == 401:
            path = (google.service_account_file or google.token_file) if google else "?"
            return GoogleAuthError(say(language, "key_rejected", path=path, why=message), reason, status)
        if status in (403, 429) or reason in QUOTA_REASONS:
            return GoogleError(say(language, "quota", status=status), reason, status)
        if status >= 500:
            return GoogleError(say(language, "server", status=status, why=message), reason, status)
        return GoogleError(say(language, "other", status=status, why=message), reason, status)
    return GoogleError(say(language, "other", status=0, why=exc.__class__.__name__), None, 0)


def _client_id(google: GoogleBackendConfig) -> str:
    """The service account's OAuth client ID (what the admin console asks for); not a secret."""
    import json

    try:
        assert google.service_account_file is not None
        return str(json.loads(google.service_account_file.read_text(encoding="utf-8")).get("client_id") or "?")
    except (OSError, ValueError, AssertionError):
        return "?"
