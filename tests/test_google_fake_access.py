"""The fake's access model, held against Google's documented answers (the recordings hold none of it).

Sources: Drive v3 "Shared drives" and "Handle errors" guides (supportsAllDrives,
driveId, corpora; 404 notFound for shared-drive items without supportsAllDrives;
403 storageQuotaExceeded for service accounts outside shared drives, with the
message Google sends since April 2025), Google's OAuth 2.0 server (refresh and
authorization-code grants, ``invalid_grant`` "Token has been expired or
revoked.", ``unauthorized_client`` for delegation not granted), and the Sheets
error for editing a protected range ("You are trying to edit a protected cell
or object...").
"""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import gspread
import pytest
import requests
from google.auth.exceptions import RefreshError
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from okrsheets.testing import FakeGoogle
from okrsheets.testing.pytest_plugin import google_fake, google_key, gspread_client  # noqa: F401

SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]
SA = "job@okr.iam.gserviceaccount.com"
ADMIN = "admin@company.example"


@pytest.fixture
def fake():
    with FakeGoogle() as running:
        yield running


def call(fake: FakeGoogle, token: str, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, fake.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10, **kwargs)


def sa_token(fake: FakeGoogle, tmp_path, *, drive_storage: bool = False, subject: str | None = None) -> str:
    key = fake.make_service_account_key(tmp_path / f"key-{drive_storage}-{subject}.json", email=SA, drive_storage=drive_storage)
    creds = service_account.Credentials.from_service_account_file(str(key), scopes=SCOPES)
    if subject:
        creds = creds.with_subject(subject)
    creds.refresh(google_request())
    return creds.token


def google_request():
    from google.auth.transport.requests import Request

    return Request(requests.Session())


# ---------------------------------------------------------------------- storage, shared drives, inheritance

def test_a_service_account_without_storage_gets_storage_quota_exceeded_outside_a_shared_drive(fake, tmp_path):
    token = sa_token(fake, tmp_path)
    folder = fake.create_folder("OKR", owner=ADMIN, shared_with={SA: "writer"})
    answer = call(fake, token, "POST", "/drive/v3/files", json={"name": "x", "parents": [folder]})
    assert answer.status_code == 403
    assert answer.json() == {"error": {"code": 403, "message": (
        "Service Accounts do not have storage quota. Leverage shared drives "
        "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), "
        "or use OAuth delegation (http://support.google.com/a/answer/7281227) instead."),
        "errors": [{"message": answer.json()["error"]["message"], "domain": "usageLimits", "reason": "storageQuotaExceeded"}]}}
    # gspread's own create (Sheets spreadsheets.create) lands in the account's My Drive: refused too
    sheets = call(fake, token, "POST", "/v4/spreadsheets", json={"properties": {"title": "x"}})
    assert sheets.status_code == 403
    # an account made before April 2025 still has its own storage
    assert call(fake, sa_token(fake, tmp_path, drive_storage=True), "POST", "/drive/v3/files", json={"name": "y"}).status_code == 200


def test_shared_drive_items_need_supports_all_drives(fake, tmp_path):
    token = sa_token(fake, tmp_path)
    drive = fake.create_shared_drive("OKR", {ADMIN: "organizer", SA: "fileOrganizer"})
    folder = fake.create_folder("2026", owner=ADMIN, parent=drive)
    body = {"name": "Sales", "mimeType": "application/vnd.google-apps.spreadsheet", "parents": [folder],
            "appProperties": {"department": "sales"}}
    assert call(fake, token, "POST", "/drive/v3/files", json=body).status_code == 404  # parent not found without the flag
    created = call(fake, token, "POST", "/drive/v3/files", params={"supportsAllDrives": "true", "fields": "id,driveId,owners"}, json=body)
    assert created.status_code == 200
    assert created.json()["driveId"] == drive and "owners" not in created.json()  # the drive owns it, not a person
    file_id = created.json()["id"]
    missing = call(fake, token, "GET", f"/drive/v3/files/{file_id}")
    assert missing.status_code == 404 and missing.json()["error"]["errors"][0]["reason"] == "notFound"
    assert call(fake, token, "GET", f"/drive/v3/files/{file_id}", params={"supportsAllDrives": "true"}).status_code == 200
    # the spreadsheet itself is open to Sheets for every member of the drive
    assert call(fake, token, "GET", f"/v4/spreadsheets/{file_id}").status_code == 200


