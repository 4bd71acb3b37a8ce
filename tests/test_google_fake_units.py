"""Pure pieces of the Google fake: A1 notation, value parsing and formatting, field masks, formulas."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests

from okrsheets.testing import a1, cellvalues, fieldmask, formulas


@pytest.mark.parametrize(
    "text, sheet, box",
    [
        ("A1", None, (0, 1, 0, 1)),
        ("Sheet1!B2:C3", "Sheet1", (1, 3, 1, 3)),
        ("'My sheet'!C3:A1", "My sheet", (0, 3, 0, 3)),
        ("'It''s 🚀'!A:A", "It's 🚀", (None, None, 0, 1)),
        ("Data!1:3", "Data", (0, 3, None, None)),
        ("Data!A2:C", "Data", (1, None, 0, 3)),
        ("Data!A2:2", "Data", (1, 2, 0, None)),
        ("🌵 test 1!$A$1", "🌵 test 1", (0, 1, 0, 1)),
    ],
)
def test_a1_parsing(text, sheet, box):
    parsed = a1.parse(text)
    assert parsed.sheet == sheet
    assert (parsed.box.start_row, parsed.box.end_row, parsed.box.start_col, parsed.box.end_col) == box


def test_a1_bare_names_and_errors():
    assert a1.parse("'Team A'").box is None and a1.parse("'Team A'").sheet == "Team A"
    assert a1.parse("Summary").name == "Summary"
    assert a1.parse("'Sheet1'!NamedRange").name == "NamedRange"
    with pytest.raises(a1.A1Error):
        a1.parse("'unterminated!A1")


def test_a1_printing_quotes_like_google():
    assert a1.format_range("Sheet1", 0, 4, 0, 4) == "Sheet1!A1:D4"
    assert a1.format_range("D3", 0, 1, 0, 4) == "'D3'!A1:D1"
    assert a1.format_range("🌵 test", 0, 10, 0, 10) == "'🌵 test'!A1:J10"
    assert a1.format_range("It's", 2, 3, 27, 28) == "'It''s'!AB3"
    assert [a1.column_letters(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert a1.column_index("AAA") == 702


@pytest.mark.parametrize(
    "typed, value, fmt",
    [
        ("0042", {"numberValue": 42.0}, None),
        ("2,000,000.01", {"numberValue": 2000000.01}, {"type": "NUMBER", "pattern": "#,##0.00"}),
        ("2020-01-01", {"numberValue": 43831.0}, {"type": "DATE", "pattern": "yyyy-mm-dd"}),
        ("12.5%", {"numberValue": 0.125}, {"type": "PERCENT", "pattern": "0.0%"}),
        ("$1,200", {"numberValue": 1200.0}, {"type": "CURRENCY", "pattern": '"$"#,##0'}),
        ("true", {"boolValue": True}, None),
        ("=A1*2", {"formulaValue": "=A1*2"}, None),
        ("'0042", {"stringValue": "0042"}, None),
        ("Grow revenue", {"stringValue": "Grow revenue"}, None),
        ("", None, None),
    ],
)
def test_user_entered_parsing(typed, value, fmt):
    assert cellvalues.parse_user_entered(typed) == (value, fmt)


def test_number_formatting():
    assert cellvalues.general_number(1 / 1024) == "0.0009765625"
    assert cellvalues.general_number(1 / 3) == "0.3333333333"
    assert cellvalues.general_number(1e20) == "1E+20"
    assert cellvalues.format_number(1234.5, "#,##0.00") == "1,234.50"
    assert cellvalues.format_number(-0.256, "0.0%") == "-25.6%"
    assert cellvalues.format_number(1234.5, "#,##0.00", "de_DE") == "1.234,50"
    assert cellvalues.format_value(43831.5, {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}) == "2020-01-01 12:00"
    assert cellvalues.norm_color({"red": 1, "green": 0, "blue": 0.5}) == {"red": 1, "blue": 0.49803922}


def test_field_masks():
    tree = fieldmask.parse("sheets(properties(title,sheetId),data.rowData),namedRanges")
    doc = {"spreadsheetId": "x", "sheets": [{"properties": {"title": "A", "sheetId": 0, "index": 0}, "merges": []}]}
    assert fieldmask.apply(doc, tree) == {"sheets": [{"properties": {"title": "A", "sheetId": 0}}]}
    assert fieldmask.apply(doc, fieldmask.parse("sheets/properties/title")) == {"sheets": [{"properties": {"title": "A"}}]}
    assert fieldmask.selects(tree, "sheets", "data")
    assert not fieldmask.selects(fieldmask.parse("namedRanges"), "sheets", "data")


def test_formulas():
    grid = {(0, 0): 2.0, (0, 1): 3.0, (1, 0): "x"}

    def resolve(title, r0, r1, c0, c1):
        return [[grid.get((r, c)) for c in range(c0, c1)] for r in range(r0, r1)]

    assert formulas.evaluate("=4/2", resolve) == 2
    assert formulas.evaluate("= 1 / 1024", resolve) == 1 / 1024
    assert formulas.evaluate("=SUM(A1:B1)*2+1", resolve) == 11
    assert formulas.evaluate('=IF(A1>1,"big","small")&"!"', resolve) == "big!"
    assert formulas.evaluate("=A1/0", resolve) == formulas.FormulaError("#DIV/0!")
    with pytest.raises(formulas.Unsupported):
        formulas.evaluate("=VLOOKUP(1,A1:B2,2,FALSE)", resolve)


def test_runs_on_its_own_from_the_command_line(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    key = tmp_path / "key.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "okrsheets.testing.google_fake", "--port", str(port), "--key-out", str(key)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        line = ""
        while "listening" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line
        assert key.exists()
        resp = requests.get(f"http://127.0.0.1:{port}/drive/v3/files", timeout=5)
        assert resp.status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
