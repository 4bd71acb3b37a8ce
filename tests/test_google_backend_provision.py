"""`okrsheets provision` on Google: the spreadsheets it makes, what it costs, and what it keeps.

Against the offline fake over real HTTP, with the real gspread and google-auth;
request counts come from the fake's request log.
"""

from __future__ import annotations

from datetime import date

import gspread
import pytest

from okrsheets.backends.google.drive import DEPARTMENT_PROPERTY, QUARTER_PROPERTY, SPREADSHEET_MIME
from okrsheets.backends.google.render import localize
from okrsheets.jobs.rollup import score_quarter
from okrsheets.sheets.team_workbook import COL
from okrsheets.testing import FakeGoogle

from .google_setups import ADMIN, SERVICE_ACCOUNT, shared_drive_setup
from .helpers.team_backends import AS_OF, CHECK_INS, DEPARTMENTS, TEAM, Typed, team_backend


@pytest.fixture
def google(tmp_path):
    with team_backend("google", tmp_path, provisioned=False) as team:
        yield team


def spreadsheets_in(fake: FakeGoogle, folder_id: str) -> dict[str, object]:
    """The folder's spreadsheets by the department their appProperties name."""
    return {f.app_properties.get(DEPARTMENT_PROPERTY): f for f in fake.files.values()
            if folder_id in f.parents and f.mime_type == SPREADSHEET_MIME and not f.trashed}


def endpoints(fake: FakeGoogle) -> list[str]:
    return [entry.endpoint for entry in fake.request_log]


def test_the_cli_provisions_one_spreadsheet_per_department_in_the_shared_drive_folder(tmp_path):
    with FakeGoogle() as fake:
        setup = shared_drive_setup(fake, tmp_path, language="en")
        result = setup.run("provision")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        found = spreadsheets_in(fake, setup.folder_id)
        assert sorted(found) == ["hr", "sales"]
        for key, item in found.items():
            assert item.app_properties == {DEPARTMENT_PROPERTY: key, QUARTER_PROPERTY: "2026-Q4"}
            assert item.drive_id is not None  # in the shared drive, so it belongs to the company
            assert f"https://docs.google.com/spreadsheets/d/{item.id}/edit" in result.stdout  # each line says where
        again = setup.run("provision")
        assert again.returncode == 0
        assert [line.split()[:2] for line in again.stdout.splitlines()[:2]] == [["unchanged", "sales"], ["unchanged", "hr"]]


def test_a_new_department_costs_three_requests_and_one_per_owner_shared(google):
    fake = google.fake
    fake.clear_log()
    outcomes = google.provision()
    assert [o.action for o in outcomes] == ["created", "created"]
    # the folder listed, and looked up as the listing found nothing of the quarter; then per department:
    # create, one batchUpdate, a share per owner, and the modifiedTime it has once written
    assert endpoints(fake) == [
        "drive.files.list", "drive.files.get",
        "drive.files.create", "sheets.spreadsheets.batchUpdate", "drive.permissions.create", "drive.files.get",
        "drive.files.create", "sheets.spreadsheets.batchUpdate", "drive.permissions.create", "drive.permissions.create",
        "drive.files.get",
    ]
    assert all(entry.status == 200 for entry in fake.request_log)
    found = spreadsheets_in(fake, google.folder_id)
    shared = {key: sorted((p.email, p.role) for p in item.permissions if p.email)
              for key, item in found.items()}
    assert shared == {"kinh-doanh": [(TEAM, "writer")],
                      "van-hanh": [("minh@senvang.example", "writer"), ("thu@senvang.example", "writer")]}
    assert fake.notifications == []  # notify_owners = false


def test_an_unchanged_department_costs_no_request(google):
    google.provision()
    fake = google.fake
    fake.clear_log()
    outcomes = google.provision()
    assert [o.action for o in outcomes] == ["unchanged", "unchanged"]
    assert endpoints(fake) == ["drive.files.list"]  # the listing's modifiedTime is the one written: nothing to read