def test_listing_a_shared_drive_by_corpora_and_app_properties(fake, tmp_path):
    token = sa_token(fake, tmp_path)
    drive = fake.create_shared_drive("OKR", {SA: "organizer"})
    for key in ("sales", "hr"):
        call(fake, token, "POST", "/drive/v3/files", params={"supportsAllDrives": "true"},
             json={"name": key, "parents": [drive], "appProperties": {"department": key, "quarter": "2026-Q4"}})
    q = "appProperties has { key='department' and value='sales' } and trashed = false"
    plain = call(fake, token, "GET", "/drive/v3/files", params={"q": q})
    assert plain.json()["files"] == []  # shared-drive items are left out unless asked for
    listed = call(fake, token, "GET", "/drive/v3/files", params={
        "q": q, "corpora": "drive", "driveId": drive, "includeItemsFromAllDrives": "true", "supportsAllDrives": "true",
        "fields": "files(name,driveId,appProperties)"})
    assert listed.json() == {"files": [{"name": "sales", "driveId": drive, "appProperties": {"department": "sales", "quarter": "2026-Q4"}}]}
    wrong = call(fake, token, "GET", "/drive/v3/files", params={"corpora": "drive", "supportsAllDrives": "true"})
    assert wrong.status_code == 400


def test_drives_create_makes_the_creator_its_manager(fake, tmp_path):
    token = sa_token(fake, tmp_path)
    made = call(fake, token, "POST", "/drive/v3/drives", params={"requestId": "r1"}, json={"name": "OKR"})
    assert made.status_code == 200 and made.json()["kind"] == "drive#drive" and made.json()["name"] == "OKR"
    drive = made.json()["id"]
    added = call(fake, token, "POST", f"/drive/v3/files/{drive}/permissions", params={"supportsAllDrives": "true", "sendNotificationEmail": "false"},
                 json={"type": "user", "role": "fileOrganizer", "emailAddress": ADMIN})
    assert added.status_code == 200 and added.json()["role"] == "fileOrganizer"
    members = call(fake, token, "GET", f"/drive/v3/files/{drive}/permissions", params={"supportsAllDrives": "true", "fields": "permissions(emailAddress,role)"})
    assert members.json() == {"permissions": [{"emailAddress": SA, "role": "organizer"}, {"emailAddress": ADMIN, "role": "fileOrganizer"}]}
    assert call(fake, token, "POST", "/drive/v3/drives", json={"name": "x"}).status_code == 400  # requestId is required


def test_a_folder_shares_what_is_inside_it(fake, tmp_path):
    token = sa_token(fake, tmp_path)
    folder = fake.create_folder("OKR", owner=ADMIN, shared_with={SA: "writer"})
    inside = fake.seed_spreadsheet("Sales", owner=ADMIN, parent=folder)
    outside = fake.seed_spreadsheet("Private", owner=ADMIN)
    assert call(fake, token, "GET", f"/v4/spreadsheets/{inside}").status_code == 200
    assert call(fake, token, "GET", f"/v4/spreadsheets/{outside}").status_code == 403
    listed = call(fake, token, "GET", "/drive/v3/files", params={"q": f"'{folder}' in parents"}).json()["files"]
    assert [f["name"] for f in listed] == ["Sales"]


def test_about_names_the_caller_and_needs_fields(fake, tmp_path):
    token = sa_token(fake, tmp_path)
    answer = call(fake, token, "GET", "/drive/v3/about", params={"fields": "user(emailAddress),storageQuota(limit)"})
    assert answer.json() == {"user": {"emailAddress": SA}, "storageQuota": {"limit": "0"}}
    assert call(fake, token, "GET", "/drive/v3/about").status_code == 400


# ---------------------------------------------------------------------- OAuth grants

