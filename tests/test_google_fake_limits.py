"""Limits, quotas, expiring tokens and injected faults of the Google fake.

The recordings hold no 429 answers; the quota bodies follow Google's published
error format (google.rpc.ErrorInfo with reason RATE_LIMIT_EXCEEDED).
"""

from __future__ import annotations

import time

import gspread
import pytest
import requests
from gspread.http_client import BackOffHTTPClient

from okrsheets.testing.limits import project_number
from okrsheets.testing.pytest_plugin import google_fake, google_key, gspread_client  # noqa: F401

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE = "https://www.googleapis.com/drive/v3/files"


def raw(gc: gspread.Client, method: str, url: str, **kwargs):
    return gc.http_client.session.request(method, url, **kwargs)


def error_of(excinfo) -> dict:
    return excinfo.value.response.json()["error"]


# ------------------------------------------------------------------ limits

def test_ten_million_cells_per_spreadsheet(gspread_client):
    sh = gspread_client.create("Big")
    sh.sheet1.resize(rows=100_000, cols=100)  # exactly 10,000,000 cells
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.add_worksheet("One more", rows=1, cols=1)
    assert error_of(err) == {
        "code": 400,
        "message": "Invalid requests[0].addSheet: This action would increase the number of cells in the workbook above the limit of 10000000 cells.",
        "status": "INVALID_ARGUMENT",
    }
    assert [w.title for w in sh.worksheets()] == ["Sheet1"]


def test_fifty_thousand_characters_per_cell(gspread_client):
    ws = gspread_client.create("Long").sheet1
    ws.update([["x" * 50_000]], "A1")
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["ok", "x" * 50_001]], "A2")
    assert error_of(err)["message"] == "Your input contains more than the maximum of 50000 characters in a single cell."
    assert ws.get("A2") == [[]], "nothing of the failed write was applied"


def test_ten_mebibyte_request_body(gspread_client):
    sh = gspread_client.create("Heavy")
    body = {"values": [["y" * 40_000] for _ in range(270)]}  # ~10.8 MB of JSON
    resp = raw(gspread_client, "PUT", f"{SHEETS}/{sh.id}/values/A1", params={"valueInputOption": "RAW"}, json=body)
    assert resp.status_code == 400
    assert resp.json()["error"] == {
        "code": 400, "message": "Request payload size exceeds the limit: 10485760 bytes.", "status": "INVALID_ARGUMENT"}


def test_writes_outside_the_grid(gspread_client):
    sh = gspread_client.create("Small")
    ws = sh.add_worksheet("Tiny", rows=3, cols=2)
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["a", "b", "c"]], "A1")
    assert error_of(err)["message"] == "Range ('Tiny'!A1:C1) exceeds grid limits. Max rows: 3, max columns: 2"
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["late"]], "A4")
    assert error_of(err)["message"] == "Range ('Tiny'!A4) exceeds grid limits. Max rows: 3, max columns: 2"
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.batch_update({"requests": [{"repeatCell": {
            "range": {"sheetId": ws.id, "startRowIndex": 0, "endRowIndex": 5}, "cell": {"note": "x"}, "fields": "note"}}]})
    assert error_of(err)["message"].startswith("Invalid requests[0].repeatCell: Range ('Tiny'!A1:B5) exceeds grid limits")
    ws.append_rows([["r1"], ["r2"], ["r3"], ["r4"]])  # append grows the grid, like Google
    assert ws.get_all_values()[-1] == ["r4", ""] or ws.col_values(1)[-1] == "r4"


# ------------------------------------------------------------------ quotas