def test_a_spreadsheet_a_team_changed_since_provision_wrote_it_is_read_again(google):
    google.provision()
    google.type("kinh-doanh", CHECK_INS)
    fake = google.fake
    fake.clear_log()
    outcomes = google.provision()
    assert [o.action for o in outcomes] == ["unchanged", "unchanged"]
    assert endpoints(fake) == ["drive.files.list", "sheets.spreadsheets.get"]  # kinh-doanh only: its modifiedTime moved
    assert fake.count(kind="write") == 0
    fake.clear_log()
    google.provision()  # what that read found is kept: the third run reads nothing
    assert endpoints(fake) == ["drive.files.list"]


def test_an_updated_department_costs_one_read_one_write_and_its_modified_time(google):
    google.provision()
    text = google.config_path.read_text(encoding="utf-8")
    google.config_path.write_text(text.replace("start = 20, target = 60", "start = 20, target = 70", 1), encoding="utf-8")
    fake = google.fake
    fake.clear_log()
    outcomes = google.provision()
    assert [o.action for o in outcomes] == ["updated", "unchanged"]
    assert endpoints(fake) == ["drive.files.list", "sheets.spreadsheets.get", "sheets.spreadsheets.batchUpdate", "drive.files.get"]
    fake.clear_log()
    assert [o.action for o in google.provision()] == ["unchanged", "unchanged"]
    assert endpoints(fake) == ["drive.files.list"]


def test_the_spreadsheet_is_in_the_configs_locale_and_time_zone_and_every_formula_parses(google):
    google.provision()
    spreadsheet = google.fake.spreadsheets[google.spreadsheet_id("kinh-doanh")]
    assert (spreadsheet.locale, spreadsheet.props["timeZone"]) == ("vi_VN", "Asia/Ho_Chi_Minh")
    titles = [sheet.title for sheet in spreadsheet.sheets]
    assert titles == ["OKR", "Hướng dẫn", "_okrsheets"]
    grid = google.team_client(ADMIN).http_client.request(
        "get", f"https://sheets.googleapis.com/v4/spreadsheets/{spreadsheet.id}",
        params={"includeGridData": "true", "fields": "sheets(properties(title,hidden),data(rowData(values(userEnteredValue,effectiveValue))))"},
    ).json()
    formulas = errors = 0
    for sheet in grid["sheets"]:
        for block in sheet["data"]:
            for row in block.get("rowData", []):
                for cell in row.get("values", []):
                    formulas += "formulaValue" in cell.get("userEnteredValue", {})
                    errors += "errorValue" in cell.get("effectiveValue", {})
    assert formulas == 4 + 2 * 2 + 5 * 6  # header block; per objective score and status; per KR score, status, 4 reading cells
    assert errors == 0  # Google shows #ERROR! for a formula that does not parse in the sheet's locale
    hidden = {sheet["properties"]["title"]: sheet["properties"].get("hidden", False) for sheet in grid["sheets"]}
    assert hidden == {"OKR": False, "Hướng dẫn": False, "_okrsheets": True}


def test_a_formula_in_english_separators_would_not_parse_in_a_vietnamese_sheet(google):
    """What localize() is for: the fake, like Google, stores #ERROR! for a "," between arguments in vi_VN."""
    google.provision()
    client = google.team_client(ADMIN)
    sheet = client.open_by_key(google.spreadsheet_id("kinh-doanh")).worksheet("OKR")
    formula = "=IF(2>1,MAX(0,MIN(1,2.5/5)),0)"
    sheet.update([[formula], [localize(formula, "vi_VN")]], "T1:T2", value_input_option="USER_ENTERED")
    assert sheet.get("T1:T2", value_render_option="UNFORMATTED_VALUE") == [["#ERROR!"], [0.5]]
    assert localize(formula, "vi_VN") == "=IF(2>1;MAX(0;MIN(1;2,5/5));0)"


