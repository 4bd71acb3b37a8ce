"""What a nightly rollup on Google costs, request by request, and what the summary does when a person
changed it since okrsheets last drew it (issue #14: "with 5% changed it sends <= 0.05 x N + 3 requests").

Against the offline fake over real HTTP; counts from ``rollup --json``'s ``api_requests`` and the fake's log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from okrsheets.backends.google.summary_state import STATE_NAME
from okrsheets.jobs.rollup import run_rollup

from .google_setups import SERVICE_ACCOUNT
from .helpers.google_summary import google_sheets
from .helpers.team_backends import ADMIN, AS_OF, CHECK_INS, team_backend

ROOT = Path(__file__).resolve().parents[1]
LIST, GET, BATCH_GET = "drive.files.list", "sheets.spreadsheets.get", "sheets.spreadsheets.values.batchGet"
CREATE, DRAW = "drive.files.create", "sheets.spreadsheets.batchUpdate"


@pytest.fixture
def google(tmp_path):
    with team_backend("google", tmp_path) as team:
        yield team


def rollup_json(google, as_of: date = AS_OF) -> dict:
    run = subprocess.run([sys.executable, "-m", "okrsheets", "rollup", "--config", str(google.config_path), "--json",
                          "--as-of", as_of.isoformat()], capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


def test_each_night_costs_the_listing_the_changed_spreadsheets_and_two_for_the_summary(google):
    first = rollup_json(google)  # every spreadsheet read; the summary made, its one sheet known
    assert first["api_requests"] == {LIST: 1, GET: 2, CREATE: 1, DRAW: 1}
    google.type("kinh-doanh", CHECK_INS)
    second = rollup_json(google, AS_OF + timedelta(days=1))  # only kinh-doanh changed
    assert second["api_requests"] == {LIST: 1, GET: 1, BATCH_GET: 1, DRAW: 1}
    third = rollup_json(google, AS_OF + timedelta(days=2))  # nothing changed: the listing and the summary
    assert third["api_requests"] == {LIST: 1, BATCH_GET: 1, DRAW: 1}
    assert sum(third["api_requests"].values()) == 3  # 0.05 x N + 3 with nothing changed


def night(google, days: int):
    """One rollup in this process, ``days`` after AS_OF; its requests by kind, and the summary's sheets."""
    result = run_rollup(google.plan.config, AS_OF + timedelta(days=days), backend=google.backend())
    spreadsheet_id = result.summary_path.split("/d/")[1].split("/")[0]
    return result.api_requests, spreadsheet_id


def summary_sheets(google, spreadsheet_id: str) -> dict[str, list[list]]:
    return google_sheets(google.team_client(ADMIN), spreadsheet_id)


def history_dates(sheets) -> list[int]:
    return [row[0] for row in sheets["Lịch sử"][2:]]


def serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


NIGHTS = [serial(AS_OF + timedelta(days=n)) for n in range(3)]


def test_a_renamed_history_tab_costs_two_requests_more_and_keeps_the_history(google):
    _, spreadsheet_id = night(google, 0)
    night(google, 1)
    google.team_client(ADMIN).open_by_key(spreadsheet_id).worksheet("Lịch sử").update_title("Lịch sử (cũ)")
    google.fake.clear_log()
    requests, _ = night(google, 2)
    # the history read by its remembered title is refused; the sheets asked for, the history read by its new title
    assert [(e.endpoint, e.status) for e in google.fake.request_log] == [
        (LIST, 200), (BATCH_GET, 400), (GET, 200), (BATCH_GET, 200), (DRAW, 200)]
    assert requests == {LIST: 1, BATCH_GET: 2, GET: 1, DRAW: 1}
    sheets = summary_sheets(google, spreadsheet_id)
    assert history_dates(sheets) == NIGHTS  # the three nights, none lost
    assert "Lịch sử (cũ)" not in sheets  # last night's sheet, renamed or not, replaced


def test_a_deleted_summary_sheet_costs_three_requests_more_and_the_summary_is_whole_again(google):
    _, spreadsheet_id = night(google, 0)
    night(google, 1)
    spreadsheet = google.team_client(ADMIN).open_by_key(spreadsheet_id)
    spreadsheet.del_worksheet(spreadsheet.worksheet("Có rủi ro"))
    before = [ws.title for ws in spreadsheet.worksheets()]
    google.fake.clear_log()
    requests, _ = night(google, 2)
    # the batchUpdate built from what okrsheets remembered names the deleted sheet: refused whole, nothing changed
    assert [(e.endpoint, e.status) for e in google.fake.request_log] == [
        (LIST, 200), (BATCH_GET, 200), (DRAW, 400), (GET, 200), (BATCH_GET, 200), (DRAW, 200)]
    assert requests == {LIST: 1, BATCH_GET: 2, GET: 1, DRAW: 2}
    sheets = summary_sheets(google, spreadsheet_id)
    assert "Có rủi ro" not in before and "Có rủi ro" in sheets
    assert history_dates(sheets) == NIGHTS
    google.fake.clear_log()
    night(google, 3)  # and the night after costs two again
    assert Counter(e.endpoint for e in google.fake.request_log) == {LIST: 1, BATCH_GET: 1, DRAW: 1}


