"""Per-minute quotas, injected faults and the request log."""

from __future__ import annotations

import random
import threading
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError

FAULT_KINDS = ("429", "500", "503", "drop", "lost", "slow", "401")


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str
    api: str  # "sheets", "drive" or "oauth"
    kind: str  # "read" or "write"
    endpoint: str  # e.g. "sheets.spreadsheets.values.get"
    user: str | None = None
    status: int | None = None
    fault: str | None = None
    time: float = 0.0

    @property
    def is_read(self) -> bool:
        return self.kind == "read"

    @property
    def is_write(self) -> bool:
        return self.kind == "write"


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class QuotaConfig:
    read_per_user: int | None = 60
    read_per_project: int | None = 300
    write_per_user: int | None = 60
    write_per_project: int | None = 300
    drive_per_user: int | None = 12_000
    drive_per_project: int | None = 12_000
    window: float = 60.0


def project_number(project_id: str) -> int:
    return 100000000000 + zlib.crc32(project_id.encode()) % 900000000000


class Quotas:
    """Sliding one-minute windows on the fake's clock; refused calls are not counted."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.config = QuotaConfig()
        self.enabled = True
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, str, str], deque[float]] = {}

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def _count(self, key: tuple[str, str, str], now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.config.window:
            hits.popleft()
        return hits

    def charge(self, api: str, kind: str, user: str, project: str) -> None:
        """Count one request, or raise Google's quota error."""
        if not self.enabled:
            return
        now = self.clock.now()
        bucket = "drive" if api == "drive" else kind
        cfg = self.config
        limits = {
            "read": (cfg.read_per_user, cfg.read_per_project),
            "write": (cfg.write_per_user, cfg.write_per_project),
            "drive": (cfg.drive_per_user, cfg.drive_per_project),
        }[bucket]
        with self._lock:
            user_hits = self._count((bucket, "user", f"{project}/{user}"), now)
            project_hits = self._count((bucket, "project", project), now)
            if limits[0] is not None and len(user_hits) >= limits[0]:
                raise quota_error(api, bucket, "user", limits[0], project)
            if limits[1] is not None and len(project_hits) >= limits[1]:
                raise quota_error(api, bucket, "project", limits[1], project)
            user_hits.append(now)
            project_hits.append(now)


def quota_error(api: str, bucket: str, scope: str, limit: int, project: str) -> ApiError:
    number = project_number(project)
    if api == "drive":
        per = "per user" if scope == "user" else ""
        message = (
            f"Quota exceeded for quota metric 'Queries' and limit 'Queries per minute{(' ' + per) if per else ''}' "
            f"of service 'drive.googleapis.com' for consumer 'project_number:{number}'."
        )
        reason = "userRateLimitExceeded" if scope == "user" else "rateLimitExceeded"
        return ApiError(
            403,
            message,
            errors=[{"message": message, "domain": "usageLimits", "reason": reason}],
            omit_status=True,
        )
    metric = "Read requests" if bucket == "read" else "Write requests"
    limit_name = f"{metric} per minute per {scope}"
    quota_limit = ("ReadRequests" if bucket == "read" else "WriteRequests") + ("PerMinutePerUser" if scope == "user" else "PerMinutePerProject")
    return ApiError(
        429,
        f"Quota exceeded for quota metric '{metric}' and limit '{limit_name}' of service "
        f"'sheets.googleapis.com' for consumer 'project_number:{number}'.",
        "RESOURCE_EXHAUSTED",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "quota_limit_value": str(limit),
                    "quota_location": "global",
                    "consumer": f"projects/{number}",
                    "quota_metric": f"sheets.googleapis.com/{'read' if bucket == 'read' else 'write'}_requests",
                    "service": "sheets.googleapis.com",
                    "quota_limit": quota_limit,
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                    }
                ],
            },
        ],
    )


@dataclass
class Fault:
    kind: str
    nth: int | None = None
    rate: float | None = None
    times: int | None = None
    delay: float = 1.0
    path: str | None = None
    method: str | None = None
    seen: int = 0
    fired: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    retry_after: float | None = None  # seconds, sent as a Retry-After header with the error

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path and self.path not in path:
            return False
        return True

    def should_fire(self) -> bool:
        self.seen += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.nth is not None:
            hit = self.seen == self.nth if self.times in (None, 1) else self.seen >= self.nth
        elif self.rate is not None:
            hit = self.rng.random() < self.rate
        else:
            hit = True
        if hit:
            self.fired += 1
        return hit

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {fault.kind!r}; use one of {FAULT_KINDS}")
        with self._lock:
            self.active.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.active.clear()

    def pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.active:
                if fault.matches(method, path) and fault.should_fire():
                    return fault
            return None


def fault_error(kind: str, api: str) -> ApiError:
    if kind == "429":
        if api == "drive":
            return ApiError(
                429,
                "Rate Limit Exceeded",
                errors=[{"message": "Rate Limit Exceeded", "domain": "usageLimits", "reason": "rateLimitExceeded"}],
                omit_status=True,
            )
        return quota_error(api, "read", "user", 60, "okrsheets-fake")
    if kind == "500":
        if api == "drive":
            return ApiError(500, "Internal Error", errors=[{"message": "Internal Error", "domain": "global", "reason": "internalError"}], omit_status=True)
        return ApiError(500, "Internal error encountered.", "INTERNAL")
    if kind == "503":
        if api == "drive":
            return ApiError(503, "Service Unavailable", errors=[{"message": "Service Unavailable", "domain": "global", "reason": "backendError"}], omit_status=True)
        return ApiError(503, "The service is currently unavailable.", "UNAVAILABLE")
    raise ValueError(kind)
