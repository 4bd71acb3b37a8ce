"""Safe file writes: atomic replace, and refusing files open in Excel or LibreOffice."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from okrsheets.errors import WorkbookLockedError


def office_lock_file(path: Path) -> Path | None:
    """The lock file Excel (``~$name.xlsx``) or LibreOffice (``.~lock.name.xlsx#``) keeps while ``path`` is open."""
    for candidate in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if candidate.exists():
            return candidate
    return None


def ensure_not_open(path: Path) -> None:
    lock = office_lock_file(path)
    if lock is not None:
        raise WorkbookLockedError(
            f"{path} is open in Excel or LibreOffice (lock file {lock.name}); close it and run again"
        )


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file in the same folder, then rename it over ``path``.

    A crash or error leaves ``path`` as it was; readers never see half a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600; colleagues sharing the folder must read it
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
