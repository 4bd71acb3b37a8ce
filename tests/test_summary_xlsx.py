"""The company summary as a file: what Excel and LibreOffice find in its XML, and how it fails.

test_summary_excel.py checks the content through openpyxl; these tests look
below it, at the parts a reader could get wrong: charts and their ranges,
text that must never turn into a formula, history kept across versions, and
errors while reading or saving.
"""

from __future__ import annotations

import errno
import re
import warnings
import zipfile
from datetime import date, timedelta
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter

from okrsheets.errors import WorkbookError
from okrsheets.backends.excel_summary import read_history, write_summary

from .conftest import soffice_convert
from .helpers.summary import AS_OF, HOSTILE, SETTINGS, department, engineering, hr, kr, rollup, sales, write

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def chart_refs(archive: zipfile.ZipFile, name: str) -> list[str]:
    xml = archive.read(name).decode("utf-8")
    return [ref.replace("&apos;", "'") for ref in re.findall(r"<c:f>([^<]*)</c:f>", xml)]


def many_departments(count: int):
    return [department(f"d{i:03d}", f"Phòng {i}", 0.5, "yellow", "at_risk", [kr(f"d{i:03d}", "O1.KR1", "at_risk", 0.3)])
            for i in range(count)]


# --- charts ---


def test_the_overview_chart_is_sorted_graded_bars_with_labels_and_the_expected_pace(tmp_path):
    with zipfile.ZipFile(write(tmp_path)) as archive:
        xml = archive.read("xl/charts/chart1.xml").decode("utf-8")
        refs = chart_refs(archive, "xl/charts/chart1.xml")
    assert '<c:barDir val="bar"/>' in xml and "Điểm theo phòng ban" in xml  # horizontal bars
    # the overview table is sorted best first (Kỹ thuật 75%, Kinh doanh 42%, Nhân sự 20%); the chart plots it
    assert refs == ["'Tổng quan'!$A$11:$A$13", "'Tổng quan'!$B$11:$B$13",
                    "'Tổng quan'!$A$11:$A$13", "'Tổng quan'!$L$11:$L$13"]
    scores, pace = xml.split("</c:ser>")[:2]
    points = re.findall(r'<c:dPt><c:idx val="(\d)"/>.*?<a:srgbClr val="([0-9A-F]{6})"/>', scores)
    assert points == [("0", "6AA84F"), ("1", "F1C232"), ("2", "E06666")]  # green, yellow, red
    assert '<c:showVal val="1"/>' in scores and 'formatCode="0%"' in scores  # a value label on each bar
    assert "Tiến độ kỳ vọng 50%" in pace and '<a:prstDash val="dash"/>' in pace and "<a:noFill/>" in pace
    assert '<c:orientation val="maxMin"/>' in xml  # the first (best) department at the top
    assert '<c:min val="0.0"/>' in xml and '<c:max val="1.0"/>' in xml
    assert "(nét đứt: tiến độ kỳ vọng 50%)" in xml and "<c:legend>" not in xml  # the pace explained in the title


def test_the_history_chart_has_a_date_axis_in_days_and_one_line_per_score_column(tmp_path):
    path = write(tmp_path)
    write(tmp_path, rollup(as_of=AS_OF + timedelta(days=1), language="en"))
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/charts/chart2.xml").decode("utf-8")
        refs = chart_refs(archive, "xl/charts/chart2.xml")
    assert "<c:lineChart>" in xml and "<c:dateAx>" in xml and 'formatCode="yyyy-mm-dd"' in xml
    # days as the base unit: without it Excel groups 01/12/2026 into its month and shows "01/01/2026"
    assert '<c:baseTimeUnit val="days"/>' in xml and '<c:majorTimeUnit val="days"/>' in xml
    assert "Score over time" in xml and '<c:smooth val="1"/>' not in xml
    # every line has point markers, so the first night's single point is visible too
    assert xml.count('<c:symbol val="circle"/>') == 4 and '<c:symbol val="none"/>' not in xml
    names = [r for r in refs if r.endswith("$2")]
    assert names == ["History!$B$2", "History!$C$2", "History!$D$2", "History!$E$2"]  # company + 3 departments
    assert set(refs) - set(names) == {"History!$A$3:$A$4", "History!$B$3:$B$4", "History!$C$3:$C$4",
                                      "History!$D$3:$D$4", "History!$E$3:$E$4"}