def test_teams_type_only_in_their_cells(google):
    google.provision()
    sheet = google.team_client().open_by_key(google.spreadsheet_id("kinh-doanh")).worksheet("OKR")
    sheet.update([["43,7%", "8"]], "G11:H11", value_input_option="USER_ENTERED")  # current and confidence: open
    sheet.update([["Tốt", "2026-11-10"]], "L11:M11", value_input_option="USER_ENTERED")  # comment, last update: open
    for protected in ("F11", "J11", "A11", "B3"):  # the target, the score, the ID, the quarter
        with pytest.raises(gspread.exceptions.APIError) as refused:
            sheet.update([["1"]], protected, value_input_option="USER_ENTERED")
        assert "protected cell" in str(refused.value)
    admin = google.team_client(ADMIN).open_by_key(google.spreadsheet_id("kinh-doanh")).worksheet("OKR")
    admin.update([["0,9"]], "F11", value_input_option="USER_ENTERED")  # an admin_emails address may


def test_typed_values_are_kept_by_kr_id_across_a_config_change(google):
    google.provision()
    google.type("kinh-doanh", CHECK_INS)
    google.type("kinh-doanh", {"O2.KR2": Typed("2026-11-10", None)}, column="last_update")
    # the admin raises O1.KR3's target and drops O1.KR1 from the plan
    text = google.config_path.read_text(encoding="utf-8")
    text = text.replace('values."O1.KR3" = { target = 5 }', 'values."O1.KR3" = { target = 10 }')
    google.config_path.write_text(text, encoding="utf-8")
    fake = google.fake
    fake.clear_log()
    outcomes = google.provision()
    assert [o.action for o in outcomes] == ["updated", "unchanged"]
    # one read, one batchUpdate and its modifiedTime for the changed department; nothing for the other
    assert endpoints(fake) == ["drive.files.list", "sheets.spreadsheets.get", "sheets.spreadsheets.batchUpdate",
                               "drive.files.get"]
    sheet = google.team_client().open_by_key(google.spreadsheet_id("kinh-doanh")).worksheet("OKR")
    rows = {row[0]: row for row in sheet.get("A9:M15", value_render_option="FORMULA")}
    assert rows["O1.KR1"][COL["current"] - 1] == "1.234.567 ₫"  # text stays text
    assert rows["O1.KR2"][COL["current"] - 1] == pytest.approx(0.437)
    assert rows["O1.KR3"][COL["target"] - 1] == 10
    assert rows["O1.KR3"][COL["current"] - 1] == 7
    assert rows["O2.KR1"][COL["current"] - 1] == "Xong"
    assert rows["O2.KR2"][COL["last_update"] - 1] == 46336  # 2026-11-10 as a date serial
    shown = sheet.get("G11:G11")[0][0]
    assert shown == "43,7%"  # its own percent format kept, shown the Vietnamese way
    result = score_quarter(google.plan, google.backend(), AS_OF)
    sales = next(d for d in result.departments if d.key == "kinh-doanh")
    kr3 = next(kr for kr in sales.key_results if kr.id == "O1.KR3")
    assert (kr3.current, kr3.score) == (7, 0.0)  # at least 10, at 7
    again = google.provision()
    assert [o.action for o in again] == ["unchanged", "unchanged"]


def test_a_kr_removed_from_the_plan_is_archived_with_its_values(google):
    google.provision()
    google.type("kinh-doanh", CHECK_INS)
    text = google.config_path.read_text(encoding="utf-8")
    for line in ('values."O1.KR1" = { start = 0, target = 10_000_000 }\n', 'values."O1.KR2" = { start = 20, target = 60 }\n',
                 'values."O1.KR3" = { target = 5 }\n'):
        text = text.replace(line, "", 1)
    text = text.replace('owners = ["lan@senvang.example"]  # TEAM\n', 'owners = ["lan@senvang.example"]  # TEAM\nobjectives = ["O2"]\n')
    google.config_path.write_text(text, encoding="utf-8")
    [outcome, _] = google.provision()
    assert outcome.action == "updated"
    sheet = google.team_client().open_by_key(google.spreadsheet_id("kinh-doanh")).worksheet("OKR")
    archived = {row[0]: row for row in sheet.get("A13:N20", value_render_option="FORMULA") if row and row[-1] == "archived"}
    assert sorted(archived) == ["O1", "O1.KR1", "O1.KR2", "O1.KR3"]
    assert archived["O1.KR1"][COL["current"] - 1] == "1.234.567 ₫"
    assert archived["O1.KR3"][COL["current"] - 1] == 7


