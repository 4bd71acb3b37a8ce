"""Point gspread at the fake through its ``http_client=`` seam.

:func:`http_client_class` returns a subclass of gspread's ``HTTPClient`` (or
of any subclass you pass, such as ``BackOffHTTPClient``) whose session mounts
a transport adapter that rewrites ``https://sheets.googleapis.com`` and
``https://www.googleapis.com`` to the fake's ``http://127.0.0.1:PORT``.
gspread's and google-auth's own code is not patched.
"""

from __future__ import annotations

from typing import Any

from requests.adapters import HTTPAdapter

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com", "https://oauth2.googleapis.com")


class RewriteAdapter(HTTPAdapter):
    """Sends requests for Google's hosts to ``base_url`` instead."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        for host in GOOGLE_HOSTS:
            if request.url.startswith(host):
                request.url = self.base_url + request.url[len(host):]
                break
        return super().send(request, **kwargs)


def mount(session: Any, base_url: str, *, retries: Any = 0) -> None:
    adapter = RewriteAdapter(base_url, max_retries=retries)
    for host in GOOGLE_HOSTS:
        session.mount(host, adapter)


def http_client_class(base_url: str, base: type | None = None, *, retries: Any = 0) -> type:
    """A gspread HTTP client class bound to the fake at ``base_url``."""
    if base is None:
        from gspread.http_client import HTTPClient

        base = HTTPClient

    class FakeGoogleHTTPClient(base):  # type: ignore[misc, valid-type]
        fake_url = base_url

        def __init__(self, auth: Any, session: Any = None) -> None:
            super().__init__(auth, session)
            mount(self.session, base_url, retries=retries)

    FakeGoogleHTTPClient.__name__ = f"FakeGoogle{base.__name__}"
    FakeGoogleHTTPClient.__qualname__ = FakeGoogleHTTPClient.__name__
    return FakeGoogleHTTPClient