def test_libreoffice_reads_the_charts_and_keeps_team_text_as_text(tmp_path):
    path = write(tmp_path)
    [saved] = soffice_convert([path], "xlsx", tmp_path / "out", tmp_path)
    with zipfile.ZipFile(saved) as archive:
        assert "'Tổng quan'!$B$11:$B$13" in chart_refs(archive, "xl/charts/chart1.xml")
        line = archive.read("xl/charts/chart2.xml").decode("utf-8")
        assert "'Lịch sử'!$E$3" in chart_refs(archive, "xl/charts/chart2.xml")
    assert "<c:dateAx>" in line and '<c:smooth val="1"/>' not in line  # LibreOffice's reading, written back
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl cannot parse every chart LibreOffice writes
        sheet = openpyxl.load_workbook(saved)["Kết quả then chốt"]
    comments = {c.value: c.data_type for c in sheet["N"][1:] if c.value is not None}
    assert set(HOSTILE[:5]) <= set(comments) and set(comments.values()) == {"s"}


# --- text in the XML ---


def test_team_text_is_a_shared_string_with_a_quote_prefix_in_the_xml(tmp_path):
    with zipfile.ZipFile(write(tmp_path)) as archive:
        strings = [si.findtext(f"{MAIN}t") for si in
                   ElementTree.fromstring(archive.read("xl/sharedStrings.xml")).iter(f"{MAIN}si")]
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        xfs = list(styles.find(f"{MAIN}cellXfs"))
        sheets = {name: ElementTree.fromstring(archive.read(name)) for name in archive.namelist()
                  if name.startswith("xl/worksheets/sheet")}
    found = {}
    for name, root in sheets.items():
        assert root.find(f".//{MAIN}f") is None, f"{name} holds a formula"
        for cell in root.iter(f"{MAIN}c"):
            if cell.get("t") == "s":
                text = strings[int(cell.findtext(f"{MAIN}v"))]
                found[text] = xfs[int(cell.get("s", "0"))].get("quotePrefix") == "1"
    for text in HOSTILE[:6]:
        assert found.get(text) is True, text
    assert found["#N/A"] is False  # text, but not a formula prefix
    assert found["Kinh doanh"] is False


def test_formats_are_shared_not_made_per_cell(tmp_path):
    path = write(tmp_path, rollup(many_departments(300), issues=()))
    with zipfile.ZipFile(path) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    assert int(styles.find(f"{MAIN}cellXfs").get("count")) < 20
    assert int(styles.find(f"{MAIN}dxfs").get("count")) == 3  # red, yellow, green


def test_a_large_history_keeps_one_chart_excel_can_open(tmp_path):
    path = tmp_path / "company-summary.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # XlsxWriter warns when it drops chart series
        write_summary(rollup(many_departments(300), issues=()), path, SETTINGS)
    with zipfile.ZipFile(path) as archive:
        line = archive.read("xl/charts/chart2.xml").decode("utf-8")
    assert line.count("<c:ser>") == 255  # Excel's limit: the company and the first 254 departments
    history = openpyxl.load_workbook(path)["Lịch sử"]
    assert [str(cf.sqref) for cf in history.conditional_formatting] == ["B3:KP3"]  # one block, 301 columns
    assert len(read_history(path)[0]["departments"]) == 300


# --- history across versions ---


def test_history_written_by_the_openpyxl_version_is_carried_over(tmp_path):
    """A summary from before XlsxWriter: dates as numbers with a date format, blanks as empty cells."""
    path = tmp_path / "company-summary.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Tổng quan"
    sheet = workbook.create_sheet("Lịch sử")
    sheet.append(["#date", "#score", "sales", "eng", "old"])
    sheet.append(["Ngày", "Điểm công ty", "Kinh doanh", "Kỹ thuật", "Phòng cũ"])
    sheet.append([date(2025, 5, 1), 0.3, 0.2, None, 0.9])
    sheet.append([date(2025, 5, 8), None, 0.35, 0.5, None])
    for row in (3, 4):
        sheet.cell(row, 1).number_format = "dd/mm/yyyy"
    sheet.row_dimensions[1].hidden = True
    workbook.save(path)
    assert read_history(path) == [
        {"date": date(2025, 5, 1), "score": 0.3, "departments": {"sales": 0.2, "old": 0.9}},
        {"date": date(2025, 5, 8), "score": None, "departments": {"sales": 0.35, "eng": 0.5}},
    ]
    write_summary(rollup(), path, SETTINGS)
    assert [h["date"] for h in read_history(path)] == [date(2025, 5, 1), date(2025, 5, 8), AS_OF]
    headers = [c.value for c in openpyxl.load_workbook(path)["Lịch sử"][2]]
    assert headers == ["Ngày", "Điểm công ty", "Kinh doanh", "Kỹ thuật", "Phòng cũ", "Nhân sự"]


