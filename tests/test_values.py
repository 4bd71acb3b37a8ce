"""Tests for okrsheets.core.values: reading check-in cells and formatting numbers."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okrsheets.core.values import (
    MILESTONE_DONE_WORDS,
    MILESTONE_NOT_DONE_WORDS,
    CellReading,
    Unit,
    fold_text,
    format_number,
    milestone_choices,
    normalize_locale,
    read_cell_value,
)

LOCALES = ["vi_VN", "en_US"]
NUMERIC_UNITS = ["percent", "count", "vnd", "days", "hours", "minutes", "points", "number"]


def value_of(raw: object, unit: str = "number", locale: str = "vi_VN", **kw: bool) -> float | None:
    """Read a cell and insist it produced a value."""
    reading = read_cell_value(raw, unit, locale, **kw)
    assert reading.issue is None, reading.issue
    assert reading.value is not None
    return reading.value


def issue_of(raw: object, unit: str = "number", locale: str = "vi_VN", **kw: bool) -> str:
    """Read a cell and insist it produced an issue."""
    reading = read_cell_value(raw, unit, locale, **kw)
    assert reading.value is None, reading
    assert reading.issue
    return reading.issue


# ---------------------------------------------------------------- the three examples


def test_example_vnd() -> None:
    assert read_cell_value("1.000.000 ₫", "vnd", "vi_VN").value == 1000000


def test_example_percent() -> None:
    assert read_cell_value("12,5%", "percent", "vi_VN").value == 12.5


def test_example_ref_error_is_explained() -> None:
    issue = issue_of("#REF!", "count", "vi_VN")
    assert '"#REF!"' in issue
    assert "lỗi bảng tính" in issue
    assert "công thức hoặc tham chiếu bị hỏng" in issue
    assert "nhập trực tiếp một số" in issue


def test_example_not_a_number_message() -> None:
    issue = issue_of("N/A", "percent", "vi_VN")
    assert issue.startswith('Giá trị "N/A" không phải là số. Hãy nhập một số, ví dụ 12,5 (đơn vị: %).')
    assert "để trống" in issue  # placeholders are told to leave the cell empty


# ---------------------------------------------------------------- CellReading, locale, unit


def test_cell_reading_is_blank() -> None:
    assert CellReading(None, None).is_blank
    assert not CellReading(0.0, None).is_blank
    assert not CellReading(None, "x").is_blank
    with pytest.raises(ValueError):
        CellReading(1.0, "x")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("vi_VN", "vi"), ("vi", "vi"), ("VI", "vi"), ("vi-VN", "vi"), ("Vi_vn", "vi"),
     ("en_US", "en"), ("en", "en"), ("EN-us", "en")],
)
def test_locale_aliases(locale: str, expected: str) -> None:
    assert normalize_locale(locale) == expected
    read_cell_value("1", "number", locale)


@pytest.mark.parametrize("locale", ["fr_FR", "", "vietnamese", "en_GB"])
def test_unknown_locale_raises(locale: str) -> None:
    with pytest.raises(ValueError, match="locale"):
        read_cell_value("1", "number", locale)


@pytest.mark.parametrize("unit", ["kg", "", "PERCENT", "usd"])
def test_unknown_unit_raises(unit: str) -> None:
    with pytest.raises(ValueError, match="unit"):
        read_cell_value("1", unit, "vi")


def test_unit_enum_is_accepted() -> None:
    assert read_cell_value("5", Unit.COUNT, "vi").value == 5


# ---------------------------------------------------------------- blank


@pytest.mark.parametrize("raw", [None, "", " ", "   ", "\t\n", "\u00a0", "\u202f", "\u200b"])
@pytest.mark.parametrize("unit", [*NUMERIC_UNITS, "done"])
@pytest.mark.parametrize("locale", LOCALES)
def test_blank_is_no_check_in_not_zero(raw: object, unit: str, locale: str) -> None:
    reading = read_cell_value(raw, unit, locale)
    assert reading.is_blank
    assert reading.value is None


# ---------------------------------------------------------------- numbers as numbers


@pytest.mark.parametrize("raw", [45, 45.0, Decimal("45")])
@pytest.mark.parametrize("locale", LOCALES)
def test_numeric_values(raw: object, locale: str) -> None:
    assert value_of(raw, "count", locale) == 45.0


def test_numeric_value_returns_float() -> None:
    assert isinstance(read_cell_value(45, "count", "vi").value, float)


def test_negative_zero_is_zero() -> None:
    value = value_of(-0.0, "count")
    assert value == 0 and math.copysign(1, value) == 1


@pytest.mark.parametrize("raw", [True, False])
@pytest.mark.parametrize("unit", NUMERIC_UNITS)
@pytest.mark.parametrize("locale", LOCALES)
def test_bools_are_not_numbers(raw: bool, unit: str, locale: str) -> None:
    issue = issue_of(raw, unit, locale)
    assert ("TRUE" if raw else "FALSE") in issue


# ---------------------------------------------------------------- Vietnamese text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("45", 45),
        ("12,5", 12.5),
        ("1.000.000", 1_000_000),
        ("1.500", 1500),  # ambiguity: vi reads the dot as thousands
        ("1,5", 1.5),  # ambiguity: vi reads the comma as decimal
        ("-3,5", -3.5),
        ("+7", 7),
        ("\u22123,5", -3.5),  # U+2212 MINUS SIGN
        ("1.234.567,89", 1234567.89),
        ("0,05", 0.05),
        (",5", 0.5),
        ("  42  ", 42),
        ("1 000 000", 1_000_000),  # plain spaces group thousands
        ("1\u00a0000\u00a0000", 1_000_000),  # non-breaking spaces
        ("1\u202f000,5", 1000.5),  # narrow no-break space
        ("\u00a012,5\u00a0", 12.5),
        ("- 4", -4),
        ("007", 7),
    ],
)
def test_vi_text_numbers(raw: str, expected: float) -> None:
    assert value_of(raw, "number", "vi_VN") == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.000.000 ₫", 1_000_000),
        ("1.000.000₫", 1_000_000),
        ("₫ 1.000.000", 1_000_000),
        ("1.000.000đ", 1_000_000),
        ("1.000.000 Đ", 1_000_000),
        ("1.000.000 VNĐ", 1_000_000),
        ("1.000.000 vnđ", 1_000_000),
        ("2.500.000 VND", 2_500_000),
        ("2.500.000 vnd", 2_500_000),
        ("VND 2.500.000", 2_500_000),
        ("1\u00a0000\u00a0000\u00a0₫", 1_000_000),
    ],
)
def test_vi_currency(raw: str, expected: float) -> None:
    assert value_of(raw, "vnd", "vi_VN") == expected


# ---------------------------------------------------------------- English text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("45", 45),
        ("12.5", 12.5),
        ("1,000,000", 1_000_000),
        ("1,500", 1500),  # ambiguity: en reads the comma as thousands
        ("1.5", 1.5),  # ambiguity: en reads the dot as decimal
        ("-3.5", -3.5),
        ("1,234,567.89", 1234567.89),
        (".5", 0.5),
        ("1 000.5", 1000.5),
        ("1\u202f000", 1000),
    ],
)
def test_en_text_numbers(raw: str, expected: float) -> None:
    assert value_of(raw, "number", "en_US") == expected


def test_en_currency() -> None:
    assert value_of("2,500,000 VND", "vnd", "en_US") == 2_500_000
    assert value_of("₫1,000", "vnd", "en_US") == 1000


def test_full_width_characters_are_read() -> None:
    assert value_of("１２，５％", "percent", "vi_VN") == 12.5
    assert value_of("１,２００", "count", "en_US") == 1200


def test_superscripts_are_not_digits() -> None:
    issue_of("12²", "number", "vi_VN")


def test_dollar_sign_is_not_a_currency_we_read() -> None:
    issue_of("$1,000", "vnd", "en_US")
    issue_of("$1,000", "number", "en_US")


# ---------------------------------------------------------------- bad separators


@pytest.mark.parametrize(
    "raw",
    [
        "1,2,3",  # two decimal commas
        "1.2.3,4,5",
        "12,5,0",
        "1.5",  # group of 1 digit
        "12.5",  # en-style decimal in a vi sheet
        "1.00",
        "1.0000",
        "0.500",  # a grouped number never starts with 0
        "1.000 000",  # mixed group separators
        "12,",
        ".",
        "1,000,000",  # en grouping in a vi sheet
    ],
)
def test_vi_bad_grouping_is_an_issue(raw: str) -> None:
    issue_of(raw, "number", "vi_VN")


@pytest.mark.parametrize("raw", ["1.000.000", "1,5", "12,5", "1.2.3", "1,00", "0,500", "1,2.3.4"])
def test_en_bad_grouping_is_an_issue(raw: str) -> None:
    issue_of(raw, "number", "en_US")


def test_vi_grouping_issue_explains_the_locale() -> None:
    issue = issue_of("12.5", "number", "vi_VN")
    assert '"12.5"' in issue and "dấu phẩy là dấu thập phân" in issue


def test_en_grouping_issue_explains_the_locale() -> None:
    issue = issue_of("12,5", "number", "en_US")
    assert '"12,5"' in issue and "dot for decimals" in issue


def test_two_decimal_separators_message() -> None:
    assert "nhiều hơn một dấu thập phân" in issue_of("12,5,0", "number", "vi_VN")
    assert "more than one decimal separator" in issue_of("1.2.3", "number", "en_US")


# ---------------------------------------------------------------- percent


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("raw", ["45%", "45 %", "45\u00a0%", "45"])
def test_percent_text(raw: str, locale: str) -> None:
    assert value_of(raw, "percent", locale) == 45


def test_percent_text_with_decimals() -> None:
    assert value_of("12,5 %", "percent", "vi_VN") == 12.5
    assert value_of("12.5%", "percent", "en_US") == 12.5
    assert value_of("-2,5%", "percent", "vi_VN") == -2.5


@pytest.mark.parametrize(("raw", "expected"), [(45, 45), (0.45, 0.45), (45.0, 45), (120, 120)])
def test_percent_plain_number_taken_as_is(raw: float, expected: float) -> None:
    assert value_of(raw, "percent", "vi_VN") == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0.45, 45), (0.07, 7), (0.125, 12.5), (1, 100), (1.2, 120), (0, 0), (-0.05, -5)],
)
def test_percent_formatted_cell_is_scaled(raw: float, expected: float) -> None:
    assert value_of(raw, "percent", "vi_VN", percent_formatted=True) == expected  # exact, no 45.00000000000001


def test_percent_formatted_does_not_rescale_text() -> None:
    assert value_of("45%", "percent", "vi_VN", percent_formatted=True) == 45
    assert value_of("0,45", "percent", "vi_VN", percent_formatted=True) == 0.45


def test_percent_formatted_is_ignored_for_other_units() -> None:
    assert value_of(0.45, "number", "en_US", percent_formatted=True) == 0.45


@pytest.mark.parametrize("unit", ["count", "vnd", "days", "hours", "minutes", "points", "number"])
@pytest.mark.parametrize("locale", LOCALES)
def test_percent_sign_for_other_units_is_an_issue(unit: str, locale: str) -> None:
    assert "%" in issue_of("45%", unit, locale)


# ---------------------------------------------------------------- currency on other units


@pytest.mark.parametrize("unit", ["percent", "count", "days", "hours", "minutes", "points", "number"])
@pytest.mark.parametrize("raw", ["100 ₫", "100đ", "100 VND", "VNĐ 100"])
def test_currency_for_other_units_is_an_issue(unit: str, raw: str) -> None:
    issue = issue_of(raw, unit, "vi_VN")
    assert "tiền tệ" in issue


def test_currency_for_other_units_english_message() -> None:
    assert "currency" in issue_of("100 VND", "count", "en_US")


# ---------------------------------------------------------------- milestones


DONE_TEXT = ["x", "X", "✓", "✔", "✔️", "✅", "TRUE", "true", "1", "Có", "có", "co", "CÓ", "Xong", "xong",
             "Đã xong", "đã xong", "da xong", "ĐÃ XONG", "Hoàn thành", "hoan thanh", "HOÀN THÀNH",
             "Done", "done", "Yes", "Y", "y", "Rồi", "roi", " Xong ", "Done."]
NOT_DONE_TEXT = ["Không", "khong", "KHÔNG", "Chưa", "chua", "Chưa xong", "chua xong",
                 "Chưa hoàn thành", "chua hoan thanh", "No", "N", "n", "FALSE", "false", "0",
                 "Not done", "not done", "Đang làm", "dang lam"]


@pytest.mark.parametrize("raw", [*DONE_TEXT, True, 1, 1.0])
@pytest.mark.parametrize("locale", LOCALES)
def test_milestone_done(raw: object, locale: str) -> None:
    assert value_of(raw, "done", locale) == 1.0


@pytest.mark.parametrize("raw", [*NOT_DONE_TEXT, False, 0, 0.0])
@pytest.mark.parametrize("locale", LOCALES)
def test_milestone_not_done(raw: object, locale: str) -> None:
    assert value_of(raw, "done", locale) == 0.0


@pytest.mark.parametrize("raw", ["0,7", "0.7", "70%", "70 %", "70,0%", ".7", 0.7, Decimal("0.7")])
@pytest.mark.parametrize("locale", LOCALES)
def test_milestone_grade(raw: object, locale: str) -> None:
    assert value_of(raw, "done", locale) == 0.7


def test_milestone_grade_bounds() -> None:
    assert value_of("100%", "done", "vi") == 1.0
    assert value_of("0%", "done", "vi") == 0.0
    assert value_of("1,0", "done", "vi") == 1.0
    assert value_of(0.7, "done", "vi", percent_formatted=True) == 0.7  # a % cell stores 70% as 0.7


@pytest.mark.parametrize("raw", ["1,5", "1.5", "150%", "70", "-0,5", "-10%", 70, 1.5, -0.1])
@pytest.mark.parametrize("locale", LOCALES)
def test_milestone_grade_out_of_range(raw: object, locale: str) -> None:
    issue = issue_of(raw, "done", locale)
    assert "0–1" in issue


@pytest.mark.parametrize("raw", ["abc", "maybe", "chưa có", "N/A", "-", "?", "TBD", "12/10/2026", "✗"])
def test_milestone_other_text_lists_accepted_words(raw: str) -> None:
    vi = issue_of(raw, "done", "vi_VN")
    assert '"Xong"' in vi and '"Chưa xong"' in vi and "0,7" in vi
    en = issue_of(raw, "done", "en_US")
    assert '"Done"' in en and '"Not done"' in en and "0.7" in en


def test_milestone_rejects_error_values_and_dates() -> None:
    assert "#N/A" in issue_of("#N/A", "done", "vi")
    issue_of(date(2026, 10, 12), "done", "vi")
    issue_of(math.nan, "done", "en")


def test_milestone_word_lists_are_folded() -> None:
    for word in MILESTONE_DONE_WORDS | MILESTONE_NOT_DONE_WORDS:
        assert fold_text(word) == word
    assert not MILESTONE_DONE_WORDS & MILESTONE_NOT_DONE_WORDS


@pytest.mark.parametrize(("text", "folded"), [("Đã xong", "da xong"), ("HOÀN THÀNH", "hoan thanh"),
                                              ("  Chưa   xong ", "chua xong"), ("Rồi!", "roi"), ("...", "...")])
def test_fold_text(text: str, folded: str) -> None:
    assert fold_text(text) == folded


def test_milestone_choices() -> None:
    assert milestone_choices("vi_VN") == ("Xong", "Chưa xong")
    assert milestone_choices("en_US") == ("Done", "Not done")
    for locale in LOCALES:
        done, not_done = milestone_choices(locale)
        assert value_of(done, "done", locale) == 1.0
        assert value_of(not_done, "done", locale) == 0.0


# ---------------------------------------------------------------- rejected values


@pytest.mark.parametrize("raw", ["N/A", "n/a", "—", "-", "?", "chưa có", "TBD", "tbd", "...", "none"])
@pytest.mark.parametrize("unit", NUMERIC_UNITS)
def test_placeholders_are_issues_with_blank_hint(raw: str, unit: str) -> None:
    assert "hãy để trống ô" in issue_of(raw, unit, "vi_VN")
    assert "leave the cell empty" in issue_of(raw, unit, "en_US")


@pytest.mark.parametrize("raw", ["abc", "12 kg", "5 ngày", "x", "1e5", "12/10", "(100)", "12a"])
@pytest.mark.parametrize("locale", LOCALES)
def test_other_text_is_not_a_number(raw: str, locale: str) -> None:
    issue = issue_of(raw, "number", locale)
    assert f'"{raw}"' in issue


ERRORS = ["#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#ERROR!"]


@pytest.mark.parametrize("raw", ERRORS)
@pytest.mark.parametrize("unit", ["count", "percent", "done"])
def test_spreadsheet_errors_as_text(raw: str, unit: str) -> None:
    vi = issue_of(raw, unit, "vi_VN")
    assert f'"{raw}"' in vi and "lỗi bảng tính" in vi and "công thức" in vi
    en = issue_of(raw, unit, "en_US")
    assert f'"{raw}"' in en and "spreadsheet error" in en and "broken formula or reference" in en


def test_spreadsheet_error_lowercase_and_spaces() -> None:
    assert '"#REF!"' in issue_of("  #ref! ", "count", "vi")


class _BackendError:
    """Stand-in for a backend's cell-error object."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __str__(self) -> str:
        return self.code


