"""``okrsheets google doctor``: check a Google set-up end to end, one line per check.

In order: the credentials give an access token; ``about.get`` names the
identity the job runs as (the address to share the folder with); the folder
exists, is a folder, is not in the trash and accepts new files (a test
spreadsheet is created and removed); the summary spreadsheet, when set, can be
written; each department's spreadsheet for the quarter, found by its
``appProperties``, can be edited (one not made yet is "not provisioned yet",
not a failure). A failure says what to do; the checks after it that need what
failed are skipped. Costs one token request and six Drive requests (one more
per extra page of a folder listing past 1,000 spreadsheets).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from okrsheets.backends.google.auth import connect, load_credentials, refresh
from okrsheets.backends.google.drive import FOLDER_MIME, PROBE_PROPERTY, SPREADSHEET_MIME, Drive
from okrsheets.backends.google.failures import explain
from okrsheets.backends.google.words import say
from okrsheets.config import Config
from okrsheets.errors import GoogleError


@dataclass(frozen=True)
class Check:
    status: str  # "ok", "fail", "note" (fine, worth knowing) or "warn" (fine, but act on it)
    message: str

    @property
    def passed(self) -> bool:
        return self.status != "fail"


def run_doctor(config: Config) -> Iterator[Check]:
    """Yield one :class:`Check` per line, as the checks run."""
    google = config.google
    assert google is not None, "run_doctor needs backend.kind = google"
    lang = config.language

    def fail(stage: str, error: Any) -> Check:
        return Check("fail", f"{say(lang, 'stage_' + stage)}: {error}")

    # credentials
    try:
        credentials = load_credentials(google, lang)
        connection = connect(google, lang, credentials=credentials)
        refresh(connection)
    except GoogleError as error:
        yield fail("credentials", error)
        return
    if google.auth == "user":
        yield Check("ok", say(lang, "auth_user", path=google.token_file))
        assert google.token_file is not None
        mode = google.token_file.stat().st_mode & 0o777
        if os.name == "posix" and mode & 0o077:
            yield fail("credentials", say(lang, "token_mode", path=google.token_file, mode=oct(mode)[2:]))
    elif google.impersonate:
        yield Check("ok", say(lang, "auth_impersonate", path=google.service_account_file, user=google.impersonate))
    else:
        yield Check("ok", say(lang, "auth_service_account", path=google.service_account_file))

    # identity
    drive = Drive(connection.client)
    try:
        email = drive.about().get("emailAddress") or "?"
    except Exception as exc:  # noqa: BLE001 - every failure becomes a line that says what to do
        yield fail("identity", explain(exc, lang, google=google))
        return
    yield Check("ok", say(lang, "identity", email=email))

    def why(exc: Exception, what: str, file_id: str, key: str) -> GoogleError:
        return explain(exc, lang, google=google, identity=email, what=what, file_id=file_id, key=key)

    # folder
    folder = _check_folder(drive, google.folder_id, lang, email, why)
    yield folder[0]
    usable = folder[1]
    if usable is not None:
        yield _check_probe(drive, usable, lang, email, why)
    else:
        yield Check("note", say(lang, "create_skipped"))

    # summary
    yield _check_summary(drive, google.summary_spreadsheet_id, lang, email, why)

    # departments
    if usable is None:
        yield Check("note", say(lang, "departments_skipped"))
        return
    try:
        by_department = drive.department_spreadsheets(usable, config.quarter.name)
    except Exception as exc:  # noqa: BLE001
        yield fail("departments", why(exc, "what_folder", google.folder_id, "folder_id"))
        return
    for department in config.departments:
        items = by_department.get(department.key, [])
        if not items:
            yield Check("note", say(lang, "department_missing", key=department.key, quarter=config.quarter.name))
        elif len(items) > 1:
            names = ", ".join(f'"{i["name"]}"' for i in items)
            yield Check("fail", say(lang, "department_twice", key=department.key, count=len(items), names=names))
        elif not (items[0].get("capabilities") or {}).get("canEdit"):
            yield Check("fail", say(lang, "department_read_only", key=department.key, email=email, name=items[0]["name"]))
        else:
            yield Check("ok", say(lang, "department_ok", key=department.key, name=items[0]["name"]))


def _check_folder(drive: Drive, folder_id: str, lang: str, email: str, why: Any) -> tuple[Check, dict[str, Any] | None]:
    def fail(message: Any) -> tuple[Check, None]:
        return Check("fail", f"{say(lang, 'stage_folder')}: {message}"), None

    try:
        folder = drive.file(folder_id)
    except Exception as exc:  # noqa: BLE001
        return fail(why(exc, "what_folder", folder_id, "folder_id"))
    name = folder.get("name", "")
    if folder.get("mimeType") != FOLDER_MIME:
        return Check("fail", say(lang, "folder_not_folder", id=folder_id, name=name)), None
    if folder.get("trashed"):
        return Check("fail", say(lang, "folder_trashed", name=name)), None
    if not (folder.get("capabilities") or {}).get("canAddChildren"):
        return Check("fail", say(lang, "folder_read_only", email=email, name=name)), None
    where = say(lang, "folder_shared_drive" if folder.get("driveId") else "folder_my_drive")
    return Check("ok", say(lang, "folder_ok", name=name, where=where)), folder


def _check_probe(drive: Drive, folder: dict[str, Any], lang: str, email: str, why: Any) -> Check:
    """Create a test spreadsheet where provision will create the team spreadsheets, then remove it."""
    name = say(lang, "probe_name")
    try:
        probe = drive.create(name, folder["id"], mime_type=SPREADSHEET_MIME, app_properties={PROBE_PROPERTY: "1"})
    except Exception as exc:  # noqa: BLE001
        return Check("fail", f"{say(lang, 'stage_folder')}: {why(exc, 'what_folder', folder['id'], 'folder_id')}")
    # a Content manager of a shared drive may trash but not delete
    for remove, done in ((drive.delete, "create_ok"), (drive.trash, "create_trashed")):
        try:
            remove(probe["id"])
            return Check("ok", say(lang, done))
        except Exception:  # noqa: BLE001 - try the next way, then say what to do by hand
            continue
    return Check("warn", say(lang, "create_left", email=email, name=name))


def _check_summary(drive: Drive, summary_id: str | None, lang: str, email: str, why: Any) -> Check:
    if not summary_id:
        return Check("note", say(lang, "summary_unset"))
    try:
        summary = drive.file(summary_id)
    except Exception as exc:  # noqa: BLE001
        return Check("fail", f"{say(lang, 'stage_summary')}: {why(exc, 'what_summary', summary_id, 'summary_spreadsheet_id')}")
    name = summary.get("name", "")
    if summary.get("mimeType") != SPREADSHEET_MIME:
        return Check("fail", say(lang, "summary_not_sheet", id=summary_id, name=name))
    if summary.get("trashed"):
        return Check("fail", say(lang, "summary_trashed", name=name))
    if not (summary.get("capabilities") or {}).get("canEdit"):
        return Check("fail", say(lang, "summary_read_only", email=email, name=name))
    return Check("ok", say(lang, "summary_ok", name=name))
