"""The Google fake driven through real gspread calls (no patching of gspread or google-auth).

Sharing, conditional formats and developer metadata are not in the recorded
traffic; their expected answers follow Google's published API reference.
"""

from __future__ import annotations

import gspread
import pytest
from gspread.utils import ValidationConditionType, ValueInputOption, ValueRenderOption

from okrsheets.testing.pytest_plugin import google_fake, google_key, gspread_client  # noqa: F401

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE = "https://www.googleapis.com/drive/v3/files"


def raw(gc: gspread.Client, method: str, url: str, **kwargs):
    """A request through the client's own authorized session, errors included."""
    return gc.http_client.session.request(method, url, **kwargs)


def test_service_account_creates_shares_formats_writes_and_reads(google_fake, gspread_client):
    sh = gspread_client.create("OKRs 2025 Q1")
    sh.share("lead@example.com", perm_type="user", role="writer", notify=False)
    sh.share(None, perm_type="anyone", role="reader")
    ws = sh.sheet1
    ws.update([["Objective", "Key result", "Score"], ["Grow revenue", "Sign 5 deals", 0.6]], "A1")
    ws.format("A1:C1", {"textFormat": {"bold": True}, "backgroundColor": {"red": 0.9, "green": 0.9, "blue": 0.9}})

    again = gspread_client.open_by_key(sh.id)
    assert again.title == "OKRs 2025 Q1"
    assert again.sheet1.get_all_values() == [["Objective", "Key result", "Score"], ["Grow revenue", "Sign 5 deals", "0.6"]]
    roles = {(p["type"], p.get("emailAddress"), p["role"]) for p in again.list_permissions()}
    assert ("user", "lead@example.com", "writer") in roles
    assert ("anyone", None, "reader") in roles
    assert ("user", google_fake.default_email, "owner") in roles
    fmt = again.fetch_sheet_metadata({"ranges": "A1", "fields": "sheets.data.rowData.values.userEnteredFormat"})
    cell_format = fmt["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"]
    assert cell_format["textFormat"] == {"bold": True}
    # colors are stored as 8-bit channels and printed as float32, as Google prints 0.5 back as 0.49803922
    assert cell_format["backgroundColorStyle"] == {"rgbColor": {"red": 0.8980392, "green": 0.8980392, "blue": 0.8980392}}


def test_sharing_mails_only_when_asked_and_permissions_can_be_removed(google_fake, gspread_client):
    sh = gspread_client.create("Team OKRs")
    sh.share("quiet@example.com", perm_type="user", role="reader", notify=False)
    sh.share("team@example.com", perm_type="group", role="commenter", notify=True, email_message="Your OKRs")
    assert google_fake.notifications == [
        {"to": "team@example.com", "file_id": sh.id, "role": "commenter", "message": "Your OKRs"}
    ]
    quiet = next(p for p in sh.list_permissions() if p.get("emailAddress") == "quiet@example.com")
    sh.remove_permissions("quiet@example.com")
    assert quiet["id"] not in {p["id"] for p in sh.list_permissions()}
    resp = raw(gspread_client, "POST", f"{DRIVE}/{sh.id}/permissions", json={"type": "user", "role": "boss", "emailAddress": "x@example.com"})
    assert resp.status_code == 400


def test_values_in_every_render_option(gspread_client):
    ws = gspread_client.create("Render").sheet1
    ws.update(
        [["=4/2", "2020-01-01", "2,000,000.01", "50%", "0042", "TRUE", "'=not a formula"]],
        "A1",
        value_input_option=ValueInputOption.user_entered,
    )
    ws.update([["=1+1", 7]], "A2", value_input_option=ValueInputOption.raw)
    formatted = ws.get("A1:G2", value_render_option=ValueRenderOption.formatted)
    assert formatted == [["2", "2020-01-01", "2,000,000.01", "50%", "42", "TRUE", "=not a formula"], ["=1+1", "7"]]
    unformatted = ws.get("A1:G2", value_render_option=ValueRenderOption.unformatted)
    assert unformatted == [[2, 43831, 2000000.01, 0.5, 42, True, "=not a formula"], ["=1+1", 7]]
    formulas = ws.get("A1:G2", value_render_option=ValueRenderOption.formula)
    assert formulas == [["=4/2", 43831, 2000000.01, 0.5, 42, True, "=not a formula"], ["=1+1", 7]]
    dates = ws.get("B1", value_render_option=ValueRenderOption.unformatted, date_time_render_option="FORMATTED_STRING")
    assert dates == [["2020-01-01"]]


