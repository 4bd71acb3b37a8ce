"""The team sheet's twin of :func:`okrsheets.core.values.read_cell_value`, as spreadsheet formulas.

Each KR row gets four hidden helper cells, appended after the ``code``
column, that read the "current" cell the way the engine does:

* ``typed``: the typed text, cleaned like ``values._clean`` (every kind of
  space made a plain space, zero-width characters dropped, full-width forms
  made ASCII with ASC, U+2212 made "-"); "" for a cell that holds no text.
* ``parsed``: for a number KR, the text's sign and digits ("+1.234,5") once
  the sign, currency and % around them are checked, or "!" when they are
  wrong; for a milestone, the text half folded (see ``word``).
* ``word``: for a number KR, those digits checked as ``values._parse_body``
  does and written plainly ("+01234.5"), or "!"; for a milestone, the text
  folded like ``values.fold_text`` (lower case, no Vietnamese diacritics),
  to compare with the done words.
* ``reading``: what the engine reads: the number (in the engine's units:
  percent points for a percent KR, 0–1 for a milestone), "" for a blank
  cell, or ``ISSUE`` ("!") for a value the engine rejects with an issue.

The score and status formulas use only ``reading``, so one cell per KR holds
"what the engine reads" and everything after it is the plain scoring twin.
The text is split over helper cells because LibreOffice 7.x and Excel 2019
have no LET, and Excel allows 64 nested functions.

Only functions Excel, LibreOffice and Google Sheets all have are used
(ISFORMULA and FORMULATEXT are Excel 2013's: the Excel renderer writes them
with their ``_xlfn.`` prefix), with two exceptions for Google Sheets:
``CELL("format", ...)``, which Google does not have: ``reading_formula(...,
google=True)`` tells a percent or date cell by ``TO_TEXT``, which gives the
number as the cell shows it ("45%" for a percent-formatted 0.45, "15/10/2026"
for a date) and ``ISDATE``; and array constants inside MIN/OR, which Google
evaluates element by element only inside ARRAYFORMULA (the Google renderer
wraps such formulas in it).
"""

from __future__ import annotations

from functools import lru_cache

from okrsheets.core.values import (
    MAX_MAGNITUDE,
    MILESTONE_DONE_WORDS,
    MILESTONE_NOT_DONE_WORDS,
    Unit,
    fold_text,
    read_cell_value,
)

ISSUE = "!"
"""What the ``reading`` cell holds for a value the engine rejects."""

# Each formula below depends only on its arguments (cell references, unit, locale), which repeat from one
# team workbook to the next: made once each (building them again was about 40% of the time to build a
# new team workbook's spec). At most 1,024 kept: a few hundred rows and units in practice.
_made_once = lru_cache(maxsize=1024)

# Characters str.isspace() is true for (values._clean turns each into " "); the C0 controls as CHAR(n),
# the others literally inside the formula's strings.
_SPACES = tuple(c for c in map(chr, range(0x3001)) if c.isspace() and c != " ")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"  # dropped by values._clean
# Vietnamese letters with diacritics (lower case: LOWER comes first) and the combining marks of their
# decomposed forms, which values.fold_text strips; U+FE0F (emoji variation selector) is a mark too.
VIETNAMESE_LETTERS = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_MARKS = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323\ufe0f"
# Units in which a negative number is an issue: asked of the engine itself, so the rule has one home.
NON_NEGATIVE = frozenset(u.value for u in Unit if u is not Unit.DONE and read_cell_value(-1, u.value, "en_US").issue)
_CURRENCIES = ("₫", "đ", "vnd", "vnđ")  # values._CURRENCY, lower case
_SEPARATORS = {"vi": (",", "."), "en": (".", ",")}  # (decimal, group), as values._SEPARATORS


def _text(value: str) -> str:
    """A formula string literal."""
    if len(value) == 1 and ord(value) < 32:
        return f"CHAR({ord(value)})"
    return '"' + value.replace('"', '""') + '"'


