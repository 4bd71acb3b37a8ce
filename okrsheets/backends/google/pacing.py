"""Sending Google requests at the quota's pace instead of into a 429.

Google counts Sheets requests per minute in two buckets, reads and writes, each
with a limit per user (60) and per project (300); Drive has its own, far
larger bucket. A :class:`Pacer` keeps the send times of the last minute per
bucket and, before a request, waits until one more fits under every limit of
its bucket, so a rollup of 300 departments takes five minutes of reads
instead of a storm of 429s and back-offs. One okrsheets run is one user of one
project, so the tighter of the two limits is the one that paces it; the
project limit matters when it is configured lower because other jobs share the
project.

The clock and the sleep are injectable (``clock()`` in seconds, ``sleep(s)``),
so tests run minutes of traffic on the fake's clock in a second.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

WINDOW = 60.0  # Google's quotas are per minute
# Sheets requests that Google counts as reads although they are POSTs
_READ_POSTS = (":batchGet", ":batchGetByDataFilter", "developerMetadata:search")


@dataclass(frozen=True)
class QuotaLimits:
    """Requests per minute Google allows, per bucket (``None``: no limit). Defaults: Google's."""

    read_per_user: int | None = 60
    read_per_project: int | None = 300
    write_per_user: int | None = 60
    write_per_project: int | None = 300
    drive_per_user: int | None = 12_000
    drive_per_project: int | None = 12_000

    def of(self, bucket: str) -> list[int]:
        pair = {"read": (self.read_per_user, self.read_per_project),
                "write": (self.write_per_user, self.write_per_project),
                "drive": (self.drive_per_user, self.drive_per_project)}[bucket]
        return [limit for limit in pair if limit]

    def per_minute(self, bucket: str) -> int | None:
        """The pace the bucket allows this run (the tighter limit), None when unlimited."""
        limits = self.of(bucket)
        return min(limits) if limits else None


def bucket(method: str, url: str) -> str:
    """The quota a request is counted in: "read" or "write" (Sheets), "drive" (Drive), "" (neither, e.g. OAuth)."""
    parts = urlsplit(url)
    path = parts.path
    if "/drive/" in path or path.startswith("/upload/drive"):
        return "drive"
    if "/v4/spreadsheets" not in path:
        return ""
    if method.upper() == "GET":
        return "read"
    if method.upper() == "POST" and path.endswith(_READ_POSTS):
        return "read"
    return "write"


class Pacer:
    """Waits before each request until it fits under its bucket's per-minute limits."""

    def __init__(self, limits: QuotaLimits, clock: Callable[[], float], sleep: Callable[[float], None],
                 window: float = WINDOW) -> None:
        self.limits, self.clock, self.sleep, self.window = limits, clock, sleep, window
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds spent waiting for the quota, this run

    def wait_turn(self, method: str, url: str) -> float:
        """Wait (when needed) and count the request; returns the seconds waited."""
        kind = bucket(method, url)
        limits = self.limits.of(kind) if kind else []
        if not limits:
            return 0.0
        limit = min(limits)
        with self._lock:
            sent = self._sent.setdefault(kind, deque())
            now = self.clock()
            while sent and sent[0] <= now - self.window:
                sent.popleft()
            wait = 0.0
            if len(sent) >= limit:
                # the request may go once the oldest of the last `limit` has left the window
                wait = max(0.0, sent[-limit] + self.window - now)
            if wait > 0:
                self.sleep(wait)
                self.waited += wait
            # never read the clock again to decide: an injected sleep need not move an injected clock
            sent.append(max(self.clock(), now + wait))
            while len(sent) > limit:
                sent.popleft()
            return wait
