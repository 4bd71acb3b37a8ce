"""Drive v3 (files, permissions, comments) and the v2 media upload gspread's import_csv uses."""

from __future__ import annotations

import copy
import csv
import io
import re
from typing import Any

from . import fieldmask, schema
from .drive_query import QueryError, QueryParser, matches, order_key
from .errors import ApiError, drive_error, drive_not_found
from .model import Sheet
from .state import EDIT_ROLES, FOLDER_MIME, SPREADSHEET_MIME, DriveFile, Permission, SharedDrive, State, best_role

ROLES = ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader")
TYPES = ("user", "group", "domain", "anyone")
DRIVE_ROLES = ("organizer", "fileOrganizer", "writer", "commenter", "reader")
# Google's answer when a service account without Drive storage creates a file outside a shared drive.
NO_STORAGE = (
    "Service Accounts do not have storage quota. Leverage shared drives "
    "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), "
    "or use OAuth delegation (http://support.google.com/a/answer/7281227) instead."
)
STORAGE_LIMIT = str(15 * 1024**3)


def _one(query: dict[str, list[str]], key: str, default: str | None = None) -> str | None:
    values = query.get(key)
    return values[-1] if values else default


def _flag(query: dict[str, list[str]], key: str, default: bool = False) -> bool:
    value = _one(query, key)
    if value is None:
        return default
    return value.lower() in ("true", "1")


def user_out(state: State, email: str, me: str | None) -> dict[str, Any]:
    out = {
        "kind": "drive#user",
        "displayName": email,
        "me": email == me,
        "permissionId": state.permission_id_for(email),
        "emailAddress": email,
    }
    return out


def file_full(state: State, f: DriveFile, me: str | None) -> dict[str, Any]:
    """Every field the fake knows for a file (what ``fields=*`` returns)."""
    role = state.role_of(f, me) or "reader"
    can_edit = role in EDIT_ROLES
    in_drive = f.drive_id is not None
    out: dict[str, Any] = {
        "kind": "drive#file",
        "id": f.id,
        "name": f.name,
        "mimeType": f.mime_type,
        "starred": f.starred,
        "trashed": state.in_trash(f),
        "explicitlyTrashed": f.trashed,
        "parents": list(f.parents),
        "spaces": ["drive"],
        "version": "1",
        "webViewLink": (
            f"https://docs.google.com/spreadsheets/d/{f.id}/edit?usp=drivesdk"
            if f.mime_type == SPREADSHEET_MIME
            else f"https://drive.google.com/drive/folders/{f.id}"
        ),
        "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{f.mime_type}",
        "hasThumbnail": False,
        "viewedByMe": True,
        "createdTime": state.clock.rfc3339(f.created),
        "modifiedTime": state.clock.rfc3339(f.modified),
        "modifiedByMe": True,
        "owners": [user_out(state, f.owner, me)],
        "lastModifyingUser": user_out(state, f.owner, me),
        "shared": len(f.permissions) > 1,
        "ownedByMe": f.owner == me,
        "capabilities": {
            "canEdit": can_edit,
            "canComment": can_edit or role == "commenter",
            "canShare": can_edit,
            "canCopy": True,
            "canDelete": role == "organizer" if in_drive else role == "owner",
            "canTrash": role in ("organizer", "fileOrganizer") if in_drive else role == "owner",
            "canRename": can_edit,
            "canAddChildren": can_edit and f.mime_type == FOLDER_MIME,
        },
        "viewersCanCopyContent": True,
        "copyRequiresWriterPermission": False,
        "writersCanShare": True,
        "permissions": [p.full() for p in f.permissions],
        "permissionIds": [p.id for p in f.permissions],
        "quotaBytesUsed": "0",
        "isAppAuthorized": False,
    }
    if f.drive_id is not None:  # in_drive: files in a shared drive belong to it, not to a person
        out["driveId"] = f.drive_id
        del out["owners"], out["ownedByMe"]
        out["permissions"] = [p.full() for p in state.drives[f.drive_id].members] + out["permissions"]
        out["permissionIds"] = [p["id"] for p in out["permissions"]]
    if f.description:
        out["description"] = f.description
    if f.app_properties:
        out["appProperties"] = dict(f.app_properties)
    if f.properties:
        out["properties"] = dict(f.properties)
    return out