def _array(values) -> str:
    return "{" + ",".join(_text(v) for v in values) + "}"


def _substitute_all(expression: str, pairs) -> str:
    for old, new in pairs:
        expression = f"SUBSTITUTE({expression},{_text(old)},{_text(new)})"
    return expression


@_made_once
def typed_formula(current: str) -> str:
    """``typed``: the current cell's text cleaned as values._clean does (not stripped), or ""."""
    pairs = [(c, " ") for c in _SPACES] + [(c, "") for c in _ZERO_WIDTH] + [("\u2212", "-")]
    return f'=IF(ISTEXT({current}),{_substitute_all(f"ASC({current})", pairs)},"")'


@_made_once
def fold_formula(typed: str, half: int) -> str:
    """``parsed`` (half 0) and ``word`` (half 1) of a milestone: the text lower case, trimmed, without diacritics."""
    letters = [(c, fold_text(c)) for c in VIETNAMESE_LETTERS]
    if half == 0:
        return "=" + _substitute_all(f"LOWER(TRIM({typed}))", [(m, "") for m in _MARKS] + letters[:28])
    return "=" + _substitute_all(typed, letters[28:])


def _first_digit(text: str, extra: str = "") -> str:
    """Position of the first digit (or character of ``extra``) in ``text``; LEN+1 when there is none."""
    chars = "0123456789" + extra
    return f"MIN(FIND({_array(chars)},{text}&{_text(chars)}))"


@_made_once
def parsed_formula(typed: str, unit: str) -> str:
    """``parsed`` of a number KR: "+" or "-" then the digits, or "!" when what surrounds them is wrong.

    The regex of values._NUMBER_TEXT, taken apart: before the first of
    ``0-9.,`` at most one sign and (VND only) a currency word; after the
    digits at most one "%" (percent only) or currency (VND only, and not on
    both sides).
    """
    t = f"TRIM({typed})"
    first = _first_digit(t, ".,")
    before = f"LOWER(LEFT({t},{first}-1))"
    lower = f"LOWER({t})"
    # the "%" or currency at the end (of the whole text: what follows the digits ends it)
    suffix = (
        f'IF(RIGHT({t},1)="%",1,IF(OR(RIGHT({lower},3)="vnd",RIGHT({lower},3)="vnđ"),3,'
        f'IF(OR(RIGHT({lower},1)="₫",RIGHT({lower},1)="đ"),1,0)))'
    )
    body = f"TRIM(MID({t},{first},MAX(0,LEN({t})-{first}+1-{suffix})))"
    signs = f'SUBSTITUTE({before}," ","")'
    currency = f'SUBSTITUTE(SUBSTITUTE({signs},"-",""),"+","")'
    allowed = ("",) + (_CURRENCIES if unit == "vnd" else ())
    checks = [
        f"OR({currency}={_array(allowed)})" if len(allowed) > 1 else f'{currency}=""',
        f'OR({currency}="",ISNUMBER(FIND({currency},{before})))',  # "vnd" in one piece
        f"LEN({signs})-LEN({currency})<=1",  # one sign at most
    ]
    if unit != "percent":
        checks.append(f'RIGHT({t},1)<>"%"')
    if unit == "vnd":
        checks.append(f'OR({currency}="",{suffix}=0,RIGHT({t},1)="%")')  # not on both sides
    else:
        checks.append(f'OR({suffix}=0,RIGHT({t},1)="%")')
    sign = f'IF(ISNUMBER(FIND("-",{before})),"-","+")'
    return f'=IF({t}="","",IF(AND({",".join(checks)}),{sign}&{body},"{ISSUE}"))'


