"""Credentials for the three Google set-ups, and the one-time ``google login``.

* ``auth = "service_account"``: the key file's service account; with the
  folder in a shared drive, files belong to the shared drive;
* the same with ``impersonate = "okr-admin@company.vn"``: domain-wide
  delegation (google-auth's ``with_subject``), files belong to that user;
* ``auth = "user"``: a person's own Google account; ``google login`` runs the
  OAuth consent flow for a desktop client once and saves the refresh token in
  ``token_file`` (mode 0600); google-auth refreshes the access token from it
  on every run.

Scopes, least privilege that still works (docs/google.md says why):
``spreadsheets`` to read and write the team spreadsheets and the summary, and
``drive`` because the job must see and add files to a folder that a person
created and shared with it. ``drive.file`` only reaches files the app created
itself or that a person picked in Google's file picker, which a nightly job
has no way to show, so with it the folder answers 404; ``drive.readonly``
would find the folder but could not create the spreadsheets in it.

Secrets only ever come from files (or ``$GOOGLE_APPLICATION_CREDENTIALS``),
never from the command line, and are never printed or logged.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from okrsheets.backends.google import endpoint
from okrsheets.backends.google.counting import RequestCounter
from okrsheets.backends.google.failures import explain
from okrsheets.backends.google.pacing import QuotaLimits
from okrsheets.backends.google.retry import Patience
from okrsheets.backends.google.words import say
from okrsheets.config import GoogleBackendConfig
from okrsheets.errors import GoogleAuthError

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
)


@dataclass(frozen=True)
class Connection:
    """A gspread client ready to use, with the credentials it signs requests with."""

    client: Any  # gspread.Client
    credentials: Any  # google.auth.credentials.Credentials
    google: GoogleBackendConfig
    language: str
    token_request: Any  # google.auth.transport.requests.Request, for refreshing
    requests: RequestCounter | None = None  # the Sheets and Drive requests sent so far, by kind (not the token ones)
    patience: Patience | None = None  # the run's quota pace and retry budget, shared by every request of the run

    @property
    def session(self) -> Any:
        return self.client.http_client.session


def _read_json(path: Path, language: str, missing: str, unreadable: str = "file_unreadable") -> dict[str, Any]:
    """The JSON object in ``path``; the error says ``missing`` or ``unreadable`` (word keys), never the content."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoogleAuthError(say(language, missing, path=path, why="FileNotFoundError"), "missing_file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise GoogleAuthError(say(language, unreadable, path=path, why=why), "unreadable_file") from None
    if not isinstance(data, dict):
        raise GoogleAuthError(say(language, unreadable, path=path, why="not a JSON object"), "unreadable_file")
    return data


def load_credentials(google: GoogleBackendConfig, language: str = "vi") -> Any:
    """google-auth credentials for the configured set-up (not yet refreshed: no request is sent)."""
    token_uri = endpoint.token_uri(language)
    if google.auth == "user":
        from google.oauth2.credentials import Credentials as UserCredentials

        assert google.token_file is not None
        info = _read_json(google.token_file, language, "no_token", "token_unreadable")
        if token_uri:
            info["token_uri"] = token_uri
        try:
            return UserCredentials.from_authorized_user_info(info, scopes=list(SCOPES))
        except ValueError as exc:  # a field missing: says which, never the value
            why = str(exc).split(":")[0]
            raise GoogleAuthError(say(language, "token_unreadable", path=google.token_file, why=why), "unreadable_file") from None
    from google.oauth2 import service_account

    assert google.service_account_file is not None
    info = _read_json(google.service_account_file, language, "file_unreadable")
    if token_uri:
        info["token_uri"] = token_uri
    try:
        credentials = service_account.Credentials.from_service_account_info(info, scopes=list(SCOPES))
    except (ValueError, KeyError) as exc:
        why = exc.__class__.__name__
        raise GoogleAuthError(
            say(language, "key_rejected", path=google.service_account_file, why=why), "unreadable_file"
        ) from None
    if google.impersonate:
        credentials = credentials.with_subject(google.impersonate)
    return credentials


def connect(google: GoogleBackendConfig, language: str = "vi", *, credentials: Any = None) -> Connection:
    """A gspread client for the set-up, its requests sent to Google (or ``$OKRSHEETS_GOOGLE_API_URL``)."""
    import gspread
    import requests
    from google.auth.transport.requests import AuthorizedSession, Request

    credentials = credentials or load_credentials(google, language)
    base = endpoint.api_url(language)
    token_session = requests.Session()
    session = AuthorizedSession(credentials, auth_request=Request(token_session))
    if base:
        endpoint.mount(session, base)
        endpoint.mount(token_session, base)
    counter = RequestCounter().attach(session)
    client = gspread.Client(auth=credentials, session=session)
    client.set_timeout(endpoint.TIMEOUT)
    return Connection(client, credentials, google, language, Request(token_session), counter, patience_for(google, language))


