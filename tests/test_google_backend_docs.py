"""docs/google.md's "What provision makes on Google" and "What each run costs": each claim, checked.

(The request budgets, protection, locale and failures are tested in
test_google_backend_provision.py and test_google_backend_failures.py; this
file holds the document's sentences against what the fake saw.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from okrsheets.backends.google.drive import DEPARTMENT_PROPERTY, SPREADSHEET_MIME
from okrsheets.jobs.rollup import score_quarter

from .helpers.team_backends import AS_OF, CHECK_INS, team_backend

DOC = " ".join((Path(__file__).parents[1] / "docs" / "google.md").read_text(encoding="utf-8").split())


@pytest.fixture
def google(tmp_path):
    with team_backend("google", tmp_path, provisioned=False) as team:
        yield team


def spreadsheets(google) -> dict[str, object]:
    return {f.app_properties.get(DEPARTMENT_PROPERTY): f for f in google.fake.files.values()
            if google.folder_id in f.parents and f.mime_type == SPREADSHEET_MIME and not f.trashed}


def test_the_spreadsheet_name_and_finding_it_again_after_a_rename(google):
    assert "named like `OKR 2026-Q4: Phòng Kinh doanh`" in DOC
    assert "never by its name, so a team may rename it" in DOC
    google.provision()
    item = spreadsheets(google)["kinh-doanh"]
    assert item.name == "OKR 2026-Q4: Phòng Kinh doanh"
    item.name = "Kinh doanh - OKR của chúng mình"  # renamed by the team
    assert [o.action for o in google.provision()] == ["unchanged", "unchanged"]


def test_owners_get_googles_email_when_notify_owners_is_on(google):
    assert "with Google's e-mail when `notify_owners`" in DOC
    google.config_path.write_text(google.config_path.read_text(encoding="utf-8").replace("notify_owners = false\n", ""),
                                  encoding="utf-8")
    google.provision()
    assert sorted(n["to"] for n in google.fake.notifications) == [
        "lan@senvang.example", "minh@senvang.example", "thu@senvang.example"]


def test_the_backup_of_a_forced_rebuild_is_named_after_the_spreadsheet(google):
    assert "with `--force` a copy named `... (backup STAMP)` is made beside it first" in DOC
    google.provision()
    spreadsheet = google.team_client("okr-admin@senvang.example").open_by_key(google.spreadsheet_id("kinh-doanh"))
    spreadsheet.add_worksheet("Ghi chú riêng", 10, 5)  # a sheet added: damaged
    [outcome, _] = google.provision(force=True)
    backup = google.fake.files[outcome.backup.split("/d/")[1].split("/")[0]]
    assert backup.name.startswith("OKR 2026-Q4: Phòng Kinh doanh (bản sao lưu ")
    assert google.folder_id in backup.parents


def test_the_cost_table(google):
    rows = {
        "| finding the department spreadsheets (once per run) | 1 Drive request: the folder's list (`files.list`, one per 1,000 files); 1 more, the folder itself (`files.get`), when the list holds none of the quarter's spreadsheets (a first `provision`, or a folder that is wrong, not shared or in the trash: the message says which) |",
        "| a new department | 1 `files.create`, 1 `batchUpdate`, 1 `permissions.create` per owner shared with, and 1 `files.get` of its `modifiedTime` once written |",
        "| an unchanged department | nothing while its `modifiedTime` in the list is the one `provision` wrote or last read; else 1 read (`spreadsheets.get`); no write |",
        "| a changed department | 1 read, 1 `batchUpdate` and 1 `files.get` (and 1 `permissions.create` per new owner) |",
        "| the rollup, per department | 1 read (`spreadsheets.get`); `rollup` reads only the spreadsheets whose `modifiedTime` moved since its last reading of them |",
        "A second `provision` of a 14-department company that nobody touched costs 1 request: the folder's list.",
    }
    assert all(row in DOC for row in rows)
    fake = google.fake
    fake.clear_log()
    google.provision()  # 2 new departments, owners 1 and 2
    assert fake.count(endpoint="drive.files.list") == 1 and fake.count(endpoint="drive.files.create") == 2
    assert fake.count(api="drive", endpoint="drive.files.get") == 1 + 2  # the folder (nothing listed yet), each modifiedTime
    assert fake.count(endpoint="sheets.spreadsheets.batchUpdate") == 2 and fake.count(endpoint="drive.permissions.create") == 3
    fake.clear_log()
    google.provision()
    assert [e.endpoint for e in fake.request_log] == ["drive.files.list"]
    google.type("kinh-doanh", CHECK_INS)
    fake.clear_log()
    google.provision()  # kinh-doanh changed since: read, found unchanged
    assert [e.endpoint for e in fake.request_log] == ["drive.files.list", "sheets.spreadsheets.get"]
    fake.clear_log()
    score_quarter(google.plan, google.backend(), AS_OF)
    assert [e.endpoint for e in fake.request_log] == ["drive.files.list", "sheets.spreadsheets.get", "sheets.spreadsheets.get"]