DEFAULT_FILE_FIELDS = fieldmask.parse("kind,id,name,mimeType")


def _check_fields(text: str | None, schema_name: str) -> fieldmask.Tree | None:
    if not text:
        return None
    try:
        tree = fieldmask.parse(text)
    except fieldmask.MaskError:
        raise drive_error(400, f"Invalid field selection {text}", "invalidParameter", location="fields") from None
    doc = schema.load("drive")
    if doc is not None and tree is not None:
        props = doc["schemas"][schema_name]["properties"]
        for key, sub in tree.items():
            if key == "*":
                continue
            if key not in props:
                raise drive_error(400, f"Invalid field selection {key}", "invalidParameter", location="fields")
            item = props[key].get("items", props[key])
            ref = item.get("$ref")
            if sub and ref:
                for sub_key in sub:
                    if sub_key != "*" and sub_key not in doc["schemas"][ref].get("properties", {}):
                        raise drive_error(400, f"Invalid field selection {sub_key}", "invalidParameter", location="fields")
    return tree


def render_file(state: State, f: DriveFile, me: str | None, fields: str | None) -> dict[str, Any]:
    tree = _check_fields(fields, "File") if fields else DEFAULT_FILE_FIELDS
    return fieldmask.apply(file_full(state, f, me), tree)


def supports_all_drives(query: dict[str, list[str]] | None) -> bool:
    """``supportsAllDrives`` (or the deprecated ``supportsTeamDrives``): without it shared-drive items are not found."""
    return query is not None and (_flag(query, "supportsAllDrives") or _flag(query, "supportsTeamDrives"))


def insufficient(file_id: str) -> ApiError:
    return drive_error(403, f"The user does not have sufficient permissions for file {file_id}.", "insufficientFilePermissions")


def visible_file(
    state: State, file_id: str, me: str | None, *, need: str = "reader", query: dict[str, list[str]] | None = None
) -> DriveFile:
    """The file, or Drive's 404 (not visible to ``me``, or in a shared drive without supportsAllDrives) or 403."""
    f = state.files.get(file_id)
    if f is None:
        raise drive_not_found(file_id)
    role = state.role_of(f, me)
    if role is None or (f.drive_id and query is not None and not supports_all_drives(query)):
        raise drive_not_found(file_id)
    if state.app_only is not None and f.app != state.app_only:  # drive.file: only what this app created
        raise drive_not_found(file_id)
    if need == "writer" and role not in EDIT_ROLES:
        raise insufficient(file_id)
    if need == "owner" and role != "owner":
        raise insufficient(file_id)
    if need == "delete" and role != ("organizer" if f.drive_id else "owner"):
        raise insufficient(file_id)
    if need == "trash" and role not in (("organizer", "fileOrganizer") if f.drive_id else ("owner",)):
        raise insufficient(file_id)
    return f


def check_parents(state: State, me: str, parents: list[str], query: dict[str, list[str]], *, storage: bool) -> str | None:
    """Where a new file may go: every parent visible and writable; returns its shared drive (None: My Drive).

    Outside a shared drive the file counts against its creator's storage, so
    a service account without Drive storage gets Google's 403 ``storageQuotaExceeded``.
    """
    for parent in parents:
        if parent == state.root_id:
            continue
        drive = state.drives.get(parent)
        if drive is not None:
            role = _member_role(drive, me)
            if role is None or not supports_all_drives(query):
                raise drive_not_found(parent)
            if role not in EDIT_ROLES:
                raise insufficient(parent)
            continue
        folder = state.files.get(parent)
        if folder is None or folder.mime_type != FOLDER_MIME:
            raise drive_not_found(parent)
        visible_file(state, parent, me, need="writer", query=query)
    drive_id = state.drive_of(parents)
    if drive_id is None and not storage:
        raise drive_error(403, NO_STORAGE, "storageQuotaExceeded", domain="usageLimits")
    return drive_id


def _member_role(drive: SharedDrive, me: str | None) -> str | None:
    return best_role(drive.members, me)


# ------------------------------------------------------------------ files

