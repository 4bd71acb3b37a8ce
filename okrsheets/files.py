"""Safe file writes: atomic replace, and refusing files open in Excel or LibreOffice."""

from __future__ import annotations

import errno
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from okrsheets.errors import BackendError, WorkbookLockedError

# How a command finds its config when --config is not given: this variable, else this file in the current
# folder (`config.find_config_path`; the quick provision re-run looks before the config module is imported).
CONFIG_ENV = "OKRSHEETS_CONFIG"
DEFAULT_CONFIG_NAME = "okrsheets.toml"

# The names atomic_write gives its temporary files: ".<stem>.<8 random characters of mkstemp><suffix>.tmp".
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}(\.[A-Za-z0-9]+)?\.tmp$")
# A temporary file untouched this long belongs to a killed run: no write of ours pauses for minutes.
STALE_TEMP_SECONDS = 600


def office_lock_file(path: Path) -> Path | None:
    """The lock file Excel (``~$name.xlsx``) or LibreOffice (``.~lock.name.xlsx#``) keeps while ``path`` is open."""
    for candidate in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if candidate.exists():
            return candidate
    return None


def file_version(path: str | os.PathLike[str]) -> str | None:
    """A file's version token: its size and mtime_ns (None when it cannot be stat'ed).

    Saving a workbook in Excel or LibreOffice, or copying a file over it, changes its mtime
    (a copy that keeps times, ``cp -p``, gives it the copied file's).
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


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


def remove_stale_temps(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete the temporary files a killed run of :func:`atomic_write` left in ``folder``.

    Only regular files named as atomic_write names them, and only those not
    modified for ``older_than`` seconds (a write in progress keeps its file
    fresh). Returns what was deleted; a file that cannot be deleted is left.
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    cutoff = time.time() - older_than
    removed = []
    for entry in entries:
        if not _TEMP_NAME.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_mtime > cutoff:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


_OS_ERRORS = {
    "vi": {
        "not_a_folder": "{path} là một tệp, không phải thư mục; đổi tên hoặc xóa tệp đó, hoặc sửa [backend] folder trong cấu hình",
        "is_a_folder": "{path} là một thư mục, không phải tệp; đổi tên hoặc xóa thư mục đó rồi chạy lại",
        "loop": "{path} là một liên kết (symlink) vòng lặp hoặc trỏ tới nơi không tồn tại; sửa hoặc xóa liên kết đó",
        "permission": "không có quyền ghi vào {path}; cho người dùng chạy okrsheets quyền ghi vào thư mục đó",
        "missing": "{path} không tồn tại (ổ đĩa hoặc thư mục mạng chưa được gắn?); kiểm tra [backend] folder trong cấu hình",
        "full": "ổ đĩa chứa {path} đã đầy; giải phóng dung lượng rồi chạy lại",
        "read_only": "{path} nằm trên ổ đĩa chỉ đọc; chọn một thư mục ghi được trong [backend] folder",
        "other": "không ghi được vào {path}: {why}",
    },
    "en": {
        "not_a_folder": "{path} is a file, not a folder; rename or remove that file, or fix [backend] folder in the config",
        "is_a_folder": "{path} is a folder, not a file; rename or remove that folder and run again",
        "loop": "{path} is a symbolic link that loops or leads nowhere; fix or remove the link",
        "permission": "no permission to write in {path}; give the user running okrsheets write access to that folder",
        "missing": "{path} does not exist (a disk or network share not mounted?); check [backend] folder in the config",
        "full": "the disk holding {path} is full; free some space and run again",
        "read_only": "{path} is on a read-only file system; choose a writable folder in [backend] folder",
        "other": "cannot write in {path}: {why}",
    },
}


def describe_os_error(error: OSError, path: Path | str | None = None, lang: str = "vi") -> str:
    """What went wrong on the file system and what to do, in the config's language (vi or en)."""
    words = _OS_ERRORS["en" if lang == "en" else "vi"]
    where = Path(path or error.filename or ".")
    if error.errno == errno.ELOOP or (_safely(where.is_symlink) and not os.path.exists(where)):
        key = "loop"
    elif isinstance(error, NotADirectoryError) or (isinstance(error, FileExistsError) and not _safely(where.is_dir)):
        key = "not_a_folder"
        where = _first_file(where)
    elif isinstance(error, IsADirectoryError):
        key = "is_a_folder"
    elif isinstance(error, PermissionError):
        key = "permission"
    elif isinstance(error, FileNotFoundError):
        key = "missing"
    elif error.errno == errno.ENOSPC:
        key = "full"
    elif error.errno == errno.EROFS:
        key = "read_only"
    else:
        key = "other"
    return words[key].format(path=where, why=error.strerror or error)


def _safely(test: Callable[[], bool]) -> bool:
    """A path test that says False instead of raising (no permission to look, for one)."""
    try:
        return test()
    except OSError:
        return False


def _first_file(path: Path) -> Path:
    """The part of ``path`` that is a file where a folder should be (``path`` itself if none is found)."""
    for part in reversed([path, *path.parents]):
        if _safely(part.exists) and not _safely(part.is_dir):
            return part
    return path


_NO_PARENT = {
    "vi": "{parent} không tồn tại (ổ đĩa hoặc thư mục mạng chưa được gắn?), nên không tạo {folder}; kiểm tra [backend] folder"
          " trong cấu hình",
    "en": "{parent} does not exist (a disk or network share not mounted?), so {folder} was not created; check [backend] folder"
          " in the config",
}
_CREATE_HINT = {
    "vi": ", hoặc chạy lại với --create nếu đúng là cần tạo thư mục mới",
    "en": ", or run again with --create if a new folder is really wanted",
}


def check_share_mounted(data_folder: Path, lang: str = "vi", create_hint: bool = False) -> None:
    """Refuse a data folder that is missing together with its parent: an unmounted network share.

    Creating it would fill the local disk instead, unnoticed. A BackendError in
    ``lang``; ``create_hint`` adds "run again with --create" (for commands that have it).
    """
    data_folder = Path(data_folder)
    if os.path.lexists(data_folder) or os.path.lexists(data_folder.parent):
        return
    lang = "en" if lang == "en" else "vi"
    message = _NO_PARENT[lang].format(parent=data_folder.parent, folder=data_folder)
    raise BackendError(message + (_CREATE_HINT[lang] if create_hint else ""))


def check_folder(folder: Path, lang: str = "vi") -> None:
    """Create ``folder`` if needed and make sure files can be written in it; else a BackendError that says why."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackendError(describe_os_error(exc, folder, lang)) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackendError(describe_os_error(PermissionError(errno.EACCES, "Permission denied", str(folder)), folder, lang))


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
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
