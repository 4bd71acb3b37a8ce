"""Everything the fake remembers: Drive files, spreadsheets, tokens, the clock."""

from __future__ import annotations

import datetime as _dt
import random
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .model import Sheet, Spreadsheet

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"
_ID_CHARS = string.ascii_letters + string.digits + "-_"


class FakeClock:
    """Wall-clock time the fake uses for tokens, quotas and file times.

    It follows real time from an offset; ``advance(seconds)`` jumps ahead and
    ``set(epoch)`` pins it. ``freeze()`` stops it (then only advance/set move it).
    """

    def __init__(self, start: float | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._frozen = frozen
        self._fixed = start if start is not None else time.time()
        self._offset = (start - time.time()) if start is not None else 0.0

    def now(self) -> float:
        with self._lock:
            return self._fixed if self._frozen else time.time() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._fixed += seconds
            self._offset += seconds

    def set(self, epoch: float) -> None:
        with self._lock:
            self._fixed = epoch
            self._offset = epoch - time.time()

    def freeze(self) -> None:
        with self._lock:
            self._fixed = time.time() + self._offset
            self._frozen = True

    def unfreeze(self) -> None:
        with self._lock:
            self._offset = self._fixed - time.time()
            self._frozen = False

    def rfc3339(self, epoch: float | None = None) -> str:
        value = self.now() if epoch is None else epoch
        dt = _dt.datetime.fromtimestamp(value, tz=_dt.timezone.utc)
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


@dataclass
class Permission:
    id: str
    type: str
    role: str
    email: str | None = None
    domain: str | None = None
    allow_discovery: bool = False
    display_name: str | None = None

    def full(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "drive#permission", "id": self.id, "type": self.type}
        if self.email:
            out["emailAddress"] = self.email
        if self.domain:
            out["domain"] = self.domain
        out["role"] = self.role
        if self.type in ("user", "group"):
            out["displayName"] = self.display_name or (self.email or "").split("@")[0]
            out["deleted"] = False
            out["pendingOwner"] = False
        if self.type in ("anyone", "domain"):
            out["allowFileDiscovery"] = self.allow_discovery
        return out


@dataclass
class DriveFile:
    id: str
    name: str
    mime_type: str
    parents: list[str]
    created: float
    modified: float
    owner: str
    app_properties: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    starred: bool = False
    trashed: bool = False
    permissions: list[Permission] = field(default_factory=list)
    content: bytes | None = None
    comments: list[dict[str, Any]] = field(default_factory=list)
    drive_id: str | None = None  # the shared drive holding the file; None in My Drive
    app: str | None = None  # the Cloud project whose app created it (None: made by a person in Drive)


@dataclass
class SharedDrive:
    """A shared drive: its files belong to the organisation, its members' roles apply to every file in it."""

    id: str
    name: str
    created: float
    members: list[Permission] = field(default_factory=list)


ROLE_RANK = {"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 5, "owner": 5}
EDIT_ROLES = ("writer", "fileOrganizer", "organizer", "owner")


class State:
    """All data, guarded by one lock (requests are applied one at a time)."""

    def __init__(self, clock: FakeClock, seed: int = 0) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.rng = random.Random(seed)
        self.files: dict[str, DriveFile] = {}
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.drives: dict[str, SharedDrive] = {}
        # the request being served (set under the lock): its app, and whether it sees only that app's files
        self.caller_app: str | None = None
        self.app_only: str | None = None
        self.root_id = "0A" + "".join(self.rng.choice(_ID_CHARS[:62]) for _ in range(17))
        self.notifications: list[dict[str, Any]] = []
        # Drive may answer a corpora=allDrives search with incompleteSearch (not every drive searched): set to
        # have the fake do so, leaving out the shared drives' files
        self.incomplete_all_drives = False

    def new_file_id(self) -> str:
        while True:
            fid = "1" + "".join(self.rng.choice(_ID_CHARS) for _ in range(43))
            if fid not in self.files:
                return fid

    def new_drive_id(self) -> str:
        while True:
            did = "0A" + "".join(self.rng.choice(_ID_CHARS[:62]) for _ in range(17)) + "Uk9PVA"
            if did not in self.drives and did not in self.files:
                return did

    def drive_of(self, parents: list[str]) -> str | None:
        """The shared drive a file with these parents lives in (None: My Drive)."""
        for parent in parents:
            if parent in self.drives:
                return parent
            folder = self.files.get(parent)
            if folder is not None and folder.drive_id:
                return folder.drive_id
        return None

    def new_id(self) -> int:
        return self.rng.randint(1, 2**31 - 1)

    def permission_id_for(self, email: str) -> str:
        rnd = random.Random(email.lower())
        return "".join(rnd.choice(string.digits) for _ in range(20))

    def create_spreadsheet(
        self,
        title: str,
        owner: str,
        *,
        parents: list[str] | None = None,
        file_id: str | None = None,
        sheets: list[dict[str, Any]] | None = None,
        locale: str | None = None,
        time_zone: str | None = None,
        app: str | None = None,
    ) -> tuple[DriveFile, Spreadsheet]:
        fid = file_id or self.new_file_id()
        ss = Spreadsheet(fid, title, locale=locale or "en_US", time_zone=time_zone or "Etc/GMT")
        ss.owner_email = owner
        if sheets:
            for i, spec in enumerate(sheets):
                props = spec.get("properties") or {}
                grid = props.get("gridProperties") or {}
                sid = props.get("sheetId")
                sheet = Sheet(
                    int(sid) if sid is not None else (0 if i == 0 else self.new_id()),
                    props.get("title") or f"Sheet{i + 1}",
                    i,
                    int(grid.get("rowCount") or 1000),
                    int(grid.get("columnCount") or 26),
                )
                ss.sheets.append(sheet)
        else:
            ss.sheets.append(Sheet(0, "Sheet1", 0))
        now = self.clock.now()
        drive_file = DriveFile(fid, title, SPREADSHEET_MIME, parents or [self.root_id], now, now, owner)
        drive_file.drive_id = self.drive_of(drive_file.parents)
        drive_file.app = app
        if drive_file.drive_id is None:  # files in a shared drive have no owner permission
            drive_file.permissions.append(self.owner_permission(owner))
        self.files[fid] = drive_file
        self.spreadsheets[fid] = ss
        return drive_file, ss

    def owner_permission(self, owner: str) -> Permission:
        return Permission(self.permission_id_for(owner), "user", "owner", email=owner)

    def in_trash(self, drive_file: DriveFile) -> bool:
        """Drive's ``trashed``: the file was put in the trash, or a folder above it was (``explicitlyTrashed``
        is the first only); a query for ``trashed = false`` does not find the files of a trashed folder."""
        seen: set[str] = set()
        current: DriveFile | None = drive_file
        while current is not None and current.id not in seen:
            if current.trashed:
                return True
            seen.add(current.id)
            current = next((self.files[p] for p in current.parents if p in self.files), None)
        return False

    def touch(self, file_id: str) -> None:
        drive_file = self.files.get(file_id)
        if drive_file is not None:
            drive_file.modified = self.clock.now()

    # -- access
    def role_of(self, drive_file: DriveFile, email: str | None, *, anyone: bool = True) -> str | None:
        """The strongest role ``email`` has on the file, or None.

        A role comes from the file's own permissions, from those of the folders
        above it (a shared folder shares what is inside), and for a file in a
        shared drive from the drive's membership.
        """
        best = best_role(drive_file.permissions, email, anyone)
        if drive_file.drive_id and drive_file.drive_id in self.drives:
            best = _stronger(best, best_role(self.drives[drive_file.drive_id].members, email, anyone))
        seen = {drive_file.id}
        parents = list(drive_file.parents)
        while parents:
            parent = self.files.get(parents.pop())
            if parent is None or parent.id in seen:
                continue
            seen.add(parent.id)
            inherited = best_role(parent.permissions, email, anyone)
            best = _stronger(best, "writer" if inherited == "owner" and drive_file.owner != email else inherited)
            parents.extend(parent.parents)
        return best


def _applies(perm: Permission, email: str | None, anyone: bool = True) -> bool:
    if perm.type == "anyone":
        return anyone
    if email is None:
        return False
    if (perm.email or "").lower() == email.lower():
        return True
    return perm.type == "domain" and email.lower().endswith("@" + (perm.domain or "").lower())


def best_role(permissions: list[Permission], email: str | None, anyone: bool = True) -> str | None:
    best: str | None = None
    for perm in permissions:
        if _applies(perm, email, anyone):
            best = _stronger(best, perm.role)
    return best


def _stronger(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if ROLE_RANK[b] > ROLE_RANK[a] else a
