"""Read what a check-in cell holds into a number, or into an issue a person can fix.

A cell arrives either as a typed value from a spreadsheet backend (int, float,
bool, date/datetime, an error object) or as text a person typed. The rules
(also in docs/scoring.md, "How typed values are read"):

* Blank (None, "", only spaces) means "no check-in": `CellReading(None, None)`.
  It is never read as zero.
* Text is read with the sheet's locale:
  - vi: ``,`` is the decimal separator, ``.`` groups thousands:
    ``1.500`` = 1500, ``1,5`` = 1.5, ``1.000.000,5`` = 1000000.5.
  - en: ``.`` is the decimal separator, ``,`` groups thousands:
    ``1,500`` = 1500, ``1.5`` = 1.5.
  Spaces (also non-breaking and narrow no-break) may group thousands or
  surround a sign, ``%`` or currency. Thousands groups have exactly 3 digits,
  a grouped number does not start with 0, and there is at most one decimal
  separator; anything else is an issue.
* Percent (unit ``percent``): ``45%`` and ``45 %`` read as 45. A plain number
  is taken as is (45 -> 45, 0.45 -> 0.45), except that a *numeric* value from
  a cell with a percent number format (``percent_formatted=True``; Excel and
  Google store 45% as 0.45) is multiplied by 100 (0.45 -> 45). A ``%`` in a
  cell of any other unit (except ``done``) is an issue.
* Currency: ``₫``, ``đ``, ``VND``, ``VNĐ`` (any case) before or after the
  number are allowed for unit ``vnd`` only.
* Milestones (unit ``done``): done words -> 1.0, not-done words -> 0.0, a
  grade 0–1 (``0,7``, ``0.7``, ``70%``, 0.7) -> that grade. Words are matched
  ignoring case and Vietnamese diacritics (see `fold_text`).
* Rejected with an issue: placeholders (``N/A``, ``-``, ``?``, ``TBD``,
  ``chưa có``...), spreadsheet errors (``#REF!``...), dates, TRUE/FALSE in a
  numeric cell, NaN/infinity, magnitudes above 1e15, negative values for
  count/vnd/days/hours/minutes.

This module is pure: no I/O, standard library only.
"""

from __future__ import annotations

import enum
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

__all__ = [
    "MAX_MAGNITUDE",
    "MILESTONE_DONE_WORDS",
    "MILESTONE_NOT_DONE_WORDS",
    "SPREADSHEET_ERRORS",
    "CellReading",
    "DateReading",
    "MAX_COMMENT",
    "cell_date",
    "comment_issue",
    "read_confidence",
    "read_update_date",
    "Unit",
    "fold_text",
    "format_number",
    "milestone_choices",
    "normalize_locale",
    "read_cell_value",
]


class Unit(enum.StrEnum):
    """Unit of a key result's value (`done` is for milestone KRs)."""

    PERCENT = "percent"
    COUNT = "count"
    VND = "vnd"
    DAYS = "days"
    HOURS = "hours"
    MINUTES = "minutes"
    POINTS = "points"
    NUMBER = "number"
    DONE = "done"


_UNITS = {unit.value: unit for unit in Unit}

MAX_MAGNITUDE = 1e15
"""Values with an absolute value above this are rejected as typos."""

_NON_NEGATIVE_UNITS = frozenset({Unit.COUNT, Unit.VND, Unit.DAYS, Unit.HOURS, Unit.MINUTES})

SPREADSHEET_ERRORS = frozenset(
    {
        "#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!",
        "#SPILL!", "#ERROR!", "#CALC!", "#GETTING_DATA", "#FIELD!",
        "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!",
    }
)
"""Error values Excel and Google Sheets show in a cell whose formula failed."""

_ERROR_LIKE = re.compile(r"#[A-Z][A-Z0-9_/]*[!?]")

MILESTONE_DONE_WORDS = frozenset(
    {
        "x", "✓", "✔", "☑", "✅", "true", "1", "co", "xong", "da xong",
        "hoan thanh", "da hoan thanh", "done", "yes", "y", "roi",
    }
)
"""Folded words (see `fold_text`) read as a finished milestone (1.0)."""

MILESTONE_NOT_DONE_WORDS = frozenset(
    {
        "khong", "chua", "chua xong", "chua hoan thanh", "no", "n", "false",
        "0", "not done", "dang lam",
    }
)
"""Folded words (see `fold_text`) read as an unfinished milestone (0.0)."""

# Folded texts meaning "no figure"; they get a hint to leave the cell empty.
_PLACEHOLDERS = frozenset(
    {
        "n/a", "na", "-", "--", "—", "–", "?", "??", "chua co", "tbd", "tba",
        "none", "null", "...", "…", "k/a", "khong co",
    }
)

_NON_FINITE_WORDS = frozenset({"nan", "inf", "infinity", "∞"})