def test_the_61st_read_within_a_minute_gets_googles_429(google_fake, gspread_client):
    ws = gspread_client.create("Busy").sheet1
    google_fake.clock.freeze()
    google_fake.set_quota()  # defaults: 60 reads and 60 writes per minute per user
    for _ in range(60):
        ws.get("A1")
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.get("A1")
    number = project_number("okrsheets-fake")
    assert err.value.response.status_code == 429
    assert err.value.response.json() == {"error": {
        "code": 429,
        "message": "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of "
                   f"service 'sheets.googleapis.com' for consumer 'project_number:{number}'.",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com",
             "metadata": {"quota_limit_value": "60", "quota_location": "global", "consumer": f"projects/{number}",
                          "quota_metric": "sheets.googleapis.com/read_requests", "service": "sheets.googleapis.com",
                          "quota_limit": "ReadRequestsPerMinutePerUser"}},
            {"@type": "type.googleapis.com/google.rpc.Help", "links": [
                {"description": "Request a higher quota limit.", "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]},
        ]}}
    ws.update([["writes have their own quota"]], "A1")
    google_fake.clock.advance(61)
    assert ws.get("A1") == [["writes have their own quota"]]


def test_minutes_of_paced_traffic_run_in_a_second(google_fake, gspread_client):
    ws = gspread_client.create("Paced").sheet1
    google_fake.clock.freeze()
    google_fake.set_quota(read_per_user=60)
    started = time.monotonic()
    for _ in range(5 * 60):  # five minutes of one read per second, on the fake's clock
        ws.get("A1")
        google_fake.clock.advance(1.0)
    assert time.monotonic() - started < 10
    assert google_fake.count(kind="read", endpoint="sheets.spreadsheets.values.get") == 300


def test_write_quota_and_project_quota(google_fake, gspread_client, tmp_path):
    ws = gspread_client.create("Writes").sheet1
    ws.spreadsheet.share("second@okrsheets-fake.iam.gserviceaccount.com", perm_type="user", role="writer", notify=False)
    google_fake.clock.freeze()
    google_fake.set_quota(write_per_user=3, write_per_project=5)
    for i in range(3):
        ws.update([[i]], "A1")
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["x"]], "A1")
    assert error_of(err)["details"][0]["metadata"]["quota_limit"] == "WriteRequestsPerMinutePerUser"
    second = google_fake.gspread_client(
        google_fake.make_service_account_key(tmp_path / "second.json", email="second@okrsheets-fake.iam.gserviceaccount.com"))
    other = second.open_by_key(ws.spreadsheet_id).sheet1
    other.update([["a"]], "B1")
    other.update([["b"]], "B1")
    with pytest.raises(gspread.exceptions.APIError) as err:
        other.update([["c"]], "B1")
    assert "'Write requests per minute per project'" in error_of(err)["message"]
    assert error_of(err)["details"][0]["metadata"]["quota_limit"] == "WriteRequestsPerMinutePerProject"


def test_drive_answers_403_user_rate_limit_exceeded(google_fake, gspread_client):
    google_fake.clock.freeze()
    google_fake.set_quota(drive_per_user=2)
    gspread_client.list_spreadsheet_files()
    gspread_client.list_spreadsheet_files()
    with pytest.raises(gspread.exceptions.APIError) as err:
        gspread_client.list_spreadsheet_files()
    body = error_of(err)
    assert err.value.response.status_code == 403
    assert body["errors"][0]["domain"] == "usageLimits"
    assert body["errors"][0]["reason"] == "userRateLimitExceeded"
    assert "status" not in body


# ------------------------------------------------------------------ tokens

def test_unknown_and_missing_tokens_get_googles_401(google_fake):
    resp = requests.get(f"{google_fake.url}/v4/spreadsheets/x", headers={"Authorization": "Bearer made-up"})
    assert resp.status_code == 401
    err = resp.json()["error"]
    assert err["status"] == "UNAUTHENTICATED"
    assert err["message"].startswith("Request had invalid authentication credentials.")
    assert resp.headers["WWW-Authenticate"].startswith("Bearer realm=")
    resp = requests.get(f"{google_fake.url}/drive/v3/files")
    assert resp.status_code == 401
    assert resp.json()["error"]["errors"][0]["reason"] == "required"


