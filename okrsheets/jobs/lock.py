"""One rollup at a time: an OS-level file lock next to the company summary.

``okrsheets rollup`` (a systemd timer, cron or a person) and the long-running
``okrsheets schedule`` process both take :func:`rollup_lock` on
``<quarter_folder>/.okrsheets-rollup.lock`` before they read any workbook.

The lock is a :class:`filelock.FileLock` (``flock`` on Unix, ``LockFileEx`` on
Windows): the operating system releases it when the holder's process dies, so
a rollup killed in the middle of the night never blocks the next one, and no
stale pid file has to be cleaned up by hand.

Who holds the lock (pid, host, start time) is kept in a small JSON file beside
it, ``.okrsheets-rollup.lock.json``, so a second rollup can say whom it waits
for. That file is only information: the lock alone decides, and a leftover
file from a killed process is simply overwritten by the next holder.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from filelock import FileLock, Timeout

from okrsheets.errors import BackendError, RollupLockedError
from okrsheets.files import atomic_write
from okrsheets.words import say

LOCK_NAME = ".okrsheets-rollup.lock"
OWNER_NAME = ".okrsheets-rollup.lock.json"
GRACE_SECONDS = 0.5

log = logging.getLogger("okrsheets")


@dataclass(frozen=True)
class LockOwner:
    """The process holding (or that last held) the rollup lock."""

    pid: int
    host: str
    since: datetime  # timezone-aware
    command: str = "rollup"

    def to_json(self) -> dict:
        return {"pid": self.pid, "host": self.host, "since": self.since.isoformat(), "command": self.command}

    @classmethod
    def from_json(cls, data: dict) -> LockOwner:
        return cls(
            pid=int(data["pid"]),
            host=str(data.get("host", "")),
            since=datetime.fromisoformat(data["since"]),
            command=str(data.get("command", "rollup")),
        )


def lock_path(folder: Path) -> Path:
    return Path(folder) / LOCK_NAME


def owner_path(folder: Path) -> Path:
    return Path(folder) / OWNER_NAME


def read_owner(folder: Path) -> LockOwner | None:
    """The recorded holder, or None when there is no (readable) record."""
    try:
        return LockOwner.from_json(json.loads(owner_path(folder).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def busy_message(owner: LockOwner | None, tz: tzinfo | None = None, now: datetime | None = None, language: str = "en") -> str:
    """``another rollup is running (pid N, since HH:MM); try again later or use --wait``."""
    if owner is None:
        return say(language, "lock_busy")
    since = owner.since.astimezone(tz) if tz else owner.since
    today = (now or datetime.now(since.tzinfo)).astimezone(since.tzinfo).date()
    when = since.strftime("%H:%M") if since.date() == today else since.strftime("%Y-%m-%d %H:%M")
    where = "" if owner.host in ("", socket.gethostname()) else say(language, "lock_on_host", host=owner.host)
    return say(language, "lock_busy_by", pid=owner.pid, where=where, since=when)


def _timeout(wait: bool | float) -> float:
    """filelock's timeout: -1 waits forever, a number waits that many seconds."""
    if wait is True:
        return -1
    return float(wait) if wait else 0


@contextmanager
def rollup_lock(
    folder: Path,
    *,
    wait: bool | float = False,
    tz: tzinfo | None = None,
    command: str = "rollup",
    language: str = "en",
) -> Iterator[LockOwner]:
    """Hold the rollup lock of ``folder`` for the ``with`` block.

    ``wait=False`` raises :class:`RollupLockedError` (exit code 75) at once when
    another process holds it; ``wait=True`` waits as long as it takes; a number
    waits at most that many seconds, then raises.
    """
    folder = Path(folder)
    path = lock_path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path))
        _acquire(lock, folder, wait, tz, language)
    except OSError as exc:
        raise BackendError(f"cannot take the rollup lock {path}: {exc.strerror or exc}") from None
    owner = LockOwner(os.getpid(), socket.gethostname(), datetime.now(tz).astimezone(tz), command)
    try:
        _write_owner(folder, owner)
        yield owner
    finally:
        _forget_owner(folder, owner)
        lock.release()


def _acquire(lock: FileLock, folder: Path, wait: bool | float, tz: tzinfo | None, language: str = "en") -> None:
    try:
        # a short grace period: `okrsheets status` may be probing the lock for a moment
        lock.acquire(timeout=GRACE_SECONDS, poll_interval=0.05)
        return
    except Timeout:
        if not wait:
            raise RollupLockedError(busy_message(read_owner(folder), tz, language=language)) from None
    owner = read_owner(folder)
    log.info(say(language, "lock_waiting", who=busy_message(owner, tz, language=language).split(";")[0]))
    try:
        lock.acquire(timeout=_timeout(wait), poll_interval=0.2)
    except Timeout:
        raise RollupLockedError(busy_message(read_owner(folder), tz, language=language)) from None


def _write_owner(folder: Path, owner: LockOwner) -> None:
    text = json.dumps(owner.to_json(), indent=2) + "\n"
    try:
        atomic_write(owner_path(folder), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as exc:  # information only; the lock itself is held
        log.warning("cannot write %s: %s", owner_path(folder), exc)


def _forget_owner(folder: Path, owner: LockOwner) -> None:
    recorded = read_owner(folder)
    if recorded is not None and recorded.pid == owner.pid and recorded.host == owner.host:
        try:
            owner_path(folder).unlink()
        except OSError:
            pass


def held_by(folder: Path) -> LockOwner | None:
    """Who holds the rollup lock of ``folder`` right now, or None when nobody does.

    When the lock is held but its owner record is missing, the owner's pid is 0.
    """
    path = lock_path(folder)
    if not path.exists():
        return None
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return read_owner(folder) or LockOwner(0, "", datetime.now().astimezone(), "unknown")
    except OSError:
        return None
    lock.release()
    return None