_DATE_TEXT = re.compile(
    r"^(\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2,4}|\d{4}[/\-.]\d{1,2}[/\-.]\d{1,2})"
    r"([ T]\d{1,2}:\d{2}(:\d{2})?)?$"
)
_CURRENCY = r"(?:₫|vnđ|vnd|đ)"
_NUMBER_TEXT = re.compile(
    rf"^(?P<sign>[-+])?\s*(?P<prefix>{_CURRENCY})?\s*(?P<sign2>[-+])?\s*"
    r"(?P<body>[0-9.,][0-9., ]*)"
    rf"\s*(?P<suffix>%|{_CURRENCY})?$",
    re.IGNORECASE,
)
_GRADE_TEXT = re.compile(r"^(?P<sign>[-+])?(?P<num>\d+(?:[.,]\d+)?|[.,]\d+)\s*(?P<pct>%)?$")

_SEPARATORS = {"vi": (",", "."), "en": (".", ",")}  # (decimal, group)


@dataclass(frozen=True)
class CellReading:
    """What a cell was read as: a number, an issue, or blank (no check-in).

    At most one of `value` and `issue` is set. `issue` is a sentence for the
    sheet's user, in the sheet's language.
    """

    value: float | None
    issue: str | None

    def __post_init__(self) -> None:
        if self.value is not None and self.issue is not None:
            raise ValueError("a CellReading has either a value or an issue, not both")

    @property
    def is_blank(self) -> bool:
        """True when the cell holds nothing (no check-in): no value and no issue."""
        return self.value is None and self.issue is None


_BLANK = CellReading(None, None)
_LOCALES = {"vi_VN": "vi", "vi": "vi", "en_US": "en", "en": "en"}  # the usual spellings, without string work


def normalize_locale(locale: str) -> str:
    """Return "vi" or "en" for a locale such as "vi_VN", "vi-VN", "VI", "en_US", "en".

    Any other locale raises ValueError.
    """
    known = _LOCALES.get(locale) if isinstance(locale, str) else None
    if known is not None:
        return known
    key = str(locale).strip().lower().replace("-", "_")
    if key in ("vi", "vi_vn"):
        return "vi"
    if key in ("en", "en_us"):
        return "en"
    raise ValueError(f"unsupported locale {locale!r}; use 'vi_VN' or 'en_US'")


def _as_unit(unit: str) -> Unit:
    """Return `unit` as a `Unit`; raise ValueError for an unknown unit."""
    try:
        return _UNITS[unit]  # a dict lookup: Unit(unit) costs more, once per check-in cell
    except (KeyError, TypeError):
        allowed = ", ".join(u.value for u in Unit)
        raise ValueError(f"unknown unit {unit!r}; expected one of: {allowed}") from None


def milestone_choices(locale: str) -> tuple[str, str]:
    """The (done, not done) words offered in a milestone dropdown: ("Xong", "Chưa xong") or ("Done", "Not done")."""
    return ("Xong", "Chưa xong") if normalize_locale(locale) == "vi" else ("Done", "Not done")


