"""A1 notation as the Sheets API parses and prints it.

A range string is ``[sheet!]ref``. The sheet part may be quoted (``'My sheet'``,
with ``''`` standing for one quote) or bare (Google accepts bare names with
spaces and emoji too). ``ref`` is a cell (``B2``), a box (``A1:C3``, also
reversed ``C3:A1``), whole columns (``A:C``), whole rows (``1:3``), open-ended
boxes (``A2:C`` or ``A2:2``) or, when there is no ``!``, a sheet name or a
named range.

Indexes here are zero-based and end-exclusive, like the API's ``GridRange``;
``None`` means unbounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^\$?([A-Za-z]{1,4})?\$?(\d+)?$")
_SIMPLE_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_REF = re.compile(r"^([A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*|[A-Za-z]{1,3}|\d+)$")


class A1Error(ValueError):
    """The text is not a range the API can parse."""


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def quote_title(title: str) -> str:
    """Sheet title as Google prints it in a range: bare when simple."""
    if _SIMPLE_TITLE.match(title) and not _LOOKS_LIKE_REF.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def always_quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


@dataclass
class Box:
    """A possibly open-ended block of cells; None = unbounded on that side."""

    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None

    def bounded(self, row_count: int, col_count: int) -> tuple[int, int, int, int]:
        return (
            self.start_row or 0,
            row_count if self.end_row is None else self.end_row,
            self.start_col or 0,
            col_count if self.end_col is None else self.end_col,
        )


@dataclass
class ParsedRange:
    sheet: str | None  # title as written (unquoted); None = first sheet
    box: Box | None  # None = whole sheet
    name: str | None = None  # a bare token that may be a sheet or a named range
    text: str = ""


def split_sheet(text: str) -> tuple[str | None, str, bool]:
    """Split ``'a b'!A1`` into (title, ref, had_bang)."""
    if text.startswith("'"):
        i = 1
        quoted: list[str] = []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    quoted.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(quoted), "", False
                if rest.startswith("!"):
                    return "".join(quoted), rest[1:], True
                raise A1Error(text)
            quoted.append(ch)
            i += 1
        raise A1Error(text)
    if "!" in text:
        title, _, ref = text.rpartition("!")
        return title, ref, True
    return None, text, False


def _parse_endpoint(part: str) -> tuple[int | None, int | None]:
    m = _CELL.match(part.strip())
    if not m or (m.group(1) is None and m.group(2) is None):
        raise A1Error(part)
    col = column_index(m.group(1)) if m.group(1) else None
    row = int(m.group(2)) - 1 if m.group(2) else None
    if row is not None and row < 0:
        raise A1Error(part)
    return col, row


def parse_ref(ref: str) -> Box:
    """Parse the part after ``!``: ``A1``, ``A1:B2``, ``A:A``, ``1:3``, ``A2:C``."""
    if ":" not in ref:
        col, row = _parse_endpoint(ref)
        if col is None or row is None:
            raise A1Error(ref)
        return Box(row, row + 1, col, col + 1)
    left, right = ref.split(":", 1)
    c1, r1 = _parse_endpoint(left)
    c2, r2 = _parse_endpoint(right)
    # A:B (both columns) or 1:2 (both rows) or A1:B2 or open forms A1:B / A1:2
    if c1 is None and c2 is not None and r1 is not None and r2 is None:
        raise A1Error(ref)
    if c1 is not None and r1 is not None and c2 is not None and r2 is not None:
        return Box(min(r1, r2), max(r1, r2) + 1, min(c1, c2), max(c1, c2) + 1)
    if r1 is None and r2 is None:  # A:C
        if c1 is None or c2 is None:
            raise A1Error(ref)
        return Box(None, None, min(c1, c2), max(c1, c2) + 1)
    if c1 is None and c2 is None and r1 is not None and r2 is not None:  # 1:3 (_parse_endpoint gave each a row)
        return Box(min(r1, r2), max(r1, r2) + 1, None, None)
    if c1 is not None and r1 is not None and c2 is not None and r2 is None:  # A2:C
        return Box(r1, None, min(c1, c2), max(c1, c2) + 1)
    if c1 is not None and r1 is not None and c2 is None and r2 is not None:  # A2:2
        return Box(min(r1, r2), max(r1, r2) + 1, c1, None)
    if c1 is not None and r1 is None and c2 is not None and r2 is not None:  # A:C5
        return Box(None, r2 + 1, min(c1, c2), max(c1, c2) + 1)
    raise A1Error(ref)


def parse(text: str) -> ParsedRange:
    """Parse a full range string; a bare token stays unresolved in ``name``."""
    if text is None or text.strip() == "":
        raise A1Error(text or "")
    title, ref, had_bang = split_sheet(text)
    if title is not None and not had_bang:  # 'Quoted title' alone
        return ParsedRange(title, None, text=text)
    if had_bang:
        if ref == "":
            return ParsedRange(title, None, text=text)
        try:
            return ParsedRange(title, parse_ref(ref), text=text)
        except A1Error:
            return ParsedRange(title, None, name=ref, text=text)
    # No sheet part: an A1 reference on the first sheet, a sheet title or a named range.
    try:
        return ParsedRange(None, parse_ref(ref), name=ref, text=text)
    except A1Error:
        return ParsedRange(None, None, name=ref, text=text)


def format_box(r0: int, r1: int, c0: int, c1: int) -> str:
    """Zero-based, end-exclusive -> ``A1`` or ``A1:B2``."""
    start = f"{column_letters(c0)}{r0 + 1}"
    if r1 - r0 == 1 and c1 - c0 == 1:
        return start
    return f"{start}:{column_letters(c1 - 1)}{r1}"


def format_range(title: str, r0: int, r1: int, c0: int, c1: int) -> str:
    return f"{quote_title(title)}!{format_box(r0, r1, c0, c1)}"
