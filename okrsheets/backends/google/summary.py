"""The company summary on Google Sheets: find or create the spreadsheet, keep its history, redraw it.

One run costs two requests on most nights, whatever the number of departments
(up to the 10 MB a request may carry, about 1,000 departments):

1. the spreadsheet: found in the run's listing of the folder (the backend's,
   ``GoogleBackend.unclaimed_files``: no request) by its ``appProperties``
   (never by its name), or by ``backend.summary_spreadsheet_id`` (it is a
   spreadsheet, not in the trash, may be edited); a configured ID outside the
   folder costs a ``drive.files.get``, and without the backend's listing a
   ``drive.files.list`` looks for it. With none in the folder, ``drive.files.create``
   makes it there (``supportsAllDrives``) and the log says which ID to put in the config;
2. its sheets' IDs and titles: those okrsheets drew last night, remembered in
   the quarter folder (summary_state.py), or a new spreadsheet's one sheet;
   ``sheets.spreadsheets.get`` asks Google only when there is no such record, or
   when Google refuses what was built from it (someone deleted a sheet, renamed
   a tab): then the run draws again from what Google answered;
3. ``sheets.spreadsheets.values.batchGet``: the two history sheets (skipped for a new summary);
4. one ``sheets.spreadsheets.batchUpdate``: the old summary sheets renamed, the new
   ones added and drawn (values, formats, grade colours, charts), the old ones
   deleted. Google applies a batchUpdate whole or not at all, so readers see
   last night's summary or tonight's, never half of one.

The summary's sheets have fixed IDs, alternating each night between two bases
(1000+, 2000+), so the history is found again by its sheet's ID (and checked by
the keys in its hidden first row, as in Excel), also after someone renamed the
tab. Sheets someone added to the spreadsheet are left alone.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from okrsheets import i18n
from okrsheets.backends.base import SummaryPreview
from okrsheets.backends.google.auth import Connection
from okrsheets.backends.google.counting import merge_counts
from okrsheets.backends.google.drive import QUARTER_PROPERTY, SPREADSHEET_MIME, Drive
from okrsheets.backends.google.failures import explain
from okrsheets.backends.google.retry import PatientHTTP
from okrsheets.backends.google.summary_requests import SERIAL_EPOCH, SHEET_OFFSETS, summary_requests
from okrsheets.backends.google.summary_state import SummarySheets
from okrsheets.config import Config
from okrsheets.core.results import RollupResult
from okrsheets.errors import GoogleAccessError, GoogleError
from okrsheets.sheets.summary import DATE_KEY, KR_DEPARTMENT_KEY, KR_ID_KEY, SCORE_KEY, History, build_summary
from okrsheets.sheets.summary_history import parse_history, parse_kr_history

__all__ = ["SUMMARY_PROPERTY", "GoogleSummary", "GoogleSummarySink", "SummaryWritten", "summary_url"]

log = logging.getLogger("okrsheets")

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
SUMMARY_PROPERTY = "okrsheets_summary"  # appProperties key: "company" marks the company summary
SUMMARY_VALUE = "company"
BASES = (1000, 2000)
MAX_BODY = 9_000_000  # bytes: Google refuses a request over 10 MiB; larger summaries go in several batchUpdates

WORDS = {
    "en": {
        "created": "Created the company summary \"{name}\" in the Drive folder: {url}. Add summary_spreadsheet_id = \"{id}\" "
                   "under [backend] in the config (until then it is found again by its properties)",
        "read_only": "{email} can read the summary spreadsheet \"{name}\" ({id}) but not change it; share it with {email} "
                     "as Editor. Tonight's scores were read and kept; the next rollup writes the summary",
        "trashed": "the summary spreadsheet \"{name}\" ({id}) is in the trash; restore it in Drive, or remove "
                   "backend.summary_spreadsheet_id from the config to have a new one made in the folder",
        "not_sheet": "backend.summary_spreadsheet_id {id} is \"{name}\", not a Google spreadsheet; set it to the ID in the "
                     "spreadsheet's address (docs.google.com/spreadsheets/d/ID), or remove it to have one made",
        "kept": "Tonight's scores were read and kept; the next rollup writes the summary",
        "no_history": "the summary's history sheet (ID {id}) has lost its hidden key row; its history restarts tonight",
        "would_create": "a new spreadsheet \"{name}\" in the Drive folder {url}",
    },
    "vi": {
        "created": "Đã tạo bảng tổng hợp \"{name}\" trong thư mục Drive: {url}. Hãy thêm summary_spreadsheet_id = \"{id}\" "
                   "vào mục [backend] của tệp cấu hình (trước khi thêm, bảng vẫn được tìm lại theo thuộc tính của nó)",
        "read_only": "{email} đọc được bảng tổng hợp \"{name}\" ({id}) nhưng không sửa được; hãy chia sẻ cho {email} với quyền "
                     "Người chỉnh sửa. Điểm đêm nay đã được đọc và lưu lại; lần tổng hợp sau sẽ ghi bảng tổng hợp",
        "trashed": "bảng tổng hợp \"{name}\" ({id}) đang ở thùng rác; hãy khôi phục trên Drive, hoặc bỏ "
                   "backend.summary_spreadsheet_id khỏi tệp cấu hình để tạo bảng mới trong thư mục",
        "not_sheet": "backend.summary_spreadsheet_id {id} là \"{name}\", không phải bảng tính Google; hãy đặt mã trong địa chỉ "
                     "của bảng tính (docs.google.com/spreadsheets/d/MÃ), hoặc bỏ đi để tạo bảng mới",
        "kept": "Điểm đêm nay đã được đọc và lưu lại; lần tổng hợp sau sẽ ghi bảng tổng hợp",
        "no_history": "trang lịch sử của bảng tổng hợp (ID {id}) đã mất dòng khóa ẩn; lịch sử bắt đầu lại từ đêm nay",
        "would_create": "một bảng tính mới \"{name}\" trong thư mục Drive {url}",
    },
}


def _say(language: str, key: str, **values: object) -> str:
    return WORDS["en" if language == "en" else "vi"][key].format(**values)


def summary_url(spreadsheet_id: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit"


@dataclass(frozen=True)
class SummaryWritten:
    """Where the summary went (``location`` and ``notes`` as a summary sink's SummaryWrite)."""

    spreadsheet_id: str
    url: str
    created: bool
    notes: tuple[str, ...] = ()

    @property
    def location(self) -> str:
        return self.url


class GoogleSummary:
    """Writes the company summary into the configured (or found, or new) spreadsheet."""

    def __init__(self, config: Config, connection: Connection,
                 folder_files: Callable[[], list[dict[str, Any]]] | None = None) -> None:
        assert config.google is not None
        self.config = config
        self.google = config.google
        self.connection = connection
        self.folder_files = folder_files  # the run's listing of the folder (drive.LISTING_FIELDS), when there is one
        self.remembered = SummarySheets(config.quarter_folder)
        self.lang = "en" if config.language == "en" else "vi"
        self.http = connection.client.http_client
        if connection.patience is not None:  # paced and retried like the team spreadsheets' requests
            self.http = PatientHTTP(self.http, connection.patience)
        self.drive = Drive(connection.client, self.http)

    # --- the run ---

    def write(self, result: RollupResult, stale_after_days: int = 14) -> SummaryWritten:
        """Write tonight's summary; raises a GoogleError whose message says what to do."""
        spreadsheet_id = self.google.summary_spreadsheet_id
        # Hundreds of thousands of small dicts and no reference cycles: the cyclic garbage collector would
        # only walk them again and again (two thirds of the drawing time at 14,000 KRs). Reference counting still frees.
        collecting = gc.isenabled()
        gc.disable()
        try:
            created = False
            listed = self.folder_files() if self.folder_files is not None else None
            if spreadsheet_id:
                self._check(spreadsheet_id, next((f for f in listed or () if f.get("id") == spreadsheet_id), None))
            else:
                try:
                    spreadsheet_id, created = self._find_or_create(listed)
                except GoogleError:
                    raise
                except Exception as exc:  # noqa: BLE001 - the folder was not found, or refused the new file
                    raise explain(exc, self.lang, google=self.google, identity=self._identity(), what="what_folder",
                                  file_id=self.google.folder_id, key="folder_id") from None
            known = [{"sheetId": 0, "title": ""}] if created else self.remembered.sheets_of(spreadsheet_id)
            drawn = None
            if known is not None:
                try:
                    drawn = self._draw(spreadsheet_id, result, stale_after_days, known, created, asked=False)
                except _Stale as stale:
                    log.info("the summary %s is not as okrsheets left it (%s): asking Google for its sheets", spreadsheet_id, stale)
                    self.remembered.forget()
            if drawn is None:
                drawn = self._draw(spreadsheet_id, result, stale_after_days, self._sheets(spreadsheet_id), created, asked=True)
            self.remembered.save(spreadsheet_id, drawn)
        except GoogleError:
            raise
        except Exception as exc:  # noqa: BLE001 - gspread, google-auth, requests: say what to do
            raise self._explain(exc, spreadsheet_id or "") from None
        finally:
            if collecting:
                gc.enable()
        if created:
            name = self._name()
            log.warning(_say(self.lang, "created", name=name, url=summary_url(spreadsheet_id), id=spreadsheet_id))
        return SummaryWritten(spreadsheet_id, summary_url(spreadsheet_id), created)

    def preview(self, as_of: date) -> SummaryPreview:
        """Where tonight's summary would go, and whether its history has that night already: reads only
        (the folder's listing, the sheets' titles, the history), never creates or changes anything."""
        spreadsheet_id = self.google.summary_spreadsheet_id
        try:
            listed = self.folder_files() if self.folder_files is not None else None
            if spreadsheet_id:
                self._check(spreadsheet_id, next((f for f in listed or () if f.get("id") == spreadsheet_id), None))
            else:
                spreadsheet_id = self._find(listed)
            if not spreadsheet_id:
                folder = f"https://drive.google.com/drive/folders/{self.google.folder_id}"
                return SummaryPreview(_say(self.lang, "would_create", name=self._name(), url=folder), new=True)
            history = self._history(spreadsheet_id, self._sheets(spreadsheet_id))
        except GoogleError:
            raise
        except Exception as exc:  # noqa: BLE001 - gspread, google-auth, requests: say what to do
            raise self._explain(exc, spreadsheet_id or "") from None
        return SummaryPreview(summary_url(spreadsheet_id), replaces_row=as_of in history.rows)

    def _explain(self, exc: BaseException, spreadsheet_id: str) -> GoogleError:
        if type(exc).__module__.split(".")[0] not in ("gspread", "google", "requests", "urllib3"):
            log.warning("unexpected error writing the summary", exc_info=exc)  # a bug: its traceback goes to the log
        error = explain(exc, self.lang, google=self.google, identity=self._identity(), what="what_summary",
                        file_id=spreadsheet_id, key="summary_spreadsheet_id" if self.google.summary_spreadsheet_id
                        else "folder_id")
        if error.status in (403, 404) and error.reason != "storageQuotaExceeded":
            return type(error)(f"{error} ({_say(self.lang, 'kept')})", error.reason, error.status)
        return error

    def _identity(self) -> str:
        """The address to share with: the service account, the impersonated user, or (asked once) the person."""
        if self.google.impersonate:
            return self.google.impersonate
        email = getattr(self.connection.credentials, "service_account_email", None)
        if email and self.google.auth == "service_account":
            return str(email)
        try:
            return str(self.drive.about().get("emailAddress") or "?")
        except Exception:  # noqa: BLE001 - only used in a message
            return "?"

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.http.request(method, url, **kwargs)
        return response.json() if response.content else {}

    def _name(self) -> str:
        words = i18n.SUMMARY[self.lang]
        return f"{words['title']}: {self.config.company} ({self.config.quarter.name})"

    # --- 1. the spreadsheet ---

    def _check(self, spreadsheet_id: str, listed: dict[str, Any] | None = None) -> None:
        """The configured summary is a spreadsheet, not in the trash, that the job may edit: from the folder's
        listing when it is in the folder (listed files are not in the trash), else one ``files.get``."""
        found = listed or self.drive.file(spreadsheet_id, "id,name,mimeType,trashed,capabilities(canEdit)")
        name = found.get("name", "")
        if found.get("mimeType") != SPREADSHEET_MIME:
            raise GoogleAccessError(_say(self.lang, "not_sheet", id=spreadsheet_id, name=name), "notASpreadsheet", 400)
        if found.get("trashed"):
            raise GoogleAccessError(_say(self.lang, "trashed", id=spreadsheet_id, name=name), "trashed", 404)
        if not (found.get("capabilities") or {}).get("canEdit"):
            raise GoogleAccessError(_say(self.lang, "read_only", id=spreadsheet_id, name=name, email=self._identity()),
                                    "insufficientFilePermissions", 403)

    def _properties(self) -> dict[str, str]:
        return {SUMMARY_PROPERTY: SUMMARY_VALUE, QUARTER_PROPERTY: self.config.quarter.name}

    def _find_or_create(self, listed: list[dict[str, Any]] | None = None) -> tuple[str, bool]:
        """The quarter's summary in the folder (see :meth:`_find`); made there when there is none."""
        found = self._find(listed)
        if found:
            return found, False
        made = self.drive.create(self._name(), self.google.folder_id, app_properties=self._properties())
        return made["id"], True

    def _find(self, listed: list[dict[str, Any]] | None = None) -> str | None:
        """The ID of the quarter's summary in the folder, found by its appProperties (in ``listed``, the run's
        listing of the folder, when given; else with one ``files.list``), or None when there is none."""
        if listed is not None:
            wanted = self._properties()
            files = sorted((f for f in listed if f.get("mimeType") == SPREADSHEET_MIME
                            and all((f.get("appProperties") or {}).get(k) == v for k, v in wanted.items())),
                           key=lambda f: f.get("createdTime") or "")
        else:
            folder = self.google.folder_id.replace("\\", "\\\\").replace("'", "\\'")
            q = (f"'{folder}' in parents and trashed = false and mimeType = '{SPREADSHEET_MIME}'"
                 + "".join(f" and appProperties has {{ key='{k}' and value='{v}' }}" for k, v in self._properties().items()))
            page = self._call("get", "https://www.googleapis.com/drive/v3/files", params={
                "q": q, "fields": "files(id,name,capabilities(canEdit))", "pageSize": 10, "corpora": "allDrives",
                "supportsAllDrives": "true", "includeItemsFromAllDrives": "true", "orderBy": "createdTime"})
            files = page.get("files") or []
        if not files:
            return None
        found = files[0]
        if not (found.get("capabilities") or {}).get("canEdit"):
            raise GoogleAccessError(_say(self.lang, "read_only", id=found["id"], name=found.get("name", ""),
                                         email=self._identity()), "insufficientFilePermissions", 403)
        return str(found["id"])

    # --- 2. and 3. its sheets and history ---

    def _sheets(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        answer = self._call("get", f"{SHEETS}/{spreadsheet_id}",
                            params={"fields": "sheets(properties(sheetId,title,index))"})
        return [s.get("properties", {}) for s in answer.get("sheets", [])]

    def _base(self, sheets: list[dict[str, Any]]) -> int | None:
        """The ID base of the summary's current sheets, or None when it has none yet."""
        for base in BASES:
            if any(base <= s.get("sheetId", 0) < base + len(SHEET_OFFSETS) for s in sheets):
                return base
        return None

    def _draw(self, spreadsheet_id: str, result: RollupResult, stale_after_days: int, sheets: list[dict[str, Any]],
              created: bool, asked: bool) -> list[dict[str, Any]]:
        """Read the history, draw tonight's summary over ``sheets`` (``asked``: Google's answer; else what
        okrsheets remembers, and a refusal raises _Stale before anything changed); returns the sheets drawn."""
        history = History() if created else self._history(spreadsheet_id, sheets, asked)
        summary = build_summary(result, history.merged_with(result), self.config.scoring, stale_after_days)
        bodies, drawn = self._batches(summary, sheets, created)
        for number, body in enumerate(bodies):
            try:
                self._call("post", f"{SHEETS}/{spreadsheet_id}:batchUpdate", data=body, headers=_JSON)
            except Exception as exc:
                if not asked and number == 0 and _refused(exc):  # nothing applied: a sheet it names is gone, or taken
                    raise _Stale(f"batchUpdate: {exc}") from None
                raise
        return drawn

    def _history(self, spreadsheet_id: str, sheets: list[dict[str, Any]], asked: bool = True) -> History:
        base = self._base(sheets)
        if base is None:
            return History()
        titles = {s.get("sheetId"): s.get("title", "") for s in sheets}
        wanted = [base + SHEET_OFFSETS["history"], base + SHEET_OFFSETS["kr_history"]]
        present = [sheet_id for sheet_id in wanted if sheet_id in titles]
        if not present:
            return History()
        ranges = ["'" + titles[sheet_id].replace("'", "''") + "'" for sheet_id in present]
        try:
            answer = self._call("get", f"{SHEETS}/{spreadsheet_id}/values:batchGet", params={
                "ranges": ranges, "valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
                "majorDimension": "ROWS"})
        except Exception as exc:
            if not asked and _refused(exc):  # a remembered tab renamed or deleted
                raise _Stale(f"values.batchGet: {exc}") from None
            raise
        blocks = {sheet_id: block.get("values") or [] for sheet_id, block in zip(present, answer.get("valueRanges", []))}
        history = History()
        rows = blocks.get(wanted[0], [])
        krs = blocks.get(wanted[1], [])
        if not asked and ((rows and tuple(rows[0][:2]) != (DATE_KEY, SCORE_KEY))
                          or (krs and tuple(krs[0][:2]) != (KR_DEPARTMENT_KEY, KR_ID_KEY))):
            raise _Stale("a history sheet's title now names another sheet")  # found by title, not by ID: ask
        if rows and tuple(rows[0][:2]) == (DATE_KEY, SCORE_KEY):
            history = parse_history([rows[0], *(_dated(row) for row in rows[1:])])
        elif rows:
            log.warning(_say(self.lang, "no_history", id=wanted[0]))
        if krs and tuple(krs[0][:2]) == (KR_DEPARTMENT_KEY, KR_ID_KEY):
            history.key_results = parse_kr_history(krs[0], krs[1:])
        return history

    # --- 4. the batchUpdate ---

    def _batches(self, summary: Any, sheets: list[dict[str, Any]], created: bool) -> tuple[list[bytes], list[dict[str, Any]]]:
        """The batchUpdate bodies (one, unless the summary is larger than a request may be), and the sheets
        they draw (ID and title)."""
        old_base = self._base(sheets)
        base = BASES[1] if old_base == BASES[0] else BASES[0]
        ids = {key: base + offset for key, offset in SHEET_OFFSETS.items()}
        old = [s for s in sheets if old_base is not None and old_base <= s.get("sheetId", 0) < old_base + len(SHEET_OFFSETS)]
        if old_base is None and len(sheets) == 1:
            old = sheets  # a new spreadsheet's empty first sheet
        first: list[dict] = [{"updateSpreadsheetProperties": {
            "properties": {"locale": self.config.locale, "timeZone": self.config.timezone}, "fields": "locale,timeZone"}}]
        first += [{"updateSheetProperties": {"properties": {"sheetId": s["sheetId"], "title": f"~okrsheets {s['sheetId']}"},
                                             "fields": "title"}} for s in old]
        drawing = summary_requests(summary, ids, self.config.locale)
        last = [{"deleteSheet": {"sheetId": s["sheetId"]}} for s in old]
        drawn = [{"sheetId": r["addSheet"]["properties"]["sheetId"], "title": r["addSheet"]["properties"]["title"]}
                 for r in drawing if "addSheet" in r]
        return _split([*first, *drawing, *last]), drawn


class _Stale(Exception):
    """What okrsheets remembered of the summary's sheets no longer holds (Google refused what was built from it)."""


def _refused(exc: BaseException) -> bool:
    """Google answered 400: the request names a sheet or a range the spreadsheet no longer has (or already has)."""
    return int(getattr(exc, "code", 0) or 0) == 400


_JSON = {"Content-Type": "application/json; charset=utf-8"}


def _compact(value: Any) -> bytes:
    """JSON as UTF-8 without spaces: Vietnamese text takes 2-3 bytes a letter, not a 6-byte escape."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _split(requests: list[dict]) -> list[bytes]:
    """The batchUpdate bodies: the requests in order, in as few bodies as fit under MAX_BODY bytes each."""
    bodies: list[list[bytes]] = [[]]
    size = 0
    for request in requests:
        encoded = _compact(request)
        if bodies[-1] and size + len(encoded) + 1 > MAX_BODY:
            bodies.append([])
            size = 0
        bodies[-1].append(encoded)
        size += len(encoded) + 1
    return [b'{"requests":[' + b",".join(body) + b"]}" for body in bodies]


def _dated(row: Sequence) -> list:
    """A history row with its first cell (a serial number, as Sheets answers) as a date."""
    row = list(row)
    if row and isinstance(row[0], (int, float)) and not isinstance(row[0], bool):
        row[0] = SERIAL_EPOCH + timedelta(days=int(row[0]))
    return row



class GoogleSummarySink:
    """The summary sink of the Google backend (see backends/summary_sinks.py)."""

    def __init__(self, config: Config, backend: Any = None) -> None:
        from okrsheets.backends.google.auth import connect

        assert config.google is not None
        self.backend = backend
        shared = getattr(backend, "connection", None)
        self.connection = shared if isinstance(shared, Connection) else connect(config.google, config.language)
        # the backend's listing of the folder holds the summary too: found there, it costs no request
        self.summary = GoogleSummary(config, self.connection, getattr(backend, "unclaimed_files", None))
        self.stale_after_days = config.email.stale_after_days

    def preview(self, as_of: date) -> SummaryPreview:
        return self.summary.preview(as_of)

    def write(self, result: RollupResult) -> SummaryWritten:
        return self.summary.write(result, self.stale_after_days)

    def api_requests(self) -> dict[str, int] | None:
        """Every request of the run, by kind: the backend's connection and this one, each counted once."""
        counters = {id(c): c.requests for c in (getattr(self.backend, "connection", None), self.connection)
                    if isinstance(c, Connection) and c.requests is not None}
        return merge_counts(*(requests.counts() for requests in counters.values()))
