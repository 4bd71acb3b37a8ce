"""An offline, stateful fake of Google Sheets v4 and Drive v3, served on 127.0.0.1.

Use it from tests::

    fake = FakeGoogle().start()
    key = fake.make_service_account_key(tmp_path / "key.json")
    gc = fake.gspread_client(key)          # gspread.service_account(..., http_client=...)
    sh = gc.create("OKRs Q3")
    ...
    fake.stop()

or on its own::

    python -m okrsheets.testing.google_fake --port 8765 --key-out key.json

See docs/google-fake.md for what it implements and where it differs from Google.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from .auth import Authority
from .limits import Fault, Faults, LoggedRequest, Quotas, RequestLog
from .server import FakeHTTPServer, Handler
from .state import FakeClock, State
from .transport import http_client_class


class FakeGoogle:
    """The fake server plus the knobs tests turn."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, seed: int = 0, clock: FakeClock | None = None) -> None:
        self.host = host
        self._port = port
        self.clock = clock or FakeClock()
        self.state = State(self.clock, seed)
        self.authority = Authority(self.clock)
        self.quotas = Quotas(self.clock)
        self.faults = Faults()
        self.log = RequestLog()
        self._server: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.default_email: str | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "FakeGoogle":
        if self._server is not None:
            return self
        handler = type("BoundHandler", (Handler,), {"fake": self})
        self._server = FakeHTTPServer((self.host, self._port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="google-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "FakeGoogle":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Run in the foreground (the CLI)."""
        handler = type("BoundHandler", (Handler,), {"fake": self})
        self._server = FakeHTTPServer((self.host, self._port), handler)
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake is not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    # ------------------------------------------------------------------ credentials
    def make_service_account_key(
        self,
        path: str | Path | None = None,
        *,
        email: str | None = None,
        project_id: str = "okrsheets-fake",
        drive_storage: bool = False,
    ) -> Any:
        """Write (or return, when ``path`` is None) a key whose token_uri is this fake.

        By default the account has no Drive storage, like every service account
        created since April 2025: it can create files only in a shared drive
        (elsewhere Drive answers 403 ``storageQuotaExceeded``). Pass
        ``drive_storage=True`` for an older account with its own storage.
        """
        key = self.authority.make_key(self.token_uri, email=email, project_id=project_id, drive_storage=drive_storage)
        self.default_email = self.default_email or key["client_email"]
        if path is None:
            return key
        path = Path(path)
        path.write_text(json.dumps(key, indent=2), encoding="utf-8")
        return path

    def make_oauth_client(self, path: str | Path | None = None, *, project_id: str = "okrsheets-fake") -> Any:
        """Write (or return) a desktop-app client secret, as the Cloud console downloads it, pointing at this fake."""
        client = self.authority.make_client(project_id)
        secret = {
            "installed": {
                "client_id": client.client_id,
                "project_id": project_id,
                "auth_uri": f"{self.url}/o/oauth2/auth",
                "token_uri": self.token_uri,
                "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
                "client_secret": client.client_secret,
                "redirect_uris": ["http://localhost"],
            }
        }
        if path is None:
            return secret
        path = Path(path)
        path.write_text(json.dumps(secret), encoding="utf-8")
        return path

    @property
    def consent_user(self) -> str:
        """The person who clicks "Allow" on the fake's consent screen."""
        return self.authority.consent_user

    @consent_user.setter
    def consent_user(self, email: str) -> None:
        self.authority.consent_user = email

    def revoke_refresh_tokens(self, email: str | None = None) -> int:
        """What a user does by removing the app's access in their Google Account: their refresh tokens stop working."""
        return self.authority.revoke(email)

    def allow_delegation(self, key: dict[str, Any] | str | Path, scopes: tuple[str, ...] | list[str]) -> None:
        """Domain-wide delegation as a Workspace admin grants it, for the key's client ID and these scopes."""
        info = key if isinstance(key, dict) else json.loads(Path(key).read_text(encoding="utf-8"))
        self.authority.allow_delegation(str(info["client_id"]), tuple(scopes))

    def issue_token(self, email: str | None = None, project_id: str = "okrsheets-fake") -> str:
        """An access token without the JWT dance (for raw HTTP tests)."""
        email = email or self.default_email or "fake-sa@okrsheets-fake.iam.gserviceaccount.com"
        return self.authority.issue(email, project_id).value

    def expire_tokens(self) -> None:
        self.authority.expire_all()

    def http_client_class(self, base: type | None = None, *, retries: Any = 0) -> type:
        return http_client_class(self.url, base, retries=retries)

    def gspread_client(self, key_path: str | Path | None = None, *, base: type | None = None, retries: Any = 0) -> Any:
        """``gspread.service_account(filename=key_path, http_client=...)`` against the fake."""
        import gspread

        if key_path is None:
            raise ValueError("pass the path written by make_service_account_key()")
        return gspread.service_account(filename=str(key_path), http_client=self.http_client_class(base, retries=retries))

    # ------------------------------------------------------------------ observing
    @property
    def request_log(self) -> list[LoggedRequest]:
        return self.log.entries()

    def clear_log(self) -> None:
        self.log.clear()

    def count(self, *, kind: str | None = None, api: str | None = None, endpoint: str | None = None, method: str | None = None) -> int:
        return sum(
            1
            for e in self.log.entries()
            if (kind is None or e.kind == kind)
            and (api is None or e.api == api)
            and (endpoint is None or e.endpoint == endpoint)
            and (method is None or e.method == method.upper())
        )

    @property
    def notifications(self) -> list[dict[str, Any]]:
        """Sharing e-mails Drive would have sent (sendNotificationEmail)."""
        return list(self.state.notifications)

    # ------------------------------------------------------------------ faults and quotas
    def inject_fault(
        self,
        kind: str | int,
        *,
        nth: int | None = None,
        rate: float | None = None,
        times: int | None = None,
        delay: float = 1.0,
        path: str | None = None,
        method: str | None = None,
        seed: int = 0,
        retry_after: float | None = None,
    ) -> Fault:
        """Answer matching requests with a fault.

        ``kind``: ``429``, ``500``, ``503`` (Google's error bodies), ``"drop"``
        (close the connection without answering), ``"slow"`` (answer after
        ``delay`` real seconds) or ``401`` (expire every token and answer
        Google's 401). ``nth``: only the n-th matching request from now
        (1-based); ``rate``: each matching request with that probability
        (seeded); neither: every matching request. ``times`` caps how often
        it fires (default once with ``nth``). ``retry_after``: the seconds a
        ``Retry-After`` header on a 429/500/503 answer asks the client to wait.
        """
        import random

        if nth is not None and times is None:
            times = 1
        fault = Fault(str(kind), nth=nth, rate=rate, times=times, delay=delay, path=path, method=method, rng=random.Random(seed),
                      retry_after=retry_after)
        return self.faults.add(fault)

    def clear_faults(self) -> None:
        self.faults.clear()

    def set_quota(
        self,
        *,
        read_per_user: int | None = 60,
        read_per_project: int | None = 300,
        write_per_user: int | None = 60,
        write_per_project: int | None = 300,
        drive_per_user: int | None = 12_000,
        drive_per_project: int | None = 12_000,
        enabled: bool = True,
    ) -> None:
        """Per-minute limits on the fake's clock; ``None`` lifts one limit."""
        cfg = self.quotas.config
        cfg.read_per_user, cfg.read_per_project = read_per_user, read_per_project
        cfg.write_per_user, cfg.write_per_project = write_per_user, write_per_project
        cfg.drive_per_user, cfg.drive_per_project = drive_per_user, drive_per_project
        self.quotas.enabled = enabled
        self.quotas.reset()

    def disable_quotas(self) -> None:
        self.quotas.enabled = False

    # ------------------------------------------------------------------ data
    @property
    def spreadsheets(self) -> dict[str, Any]:
        return self.state.spreadsheets

    @property
    def files(self) -> dict[str, Any]:
        return self.state.files

    def create_shared_drive(self, name: str, members: dict[str, str]) -> str:
        """A shared drive, as a Workspace user makes it; ``members`` maps e-mail to role
        (``organizer`` = Manager, ``fileOrganizer`` = Content manager, ``writer`` = Contributor,
        ``commenter``, ``reader``). Returns its ID, which is also its root folder's ID."""
        from .state import Permission, SharedDrive

        with self.state.lock:
            drive = SharedDrive(self.state.new_drive_id(), name, self.clock.now())
            for email, role in members.items():
                drive.members.append(Permission(self.state.permission_id_for(email), "user", role, email=email))
            self.state.drives[drive.id] = drive
        return drive.id

    def create_folder(self, name: str, *, owner: str, parent: str | None = None, shared_with: dict[str, str] | None = None) -> str:
        """A folder made by a person (in their My Drive, or in a shared drive when ``parent`` is one),
        shared with ``shared_with`` (e-mail to role). Returns its ID."""
        from .state import FOLDER_MIME, DriveFile, Permission

        with self.state.lock:
            parents = [parent or self.state.root_id]
            now = self.clock.now()
            folder = DriveFile(self.state.new_file_id(), name, FOLDER_MIME, parents, now, now, owner)
            folder.drive_id = self.state.drive_of(parents)
            if folder.drive_id is None:
                folder.permissions.append(self.state.owner_permission(owner))
            for email, role in (shared_with or {}).items():
                folder.permissions.append(Permission(self.state.permission_id_for(email), "user", role, email=email))
            self.state.files[folder.id] = folder
        return folder.id

    def share(self, file_id: str, email: str, role: str | None) -> None:
        """What a person does in Drive's Share dialog (or Manage members, for a shared drive's ID):
        give ``email`` the ``role``, or take their access away with ``role=None``. No API call."""
        from .state import Permission

        with self.state.lock:
            target = self.state.drives.get(file_id)
            permissions = target.members if target is not None else self.state.files[file_id].permissions
            permissions[:] = [p for p in permissions if (p.email or "").lower() != email.lower()]
            if role is not None:
                permissions.append(Permission(self.state.permission_id_for(email), "user", role, email=email))

    def seed_spreadsheet(
        self,
        title: str,
        *,
        owner: str | None = None,
        created: float | None = None,
        modified: float | None = None,
        parent: str | None = None,
        app_properties: dict[str, str] | None = None,
    ) -> str:
        """Put a spreadsheet in the fake's Drive without an API call; returns its id.

        ``parent`` is a folder or shared drive ID (default: the owner's My Drive);
        ``app_properties`` are set as okrsheets' own app would have set them.
        """
        owner = owner or self.default_email or "fake-sa@okrsheets-fake.iam.gserviceaccount.com"
        with self.state.lock:
            drive_file, _ = self.state.create_spreadsheet(title, owner, parents=[parent] if parent else None)
            if created is not None:
                drive_file.created = created
            if modified is not None:
                drive_file.modified = modified
            drive_file.app_properties = dict(app_properties or {})
        return drive_file.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m okrsheets.testing.google_fake", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--key-out", help="write a service-account key for this fake to this path")
    parser.add_argument("--drive-storage", action="store_true",
                        help="the key's account has its own Drive storage (as accounts made before April 2025)")
    parser.add_argument("--shared-folder", metavar="NAME",
                        help="make a shared drive with the key's account as Content manager, and a folder NAME in it")
    parser.add_argument("--delegate-to", metavar="EMAIL",
                        help="grant the key domain-wide delegation and make a folder in EMAIL's My Drive")
    parser.add_argument("--client-secret-out", help="write a desktop OAuth client secret for this fake to this path")
    parser.add_argument("--consent-user", metavar="EMAIL", help="who signs in on the fake's consent screen")
    parser.add_argument("--no-quotas", action="store_true", help="do not enforce per-minute quotas")
    parser.add_argument("--read-quota", type=int, default=60, help="read requests per minute per user")
    parser.add_argument("--write-quota", type=int, default=60, help="write requests per minute per user")
    args = parser.parse_args(argv)
    fake = FakeGoogle(args.host, args.port)
    fake.set_quota(read_per_user=args.read_quota, write_per_user=args.write_quota, enabled=not args.no_quotas)
    fake.start()
    made = _set_up(fake, args)  # files written before "listening" is printed
    print(f"fake Google Sheets/Drive listening on {fake.url} (Ctrl-C to stop)", flush=True)
    for line in made:
        print(line, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


def _set_up(fake: FakeGoogle, args: argparse.Namespace) -> list[str]:
    """What the command-line flags ask for, as a person would set it up; one line per thing made."""
    lines = []
    if args.consent_user:
        fake.consent_user = args.consent_user
    if args.key_out:
        key = json.loads(fake.make_service_account_key(args.key_out, drive_storage=args.drive_storage).read_text(encoding="utf-8"))
        lines.append(f"service-account key: {args.key_out} ({key['client_email']})")
        if args.shared_folder:
            drive = fake.create_shared_drive(args.shared_folder, {key["client_email"]: "fileOrganizer"})
            folder = fake.create_folder(args.shared_folder, owner=key["client_email"], parent=drive)
            lines.append(f"folder_id = \"{folder}\"  (in a shared drive; {key['client_email']} is Content manager)")
        if args.delegate_to:
            fake.allow_delegation(key, ("https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"))
            folder = fake.create_folder("OKR", owner=args.delegate_to)
            lines.append(f"folder_id = \"{folder}\"  (in {args.delegate_to}'s My Drive; delegation granted)")
    if args.client_secret_out:
        fake.make_oauth_client(args.client_secret_out)
        folder = fake.create_folder("OKR", owner=fake.consent_user)
        lines.append(f"client secret: {args.client_secret_out}")
        lines.append(f"folder_id = \"{folder}\"  (in {fake.consent_user}'s My Drive)")
    return lines


if __name__ == "__main__":
    sys.exit(main())