@pytest.mark.parametrize("raw", ERRORS)
def test_spreadsheet_errors_as_objects(raw: str) -> None:
    issue = issue_of(_BackendError(raw), "count", "vi_VN")
    assert f'"{raw}"' in issue and "lỗi bảng tính" in issue


class _CodedError:
    """An error object that keeps its code in `.code` and a message in str()."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __str__(self) -> str:
        return "Formula parse error."


def test_spreadsheet_error_object_with_code_attribute() -> None:
    assert '"#DIV/0!"' in issue_of(_CodedError("#DIV/0!"), "count", "en_US")


def test_unknown_objects_are_issues() -> None:
    issue_of(object(), "count", "vi")
    issue_of([1, 2], "count", "en")


@pytest.mark.parametrize("raw", [date(2026, 10, 12), datetime(2026, 10, 12), datetime(2026, 10, 12, 8, 30)])
@pytest.mark.parametrize("unit", ["count", "days", "percent"])
def test_date_objects_are_issues(raw: date, unit: str) -> None:
    vi = issue_of(raw, unit, "vi_VN")
    assert "12/10/2026" in vi and "ngày tháng" in vi
    en = issue_of(raw, unit, "en_US")
    assert "2026-10-12" in en and "date" in en


@pytest.mark.parametrize("raw", [time(8, 30), timedelta(hours=2)])
def test_time_objects_are_issues(raw: object) -> None:
    issue_of(raw, "hours", "vi_VN")


@pytest.mark.parametrize("raw", ["12/10/2026", "2026-10-12", "12-10-2026", "12.10.2026", "2026/10/12",
                                 "2026-10-12 08:30", "1/2/26"])
@pytest.mark.parametrize("locale", LOCALES)
def test_date_text_is_an_issue(raw: str, locale: str) -> None:
    issue = issue_of(raw, "days", locale)
    assert "ngày tháng" in issue or "looks like a date" in issue


@pytest.mark.parametrize("raw", [math.nan, math.inf, -math.inf, Decimal("NaN"), "nan", "NaN", "inf", "-inf",
                                 "Infinity", "∞"])
@pytest.mark.parametrize("locale", LOCALES)
def test_nan_and_infinity_are_issues(raw: object, locale: str) -> None:
    issue = issue_of(raw, "number", locale)
    assert "NaN" in issue


@pytest.mark.parametrize("raw", [1e16, -1e16, 10**16, 10**400, "10.000.000.000.000.000", "9" * 400])
def test_absurd_magnitudes_are_issues(raw: object) -> None:
    assert "10^15" in issue_of(raw, "number", "vi_VN")


def test_oversized_decimal_is_an_issue() -> None:
    assert "10^15" in issue_of(Decimal("1e400"), "number", "en_US")
    assert "0–1" in issue_of(Decimal("1e400"), "done", "en_US")


def test_magnitude_limit_is_inclusive() -> None:
    assert value_of(1e15, "number") == 1e15
    assert value_of(-1e15, "number") == -1e15


@pytest.mark.parametrize("unit", ["count", "vnd", "days", "hours", "minutes"])
@pytest.mark.parametrize("raw", [-1, -0.5, "-3", "-1.000"])
def test_negative_values_rejected_for_non_negative_units(unit: str, raw: object) -> None:
    assert "âm" in issue_of(raw, unit, "vi_VN")
    assert "negative" in issue_of(raw, unit, "en_US")


@pytest.mark.parametrize("unit", ["percent", "number", "points"])
@pytest.mark.parametrize("raw", [-1, "-3,5"])
def test_negative_values_allowed_for_signed_units(unit: str, raw: object) -> None:
    assert value_of(raw, unit, "vi_VN") < 0


def test_zero_is_allowed_for_non_negative_units() -> None:
    assert value_of("0", "count") == 0
    assert value_of(0, "minutes") == 0


# ---------------------------------------------------------------- messages


def test_messages_follow_the_locale_language() -> None:
    vi = issue_of("abc", "count", "vi")
    en = issue_of("abc", "count", "en")
    assert "không phải là số" in vi and "ví dụ 12 (đơn vị: số lượng)" in vi
    assert "is not a number" in en and "for example 12 (unit: count)" in en


def test_long_raw_text_is_shortened_in_messages() -> None:
    issue = issue_of("a" * 500, "count", "vi")
    assert len(issue) < 250


# ---------------------------------------------------------------- format_number


@pytest.mark.parametrize(
    ("value", "locale", "decimals", "expected"),
    [
        (1234567.5, "vi_VN", None, "1.234.567,5"),
        (1234567.5, "en_US", None, "1,234,567.5"),
        (1000000, "vi", None, "1.000.000"),
        (1000000.0, "en", None, "1,000,000"),
        (0.5, "vi", 2, "0,50"),
        (2 / 3, "en", 2, "0.67"),
        (-1234.5, "vi", None, "-1.234,5"),
        (-0.0, "vi", None, "0"),
        (-0.001, "en", 1, "0.0"),
        (0.00001, "en", None, "0.00001"),
        (12, "vi", 0, "12"),
        (999.5, "vi", 0, "1.000"),
    ],
)
def test_format_number(value: float, locale: str, decimals: int | None, expected: str) -> None:
    assert format_number(value, locale, decimals) == expected


def test_format_number_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        format_number(math.nan, "vi")
    with pytest.raises(ValueError):
        format_number(1.0, "vi", -1)
    with pytest.raises(ValueError):
        format_number(1.0, "de_DE")


@given(
    x=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    places=st.integers(min_value=0, max_value=6),
    locale=st.sampled_from(LOCALES),
)
def test_format_then_read_round_trips(x: float, places: int, locale: str) -> None:
    x = round(x, places)
    assert read_cell_value(format_number(x, locale), "number", locale).value == x


@given(x=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
       locale=st.sampled_from(LOCALES))
def test_format_then_read_round_trips_any_float(x: float, locale: str) -> None:
    assert read_cell_value(format_number(x, locale), "number", locale).value == x


@given(st.text(max_size=30), st.sampled_from([*NUMERIC_UNITS, "done"]), st.sampled_from(LOCALES))
def test_any_text_gives_a_well_formed_reading(raw: str, unit: str, locale: str) -> None:
    reading = read_cell_value(raw, unit, locale)
    assert reading.value is None or reading.issue is None
    if reading.value is not None:
        assert math.isfinite(reading.value) and abs(reading.value) <= 1e15