def fold_text(text: str) -> str:
    """Fold text for word matching: NFKC, no diacritics (NFD, combining marks dropped), đ -> d, casefolded,
    whitespace collapsed, trailing "." and "!" removed. "Đã xong" -> "da xong"."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    folded = " ".join(stripped.casefold().replace("đ", "d").split())
    return folded.rstrip(".!").strip() or folded


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------

_UNIT_LABELS: dict[Unit, tuple[str, str]] = {
    Unit.PERCENT: ("%", "%"),
    Unit.COUNT: ("số lượng", "count"),
    Unit.VND: ("VND", "VND"),
    Unit.DAYS: ("ngày", "days"),
    Unit.HOURS: ("giờ", "hours"),
    Unit.MINUTES: ("phút", "minutes"),
    Unit.POINTS: ("điểm", "points"),
    Unit.NUMBER: ("số", "number"),
}

_UNIT_EXAMPLES: dict[Unit, float] = {
    Unit.PERCENT: 12.5,
    Unit.COUNT: 12,
    Unit.VND: 1_500_000,
    Unit.DAYS: 3,
    Unit.HOURS: 2.5,
    Unit.MINUTES: 30,
    Unit.POINTS: 8.5,
    Unit.NUMBER: 12.5,
}

_NON_NEGATIVE_PHRASES: dict[Unit, tuple[str, str]] = {
    Unit.COUNT: ("số lượng", "a count"),
    Unit.VND: ("số tiền (VND)", "an amount in VND"),
    Unit.DAYS: ("số ngày", "a number of days"),
    Unit.HOURS: ("số giờ", "a number of hours"),
    Unit.MINUTES: ("số phút", "a number of minutes"),
}

_SHEET_ERROR_CAUSES: dict[str, tuple[str, str]] = {
    "#REF!": ("công thức trỏ tới ô không còn tồn tại", "the formula refers to a cell that no longer exists"),
    "#DIV/0!": ("công thức chia cho 0", "the formula divides by zero"),
    "#VALUE!": ("công thức dùng giá trị sai kiểu", "the formula uses a value of the wrong type"),
    "#N/A": ("công thức không tìm thấy giá trị cần tra cứu", "the formula cannot find the value it looks up"),
    "#NAME?": ("công thức có tên hàm hoặc tên vùng không đúng", "the formula uses an unknown function or name"),
    "#NUM!": ("công thức cho ra một số không hợp lệ", "the formula produced an invalid number"),
    "#NULL!": ("các vùng trong công thức không giao nhau", "the formula's ranges do not intersect"),
    "#SPILL!": ("kết quả công thức bị các ô khác chặn", "other cells block the formula's result"),
    "#ERROR!": ("công thức không đọc được", "the formula cannot be parsed"),
}

_MESSAGES: dict[str, tuple[str, str]] = {
    "not_number": (
        'Giá trị "{raw}" không phải là số. Hãy nhập {expect}.',
        'The value "{raw}" is not a number. Please enter {expect}.',
    ),
    "leave_blank": (
        " Nếu chưa có số liệu, hãy để trống ô.",
        " If there is no figure yet, leave the cell empty.",
    ),
    "sheet_error": (
        'Ô đang báo lỗi bảng tính "{raw}": công thức hoặc tham chiếu bị hỏng ({cause}). '
        "Thay vì công thức, hãy nhập trực tiếp {expect}.",
        'The cell shows the spreadsheet error "{raw}": a broken formula or reference ({cause}). '
        "Instead of a formula, type {expect}.",
    ),
    "non_finite": (
        'Giá trị "{raw}" không phải là một số hữu hạn (NaN hoặc vô cực). Hãy nhập {expect}.',
        'The value "{raw}" is not a finite number (NaN or infinity). Please enter {expect}.',
    ),
    "too_large": (
        'Giá trị "{raw}" quá lớn (vượt quá 10^15), có lẽ bị nhập nhầm. Hãy kiểm tra và nhập {expect}.',
        'The value "{raw}" is too large (beyond 10^15); it is probably a typo. Please check it and enter {expect}.',
    ),
    "negative": (
        'Giá trị "{raw}" là số âm, nhưng {what} không thể âm. Hãy nhập một số từ 0 trở lên.',
        'The value "{raw}" is negative, but {what} cannot be negative. Please enter a number of 0 or more.',
    ),
    "date_value": (
        "Ô chứa một ngày tháng ({raw}) chứ không phải một số; có thể bảng tính đã tự hiểu số vừa nhập "
        "là ngày. Hãy đổi định dạng ô sang Số và nhập {expect}.",
        "The cell holds a date ({raw}), not a number; the spreadsheet may have turned what was typed "
        "into a date. Change the cell format to Number and enter {expect}.",
    ),
    "time_value": (
        "Ô chứa một giờ hoặc khoảng thời gian ({raw}) chứ không phải một số. "
        "Hãy đổi định dạng ô sang Số và nhập {expect}.",
        "The cell holds a time or duration ({raw}), not a number. "
        "Change the cell format to Number and enter {expect}.",
    ),
    "date_text": (
        'Giá trị "{raw}" trông như một ngày tháng, không phải là số. Hãy nhập {expect}.',
        'The value "{raw}" looks like a date, not a number. Please enter {expect}.',
    ),
    "bool_value": (
        "Ô chứa giá trị đúng/sai ({raw}) chứ không phải một số. Hãy nhập {expect}.",
        "The cell holds a TRUE/FALSE value ({raw}), not a number. Please enter {expect}.",
    ),
    "percent_not_allowed": (
        'Giá trị "{raw}" có dấu %, nhưng kết quả này không đo bằng phần trăm. Hãy bỏ dấu % và nhập {expect}.',
        'The value "{raw}" has a % sign, but this key result is not measured in percent. '
        "Remove the % and enter {expect}.",
    ),
    "currency_not_allowed": (
        'Giá trị "{raw}" có ký hiệu tiền tệ, nhưng kết quả này không đo bằng VND. '
        "Hãy bỏ ký hiệu tiền và nhập {expect}.",
        'The value "{raw}" has a currency sign, but this key result is not measured in VND. '
        "Remove the currency sign and enter {expect}.",
    ),
    "two_decimals": (
        'Giá trị "{raw}" có nhiều hơn một dấu thập phân "{dec}". Hãy nhập {expect}.',
        'The value "{raw}" has more than one decimal separator "{dec}". Please enter {expect}.',
    ),
    "bad_grouping": (
        'Giá trị "{raw}" nhóm chữ số không hợp lệ: dấu "{group}" chỉ ngăn cách hàng nghìn, mỗi nhóm '
        "đúng 3 chữ số (ví dụ 1.234.567). Hãy nhập {expect}.",
        'The value "{raw}" has invalid digit grouping: "{group}" only separates thousands, in groups '
        "of exactly 3 digits (e.g. 1,234,567). Please enter {expect}.",
    ),
    "locale_hint": (
        " Bảng này dùng định dạng số Việt Nam: dấu phẩy là dấu thập phân (12,5), dấu chấm ngăn cách "
        "hàng nghìn (1.000.000).",
        " This sheet uses the English number format: a dot for decimals (12.5) and a comma for "
        "thousands (1,000,000).",
    ),
    "milestone_invalid": (
        'Giá trị "{raw}" không hợp lệ cho kết quả dạng hoàn thành. Hãy nhập {expect}.',
        'The value "{raw}" is not valid for a done/not-done key result. Please enter {expect}.',
    ),
    "milestone_range": (
        'Mức hoàn thành "{raw}" nằm ngoài khoảng 0–1 (0%–100%). Hãy nhập {expect}.',
        'The completion grade "{raw}" is outside 0–1 (0%–100%). Please enter {expect}.',
    ),
    "unreadable": (
        "Ô chứa một giá trị không đọc được ({raw}). Hãy nhập {expect}.",
        "The cell holds a value that cannot be read ({raw}). Please enter {expect}.",
    ),
}


def _msg(key: str, lang: str, **fields: str) -> str:
    """Render message `key` in language `lang` ("vi" or "en")."""
    vi, en = _MESSAGES[key]
    return (vi if lang == "vi" else en).format(**fields)


def _expect(unit: Unit, lang: str) -> str:
    """What the cell should hold, as a phrase that ends a "Please enter ..." sentence."""
    if unit is Unit.DONE:
        if lang == "vi":
            return ('"Xong" hoặc "Chưa xong" (cũng nhận: x, ✓, Có, Rồi, Không, Chưa, 1, 0), '
                    "hoặc một mức từ 0 đến 1 như 0,7 hoặc 70%")
        return ('"Done" or "Not done" (also accepted: x, ✓, Yes, No, TRUE, FALSE, 1, 0), '
                "or a grade from 0 to 1 such as 0.7 or 70%")
    label = _UNIT_LABELS[unit][0 if lang == "vi" else 1]
    example = format_number(_UNIT_EXAMPLES[unit], lang)
    if lang == "vi":
        return f"một số, ví dụ {example} (đơn vị: {label})"
    return f"a number, for example {example} (unit: {label})"


def _show(text: str, limit: int = 40) -> str:
    """Shorten a raw text for quoting in a message."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show_value(raw: object, lang: str) -> str:
    """A raw non-text value as it should be quoted in a message."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, datetime):
        if raw.time() == time(0):
            return _show_value(raw.date(), lang)
        return raw.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")
    if isinstance(raw, date):
        return raw.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")
    if isinstance(raw, float) and math.isfinite(raw) and abs(raw) <= MAX_MAGNITUDE:
        return format_number(raw, lang)
    return _show(str(raw))


def _issue(key: str, lang: str, unit: Unit, raw: str, **fields: str) -> CellReading:
    """A CellReading carrying message `key`."""
    return CellReading(None, _msg(key, lang, raw=raw, expect=_expect(unit, lang), **fields))


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


# read_cell_value's readings of float and str cells by (raw, unit, language, percent-formatted float): each a pure
# function of those (CellReading is frozen). Floats equal as keys read the same (0.0 and -0.0 both read 0.0; NaN is
# never found again, each NaN is its own key).
_READINGS: dict[tuple[object, Unit, str, bool], CellReading] = {}


def read_cell_value(raw: object, unit: str, locale: str, percent_formatted: bool = False) -> CellReading:
    """Read a check-in cell into a number, an issue, or blank.

    `raw` is what the backend returned for the cell: None, a number, a bool, a
    date/datetime/time, an error object, or the text a person typed.
    `unit` is one of percent, count, vnd, days, hours, minutes, points,
    number, done (`done` = milestone KR). `locale` is "vi_VN"/"en_US" (also
    "vi", "en", "vi-VN", any case). An unknown unit or locale raises
    ValueError; every problem with the cell itself comes back as
    `CellReading(None, issue)` with `issue` in the locale's language.

    Blank cells read as `CellReading(None, None)` (no check-in, not zero).

    Percent rule: for unit percent, "45%" / "45 %" read as 45 and a plain
    number is taken as is (45 -> 45, 0.45 -> 0.45). Only when
    `percent_formatted=True` (the cell has a percent number format, so the
    spreadsheet stores 45% as 0.45) is a *numeric* raw multiplied by 100
    (0.45 -> 45). Text is never rescaled. The flag is ignored for other units.

    Text is read with the locale's separators: vi "1.500" = 1500, "1,5" = 1.5;
    en "1,500" = 1500, "1.5" = 1.5. See the module docstring for all rules.
    """
    lang = normalize_locale(locale)
    kind = _as_unit(unit)
    if raw is None:
        return _BLANK
    if type(raw) is float or type(raw) is str:  # what a number or text cell reads as: the same cells on many KR rows
        key = (raw, kind, lang, percent_formatted and type(raw) is float)
        reading = _READINGS.get(key)
        if reading is None:
            if len(_READINGS) > 4096:
                _READINGS.clear()
            # a float straight to _read_number, as the checks below send it (a float is a numbers.Real)
            reading = _READINGS[key] = (_read_number(raw, kind, lang, percent_formatted) if type(raw) is float  # type: ignore[arg-type]
                                        else _read_text(raw, kind, lang))  # type: ignore[arg-type]
        return reading
    if isinstance(raw, bool):
        if kind is Unit.DONE:
            return CellReading(1.0 if raw else 0.0, None)
        return _issue("bool_value", lang, kind, _show_value(raw, lang))
    if isinstance(raw, (numbers.Real, Decimal)):
        return _read_number(raw, kind, lang, percent_formatted)
    if isinstance(raw, date):
        return _issue("date_value", lang, kind, _show_value(raw, lang))
    if isinstance(raw, (time, timedelta)):
        return _issue("time_value", lang, kind, _show_value(raw, lang))
    for text in (str(raw), str(getattr(raw, "code", ""))):  # an error object: str() or .code is "#REF!"
        if _is_sheet_error(text):
            return _sheet_error(text, kind, lang)
    return _issue("unreadable", lang, kind, _show(str(raw)))


def _read_number(raw: numbers.Real | Decimal, unit: Unit, lang: str, percent_formatted: bool) -> CellReading:
    """Read a numeric cell value (int, float, Decimal, ...)."""
    if not _is_finite(raw):
        return _issue("non_finite", lang, unit, _show_value(raw, lang))
    value = _as_float(raw)
    if unit is Unit.PERCENT and percent_formatted:
        value = float(Decimal(repr(value)).scaleb(2))  # exact: 0.07 -> 7.0, not 7.000000000000001
    check = _grade_reading if unit is Unit.DONE else _checked
    reading = check(value, unit, lang, "")
    if reading.issue is None:
        return reading
    return check(value, unit, lang, _show_value(raw, lang))  # only a rejected value is formatted for the message


def _is_finite(raw: numbers.Real | Decimal) -> bool:
    """False for NaN and infinities (an int of any size is finite)."""
    if type(raw) is float:  # the usual kind first (the ABC checks below cost more)
        return math.isfinite(raw)
    if isinstance(raw, numbers.Integral):
        return True
    if isinstance(raw, Decimal):
        return raw.is_finite()
    return math.isfinite(raw)


def _as_float(raw: numbers.Real | Decimal) -> float:
    """float(raw), or ±inf when raw is too large for a float."""
    try:
        return float(raw)
    except OverflowError:
        return -math.inf if raw < 0 else math.inf  # raw < 0: the one order typeshed gives numbers.Real


def _checked(value: float, unit: Unit, lang: str, shown: str) -> CellReading:
    """Apply the magnitude and sign checks to a parsed numeric value."""
    if math.isnan(value):
        return _issue("non_finite", lang, unit, shown)
    if abs(value) > MAX_MAGNITUDE:  # also inf from overflowing text or scaling
        return _issue("too_large", lang, unit, shown)
    if value < 0 and unit in _NON_NEGATIVE_UNITS:
        what = _NON_NEGATIVE_PHRASES[unit][0 if lang == "vi" else 1]
        return CellReading(None, _msg("negative", lang, raw=shown, what=what))
    return CellReading(value + 0.0, None)  # + 0.0 turns -0.0 into 0.0


def _grade_reading(value: float, unit: Unit, lang: str, shown: str) -> CellReading:
    """A milestone grade: accepted when within [0, 1]."""
    if not 0.0 <= value <= 1.0:  # also catches inf from an oversized Decimal
        return _issue("milestone_range", lang, unit, shown)
    return CellReading(value + 0.0, None)


def _is_sheet_error(text: str) -> bool:
    """True if `text` is a spreadsheet error value such as "#REF!"."""
    upper = text.strip().upper()
    return upper in SPREADSHEET_ERRORS or _ERROR_LIKE.fullmatch(upper) is not None


def _sheet_error(text: str, unit: Unit, lang: str) -> CellReading:
    """The issue for a spreadsheet error value."""
    code = text.strip().upper()
    default = ("công thức hoặc tham chiếu bị hỏng", "broken formula or reference")
    cause = _SHEET_ERROR_CAUSES.get(code, default)[0 if lang == "vi" else 1]
    return _issue("sheet_error", lang, unit, code, cause=cause)


def _clean(text: str) -> str:
    """Turn every kind of space into " ", full-width forms (１２，５％) into ASCII, U+2212 into "-",
    drop zero-width characters, strip. (Not full NFKC: that would turn "12²" into "122".)"""
    chars = []
    for ch in text:
        if ch in "\u200b\u200c\u200d\u2060\ufeff":
            continue
        if ch.isspace():
            ch = " "
        elif "\uff01" <= ch <= "\uff5e":
            ch = chr(ord(ch) - 0xFEE0)
        elif ch == "\u2212":  # MINUS SIGN
            ch = "-"
        chars.append(ch)
    return "".join(chars).strip()


def _read_text(raw: str, unit: Unit, lang: str) -> CellReading:
    """Read text a person typed."""
    text = _clean(raw)
    if not text:
        return _BLANK
    shown = _show(raw)
    if _is_sheet_error(text):
        return _sheet_error(text, unit, lang)
    if unit is Unit.DONE:
        return _read_milestone_text(text, lang, shown)
    folded = fold_text(text)
    if folded in _NON_FINITE_WORDS or folded.lstrip("+-") in _NON_FINITE_WORDS:
        return _issue("non_finite", lang, unit, shown)
    if _DATE_TEXT.match(text):
        return _issue("date_text", lang, unit, shown)
    return _read_number_text(text, unit, lang, shown)


def _not_a_number(text: str, unit: Unit, lang: str, shown: str, key: str = "not_number") -> CellReading:
    """The issue for text that is not a number, with a "leave it blank" hint for placeholders."""
    message = _msg(key, lang, raw=shown, expect=_expect(unit, lang))
    if fold_text(text) in _PLACEHOLDERS:
        message += _msg("leave_blank", lang)
    return CellReading(None, message)


def _read_number_text(text: str, unit: Unit, lang: str, shown: str) -> CellReading:
    """Read typed text as a number of `unit` with the locale's separators."""
    match = _NUMBER_TEXT.match(text)
    if match is None or (match["sign"] and match["sign2"]) or (match["prefix"] and match["suffix"]):
        return _not_a_number(text, unit, lang, shown)
    has_percent = match["suffix"] == "%"
    has_currency = bool(match["prefix"]) or (bool(match["suffix"]) and not has_percent)
    if has_percent and unit is not Unit.PERCENT:
        return _issue("percent_not_allowed", lang, unit, shown)
    if has_currency and unit is not Unit.VND:
        return _issue("currency_not_allowed", lang, unit, shown)
    parsed = _parse_body(match["body"], lang)
    if isinstance(parsed, str):
        return _separator_issue(parsed, match["body"], unit, lang, shown)
    negative = (match["sign"] or match["sign2"]) == "-"
    return _checked(-parsed if negative else parsed, unit, lang, shown)