def test_tokens_expire_on_the_fake_clock_and_google_auth_refreshes(google_fake, gspread_client):
    ws = gspread_client.create("Long run").sheet1
    google_fake.clock.advance(3601)
    google_fake.clear_log()
    assert ws.get("A1") == [[]]
    statuses = [e.status for e in google_fake.request_log]
    assert statuses == [401, 200], "the expired token was refused, google-auth fetched a new one and retried"


def test_token_endpoint_rejects_a_key_it_did_not_issue(google_fake, tmp_path):
    import json

    from okrsheets.testing import FakeGoogle

    with FakeGoogle() as elsewhere:
        key = elsewhere.make_service_account_key()
    key["token_uri"] = google_fake.token_uri
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(key))
    gc = google_fake.gspread_client(path)
    with pytest.raises(Exception) as err:
        gc.create("never")
    assert "invalid_grant" in str(err.value)


# ------------------------------------------------------------------ faults

def retry(call, attempts: int = 3):
    """What a caller's retry wrapper does: try again after a server-side failure."""
    for attempt in range(attempts):
        try:
            return call()
        except (gspread.exceptions.APIError, requests.ConnectionError, requests.Timeout) as err:
            code = getattr(getattr(err, "response", None), "status_code", None)
            if attempt == attempts - 1 or (code is not None and code not in (429, 500, 503)):
                raise


@pytest.mark.parametrize("kind, status, body_status", [(429, 429, "RESOURCE_EXHAUSTED"), (500, 500, "INTERNAL"), (503, 503, "UNAVAILABLE")])
def test_injected_error_on_the_nth_request_and_recovery(google_fake, gspread_client, kind, status, body_status):
    ws = gspread_client.create("Faulty").sheet1
    google_fake.inject_fault(kind, nth=2)
    ws.get("A1")
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.get("A1")
    assert err.value.response.status_code == status
    assert error_of(err)["status"] == body_status
    assert ws.get("A1") == [[]], "the next request is served normally"
    assert [e.fault for e in google_fake.request_log][-3:] == [None, str(kind), None]


def test_gspread_backoff_client_recovers_from_a_503(google_fake, google_key):
    gc = google_fake.gspread_client(google_key, base=BackOffHTTPClient)
    ws = gc.create("Backoff").sheet1
    google_fake.inject_fault(503, nth=1)
    assert ws.get("A1") == [[]]  # BackOffHTTPClient waited 2 s and retried
    assert [e.status for e in google_fake.request_log][-2:] == [503, 200]


def test_dropped_connection_then_retry(google_fake, gspread_client):
    ws = gspread_client.create("Dropped").sheet1
    google_fake.inject_fault("drop", nth=1)
    with pytest.raises(requests.ConnectionError):
        ws.update([["lost"]], "A1")
    retry(lambda: ws.update([["kept"]], "A1"))
    assert ws.acell("A1").value == "kept"


def test_slow_answer_times_out_then_recovers(google_fake, gspread_client):
    ws = gspread_client.create("Slow").sheet1
    gspread_client.set_timeout(0.3)
    google_fake.inject_fault("slow", nth=1, delay=1.0)
    with pytest.raises(requests.Timeout):
        ws.get("A1")
    assert ws.get("A1") == [[]]


def test_injected_401_is_healed_by_a_token_refresh(google_fake, gspread_client):
    ws = gspread_client.create("Expired").sheet1
    google_fake.inject_fault(401, nth=1)
    google_fake.clear_log()
    assert ws.get("A1") == [[]]
    assert [e.status for e in google_fake.request_log] == [401, 200]


def test_faults_at_a_rate_on_one_path(google_fake, gspread_client):
    ws = gspread_client.create("Flaky").sheet1
    google_fake.inject_fault(500, rate=1.0, times=2, path="/values/")
    for _ in range(2):
        with pytest.raises(gspread.exceptions.APIError):
            ws.get("A1")
    assert retry(lambda: ws.get("A1")) == [[]]
    ws.spreadsheet.fetch_sheet_metadata()  # other paths were never affected
