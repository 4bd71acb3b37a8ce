"""A private cache of the parsed config and its plan: a command run on a config that has not changed reads
them back instead of parsing the TOML and building the plan again.

An entry is one file per config file, ``<cache folder>/config-<hash of its path>.pickle``: a line of JSON
(what the entry depends on) and then the pickle of the `Config` as `config.parse_config` made it and of its
plan (`plan.build_plan`'s departments and company warnings). It is written by `build_plan`, for a config
`config.load_config` read from a file, and only for a config and plan without a problem (a `ConfigError`
is never kept). It is used only when all of these are as they were when it was written:

- the config file: its path as given and as resolved, and the SHA-256 of its bytes (any edit, a comment
  too, means a parse);
- okrsheets itself (its version and the name, size and mtime_ns of each module: `stamps.code_identity`)
  and the Python that runs it;
- the environment variables parsing reads (`ENVIRONMENT`);
- the entry's own bytes (their SHA-256 is in the JSON line: a damaged or cut entry is not unpickled);
- for the plan: the bytes of every file in the template folders (the built-in one and the config's
  ``templates_dir``); when only these changed, the cached config is kept and its plan is built again.

What parsing checks outside the config file (``templates_dir`` is a folder, the timezone is known,
Google's credential files are the right kind) is checked again on each use, by `config.load_config`.

A pickle is code, so an entry is only ever read from the user's own cache folder
(``$XDG_CACHE_HOME/okrsheets``, else ``~/.cache/okrsheets``), never from the quarter folder or the
config's folder, which teams share: the folder is made 0700, an entry is written atomically with mode
0600, and a folder or entry that is not the user's own or that others may write is ignored (and not
written). Anything wrong with the cache (missing, damaged, another layout, not readable, not writable)
means the normal path, never an error; it is logged at debug level. ``OKRSHEETS_CACHE=off`` turns the
cache off (on a system without user IDs, such as Windows, it is always off).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import stat
import sys
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from okrsheets.files import atomic_write, remove_stale_temps
from okrsheets.stamps import code_identity

log = logging.getLogger(__name__)

CACHE_ENV = "OKRSHEETS_CACHE"  # "off" turns the cache off
FORMAT = 1  # bump when what an entry holds changes
# The environment variables parsing a config and building its plan read: the home folder (a "~" in a path),
# Google's key file variable, the language of a run without a config, and zoneinfo's search path.
ENVIRONMENT = ("HOME", "GOOGLE_APPLICATION_CREDENTIALS", "OKRSHEETS_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LC_CTYPE",
               "PYTHONTZPATH")

Plan = tuple[Any, Any]  # what is kept of a plan: its departments and its company warnings (no config: that is the key)


def enabled() -> bool:
    """Whether the cache is used: not with ``OKRSHEETS_CACHE=off``, nor where files have no owner ID."""
    return hasattr(os, "getuid") and os.environ.get(CACHE_ENV, "").strip().lower() != "off"


def cache_folder() -> Path:
    """``$XDG_CACHE_HOME/okrsheets`` (an absolute XDG_CACHE_HOME only, as the XDG spec says), else ``~/.cache/okrsheets``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "okrsheets"


def _private(status: os.stat_result) -> bool:
    """Owned by the user running okrsheets, and writable by nobody else."""
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _private_folder(create: bool) -> Path | None:
    """The cache folder, when it is the user's own and private (made 0700 with ``create``); else None."""
    try:
        folder = cache_folder()
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = os.stat(folder)  # (a link is followed: where it leads must be the user's own)
    except (OSError, RuntimeError) as exc:  # RuntimeError: no home folder to be found
        log.debug("config cache: no cache folder (%s)", exc)
        return None
    if not stat.S_ISDIR(status.st_mode) or not _private(status):
        log.debug("config cache: %s is not a folder of this user's that only this user may write; not used", folder)
        return None
    return folder


@dataclass
class _Known:
    """What this process knows of a config read from a file: where it came from, and its plan once built."""

    config: weakref.ref
    source: ConfigSource
    plan: Plan | None = None  # the plan read from the entry, until it is given out (once: see remembered_plan)
    templates: Any = None  # the template folders' contents of the plan in the entry on disk (None: no entry)


_KNOWN: dict[int, _Known] = {}  # by id() of the Config; an entry leaves with its config (a weak reference)


def _known(config: object) -> _Known | None:
    known = _KNOWN.get(id(config))
    return known if known is not None and known.config() is config else None


