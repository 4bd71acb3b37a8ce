"""OAuth scopes, enforced as Google does for the scopes okrsheets could ask for.

* Drive needs a ``drive*`` scope, Sheets a ``spreadsheets*`` or ``drive*`` one;
  without, Google's 403 "Request had insufficient authentication scopes."
  (``ACCESS_TOKEN_SCOPE_INSUFFICIENT``); a ``.readonly`` scope cannot write.
* ``drive.file`` alone reaches only the files the same app (Cloud project)
  created: any other file or folder, even one shared with the caller, is
  Drive's 404. With ``spreadsheets`` as well, Sheets still opens every
  spreadsheet the caller may open.

A token without recorded scopes (``FakeGoogle.issue_token``, the replay) is not checked.
"""

from __future__ import annotations

from .errors import ApiError, drive_error

AUTH = "https://www.googleapis.com/auth/"
DRIVE_FULL = {AUTH + "drive", AUTH + "drive.readonly"}
DRIVE_WRITE = {AUTH + "drive", AUTH + "drive.file"}
DRIVE_ANY = DRIVE_FULL | {AUTH + "drive.file", AUTH + "drive.metadata", AUTH + "drive.metadata.readonly", AUTH + "drive.appdata"}
SHEETS_ANY = {AUTH + "spreadsheets", AUTH + "spreadsheets.readonly"} | DRIVE_FULL | {AUTH + "drive.file"}
SHEETS_WRITE = {AUTH + "spreadsheets", AUTH + "drive", AUTH + "drive.file"}
INSUFFICIENT = "Request had insufficient authentication scopes."


def _refuse(api: str) -> ApiError:
    if api == "drive":
        return drive_error(403, INSUFFICIENT, "insufficientPermissions")
    return ApiError(403, INSUFFICIENT, "PERMISSION_DENIED", [{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "domain": "googleapis.com", "metadata": {"service": f"{api}.googleapis.com"}}])


def check(scopes: tuple[str, ...], api: str, kind: str) -> None:
    """Google's 403 when the token's scopes do not allow this call at all."""
    if not scopes:
        return
    have = set(scopes)
    needed = (DRIVE_ANY if kind == "read" else DRIVE_WRITE) if api == "drive" else (SHEETS_ANY if kind == "read" else SHEETS_WRITE)
    if not have & needed:
        raise _refuse(api)


def app_only(scopes: tuple[str, ...], api: str) -> bool:
    """True when the token reaches only the files its own app created (``drive.file`` without more)."""
    if not scopes:
        return False
    have = set(scopes)
    if api == "sheets" and have & {AUTH + "spreadsheets", AUTH + "spreadsheets.readonly"}:
        return False
    return not have & DRIVE_FULL