def files_create(
    state: State, me: str, query: dict[str, list[str]], body: dict[str, Any], *, storage: bool = True
) -> dict[str, Any]:
    name = body.get("name") or "Untitled"
    mime = body.get("mimeType") or "application/octet-stream"
    parents = body.get("parents") or [state.root_id]
    drive_id = check_parents(state, me, parents, query, storage=storage)
    if mime == SPREADSHEET_MIME:
        f, _ = state.create_spreadsheet(name, me, parents=parents, app=state.caller_app)
    else:
        now = state.clock.now()
        f = DriveFile(state.new_file_id(), name, mime, parents, now, now, me, drive_id=drive_id, app=state.caller_app)
        if drive_id is None:
            f.permissions.append(state.owner_permission(me))
        state.files[f.id] = f
    f.app_properties = {k: str(v) for k, v in (body.get("appProperties") or {}).items() if v is not None}
    f.properties = {k: str(v) for k, v in (body.get("properties") or {}).items() if v is not None}
    f.description = body.get("description")
    f.starred = bool(body.get("starred"))
    return render_file(state, f, me, _one(query, "fields"))


def files_get(state: State, me: str, file_id: str, query: dict[str, list[str]]) -> dict[str, Any]:
    f = visible_file(state, file_id, me, query=query)
    return render_file(state, f, me, _one(query, "fields"))


def files_delete(state: State, me: str, file_id: str, query: dict[str, list[str]] | None = None) -> None:
    f = visible_file(state, file_id, me, need="delete", query=query if query is not None else {"supportsAllDrives": ["true"]})
    del state.files[f.id]
    state.spreadsheets.pop(f.id, None)
    for child in [c for c in state.files.values() if f.id in c.parents]:
        if child.id in state.files:
            del state.files[child.id]
            state.spreadsheets.pop(child.id, None)