def _separator_issue(problem: str, body: str, unit: Unit, lang: str, shown: str) -> CellReading:
    """The issue for a badly separated number, hinting at the locale when the other one would read it."""
    decimal_sep, group_sep = _SEPARATORS[lang]
    if problem == "two_decimals":
        message = _msg("two_decimals", lang, raw=shown, dec=decimal_sep, expect=_expect(unit, lang))
    elif problem == "bad_grouping":
        message = _msg("bad_grouping", lang, raw=shown, group=group_sep, expect=_expect(unit, lang))
    else:
        return _not_a_number(body, unit, lang, shown)
    other = "en" if lang == "vi" else "vi"
    if not isinstance(_parse_body(body, other), str):
        message += _msg("locale_hint", lang)
    return CellReading(None, message)


def _parse_body(body: str, lang: str) -> float | str:
    """Parse digits with separators; return the value or a problem key.

    Problem keys: "two_decimals", "bad_grouping", "not_number".
    """
    decimal_sep, group_sep = _SEPARATORS[lang]
    body = body.strip()
    if not any(map(str.isdigit, body)):
        return "not_number"
    if body.count(decimal_sep) > 1:
        return "two_decimals"
    whole, _, fraction = body.partition(decimal_sep)
    if decimal_sep in body and not (fraction.isdigit() and fraction.isascii()):
        return "not_number"
    whole = whole.strip()
    if not whole:
        if not fraction:
            return "not_number"
        digits = "0"
    else:
        grouped = _ungroup(whole, group_sep)
        if grouped is None:
            return "bad_grouping"
        digits = grouped
    return float(f"{digits}.{fraction}" if fraction else digits)


