"""Where Google requests go: Google's hosts, or the URL in ``$OKRSHEETS_GOOGLE_API_URL``.

With the variable set (e.g. ``http://127.0.0.1:8765``, the offline fake in
``okrsheets.testing``), every Sheets, Drive and OAuth request is sent there
instead: a transport adapter mounted on the session rewrites the host, and the
token and consent URIs of the credentials point there too. A warning goes to
stderr once per process, so nobody mistakes a test run for a real one.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

API_URL_ENV = "OKRSHEETS_GOOGLE_API_URL"
GOOGLE_HOSTS = (
    "https://sheets.googleapis.com",
    "https://www.googleapis.com",
    "https://oauth2.googleapis.com",
    "https://accounts.google.com",
)
TOKEN_URI = "https://oauth2.googleapis.com/token"
AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
# seconds to connect, seconds to wait for an answer: a stuck request must not hang the nightly job
TIMEOUT = (10, 120)

_log = logging.getLogger("okrsheets.google")
_warned: set[str] = set()

WARNING = {
    "vi": "Cảnh báo: {env} đang được đặt, mọi yêu cầu tới Google được gửi tới {url} thay vì Google.",
    "en": "Warning: {env} is set; every Google request goes to {url} instead of Google.",
}


def api_url(language: str = "vi") -> str | None:
    """The URL requests go to instead of Google's, or None; warns on stderr the first time."""
    url = (os.environ.get(API_URL_ENV) or "").strip().rstrip("/")
    if not url:
        return None
    if url not in _warned:
        _warned.add(url)
        _log.warning(WARNING["en" if language == "en" else "vi"].format(env=API_URL_ENV, url=url))
    return url


def token_uri(language: str = "vi") -> str | None:
    url = api_url(language)
    return f"{url}/token" if url else None


def auth_uri(language: str = "vi") -> str | None:
    url = api_url(language)
    return f"{url}/o/oauth2/auth" if url else None


class RewriteAdapter(HTTPAdapter):
    """Sends requests for Google's hosts to ``base_url`` instead."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        url = request.url or ""
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                request.url = self.base_url + url[len(host):]
                break
        return super().send(request, *args, **kwargs)


def mount(session: Any, base_url: str, *, retries: Any = 0) -> None:
    """Route the session's requests for Google's hosts to ``base_url``."""
    adapter = RewriteAdapter(base_url, max_retries=retries)
    for host in GOOGLE_HOSTS:
        session.mount(host, adapter)
