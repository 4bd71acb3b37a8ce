"""The HTTP side: routing requests to the Sheets, Drive and OAuth handlers.

Each request goes through: request log -> injected fault -> token check ->
quota -> size limit -> JSON and schema checks -> handler (under the state
lock) -> answer.
"""

from __future__ import annotations

import json
import re
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from . import drive, protection, schema, scopes, sheets_api, values_api
from .auth import OAuthError, unauthenticated
from .errors import ApiError, drive_not_found, not_found
from .limits import LoggedRequest, fault_error

MAX_BODY = 10 * 1024 * 1024

SHEETS_READS = {
    "sheets.spreadsheets.get",
    "sheets.spreadsheets.values.get",
    "sheets.spreadsheets.values.batchGet",
    "sheets.spreadsheets.developerMetadata.get",
    "sheets.spreadsheets.developerMetadata.search",
    "sheets.spreadsheets.getByDataFilter",
    "sheets.spreadsheets.values.batchGetByDataFilter",
}


class Route:
    def __init__(self, api: str, endpoint: str, params: dict[str, str]) -> None:
        self.api = api
        self.endpoint = endpoint
        self.params = params

    @property
    def kind(self) -> str:
        if self.api == "sheets":
            return "read" if self.endpoint in SHEETS_READS else "write"
        if self.api == "drive":
            return "read" if self.endpoint.endswith((".get", ".list", ".export")) else "write"
        return "write"