def test_a_renamed_history_sheet_is_found_by_its_key_row(tmp_path):
    path = write(tmp_path)
    workbook = openpyxl.load_workbook(path)
    workbook["Lịch sử"].title = "Lịch sử Q2"
    workbook.save(path)
    write(tmp_path, rollup(as_of=AS_OF + timedelta(days=1)))
    assert [h["date"] for h in read_history(path)] == [AS_OF, AS_OF + timedelta(days=1)]


def test_a_summary_without_a_history_sheet_is_kept_aside(tmp_path):
    path = tmp_path / "company-summary.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(WorkbookError, match="no history sheet"):
        read_history(path)
    write_summary(rollup(), path, SETTINGS)
    assert len(list(tmp_path.glob("company-summary.corrupt-*.xlsx"))) == 1
    assert [h["date"] for h in read_history(path)] == [AS_OF]


# --- errors while reading or saving ---


def test_a_summary_that_cannot_be_opened_is_an_os_error_not_damage(tmp_path):
    path = tmp_path / "company-summary.xlsx"
    path.mkdir()  # like a permission error: the file system refuses, the file is not proven damaged
    with pytest.raises(OSError):
        read_history(path)
    with pytest.raises(OSError):
        write_summary(rollup(), path, SETTINGS)
    assert list(tmp_path.glob("*.corrupt-*")) == []


def test_a_failed_save_raises_the_os_error_and_keeps_the_old_file(tmp_path, monkeypatch):
    path = write(tmp_path)
    before = path.read_bytes()

    def disk_full(self):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "_store_workbook", disk_full)
    with pytest.raises(OSError) as raised:
        write_summary(rollup(as_of=AS_OF + timedelta(days=1)), path, SETTINGS)
    assert raised.value.errno == errno.ENOSPC  # the caller's "cannot write the summary" message needs it
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]



def test_the_parts_written_while_saving_leave_no_file_behind_even_when_the_save_fails(tmp_path, monkeypatch):
    """XlsxWriter writes each part to a temporary file before zipping: none is left in the temporary folder."""
    import tempfile
    import zipfile as zipfiles

    import xlsxwriter.workbook

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    path = write(tmp_path)
    assert list(temporary.iterdir()) == []
    before = path.read_bytes()

    class FullDisk(zipfiles.ZipFile):
        def write(self, *args, **kwargs):  # the parts are on disk by now, half of them zipped
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsxwriter.workbook, "ZipFile", FullDisk)
    with pytest.raises(OSError) as raised:
        write_summary(rollup(as_of=AS_OF + timedelta(days=1)), path, SETTINGS)
    assert raised.value.errno == errno.ENOSPC
    assert list(temporary.iterdir()) == [] and path.read_bytes() == before


# --- layout LibreOffice does not compute itself ---