def test_domain_wide_delegation_acts_as_the_subject_once_granted(fake, tmp_path):
    key = fake.make_service_account_key(tmp_path / "key.json", email=SA)
    creds = service_account.Credentials.from_service_account_file(str(key), scopes=SCOPES).with_subject(ADMIN)
    with pytest.raises(RefreshError) as refused:
        creds.refresh(google_request())
    assert refused.value.args[1] == {"error": "unauthorized_client", "error_description": (
        "Client is unauthorized to retrieve access tokens using this method, "
        "or client not authorized for any of the scopes requested.")}
    fake.allow_delegation(key, SCOPES[:1])  # granted for fewer scopes than asked: still refused
    with pytest.raises(RefreshError):
        creds.refresh(google_request())
    fake.allow_delegation(json.loads(key.read_text()), SCOPES)
    creds.refresh(google_request())
    token = creds.token
    assert call(fake, token, "GET", "/drive/v3/about", params={"fields": "user(emailAddress)"}).json() == {"user": {"emailAddress": ADMIN}}
    # a person has storage: the delegated account creates files in its own My Drive
    assert call(fake, token, "POST", "/drive/v3/files", json={"name": "x"}).status_code == 200


def _consent(fake: FakeGoogle, client: dict, verifier: str) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    answer = requests.get(fake.url + "/o/oauth2/auth", allow_redirects=False, timeout=10, params={
        "client_id": client["client_id"], "redirect_uri": "http://localhost:8085/", "response_type": "code",
        "scope": " ".join(SCOPES), "state": "s1", "code_challenge": challenge, "code_challenge_method": "S256",
        "access_type": "offline"})
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert (location.hostname, location.port) == ("localhost", 8085)
    query = parse_qs(location.query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_authorization_code_and_refresh_token_grants(fake):
    fake.consent_user = "person@gmail.example"
    client = fake.make_oauth_client()["installed"]
    code = _consent(fake, client, "v" * 50)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:8085/",
            "client_id": client["client_id"], "client_secret": client["client_secret"], "code_verifier": "v" * 50}
    answer = requests.post(fake.token_uri, data=form, timeout=10).json()
    assert set(answer) == {"access_token", "expires_in", "refresh_token", "scope", "token_type"}
    assert answer["expires_in"] == 3599 and answer["scope"] == " ".join(SCOPES)
    again = requests.post(fake.token_uri, data=form, timeout=10)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"  # a code works once
    bad_verifier = requests.post(fake.token_uri, timeout=10, data=dict(
        form, code=_consent(fake, client, "v" * 50), code_verifier="w" * 50))
    assert bad_verifier.json()["error"] == "invalid_grant"
    # google-auth refreshes from the refresh token alone
    creds = user_credentials.Credentials(None, refresh_token=answer["refresh_token"], token_uri=fake.token_uri,
                                         client_id=client["client_id"], client_secret=client["client_secret"], scopes=SCOPES)
    creds.refresh(google_request())
    about = call(fake, creds.token, "GET", "/drive/v3/about", params={"fields": "user(emailAddress)"})
    assert about.json() == {"user": {"emailAddress": "person@gmail.example"}}
    assert fake.revoke_refresh_tokens("person@gmail.example") == 1
    with pytest.raises(RefreshError) as revoked:
        creds.refresh(google_request())
    assert revoked.value.args[1] == {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}


