"""`okrsheets google doctor`: each failure people really hit is one clear line, exit 1, no traceback."""

from __future__ import annotations

import pytest

from okrsheets.backends.google.drive import DEPARTMENT_PROPERTY, QUARTER_PROPERTY
from okrsheets.testing import FakeGoogle

from .google_setups import ADMIN, SERVICE_ACCOUNT, my_drive_setup, shared_drive_setup

FAIL = "FAIL     "


@pytest.fixture
def fake():
    with FakeGoogle() as running:
        yield running


def lines(result, setup) -> list[str]:
    """The output lines, once it is checked for tracebacks and for every secret of the set-up (the private key)."""
    both = result.stdout + result.stderr
    assert "Traceback" not in both
    assert setup.secrets and not [secret for secret in setup.secrets if secret in both]
    return result.stdout.splitlines()


def test_a_passing_run_costs_six_drive_requests(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, language="en")
    fake.clear_log()
    tokens = len(fake.authority.tokens)
    result = setup.run("google", "doctor")
    assert result.returncode == 0
    assert len(fake.authority.tokens) == tokens + 1  # and one token request
    endpoints = [(entry.endpoint, entry.status) for entry in fake.request_log]
    # a Content manager may trash but not delete in a shared drive: the probe is deleted, refused, then trashed
    assert endpoints == [
        ("drive.about.get", 200), ("drive.files.get", 200), ("drive.files.create", 200),
        ("drive.files.delete", 403), ("drive.files.update", 200), ("drive.files.list", 200),
    ]
    assert fake.count(api="sheets") == 0


def test_a_manager_of_the_shared_drive_deletes_the_probe_in_five_requests(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, role="organizer")
    fake.clear_log()
    assert setup.run("google", "doctor").returncode == 0
    assert [e.endpoint for e in fake.request_log] == [
        "drive.about.get", "drive.files.get", "drive.files.create", "drive.files.delete", "drive.files.list"]


def test_a_contributor_cannot_remove_the_probe_and_is_told_to_fix_the_role(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, role="writer", language="en")
    result = setup.run("google", "doctor")
    assert result.returncode == 0  # provisioning works; only the test file stays behind
    assert (f'WARN     folder: a test spreadsheet was created but {SERVICE_ACCOUNT} may not remove it; delete "okrsheets doctor'
            f' test file (safe to delete)" from the folder by hand, and give {SERVICE_ACCOUNT} the Content manager role') in lines(result, setup)


def test_storage_quota_outside_a_shared_drive_says_which_setup_to_use(fake, tmp_path):
    setup = my_drive_setup(fake, tmp_path, language="en")
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    failing = [line for line in lines(result, setup) if line.startswith(FAIL)]
    assert failing == [
        f"{FAIL}folder: the service account {SERVICE_ACCOUNT} has no Google Drive storage of its own, so it cannot create"
        " files outside a shared drive (Google said: storageQuotaExceeded). Use one of the other two set-ups: put the folder"
        f" in a shared drive and add {SERVICE_ACCOUNT} as Content manager; or keep the folder and set backend.impersonate to"
        ' a user of your Google Workspace domain (domain-wide delegation); or set auth = "user" and run'
        " `okrsheets google login` (free Gmail accounts)"
    ]
    assert result.stdout.strip().endswith("1 of 7 checks failed; fix them and run `okrsheets google doctor` again.")


def test_storage_quota_in_vietnamese(fake, tmp_path):
    setup = my_drive_setup(fake, tmp_path, language="vi")
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    assert any(line.startswith(f"LỖI      thư mục: tài khoản dịch vụ {SERVICE_ACCOUNT} không có dung lượng Google Drive riêng")
               for line in lines(result, setup))
    assert "1/7 mục kiểm tra không đạt" in result.stdout


def test_a_folder_not_shared_with_the_job_names_the_address_to_share_with(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, language="en")
    fake.share(fake.files[setup.folder_id].drive_id, SERVICE_ACCOUNT, None)  # the admin removed the account
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    assert (f"{FAIL}folder: the folder {setup.folder_id} was not found, or is not shared with {SERVICE_ACCOUNT}:"
            f" check backend.folder_id in the config, and share it with {SERVICE_ACCOUNT} as Editor") in lines(result, setup)
    # nothing is tried in a folder that cannot be used
    assert "not checked for new files, since the folder cannot be used" in result.stdout
    assert "departments: not checked, since the folder cannot be used" in result.stdout


def test_a_wrong_folder_id_is_a_404_with_the_key_to_fix(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, language="en")
    setup.config.write_text(setup.config.read_text(encoding="utf-8").replace(setup.folder_id, "1WrongFolderId"), encoding="utf-8")
    fake.clear_log()
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    assert (f"{FAIL}folder: the folder 1WrongFolderId was not found, or is not shared with {SERVICE_ACCOUNT}:"
            " check backend.folder_id in the config") in result.stdout
    assert [(e.endpoint, e.status) for e in fake.request_log] == [("drive.about.get", 200), ("drive.files.get", 404)]


def test_a_folder_shared_read_only(fake, tmp_path):
    folder_id = fake.create_folder("OKR 2026", owner=ADMIN, shared_with={SERVICE_ACCOUNT: "reader"})
    setup = my_drive_setup(fake, tmp_path, language="en")
    setup.config.write_text(setup.config.read_text(encoding="utf-8").replace(setup.folder_id, folder_id), encoding="utf-8")
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    assert (f'{FAIL}folder: {SERVICE_ACCOUNT} can see "OKR 2026" but cannot add files to it; share it with'
            f" {SERVICE_ACCOUNT} as Editor (Content manager in a shared drive)") in lines(result, setup)