def _ungroup(whole: str, group_sep: str) -> str | None:
    """Remove thousands separators from the integer part, or None if the grouping is impossible.

    Either no separator at all, or one kind of separator (the locale's, or a
    space) between groups of exactly 3 digits after a first group of 1–3
    digits that does not start with 0.
    """
    if whole.isdigit() and whole.isascii():
        return whole
    separators = {ch for ch in whole if not ch.isdigit()}
    if len(separators) != 1 or not separators <= {group_sep, " "}:
        return None
    (sep,) = separators
    pattern = rf"[1-9]\d{{0,2}}(?:{re.escape(sep)}\d{{3}})+"
    if re.fullmatch(pattern, whole) is None or not whole.isascii():
        return None
    return whole.replace(sep, "")


def _read_milestone_text(text: str, lang: str, shown: str) -> CellReading:
    """Read a milestone cell's text: a done / not-done word or a grade 0–1 (or 0–100%).

    Both "." and "," are read as a decimal separator here (a grade is never
    grouped): "0,7", "0.7" and "70%" all read as 0.7.
    """
    folded = fold_text(text)
    if folded in MILESTONE_DONE_WORDS:
        return CellReading(1.0, None)
    if folded in MILESTONE_NOT_DONE_WORDS:
        return CellReading(0.0, None)
    match = _GRADE_TEXT.fullmatch(text.replace(" ", ""))
    if match is None:
        return _not_a_number(text, Unit.DONE, lang, shown, "milestone_invalid")
    value = Decimal(match["num"].replace(",", "."))
    if match["sign"] == "-":
        value = -value
    if match["pct"]:
        value = value.scaleb(-2)
    return _grade_reading(float(value), Unit.DONE, lang, shown)