def test_consent_refuses_an_unknown_client_or_a_non_loopback_redirect(fake):
    client = fake.make_oauth_client()["installed"]
    base = {"client_id": client["client_id"], "response_type": "code", "scope": SCOPES[0]}
    assert requests.get(fake.url + "/o/oauth2/auth", params=dict(base, redirect_uri="https://evil.example/"),
                        allow_redirects=False, timeout=10).status_code == 400
    assert requests.get(fake.url + "/o/oauth2/auth", params=dict(base, client_id="nope", redirect_uri="http://localhost:1/"),
                        allow_redirects=False, timeout=10).status_code == 401
    wrong_secret = requests.post(fake.token_uri, timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": "1//x", "client_id": client["client_id"], "client_secret": "wrong"})
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"


# ---------------------------------------------------------------------- protected ranges

PROTECTED = ("You are trying to edit a protected cell or object. "
             "Please contact the spreadsheet owner to remove protection if you need to edit.")


def test_protected_ranges_hold_for_editors_not_listed(fake, tmp_path):
    owner_key = fake.make_service_account_key(tmp_path / "owner.json", email="owner@okr.iam.gserviceaccount.com", drive_storage=True)
    editor_key = fake.make_service_account_key(tmp_path / "editor.json", email="team@okr.iam.gserviceaccount.com")
    owner = fake.gspread_client(owner_key)
    sh = owner.create("OKR")
    sh.share("team@okr.iam.gserviceaccount.com", perm_type="user", role="writer", notify=False)
    sheet = sh.sheet1
    sh.batch_update({"requests": [{"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": sheet.id, "startRowIndex": 0, "endRowIndex": 10, "startColumnIndex": 0, "endColumnIndex": 5},
        "unprotectedRanges": [{"sheetId": sheet.id, "startRowIndex": 1, "endRowIndex": 10, "startColumnIndex": 4, "endColumnIndex": 5}],
        "editors": {"users": ["owner@okr.iam.gserviceaccount.com"]}}}}]})
    team = fake.gspread_client(editor_key).open_by_key(sh.id).sheet1
    with pytest.raises(gspread.exceptions.APIError) as refused:
        team.update([["typed"]], "B2")
    assert refused.value.response.status_code == 400
    assert refused.value.error == {"code": 400, "message": PROTECTED, "status": "INVALID_ARGUMENT"}
    with pytest.raises(gspread.exceptions.APIError):  # removing the protection is editing it
        fake.gspread_client(editor_key).open_by_key(sh.id).batch_update({"requests": [{"deleteProtectedRange": {
            "protectedRangeId": sh.fetch_sheet_metadata()["sheets"][0]["protectedRanges"][0]["protectedRangeId"]}}]})
    team.update([["0.45"]], "E2")  # the input column is left open
    team.update([["free"]], "G1")  # outside the range
    sheet.update([["by owner"]], "B2")  # the owner may
    assert sheet.get_all_values()[1][1] == "by owner" and sheet.acell("E2").value == "0.45"


# ---------------------------------------------------------------------- what Google refuses with a 400

def _batch(sh, *requests_):
    return sh.batch_update({"requests": list(requests_)})


def _error(excinfo) -> dict:
    return excinfo.value.error