def test_rows_with_wrapped_text_are_tall_enough_to_show_it(tmp_path):
    # LibreOffice keeps a library-written row at one line (Excel grows it), so the height is written.
    long_comment = "Chờ số liệu từ phòng Kinh doanh; " * 6 + "\nDòng thứ hai"
    sales = department("sales", "Kinh doanh", 0.5, "yellow", "at_risk", [
        kr("sales", "O1.KR1", "at_risk", 0.3, comment=long_comment),
        kr("sales", "O1.KR2", "on_track", 0.6, comment="ngắn"),
    ])
    path = write(tmp_path, rollup([sales]))
    sheet = openpyxl.load_workbook(path)["Kết quả then chốt"]
    rows = {sheet.cell(r, 3).value: r for r in range(2, sheet.max_row + 1)}
    tall = sheet.row_dimensions[rows["O1.KR1"]].height
    assert tall is not None and tall >= 15 * 7  # about 210 characters at 40 wide, plus a second paragraph
    assert sheet.row_dimensions[rows["O1.KR2"]].height == 15 * 2  # a 47-character KR takes two lines
    assert sheet.cell(rows["O1.KR1"], 1).alignment.vertical == "top"  # every cell of the row starts at the top
    objectives = openpyxl.load_workbook(path)["Mục tiêu"]
    [one_line] = [r for r in range(2, objectives.max_row + 1) if objectives.cell(r, 3).value == "Giữ chân nhân tài"]
    assert objectives.row_dimensions[one_line].height is None  # one line: left to the default height


def test_formula_like_team_text_is_a_quoted_string_in_every_text_column(tmp_path):
    """Every text that reaches a text, wrapped-text or link column starts like a formula here: each such cell
    must be a shared string with Excel's quote prefix, in every column of every sheet that shows text."""
    from dataclasses import replace

    from okrsheets.core.results import DataIssue, ObjectiveResult
    from okrsheets.sheets.summary import History, build_summary

    def bad(name: str) -> str:  # formula-like, one per field, so a cell says where it came from
        return {"=": f'=HYPERLINK("http://x","{name}")', "+": f"+1 {name}", "-": f"-{name}", "@": f"@{name}"}[
            "=+-@"[sum(map(ord, name)) % 4]]

    krs = [replace(kr("=d", f"-O1.KR{i}", status, 0.2 * i, kind=bad(f"kind{i}"), unit=bad(f"unit{i}"),
                      comment=bad(f"comment{i}"), confidence=bad(f"confidence{i}"), current=None, raw=bad(f"raw{i}"),
                      last_check_in=None), text=bad(f"kr{i}"))
           for i, status in enumerate(("at_risk", "off_track", "on_track"), 1)]
    team = replace(department("=d", bad("department"), 0.3, "red", "off_track", krs, owners=(bad("owner"),)),
                   objectives=(ObjectiveResult("=d", "-O1", bad("objective"), 1.0, 0.3, "red", "off_track"),))
    issue = DataIssue("=d", bad("file"), bad("sheet"), bad("cell"), bad("found"), bad("problem"), bad("fix"))
    result = replace(rollup([team], issues=(issue,)), company=bad("company"), quarter=bad("quarter"))
    path = tmp_path / "company-summary.xlsx"
    write_summary(result, path, SETTINGS)

    with zipfile.ZipFile(path) as archive:
        strings = [si.findtext(f"{MAIN}t") for si in
                   ElementTree.fromstring(archive.read("xl/sharedStrings.xml")).iter(f"{MAIN}si")]
        xfs = list(ElementTree.fromstring(archive.read("xl/styles.xml")).find(f"{MAIN}cellXfs"))
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        titles = [sheet.get("name") for sheet in workbook.iter(f"{MAIN}sheet")]
        sheets = {title: ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{n}.xml"))
                  for n, title in enumerate(titles, 1)}
    cells: dict[tuple[str, str], str] = {}  # (sheet, A1) -> text of a quoted shared string
    for title, root in sheets.items():
        assert root.find(f".//{MAIN}f") is None, f"{title} holds a formula"
        for cell in root.iter(f"{MAIN}c"):
            value = cell.findtext(f"{MAIN}v")
            text = strings[int(value)] if cell.get("t") == "s" else None
            quoted = xfs[int(cell.get("s", "0"))].get("quotePrefix") == "1"
            if text is not None and text[:1] in "=+-@":
                assert quoted, f"{title}!{cell.get('r')} {text!r} has no quote prefix"
                cells[(title, cell.get("r"))] = text
            assert cell.get("t") in ("s", None), f"{title}!{cell.get('r')} is a {cell.get('t')} cell"
    # every column that shows text carries a formula-like text in some cell, stored as shown above
    summary = build_summary(result, History().merged_with(result), SETTINGS)
    for sheet in summary.sheets:
        table = sheet.table
        for c, column in enumerate(table.columns):
            if column.kind in ("text", "wrap", "link") and any(row[c] is not None for row in table.rows):
                column_cells = {text for (title, ref), text in cells.items()
                                if title == sheet.title and ref.rstrip("0123456789") == xlsxwriter.utility.xl_col_to_name(c)
                                and int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) > table.row + 1}
                assert column_cells, f"{sheet.title}: column {column.header!r} shows no formula-like text"
    shown = set(cells.values())
    for name in ("department", "owner", "objective", "kr1", "kind1", "unit1", "comment1", "confidence1", "raw1",
                 "file", "sheet", "cell", "found", "problem", "fix", "quarter"):
        assert bad(name) in shown, name