def test_formulas_evaluate_references_and_unknown_functions_stay_text(gspread_client):
    ws = gspread_client.create("Formulas").sheet1
    ws.update([[1, 2, "=SUM(A1:B1)*10", "=A1/0", "=VLOOKUP(1,A1:B1,2)"]], "A1", value_input_option=ValueInputOption.user_entered)
    assert ws.get("C1:E1") == [["30", "#DIV/0!", "=VLOOKUP(1,A1:B1,2)"]]
    ws.update_acell("A1", 5)
    assert ws.acell("C1").value == "70"


def test_answers_are_shaped_like_googles(gspread_client):
    sh = gspread_client.create("Shapes")
    empty = sh.values_get("Sheet1!A1:C3")
    assert empty == {"range": "Sheet1!A1:C3", "majorDimension": "ROWS"}
    sh.sheet1.update([["a", "", ""], ["", "", ""], ["", "b", ""]], "A1")
    got = sh.values_get("Sheet1")
    assert got == {"range": "Sheet1!A1:Z1000", "majorDimension": "ROWS", "values": [["a"], [], ["", "b"]]}
    columns = sh.values_get("Sheet1!A1:B3", params={"majorDimension": "COLUMNS"})
    assert columns["values"] == [["a"], ["", "", "b"]]
    result = sh.values_update("Sheet1!D5", params={"valueInputOption": "RAW"}, body={"values": [["x", None], [None, "y"]]})
    assert result == {
        "spreadsheetId": sh.id, "updatedRange": "Sheet1!D5:E6", "updatedRows": 2, "updatedColumns": 2, "updatedCells": 2,
    }
    missing = raw(gspread_client, "GET", f"{SHEETS}/no-such-id")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}
    meta = sh.fetch_sheet_metadata()
    assert meta["sheets"][0]["properties"] == {
        "sheetId": 0, "title": "Sheet1", "index": 0, "sheetType": "GRID", "gridProperties": {"rowCount": 1000, "columnCount": 26},
    }