def test_conditions_are_held_to_googles_condition_type_rules(gspread_client):
    sh = gspread_client.create("Rules")
    rng = {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 5, "startColumnIndex": 0, "endColumnIndex": 1}
    validation = lambda condition: {"setDataValidation": {"range": rng, "rule": {"condition": condition}}}  # noqa: E731
    rule = lambda condition, ranges=(rng,): {"addConditionalFormatRule": {"index": 0, "rule": {  # noqa: E731
        "ranges": list(ranges), "booleanRule": {"condition": condition, "format": {"textFormat": {"bold": True}}}}}}
    value = lambda v: {"userEnteredValue": v}  # noqa: E731
    # what the reference allows passes
    _batch(sh, validation({"type": "NUMBER_BETWEEN", "values": [value("0"), value("1")]}),
           validation({"type": "ONE_OF_LIST", "values": [value("Đúng"), value("Sai")]}),
           rule({"type": "NUMBER_LESS", "values": [value("0.4")]}), rule({"type": "BLANK"}))
    refused = [
        (validation({"type": "NUMBER_BETWEEN", "values": [value("0")]}),
         "Invalid requests[0].setDataValidation: Invalid condition: NUMBER_BETWEEN needs 2 condition values, got 1."),
        (validation({"type": "BLANK"}),  # conditional formatting and filters only
         "Invalid requests[0].setDataValidation: Invalid dataValidation: the condition type BLANK is not supported by data validation."),
        (rule({"type": "ONE_OF_LIST", "values": [value("a")]}),  # data validation only
         "Invalid requests[0].addConditionalFormatRule: Invalid conditional format rule: the condition type ONE_OF_LIST is not supported by conditional formatting."),
        (rule({"type": "NUMBER_GREATER", "values": []}),
         "Invalid requests[0].addConditionalFormatRule: Invalid condition: NUMBER_GREATER needs 1 condition values, got 0."),
    ]
    for request, message in refused:
        with pytest.raises(gspread.exceptions.APIError) as info:
            _batch(sh, request)
        assert _error(info) == {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
    other = sh.add_worksheet("Khác", 5, 5)
    with pytest.raises(gspread.exceptions.APIError) as info:
        _batch(sh, rule({"type": "BLANK"}, ranges=(rng, dict(rng, sheetId=other.id))))
    assert "must be on the same sheet" in _error(info)["message"]


def test_ids_already_in_use_are_refused(gspread_client):
    sh = gspread_client.create("Ids")
    protect = {"addProtectedRange": {"protectedRange": {"protectedRangeId": 77, "range": {"sheetId": 0, "endRowIndex": 1}}}}
    _batch(sh, protect)
    with pytest.raises(gspread.exceptions.APIError) as info:
        _batch(sh, protect)
    assert _error(info)["message"] == "Invalid requests[0].addProtectedRange: A protected range with id 77 already exists."
    with pytest.raises(gspread.exceptions.APIError) as info:
        _batch(sh, {"addSheet": {"properties": {"sheetId": 0, "title": "Again"}}})
    assert _error(info)["message"] == "Invalid requests[0].addSheet: A sheet with id 0 already exists."


def test_no_notification_email_parameter_on_anyone_or_domain_permissions(fake, tmp_path):
    token = sa_token(fake, tmp_path, drive_storage=True)
    file_id = call(fake, token, "POST", "/drive/v3/files", json={"name": "x"}).json()["id"]
    answer = call(fake, token, "POST", f"/drive/v3/files/{file_id}/permissions", params={"sendNotificationEmail": "false"},
                  json={"type": "anyone", "role": "reader"})
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == (
        "The sendNotificationEmail parameter is only applicable for permissions of type 'user' or 'group', "
        "and must not be disabled for ownership transfers.")
    assert answer.json()["error"]["errors"][0]["reason"] == "forbidden"
    assert call(fake, token, "POST", f"/drive/v3/files/{file_id}/permissions", json={"type": "anyone", "role": "reader"}).status_code == 200
    domain = call(fake, token, "POST", f"/drive/v3/files/{file_id}/permissions", json={"type": "domain", "role": "reader"})
    assert domain.json()["error"]["message"] == "The domain field is required for permissions of type 'domain'."


# ---------------------------------------------------------------------- formulas in the spreadsheet's locale

def test_formulas_are_parsed_in_the_spreadsheets_locale(gspread_client):
    """vi_VN writes 0,5 and separates arguments with ';': a ',' between arguments is Google's #ERROR!."""
    sh = gspread_client.create("vi")
    sh.batch_update({"requests": [{"updateSpreadsheetProperties": {"properties": {"locale": "vi_VN"}, "fields": "locale"}}]})
    sheet = sh.sheet1
    sheet.update([["0,5", "=IF(A1>0;A1*2;0)", "=IF(A1>0,A1*2,0)", "=ROUND(A1*1,5;1)", '="a,b;c"']], "A1", raw=False)
    assert sheet.get("A1:E1", value_render_option="UNFORMATTED_VALUE") == [[0.5, 1, "#ERROR!", 0.8, "a,b;c"]]
    assert sheet.get("A1:E1", value_render_option="FORMULA")[0][2] == "=IF(A1>0,A1*2,0)"  # kept as written
    grid = sh.fetch_sheet_metadata({"includeGridData": "true", "ranges": "C1", "fields": "sheets.data.rowData.values.effectiveValue"})
    assert grid["sheets"][0]["data"][0]["rowData"][0]["values"][0] == {
        "effectiveValue": {"errorValue": {"type": "ERROR", "message": "Formula parse error."}}}
    en = gspread_client.create("en").sheet1
    en.update([["0.5", "=IF(A1>0;1;0)", "=IF(A1>0,1,0)"]], "A1", raw=False)
    assert en.get("A1:C1") == [["0.5", "#ERROR!", "1"]]


@pytest.mark.parametrize("formula, comma_decimal, expected", [
    ("=SUM(A1;B1)", True, "=SUM(A1,B1)"),
    ("=A1*0,25", True, "=A1*0.25"),
    ('=IF(A1="x,y";1;2)', True, '=IF(A1="x,y",1,2)'),
    ("='Sheet, 1'!A1", True, "='Sheet, 1'!A1"),
    ("={1,2;3,4}", False, "={1,2;3,4}"),
    ("=SUM(A1,B1)", False, "=SUM(A1,B1)"),
])
def test_locale_separators(formula, comma_decimal, expected):
    from okrsheets.testing import formulas

    assert formulas.to_en_us(formula, comma_decimal) == expected


@pytest.mark.parametrize("formula, comma_decimal", [("=SUM(A1,B1)", True), ("=SUM(A1;B1)", False), ("=A1,5", True)])
def test_wrong_separators_do_not_parse(formula, comma_decimal):
    from okrsheets.testing import formulas

    with pytest.raises(formulas.ParseError):
        formulas.to_en_us(formula, comma_decimal)


# ---------------------------------------------------------------------- scopes

def _token_with(fake: FakeGoogle, tmp_path, scopes: list[str]) -> str:
    key = fake.make_service_account_key(tmp_path / f"key{len(scopes)}.json", email=SA, drive_storage=True)
    creds = service_account.Credentials.from_service_account_file(str(key), scopes=scopes)
    creds.refresh(google_request())
    return creds.token


def test_drive_file_alone_cannot_see_a_folder_a_person_shared(fake, tmp_path):
    """Why okrsheets asks for `drive` (docs/google.md): with `drive.file` the shared folder answers 404."""
    folder = fake.create_folder("OKR", owner=ADMIN, shared_with={SA: "writer"})
    narrow = _token_with(fake, tmp_path, ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive.file"])
    assert call(fake, narrow, "GET", f"/drive/v3/files/{folder}").status_code == 404
    assert call(fake, narrow, "POST", "/drive/v3/files", json={"name": "x", "parents": [folder]}).status_code == 404
    own = call(fake, narrow, "POST", "/drive/v3/files", json={"name": "mine"}).json()["id"]
    assert call(fake, narrow, "GET", f"/drive/v3/files/{own}").status_code == 200  # what the app made itself
    wide = _token_with(fake, tmp_path, SCOPES)
    assert call(fake, wide, "GET", f"/drive/v3/files/{folder}").status_code == 200
    assert call(fake, wide, "POST", "/drive/v3/files", json={"name": "x", "parents": [folder]}).status_code == 200


def test_a_token_without_the_needed_scope_gets_googles_403(fake, tmp_path):
    sheets_only = _token_with(fake, tmp_path, ["https://www.googleapis.com/auth/spreadsheets"])
    answer = call(fake, sheets_only, "GET", "/drive/v3/files")
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == "Request had insufficient authentication scopes."
    read_only = _token_with(fake, tmp_path, ["https://www.googleapis.com/auth/spreadsheets.readonly"])
    refused = call(fake, read_only, "POST", "/v4/spreadsheets", json={})
    assert refused.status_code == 403 and refused.json()["error"]["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"


def test_an_uploaded_excel_file_is_not_a_spreadsheet_to_sheets(fake, tmp_path):
    """What Google answers when the Sheets API opens an .xlsx kept in Drive, and what okrsheets says about it."""
    import gspread as _gspread

    from okrsheets.backends.google.failures import explain

    token = sa_token(fake, tmp_path, drive_storage=True)
    xlsx = call(fake, token, "POST", "/drive/v3/files", json={
        "name": "KPI.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}).json()["id"]
    answer = call(fake, token, "GET", f"/v4/spreadsheets/{xlsx}")
    assert answer.status_code == 400
    assert answer.json() == {"error": {"code": 400, "message": "This operation is not supported for this document", "status": "FAILED_PRECONDITION"}}
    error = explain(_gspread.exceptions.APIError(answer), "en", what="what_file", file_id=xlsx)
    assert str(error) == (f"the file {xlsx} is not a Google spreadsheet (an uploaded Excel file?); open it in Google Sheets,"
                          " choose File > Save as Google Sheets, and use the new one")