def patience_for(google: GoogleBackendConfig, language: str = "vi") -> Patience:
    """The retry budget and quota pace ``[backend]`` configures (real clock and sleep)."""
    limits = QuotaLimits(read_per_user=google.read_quota_per_user, read_per_project=google.read_quota_per_project,
                         write_per_user=google.write_quota_per_user, write_per_project=google.write_quota_per_project)
    return Patience(max_tries=google.max_tries, deadline_minutes=google.deadline_minutes, limits=limits, language=language)


def refresh(connection: Connection) -> None:
    """Get an access token now (one token request), so bad credentials show before any other request."""
    try:
        connection.credentials.refresh(connection.token_request)
    except Exception as exc:  # google-auth's RefreshError / TransportError, explained
        raise explain(exc, connection.language, google=connection.google) from None


def service_account_email(google: GoogleBackendConfig, credentials: Any) -> str | None:
    return getattr(credentials, "service_account_email", None) if google.auth == "service_account" else None


# ---------------------------------------------------------------------- google login

def login(
    google: GoogleBackendConfig,
    language: str = "vi",
    *,
    open_browser: bool = True,
    port: int = 0,
    timeout_seconds: int | None = 300,
    identify: Callable[[Any], str] | None = None,
) -> tuple[str, Path]:
    """Run the desktop consent flow once and save the refresh token in ``token_file`` (0600).

    The address to open is printed on stdout (and opened in the default browser
    when ``open_browser``); Google redirects to a server on
    ``http://localhost:PORT`` that this call runs until the answer comes.
    ``identify(credentials)`` names the signed-in account (``about.get``).
    Returns that e-mail address and where the login was saved.
    """
    from google_auth_oauthlib.flow import InstalledAppFlow, WSGITimeoutError
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error

    if google.auth != "user":
        raise GoogleAuthError(say(language, "login_not_user", auth=google.auth), "not_user_auth")
    assert google.client_secret_file is not None and google.token_file is not None
    client_config = _read_json(google.client_secret_file, language, "file_unreadable")
    installed = client_config.get("installed")
    if not isinstance(installed, dict):
        raise GoogleAuthError(say(language, "client_rejected", path=google.client_secret_file), "invalid_client")
    if endpoint.api_url(language):
        installed["auth_uri"] = endpoint.auth_uri(language)
        installed["token_uri"] = endpoint.token_uri(language)
    flow = InstalledAppFlow.from_client_config(client_config, scopes=list(SCOPES))
    if endpoint.api_url(language):
        endpoint.mount(flow.oauth2session, endpoint.api_url(language) or "")
    plain_http = (endpoint.api_url(language) or "").startswith("http://")
    before = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    if plain_http:  # oauthlib refuses OAuth over plain HTTP; the redirected URL is a local test server, never Google
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        credentials = flow.run_local_server(
            host="localhost",
            port=port,
            open_browser=open_browser,
            authorization_prompt_message=say(language, "login_prompt", url="{url}"),
            success_message=say(language, "login_success"),
            timeout_seconds=timeout_seconds,
            prompt="consent",  # Google sends a refresh token again only when consent is asked again
        )
    except WSGITimeoutError:
        raise GoogleAuthError(say(language, "login_timeout", seconds=timeout_seconds), "timeout") from None
    except OAuth2Error as exc:
        if exc.error == "invalid_client":
            raise GoogleAuthError(say(language, "client_rejected", path=google.client_secret_file), "invalid_client") from None
        raise GoogleAuthError(say(language, "login_denied", why=exc.error), exc.error) from None
    finally:
        if plain_http and before is None:
            os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
    email = identify(credentials) if identify else ""
    saved = dict(json.loads(credentials.to_json()), type="authorized_user")  # the shape gcloud saves too
    saved.pop("token", None)  # the short-lived access token: the refresh token gets a new one each run
    try:
        write_private(google.token_file, json.dumps(saved, indent=2))
    except OSError as exc:
        raise GoogleAuthError(say(language, "token_write", path=google.token_file, why=exc.strerror or exc.__class__.__name__), "unwritable") from None
    return email, google.token_file


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable and writable by the owner only (0600) from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, 0o600)
        os.replace(name, path)
    finally:
        if os.path.exists(name):
            os.unlink(name)
