"""The three Google set-ups of docs/google.md, built on the offline fake as a person would build them.

Each builder makes what the admin makes by hand (a key or an OAuth client, a
folder, the sharing) and writes an okrsheets.toml pointing at it; the CLI then
runs as a subprocess with ``OKRSHEETS_GOOGLE_API_URL`` set to the fake.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from okrsheets.backends.google.auth import SCOPES
from okrsheets.testing import FakeGoogle

REPO = Path(__file__).resolve().parents[1]
ADMIN = "okr-admin@senvang.example"  # the Workspace user who sets things up
PERSON = "chu.doanh.nghiep@gmail.example"  # a free Gmail account, for auth = "user"
SERVICE_ACCOUNT = "okrsheets-job@senvang-okr.iam.gserviceaccount.com"


@dataclass
class Setup:
    fake: FakeGoogle
    folder: Path  # where the config and the credentials files are
    config: Path
    identity: str  # the address the job runs as
    folder_id: str
    secrets: list[str] = field(default_factory=list)  # texts that must never be printed

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return run_cli(self.fake, *args, "--config", str(self.config), timeout=timeout)


def environment(fake: FakeGoogle) -> dict[str, str]:
    env = dict(os.environ, OKRSHEETS_GOOGLE_API_URL=fake.url, PYTHONPATH=str(REPO))
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    return env


def run_cli(fake: FakeGoogle, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "okrsheets", *args], capture_output=True, text=True, timeout=timeout,
        env=environment(fake), cwd=REPO,
    )


def write_config(folder: Path, backend: str, *, language: str = "vi", departments: tuple[str, ...] = ("sales", "hr")) -> Path:
    text = f'company = "Công ty Sen Vàng"\nlanguage = "{language}"\nquarter = "2026-Q4"\n\n[backend]\nkind = "google"\n{backend}\n'
    for key in departments:
        text += f'\n[[departments]]\nkey = "{key}"\ntemplate = "{key}"\nobjectives = ["O1"]\n'
    path = folder / "okrsheets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _key(fake: FakeGoogle, folder: Path) -> tuple[Path, list[str]]:
    path = fake.make_service_account_key(folder / "service-account.json", email=SERVICE_ACCOUNT)
    data = json.loads(path.read_text(encoding="utf-8"))
    # the PEM body lines of the private key: none may ever appear in output
    body = [line for line in data["private_key"].splitlines() if line and not line.startswith("-----")]
    return path, body[:3]


def shared_drive_setup(fake: FakeGoogle, folder: Path, *, role: str = "fileOrganizer", language: str = "vi", extra: str = "") -> Setup:
    """Set-up 1: the service account is a member of a shared drive holding the folder."""
    key, secrets = _key(fake, folder)
    drive = fake.create_shared_drive("OKR", {ADMIN: "organizer", SERVICE_ACCOUNT: role})
    folder_id = fake.create_folder("OKR 2026", owner=ADMIN, parent=drive)
    config = write_config(
        folder, f'folder_id = "{folder_id}"\nservice_account_file = "{key.name}"\n{extra}', language=language
    )
    return Setup(fake, folder, config, SERVICE_ACCOUNT, folder_id, secrets)


def my_drive_setup(fake: FakeGoogle, folder: Path, *, language: str = "vi") -> Setup:
    """What people try first, and what fails since 2025: a My Drive folder shared with the service account."""
    key, secrets = _key(fake, folder)
    folder_id = fake.create_folder("OKR 2026", owner=ADMIN, shared_with={SERVICE_ACCOUNT: "writer"})
    config = write_config(folder, f'folder_id = "{folder_id}"\nservice_account_file = "{key.name}"\n', language=language)
    return Setup(fake, folder, config, SERVICE_ACCOUNT, folder_id, secrets)


def delegation_setup(fake: FakeGoogle, folder: Path, *, granted: bool = True, language: str = "vi") -> Setup:
    """Set-up 2: domain-wide delegation; the job acts as the admin, in the admin's My Drive folder."""
    key, secrets = _key(fake, folder)
    if granted:
        fake.allow_delegation(key, SCOPES)
    folder_id = fake.create_folder("OKR 2026", owner=ADMIN)
    config = write_config(
        folder, f'folder_id = "{folder_id}"\nservice_account_file = "{key.name}"\nimpersonate = "{ADMIN}"\n', language=language
    )
    return Setup(fake, folder, config, ADMIN, folder_id, secrets)


def user_setup(fake: FakeGoogle, folder: Path, *, language: str = "vi") -> Setup:
    """Set-up 3: a person's own Google account; `google login` has not run yet."""
    secret_path = fake.make_oauth_client(folder / "client_secret.json")
    client_secret = json.loads(secret_path.read_text(encoding="utf-8"))["installed"]["client_secret"]
    fake.consent_user = PERSON
    folder_id = fake.create_folder("OKR 2026", owner=PERSON)
    config = write_config(
        folder, f'folder_id = "{folder_id}"\nauth = "user"\nclient_secret_file = "client_secret.json"\ntoken_file = "token.json"\n',
        language=language,
    )
    return Setup(fake, folder, config, PERSON, folder_id, [client_secret])


def google_login(setup: Setup) -> subprocess.CompletedProcess:
    """Run `okrsheets google login --no-browser` and do what the person does in the browser:
    open the printed address, which the fake's consent screen answers with a redirect to the
    CLI's local server (requests follows it, as the browser would)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "okrsheets", "google", "login", "--no-browser", "--config", str(setup.config)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(setup.fake), cwd=REPO,
    )
    assert process.stdout is not None
    url = None
    deadline = time.time() + 30
    lines = []
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("http"):
            url = line.strip()
            break
    assert url is not None, "".join(lines) + process.stderr.read()
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 200
    out, err = process.communicate(timeout=30)
    setup.secrets += _token_secrets(setup)
    return subprocess.CompletedProcess(process.args, process.returncode, "".join(lines) + out, err)


def _token_secrets(setup: Setup) -> list[str]:
    token = setup.folder / "token.json"
    if not token.exists():
        return []
    data = json.loads(token.read_text(encoding="utf-8"))
    return [data["refresh_token"], data["client_secret"]]