def files_update(state: State, me: str, file_id: str, query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
    f = visible_file(state, file_id, me, need="trash" if body.get("trashed") else "writer", query=query)
    if body.get("name") is not None:
        f.name = body["name"]
        ss = state.spreadsheets.get(f.id)
        if ss is not None:
            ss.props["title"] = f.name
    if body.get("description") is not None:
        f.description = body["description"]
    if body.get("starred") is not None:
        f.starred = bool(body["starred"])
    if body.get("trashed") is not None:
        f.trashed = bool(body["trashed"])
    for key, attr in (("appProperties", "app_properties"), ("properties", "properties")):
        if body.get(key):
            store = getattr(f, attr)
            for k, v in body[key].items():
                if v is None:
                    store.pop(k, None)
                else:
                    store[k] = str(v)
    add = [p for p in (_one(query, "addParents") or "").split(",") if p]
    remove = [p for p in (_one(query, "removeParents") or "").split(",") if p]
    f.parents = [p for p in f.parents if p not in remove] + [p for p in add if p not in f.parents]
    f.modified = state.clock.now()
    return render_file(state, f, me, _one(query, "fields"))


def files_copy(
    state: State, me: str, file_id: str, query: dict[str, list[str]], body: dict[str, Any], *, storage: bool = True
) -> dict[str, Any]:
    src = visible_file(state, file_id, me, query=query)
    name = body.get("name") or f"Copy of {src.name}"
    parents = body.get("parents") or list(src.parents)
    drive_id = check_parents(state, me, parents, query, storage=storage)
    if src.mime_type == SPREADSHEET_MIME:
        f, ss = state.create_spreadsheet(name, me, parents=parents, app=state.caller_app)
        original = state.spreadsheets[src.id]
        copied = copy.deepcopy(original)
        copied.id = f.id
        copied.props["title"] = name
        copied.owner_email = me
        state.spreadsheets[f.id] = copied
    else:
        now = state.clock.now()
        f = DriveFile(state.new_file_id(), name, src.mime_type, parents, now, now, me, content=src.content, drive_id=drive_id, app=state.caller_app)
        if drive_id is None:
            f.permissions.append(state.owner_permission(me))
        state.files[f.id] = f
    f.app_properties = dict(src.app_properties)
    f.app_properties.update({k: str(v) for k, v in (body.get("appProperties") or {}).items() if v is not None})
    f.properties = dict(src.properties)
    f.description = body.get("description") or src.description
    return render_file(state, f, me, _one(query, "fields"))


def _corpus(state: State, me: str, query: dict[str, list[str]]) -> tuple[str, str | None, bool]:
    """``corpora``, ``driveId`` and whether shared-drive items are included, checked as Drive does."""
    corpora = _one(query, "corpora") or "user"
    drive_id = _one(query, "driveId")
    include = _flag(query, "includeItemsFromAllDrives") or _flag(query, "includeTeamDriveItems")
    if corpora not in ("user", "drive", "domain", "allDrives"):
        raise drive_error(400, "Invalid Value", "invalid", location="corpora")
    if corpora == "drive" or drive_id:
        if corpora != "drive" or not drive_id:
            raise drive_error(400, "The driveId parameter must be specified if and only if corpora is set to drive.", "invalid", location="driveId")
        if not include:
            raise drive_error(
                400, "The includeItemsFromAllDrives parameter must be set to true when driveId is specified.",
                "invalid", location="includeItemsFromAllDrives",
            )
        drive = state.drives.get(drive_id)
        if drive is None or _member_role(drive, me) is None:
            raise drive_error(404, f"Shared drive not found: {drive_id}", "notFound", location="driveId")
    return corpora, drive_id, include


def files_list(state: State, me: str, query: dict[str, list[str]]) -> dict[str, Any]:
    corpora, drive_id, include_drives = _corpus(state, me, query)
    q = _one(query, "q")
    node = None
    if q:
        try:
            node = QueryParser(q).parse()
        except QueryError:
            raise drive_error(400, "Invalid Value", "invalid", location="q") from None
    candidates = []
    incomplete = corpora == "allDrives" and state.incomplete_all_drives
    for f in state.files.values():
        if f.drive_id is not None and (not include_drives or (corpora == "drive" and f.drive_id != drive_id) or incomplete):
            continue
        if corpora == "drive" and f.drive_id is None:
            continue
        if state.role_of(f, me, anyone=False) is None:  # anyone-with-link files are not listed
            continue
        if state.app_only is not None and f.app != state.app_only:
            continue
        try:
            if node is None or matches(state, f, node):
                candidates.append(f)
        except QueryError:
            raise drive_error(400, "Invalid Value", "invalid", location="q") from None
        except TypeError:
            raise drive_error(400, "Invalid Value", "invalid", location="q") from None
    order = _one(query, "orderBy")
    if order:
        candidates.sort(key=lambda f: order_key(state, f, order))
    else:
        candidates.sort(key=lambda f: (f.modified, f.created), reverse=True)
    page_size = int(_one(query, "pageSize", "100") or 100)
    if not 1 <= page_size <= 1000:
        raise drive_error(400, f"Invalid value '{page_size}'. Values must be within the range: [1, 1000]", "invalid", location="pageSize")
    start = int(_one(query, "pageToken") or 0) if (_one(query, "pageToken") or "").isdigit() else 0
    page = candidates[start : start + page_size]
    out: dict[str, Any] = {"kind": "drive#fileList"}
    if start + page_size < len(candidates):
        out["nextPageToken"] = str(start + page_size)
    out["incompleteSearch"] = incomplete
    out["files"] = [file_full(state, f, me) for f in page]
    fields = _one(query, "fields")
    if fields:
        try:
            tree = fieldmask.parse(fields)
        except fieldmask.MaskError:
            raise drive_error(400, f"Invalid field selection {fields}", "invalidParameter", location="fields") from None
        if tree and "files" in tree and tree["files"]:
            _check_fields(",".join(tree["files"]), "File")
        return fieldmask.apply(out, tree)
    out["files"] = [fieldmask.apply(f, DEFAULT_FILE_FIELDS) for f in out["files"]]
    return out


# ------------------------------------------------------------------ export / import

def files_export(state: State, me: str, file_id: str, query: dict[str, list[str]]) -> tuple[bytes, str]:
    f = visible_file(state, file_id, me)
    mime = _one(query, "mimeType")
    if not mime:
        raise drive_error(400, "Required parameter: mimeType", "required", location="mimeType")
    ss = state.spreadsheets.get(f.id)
    if ss is None:
        raise drive_error(403, "Export only supports Docs Editors files.", "fileNotExportable")
    if mime not in ("text/csv", "text/tab-separated-values"):
        raise ApiError(501, f"The okrsheets offline fake does not export {mime}.", "UNIMPLEMENTED")
    sheet = ss.ordered_sheets()[0]
    rows = ss.read_grid(sheet, 0, sheet.rows, 0, sheet.cols, "FORMATTED_VALUE", "FORMATTED_STRING", "ROWS")
    width = max((len(r) for r in rows), default=0)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="," if mime == "text/csv" else "\t", lineterminator="\r\n")
    for row in rows:
        writer.writerow([str(v) for v in row] + [""] * (width - len(row)))
    return buf.getvalue().rstrip("\r\n").encode("utf-8"), mime