def cell_date(value: object) -> date | None:
    """A date cell (date, datetime, or ISO text like "2026-10-15") as a date; anything else is None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------------------
# Confidence, last update, comment
# ---------------------------------------------------------------------------

MAX_COMMENT = 2000
"""Comments longer than this many characters are reported (and still kept)."""

_CHECK_MESSAGES: dict[str, tuple[str, str]] = {
    "confidence": (
        'Độ tự tin "{raw}" không hợp lệ. Hãy nhập một số nguyên từ 1 (thấp) đến 10 (cao), ví dụ 7.',
        'The confidence "{raw}" is not valid. Please enter a whole number from 1 (low) to 10 (high), e.g. 7.',
    ),
    "not_a_date": (
        'Ngày cập nhật "{raw}" không phải là một ngày. Hãy nhập ngày theo dạng {example}.',
        'The last update "{raw}" is not a date. Please enter a date such as {example}.',
    ),
    "future": (
        "Ngày cập nhật {raw} ở sau ngày mai ({tomorrow}): có lẽ gõ nhầm năm hoặc đảo ngày/tháng. "
        "Hãy nhập ngày cập nhật thật, dạng {example}.",
        "The last update {raw} is after tomorrow ({tomorrow}): probably a wrong year or day and month "
        "swapped. Please enter the real date of the update, such as {example}.",
    ),
    "serial": (
        "Ô đang hiện con số {raw} chứ không phải ngày; okrsheets hiểu đó là ngày {day}. "
        "Hãy định dạng ô thành Ngày (Định dạng ô > Ngày) để mọi người cùng đọc được.",
        "The cell shows the number {raw}, not a date; okrsheets reads it as {day}. "
        "Format the cell as a Date so that everyone reads it the same way.",
    ),
    "comment_long": (
        "Ghi chú dài {length} ký tự (tối đa {limit}); báo cáo vẫn giữ nguyên ghi chú. Hãy rút gọn ghi chú.",
        "The comment is {length} characters long (at most {limit}); the summary still keeps all of it. "
        "Please shorten it.",
    ),
}

_EXAMPLE_DAY = {"vi": "24/11/2026 (ngày/tháng/năm) hoặc 2026-11-24", "en": "11/24/2026 (month/day/year) or 2026-11-24"}
_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of the 1900 date system (serial 1 = 1900-01-01, after Excel's leap-year bug)
_ISO_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_LOCAL_DAY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_VI_WORDS_DAY = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*(?:thang|thg)\s*(\d{1,2})(?:\s*(?:nam|[,/-])\s*(\d{4}))?$")


def _check(key: str, lang: str, **fields: object) -> str:
    vi, en = _CHECK_MESSAGES[key]
    return (vi if lang == "vi" else en).format(**fields)


def read_confidence(raw: object, locale: str) -> CellReading:
    """Read a confidence cell: a whole number from 1 to 10, as a number or as text ("7").

    Blank is no confidence given; 0, 11, 7.5, "cao", "8/10", TRUE and dates
    are issues in the locale's language.
    """
    if raw is None:  # (most KRs)
        return _BLANK
    kind = type(raw)
    if kind is float or kind is str:  # what a number or text cell reads as: the same few values on many KR rows
        key = (kind, raw, locale)
        reading = _CONFIDENCES.get(key)
        if reading is None:
            if len(_CONFIDENCES) > 4096:
                _CONFIDENCES.clear()
            reading = _CONFIDENCES[key] = _read_confidence(raw, locale)
        return reading
    return _read_confidence(raw, locale)


_CONFIDENCES: dict[tuple[type, object, str], CellReading] = {}  # read_confidence of float and str cells (pure)


def _read_confidence(raw: object, locale: str) -> CellReading:
    if raw is None or (isinstance(raw, str) and not _clean(raw)):
        return _BLANK
    lang = normalize_locale(locale)
    value: float | None = None
    if isinstance(raw, str):
        text = _clean(raw)
        if text.isdigit() and text.isascii():
            value = float(text)
    elif isinstance(raw, (numbers.Real, Decimal)) and not isinstance(raw, bool) and _is_finite(raw):
        value = float(raw)
    if value is not None and value.is_integer() and 1 <= value <= 10:
        return CellReading(value, None)
    return CellReading(None, _check("confidence", lang, raw=_show_value(raw, lang) if not isinstance(raw, str) else _show(raw)))


@dataclass(frozen=True)
class DateReading:
    """A last-update cell read as a date. ``issue`` may come with a value (a date typed as a bare number)."""

    value: date | None
    issue: str | None


_NO_DATE = DateReading(None, None)  # (frozen: one for every blank last-update cell)


def read_update_date(raw: object, locale: str, as_of: date, earliest: date) -> DateReading:
    """Read a last-update cell into a date, or an issue.

    Accepted: a date cell; text in the locale's order (vi ``24/11/2026``,
    ``24-11-2026``, ``24.11.2026``, ``24 tháng 11``, ``ngày 24 tháng 11 năm 2026``;
    en ``11/24/2026``, ``11-24-2026``) or ISO ``2026-11-24`` in both; a two-digit
    year is 20xx. ``24 tháng 11`` without a year is in the year of ``as_of``, or
    the year before when that day would be after tomorrow. A bare number (a date
    serial in a General cell) is read as a date only when that date lies between
    ``earliest`` and tomorrow, and then comes with an issue saying so. A date
    after tomorrow (``as_of`` + 1) is an issue: nobody updates in the future.
    """
    if raw is None:  # (most KRs)
        return _NO_DATE
    kind = type(raw)
    if kind is datetime or kind is date or kind is str or kind is float:  # the same few days on many KR rows
        key = (kind, raw, locale, as_of, earliest)
        reading = _UPDATE_DATES.get(key)
        if reading is None:
            if len(_UPDATE_DATES) > 4096:
                _UPDATE_DATES.clear()
            reading = _UPDATE_DATES[key] = _read_update_date(raw, locale, as_of, earliest)
        return reading
    return _read_update_date(raw, locale, as_of, earliest)


# read_update_date of the usual kinds of cell by (kind, value, locale, as_of, earliest): a pure function of those
_UPDATE_DATES: dict[tuple[type, object, str, date, date], DateReading] = {}


def _read_update_date(raw: object, locale: str, as_of: date, earliest: date) -> DateReading:
    if raw is None or (isinstance(raw, str) and not _clean(raw)):
        return _NO_DATE
    lang = normalize_locale(locale)
    tomorrow = as_of + timedelta(days=1)
    note = None
    day: date | None = None
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    elif isinstance(raw, (numbers.Real, Decimal)) and not isinstance(raw, bool) and _is_finite(raw) and float(raw).is_integer():
        # typeshed's numbers.Real has neither __int__ nor __ge__ (only __lt__/__le__); every Real the
        # readers hand us (int, float, Decimal, Fraction) has both at run time
        serial = _EXCEL_EPOCH + timedelta(days=int(raw)) if 1 <= raw <= 2_958_465 else None  # type: ignore[arg-type, operator]
        if serial is not None and earliest <= serial <= tomorrow:
            day = serial
            note = _check("serial", lang, raw=_show_value(raw, lang), day=_show_value(serial, lang))
    elif isinstance(raw, str):
        day = _text_date(_clean(raw), lang, as_of)
    if day is None:
        shown = _show(raw) if isinstance(raw, str) else _show_value(raw, lang)
        return DateReading(None, _check("not_a_date", lang, raw=shown, example=_EXAMPLE_DAY[lang]))
    if day > tomorrow:
        return DateReading(None, _check("future", lang, raw=_show_value(day, lang), tomorrow=_show_value(tomorrow, lang),
                                        example=_EXAMPLE_DAY[lang]))
    return DateReading(day, note)


def _text_date(text: str, lang: str, as_of: date) -> date | None:
    """A date typed as text, in the locale's order (see `read_update_date`), or None."""
    try:
        if match := _ISO_DAY.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _LOCAL_DAY.match(text):
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            year += 2000 if len(match[3]) == 2 else 0
            day, month = (first, second) if lang == "vi" else (second, first)
            return date(year, month, day)
        if lang == "vi" and (match := _VI_WORDS_DAY.match(fold_text(text))):
            day, month = int(match[1]), int(match[2])
            if match[3]:
                return date(int(match[3]), month, day)
            found = date(as_of.year, month, day)
            return found if found <= as_of + timedelta(days=1) else date(as_of.year - 1, month, day)
    except ValueError:  # 31/02, month 13
        return None
    return None


