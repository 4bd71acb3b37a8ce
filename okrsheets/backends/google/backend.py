"""The Google backend: one spreadsheet per department in a Drive folder (the Backend protocol).

Requests, per run: the folder is listed once (``files.list``, one request per
1,000 files), the first time anything asks, and looked up (``files.get``) only
when that listing finds none of the quarter's spreadsheets (to say what is wrong
with it); the department spreadsheets are found in that listing by their
``appProperties`` (department key and quarter), never by name, so teams may
rename them. Then:

* reading a department: one ``spreadsheets.get`` (every sheet's values,
  formulas, number formats, merges and protection); provisioning reads the
  typed cells it carries over from that same answer;
* creating one: ``files.create`` in the folder (``supportsAllDrives``, the
  ``appProperties`` set), one ``batchUpdate`` (render.py), one
  ``permissions.create`` per owner it is shared with, then one ``files.get`` of
  its ``modifiedTime`` (its version: a re-run that finds the same time in the
  listing knows nobody changed it, and reads nothing);
* rebuilding one: one ``batchUpdate`` (new sheets in, old sheets out, all or
  nothing), a share for each owner new to it, and the ``files.get``;
* a forced rebuild's backup: one ``files.copy`` beside it.

Google allows a user 60 Sheets reads and 60 writes a minute: every request
goes through the run's :class:`~okrsheets.backends.google.retry.Patience`,
which sends it at the quota's pace (pacing.py) and tries again, a bounded
number of times and within the run's deadline, what may pass later (retry.py).

A problem with one spreadsheet raises a :class:`SpreadsheetUnreadable` (a
WorkbookError whose words say what to do) for that department only; a
problem with the credentials or the folder raises a GoogleError for the run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection
from typing import Any

from okrsheets.backends.google.auth import Connection, connect
from okrsheets.backends.google.drive import DEPARTMENT_PROPERTY, QUARTER_PROPERTY, SPREADSHEET_MIME, Drive
from okrsheets.backends.google.failures import explain
from okrsheets.backends.google.read import FIELDS, sheet_ids, typed_cells, workbook_data
from okrsheets.backends.google.render import build_requests
from okrsheets.backends.google.retry import GAVE_UP, Patience, PatientHTTP, maybe_done
from okrsheets.backends.google.words import say
from okrsheets.config import Config
from okrsheets.errors import GoogleAccessError, GoogleError, WorkbookError, WorkbookLockedError
from okrsheets.sheets.data import WorkbookData
from okrsheets.sheets.spec import WorkbookSpec
from okrsheets.sheets.team_workbook import OKR_SHEET, TypedCell

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
log = logging.getLogger("okrsheets.google")
def spreadsheet_url(spreadsheet_id: str, sheet_id: int | None = None, cell: str | None = None) -> str:
    """The address of a spreadsheet, of one of its sheets, or of one cell (``#gid=GID&range=G12``)."""
    url = f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit"
    if sheet_id is not None:
        url += f"#gid={sheet_id}" + (f"&range={cell}" if cell else "")
    return url


class SpreadsheetUnreadable(WorkbookError):
    """One department's spreadsheet cannot be read; ``str()`` says what is wrong, ``fix`` what to do,
    both in the config's language (the rollup shows them as the department's data issue)."""

    def __init__(self, problem: str, fix: str, reason: str = "google"):
        super().__init__(problem, reason)
        self.fix = fix


class GoogleBackend:
    name = "google"
    parallel_reads = False  # one HTTP session and one quota: never read from forked processes

    def __init__(self, config: Config, connection: Connection | None = None, sleep: Callable[[float], None] | None = None,
                 clock: Callable[[], float] | None = None):
        assert config.google is not None, "GoogleBackend needs backend.kind = google"
        self.config = config
        self.sleep, self.clock = sleep, clock  # None: real time (tests pass the fake's clock and a sleep that advances it)
        self.google = config.google
        self.lang = config.language
        self._connection = connection
        self._claimed: dict[str, list[dict[str, Any]]] | None = None  # department key -> its files
        self._others: list[dict[str, Any]] = []  # files in the folder that claim no department
        # the last spreadsheets.get answer, of the department read last (provision reads, then writes it),
        # and every read department's sheet IDs by title (for links to a cell)
        self._answers: dict[str, dict[str, Any]] = {}
        self._gids: dict[str, dict[str, int]] = {}
        self._identity: str | None = None

    # ------------------------------------------------------------ connection and listing

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = connect(self.google, self.lang)
        return self._connection

    @property
    def patience(self) -> Patience:
        """The run's quota pace and retry budget (the connection's, shared with the summary)."""
        patience = self.connection.patience
        if patience is None:
            from okrsheets.backends.google.auth import patience_for

            patience = patience_for(self.google, self.lang)
            object.__setattr__(self.connection, "patience", patience)
        if self.sleep is not None:
            patience.sleep = self.sleep
        if self.clock is not None:
            patience.clock = self.clock
        return patience

    @property
    def http(self) -> PatientHTTP:
        return PatientHTTP(self.connection.client.http_client, self.patience)

    @property
    def drive(self) -> Drive:
        return Drive(self.connection.client, self.http)

    def identity(self) -> str:
        """The address the job runs as: the service account, the user it acts as, or (auth = "user") who signed in."""
        if self._identity is None:
            credentials = self.connection.credentials
            email = self.google.impersonate or (getattr(credentials, "service_account_email", None)
                                                if self.google.auth == "service_account" else None)
            if not email:
                try:
                    email = self.drive.about().get("emailAddress")
                except Exception as exc:  # noqa: BLE001 - explained for the run
                    raise self._explain(exc) from None
            self._identity = email or "?"
        return self._identity

    def _explain(self, exc: BaseException, what: str = "what_folder", file_id: str | None = None) -> GoogleError:
        return explain(exc, self.lang, google=self.google, identity=self._identity or self._known_identity(),
                       what=what, file_id=file_id or self.google.folder_id, key="folder_id")

    def _known_identity(self) -> str | None:
        """The address the job runs as when known without a request."""
        if self.google.impersonate:
            return self.google.impersonate
        if self.google.auth == "service_account" and self.google.service_account_file:
            try:
                return json.loads(self.google.service_account_file.read_text(encoding="utf-8")).get("client_email")
            except (OSError, ValueError):
                return None
        return None

    def _listing(self) -> dict[str, list[dict[str, Any]]]:
        """The quarter's spreadsheets in the folder by department key: listed once per run, in one request
        (per 1,000 files). The folder itself is looked up (one more request) only when the listing finds none
        of the quarter's spreadsheets, to say what is wrong with it (not found, not shared, in the trash), or
        when Drive answers that it did not search every drive."""
        if self._claimed is None:
            folder_id = self.google.folder_id
            try:
                files, complete = self.drive.files_in(folder_id)
                claimed, others = self._claims(files)
                if not claimed or not complete:
                    folder = self.drive.file(folder_id, "id,name,mimeType,driveId,trashed")
                    if folder.get("trashed"):
                        raise GoogleAccessError(say(self.lang, "folder_trashed", name=folder.get("name", "")), "trashed", 404)
                    if not complete:
                        claimed, others = self._claims(self.drive.folder_files(folder))
            except GoogleError:
                raise
            except Exception as exc:  # noqa: BLE001 - the credentials or the folder: the whole run stops, explained
                raise self._explain(exc) from None
            self._claimed, self._others = claimed, others
        return self._claimed

    def _claims(self, files: list[dict[str, Any]]) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
        """The files that claim one of the quarter's departments, by key; and the others."""
        claimed: dict[str, list[dict[str, Any]]] = {}
        others = []
        quarter = self.config.quarter.name
        for item in files:
            properties = item.get("appProperties") or {}
            key = properties.get(DEPARTMENT_PROPERTY)
            if key and properties.get(QUARTER_PROPERTY) == quarter:
                claimed.setdefault(key, []).append(item)
            else:
                others.append(item)
        return claimed, others

    def unclaimed_files(self) -> list[dict[str, Any]]:
        """The files of this run's folder listing that claim no department (the company summary among them),
        with the listing's fields (``drive.LISTING_FIELDS``); no request once the folder is listed."""
        self._listing()
        return list(self._others)

    def _file(self, department_key: str) -> dict[str, Any] | None:
        found = self._listing().get(department_key) or []
        return found[0] if len(found) == 1 else None

    # ------------------------------------------------------------ the Backend protocol

    def location(self, department_key: str) -> str:
        found = self._listing().get(department_key) or []
        if found:
            return spreadsheet_url(found[0]["id"])
        return f"https://drive.google.com/drive/folders/{self.google.folder_id}"

    def exists(self, department_key: str) -> bool:
        return bool(self._listing().get(department_key))

    def version(self, department_key: str) -> str | None:
        """The spreadsheet's Drive ``modifiedTime`` from this run's listing (None when there is not exactly one)."""
        item = self._file(department_key)
        return item.get("modifiedTime") if item else None

    def cell_link(self, department_key: str, sheet: str, cell: str) -> str | None:
        """The address of one cell, from the last read of the department (no request)."""
        item, sheet_id = self._file(department_key), self._gids.get(department_key, {}).get(sheet)
        return spreadsheet_url(item["id"], sheet_id, cell) if item and sheet_id is not None else None

    def read(self, department_key: str, sheets: Collection[str] | None = None) -> WorkbookData:
        item = self._readable(department_key)
        try:
            response = self.http.request(
                "get", f"{SHEETS}/{item['id']}", params={"includeGridData": "true", "fields": FIELDS})
            answer = response.json()
        except Exception as exc:  # noqa: BLE001 - explained as this department's problem
            raise self._unreadable(exc, item) from None
        self._answers = {department_key: answer}  # one at a time: a rollup of 1,000 departments keeps none of them
        self._gids[department_key] = {title: number for number, title in sheet_ids(answer).items()}
        return workbook_data(answer, spreadsheet_url(item["id"]), sheets)

    def _readable(self, department_key: str) -> dict[str, Any]:
        """The department's one spreadsheet, or the WorkbookError that says why there is none to read."""
        found = self._listing().get(department_key) or []
        if len(found) > 1:
            names = ", ".join(f'"{i.get("name", "")}"' for i in found)
            raise SpreadsheetUnreadable(say(self.lang, "read_twice", count=len(found), names=names), say(self.lang, "read_twice_fix"))
        if not found:
            near = self.near_misses(department_key)
            if near:
                names = ", ".join(f'"{name}"' for name in near)
                raise SpreadsheetUnreadable(say(self.lang, "read_near_miss", names=names), say(self.lang, "read_not_a_spreadsheet_fix"))
            raise WorkbookError(f"{self.location(department_key)}: no spreadsheet of {department_key} in the folder", "missing")
        item = found[0]
        if item.get("mimeType") != SPREADSHEET_MIME:
            raise SpreadsheetUnreadable(say(self.lang, "read_not_a_spreadsheet", name=item.get("name", "")),
                                        say(self.lang, "read_not_a_spreadsheet_fix"))
        return item

    def _unreadable(self, exc: BaseException, item: dict[str, Any]) -> WorkbookError:
        error = explain(exc, self.lang, google=self.google, identity=self._known_identity(), what="what_spreadsheet", file_id=item["id"])
        email = self._known_identity() or "?"
        if error.status == 403 and error.reason not in ("userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"):
            why = str(getattr(exc, "error", {}).get("message", "") if isinstance(getattr(exc, "error", None), dict) else error.reason)
            return SpreadsheetUnreadable(say(self.lang, "read_forbidden", email=email, why=why), say(self.lang, "read_forbidden_fix", email=email))
        if error.status == 404:
            return SpreadsheetUnreadable(say(self.lang, "read_not_found", email=email), say(self.lang, "read_not_found_fix"))
        if error.reason == "FAILED_PRECONDITION":
            return SpreadsheetUnreadable(say(self.lang, "read_not_a_spreadsheet", name=item.get("name", "")),
                                         say(self.lang, "read_not_a_spreadsheet_fix"))
        return SpreadsheetUnreadable(say(self.lang, "read_failed", why=str(error)), say(self.lang, "read_failed_fix"))

    def read_typed_cells(self, department_key: str, sheet: str, columns: Collection[int]) -> dict[tuple[int, int], TypedCell]:
        """The cells a team typed, as typed, from this run's read of the spreadsheet (no request)."""
        answer = self._answers.get(department_key)
        if answer is None:
            self.read(department_key)
            answer = self._answers[department_key]
        return typed_cells(answer, sheet, columns, self.config.locale)

    def near_misses(self, department_key: str) -> list[str]:
        """Files in the folder that are no Google spreadsheet and carry the department's key or name in theirs."""
        department = next((d for d in self.config.departments if d.key == department_key), None)
        words = {department_key.casefold()} | ({department.name.casefold()} if department else set())
        return sorted(item.get("name", "") for item in self._others
                      if item.get("mimeType") != SPREADSHEET_MIME and any(w and w in item.get("name", "").casefold() for w in words))

    def check_writable(self, department_key: str) -> None:
        item = self._file(department_key)
        if item is not None and not (item.get("capabilities") or {}).get("canEdit", True):
            email = self._known_identity() or "?"
            raise WorkbookLockedError(say(self.lang, "cannot_edit", email=email, name=item.get("name", "")))

    def write(self, department_key: str, spec: WorkbookSpec) -> None:
        department = next(d for d in self.config.departments if d.key == department_key)
        item = self._file(department_key)
        shared_before: set[str] = set()
        new = item is None
        if item is None:
            name = say(self.lang, "spreadsheet_name", quarter=self.config.quarter.name, department=department.name)
            properties = {DEPARTMENT_PROPERTY: department_key, QUARTER_PROPERTY: self.config.quarter.name}
            try:
                created = self._create(name, properties)
            except Exception as exc:  # noqa: BLE001 - storage, access: the run stops with what to do
                raise _given_up(self._explain(exc)) from None
            item = {"id": created["id"], "name": created.get("name", name), "mimeType": SPREADSHEET_MIME,
                    "appProperties": properties, "capabilities": {"canEdit": True}}
            self._listing()[department_key] = [item]
            old = {0: ""}  # a new spreadsheet has one empty sheet, gid 0
        else:
            answer = self._answers.get(department_key) or self._sheet_list(item)
            old = sheet_ids(answer)
            shared_before = _owners_written(answer)
        requests = build_requests(spec, locale=self.config.locale, time_zone=self.config.timezone,
                                  editors=self._editors(), old_sheets=old)
        try:
            self.http.request("post", f"{SHEETS}/{item['id']}:batchUpdate", json={"requests": requests})
        except Exception as exc:  # noqa: BLE001
            error = _given_up(self._explain(exc, "what_spreadsheet", item["id"]))
            if new and isinstance(error, WorkbookError):
                self._discard(department_key, item["id"])
            raise error from None
        self._answers.pop(department_key, None)
        if self.google.share_with_owners:
            for email in department.owners:
                if email.casefold() not in shared_before:
                    self._share(item["id"], email)
        self._written(item)

    def _written(self, item: dict[str, Any]) -> None:
        """The spreadsheet's ``modifiedTime`` now that it is written (one ``files.get``), as its version: the next
        run's listing shows the same time unless someone changed it since, so an unchanged re-run reads nothing.
        Not known (Google failed this one request): no version, and the next run reads the spreadsheet."""
        item.pop("modifiedTime", None)
        try:
            modified = self.drive.file(item["id"], "modifiedTime").get("modifiedTime")
        except Exception as exc:  # noqa: BLE001 - the write is done; only the next run's shortcut is lost
            log.info("Google: no modifiedTime of %s after writing it: %s", spreadsheet_url(item["id"]), explain(exc, self.lang))
            return
        if modified:
            item["modifiedTime"] = modified

    def _create(self, name: str, properties: dict[str, str]) -> dict[str, Any]:
        """``files.create`` of the department's spreadsheet, exactly once: when the connection dropped after
        it was sent, the folder is searched for it (by its appProperties) before it is sent again."""
        for _ in range(self.patience.max_tries):
            try:
                return self.drive.create(name, self.google.folder_id, mime_type=SPREADSHEET_MIME, app_properties=properties)
            except Exception as exc:
                if not maybe_done(exc):
                    raise
                log.info("Google: the connection dropped while creating %s; looking for it in the folder", name)
                made = [item for item in self.drive.files_in(self.google.folder_id)[0] if item.get("mimeType") == SPREADSHEET_MIME
                        and all((item.get("appProperties") or {}).get(k) == v for k, v in properties.items())]
                if made:
                    return made[0]
                last = exc
        raise last

    def _discard(self, department_key: str, file_id: str) -> None:
        """A spreadsheet just created whose contents could not be written goes to the trash (best effort),
        so the next run creates it again instead of finding an empty spreadsheet it takes for a damaged one."""
        self._listing().pop(department_key, None)
        try:
            self.drive.trash(file_id)
        except Exception as exc:  # noqa: BLE001 - Google is failing already; the next run reports the empty spreadsheet
            log.warning("%s", say(self.lang, "discard_failed", url=spreadsheet_url(file_id), why=explain(exc, self.lang)))

    def _sheet_list(self, item: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.http.request(
                "get", f"{SHEETS}/{item['id']}", params={"fields": "sheets(properties(sheetId,title))"})
            return response.json()
        except Exception as exc:  # noqa: BLE001
            raise self._explain(exc, "what_spreadsheet", item["id"]) from None

    def _editors(self) -> list[str]:
        """Who may edit the protected cells: the job itself and the admins."""
        editors = [self.identity(), *self.config.admin_emails]
        return list(dict.fromkeys(e for e in editors if e and e != "?"))

    def _share(self, file_id: str, email: str) -> None:
        try:
            self.drive.share(file_id, email, role="writer", notify=self.google.notify_owners)
        except Exception as exc:  # noqa: BLE001 - one owner Google refuses (not a Google account) never stops provisioning
            log.warning("%s", say(self.lang, "share_failed", url=spreadsheet_url(file_id), email=email, why=explain(exc, self.lang)))

    def backup(self, department_key: str, stamp: str) -> str:
        """A copy of the spreadsheet beside it, which claims no department (one ``files.copy``)."""
        item = self._file(department_key)
        if item is None:
            return ""
        name = say(self.lang, "backup_name", name=item.get("name", department_key), stamp=stamp)
        try:
            copied = self.drive.copy(item["id"], name, {DEPARTMENT_PROPERTY: f"{department_key}.backup-{stamp}"})
        except Exception as exc:  # noqa: BLE001
            raise self._explain(exc, "what_spreadsheet", item["id"]) from None
        return spreadsheet_url(copied["id"])


def _given_up(error: GoogleError) -> Exception:
    """A request given up on (tries or deadline) is this department's failure, the run goes on
    (a WorkbookError with reason "gave_up"); anything else Google refused stops the run, explained."""
    return WorkbookError(str(error), "gave_up") if error.reason in GAVE_UP else error


def _owners_written(answer: dict[str, Any]) -> set[str]:
    """The owners the OKR sheet names (its "owners" cell), already shared with when it was made."""
    titles = set(OKR_SHEET.values())
    for sheet in answer.get("sheets") or []:
        if (sheet.get("properties") or {}).get("title") not in titles:
            continue
        for block in sheet.get("data") or []:
            rows = block.get("rowData") or []
            if len(rows) >= 4:
                values = rows[3].get("values") or []
                if len(values) >= 2:
                    text = ((values[1].get("userEnteredValue") or {}).get("stringValue") or "")
                    return {part.strip().casefold() for part in text.split(",") if part.strip()}
    return set()
