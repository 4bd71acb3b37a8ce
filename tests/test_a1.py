"""The one A1 helper of the product (sheets/spec.py): column letters both ways and cell references."""

from __future__ import annotations

from okrsheets.sheets.spec import a1, column_letter, column_number


def test_column_letters_both_ways():
    assert [column_letter(n) for n in (1, 2, 26, 27, 28, 52, 53, 702, 703, 16384)] == \
        ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]
    assert all(column_number(column_letter(n)) == n for n in range(1, 16385))
    assert column_number("ab") == 28  # as a team may type it in the metadata sheet


def test_a1_reference():
    assert a1(12, 7) == "G12"
    assert a1(1, 27) == "AA1"
