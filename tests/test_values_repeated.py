"""The same cell read again, in another language, unit, format or night, reads as it does the first time.

The readers remember the readings of the usual cells (the same values fill many KR rows of every
workbook): a reading remembered must never answer a question that differs in anything it depends on.
"""

from __future__ import annotations

from datetime import date

from okrsheets.core.values import read_cell_value, read_confidence, read_update_date


def test_a_value_read_again_in_each_language_unit_and_format():
    for _ in range(2):  # (the second round is answered from what the first remembered)
        assert read_cell_value("abc", "count", "vi_VN").issue == (
            'Giá trị "abc" không phải là số. Hãy nhập một số, ví dụ 12 (đơn vị: số lượng).')
        assert read_cell_value("abc", "count", "en_US").issue == (
            'The value "abc" is not a number. Please enter a number, for example 12 (unit: count).')
        # 45% stored as 0.45 in a percent-formatted cell is 45; the same number unformatted, or a count, is 0.45
        assert read_cell_value(0.45, "percent", "vi_VN", percent_formatted=True).value == 45.0
        assert read_cell_value(0.45, "percent", "vi_VN").value == 0.45
        assert read_cell_value(0.45, "count", "vi_VN", percent_formatted=True).value == 0.45
        # a count cannot be negative, a plain number can
        assert read_cell_value(-3.0, "count", "en_US").issue == (
            'The value "-3" is negative, but a count cannot be negative. Please enter a number of 0 or more.')
        assert read_cell_value(-3.0, "number", "en_US").value == -3.0
        assert read_cell_value("45,5%", "percent", "vi_VN").value == 45.5
        assert read_cell_value(-0.0, "count", "en_US").value == 0.0 and read_cell_value(0.0, "count", "en_US").value == 0.0


def test_a_confidence_read_again_in_each_language():
    for _ in range(2):
        assert read_confidence(7.0, "vi").value == 7.0 and read_confidence("7", "en").value == 7.0
        assert read_confidence(11.0, "vi").issue == (
            'Độ tự tin "11" không hợp lệ. Hãy nhập một số nguyên từ 1 (thấp) đến 10 (cao), ví dụ 7.')
        assert read_confidence(11.0, "en").issue == (
            'The confidence "11" is not valid. Please enter a whole number from 1 (low) to 10 (high), e.g. 7.')
        assert read_confidence(" ", "en").value is None and read_confidence(" ", "en").issue is None


def test_an_update_date_read_again_on_another_night_or_quarter():
    for _ in range(2):
        # a day without its year is in as_of's year, or the year before when it would be after tomorrow
        assert read_update_date("24 tháng 11", "vi", date(2026, 11, 30), date(2026, 10, 1)).value == date(2026, 11, 24)
        assert read_update_date("24 tháng 11", "vi", date(2026, 11, 10), date(2026, 10, 1)).value == date(2025, 11, 24)
        # a bare serial is a day (with a note) only on or after the quarter's earliest day
        assert read_update_date(46350.0, "vi", date(2026, 11, 30), date(2026, 10, 1)).value == date(2026, 11, 24)
        assert read_update_date(46350.0, "vi", date(2026, 11, 30), date(2026, 12, 1)).value is None
        assert read_update_date(date(2026, 11, 24), "en", date(2026, 11, 30), date(2026, 10, 1)).value == date(2026, 11, 24)
        assert read_update_date(date(2026, 11, 24), "en", date(2026, 11, 20), date(2026, 10, 1)).issue is not None  # the future