def _spreadsheet_in(fake: FakeGoogle, folder_id: str, name: str, owner: str, properties: dict[str, str]) -> str:
    return fake.seed_spreadsheet(name, owner=owner, parent=folder_id, app_properties=properties)


def test_departments_are_found_by_app_properties_not_by_name(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, language="en")
    _spreadsheet_in(fake, setup.folder_id, "Kinh doanh - đổi tên", ADMIN, {DEPARTMENT_PROPERTY: "sales", QUARTER_PROPERTY: "2026-Q4"})
    _spreadsheet_in(fake, setup.folder_id, "hr", ADMIN, {DEPARTMENT_PROPERTY: "hr", QUARTER_PROPERTY: "2026-Q3"})  # last quarter
    _spreadsheet_in(fake, setup.folder_id, "sales", ADMIN, {})  # named like the department, not ours
    result = setup.run("google", "doctor")
    assert result.returncode == 0
    assert 'OK       department sales: "Kinh doanh - đổi tên" can be read and written' in lines(result, setup)
    assert "NOTE     department hr: not provisioned yet for 2026-Q4; `okrsheets provision` creates it" in lines(result, setup)


def test_a_department_claimed_twice_fails(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, language="en")
    for name in ("Sales A", "Sales B"):
        _spreadsheet_in(fake, setup.folder_id, name, ADMIN, {DEPARTMENT_PROPERTY: "sales", QUARTER_PROPERTY: "2026-Q4"})
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    assert any(line.startswith(f"{FAIL}department sales: 2 spreadsheets in the folder claim it") for line in lines(result, setup))


def test_the_summary_spreadsheet_is_checked_when_set(fake, tmp_path):
    summary_id = fake.seed_spreadsheet("Tổng hợp OKR", owner=ADMIN)
    setup = shared_drive_setup(fake, tmp_path, language="en", extra=f'summary_spreadsheet_id = "{summary_id}"\n')
    result = setup.run("google", "doctor")
    assert result.returncode == 1  # the admin's own spreadsheet is not shared with the job
    assert (f"{FAIL}summary: the summary spreadsheet {summary_id} was not found, or is not shared with {SERVICE_ACCOUNT}:"
            f" check backend.summary_spreadsheet_id in the config, and share it with {SERVICE_ACCOUNT} as Editor") in lines(result, setup)
    fake.share(summary_id, SERVICE_ACCOUNT, "writer")
    result = setup.run("google", "doctor")
    assert result.returncode == 0
    assert 'OK       summary: "Tổng hợp OKR" can be written' in lines(result, setup)


def test_a_summary_id_that_is_a_folder(fake, tmp_path):
    setup = shared_drive_setup(fake, tmp_path, language="en")
    setup.config.write_text(setup.config.read_text(encoding="utf-8") + f'summary_spreadsheet_id = "{setup.folder_id}"\n', encoding="utf-8")
    text = setup.config.read_text(encoding="utf-8")
    # the setting belongs to [backend]: move it above the departments
    text = text.replace(f'summary_spreadsheet_id = "{setup.folder_id}"\n', "")
    text = text.replace("[[departments]]", f'summary_spreadsheet_id = "{setup.folder_id}"\n\n[[departments]]', 1)
    setup.config.write_text(text, encoding="utf-8")
    result = setup.run("google", "doctor")
    assert result.returncode == 1
    assert f'{FAIL}summary: {setup.folder_id} is "OKR 2026", not a Google spreadsheet' in result.stdout


def test_nothing_listening_at_the_api_url_is_cannot_reach(fake, tmp_path):
    import os
    import socket
    import subprocess
    import sys

    from .google_setups import REPO

    setup = shared_drive_setup(fake, tmp_path, language="en")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    env = dict(os.environ, OKRSHEETS_GOOGLE_API_URL=f"http://127.0.0.1:{port}", PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-m", "okrsheets", "google", "doctor", "--config", str(setup.config)],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert result.returncode == 1
    assert lines(result, setup)[0] == (f"{FAIL}credentials: cannot reach http://127.0.0.1:{port} (TransportError);"
                                " check the network connection and try again")


def test_drive_helpers_create_find_and_share_a_department_spreadsheet(fake, tmp_path, monkeypatch):
    """The Drive calls provision will stand on: create with appProperties, find by them, share once per owner."""
    from okrsheets.backends.google.auth import connect
    from okrsheets.backends.google.drive import Drive
    from okrsheets.config import load_config

    setup = shared_drive_setup(fake, tmp_path)
    monkeypatch.setenv("OKRSHEETS_GOOGLE_API_URL", fake.url)
    config = load_config(setup.config)
    drive = Drive(connect(config.google, config.language).client)
    folder = drive.file(setup.folder_id)
    fake.clear_log()
    made = drive.create("Phòng Kinh doanh", folder["id"], app_properties={DEPARTMENT_PROPERTY: "sales", QUARTER_PROPERTY: "2026-Q4"})
    drive.share(made["id"], "hung.le@senvang.example", notify=False)
    drive.share(made["id"], "lan.nguyen@senvang.example", notify=True)
    found = drive.department_spreadsheets(folder, "2026-Q4")
    assert list(found) == ["sales"] and found["sales"][0]["id"] == made["id"]
    assert drive.department_spreadsheets(folder, "2027-Q1") == {}
    assert [n["to"] for n in fake.notifications] == ["lan.nguyen@senvang.example"]
    assert [e.endpoint for e in fake.request_log] == [
        "drive.files.create", "drive.permissions.create", "drive.permissions.create", "drive.files.list", "drive.files.list"]
    assert fake.files[made["id"]].drive_id is not None and fake.spreadsheets[made["id"]] is not None