def test_a_new_owner_is_shared_with_on_the_next_provision(google):
    google.provision()
    text = google.config_path.read_text(encoding="utf-8").replace(
        'owners = ["lan@senvang.example"]  # TEAM', 'owners = ["lan@senvang.example", "hoa@senvang.example"]')
    google.config_path.write_text(text, encoding="utf-8")
    google.fake.clear_log()
    google.provision()
    assert google.fake.count(endpoint="drive.permissions.create") == 1
    item = spreadsheets_in(google.fake, google.folder_id)["kinh-doanh"]
    assert ("hoa@senvang.example", "writer") in {(p.email, p.role) for p in item.permissions}


def test_the_protected_ranges_name_the_job_and_the_admins(google):
    google.provision()
    spreadsheet = google.fake.spreadsheets[google.spreadsheet_id("kinh-doanh")]
    okr = next(sheet for sheet in spreadsheet.sheets if sheet.title == "OKR")
    [protected] = okr.protected_ranges
    assert protected["editors"]["users"] == [SERVICE_ACCOUNT, ADMIN]
    # one range per run of KR rows: G:H (current, confidence) and L:M (comment, last update)
    open_cells = sorted((r["startRowIndex"] + 1, r["endRowIndex"], r["startColumnIndex"] + 1, r["endColumnIndex"])
                        for r in protected["unprotectedRanges"])
    assert open_cells == [(10, 12, 7, 8), (10, 12, 12, 13), (14, 15, 7, 8), (14, 15, 12, 13)]


def test_second_provision_of_the_whole_company_sends_no_write(tmp_path):
    departments = DEPARTMENTS + "".join(
        f'\n[[departments]]\nkey = "team-{n}"\nname = "Nhóm {n}"\ntemplate = "golden"\nowners = ["team{n}@senvang.example"]\n'
        f'values."O1.KR1" = {{ start = 0, target = 10_000_000 }}\nvalues."O1.KR2" = {{ start = 20, target = 60 }}\n'
        f'values."O1.KR3" = {{ target = 5 }}\nvalues."O2.KR2" = {{ start = 20, target = 5 }}\n'
        for n in range(12))
    with team_backend("google", tmp_path, departments=departments) as google:
        fake = google.fake
        fake.clear_log()
        outcomes = google.provision()
        assert len(outcomes) == 14 and {o.action for o in outcomes} == {"unchanged"}
        assert fake.count(kind="write") == 0
        assert fake.count() == 1  # the folder's listing; every spreadsheet has the modifiedTime provision left


def test_a_date_serial_for_an_update_is_read_as_that_day(google):
    google.provision()
    google.type("kinh-doanh", {"O1.KR2": Typed("2026-11-10", None)}, column="last_update")
    result = score_quarter(google.plan, google.backend(), AS_OF)
    kr = next(k for d in result.departments for k in d.key_results if k.id == "O1.KR2" and d.key == "kinh-doanh")
    assert kr.last_update == date(2026, 11, 10)


def test_a_rollup_past_the_read_quota_waits_for_google_instead_of_failing(google):
    """Google allows 60 reads a minute per user; here 1 (and the config says so), so the second
    department's read waits a minute for the quota instead of being refused with a 429."""
    google.provision()
    google.type("kinh-doanh", CHECK_INS)
    fake = google.fake
    fake.clock.freeze()
    fake.set_quota(read_per_user=1)
    text = google.config_path.read_text(encoding="utf-8").replace("notify_owners = false\n", "notify_owners = false\nread_quota_per_user = 1\n")
    google.config_path.write_text(text, encoding="utf-8")
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        fake.clock.advance(seconds)

    backend = google.backend()
    backend.sleep, backend.clock = sleep, fake.clock.now
    fake.clear_log()
    result = score_quarter(google.plan, backend, AS_OF)
    assert all(d.readable for d in result.departments) and result.issues == ()
    assert waits == [60.0]  # the first read has left the 60-second window
    answers = [e.status for e in fake.request_log if e.endpoint == "sheets.spreadsheets.get"]
    assert answers == [200, 200]