@_made_once
def digits_formula(parsed: str, typed: str, locale: str) -> str:
    """``word`` of a number KR: the ``parsed`` digits checked as values._parse_body does, as "+0digits.fraction", or "!".

    At most one decimal separator with digits after it; the whole part either
    plain digits or grouped in threes by one kind of separator (the locale's,
    or a single space), not starting with 0.
    """
    decimal, group = _SEPARATORS[_language(locale)]
    b = f"MID({parsed},2,1000)"
    only = _substitute_all(b, [(c, "") for c in "0123456789., "])
    pos = f"FIND({_text(decimal)},{b}&{_text(decimal)})"
    whole = f"TRIM(LEFT({b},{pos}-1))"
    fraction = f"MID({b},{pos}+1,1000)"
    decimals = f"LEN({b})-LEN(SUBSTITUTE({b},{_text(decimal)},\"\"))"
    has_group = f"ISNUMBER(FIND({_text(group)},{whole}))"
    has_space = f'ISNUMBER(FIND(" ",{whole}))'
    sep = f'IF({has_group},{_text(group)}," ")'
    # FIXED groups with the application's separator, whichever locale it runs in: swap it for this one.
    regrouped = f'SUBSTITUTE(FIXED(VALUE("0"&SUBSTITUTE({whole},{sep},"")),0),MID(FIXED(1000000,0),2,1),{sep})'
    # TRIM made "1  000" "1 000": the whole part must be in the typed text as it is
    grouping = f"OR(AND(NOT({has_group}),NOT({has_space})),AND(NOT(AND({has_group},{has_space})),{whole}={regrouped},ISNUMBER(FIND({whole},{typed}))))"
    fraction_ok = f'OR({decimals}=0,AND({fraction}<>"",ISERROR(FIND({_text(group)},{fraction})),ISERROR(FIND(" ",{fraction}))))'
    digits = f'SUBSTITUTE(SUBSTITUTE({whole},{_text(group)},"")," ","")'
    valid = f'AND({only}="",{_first_digit(b)}<=LEN({b}),{decimals}<=1,{fraction_ok},{grouping})'
    return f'=IF({parsed}="","",IF({parsed}="{ISSUE}","{ISSUE}",IFERROR(IF({valid},LEFT({parsed},1)&"0"&{digits}&"."&{fraction},"{ISSUE}"),"{ISSUE}")))'


def _language(locale: str) -> str:
    return "vi" if locale.lower().startswith("vi") else "en"


def _digits_value(word: str, unit: str) -> str:
    """The number of a ``word`` "+0digits.fraction" (exact as int / 10^n is), checked as values._checked does."""
    value = f'IF(LEFT({word},1)="-",-1,1)*VALUE(SUBSTITUTE(MID({word},2,1000),".",""))/10^(LEN({word})-FIND(".",{word}))'
    return f'IF({word}="{ISSUE}","{ISSUE}",IFERROR({_checked(value, unit)},"{ISSUE}"))'


def _checked(value: str, unit: str) -> str:
    """values._checked: too large, or negative in a unit that cannot be, is an issue."""
    negative = f"OR({value}<0," if unit in NON_NEGATIVE else "OR("
    # 10^15 written out, as LibreOffice writes it back: the formula's text survives a re-save unchanged
    return f'IF({negative}ABS({value})>{int(MAX_MAGNITUDE)}),"{ISSUE}",{value})'


def _grade_text_value(typed: str) -> str:
    """values._GRADE_TEXT: an optional sign, digits with one "." or ",", an optional "%"; 0 to 1."""
    g = f'SUBSTITUTE({typed}," ","")'  # without any space, as values._read_milestone_text
    percent = f'(RIGHT({g},1)="%")'
    unsigned = f'SUBSTITUTE(MID({g},1+OR(LEFT({g},1)={{"-","+"}}),LEN({g})-{percent}-OR(LEFT({g},1)={{"-","+"}})),",",".")'
    digits = f'SUBSTITUTE({unsigned},".","")'
    only_digits = _substitute_all(digits, [(c, "") for c in "0123456789"])
    point = f'FIND(".",{unsigned}&".")'
    decimals = f"LEN({unsigned})-{point}"
    shape = f'AND({digits}<>"",{only_digits}="",LEN({unsigned})-LEN({digits})<=1,RIGHT({unsigned},1)<>".")'
    value = f'IF(LEFT({g},1)="-",-1,1)*VALUE("0"&{digits})/10^(MAX(0,{decimals})+2*{percent})'
    return f'IFERROR(IF(AND({shape},{value}>=0,{value}<=1),{value}+0,"{ISSUE}"),"{ISSUE}")'