def upload_v2(state: State, me: str, file_id: str, query: dict[str, list[str]], data: bytes, content_type: str) -> dict[str, Any]:
    """``PUT upload/drive/v2/files/{id}?uploadType=media&convert=true``: replace by a CSV."""
    f = visible_file(state, file_id, me, need="writer")
    ss = state.spreadsheets.get(f.id)
    if ss is None or not _flag(query, "convert"):
        f.content = data
    else:
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        sheet = Sheet(state.new_id(), f.name, 0, max(1000, len(rows)), max(26, max((len(r) for r in rows), default=0)))
        from . import cellvalues

        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                uev, number_format = cellvalues.parse_user_entered(value, ss.locale)
                if uev is None:
                    continue
                cell: dict[str, Any] = {"userEnteredValue": uev}
                if number_format:
                    cell["userEnteredFormat"] = {"numberFormat": number_format}
                sheet.cells[(r, c)] = cell
        ss.sheets = [sheet]
        ss.named_ranges = []
        ss.developer_metadata = []
        ss.props["timeZone"] = "America/Los_Angeles"
    f.modified = state.clock.now()
    return file_v2(state, f, me)


def file_v2(state: State, f: DriveFile, me: str) -> dict[str, Any]:
    base = "https://www.googleapis.com/drive/v2/files"
    export = "https://docs.google.com/spreadsheets/export?id=" + f.id + "&exportFormat="
    owner = {
        "displayName": f.owner,
        "kind": "drive#user",
        "isAuthenticatedUser": f.owner == me,
        "permissionId": state.permission_id_for(f.owner),
        "emailAddress": f.owner,
        "picture": {"url": "https://lh3.googleusercontent.com/a/default-user=s64"},
    }
    created = state.clock.rfc3339(f.created)
    modified = state.clock.rfc3339(f.modified)
    return {
        "kind": "drive#file",
        "userPermission": {
            "id": "me", "type": "user", "role": state.role_of(f, me) or "reader", "kind": "drive#permission",
            "selfLink": f"{base}/{f.id}/permissions/me", "etag": f'"{f.id[:27]}"', "pendingOwner": False,
        },
        "selfLink": f"{base}/{f.id}",
        "ownerNames": [f.owner],
        "lastModifyingUserName": f.owner,
        "editable": True,
        "writersCanShare": True,
        "mimeType": f.mime_type,
        "exportLinks": {
            "application/x-vnd.oasis.opendocument.spreadsheet": export + "ods",
            "text/tab-separated-values": export + "tsv",
            "application/pdf": export + "pdf",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": export + "xlsx",
            "text/csv": export + "csv",
            "application/zip": export + "zip",
            "application/vnd.oasis.opendocument.spreadsheet": export + "ods",
        },
        "parents": [
            {
                "selfLink": f"{base}/{f.id}/parents/{p}", "id": p, "isRoot": p == state.root_id,
                "kind": "drive#parentReference", "parentLink": f"{base}/{p}",
            }
            for p in f.parents
        ],
        "thumbnailLink": f"https://docs.google.com/feeds/vt?gd=true&id={f.id}&v=1&s=&sz=s220",
        "appDataContents": False,
        "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{f.mime_type}",
        "shared": len(f.permissions) > 1,
        "lastModifyingUser": owner,
        "owners": [owner],
        "copyable": True,
        "etag": f'"{f.id[:18]}"',
        "alternateLink": f"https://docs.google.com/spreadsheets/d/{f.id}/edit?usp=drivesdk",
        "embedLink": f"https://docs.google.com/spreadsheets/d/{f.id}/htmlembed?ouid={state.permission_id_for(f.owner)}",
        "fileSize": "1024",
        "copyRequiresWriterPermission": False,
        "spaces": ["drive"],
        "id": f.id,
        "title": f.name,
        "labels": {"viewed": True, "restricted": False, "starred": f.starred, "hidden": False, "trashed": state.in_trash(f)},
        "explicitlyTrashed": f.trashed,
        "createdDate": created,
        "modifiedDate": modified,
        "modifiedByMeDate": modified,
        "lastViewedByMeDate": modified,
        "markedViewedByMeDate": "1970-01-01T00:00:00.000Z",
        "quotaBytesUsed": "1024",
        "version": "5",
        "capabilities": {"canEdit": True, "canCopy": True},
    }