def test_parts_left_by_a_killed_write_are_removed_by_the_next_one(tmp_path, monkeypatch):
    """A write killed while zipping leaves its folder of parts; the next write removes it once 10 minutes old."""
    import os
    import tempfile
    import time

    temporary = tmp_path / "tmp"
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    killed, running, other = (temporary / name for name in (
        "okrsheets-summary-abc123", "okrsheets-summary-def456", "okrsheets-summary-notes.txt"))
    for folder in (killed, running):
        folder.mkdir(parents=True)
        (folder / "tmpx1y2z3").write_text("<worksheet/>", encoding="utf-8")
    other.write_text("not ours to judge: a file", encoding="utf-8")
    eleven_minutes_ago = time.time() - 660
    for path in (killed, other):
        os.utime(path, (eleven_minutes_ago, eleven_minutes_ago))
    write(tmp_path)
    assert sorted(p.name for p in temporary.iterdir()) == ["okrsheets-summary-def456", "okrsheets-summary-notes.txt"]


# --- the fast cell writer ---


def _cells_through_xlsxwriter(book, ws, first_row, col, values, kind, grade=None):
    """A column written cell by cell with XlsxWriter's own write_string, write_number and write_datetime."""
    from okrsheets import i18n
    from okrsheets.backends import excel_summary

    styles = {"percent": "percent", "score": "percent", "change": "change", "count": None}
    for row, value in enumerate(values, first_row):
        if value is None:
            continue
        if kind in ("text", "wrap"):
            ws.write_string(row, col, *book.text_cell(str(value), "wrap" if kind == "wrap" else None, grade))
        elif kind in ("status", "grade"):
            labels = (i18n.STATUS if kind == "status" else i18n.GRADE)[book.summary.language]
            ws.write_string(row, col, labels.get(value, value), book.format(None, value if kind == "grade" else grade))
        elif kind == "link":
            excel_summary._write_link(book, ws, row, col, value)
        elif kind == "date" and isinstance(value, date):
            ws.write_datetime(row, col, value, book.format("date", grade))
        elif kind not in ("date",) and type(value) in (int, float):
            style = styles.get(kind, "number")
            if style == "number":
                style = "integer" if float(value).is_integer() else "decimal"
            ws.write_number(row, col, value, book.format(style, grade))
        else:
            book.write_text(ws, row, col, value, None, grade)