def test_batch_update_formats_validation_protected_ranges_and_rules(google_fake, gspread_client):
    sh = gspread_client.create("Check-ins")
    ws = sh.sheet1
    ws.add_validation("C2:C10", ValidationConditionType.number_between, [0, 1], strict=True, inputMessage="0 to 1")
    ws.add_protected_range("A1:C1", editor_users_emails=["lead@example.com"], description="header")
    ws.format("A1:C1", {"horizontalAlignment": "CENTER", "textFormat": {"bold": True, "foregroundColor": {"blue": 0.5}}})
    sh.batch_update({"requests": [{"addConditionalFormatRule": {"index": 0, "rule": {
        "ranges": [{"sheetId": 0, "startRowIndex": 1, "endRowIndex": 10, "startColumnIndex": 2, "endColumnIndex": 3}],
        "booleanRule": {"condition": {"type": "NUMBER_LESS", "values": [{"userEnteredValue": "0.3"}]},
                        "format": {"backgroundColor": {"red": 1}}}}}}]})
    meta = sh.fetch_sheet_metadata({"includeGridData": "false"})["sheets"][0]
    protected = meta["protectedRanges"][0]
    assert protected["range"] == {"startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 3}
    assert protected["description"] == "header"
    assert protected["editors"] == {"users": [google_fake.default_email, "lead@example.com"]}
    rule = meta["conditionalFormats"][0]
    assert rule["booleanRule"]["format"] == {"backgroundColor": {"red": 1}, "backgroundColorStyle": {"rgbColor": {"red": 1}}}
    cells = sh.fetch_sheet_metadata({"ranges": "A1:C2", "fields": "sheets.data.rowData.values(userEnteredFormat,dataValidation)"})
    rows = cells["sheets"][0]["data"][0]["rowData"]
    assert rows[0]["values"][0]["userEnteredFormat"]["textFormat"]["foregroundColorStyle"] == {"rgbColor": {"blue": 0.49803922}}
    assert rows[1]["values"] == [{}, {}, {"dataValidation": {
        "condition": {"type": "NUMBER_BETWEEN", "values": [{"userEnteredValue": "0"}, {"userEnteredValue": "1"}]},
        "inputMessage": "0 to 1", "strict": True}}]
    delete = {"deleteProtectedRange": {"protectedRangeId": protected["protectedRangeId"]}}
    sh.batch_update({"requests": [delete]})
    assert "protectedRanges" not in sh.fetch_sheet_metadata()["sheets"][0]


def test_batch_update_is_all_or_nothing_and_names_the_bad_request(gspread_client):
    sh = gspread_client.create("Atomic")
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.batch_update({"requests": [
            {"addSheet": {"properties": {"title": "Team A"}}},
            {"deleteSheet": {"sheetId": 424242}},
        ]})
    assert err.value.response.status_code == 400
    assert err.value.response.json() == {"error": {
        "code": 400, "message": "Invalid requests[1].deleteSheet: No sheet with id: 424242", "status": "INVALID_ARGUMENT"}}
    assert [w.title for w in sh.worksheets()] == ["Sheet1"]
    reply = sh.batch_update({"requests": [
        {"addSheet": {"properties": {"title": "Team A", "gridProperties": {"rowCount": 10, "columnCount": 4}}}},
        {"updateSpreadsheetProperties": {"properties": {"title": "Renamed", "locale": "en_GB", "timeZone": "Europe/London"}, "fields": "title,locale,timeZone"}},
    ]})
    assert reply["replies"][1] == {}
    added = reply["replies"][0]["addSheet"]["properties"]
    assert {k: added[k] for k in ("title", "index", "sheetType", "gridProperties")} == {
        "title": "Team A", "index": 1, "sheetType": "GRID", "gridProperties": {"rowCount": 10, "columnCount": 4}}
    props = sh.fetch_sheet_metadata()["properties"]
    assert (props["title"], props["locale"], props["timeZone"]) == ("Renamed", "en_GB", "Europe/London")


def test_requests_are_checked_against_the_discovery_schema(gspread_client):
    sh = gspread_client.create("Schema")
    resp = raw(gspread_client, "POST", f"{SHEETS}/{sh.id}:batchUpdate",
               json={"requests": [{"addSheet": {"properties": {"title": "x", "colour": "red"}}}]})
    assert resp.status_code == 400
    message = "Invalid JSON payload received. Unknown name \"colour\" at 'requests[0].add_sheet.properties': Cannot find field."
    assert resp.json()["error"] == {
        "code": 400, "message": message, "status": "INVALID_ARGUMENT",
        "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                     "fieldViolations": [{"field": "requests[0].add_sheet.properties", "description": message}]}]}
    resp = raw(gspread_client, "PUT", f"{SHEETS}/{sh.id}/values/A1", params={"valueInputOption": "RAW"}, json={"values": "X"})
    assert resp.json()["error"]["message"] == "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    resp = raw(gspread_client, "GET", f"{SHEETS}/{sh.id}", params={"bogus": "1"})
    assert resp.status_code == 400 and "Unknown name \"bogus\"" in resp.json()["error"]["message"]
    resp = raw(gspread_client, "POST", f"{DRIVE}/{sh.id}/permissions", json={"type": "anyone", "role": "reader", "withLink": True})
    assert resp.status_code == 200, "gspread's withLink is tolerated"


def test_a1_ranges_with_quotes_spaces_emoji_and_open_ends(gspread_client):
    sh = gspread_client.create("A1")
    title = "Team 🚀 'Ops' Q1"
    ws = sh.add_worksheet(title, rows=20, cols=5)
    ws.update([["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]], "A1")
    quoted = "'Team 🚀 ''Ops'' Q1'"
    assert sh.values_get(f"{quoted}!B:B")["values"] == [["b"], ["e"], ["h"]]
    assert sh.values_get(f"{quoted}!B:B")["range"] == f"{quoted}!B1:B20"
    assert sh.values_get(f"{quoted}!2:3")["values"] == [["d", "e", "f"], ["g", "h", "i"]]
    assert sh.values_get(f"{quoted}!B2:C")["range"] == f"{quoted}!B2:C20"
    assert sh.values_get(f"{quoted}!C3:B2")["values"] == [["e", "f"], ["h", "i"]]
    assert sh.values_get(quoted)["range"] == f"{quoted}!A1:E20"
    assert sh.values_get(title)["values"][0] == ["a", "b", "c"], "a bare title with spaces is accepted"
    bad = raw(gspread_client, "GET", f"{SHEETS}/{sh.id}/values/Nope!A1")
    assert bad.status_code == 400 and bad.json()["error"]["message"] == "Unable to parse range: Nope!A1"


def test_drive_create_in_folder_with_app_properties_and_query(gspread_client):
    def create(body):
        resp = raw(gspread_client, "POST", DRIVE, json=body)
        assert resp.status_code == 200, resp.text
        return resp.json()

    folder = create({"name": "OKR 2025", "mimeType": "application/vnd.google-apps.folder"})
    team = create({"name": "Team A", "mimeType": "application/vnd.google-apps.spreadsheet",
                   "parents": [folder["id"]], "appProperties": {"okr_team": "a", "okr_cycle": "2025Q1"}})
    create({"name": "Team B", "mimeType": "application/vnd.google-apps.spreadsheet",
            "parents": [folder["id"]], "appProperties": {"okr_team": "b"}})

    def names(q):
        resp = raw(gspread_client, "GET", DRIVE, params={"q": q, "fields": "files(id,name,appProperties)"})
        assert resp.status_code == 200, resp.text
        return sorted(f["name"] for f in resp.json()["files"])

    assert names(f"'{folder['id']}' in parents and mimeType = 'application/vnd.google-apps.spreadsheet'") == ["Team A", "Team B"]
    assert names("appProperties has { key='okr_team' and value='a' } and trashed = false") == ["Team A"]
    assert names("name contains 'Team' and not name = 'Team B'") == ["Team A"]
    raw(gspread_client, "PATCH", f"{DRIVE}/{team['id']}", json={"trashed": True})
    assert names("trashed = false and name contains 'Team'") == ["Team B"]
    assert [f["name"] for f in gspread_client.list_spreadsheet_files(folder_id=folder["id"])] in (["Team B", "Team A"], ["Team A", "Team B"])
    bad = raw(gspread_client, "GET", DRIVE, params={"q": "name = "})
    assert bad.status_code == 400 and bad.json()["error"]["message"] == "Invalid Value"
    got = raw(gspread_client, "GET", f"{DRIVE}/{team['id']}", params={"fields": "id,name,parents,appProperties,trashed"}).json()
    assert got == {"id": team["id"], "name": "Team A", "parents": [folder["id"]], "trashed": True,
                   "appProperties": {"okr_team": "a", "okr_cycle": "2025Q1"}}


def test_the_files_of_a_trashed_folder_are_in_the_trash_too(gspread_client):
    """Drive: ``trashed`` is true for a file put in the trash or in a folder put there (``explicitlyTrashed``
    only for the first), so ``trashed = false`` does not find what a trashed folder holds."""
    folder = raw(gspread_client, "POST", DRIVE, json={"name": "OKR", "mimeType": "application/vnd.google-apps.folder"}).json()
    inner = raw(gspread_client, "POST", DRIVE, json={"name": "Q4", "mimeType": "application/vnd.google-apps.folder",
                                                      "parents": [folder["id"]]}).json()
    team = raw(gspread_client, "POST", DRIVE, json={"name": "Team A", "mimeType": "application/vnd.google-apps.spreadsheet",
                                                     "parents": [inner["id"]]}).json()
    raw(gspread_client, "PATCH", f"{DRIVE}/{folder['id']}", json={"trashed": True})
    listed = raw(gspread_client, "GET", DRIVE, params={"q": f"'{inner['id']}' in parents and trashed = false"}).json()
    assert listed["files"] == []
    got = raw(gspread_client, "GET", f"{DRIVE}/{team['id']}", params={"fields": "trashed,explicitlyTrashed"}).json()
    assert got == {"trashed": True, "explicitlyTrashed": False}


def test_copy_and_delete(gspread_client):
    sh = gspread_client.create("Template")
    sh.sheet1.update([["kept"]], "A1")
    copied = gspread_client.copy(sh.id, title="Team C", copy_comments=False)
    assert copied.sheet1.acell("A1").value == "kept"
    gspread_client.del_spreadsheet(copied.id)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gspread_client.open_by_key(copied.id)
    resp = raw(gspread_client, "DELETE", f"{DRIVE}/{copied.id}")
    assert resp.status_code == 404
    assert resp.json()["error"]["errors"][0]["reason"] == "notFound"


def test_developer_metadata_charts_merges_and_dimensions(gspread_client):
    sh = gspread_client.create("Extras")
    ws = sh.sheet1
    ws.update([["a", "b"], ["c", "d"]], "A1")
    reply = sh.batch_update({"requests": [
        {"createDeveloperMetadata": {"developerMetadata": {"metadataKey": "okr.team", "metadataValue": "ops",
                                                           "location": {"spreadsheet": True}, "visibility": "DOCUMENT"}}},
        {"addChart": {"chart": {"spec": {"title": "Scores", "basicChart": {"chartType": "BAR"}},
                                "position": {"overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": 3, "columnIndex": 1}}}}}},
        {"mergeCells": {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2}, "mergeType": "MERGE_ALL"}},
        {"updateDimensionProperties": {"range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2},
                                       "properties": {"pixelSize": 250}, "fields": "pixelSize"}},
        {"updateSheetProperties": {"properties": {"sheetId": 0, "hidden": False, "gridProperties": {"frozenRowCount": 1, "rowCount": 50, "columnCount": 5}},
                                   "fields": "gridProperties(frozenRowCount,rowCount,columnCount)"}},
    ]})
    meta = reply["replies"][0]["createDeveloperMetadata"]["developerMetadata"]
    assert meta["location"] == {"locationType": "SPREADSHEET", "spreadsheet": True}
    chart = reply["replies"][1]["addChart"]["chart"]
    assert chart["position"]["overlayPosition"]["anchorCell"] == {"rowIndex": 3, "columnIndex": 1}
    found = raw(gspread_client, "POST", f"{SHEETS}/{sh.id}/developerMetadata:search",
                json={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "okr.team"}}]}).json()
    assert found["matchedDeveloperMetadata"][0]["developerMetadata"] == meta
    assert raw(gspread_client, "POST", f"{SHEETS}/{sh.id}/developerMetadata:search",
               json={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "other"}}]}).json() == {}
    assert ws.get_all_values() == [["a"]], "merging keeps only the top-left value"
    sheet = sh.fetch_sheet_metadata()["sheets"][0]
    assert sheet["merges"] == [{"startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2}]
    assert sheet["properties"]["gridProperties"] == {"rowCount": 50, "columnCount": 5, "frozenRowCount": 1}
    cols = sh.fetch_sheet_metadata({"fields": "sheets.data.columnMetadata"})["sheets"][0]["data"][0]["columnMetadata"]
    assert [c["pixelSize"] for c in cols] == [100, 250, 100, 100, 100]


def test_sheets_api_create_and_field_masks(gspread_client):
    resp = raw(gspread_client, "POST", SHEETS, json={"properties": {"title": "Direct"}, "sheets": [
        {"properties": {"title": "Summary", "gridProperties": {"rowCount": 5, "columnCount": 3}}},
        {"properties": {"title": "Team A"}}]})
    assert resp.status_code == 200, resp.text
    created = resp.json()
    assert [s["properties"]["title"] for s in created["sheets"]] == ["Summary", "Team A"]
    sid = created["spreadsheetId"]
    masked = raw(gspread_client, "GET", f"{SHEETS}/{sid}", params={"fields": "properties.title,sheets(properties(title,index))"}).json()
    assert masked == {"properties": {"title": "Direct"}, "sheets": [
        {"properties": {"title": "Summary", "index": 0}}, {"properties": {"title": "Team A", "index": 1}}]}
    bad = raw(gspread_client, "GET", f"{SHEETS}/{sid}", params={"fields": "sheets.nope"})
    assert bad.status_code == 400
    grid = raw(gspread_client, "GET", f"{SHEETS}/{sid}", params={"ranges": "Summary!A1:B2", "includeGridData": "true"}).json()
    assert len(grid["sheets"]) == 1 and grid["sheets"][0]["data"][0]["rowMetadata"] == [{"pixelSize": 21}, {"pixelSize": 21}]
    assert [s["name"] for s in gspread_client.list_spreadsheet_files(title="Direct")] == ["Direct"]


def test_values_batch_endpoints_and_append(gspread_client):
    sh = gspread_client.create("Batch")
    ws = sh.sheet1
    result = sh.values_batch_update({"valueInputOption": "USER_ENTERED", "data": [
        {"range": "A1:B1", "values": [["Objective", "Score"]]},
        {"range": "A2", "values": [["Grow"], ["Hire"]]},
    ]})
    assert (result["totalUpdatedRows"], result["totalUpdatedColumns"], result["totalUpdatedCells"]) == (3, 2, 4)
    appended = ws.append_row(["Retain", "0.4"], value_input_option=ValueInputOption.user_entered)
    assert appended["tableRange"] == "Sheet1!A1:B3"
    assert appended["updates"]["updatedRange"] == "Sheet1!A4:B4"
    got = sh.values_batch_get(["A1:B1", "A4:B4"], params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert [vr["values"] for vr in got["valueRanges"]] == [[["Objective", "Score"]], [["Retain", 0.4]]]
    cleared = sh.values_batch_clear(body={"ranges": ["A2:B2", "Sheet1!A4"]})
    assert cleared["clearedRanges"] == ["Sheet1!A2:B2", "Sheet1!A4"]
    assert ws.get_all_values() == [["Objective", "Score"], ["", ""], ["Hire", ""], ["", "0.4"]]
    assert sh.values_clear("Sheet1") == {"spreadsheetId": sh.id, "clearedRange": "Sheet1!A1:Z1000"}
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.values_update("Sheet1!A1:B1", params={"valueInputOption": "RAW"}, body={"values": [[1, 2, 3]]})
    assert err.value.args[0]["message"] == "Requested writing within range ['Sheet1'!A1:B1], but tried writing to column [C]"


def test_request_log_tells_reads_from_writes(google_fake, gspread_client):
    ws = gspread_client.create("Counted").sheet1
    google_fake.clear_log()
    ws.update([["x"]], "A1")
    ws.get_all_values()
    ws.get_all_values()
    log = google_fake.request_log
    assert [(e.method, e.kind, e.endpoint) for e in log] == [
        ("PUT", "write", "sheets.spreadsheets.values.update"),
        ("GET", "read", "sheets.spreadsheets.values.get"),
        ("GET", "read", "sheets.spreadsheets.values.get"),
    ]
    assert google_fake.count(kind="read") == 2 and google_fake.count(kind="write") == 1
    assert all(e.path.startswith(f"/v4/spreadsheets/{ws.spreadsheet_id}") and e.status == 200 for e in log)


def test_other_accounts_need_a_share(google_fake, gspread_client, tmp_path):
    sh = gspread_client.create("Private")
    other_key = google_fake.make_service_account_key(tmp_path / "other.json", email="reader@okrsheets-fake.iam.gserviceaccount.com")
    other = google_fake.gspread_client(other_key)
    with pytest.raises(PermissionError):
        other.open_by_key(sh.id)
    denied = raw(other, "GET", f"{SHEETS}/{sh.id}")
    assert denied.json() == {"error": {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}}
    sh.share("reader@okrsheets-fake.iam.gserviceaccount.com", perm_type="user", role="reader", notify=False)
    ws = other.open_by_key(sh.id).sheet1
    assert ws.get_all_values() == [[]]
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["no"]], "A1")
    assert err.value.response.status_code == 403
