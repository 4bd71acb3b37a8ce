"""The three Google set-ups authenticate through real google-auth and gspread over HTTP against the fake.

The CLI runs as a subprocess with OKRSHEETS_GOOGLE_API_URL pointing at the
fake, as a user testing a config would run it.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsheets.backends.google.auth import SCOPES
from okrsheets.cli.main import cli
from okrsheets.testing import FakeGoogle

from .google_setups import (
    ADMIN, PERSON, SERVICE_ACCOUNT, Setup, delegation_setup, google_login, run_cli, shared_drive_setup, user_setup,
    write_config,
)


@pytest.fixture
def fake():
    with FakeGoogle() as running:
        yield running


def assert_clean(result, setup: Setup) -> None:
    """No traceback, and not one secret (private key, refresh token, client secret) in any output."""
    both = result.stdout + result.stderr
    assert "Traceback" not in both
    for secret in setup.secrets:
        assert secret not in both


def logged_in_user(fake: FakeGoogle, folder: Path, language: str = "en") -> Setup:
    setup = user_setup(fake, folder, language=language)
    result = google_login(setup)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_clean(result, setup)
    return setup


BUILDERS = {
    "shared drive": lambda fake, folder: shared_drive_setup(fake, folder, language="en"),
    "domain-wide delegation": lambda fake, folder: delegation_setup(fake, folder, language="en"),
    "user account": logged_in_user,
}


@pytest.mark.parametrize("name", BUILDERS)
def test_each_setup_authenticates_and_doctor_passes(fake, tmp_path, name):
    setup = BUILDERS[name](fake, tmp_path)
    fake.clear_log()
    result = setup.run("google", "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"identity: the job runs as {setup.identity}; share the folder with this address as Editor" in result.stdout
    assert '"OKR 2026"' in result.stdout and "is reachable" in result.stdout
    assert "a test spreadsheet was created in the folder and " in result.stdout
    assert result.stdout.strip().endswith("All 7 checks passed.")
    assert_clean(result, setup)
    # every Drive request ran as the identity the doctor printed
    assert {entry.user for entry in fake.request_log} == {setup.identity}
    # and the folder is left as it was: the test spreadsheet is gone from it
    assert not [f for f in fake.files.values() if setup.folder_id in f.parents and not f.trashed]


def test_tokens_are_asked_with_the_spreadsheets_and_drive_scopes_only(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path)
    assert setup.run("google", "doctor").returncode == 0
    scopes = {token.scopes for token in fake.authority.tokens.values()}
    assert scopes == {("https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive")}
    assert SCOPES == ("https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive")


def test_the_redirect_to_the_fake_is_announced_on_stderr(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, language="en")
    result = setup.run("google", "doctor")
    assert f"Warning: OKRSHEETS_GOOGLE_API_URL is set; every Google request goes to {fake.url} instead of Google." in result.stderr
    assert "OKRSHEETS_GOOGLE_API_URL" not in result.stdout


def test_login_saves_the_refresh_token_readable_by_its_owner_only(fake, tmp_path):
    setup = user_setup(fake, tmp_path, language="en")
    result = google_login(setup)
    assert result.returncode == 0, result.stderr
    token = tmp_path / "token.json"
    assert f"Saved the Google login for {PERSON} to {token} (readable by you only)." in result.stdout
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    saved = json.loads(token.read_text(encoding="utf-8"))
    assert saved["type"] == "authorized_user" and saved["refresh_token"].startswith("1//")
    assert "token" not in saved  # the short-lived access token is not kept
    assert saved["refresh_token"] not in result.stdout + result.stderr
    # the fake saw the consent for the person who clicked Allow, with PKCE
    assert [grant.email for grant in fake.authority.refresh_tokens.values()] == [PERSON]


def test_login_in_vietnamese_by_default(fake, tmp_path):
    setup = user_setup(fake, tmp_path, language="vi")
    result = google_login(setup)
    assert result.returncode == 0
    assert "Hãy mở địa chỉ này trong trình duyệt web" in result.stdout
    assert f"Đã lưu lần đăng nhập Google của {PERSON} vào {tmp_path / 'token.json'} (chỉ bạn đọc được)." in result.stdout


def test_a_revoked_login_says_run_google_login_again(fake, tmp_path):
    setup = logged_in_user(fake, tmp_path)
    fake.revoke_refresh_tokens(PERSON)
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "FAIL     credentials: the saved Google login was revoked or has expired (Google said: invalid_grant);"
        " run `okrsheets google login` again"
    )
    assert_clean(result, setup)


def test_doctor_before_login_says_to_log_in(fake, tmp_path):
    setup = user_setup(fake, tmp_path, language="en")
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    assert f"no saved Google login at {tmp_path / 'token.json'}; run `okrsheets google login` once" in result.stdout
    assert_clean(result, setup)


def test_a_token_file_others_can_read_fails_the_doctor(fake, tmp_path):
    setup = logged_in_user(fake, tmp_path)
    (tmp_path / "token.json").chmod(0o644)
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    assert f"can be read by other users of this computer (mode 644); run `chmod 600 {tmp_path / 'token.json'}`" in result.stdout


def test_delegation_not_granted_names_the_client_id_and_scopes(fake, tmp_path):
    setup = delegation_setup(fake, tmp_path, granted=False, language="en")
    client_id = json.loads((tmp_path / "service-account.json").read_text(encoding="utf-8"))["client_id"]
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    line = result.stdout.splitlines()[0]
    assert line.startswith(f"FAIL     credentials: Google refused to let the service account act as {ADMIN} (unauthorized_client)")
    assert f"add the client ID {client_id} with the scopes https://www.googleapis.com/auth/spreadsheets,https://www.googleapis.com/auth/drive" in line
    assert_clean(result, setup)


def test_a_key_google_does_not_know_is_rejected_with_what_to_do(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, language="en")
    with FakeGoogle() as other:  # a key made elsewhere: this fake never issued it
        (tmp_path / "service-account.json").write_text(json.dumps(other.make_service_account_key(email=SERVICE_ACCOUNT)))
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    assert "Google rejected the service-account key" in result.stdout and "create a new JSON key" in result.stdout
    assert_clean(result, setup)


def test_login_is_only_for_user_auth(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, language="en")
    result = setup.run("google", "login", "--no-browser")
    assert result.returncode == 1
    assert 'backend.auth is "service_account"; `okrsheets google login` is only for auth = "user"' in result.stderr
    assert "Traceback" not in result.stderr


def test_google_commands_need_the_google_backend(fake, tmp_path):
    path = tmp_path / "okrsheets.toml"
    path.write_text('company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\n', encoding="utf-8")
    result = run_cli(fake, "google", "doctor", "--config", str(path))
    assert result.returncode == 2
    assert 'Lỗi: ' + str(path) + ': backend.kind: "excel"; các lệnh google cần kind = "google"' in result.stderr


# ---------------------------------------------------------------------- check-config explains a wrong set-up

def _check(tmp_path: Path, backend: str):
    path = write_config(tmp_path, backend, language="en")  # (the Vietnamese words: tests/test_config_problems.py)
    return CliRunner().invoke(cli, ["check-config", "--config", str(path)])


@pytest.fixture
def files(tmp_path):
    with FakeGoogle() as fake:
        fake.make_service_account_key(tmp_path / "key.json")
        fake.make_oauth_client(tmp_path / "client.json")
        web = fake.make_oauth_client()
        (tmp_path / "web.json").write_text(json.dumps({"web": web["installed"]}))
    (tmp_path / "broken.json").write_text('{"type": "service_account", ')
    return tmp_path


@pytest.mark.parametrize(
    "backend, message",
    [
        ('folder_id = "F"\nservice_account_file = "nope.json"',
         "backend.service_account_file: file not found: {tmp}/nope.json; in the Google Cloud console open IAM & Admin > Service accounts"),
        ('folder_id = "F"\nservice_account_file = "broken.json"',
         "backend.service_account_file: {tmp}/broken.json is not valid JSON (line 1)"),
        ('folder_id = "F"\nservice_account_file = "client.json"',
         "backend.service_account_file: {tmp}/client.json is an OAuth client secret of a desktop app (set it as client_secret_file,"
         ' with auth = "user"), not a service-account key'),
        ('folder_id = "F"\nauth = "user"\nclient_secret_file = "key.json"',
         "backend.client_secret_file: {tmp}/key.json is a service-account key (set it as service_account_file,"
         ' with auth = "service_account"), not an OAuth client secret of a desktop app'),
        ('folder_id = "F"\nauth = "user"\nclient_secret_file = "web.json"',
         'backend.client_secret_file: {tmp}/web.json is an OAuth client of type "Web application"; okrsheets needs one of type "Desktop app"'),
        ('folder_id = "F"\nservice_account_file = "key.json"\nimpersonate = "okr-admin"',
         'backend.impersonate: expected the e-mail address of a user of your Google Workspace domain, got "okr-admin"'),
        ('service_account_file = "key.json"', "backend.folder_id: missing; expected text"),
        ('folder_id = "F"\nauth = "oauth"', 'backend.auth: expected "service_account" or "user", got "oauth"'),
        ('folder_id = "F"\nauth = "user"', 'backend.client_secret_file: missing; expected the path of the OAuth client JSON (type "Desktop app")'),
        ('folder_id = "F"\nauth = "user"\nclient_secret_file = "client.json"\nimpersonate = "a@b.vn"',
         'backend.impersonate: only used with auth = "service_account"'),
        ('folder_id = "F"\nservice_account_file = "key.json"\ntoken_file = "t.json"', 'backend.token_file: only used with auth = "user"'),
        ('folder_id = "F"\nservice_account_file = "key.json"\nnotify_owners = "yes"', 'backend.notify_owners: expected true or false, got "yes"'),
        ('folder_id = "F"\nauth = "user"\nclient_secret_file = "client.json"\ntoken_file = "key.json"',
         "backend.token_file: {tmp}/key.json is a service-account key"),
    ],
)
def test_check_config_explains_a_wrong_google_setup(files, backend, message):
    result = _check(files, backend)
    assert result.exit_code == 2, result.output
    assert message.format(tmp=files) in result.output
    assert "BEGIN PRIVATE KEY" not in result.output and "GOCSPX" not in result.output
    assert "Traceback" not in result.output


def test_check_config_accepts_each_setup(files):
    for backend in (
        'folder_id = "F"\nservice_account_file = "key.json"',
        'folder_id = "F"\nservice_account_file = "key.json"\nimpersonate = "okr-admin@senvang.vn"\nshare_with_owners = false',
        'folder_id = "F"\nauth = "user"\nclient_secret_file = "client.json"\nnotify_owners = false',
    ):
        result = _check(files, backend)
        assert result.exit_code == 0, result.output


def test_the_key_file_may_come_from_googles_environment_variable(files, monkeypatch):
    from okrsheets.config import load_config

    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(files / "key.json"))
    config = load_config(write_config(files, 'folder_id = "F"'))
    assert config.google.service_account_file == files / "key.json"
    assert (config.google.auth, config.google.share_with_owners, config.google.notify_owners) == ("service_account", True, True)


@pytest.mark.parametrize("flags, backend, ends", [
    (["--key-out", "key.json", "--shared-folder", "OKR"], 'service_account_file = "key.json"', "All 7 checks passed."),
    (["--key-out", "key.json", "--delegate-to", ADMIN], f'service_account_file = "key.json"\nimpersonate = "{ADMIN}"', "All 7 checks passed."),
    (["--client-secret-out", "client.json", "--consent-user", PERSON], 'auth = "user"\nclient_secret_file = "client.json"',
     "1 of 1 checks failed; fix them and run `okrsheets google doctor` again."),
])
def test_the_cli_against_a_fake_in_another_process(tmp_path, flags, backend, ends):
    """What docs/google.md shows for trying a set-up offline: the fake on its own, the CLI pointed at it."""
    import os
    import socket
    import subprocess
    import sys

    from .google_setups import REPO

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "okrsheets.testing.google_fake", "--port", str(port), *flags],
        stdout=subprocess.PIPE, text=True, cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    try:
        assert server.stdout is not None
        printed = [server.stdout.readline() for _ in range(3)]
        assert printed[0] == f"fake Google Sheets/Drive listening on http://127.0.0.1:{port} (Ctrl-C to stop)\n"
        folder_line = printed[2].split("  (")[0]
        assert folder_line.startswith('folder_id = "')
        config = write_config(tmp_path, f"{folder_line}\n{backend}", language="en")
        env = dict(os.environ, OKRSHEETS_GOOGLE_API_URL=f"http://127.0.0.1:{port}", PYTHONPATH=str(REPO))
        result = subprocess.run([sys.executable, "-m", "okrsheets", "google", "doctor", "--config", str(config)],
                                capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
        assert result.stdout.strip().endswith(ends), result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_every_backend_setting_is_in_the_example_config():
    from okrsheets.config import BACKEND_KEYS

    text = (Path(__file__).parents[1] / "config.example.toml").read_text(encoding="utf-8")
    backend = text[text.index("[backend]"):text.index("[scoring]")]
    assert sorted(key for key in BACKEND_KEYS if f"{key} = " not in backend) == []


@pytest.mark.parametrize("name", ["shared drive", "user account"])
def test_an_expired_access_token_is_refreshed_without_asking_anyone(fake, tmp_path, monkeypatch, name):
    """The nightly job runs for hours: google-auth gets a new access token from the key or the saved login."""
    from okrsheets.backends.google.auth import connect
    from okrsheets.backends.google.drive import Drive
    from okrsheets.config import load_config

    setup = BUILDERS[name](fake, tmp_path)
    monkeypatch.setenv("OKRSHEETS_GOOGLE_API_URL", fake.url)
    config = load_config(setup.config)
    drive = Drive(connect(config.google, config.language).client)
    assert drive.about()["emailAddress"] == setup.identity
    tokens = len(fake.authority.tokens)
    fake.clock.advance(3600)  # an hour later every access token has expired
    assert drive.about()["emailAddress"] == setup.identity
    assert len(fake.authority.tokens) == tokens + 1
    assert [e.status for e in fake.request_log[-3:]] == [200, 401, 200]


def test_login_says_so_when_the_token_file_cannot_be_written(fake, tmp_path):
    setup = user_setup(fake, tmp_path, language="en")
    text = setup.config.read_text(encoding="utf-8").replace('token_file = "token.json"', 'token_file = "client_secret.json/token.json"')
    setup.config.write_text(text, encoding="utf-8")
    result = google_login(setup)
    assert result.returncode == 1
    assert f"Error: cannot save the Google login to {tmp_path / 'client_secret.json' / 'token.json'} (" in result.stderr
    assert "set backend.token_file to a path you may write" in result.stderr
    assert_clean(result, setup)


def _answer(status: int, error: dict):
    import requests as _requests

    response = _requests.Response()
    response.status_code = status
    response._content = json.dumps({"error": error}).encode()
    return response


@pytest.mark.parametrize("status, error, kind, text", [
    (429, {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}, "GoogleError",
     "Google's request quota is used up for now (HTTP 429); wait a minute and try again"),
    (403, {"code": 403, "message": "User Rate Limit Exceeded", "errors": [{"reason": "userRateLimitExceeded"}]}, "GoogleError",
     "Google's request quota is used up for now (HTTP 403); wait a minute and try again"),
    (503, {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}, "GoogleError",
     "Google answered HTTP 503 (The service is currently unavailable.); this is on Google's side, try again later"),
    (403, {"code": 403, "message": "Google Drive API has not been used in project 1 before or it is disabled.",
           "errors": [{"reason": "accessNotConfigured"}]}, "GoogleError",
     "the Google Drive API is not enabled in the Google Cloud project of these credentials"),
    (403, {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}, "GoogleAccessError",
     "a@b.vn may not change the summary spreadsheet S1 (Google said: The caller does not have permission);"
     " share it with a@b.vn as Editor"),
])
def test_googles_answers_become_errors_that_say_what_to_do(status, error, kind, text):
    import gspread as _gspread

    from okrsheets.backends.google.failures import explain

    explained = explain(_gspread.exceptions.APIError(_answer(status, error)), "en", identity="a@b.vn",
                        what="what_summary", file_id="S1", key="summary_spreadsheet_id")
    assert type(explained).__name__ == kind and explained.status == status
    assert text in str(explained)