def test_the_cell_writer_saves_byte_for_byte_what_xlsxwriter_itself_saves(tmp_path, monkeypatch):
    """Every part of the file (cells, shared strings and their counts, formats, spans, heights) is the same
    as when each cell goes through XlsxWriter's public writers and its own save."""
    from xlsxwriter.worksheet import Worksheet

    from okrsheets.backends import excel_summary

    long_text = "Chờ số liệu " * 1500 + "\r\nhết"  # over 16,383 characters: XlsxWriter's own length check
    emoji = "\U0001F680" * 17000  # 17,000 characters, 34,000 in UTF-16: XlsxWriter cuts it to Excel's 32,767
    odd = department("odd", "Phòng\x07 lạ\r\nhai dòng", 0.5, "yellow", "at_risk", [
        kr("odd", "O1.KR1", "at_risk", 0.3, comment=long_text, confidence=7, current=None, raw="chưa có"),
        kr("odd", "O1.KR2", "on_track", 0.6, current=1234567.891, unit="vnd", comment=HOSTILE[0]),
        kr("odd", "O2.KR1", "no_data", 0.0, current=None, last_update=None, comment=emoji),
    ])
    departments = [*many_departments(40), odd, sales(), engineering(), hr()]
    result = rollup(departments)
    history_night = rollup(departments, as_of=AS_OF - timedelta(days=8), score=0.3)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for folder in (ours, theirs):
        folder.mkdir()
        write_summary(history_night, folder / "company-summary.xlsx", SETTINGS)
    write_summary(result, ours / "company-summary.xlsx", SETTINGS)
    monkeypatch.setattr(excel_summary, "_write_column", _cells_through_xlsxwriter)
    monkeypatch.setattr(excel_summary, "_SummaryWorksheet", Worksheet)
    write_summary(result, theirs / "company-summary.xlsx", SETTINGS)
    with zipfile.ZipFile(ours / "company-summary.xlsx") as a, zipfile.ZipFile(theirs / "company-summary.xlsx") as b:
        assert a.namelist() == b.namelist()
        different = [name for name in a.namelist() if name != "docProps/core.xml" and a.read(name) != b.read(name)]
        sheets = [name for name in a.namelist() if name.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 8 and b'<row r="20" spans=' in a.read(sheets[2])  # the key results, over 16-row blocks
    assert different == []


def test_the_row_at_a_time_save_runs_only_on_the_xlsxwriter_release_it_was_checked_against():
    """A new XlsxWriter release makes this fail in CI (check the byte-for-byte test on it, then add it);
    in a user's install it only means XlsxWriter's own, slower save."""
    import xlsxwriter

    from okrsheets.backends.excel_summary import fast_save_available

    assert fast_save_available(), f"XlsxWriter {xlsxwriter.__version__} is not in FAST_SAVE_VERSIONS"
    assert not fast_save_available("3.4.0") and not fast_save_available("4.0") and fast_save_available("3.3.9")


def test_under_another_xlsxwriter_release_the_summary_is_the_same_file(tmp_path, monkeypatch):
    from okrsheets.backends import excel_summary

    departments = [*many_departments(20), sales(), engineering(), hr()]
    result = rollup(departments)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for folder in (ours, theirs):
        folder.mkdir()
    write_summary(result, ours / "company-summary.xlsx", SETTINGS)
    monkeypatch.setattr(excel_summary.xlsxwriter, "__version__", "9.0.0")

    def not_under_another_release(*args, **kwargs):
        raise AssertionError("the row-at-a-time save ran under an XlsxWriter release it was not checked against")

    monkeypatch.setattr(excel_summary._SummaryWorksheet, "_row_tag", not_under_another_release)
    write_summary(result, theirs / "company-summary.xlsx", SETTINGS)
    with zipfile.ZipFile(ours / "company-summary.xlsx") as a, zipfile.ZipFile(theirs / "company-summary.xlsx") as b:
        different = [name for name in a.namelist() if name != "docProps/core.xml" and a.read(name) != b.read(name)]
    assert different == []


def test_the_summary_is_deflated_at_level_1_and_other_xlsxwriter_files_keep_xlsxwriters_level(tmp_path):
    """Level 1 (0.05 s of CPU for the 15 MB of XML of 1,000 departments, level 6 took 0.21 s): each part
    is the deflate of its XML at that level; a workbook XlsxWriter writes afterwards is deflated as before."""
    import zlib

    import xlsxwriter.workbook

    from okrsheets.backends.excel_summary import ZIP_LEVEL

    assert ZIP_LEVEL == 1
    path = tmp_path / "company-summary.xlsx"
    write_summary(rollup([*many_departments(30), sales(), engineering(), hr()]), path, SETTINGS)
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # swapped for the summary's save only

    def deflated(data: bytes, level: int) -> int:
        packer = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
        return len(packer.compress(data) + packer.flush())

    with zipfile.ZipFile(path) as archive:
        sheets = [info for info in archive.infolist() if info.filename.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 8
        for info in sheets:
            xml = archive.read(info)
            assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size == deflated(xml, 1)
            assert deflated(xml, 1) != deflated(xml, 6)  # (the sizes tell the levels apart)
    other = tmp_path / "other.xlsx"
    workbook = xlsxwriter.Workbook(str(other))
    sheet = workbook.add_worksheet()
    for row in range(300):
        sheet.write_row(row, 0, [f"hàng {row}", row * 1.5, "chữ " * (row % 7)])
    workbook.close()
    with zipfile.ZipFile(other) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        assert info.compress_size == deflated(archive.read(info), zlib.Z_DEFAULT_COMPRESSION)
