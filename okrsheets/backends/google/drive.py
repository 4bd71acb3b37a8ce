"""The few Drive v3 calls okrsheets makes, through gspread's HTTP client.

Every call sets ``supportsAllDrives=true`` (without it Drive answers 404 for
anything in a shared drive) and asks only for the fields it uses. Team
spreadsheets are found by their ``appProperties`` (department key and
quarter), never by name, so a team may rename its spreadsheet.
"""

from __future__ import annotations

from typing import Any

DRIVE = "https://www.googleapis.com/drive/v3"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"
# appProperties okrsheets puts on the spreadsheets it creates (private to the app, invisible in the UI)
DEPARTMENT_PROPERTY = "department"
QUARTER_PROPERTY = "quarter"
PROBE_PROPERTY = "okrsheets_probe"
FILE_FIELDS = "id,name,mimeType,driveId,trashed,appProperties,webViewLink,capabilities(canEdit,canAddChildren,canDelete,canTrash)"
# what the backend's one listing of the folder asks for each file
LISTING_FIELDS = "id,name,mimeType,appProperties,createdTime,modifiedTime,capabilities(canEdit)"


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Drive:
    """Drive v3 over a gspread client's session (so the same credentials, timeouts and host rewrite)."""

    def __init__(self, client: Any, http: Any = None) -> None:
        self.http = http or client.http_client  # anything with gspread's HTTPClient.request

    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        response = self.http.request(method, f"{DRIVE}/{path}", params=params, json=json)
        return response.json() if response.content else {}

    def about(self) -> dict[str, Any]:
        """Who the credentials act as: ``{"emailAddress": ..., "displayName": ...}``."""
        return self._call("get", "about", params={"fields": "user(emailAddress,displayName)"}).get("user", {})

    def file(self, file_id: str, fields: str = FILE_FIELDS) -> dict[str, Any]:
        return self._call("get", f"files/{file_id}", params={"supportsAllDrives": "true", "fields": fields})

    def create(self, name: str, parent: str, *, mime_type: str = SPREADSHEET_MIME, app_properties: dict[str, str] | None = None) -> dict[str, Any]:
        body = {"name": name, "mimeType": mime_type, "parents": [parent], "appProperties": app_properties or {}}
        return self._call("post", "files", params={"supportsAllDrives": "true", "fields": FILE_FIELDS}, json=body)

    def delete(self, file_id: str) -> None:
        self._call("delete", f"files/{file_id}", params={"supportsAllDrives": "true"})

    def trash(self, file_id: str) -> None:
        self._call("patch", f"files/{file_id}", params={"supportsAllDrives": "true", "fields": "id"}, json={"trashed": True})

    def spreadsheets_in(self, folder: dict[str, Any], quarter: str) -> list[dict[str, Any]]:
        """The quarter's okrsheets spreadsheets in ``folder`` (a :meth:`file` answer), all pages."""
        q = (
            f"{_quote(folder['id'])} in parents and trashed = false and mimeType = {_quote(SPREADSHEET_MIME)}"
            f" and appProperties has {{ key={_quote(QUARTER_PROPERTY)} and value={_quote(quarter)} }}"
        )
        params: dict[str, Any] = {
            "q": q, "fields": f"nextPageToken,files({FILE_FIELDS})", "pageSize": 1000,
            "supportsAllDrives": "true", "includeItemsFromAllDrives": "true",
        }
        return self._all_pages(params, folder)

    def folder_files(self, folder: dict[str, Any]) -> list[dict[str, Any]]:
        """Every file in ``folder`` not in the trash (spreadsheets or not), all pages: one request per 1,000."""
        return self._all_pages(self._listing_params(folder["id"]), folder)

    def files_in(self, folder_id: str) -> tuple[list[dict[str, Any]], bool]:
        """Every file in the folder ``folder_id`` not in the trash, without looking the folder up first: searched
        in every drive the job sees (one request per 1,000 files). Also whether Drive searched them all (an
        ``incompleteSearch`` answer may miss files: then look the folder up and list it in its own drive).
        A folder that is missing, not shared, or in the trash (its files are then in the trash too) lists nothing."""
        return self._pages({**self._listing_params(folder_id), "corpora": "allDrives"})

    @staticmethod
    def _listing_params(folder_id: str) -> dict[str, Any]:
        return {
            "q": f"{_quote(folder_id)} in parents and trashed = false", "fields": f"nextPageToken,incompleteSearch,files({LISTING_FIELDS})",
            "pageSize": 1000, "supportsAllDrives": "true", "includeItemsFromAllDrives": "true",
        }

    def _all_pages(self, params: dict[str, Any], folder: dict[str, Any]) -> list[dict[str, Any]]:
        """Every file a ``files.list`` query finds, page after page, in the folder's shared drive when it has one."""
        if folder.get("driveId"):
            params.update(corpora="drive", driveId=folder["driveId"])
        return self._pages(params)[0]

    def _pages(self, params: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        found: list[dict[str, Any]] = []
        complete = True
        while True:
            page = self._call("get", "files", params=params)
            found.extend(page.get("files", []))
            complete = complete and not page.get("incompleteSearch")
            if not page.get("nextPageToken"):
                return found, complete
            params["pageToken"] = page["nextPageToken"]

    def copy(self, file_id: str, name: str, app_properties: dict[str, str]) -> dict[str, Any]:
        """A copy of the file beside it (one request)."""
        return self._call("post", f"files/{file_id}/copy", params={"supportsAllDrives": "true", "fields": "id,name"},
                          json={"name": name, "appProperties": app_properties})

    def department_spreadsheets(self, folder: dict[str, Any], quarter: str) -> dict[str, list[dict[str, Any]]]:
        """The quarter's spreadsheets in ``folder`` by department key (more than one means a duplicate)."""
        found: dict[str, list[dict[str, Any]]] = {}
        for item in self.spreadsheets_in(folder, quarter):
            key = (item.get("appProperties") or {}).get(DEPARTMENT_PROPERTY)
            if key:
                found.setdefault(key, []).append(item)
        return found

    def share(self, file_id: str, email: str, *, role: str = "writer", notify: bool = True) -> dict[str, Any]:
        """Share with one person (one request); Google e-mails them only when ``notify``."""
        params = {"supportsAllDrives": "true", "sendNotificationEmail": "true" if notify else "false", "fields": "id,role"}
        return self._call("post", f"files/{file_id}/permissions", params=params,
                          json={"type": "user", "role": role, "emailAddress": email})