def test_what_a_team_typed_keeps_its_kind_across_a_rebuild_text_stays_text(google):
    google.provision()
    sheet = google.team_client().open_by_key(google.spreadsheet_id("kinh-doanh")).worksheet("OKR")
    # a comment starting with "=" typed with a leading apostrophe is text; a formula typed in a current cell stays one
    sheet.update([["=2,5*2"]], "G12", value_input_option="USER_ENTERED")
    sheet.update([["'=HYPERLINK(\"http://x\";\"x\")"]], "L12", value_input_option="USER_ENTERED")
    text = google.config_path.read_text(encoding="utf-8").replace('values."O1.KR3" = { target = 5 }', 'values."O1.KR3" = { target = 6 }')
    google.config_path.write_text(text, encoding="utf-8")
    assert [o.action for o in google.provision()] == ["updated", "unchanged"]
    spreadsheet = google.fake.spreadsheets[google.spreadsheet_id("kinh-doanh")]
    okr = next(s for s in spreadsheet.sheets if s.title == "OKR")
    assert okr.cell(11, COL["current"] - 1)["userEnteredValue"] == {"formulaValue": "=2,5*2"}
    assert okr.cell(11, COL["comment"] - 1)["userEnteredValue"] == {"stringValue": '=HYPERLINK("http://x";"x")'}
    result = score_quarter(google.plan, google.backend(), AS_OF)
    kr3 = next(kr for d in result.departments for kr in d.key_results if kr.id == "O1.KR3" and d.key == "kinh-doanh")
    assert kr3.comment == '=HYPERLINK("http://x";"x")'


def test_a_cell_link_goes_straight_to_the_cell(google):
    google.provision()
    backend = google.backend()
    backend.read("kinh-doanh")
    spreadsheet = google.fake.spreadsheets[google.spreadsheet_id("kinh-doanh")]
    gid = next(s.id for s in spreadsheet.sheets if s.title == "OKR")
    assert backend.cell_link("kinh-doanh", "OKR", "G12") == (
        f"https://docs.google.com/spreadsheets/d/{spreadsheet.id}/edit#gid={gid}&range=G12")



def test_the_version_of_a_spreadsheet_changes_when_a_team_types(google):
    google.provision()
    first = google.backend()
    before = (first.version("kinh-doanh"), first.version("van-hanh"))
    google.fake.clock.advance(60)
    google.type("kinh-doanh", {"O1.KR3": CHECK_INS["O1.KR3"]})
    second = google.backend()  # the next run's listing
    after = (second.version("kinh-doanh"), second.version("van-hanh"))
    assert after[0] > before[0] and after[1] == before[1]  # Drive's modifiedTime: only the one typed in changed


def test_a_written_spreadsheet_whose_modified_time_google_did_not_give_is_read_next_time(google):
    google.provision()
    text = google.config_path.read_text(encoding="utf-8").replace("notify_owners = false\n", "notify_owners = false\nmax_tries = 1\n")
    google.config_path.write_text(text.replace("start = 20, target = 60", "start = 20, target = 70", 1), encoding="utf-8")
    fake = google.fake
    spreadsheet_id = google.spreadsheet_id("kinh-doanh")
    fake.inject_fault(503, path=f"/drive/v3/files/{spreadsheet_id}", method="GET", times=1)
    fake.clear_log()
    assert [o.action for o in google.provision()] == ["updated", "unchanged"]  # the write stands
    assert [(e.endpoint, e.status) for e in fake.request_log][-1] == ("drive.files.get", 503)
    fake.clear_log()
    assert [o.action for o in google.provision()] == ["unchanged", "unchanged"]
    assert endpoints(fake) == ["drive.files.list", "sheets.spreadsheets.get"]  # no version kept: read once, then known