class ConfigSource:
    """A config file as `config.load_config` read it: its cache entry's name and what the entry depends on."""

    def __init__(self, given: Path, resolved: Path, content: bytes) -> None:
        self.key = [str(given), str(resolved), hashlib.sha256(content).hexdigest(), code_identity(), sys.version,
                    [os.environ.get(name) for name in ENVIRONMENT]]
        self.name = f"config-{hashlib.sha256(json.dumps(self.key[:2]).encode()).hexdigest()[:32]}.pickle"

    @classmethod
    def of(cls, path: Path, content: bytes) -> ConfigSource | None:
        """The source of the config read from ``path`` as ``content``; None when the cache is off."""
        if not enabled():
            return None
        try:
            return cls(path, path.resolve(), content)
        except (OSError, RuntimeError) as exc:
            log.debug("config cache: %s not resolved (%s)", path, exc)
            return None

    def cached(self, usable: Callable[[object], bool]) -> Any:
        """The config of this source's entry when the entry matches and ``usable(config)`` says yes (its plan is
        then remembered for `remembered_plan`); else None."""
        entry = self._read()
        if entry is None:
            return None
        config, plan, templates = entry
        if not usable(config):
            log.debug("config cache: %s no longer passes the checks outside the config file", self.key[0])
            return None
        self.remember(config, plan, templates)
        return config

    def remember(self, config: object, plan: Plan | None = None, templates: Any = None) -> None:
        """Note that ``config`` was read from this source (so `keep_plan` writes its entry), with its plan if known."""
        key = id(config)
        forget = partial(_KNOWN.pop, key, None)  # (the dict itself, not the global: a config may go at shutdown)
        _KNOWN[key] = _Known(weakref.ref(config, lambda _gone: forget()), self, plan, templates)

    def _read(self) -> tuple[Any, Plan | None, Any] | None:
        folder = _private_folder(create=False)
        if folder is None:
            return None
        path = folder / self.name
        try:
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.debug("config cache: %s not opened (%s)", path, exc)
            return None
        try:
            with os.fdopen(descriptor, "rb") as handle:
                status = os.fstat(handle.fileno())
                if not stat.S_ISREG(status.st_mode) or not _private(status):
                    log.debug("config cache: %s is not a file of this user's that only this user may write; not used", path)
                    return None
                head = json.loads(handle.readline())
                if not isinstance(head, dict) or head.get("format") != FORMAT or head.get("key") != self.key:
                    log.debug("config cache: %s was written for another config, okrsheets or environment", path)
                    return None
                payload = handle.read()
            if hashlib.sha256(payload).hexdigest() != head.get("payload"):
                log.debug("config cache: %s is damaged", path)
                return None
            config, plan = pickle.loads(payload)
            if plan is not None and not (isinstance(plan, tuple) and len(plan) == 2):
                return None
            return config, plan, head.get("templates")
        except Exception as exc:  # (whatever a damaged entry raises, it only means the normal path)
            log.debug("config cache: %s not read (%r)", path, exc)
            return None

    def write(self, config: object, plan: Plan, templates: Any) -> bool:
        """Keep ``config`` and its plan (built from template folders with these ``templates`` contents);
        whether it was written."""
        folder = _private_folder(create=True)
        if folder is None:
            return False
        try:
            payload = pickle.dumps((config, plan), protocol=5)
            head = {"format": FORMAT, "key": self.key, "templates": templates,
                    "payload": hashlib.sha256(payload).hexdigest()}

            def write(temporary: Path) -> None:
                with open(temporary, "wb") as handle:
                    handle.write(json.dumps(head).encode() + b"\n")
                    handle.write(payload)
                os.chmod(temporary, 0o600)  # (atomic_write gives a new file the umask's mode)

            remove_stale_temps(folder)  # (what a write killed midway left)
            atomic_write(folder / self.name, write)
        except Exception as exc:  # (a cache that cannot be written only means a parse next time)
            log.debug("config cache: %s not written (%r)", folder / self.name, exc)
            return False
        return True


def knows(config: object) -> bool:
    """Whether ``config`` was read from a file with the cache on (`config.load_config`)."""
    return _known(config) is not None


def remembered_plan(config: object, templates: Any) -> Plan | None:
    """The plan read with ``config`` from its entry, when it was built from template folders with these
    ``templates`` contents; else None. It is given out once and not kept here: the caller holds it as long as
    it needs it (the rollup lets go of its plan before writing the summary), and a second call builds it again."""
    known = _known(config)
    if known is None or known.plan is None or known.templates != templates:
        return None
    plan, known.plan = known.plan, None
    return plan


def keep_plan(config: object, plan: Plan, templates: Any) -> None:
    """Write the cache entry of a config read from a file, with its plan built from template folders with these
    ``templates`` contents (unless the entry on disk holds that already); nothing for another config."""
    known = _known(config)
    if known is None or known.templates == templates:
        return
    if known.source.write(config, plan, templates):
        known.templates = templates
