"""Count the Sheets and Drive requests a run sends, by kind, on the HTTP session itself.

A response hook on the gspread client's session sees every request that got an
answer (also an error, and both tries of one google-auth retried after a 401),
so the counts are what Google counted against the quotas, with the real Google
as with the offline fake. The token requests go through another session and are
not counted (Google does not count them against the Sheets or Drive quotas).

A kind is the API method's ID in Google's discovery documents:
``sheets.spreadsheets.get``, ``sheets.spreadsheets.batchUpdate``,
``sheets.spreadsheets.values.batchGet``, ``drive.files.list``,
``drive.files.create``... (a URL outside these tables counts as ``METHOD /path``).
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import urlsplit

_ID = r"[^/:]+"
_SHEETS = (
    ("POST", r"/v4/spreadsheets", "sheets.spreadsheets.create"),
    ("GET", rf"/v4/spreadsheets/{_ID}", "sheets.spreadsheets.get"),
    ("POST", rf"/v4/spreadsheets/{_ID}:batchUpdate", "sheets.spreadsheets.batchUpdate"),
    ("POST", rf"/v4/spreadsheets/{_ID}:getByDataFilter", "sheets.spreadsheets.getByDataFilter"),
    ("GET", rf"/v4/spreadsheets/{_ID}/values:batchGet", "sheets.spreadsheets.values.batchGet"),
    ("POST", rf"/v4/spreadsheets/{_ID}/values:batchUpdate", "sheets.spreadsheets.values.batchUpdate"),
    ("POST", rf"/v4/spreadsheets/{_ID}/values:batchClear", "sheets.spreadsheets.values.batchClear"),
    ("POST", rf"/v4/spreadsheets/{_ID}/values/.+:append", "sheets.spreadsheets.values.append"),
    ("POST", rf"/v4/spreadsheets/{_ID}/values/.+:clear", "sheets.spreadsheets.values.clear"),
    ("GET", rf"/v4/spreadsheets/{_ID}/values/[^/]+", "sheets.spreadsheets.values.get"),
    ("PUT", rf"/v4/spreadsheets/{_ID}/values/[^/]+", "sheets.spreadsheets.values.update"),
    ("POST", rf"/v4/spreadsheets/{_ID}/developerMetadata:search", "sheets.spreadsheets.developerMetadata.search"),
    ("GET", rf"/v4/spreadsheets/{_ID}/developerMetadata/\d+", "sheets.spreadsheets.developerMetadata.get"),
    ("POST", rf"/v4/spreadsheets/{_ID}/sheets/\d+:copyTo", "sheets.spreadsheets.sheets.copyTo"),
)
_DRIVE = (
    ("GET", r"/drive/v3/about", "drive.about.get"),
    ("GET", r"/drive/v3/drives", "drive.drives.list"),
    ("POST", r"/drive/v3/drives", "drive.drives.create"),
    ("GET", r"/drive/v3/drives/[^/]+", "drive.drives.get"),
    ("GET", r"/drive/v3/files", "drive.files.list"),
    ("POST", r"/drive/v3/files", "drive.files.create"),
    ("GET", r"/drive/v3/files/[^/]+", "drive.files.get"),
    ("PATCH", r"/drive/v3/files/[^/]+", "drive.files.update"),
    ("DELETE", r"/drive/v3/files/[^/]+", "drive.files.delete"),
    ("POST", r"/drive/v3/files/[^/]+/copy", "drive.files.copy"),
    ("GET", r"/drive/v3/files/[^/]+/export", "drive.files.export"),
    ("GET", r"/drive/v3/files/[^/]+/permissions", "drive.permissions.list"),
    ("POST", r"/drive/v3/files/[^/]+/permissions", "drive.permissions.create"),
    ("GET", r"/drive/v3/files/[^/]+/permissions/[^/]+", "drive.permissions.get"),
    ("PATCH", r"/drive/v3/files/[^/]+/permissions/[^/]+", "drive.permissions.update"),
    ("DELETE", r"/drive/v3/files/[^/]+/permissions/[^/]+", "drive.permissions.delete"),
)
_TABLES = tuple((verb, re.compile(pattern), kind) for verb, pattern, kind in _SHEETS + _DRIVE)


def request_kind(method: str, url: str) -> str:
    """The discovery method ID of a Sheets or Drive request (``sheets.spreadsheets.get``)."""
    path = urlsplit(url).path
    method = method.upper()
    for verb, pattern, kind in _TABLES:
        if verb == method and pattern.fullmatch(path):
            return kind
    return f"{method} {path}"


class RequestCounter:
    """Requests sent on one session, by kind; install with :meth:`attach`."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def attach(self, session: Any) -> RequestCounter:
        session.hooks.setdefault("response", []).append(self._seen)
        return self

    def _seen(self, response: Any, *args: Any, **kwargs: Any) -> None:
        request = response.request
        kind = request_kind(request.method or "GET", request.url or "")
        with self._lock:
            self._counts[kind] = self._counts.get(kind, 0) + 1

    def counts(self) -> dict[str, int]:
        """A copy of the counts so far, by kind, sorted by kind."""
        with self._lock:
            return dict(sorted(self._counts.items()))

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())


def merge_counts(*counts: dict[str, int]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for each in counts:
        for kind, n in each.items():
            merged[kind] = merged.get(kind, 0) + n
    return dict(sorted(merged.items()))