# ------------------------------------------------------------------ permissions

def permissions_create(state: State, me: str, file_id: str, query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
    if file_id in state.drives:
        return drive_member_create(state, me, state.drives[file_id], query, body)
    f = visible_file(state, file_id, me, need="writer", query=query)
    ptype = body.get("type")
    role = body.get("role")
    if not ptype:
        raise drive_error(400, "The permission type field is required.", "required", location="permission.type", location_type="other")
    if not role:
        raise drive_error(400, "The permission role field is required.", "required", location="permission.role", location_type="other")
    if ptype not in TYPES:
        raise drive_error(400, "Invalid permission type.", "invalid", location="permission.type", location_type="other")
    if role not in ROLES:
        raise drive_error(400, "Invalid permission role.", "invalid", location="permission.role", location_type="other")
    email = body.get("emailAddress")
    domain = body.get("domain")
    if ptype in ("user", "group") and not email:
        raise drive_error(400, "The permission emailAddress field is required.", "required", location="permission.emailAddress", location_type="other")
    if ptype in ("user", "group") and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email or ""):
        raise drive_error(400, f"Invalid sharing request: the email address {email} is not valid.", "invalidSharingRequest")
    if ptype == "domain" and not domain:
        raise drive_error(400, "The domain field is required for permissions of type 'domain'.", "required", location="permission.domain", location_type="other")
    if ptype in ("anyone", "domain") and _one(query, "sendNotificationEmail") is not None:
        raise drive_error(
            403,
            "The sendNotificationEmail parameter is only applicable for permissions of type 'user' or 'group', "
            "and must not be disabled for ownership transfers.",
            "forbidden", location="sendNotificationEmail",
        )
    if role == "owner" and not _flag(query, "transferOwnership"):
        raise drive_error(
            403,
            "The transferOwnership parameter must be enabled when the permission role is 'owner'.",
            "forbidden",
            location="transferOwnership",
        )
    if ptype in ("anyone", "domain") and role in ("owner", "organizer", "fileOrganizer"):
        raise drive_error(400, "The provided role is not allowed for this permission type.", "invalid", location="permission.role", location_type="other")
    notify = _flag(query, "sendNotificationEmail", default=ptype in ("user", "group"))
    if ptype == "anyone":
        pid = "anyoneWithLink" if not body.get("allowFileDiscovery") else "anyone"
    elif ptype == "domain":
        pid = state.permission_id_for("domain:" + str(domain))
    else:
        pid = state.permission_id_for(str(email))
    existing = next((p for p in f.permissions if p.id == pid), None)
    if existing is not None and existing.role == "owner" and role != "owner":
        raise drive_error(403, "The owner of a file cannot be downgraded.", "forbidden")
    if existing is None:
        existing = Permission(pid, ptype, role, email=email, domain=domain, allow_discovery=bool(body.get("allowFileDiscovery")))
        f.permissions.append(existing)
    else:
        existing.role = role
    if role == "owner":
        for perm in f.permissions:
            if perm.role == "owner" and perm is not existing:
                perm.role = "writer"
        f.owner = str(email)
    if notify and ptype in ("user", "group"):
        state.notifications.append(
            {"to": email, "file_id": f.id, "role": role, "message": _one(query, "emailMessage")}
        )
    full = existing.full()
    fields = _one(query, "fields")
    if fields:
        return fieldmask.apply(full, _check_fields(fields, "Permission"))
    return {k: full[k] for k in ("kind", "id", "type", "role") if k in full}