def test_a_sheet_a_person_added_costs_nothing_and_is_kept(google):
    _, spreadsheet_id = night(google, 0)
    google.team_client(ADMIN).open_by_key(spreadsheet_id).add_worksheet("Ghi chú của sếp", 5, 5)
    google.fake.clear_log()
    night(google, 1)
    assert [e.endpoint for e in google.fake.request_log] == [LIST, BATCH_GET, DRAW]
    assert "Ghi chú của sếp" in summary_sheets(google, spreadsheet_id)


def test_a_summary_moved_to_the_trash_is_made_again_and_the_remembered_sheets_are_not_used(google):
    _, old = night(google, 0)
    google.fake.files[old].trashed = True
    google.fake.clear_log()
    _, new = night(google, 1)
    assert new != old
    assert [(e.endpoint, e.status) for e in google.fake.request_log] == [(LIST, 200), (CREATE, 200), (DRAW, 200)]
    assert history_dates(summary_sheets(google, new)) == NIGHTS[1:2]  # a new summary: its history starts tonight


def test_a_damaged_or_missing_record_means_asking_google_for_the_sheets(google):
    night(google, 0)
    state = google.plan.config.quarter_folder / STATE_NAME
    assert json.loads(state.read_text(encoding="utf-8"))["sheets"][0] == {"sheetId": 1000, "title": "Tổng quan"}
    state.write_text("{not json", encoding="utf-8")
    google.fake.clear_log()
    _, spreadsheet_id = night(google, 1)
    assert [e.endpoint for e in google.fake.request_log] == [LIST, GET, BATCH_GET, DRAW]
    assert history_dates(summary_sheets(google, spreadsheet_id)) == NIGHTS[:2]
    assert json.loads(state.read_text(encoding="utf-8"))["sheets"][0] == {"sheetId": 2000, "title": "Tổng quan"}


def test_history_tabs_whose_titles_a_person_swapped_are_found_by_their_ids(google):
    _, spreadsheet_id = night(google, 0)
    night(google, 1)
    spreadsheet = google.team_client(ADMIN).open_by_key(spreadsheet_id)
    history, kr_history = spreadsheet.worksheet("Lịch sử"), spreadsheet.worksheet("Lịch sử KR")
    history.update_title("tạm")
    kr_history.update_title("Lịch sử")
    history.update_title("Lịch sử KR")
    google.fake.clear_log()
    night(google, 2)
    # read by the remembered titles, the key rows are not the history's: the sheets asked for, read by their IDs
    assert [(e.endpoint, e.status) for e in google.fake.request_log] == [
        (LIST, 200), (BATCH_GET, 200), (GET, 200), (BATCH_GET, 200), (DRAW, 200)]
    assert history_dates(summary_sheets(google, spreadsheet_id)) == NIGHTS


def configure_summary(google, spreadsheet_id: str) -> None:
    text = google.config_path.read_text(encoding="utf-8")
    google.config_path.write_text(text.replace("notify_owners = false\n", f'notify_owners = false\nsummary_spreadsheet_id = "{spreadsheet_id}"\n'),
                                  encoding="utf-8")


def test_a_configured_summary_in_the_folder_is_checked_in_the_listing(google):
    _, spreadsheet_id = night(google, 0)
    configure_summary(google, spreadsheet_id)
    google.fake.clear_log()
    night(google, 1)
    assert [e.endpoint for e in google.fake.request_log] == [LIST, BATCH_GET, DRAW]


def test_a_configured_summary_outside_the_folder_costs_a_files_get(google):
    elsewhere = google.fake.seed_spreadsheet("OKR summary", owner=ADMIN)
    google.fake.share(elsewhere, SERVICE_ACCOUNT, "writer")
    configure_summary(google, elsewhere)
    night(google, 0)  # the seeded spreadsheet's sheets are not known yet: asked for
    google.fake.clear_log()
    night(google, 1)
    assert [e.endpoint for e in google.fake.request_log] == [LIST, "drive.files.get", BATCH_GET, DRAW]


def test_a_listing_drive_answers_as_incomplete_is_made_again_in_the_folders_own_drive(google):
    google.fake.state.incomplete_all_drives = True  # Drive did not search every drive: the shared drive's files left out
    google.fake.clear_log()
    outcomes = google.provision()
    assert [o.action for o in outcomes] == ["unchanged", "unchanged"]  # not taken for missing and made again
    assert [e.endpoint for e in google.fake.request_log] == [LIST, "drive.files.get", LIST]
    assert "corpora=drive" in google.fake.request_log[2].query


def test_the_record_of_another_spreadsheet_is_not_used(google):
    night(google, 0)  # the summary made in the folder, its sheets remembered
    elsewhere = google.fake.seed_spreadsheet("OKR summary", owner=ADMIN)
    google.fake.share(elsewhere, SERVICE_ACCOUNT, "writer")
    configure_summary(google, elsewhere)  # the admin points the config at another spreadsheet
    google.fake.clear_log()
    night(google, 1)
    # its sheets asked for (the record names the other one); it has no history yet: nothing to read back
    assert [e.endpoint for e in google.fake.request_log] == [LIST, "drive.files.get", GET, DRAW]
    assert history_dates(summary_sheets(google, elsewhere)) == NIGHTS[1:2]
