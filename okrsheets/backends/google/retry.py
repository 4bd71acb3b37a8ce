"""Bounded retries for Google requests: try again what may pass, give up on time.

gspread's own ``BackOffHTTPClient`` never gives up, ignores ``Retry-After`` and
retries errors that will never pass. :class:`PatientHTTP` wraps gspread's HTTP
client instead (the one every okrsheets request goes through) and:

* paces each try with the run's :class:`~okrsheets.backends.google.pacing.Pacer`;
* tries again a 429, 500, 502, 503 or 504, Drive's 403 ``userRateLimitExceeded``
  / ``rateLimitExceeded``, and a connection reset, dropped connection or timeout;
* never tries again a 400, a 401 (google-auth has already refreshed the token
  and sent it again once), a 403 refusal (no permission, ``storageQuotaExceeded``)
  or a 404: those say what to fix, and the same request would get the same answer;
* waits before try *n* (n = 1, 2, ...) a random time between 0 and
  ``min(64, 2**(n-1))`` seconds ("full jitter"), or what Google's ``Retry-After``
  says when it says it;
* makes at most ``max_tries`` tries of one request (``[backend] max_tries``) and
  none once the run's deadline (``[backend] deadline_minutes``) has passed;
* never sends again by itself a Drive ``files.create`` or ``files.copy`` whose
  connection dropped or timed out after it was sent: Google may have made the
  file, and a second one would claim the same department. The backend first
  looks for it in the folder.

What it gives up on is raised: the backend makes it a data issue of that
department (reading) or the run's explained error. Clock, sleep and random are
injectable, so tests run hours of back-off on the fake's clock in a second.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from okrsheets.backends.google.pacing import Pacer, QuotaLimits
from okrsheets.backends.google.words import say
from okrsheets.errors import GoogleError

log = logging.getLogger("okrsheets.google")

CAP = 64.0  # seconds: the longest wait between two tries (past any per-minute window)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RATE_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})
DEFAULT_MAX_TRIES = 6
DEFAULT_DEADLINE_MINUTES = 120.0
GAVE_UP = frozenset({"gave_up", "deadline"})  # the GoogleError reasons of a request given up on


def worth_retrying(exc: BaseException) -> bool:
    """A quota answer, a server error or a lost connection: the same request may pass a little later."""
    import requests
    from google.auth import exceptions as auth_exceptions
    from gspread.exceptions import APIError

    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                        requests.exceptions.ChunkedEncodingError, auth_exceptions.TransportError)):
        return True
    if not isinstance(exc, APIError):
        return False
    error = exc.error if isinstance(exc.error, dict) else {}
    status = int(error.get("code") or exc.code or 0)
    reasons = {str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)}
    return status in RETRY_STATUSES or (status == 403 and bool(reasons & RATE_REASONS))


def maybe_done(exc: BaseException) -> bool:
    """The request may have reached Google and been carried out (the connection dropped, or the answer
    did not come in time), as opposed to refused before it was sent or answered with an error."""
    import requests

    return (isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError))
            and not isinstance(exc, requests.exceptions.ConnectTimeout))


def creates(method: str, url: str) -> bool:
    """A request that makes a new file each time it is carried out (Drive ``files.create`` / ``files.copy``):
    sent twice, it makes two."""
    path = url.split("?")[0]
    return method.upper() == "POST" and "/drive/v3/files" in path and (path.endswith("/files") or path.endswith("/copy"))


def retry_after(exc: BaseException, now: float) -> float | None:
    """The seconds Google's ``Retry-After`` header asks to wait (a number or an HTTP date), or None."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    if not value:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


@dataclass
class Patience:
    """One run's retry budget and pace: every request of the run goes through the same one."""

    max_tries: int = DEFAULT_MAX_TRIES
    deadline_minutes: float = DEFAULT_DEADLINE_MINUTES
    limits: QuotaLimits = field(default_factory=QuotaLimits)
    language: str = "vi"
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = random.random
    started: float | None = None
    retries: int = 0  # tries after the first, this run
    gave_up: int = 0  # requests given up on, this run
    _pacer: Pacer | None = None

    @property
    def pacer(self) -> Pacer:
        if self._pacer is None:
            self._pacer = Pacer(self.limits, lambda: self.clock(), lambda seconds: self.sleep(seconds))
        return self._pacer

    @property
    def deadline(self) -> float:
        if self.started is None:
            self.started = self.clock()
        return self.started + self.deadline_minutes * 60

    def backoff(self, tries: int) -> float:
        """Full jitter: a random wait between 0 and min(CAP, 2**(tries-1)) seconds."""
        return self.random() * min(CAP, 2.0 ** (tries - 1))

    def request(self, http: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        deadline = self.deadline
        tries = 0
        while True:
            if self.clock() >= deadline:
                self.gave_up += 1
                raise GoogleError(say(self.language, "deadline_passed", minutes=_minutes(self.deadline_minutes)), "deadline", 0)
            self.pacer.wait_turn(method, url)
            tries += 1
            try:
                return http.request(method, url, *args, **kwargs)
            except Exception as exc:
                if not worth_retrying(exc) or (creates(method, url) and maybe_done(exc)):
                    raise  # a create that may have happened is looked for by the caller before it is sent again
                asked = retry_after(exc, self.clock())
                wait = asked if asked is not None else self.backoff(tries)
                if tries >= self.max_tries or self.clock() + wait >= deadline:
                    raise self._give_up(exc, method, url, tries, out_of_time=tries < self.max_tries) from None
                self.retries += 1
                log.info("Google: %s %s answered %s; trying again in %.1f s", method.upper(), url, _why(exc), wait)
                self.sleep(wait)


    def _give_up(self, exc: BaseException, method: str, url: str, tries: int, out_of_time: bool) -> GoogleError:
        """The error a request given up on raises: what Google kept answering, to what, and which limit ended it."""
        self.gave_up += 1
        status = int(getattr(exc, "code", 0) or 0)
        limit = (say(self.language, "limit_deadline", minutes=_minutes(self.deadline_minutes)) if out_of_time
                 else say(self.language, "limit_tries", tries=self.max_tries))
        message = say(self.language, "gave_up", why=_why(exc), tries=tries, request=f"{method.upper()} {_short(url)}", limit=limit)
        log.warning("%s", message)
        return GoogleError(message, "gave_up", status)


class PatientHTTP:
    """gspread's HTTP client, paced and with bounded retries (anything with gspread's ``request``)."""

    def __init__(self, http: Any, patience: Patience):
        self.http, self.patience = http, patience

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        return self.patience.request(self.http, method, endpoint, *args, **kwargs)


def _why(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    return f"HTTP {code}" if code else exc.__class__.__name__


def _short(url: str) -> str:
    """The request's address without Google's host (the same on every line)."""
    for host in ("https://sheets.googleapis.com", "https://www.googleapis.com"):
        if url.startswith(host):
            return url[len(host):]
    return url


def _minutes(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