def permissions_list(state: State, me: str, file_id: str, query: dict[str, list[str]]) -> dict[str, Any]:
    if file_id in state.drives:
        drive = _visible_drive(state, me, file_id, query)
        out: dict[str, Any] = {"kind": "drive#permissionList", "permissions": [p.full() for p in drive.members]}
    else:
        f = visible_file(state, file_id, me, query=query)
        out = {"kind": "drive#permissionList", "permissions": [p.full() for p in f.permissions]}
    fields = _one(query, "fields")
    if fields:
        return fieldmask.apply(out, fieldmask.parse(fields))
    out["permissions"] = [{k: p[k] for k in ("kind", "id", "type", "role") if k in p} for p in out["permissions"]]
    return out


def _permission(f: DriveFile, permission_id: str) -> Permission:
    for perm in f.permissions:
        if perm.id == permission_id:
            return perm
    raise drive_error(404, f"Permission not found: {permission_id}.", "notFound", location="permissionId")


def permissions_get(state: State, me: str, file_id: str, permission_id: str, query: dict[str, list[str]]) -> dict[str, Any]:
    f = visible_file(state, file_id, me, query=query)
    full = _permission(f, permission_id).full()
    fields = _one(query, "fields")
    if fields:
        return fieldmask.apply(full, fieldmask.parse(fields))
    return {k: full[k] for k in ("kind", "id", "type", "role") if k in full}


