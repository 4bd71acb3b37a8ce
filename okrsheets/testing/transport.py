"""Point gspread at the fake through its ``http_client=`` seam.

:func:`http_client_class` returns a subclass of gspread's ``HTTPClient`` (or
of any subclass you pass, such as ``BackOffHTTPClient``) whose session mounts
a transport adapter that rewrites ``https://sheets.googleapis.com`` and
``https://www.googleapis.com`` to the fake's ``http://127.0.0.1:PORT``.
gspread's and google-auth's own code is not patched.
"""

from __future__ import annotations

from typing import Any

# one home for the host rewrite: the CLI uses the same adapter for $OKRSHEETS_GOOGLE_API_URL
from okrsheets.backends.google.endpoint import GOOGLE_HOSTS, RewriteAdapter, mount

__all__ = ["GOOGLE_HOSTS", "RewriteAdapter", "http_client_class", "mount"]


def http_client_class(base_url: str, base: type | None = None, *, retries: Any = 0) -> type:
    """A gspread HTTP client class bound to the fake at ``base_url``."""
    if base is None:
        from gspread.http_client import HTTPClient

        base = HTTPClient

    # the base is the gspread client class given at run time, which mypy cannot take as a base class
    class FakeGoogleHTTPClient(base):  # type: ignore[misc, valid-type]
        fake_url = base_url

        def __init__(self, auth: Any, session: Any = None) -> None:
            super().__init__(auth, session)
            mount(self.session, base_url, retries=retries)

    FakeGoogleHTTPClient.__name__ = f"FakeGoogle{base.__name__}"
    FakeGoogleHTTPClient.__qualname__ = FakeGoogleHTTPClient.__name__
    return FakeGoogleHTTPClient