def _word_value(word: str, typed: str) -> str:
    """A done / not-done word (trailing "." and "!" allowed, as fold_text strips them), else a grade."""
    bare = f'TRIM(SUBSTITUTE(SUBSTITUTE({word},".",""),"!",""))'
    tail_ok = f'AND(LEFT({word},LEN({bare}))={bare},ISERROR(FIND(" ",TRIM(MID({word},LEN({bare})+1,1000)))))'
    done = _array(sorted(MILESTONE_DONE_WORDS))
    not_done = _array(sorted(MILESTONE_NOT_DONE_WORDS))
    return f"IF(AND({tail_ok},OR({bare}={done})),1,IF(AND({tail_ok},OR({bare}={not_done})),0,{_grade_text_value(typed)}))"


def _number_cell(current: str, unit: str, general: str, google: bool = False) -> str:
    """A number in the cell: an issue in a date/time cell; a fraction in a percent cell of a percent KR."""
    if google:
        # Google has no CELL("format"). TO_TEXT gives the number as the cell shows it: "43.7%" in a percent
        # format, "15/10/2026" or "10:30:00" in a date or time format; ISDATE is true for a date.
        shown = f"TO_TEXT({current})"
        is_date = f'OR(ISDATE({current}),ISNUMBER(FIND(":",{shown})))'
        is_percent = f'RIGHT({shown},1)="%"'
    else:
        fmt = f'CELL("format",{current})'
        # Excel says D1-D9 for a date or time format (and G for General); LibreOffice says D only for a few
        # built-in dates, G for every other date, time or boolean format, and F0 for General.
        is_date = f'OR(LEFT({fmt},1)="D",AND({fmt}="G",CELL("format",{general})<>"G"))'
        is_percent = f'LEFT({fmt},1)="P"'
    if unit == "done":
        value = f'IF(AND({current}>=0,{current}<=1),{current},"{ISSUE}")'
    elif unit == "percent":
        value = _checked(f'IF({is_percent},ROUND({current}*100,10),{current})', unit)
    else:
        value = _checked(current, unit)
    return f'IF({is_date},"{ISSUE}",{value})'


@_made_once
def reading_formula(current: str, typed: str, parsed: str, word: str, unit: str, locale: str, general: str,
                    scorable: bool = True, google: bool = False) -> str:
    """``reading``: the number the engine reads from ``current``, "" when blank, "!" for an issue.

    ``general`` is an empty cell with the General format (which tells
    LibreOffice from Excel, see `_number_cell`); ``google`` gives the
    formula for Google Sheets, which has no CELL("format"). An unscorable KR (no
    target in the config) reads "" for any number, as the engine reads it
    as no check-in.
    """
    boolean = f"IF({current},1,0)" if unit == "done" else f'"{ISSUE}"'
    text = _word_value(word, typed) if unit == "done" else _digits_value(word, unit)
    blank = f'TRIM({typed})=""'
    # LibreOffice opens a TRUE typed in Excel as the formula =TRUE(), which is no longer logical in a cell
    # formatted as a number or percent; its re-save keeps it so.
    logical = (f'OR(ISLOGICAL({current}),IF(ISFORMULA({current}),'
               f'OR(FORMULATEXT({current})="=TRUE()",FORMULATEXT({current})="=FALSE()"),FALSE()))')
    core = (
        f'IF(ISERROR({current}),"{ISSUE}",IF({logical},{boolean},'
        f'IF(ISNUMBER({current}),{_number_cell(current, unit, general, google)},IF({blank},"",{text}))))'
    )
    if not scorable:
        core = f'IF({core}="{ISSUE}","{ISSUE}","")'
    return "=" + core
