"""What people really hit on Google, for provision and the rollup's reading: one clear message each, no traceback.

A problem with the credentials or the folder stops the run with what to do;
a problem with one department's spreadsheet is that department's data issue
(or its provisioning outcome), and every other department is still read.
"""

from __future__ import annotations

import requests

from okrsheets.backends.google.drive import DEPARTMENT_PROPERTY, QUARTER_PROPERTY
from okrsheets.jobs.rollup import score_quarter
from okrsheets.testing import FakeGoogle

from .google_setups import ADMIN, SERVICE_ACCOUNT, google_login, my_drive_setup, shared_drive_setup, user_setup
from .helpers.team_backends import AS_OF, CHECK_INS, team_backend

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean(result) -> str:
    both = result.stdout + result.stderr
    assert "Traceback" not in both
    return both


def upload(fake: FakeGoogle, folder_id: str, name: str, app_properties: dict[str, str] | None = None) -> str:
    """A person uploads a file that is no Google spreadsheet (an .xlsx) into the folder."""
    body = {"name": name, "mimeType": XLSX, "parents": [folder_id], "appProperties": app_properties or {}}
    answer = requests.post(f"{fake.url}/drive/v3/files", params={"supportsAllDrives": "true"}, json=body,
                           headers={"Authorization": f"Bearer {fake.issue_token(ADMIN)}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


def issues_of(result, department: str) -> list[tuple[str, str]]:
    return [(i.problem, i.fix) for i in result.issues if i.department == department]


def sales_of(result):
    return next(d for d in result.departments if d.key == "kinh-doanh")


def test_a_service_account_outside_a_shared_drive_gets_the_storage_message(tmp_path):
    with FakeGoogle() as fake:
        setup = my_drive_setup(fake, tmp_path, language="en")
        result = setup.run("provision")
        assert result.returncode == 1
        assert (f"the service account {SERVICE_ACCOUNT} has no Google Drive storage of its own, so it cannot create files"
                " outside a shared drive (Google said: storageQuotaExceeded). Use one of the other two set-ups") in clean(result)
        assert not [f for f in fake.files.values() if setup.folder_id in f.parents]


def test_a_folder_not_shared_with_the_job_names_the_address_to_share_with(tmp_path):
    with FakeGoogle() as fake:
        setup = shared_drive_setup(fake, tmp_path, language="en")
        private = fake.create_folder("Someone's OKR", owner=ADMIN)
        setup.config.write_text(setup.config.read_text(encoding="utf-8").replace(setup.folder_id, private), encoding="utf-8")
        result = setup.run("provision")
        assert result.returncode == 1
        assert (f"the folder {private} was not found, or is not shared with {SERVICE_ACCOUNT}: check backend.folder_id"
                f" in the config, and share it with {SERVICE_ACCOUNT} as Editor") in clean(result)


def test_a_wrong_folder_id_says_to_check_it(tmp_path):
    with FakeGoogle() as fake:
        setup = shared_drive_setup(fake, tmp_path, language="vi")
        setup.config.write_text(setup.config.read_text(encoding="utf-8").replace(setup.folder_id, "1NoSuchFolder"), encoding="utf-8")
        result = setup.run("provision")
        assert result.returncode == 1
        assert "không tìm thấy thư mục 1NoSuchFolder, hoặc chưa được chia sẻ cho" in clean(result)


def test_a_trashed_folder_says_to_restore_it(tmp_path):
    with FakeGoogle() as fake:
        setup = shared_drive_setup(fake, tmp_path, language="en")
        fake.files[setup.folder_id].trashed = True
        result = setup.run("provision")
        assert result.returncode == 1
        assert 'folder: "OKR 2026" is in the trash; restore it in Drive, or set backend.folder_id to another folder' in clean(result)


def test_a_folder_trashed_after_provisioning_stops_the_rollup_with_what_to_do(tmp_path):
    """The listing (one request, no lookup of the folder first) finds nothing in a trashed folder, as Drive
    trashes what it holds: the folder is then looked up, and the message says to restore it."""
    with FakeGoogle() as fake:
        setup = shared_drive_setup(fake, tmp_path, language="en")
        assert setup.run("provision").returncode == 0
        fake.files[setup.folder_id].trashed = True
        fake.clear_log()
        result = setup.run("rollup")
        assert result.returncode == 1
        assert 'folder: "OKR 2026" is in the trash; restore it in Drive, or set backend.folder_id to another folder' in clean(result)
        assert [e.endpoint for e in fake.request_log] == ["drive.files.list", "drive.files.get"]


def test_a_revoked_login_says_to_run_google_login_again(tmp_path):
    with FakeGoogle() as fake:
        setup = user_setup(fake, tmp_path, language="en")
        assert google_login(setup).returncode == 0
        assert setup.run("provision").returncode == 0
        fake.revoke_refresh_tokens()
        result = setup.run("provision")
        assert result.returncode == 1
        assert ("the saved Google login was revoked or has expired (Google said: invalid_grant);"
                " run `okrsheets google login` again") in clean(result)


def test_a_spreadsheet_the_job_may_no_longer_open_names_the_address_and_the_others_are_read(tmp_path):
    with team_backend("google", tmp_path, language="en") as google:
        backend = google.backend()
        assert backend.exists("kinh-doanh")  # the folder listed
        drive = google.fake.files[google.folder_id].drive_id
        google.fake.share(drive, SERVICE_ACCOUNT, None)  # taken out of the shared drive after the listing
        result = score_quarter(google.plan, backend, AS_OF)
        [(problem, fix)] = issues_of(result, "kinh-doanh")
        assert problem.startswith(f"Cannot read the file: {SERVICE_ACCOUNT} may not open this spreadsheet (Google said: ")
        assert fix == f"Share the spreadsheet (or the folder it is in) with {SERVICE_ACCOUNT} as Editor."


def test_a_spreadsheet_deleted_after_the_listing_is_one_departments_issue(tmp_path):
    with team_backend("google", tmp_path, language="en") as google:
        google.type("van-hanh", {"O2.KR1": CHECK_INS["O2.KR1"]})
        backend = google.backend()
        assert backend.exists("kinh-doanh")
        del google.fake.files[google.spreadsheet_id("kinh-doanh")]
        result = score_quarter(google.plan, backend, AS_OF)
        assert issues_of(result, "kinh-doanh") == [(
            f"Cannot read the file: the spreadsheet was deleted, or is not shared with {SERVICE_ACCOUNT}",
            "Restore it from the trash in Drive, or have the OKR admin run `okrsheets provision` to create it again.")]
        other = next(d for d in result.departments if d.key == "van-hanh")
        assert other.readable and other.score == 0.5  # O2.KR1 done (1), O2.KR2 no check-in (0)


def test_a_trashed_spreadsheet_is_missing_and_provision_makes_a_new_one(tmp_path):
    with team_backend("google", tmp_path, language="en") as google:
        old = google.spreadsheet_id("kinh-doanh")
        google.fake.files[old].trashed = True
        result = score_quarter(google.plan, google.backend(), AS_OF)
        assert issues_of(result, "kinh-doanh") == [("The department's OKR workbook was not found.",
                                                     "The OKR admin runs `okrsheets provision` to create it again.")]
        assert [o.action for o in google.provision()] == ["created", "unchanged"]
        assert google.spreadsheet_id("kinh-doanh") != old


def test_an_uploaded_excel_file_is_a_data_issue_not_a_crash(tmp_path):
    with team_backend("google", tmp_path, language="en") as google:
        google.fake.files[google.spreadsheet_id("kinh-doanh")].trashed = True
        upload(google.fake, google.folder_id, "OKR kinh-doanh Q4.xlsx")
        result = score_quarter(google.plan, google.backend(), AS_OF)
        assert issues_of(result, "kinh-doanh") == [(
            'Cannot read the file: there is no Google spreadsheet of this department in the folder, but the folder has'
            ' "OKR kinh-doanh Q4.xlsx", which okrsheets does not read',
            "Teams type in the Google spreadsheet okrsheets made: have the OKR admin run `okrsheets provision` to create"
            " it again, type the values there, and delete this file.")]


def test_an_excel_file_claiming_a_department_is_reported_by_provision_and_the_rollup(tmp_path):
    with team_backend("google", tmp_path, language="en") as google:
        google.fake.files[google.spreadsheet_id("kinh-doanh")].trashed = True
        upload(google.fake, google.folder_id, "kinh-doanh.xlsx", {DEPARTMENT_PROPERTY: "kinh-doanh", QUARTER_PROPERTY: "2026-Q4"})
        [outcome, other] = google.provision()
        assert (outcome.action, other.action) == ("damaged", "unchanged")
        assert outcome.problems == ('"kinh-doanh.xlsx" is not a Google spreadsheet (an uploaded Excel file?), so okrsheets cannot read it',)
        result = score_quarter(google.plan, google.backend(), AS_OF)
        [(problem, _)] = issues_of(result, "kinh-doanh")
        assert problem == 'Cannot read the file: "kinh-doanh.xlsx" is not a Google spreadsheet (an uploaded Excel file?), so okrsheets cannot read it'


def test_two_spreadsheets_claiming_a_department_are_reported(tmp_path):
    with team_backend("google", tmp_path, language="en") as google:
        google.fake.seed_spreadsheet("OKR copy", owner=ADMIN, parent=google.folder_id,
                                     app_properties={DEPARTMENT_PROPERTY: "kinh-doanh", QUARTER_PROPERTY: "2026-Q4"})
        result = score_quarter(google.plan, google.backend(), AS_OF)
        [(problem, fix)] = issues_of(result, "kinh-doanh")
        assert problem.startswith("Cannot read the file: 2 spreadsheets in the folder claim this department (")
        assert '"OKR copy"' in problem
        assert fix == "Keep the one the team uses and delete the others from the folder."


def admin_batch(google, requests_: list[dict]) -> None:
    spreadsheet = google.team_client(ADMIN).open_by_key(google.spreadsheet_id("kinh-doanh"))
    spreadsheet.batch_update({"requests": requests_})


def okr_sheet_id(google) -> int:
    spreadsheet = google.fake.spreadsheets[google.spreadsheet_id("kinh-doanh")]
    return next(sheet.id for sheet in spreadsheet.sheets if sheet.title == "OKR")


def test_a_renamed_tab_is_an_issue_and_force_rebuilds_after_a_backup(tmp_path):
    with team_backend("google", tmp_path, language="en") as google:
        google.type("kinh-doanh", CHECK_INS)
        admin_batch(google, [{"updateSheetProperties": {"properties": {"sheetId": okr_sheet_id(google), "title": "OKR old"},
                                                         "fields": "title"}}])
        result = score_quarter(google.plan, google.backend(), AS_OF)
        assert ('The sheet "OKR" is missing (renamed or deleted).', 'Rename it back to "OKR".') in issues_of(result, "kinh-doanh")
        [outcome, _] = google.provision()
        assert outcome.action == "damaged"
        google.fake.clear_log()
        [forced, _] = google.provision(force=True)
        assert forced.action == "forced"
        assert forced.backup.startswith("https://docs.google.com/spreadsheets/d/")
        assert google.fake.count(endpoint="drive.files.copy") == 1
        backup = google.fake.files[forced.backup.split("/d/")[1].split("/")[0]]
        assert backup.app_properties[DEPARTMENT_PROPERTY].startswith("kinh-doanh.backup-")  # claims no department
        assert [o.action for o in google.provision()] == ["unchanged", "unchanged"]


def test_a_deleted_tab_is_an_issue_and_the_other_department_is_read(tmp_path):
    with team_backend("google", tmp_path, language="en") as google:
        admin_batch(google, [{"deleteSheet": {"sheetId": okr_sheet_id(google)}}])
        result = score_quarter(google.plan, google.backend(), AS_OF)
        assert ('The sheet "OKR" is missing (renamed or deleted).', 'Rename it back to "OKR".') in issues_of(result, "kinh-doanh")
        assert next(d for d in result.departments if d.key == "van-hanh").readable


def test_a_tab_titled_like_a_cell_reference_is_read_like_any_other(tmp_path):
    with team_backend("google", tmp_path) as google:
        google.type("kinh-doanh", CHECK_INS)
        admin_batch(google, [{"addSheet": {"properties": {"title": "A1"}}}, {"addSheet": {"properties": {"title": "R1C1"}}}])
        result = score_quarter(google.plan, google.backend(), AS_OF)
        assert sales_of(result).readable and issues_of(result, "kinh-doanh") == []
        [outcome, _] = google.provision()
        assert outcome.action == "damaged"
        assert [p.split("/edit: ", 1)[1] for p in outcome.problems] == [
            'OKR: có trang lạ "A1"; chuyển nội dung sang tệp khác hoặc xóa trang; `okrsheets provision` chỉ dựng lại các trang nó tạo.',
            'OKR: có trang lạ "R1C1"; chuyển nội dung sang tệp khác hoặc xóa trang; `okrsheets provision` chỉ dựng lại các trang nó tạo.',
        ]