_SHEETS = [
    ("POST", r"/v4/spreadsheets", "sheets.spreadsheets.create"),
    ("GET", r"/v4/spreadsheets/(?P<id>[^/:]+)", "sheets.spreadsheets.get"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+):batchUpdate", "sheets.spreadsheets.batchUpdate"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+):getByDataFilter", "sheets.spreadsheets.getByDataFilter"),
    ("GET", r"/v4/spreadsheets/(?P<id>[^/:]+)/values:batchGet", "sheets.spreadsheets.values.batchGet"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/values:batchUpdate", "sheets.spreadsheets.values.batchUpdate"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/values:batchClear", "sheets.spreadsheets.values.batchClear"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/values:(?P<other>batch\w+ByDataFilter)", "sheets.spreadsheets.values.byDataFilter"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/values/(?P<range>.+):append", "sheets.spreadsheets.values.append"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/values/(?P<range>.+):clear", "sheets.spreadsheets.values.clear"),
    ("GET", r"/v4/spreadsheets/(?P<id>[^/:]+)/values/(?P<range>[^/]+)", "sheets.spreadsheets.values.get"),
    ("PUT", r"/v4/spreadsheets/(?P<id>[^/:]+)/values/(?P<range>[^/]+)", "sheets.spreadsheets.values.update"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/developerMetadata:search", "sheets.spreadsheets.developerMetadata.search"),
    ("GET", r"/v4/spreadsheets/(?P<id>[^/:]+)/developerMetadata/(?P<mid>\d+)", "sheets.spreadsheets.developerMetadata.get"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/sheets/(?P<sid>\d+):copyTo", "sheets.spreadsheets.sheets.copyTo"),
]
_DRIVE = [
    ("GET", r"/drive/v3/about", "drive.about.get"),
    ("GET", r"/drive/v3/drives", "drive.drives.list"),
    ("POST", r"/drive/v3/drives", "drive.drives.create"),
    ("GET", r"/drive/v3/drives/(?P<id>[^/]+)", "drive.drives.get"),
    ("GET", r"/drive/v3/files", "drive.files.list"),
    ("POST", r"/drive/v3/files", "drive.files.create"),
    ("GET", r"/drive/v3/files/(?P<id>[^/]+)", "drive.files.get"),
    ("PATCH", r"/drive/v3/files/(?P<id>[^/]+)", "drive.files.update"),
    ("DELETE", r"/drive/v3/files/(?P<id>[^/]+)", "drive.files.delete"),
    ("POST", r"/drive/v3/files/(?P<id>[^/]+)/copy", "drive.files.copy"),
    ("GET", r"/drive/v3/files/(?P<id>[^/]+)/export", "drive.files.export"),
    ("GET", r"/drive/v3/files/(?P<id>[^/]+)/permissions", "drive.permissions.list"),
    ("POST", r"/drive/v3/files/(?P<id>[^/]+)/permissions", "drive.permissions.create"),
    ("GET", r"/drive/v3/files/(?P<id>[^/]+)/permissions/(?P<pid>[^/]+)", "drive.permissions.get"),
    ("PATCH", r"/drive/v3/files/(?P<id>[^/]+)/permissions/(?P<pid>[^/]+)", "drive.permissions.update"),
    ("DELETE", r"/drive/v3/files/(?P<id>[^/]+)/permissions/(?P<pid>[^/]+)", "drive.permissions.delete"),
    ("GET", r"/drive/v3/files/(?P<id>[^/]+)/comments", "drive.comments.list"),
    ("POST", r"/drive/v3/files/(?P<id>[^/]+)/comments", "drive.comments.create"),
    ("PUT", r"/upload/drive/v2/files/(?P<id>[^/]+)", "drive.v2.upload"),
]


def route(method: str, raw_path: str) -> Route | None:
    if raw_path in ("/token", "/oauth2/v4/token") and method == "POST":
        return Route("oauth", "oauth.token", {})
    if raw_path in ("/o/oauth2/auth", "/o/oauth2/v2/auth") and method == "GET":
        return Route("oauth", "oauth.authorize", {})
    table = _SHEETS if raw_path.startswith("/v4/") else _DRIVE
    api = "sheets" if raw_path.startswith("/v4/") else "drive"
    for verb, pattern, endpoint in table:
        if verb != method:
            continue
        m = re.fullmatch(pattern, raw_path)
        if m:
            return Route(api, endpoint, {k: unquote(v) for k, v in m.groupdict().items()})
    return None


def endpoint_of(method: str, url: str) -> str:
    """The endpoint name for a URL (used by the replay report)."""
    parts = urlsplit(url)
    found = route(method.upper(), parts.path)
    if found is None:
        return f"{method.upper()} {parts.path}"
    return found.endpoint


class Fake(Protocol):
    """What a request handler needs of the fake that serves it (google_fake.FakeGoogle), named here so
    the server does not import its owner."""

    authority: Any
    clock: Any
    faults: Any
    log: Any
    quotas: Any
    state: Any


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""
    fake: Fake
    _headers_buffer: list[bytes]  # BaseHTTPRequestHandler's own buffer (typeshed leaves it out); _send appends the body

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # pragma: no cover
            pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    # ------------------------------------------------------------------
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str = "application/json; charset=UTF-8", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Origin, X-Origin, Referer")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(body)
        self.wfile.write(b"".join(self._headers_buffer))
        self._headers_buffer = []

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), headers=headers)

    def _serve(self, method: str) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        raw_path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        body = self._read_body()
        found = route(method, raw_path)
        entry = LoggedRequest(
            method=method,
            path=raw_path,
            query=parts.query,
            api=found.api if found else ("sheets" if raw_path.startswith("/v4/") else "drive"),
            kind=found.kind if found else ("read" if method == "GET" else "write"),
            endpoint=found.endpoint if found else f"{method} {raw_path}",
            time=fake.clock.now(),
        )
        if not (found and found.api == "oauth"):
            fake.log.add(entry)
        try:
            if found is None:
                raise ApiError(501, f"The okrsheets offline fake does not implement {method} {raw_path}.", "UNIMPLEMENTED")
            if found.endpoint == "oauth.authorize":
                self._authorize(query)
                return
            if found.api == "oauth":
                self._token(body)
                return
            fault = fake.faults.pick(method, raw_path)
            if fault is not None:
                entry.fault = fault.kind
                if fault.kind == "drop":
                    entry.status = 0
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                if fault.kind == "slow":
                    time.sleep(fault.delay)
                elif fault.kind == "lost":
                    pass  # carried out below; the answer is then lost
                elif fault.kind == "401":
                    fake.authority.expire_all()
                    raise unauthenticated(found.api, expired=True)
                else:
                    error = fault_error(fault.kind, found.api)
                    if fault.retry_after is not None:
                        error.headers["Retry-After"] = f"{fault.retry_after:g}"
                    raise error
            token = fake.authority.check(self.headers.get("Authorization"), found.api)
            self.caller = token
            entry.user = token.email
            fake.quotas.charge(found.api, found.kind, token.email, token.project_id)
            if len(body) > MAX_BODY:
                raise ApiError(400, f"Request payload size exceeds the limit: {MAX_BODY} bytes.", "INVALID_ARGUMENT")
            status, payload, ctype = self._dispatch(found, method, query, body, token.email)
            if fault is not None and fault.kind == "lost":  # carried out, but the answer never arrives
                entry.status = 0
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
        except ApiError as err:
            entry.status = err.code
            self._send_json(err.code, err.body(), err.headers)
            return
        entry.status = status
        if status == 204:
            self._send(204, b"", "text/html")
        elif isinstance(payload, bytes):
            self._send(status, payload, ctype)
        else:
            self._send_json(status, payload)

    def _authorize(self, query: dict[str, list[str]]) -> None:
        """The consent screen: consents at once and redirects to the app's loopback address."""
        try:
            location = self.fake.authority.authorize(query)
        except OAuthError as err:
            self._send(err.code, f"Error {err.code}: {err.body['error']}\n{err.body['error_description']}\n".encode(), "text/plain; charset=utf-8")
            return
        self._send(302, b"", "text/html; charset=UTF-8", {"Location": location})

    def _token(self, body: bytes) -> None:
        form = parse_qs(body.decode("utf-8"))
        basic = self.headers.get("Authorization") or ""
        if basic.lower().startswith("basic "):  # client_secret_basic: the client ID and secret in the header
            import base64

            client_id, _, secret = base64.b64decode(basic.split(" ", 1)[1]).decode("utf-8").partition(":")
            form.setdefault("client_id", [unquote(client_id)])
            form.setdefault("client_secret", [unquote(secret)])
        try:
            answer = self.fake.authority.exchange(form)
        except OAuthError as err:
            self._send_json(err.code, err.body)
            return
        self._send_json(200, answer)

    # ------------------------------------------------------------------
    def _json_body(self, found: Route, body: bytes) -> Any:
        if not body.strip():
            return {}
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            message = f"Invalid JSON payload received. Unexpected token.\n{body[:40].decode('utf-8', 'replace')}\n^"
            if found.api == "drive":
                from .errors import drive_error

                raise drive_error(400, message, "parseError") from exc
            raise ApiError(400, message, "INVALID_ARGUMENT") from exc

    def _dispatch(self, found: Route, method: str, query: dict[str, list[str]], body: bytes, user: str) -> tuple[int, Any, str]:
        fake = self.fake
        state = fake.state
        ep = found.endpoint
        p = found.params
        api = found.api
        if ep in ("sheets.spreadsheets.getByDataFilter", "sheets.spreadsheets.values.byDataFilter"):
            raise ApiError(501, f"The okrsheets offline fake does not implement {ep}.", "UNIMPLEMENTED")
        schema.validate_query(api, ep, {k: v for k, v in query.items()})
        scopes.check(self.caller.scopes, api, found.kind)
        if ep == "drive.v2.upload":
            with state.lock:
                self._bind_caller(api)
                return 200, drive.upload_v2(state, user, p["id"], query, body, self.headers.get("Content-Type", "")), ""
        payload: Any = {}
        if method in ("POST", "PUT", "PATCH"):
            payload = self._json_body(found, body)
            if payload is None:
                payload = {}
            payload = schema.validate_body(api, ep, payload)
        with state.lock:
            self._bind_caller(api)
            if api == "drive":
                return self._drive(ep, p, query, payload, user)
            return self._sheets(ep, p, query, payload, user)

    def _bind_caller(self, api: str) -> None:
        """Under the state lock: the app the request comes from, and whether it sees only that app's files."""
        state = self.fake.state
        state.caller_app = self.caller.project_id
        # drive.file alone: only what this app (Cloud project) created is visible
        state.app_only = self.caller.project_id if scopes.app_only(self.caller.scopes, api) else None

    def _drive(self, ep: str, p: dict[str, str], query: dict[str, list[str]], payload: Any, user: str) -> tuple[int, Any, str]:
        state = self.fake.state
        storage = self.caller.drive_storage
        if ep == "drive.about.get":
            return 200, drive.about_get(state, user, query, storage=storage), ""
        if ep == "drive.drives.create":
            return 200, drive.drives_create(state, user, query, payload), ""
        if ep == "drive.drives.get":
            return 200, drive.drives_get(state, user, p["id"], query), ""
        if ep == "drive.drives.list":
            return 200, drive.drives_list(state, user, query), ""
        if ep == "drive.files.list":
            return 200, drive.files_list(state, user, query), ""
        if ep == "drive.files.create":
            return 200, drive.files_create(state, user, query, payload, storage=storage), ""
        if ep == "drive.files.get":
            return 200, drive.files_get(state, user, p["id"], query), ""
        if ep == "drive.files.update":
            return 200, drive.files_update(state, user, p["id"], query, payload), ""
        if ep == "drive.files.delete":
            drive.files_delete(state, user, p["id"], query)
            return 204, None, ""
        if ep == "drive.files.copy":
            return 200, drive.files_copy(state, user, p["id"], query, payload, storage=storage), ""
        if ep == "drive.files.export":
            data, mime = drive.files_export(state, user, p["id"], query)
            return 200, data, mime
        if ep == "drive.permissions.list":
            return 200, drive.permissions_list(state, user, p["id"], query), ""
        if ep == "drive.permissions.create":
            return 200, drive.permissions_create(state, user, p["id"], query, payload), ""
        if ep == "drive.permissions.get":
            return 200, drive.permissions_get(state, user, p["id"], p["pid"], query), ""
        if ep == "drive.permissions.update":
            return 200, drive.permissions_update(state, user, p["id"], p["pid"], query, payload), ""
        if ep == "drive.permissions.delete":
            drive.permissions_delete(state, user, p["id"], p["pid"])
            return 204, None, ""
        if ep == "drive.comments.list":
            return 200, drive.comments_list(state, user, p["id"], query), ""
        if ep == "drive.comments.create":
            return 200, drive.comments_create(state, user, p["id"], query, payload), ""
        raise ApiError(404, "Method not found.", "NOT_FOUND")

    def _spreadsheet(self, spreadsheet_id: str, user: str, *, write: bool) -> Any:
        state = self.fake.state
        ss = state.spreadsheets.get(spreadsheet_id)
        drive_file = state.files.get(spreadsheet_id)
        if drive_file is None:
            raise not_found()
        role = state.role_of(drive_file, user)
        if ss is None:  # an uploaded .xlsx or any other file that is not a Google spreadsheet
            if role is None:
                raise not_found()
            raise ApiError(400, "This operation is not supported for this document", "FAILED_PRECONDITION")
        if state.app_only is not None and drive_file.app != state.app_only:
            role = None
        if role is None or (write and role not in ("writer", "owner", "organizer", "fileOrganizer")):
            raise ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
        return ss

    def _sheets(self, ep: str, p: dict[str, str], query: dict[str, list[str]], payload: Any, user: str) -> tuple[int, Any, str]:
        state = self.fake.state
        if ep == "sheets.spreadsheets.create":
            if not self.caller.drive_storage:  # the new spreadsheet would go to the caller's own My Drive
                raise ApiError(403, "The user's Drive storage quota has been exceeded.", "PERMISSION_DENIED")
            return 200, sheets_api.create(state, user, payload, query), ""
        write = ep not in SHEETS_READS
        ss = self._spreadsheet(p["id"], user, write=write)
        if ep == "sheets.spreadsheets.get":
            return 200, sheets_api.get(ss, query), ""
        if ep == "sheets.spreadsheets.values.get":
            return 200, values_api.get(ss, p["range"], query), ""
        if ep == "sheets.spreadsheets.values.batchGet":
            return 200, values_api.batch_get(ss, query), ""
        if ep == "sheets.spreadsheets.developerMetadata.search":
            return 200, sheets_api.search_developer_metadata(ss, payload), ""
        if ep == "sheets.spreadsheets.developerMetadata.get":
            return 200, sheets_api.get_developer_metadata(ss, p["mid"]), ""
        if ep == "sheets.spreadsheets.batchUpdate":
            return 200, sheets_api.batch_update_spreadsheet(state, ss, payload, user), ""
        if ep == "sheets.spreadsheets.sheets.copyTo":
            target_id = payload.get("destinationSpreadsheetId") or ""
            target = self._spreadsheet(target_id, user, write=True) if target_id in state.spreadsheets else None
            if target is None:
                raise not_found()
            return 200, sheets_api.copy_sheet_to(state, ss, int(p["sid"]), target), ""
        # value writes: all-or-nothing, like a batchUpdate
        import copy

        work = copy.deepcopy(ss)
        if ep == "sheets.spreadsheets.values.update":
            result = values_api.update(work, p["range"], payload, query)
        elif ep == "sheets.spreadsheets.values.append":
            result = values_api.append(work, p["range"], payload, query)
        elif ep == "sheets.spreadsheets.values.batchUpdate":
            result = values_api.batch_update(work, payload)
        elif ep == "sheets.spreadsheets.values.clear":
            result = values_api.clear(work, p["range"])
        elif ep == "sheets.spreadsheets.values.batchClear":
            result = values_api.batch_clear(work, payload)
        else:
            raise ApiError(404, "Method not found.", "NOT_FOUND")
        protection.check_edits(ss, work, user)
        state.spreadsheets[ss.id] = work
        state.touch(ss.id)
        return 200, result, ""


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


__all__ = ["FakeHTTPServer", "Handler", "drive_not_found", "endpoint_of", "route"]
