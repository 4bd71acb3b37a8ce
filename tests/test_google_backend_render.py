"""The Excel-shaped parts of a WorkbookSpec, converted for the Sheets API (render.py)."""

from __future__ import annotations

import pytest

from okrsheets.backends.google.render import colour, column_pixels, delocalize, localize, number_format, row_pixels


def test_argb_colours_become_rgb_fractions():
    assert colour("FF1F4E79") == {"red": 31 / 255, "green": 78 / 255, "blue": 121 / 255}
    assert colour("FFFFFFFF") == {"red": 1.0, "green": 1.0, "blue": 1.0}


def test_widths_in_characters_and_heights_in_points_become_pixels():
    assert column_pixels(10) == 75  # 10 characters of 7 pixels, and 5 of padding: Excel's 75-pixel column
    assert column_pixels(60) == 425
    assert row_pixels(15) == 20  # Excel's default 15-point row is 20 pixels


@pytest.mark.parametrize("code, expected", [
    ("0.0#%", {"type": "PERCENT", "pattern": "0.0#%"}),
    ('#,##0 "₫"', {"type": "NUMBER", "pattern": '#,##0 "₫"'}),
    ("yyyy-mm-dd", {"type": "DATE", "pattern": "yyyy-mm-dd"}),
    ("yyyy-mm-dd hh:mm", {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}),
    ("hh:mm", {"type": "TIME", "pattern": "hh:mm"}),
    ("0%", {"type": "PERCENT", "pattern": "0%"}),
])
def test_excel_number_formats_get_googles_type(code, expected):
    assert number_format(code) == expected


@pytest.mark.parametrize("formula, vietnamese", [
    ("=IF(A1>0.5,1,0)", "=IF(A1>0,5;1;0)"),
    ('=OR(A1={"a","b"})', '=OR(A1={"a"\\"b"})'),
    ('="x, y; 1.5"&\'Sheet, 1\'!A1', '="x, y; 1.5"&\'Sheet, 1\'!A1'),  # text and sheet names untouched
    ("=DATE(2026,10,1)", "=DATE(2026;10;1)"),
    ("=ROUND(E11*100,10)", "=ROUND(E11*100;10)"),
])
def test_formulas_in_a_comma_decimal_locale_and_back(formula, vietnamese):
    assert localize(formula, "vi_VN") == vietnamese
    assert delocalize(vietnamese, "vi_VN") == formula
    assert localize(formula, "en_US") == formula