def permissions_update(state: State, me: str, file_id: str, permission_id: str, query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
    f = visible_file(state, file_id, me, need="writer", query=query)
    perm = _permission(f, permission_id)
    if body.get("role"):
        if body["role"] not in ROLES:
            raise drive_error(400, "Invalid permission role.", "invalid", location="permission.role", location_type="other")
        perm.role = body["role"]
    full = perm.full()
    return {k: full[k] for k in ("kind", "id", "type", "role") if k in full}


def permissions_delete(state: State, me: str, file_id: str, permission_id: str) -> None:
    f = visible_file(state, file_id, me, need="writer")
    perm = _permission(f, permission_id)
    if perm.role == "owner":
        raise drive_error(403, "The owner of a file cannot be removed.", "cannotRemoveOwner")
    f.permissions.remove(perm)


# ------------------------------------------------------------------ comments

def comments_list(state: State, me: str, file_id: str, query: dict[str, list[str]]) -> dict[str, Any]:
    f = visible_file(state, file_id, me)
    fields = _one(query, "fields")
    if not fields:
        raise drive_error(
            400, "The 'fields' parameter is required for this method.", "required", location="fields"
        )
    out = {"kind": "drive#commentList", "comments": copy.deepcopy(f.comments)}
    return fieldmask.apply(out, fieldmask.parse(fields))


def comments_create(state: State, me: str, file_id: str, query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
    f = visible_file(state, file_id, me)
    fields = _one(query, "fields")
    if not fields:
        raise drive_error(400, "The 'fields' parameter is required for this method.", "required", location="fields")
    comment = {
        "kind": "drive#comment",
        "id": "AAAA" + "".join(state.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(10)),
        "createdTime": state.clock.rfc3339(),
        "modifiedTime": state.clock.rfc3339(),
        "author": {"kind": "drive#user", "displayName": me, "me": True},
        "content": body.get("content") or "",
        "deleted": False,
        "resolved": False,
    }
    if body.get("anchor"):
        comment["anchor"] = body["anchor"]
    f.comments.append(comment)
    return fieldmask.apply(comment, fieldmask.parse(fields))


# ------------------------------------------------------------------ shared drives and the signed-in user

def _drive_out(drive: SharedDrive, role: str | None, state: State) -> dict[str, Any]:
    return {
        "kind": "drive#drive",
        "id": drive.id,
        "name": drive.name,
        "createdTime": state.clock.rfc3339(drive.created),
        "hidden": False,
        "capabilities": {
            "canAddChildren": role in EDIT_ROLES,
            "canManageMembers": role == "organizer",
            "canDeleteDrive": role == "organizer",
            "canRenameDrive": role == "organizer",
            "canShare": role in ("organizer", "fileOrganizer"),
        },
    }


def _visible_drive(state: State, me: str, drive_id: str, query: dict[str, list[str]] | None) -> SharedDrive:
    drive = state.drives.get(drive_id)
    if drive is None or _member_role(drive, me) is None or (query is not None and not supports_all_drives(query)):
        raise drive_error(404, f"Shared drive not found: {drive_id}", "notFound", location="driveId")
    return drive


def drives_create(state: State, me: str, query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
    """``drives.create``: the creator becomes its manager (organizer)."""
    if not _one(query, "requestId"):
        raise drive_error(400, "Required parameter: requestId", "required", location="requestId")
    drive = SharedDrive(state.new_drive_id(), body.get("name") or "Untitled", state.clock.now())
    drive.members.append(Permission(state.permission_id_for(me), "user", "organizer", email=me))
    state.drives[drive.id] = drive
    return fieldmask.apply(_drive_out(drive, "organizer", state), _drive_fields(query))


def drives_get(state: State, me: str, drive_id: str, query: dict[str, list[str]]) -> dict[str, Any]:
    drive = _visible_drive(state, me, drive_id, None)
    return fieldmask.apply(_drive_out(drive, _member_role(drive, me), state), _drive_fields(query))


def drives_list(state: State, me: str, query: dict[str, list[str]]) -> dict[str, Any]:
    mine = [d for d in state.drives.values() if _member_role(d, me) is not None]
    out: dict[str, Any] = {"kind": "drive#driveList", "drives": [_drive_out(d, _member_role(d, me), state) for d in mine]}
    fields = _one(query, "fields")
    if fields:
        return fieldmask.apply(out, fieldmask.parse(fields))
    out["drives"] = [{k: d[k] for k in ("kind", "id", "name")} for d in out["drives"]]
    return out


def _drive_fields(query: dict[str, list[str]]) -> fieldmask.Tree | None:
    fields = _one(query, "fields")
    return _check_fields(fields, "Drive") if fields else fieldmask.parse("kind,id,name")


def drive_member_create(state: State, me: str, drive: SharedDrive, query: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
    """A permission on a shared drive's ID adds a member; only a manager (organizer) may."""
    _visible_drive(state, me, drive.id, query)
    if _member_role(drive, me) != "organizer":
        raise drive_error(403, f"The user does not have sufficient permissions for file {drive.id}.", "insufficientFilePermissions")
    role, ptype, email = body.get("role"), body.get("type") or "user", body.get("emailAddress")
    if role not in DRIVE_ROLES:
        raise drive_error(400, "Invalid permission role.", "invalid", location="permission.role", location_type="other")
    if ptype in ("user", "group") and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email or ""):
        raise drive_error(400, f"Invalid sharing request: the email address {email} is not valid.", "invalidSharingRequest")
    pid = state.permission_id_for(str(email) if ptype in ("user", "group") else f"{ptype}:{body.get('domain')}")
    member = next((m for m in drive.members if m.id == pid), None)
    if member is None:
        member = Permission(pid, ptype, role, email=email, domain=body.get("domain"))
        drive.members.append(member)
    else:
        member.role = role
    if _flag(query, "sendNotificationEmail", default=ptype in ("user", "group")) and email:
        state.notifications.append({"to": email, "file_id": drive.id, "role": role, "message": _one(query, "emailMessage")})
    full = member.full()
    return {k: full[k] for k in ("kind", "id", "type", "role") if k in full}


def about_get(state: State, me: str, query: dict[str, list[str]], *, storage: bool = True) -> dict[str, Any]:
    """``about.get``: who the caller is; ``fields`` is required, as in Drive."""
    fields = _one(query, "fields")
    if not fields:
        raise drive_error(400, "The 'fields' parameter is required for this method.", "required", location="fields")
    out = {
        "kind": "drive#about",
        "user": user_out(state, me, me),
        "storageQuota": {"limit": STORAGE_LIMIT if storage else "0", "usage": "0", "usageInDrive": "0", "usageInDriveTrash": "0"},
        "canCreateDrives": True,
    }
    try:
        tree = fieldmask.parse(fields)
    except fieldmask.MaskError:
        raise drive_error(400, f"Invalid field selection {fields}", "invalidParameter", location="fields") from None
    _check_fields_of(tree, "About")
    return fieldmask.apply(out, tree)


def _check_fields_of(tree: fieldmask.Tree | None, schema_name: str) -> None:
    doc = schema.load("drive")
    if doc is None or tree is None:
        return
    props = doc["schemas"][schema_name]["properties"]
    for key in tree:
        if key != "*" and key not in props:
            raise drive_error(400, f"Invalid field selection {key}", "invalidParameter", location="fields")
