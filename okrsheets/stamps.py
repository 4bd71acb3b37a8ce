"""What a result kept from an earlier run depended on, told cheaply: okrsheets' own code, a folder's files.

The quick provision re-run (`jobs.provision_quick`) and the config cache
(`config_cache`) keep a result only as long as these are what they were.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import okrsheets


def code_identity() -> str:
    """okrsheets' version and the name, size and mtime_ns of each of its modules, hashed."""
    package = Path(okrsheets.__file__).parent
    files = []
    for folder, folders, names in os.walk(package):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                files.append([os.path.relpath(os.path.join(folder, name), package), stat.st_size, stat.st_mtime_ns])
    return hashlib.sha256(json.dumps([okrsheets.__version__, files]).encode()).hexdigest()


def folder_contents(folder: Path) -> list[list[Any]] | None:
    """Each entry of ``folder`` (sorted by name) with the SHA-256 of its bytes ("folder" for a folder, None for
    an entry that cannot be read); None when ``folder`` cannot be listed (it is missing, or not a folder).

    The bytes, not the size and time: a template file edited twice within a clock tick is told apart too.
    """
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    contents: list[list[Any]] = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            with open(path, "rb") as handle:
                digest: str | None = hashlib.sha256(handle.read()).hexdigest()
        except IsADirectoryError:
            digest = "folder"
        except OSError:
            digest = None
        contents.append([name, digest])
    return contents
