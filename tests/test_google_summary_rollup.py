"""run_rollup with ``kind = "google"``: the summary goes to Google, the state and readings stay local.

Reading team spreadsheets on Google is the Google backend's job (another module);
here the team workbooks are read by the Excel backend from the quarter folder, so
what is tested is the writing side of the rollup: the summary sink, the request
counts in the result, and a summary Google refuses losing no reading.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from okrsheets.backends.excel import ExcelBackend
from okrsheets.jobs.provision import provision
from okrsheets.jobs.readings import ReadingsStore
from okrsheets.jobs.rollup import STATE_NAME, run_rollup
from okrsheets.plan import build_plan
from okrsheets.testing import FakeGoogle

from .google_setups import ADMIN, PERSON, SERVICE_ACCOUNT, google_login, shared_drive_setup, user_setup
from .helpers.google_summary import google_config

AS_OF = date(2026, 11, 20)


@pytest.fixture
def fake():
    with FakeGoogle() as running:
        yield running


def provisioned(config):
    """The team workbooks in the local quarter folder, read by the Excel backend (a stand-in for Google's reader)."""
    backend = ExcelBackend(config)
    provision(build_plan(config), backend)
    return backend


def test_the_summary_goes_to_google_and_the_result_counts_its_requests(fake, tmp_path, monkeypatch):
    setup = shared_drive_setup(fake, tmp_path, language="en")
    config = google_config(setup, monkeypatch)
    backend = provisioned(config)
    fake.clear_log()
    result = run_rollup(config, AS_OF, backend=backend)
    assert result.summary_path.startswith("https://docs.google.com/spreadsheets/d/")
    spreadsheet_id = result.summary_path.split("/")[5]
    assert fake.files[spreadsheet_id].parents == [setup.folder_id]
    assert result.api_requests == dict(Counter(e.endpoint for e in fake.request_log)) == {
        "drive.files.create": 1, "drive.files.list": 1, "sheets.spreadsheets.batchUpdate": 1}  # a new one: its one sheet is known
    assert (config.quarter_folder / STATE_NAME).is_file()
    assert ReadingsStore.load(config.quarter_folder).get("sales").read_on == AS_OF
    assert not list(config.quarter_folder.glob("company-summary*.xlsx"))  # no Excel summary on Google


def test_a_read_only_summary_fails_clearly_and_keeps_tonights_reading(fake, tmp_path, monkeypatch):
    from okrsheets.errors import GoogleAccessError

    summary_id = fake.seed_spreadsheet("OKR summary", owner=ADMIN)
    fake.share(summary_id, SERVICE_ACCOUNT, "reader")
    setup = shared_drive_setup(fake, tmp_path, language="en", extra=f'summary_spreadsheet_id = "{summary_id}"\n')
    config = google_config(setup, monkeypatch)
    backend = provisioned(config)
    with pytest.raises(GoogleAccessError, match=f"share it with {SERVICE_ACCOUNT} as Editor"):
        run_rollup(config, AS_OF, backend=backend)
    assert ReadingsStore.load(config.quarter_folder).get("hr").read_on == AS_OF
    assert (config.quarter_folder / STATE_NAME).is_file()


def test_a_revoked_login_says_run_google_login_again(fake, tmp_path, monkeypatch):
    from okrsheets.errors import GoogleAuthError

    setup = user_setup(fake, tmp_path, language="vi")
    assert google_login(setup).returncode == 0
    config = google_config(setup, monkeypatch)
    backend = provisioned(config)
    run_rollup(config, AS_OF, backend=backend)  # the summary is made in the person's folder
    assert [f.name for f in fake.files.values() if f.parents == [setup.folder_id]] == [
        "Báo cáo OKR: Công ty Sen Vàng (2026-Q4)"]
    fake.revoke_refresh_tokens(PERSON)  # the person removed okrsheets' access in their Google Account
    fake.expire_tokens()
    (config.quarter_folder / STATE_NAME).unlink()
    with pytest.raises(GoogleAuthError) as caught:
        run_rollup(config, date(2026, 11, 21), backend=backend)
    assert str(caught.value) == ("lần đăng nhập Google đã lưu bị thu hồi hoặc đã hết hạn (Google báo: invalid_grant);"
                                 " hãy chạy lại `okrsheets google login`")
    assert ReadingsStore.load(config.quarter_folder).get("sales").read_on == date(2026, 11, 21)
    assert (config.quarter_folder / STATE_NAME).is_file()


def test_rollup_json_on_excel_has_no_api_requests(tmp_path):
    import json
    import subprocess
    import sys

    from .google_setups import REPO
    from .helpers.nightly import provision_hr

    config = provision_hr(tmp_path)
    result = subprocess.run([sys.executable, "-m", "okrsheets", "rollup", "--json", "--config", str(config),
                             "--as-of", "2026-11-20"], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["api_requests"] is None