def comment_issue(comment: str | None, locale: str) -> str | None:
    """An issue for a comment longer than MAX_COMMENT characters (the comment itself is kept)."""
    if comment is None or len(comment) <= MAX_COMMENT:
        return None
    return _check("comment_long", normalize_locale(locale), length=len(comment), limit=MAX_COMMENT)


# ---------------------------------------------------------------------------
# Display
# ---------------------------------------------------------------------------


def format_number(value: float, locale: str, decimals: int | None = None) -> str:
    """Format a number for a sheet user: vi "1.234.567,5", en "1,234,567.5".

    With `decimals=None` the shortest digits that read back to exactly the
    same float are used (no trailing zeros, never an exponent), so
    `read_cell_value(format_number(x, loc), "number", loc).value == x`.
    With `decimals=n` the value is rounded to n decimals (n >= 0).
    NaN or infinity raises ValueError.
    """
    lang = normalize_locale(locale)
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"cannot format a non-finite number: {value!r}")
    if decimals is not None and decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals!r}")
    if decimals is None and value.is_integer() and abs(value) < 2**53:
        text = f"{int(value):,}"  # the common case (targets, counts, money), without Decimal
    elif decimals is None:
        exact = Decimal(repr(value))
        if exact == exact.to_integral_value():
            exact = exact.quantize(Decimal(1))
        text = format(exact, ",f")
    else:
        text = format(value, f",.{decimals}f")
    if text.startswith("-") and set(text[1:]) <= set("0.,"):
        text = text[1:]  # no "-0"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
