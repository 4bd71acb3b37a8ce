"""Reading a team workbook (.xlsx): calamine for the values, one pass over the zip for the rest.

calamine reads values about 20x faster than openpyxl but says nothing about a
cell's number format or formula, nor about sheet protection, and reads an
error cell as empty. One pass over the workbook's zip adds those (see
`SheetDetails`): the sheet list, styles.xml, and the XML of the sheets asked
for, searched as bytes (a full XML parse cost three times calamine's read).
The file is opened once: its bytes are read, and calamine and the zip pass
both work on them in memory. The zip pass runs first. For a workbook whose
sheets all have the usual shape and hold only cells it reads exactly as
calamine does (`_OwnValues`: numbers, dates, times and durations of known
formats, booleans, errors, plain inline, formula and shared strings), the pass
gives the values itself and calamine is not called; otherwise it hands
calamine each usual sheet without its formulas, which calamine would only skip
(`_read_trimmed`); any other workbook, and any damaged one, calamine reads as
it is (`_read_whole`). The values are the same whichever way they are read.
"""

from __future__ import annotations

import datetime
import html
import io
import math
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Collection, Mapping
from itertools import compress, repeat
from operator import is_not, itemgetter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

from okrsheets.backends.base import FormatKind, SheetData, SheetDetails, WorkbookData
from okrsheets.errors import WorkbookError
from okrsheets.i18n import UNREADABLE
from okrsheets.sheets.spec import column_letter, column_number


def read_workbook(path: Path, only: Collection[str] | None = None) -> WorkbookData:
    """Every sheet's values (or those of the sheets named in ``only`` that exist) with calamine.

    Each sheet also gets its `SheetDetails` (number-format kinds, formulas,
    protection) from one pass over the sheet XML, the pass that also puts back
    the error values calamine reads as empty. Raises a clear WorkbookError, with
    a ``reason`` the rollup words for the team, when the file is not a readable
    workbook.
    """
    try:
        content = path.read_bytes()
    except OSError:
        reason = _unusable_path(path) or "damaged"  # (a file that vanished or failed between the two looks)
        raise WorkbookError(f"{path}: {UNREADABLE['en'][reason]}", reason) from None
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        if "xl/workbook.xml" not in archive.NameToInfo:  # calamine would read an .ods or .xlsb given as bytes
            raise zipfile.BadZipFile("no xl/workbook.xml")
    except Exception as exc:
        raise _not_readable(path, exc) from exc
    try:
        sheets = _read_trimmed(archive, content, only)
        if sheets is not None:
            return WorkbookData(str(path), sheets)
        return _read_whole(path, archive, content, only)
    finally:
        archive.close()


def _not_readable(path: Path, exc: Exception) -> WorkbookError:
    """The error for a file that is not a readable .xlsx workbook (why, from `_why`: missing, locked, not a workbook...)."""
    reason = _why(path)
    return WorkbookError(f"{path}: not a readable .xlsx workbook ({UNREADABLE['en'][reason]}: {exc})", reason)


def _read_whole(path: Path, archive: zipfile.ZipFile, content: bytes, only: Collection[str] | None) -> WorkbookData:
    """`read_workbook` with calamine reading the file as it is (what `_read_trimmed` gives, and every error)."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        raise _not_readable(path, exc) from exc
    try:
        hidden = _hidden(workbook)
        read = {}
        for name in workbook.sheet_names:
            if only is not None and name not in only:
                continue
            read[name] = _values(workbook, name)
        details = _sheet_details(archive, content, read)
        sheets = {}
        for name, (rows, merged) in read.items():
            found, errors = details.get(name, (None, ()))
            _restore_error_values(rows, errors)
            sheets[name] = SheetData(name, rows, merged, hidden.get(name, False), found)
        return WorkbookData(str(path), sheets)
    except Exception as exc:
        raise WorkbookError(f"{path}: the workbook is damaged and cannot be read ({exc})", "damaged") from exc
    finally:
        workbook.close()


def _hidden(workbook: CalamineWorkbook) -> dict[str, bool]:
    return {m.name: str(m.visible).lower() not in ("visible", "sheetvisibleenum.visible") for m in workbook.sheets_metadata}


def _values(workbook: CalamineWorkbook, name: str) -> tuple[list[list[Any]], tuple[tuple[int, int, int, int], ...]]:
    """A sheet's rows of values and its merged ranges (1-based), as calamine reads them."""
    sheet = workbook.get_sheet_by_name(name)
    rows = sheet.to_python(skip_empty_area=False)
    merged = tuple((r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or []))
    return rows, merged


def _read_trimmed(archive: zipfile.ZipFile, content: bytes, only: Collection[str] | None) -> dict[str, SheetData] | None:
    """`read_workbook`'s sheets, the same to the last cell, with calamine given less to read; None when this
    cannot be done (then `_read_whole` reads the file as it is, and reports any damage as it always did).

    A team sheet's XML is three quarters formulas (most of them the hidden check-in columns'). The pass that
    finds them (`_parse_usual_sheet`) also gives the sheet without them: each formula cell without its ``<f>``,
    and a formula cell without a saved result (no ``<v>``) left out. calamine reads a cell's value from its
    ``<v>`` and skips ``<f>``, and keeps no cell without a value (an empty cell widens no row), so it reads the
    trimmed sheet exactly as the whole one. The trimmed sheets go to calamine in a copy of the zip (stored,
    their CRC checked here first); every other member is copied as it is, and calamine checks it as before.
    """
    try:
        wanted = {member: title for member, title in _sheet_members(archive, content).items() if only is None or title in only}
        if not wanted:
            return None
        kinds = _style_kinds(archive, content)
        book = _workbook_sheets(archive, content)
        own = _OwnValues(archive, content, book[1]) if book is not None else None
        read: dict[str, tuple[list[list[Any]], tuple[tuple[int, int, int, int], ...]]] = {}
        details: dict[str, tuple[SheetDetails, list[tuple[int, int, object]]]] = {}
        split: dict[str, tuple[bytes, int, int, _Split]] = {}
        for member, title in wanted.items():
            xml = _member(archive, content, member)  # its CRC checked: calamine reads only the trimmed copy
            first, last = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
            usual = _parse_usual_sheet(xml, first, last, kinds) if 0 <= first < last else None
            if usual is None:  # another shape: read the long way, calamine reads the sheet as it is
                details[title] = _parse_sheet(xml, kinds)
                if own is not None and first >= 0 and last < 0 and xml.startswith(b"<sheetData/>", first):
                    read[title] = [], ()  # an empty sheet (with no merged ranges: calamine's are left to it)
                else:
                    own = None
            else:
                found, errors, cells = usual
                details[title] = found, errors
                split[member] = xml, first, last, cells
                if own is not None:
                    values = own.sheet(cells, xml, last)
                    if values is None:
                        own = None
                    else:
                        read[title] = values
        if own is not None and book is not None:
            sheets = _own_sheets(book[0], only, read, details)
            if sheets is not None:
                return sheets
        trimmed = {member: b"".join((xml[:first], cells.trimmed(), xml[last:])) for member, (xml, first, last, cells) in split.items()}
        packed = _repacked(archive, content, trimmed) if trimmed else content
        if packed is None:
            return None
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(packed))
        try:
            hidden = _hidden(workbook)
            sheets = {}
            for name in workbook.sheet_names:
                if only is not None and name not in only:
                    continue
                if name not in details:  # a sheet calamine lists under another name: read it the usual way
                    return None
                rows, merged = _values(workbook, name)
                found, errors = details[name]
                _restore_error_values(rows, errors)
                sheets[name] = SheetData(name, rows, merged, hidden.get(name, False), found)
            return sheets
        finally:
            workbook.close()
    except Exception:  # noqa: BLE001 - any damage: _read_whole reads the file again and reports it
        return None


def _own_sheets(book: tuple[tuple[str, str, bool], ...], only: Collection[str] | None,
                read: Mapping[str, tuple[list[list[Any]], tuple[tuple[int, int, int, int], ...]]],
                details: Mapping[str, tuple[SheetDetails, list[tuple[int, int, object]]]]) -> dict[str, SheetData] | None:
    """The sheets `_read_trimmed` gives, from the values `_OwnValues` read: None unless every sheet calamine
    would list (in workbook.xml's order) was read so."""
    sheets = {}
    for name, _, hidden in book:
        if only is not None and name not in only:
            continue
        if name not in read or name in sheets:
            return None
        rows, merged = read[name]
        found, errors = details[name]
        _restore_error_values(rows, errors)
        sheets[name] = SheetData(name, rows, merged, hidden, found)
    return sheets


_BOOKS: dict[tuple[object, object], tuple[tuple[tuple[str, str, bool], ...], bool] | None] = {}  # as _MEMBERS


def _workbook_sheets(archive: zipfile.ZipFile, content: bytes) -> tuple[tuple[tuple[str, str, bool], ...], bool] | None:
    """((sheet title, its zip member, hidden), ...) in workbook order and whether the workbook counts dates from
    1904, from xl/workbook.xml; None for a workbook of any shape this does not read as calamine does."""
    key = (_member_key(archive, content, "xl/workbook.xml"), _member_key(archive, content, "xl/_rels/workbook.xml.rels"))
    if key in _BOOKS:
        return _BOOKS[key]
    if len(_BOOKS) > 64:
        _BOOKS.clear()
    book: tuple[tuple[tuple[str, str, bool], ...], bool] | None = None
    try:
        root = ElementTree.fromstring(_member(archive, content, "xl/workbook.xml"))
        relationships = ElementTree.fromstring(_member(archive, content, "xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel for rel in relationships}
        sheets = []
        for sheet in root.iter(f"{_MAIN}sheet"):
            rel = targets.get(sheet.get(f"{_REL}id"))
            name, state = sheet.get("name"), sheet.get("state", "visible")
            if rel is None or name is None or not rel.get("Type", "").endswith("/worksheet") or state not in _STATES:
                raise ValueError(name)
            target = rel.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            sheets.append((name, member, _STATES[state]))
        properties = root.find(f"{_MAIN}workbookPr")
        date1904 = (properties.get("date1904") if properties is not None else None) or "0"
        if date1904 not in _FLAGS or len({n for n, _, _ in sheets}) < len(sheets) or len({m for _, m, _ in sheets}) < len(sheets):
            raise ValueError(date1904)
        book = tuple(sheets), _FLAGS[date1904]
    except Exception:  # noqa: BLE001 - anything unusual: calamine reads the workbook
        book = None
    _BOOKS[key] = book
    return book


_STATES = {"visible": False, "hidden": True, "veryHidden": True}
_FLAGS = {"0": False, "false": False, "1": True, "true": True}


class _Unusual(Exception):
    """A cell or part `_OwnValues` does not read exactly as calamine would: calamine reads the workbook."""


# A cell of the trimmed sheet (`_parse_usual_sheet`) whose value `_OwnValues` reads: reference, style, type,
# the cell's content (empty for none), <v>'s text, or an inline string's xml:space="preserve" and text.
_VALUE_CELL = re.compile(
    rb'<c r="([A-Z]+\d+)"(?: s="(\d+)")?(?: t="(\w+)")?(?: ?/>|>(<v>([^<]*)</v>|<v ?/>'
    rb'|<is><t( xml:space="preserve")?>([^<]*)</t></is>)?</c>)')
# The same cells, each as its reference and the rest of its XML (what its value depends on: `_CellValues`).
_CELL_REST = re.compile(rb'<c r="([A-Z]+\d+)"([^>]*+>(?:(?<=/>)|[^<]*+(?:<(?!/c>)[^<]*+)*+</c>))')
_NUMBER = re.compile(rb"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+\d+):([A-Z]+\d+)"\s*/>')
_SHARED_STRING = re.compile(rb'<si><t( xml:space="preserve")?>([^<]*)</t></si>')
_EPOCH = datetime.datetime(1899, 12, 30)


class _Texts(dict):
    """{a text's XML: the text as calamine reads it}, for text without what calamine reads its own way (line
    ends, _x000D_ escapes, and, unless xml:space="preserve" (``preserved``), spaces at either end). The
    company's workbooks repeat the same headers and key results."""

    def __init__(self, preserved: bool):
        super().__init__()
        self.preserved = preserved

    def __missing__(self, raw: bytes) -> str:
        if b"\r" in raw or b"_x" in raw or not self.preserved and raw != raw.strip(b" \t\n"):
            raise _Unusual("text calamine reads its own way")
        if len(self) > 65_536:
            self.clear()
        text = self[raw] = _xml_text(raw)
        return text


class _Numbers(dict):
    """{a <v>'s text: the float calamine reads}; only plain decimal numbers (what Excel and its peers write)."""

    def __missing__(self, raw: bytes) -> float:
        if _NUMBER.fullmatch(raw) is None:
            raise _Unusual("a number calamine may read otherwise")
        if len(self) > 65_536:
            self.clear()
        number = self[raw] = float(raw)
        return number


_TEXTS = {False: _Texts(False), True: _Texts(True)}
_NUMBERS = _Numbers()
_DATES: dict[tuple[bytes, str, bool], Any] = {}  # {(<v>'s text, its value kind, 1904 dates): calamine's value}


class _OwnValues:
    """Each usual sheet's values read from its trimmed XML exactly as calamine's ``to_python(skip_empty_area=False)``
    gives them, and its merged ranges, for a workbook whose every cell is of a kind read here (numbers, dates,
    times and durations of the number formats `_value_kinds` knows, booleans, errors, plain inline, formula and
    shared strings); `sheet` gives None for any other, and calamine reads the workbook as before.

    calamine's rows start at A1 whatever the first used cell, end at the last cell with a value (an error
    or an empty text counts, a cell without a value does not), and are all as long as the longest, padded with "".
    """

    def __init__(self, archive: zipfile.ZipFile, content: bytes, date1904: bool):
        self._archive, self._content, self._date1904 = archive, content, date1904
        styles = _value_kinds(archive, content)
        self._kinds, self._cells = styles.kinds, styles.cells[date1904]
        self._strings: list[str] | None = None

    def sheet(self, cells: _Split, xml: bytes, last: int) -> tuple[list[list[Any]], tuple[tuple[int, int, int, int], ...]] | None:
        try:
            return self._values(cells), self._merged(xml, last)
        except Exception:  # noqa: BLE001 - _Unusual, or anything this does not read: calamine reads the workbook
            return None

    def _values(self, split: _Split) -> list[list[Any]]:
        rest, parts = split.rest, split.parts
        if b' t="s"' in rest or b"s" in parts[4::_SPLIT]:  # shared strings: this workbook's own
            return self._each_value(split.trimmed())
        found = _CELL_REST.findall(rest)
        if len(found) != rest.count(b"<c "):
            raise _Unusual("a cell of another shape")
        refs, rests = zip(*found) if found else ((), ())
        positions = list(map(_POSITIONS.__getitem__, refs)) + split.positions
        if len(set(positions)) < len(positions):
            raise _Unusual("a cell written twice")
        values = list(map(self._cells.__getitem__, rests))
        values += map(self._cells.__getitem__, zip(parts[3::_SPLIT], parts[4::_SPLIT], parts[6::_SPLIT]))
        kept = list(map(is_not, values, repeat(_NO_VALUE)))
        return _rows(list(compress(positions, kept)), list(compress(values, kept)))

    def _each_value(self, cells: bytes) -> list[list[Any]]:
        """`_values`, a cell at a time."""
        found = _VALUE_CELL.findall(cells)
        if len(found) != cells.count(b"<c "):
            raise _Unusual("a cell of another shape")
        placed = {}
        for ref, *cell in found:
            value = self._value(*cell)
            if value is not _NO_VALUE:
                if _POSITIONS[ref] in placed:
                    raise _Unusual("a cell written twice")
                placed[_POSITIONS[ref]] = value
        return _rows(list(placed), list(placed.values()))

    def _value(self, style: bytes, cell_type: bytes, body: bytes, value: bytes, preserve: bytes, text: bytes) -> Any:
        """One cell's value, as _VALUE_CELL's groups give the cell; _NO_VALUE for a cell calamine keeps no value for."""
        if cell_type == b"inlineStr" and body:
            return _TEXTS[True][text] if preserve else _TEXTS[False][text]
        if not body or body[1:3] in (b"v/", b"v ") or body == b"<v></v>" and not cell_type:
            if cell_type and cell_type != b"n":  # no value (<v/>): calamine keeps no such cell
                raise _Unusual("a typed cell without a value")
            return _NO_VALUE
        if not cell_type or cell_type == b"n":
            kinds = self._kinds
            index = int(style) if style else 0
            kind = kinds[index] if index < len(kinds) else "?" if kinds else "number"
            return _NUMBERS[value] if kind == "number" else self._date(value, kind)
        if cell_type == b"str":
            return _TEXTS[True][value]
        if cell_type == b"s":
            return self._shared()[int(value)]
        if cell_type == b"b":
            return _BOOLEAN_VALUES[value]
        if cell_type == b"e":
            return ""  # calamine reads an error as "": `_restore_error_values` puts the error back
        raise _Unusual("a cell type calamine may read otherwise")

    def _date(self, raw: bytes, kind: str) -> Any:
        key = (raw, kind, self._date1904)
        value = _DATES.get(key)
        if value is None:
            if len(_DATES) > 65_536:
                _DATES.clear()
            value = _DATES[key] = _date_value(_NUMBERS[raw], kind, self._date1904)
        return value

    def _shared(self) -> list[str]:
        if self._strings is None:
            xml = _member(self._archive, self._content, "xl/sharedStrings.xml")
            start, end = xml.find(b"<si>"), xml.rfind(b"</sst>")
            body = xml[start:end] if start >= 0 else b""
            found = _SHARED_STRING.findall(body)
            if len(found) != body.count(b"<si"):
                raise _Unusual("rich text")
            self._strings = [_TEXTS[bool(preserve)][text] for preserve, text in found]
        return self._strings

    @staticmethod
    def _merged(xml: bytes, last: int) -> tuple[tuple[int, int, int, int], ...]:
        if xml.find(b"<mergeCell", last) < 0:
            return ()
        found = _MERGE.findall(xml, last)
        if len(found) != xml.count(b"<mergeCell ", last):
            raise _Unusual("a merged range of another shape")
        return tuple((*_POSITIONS[first], *_POSITIONS[end]) for first, end in found)


_BOOLEAN_VALUES = {b"1": True, b"0": False}
_NO_VALUE = object()  # a cell calamine keeps no value for


def _rows(positions: list[tuple[int, int]], values: list[Any]) -> list[list[Any]]:
    """calamine's rows of a sheet with these values at these (row, column): from A1 to the last row and column
    with a value, every row as long, padded with ""."""
    if not positions:
        return []
    width, height = max(map(itemgetter(1), positions)), max(map(itemgetter(0), positions))
    rows = [[""] * width for _ in range(height)]
    for (row, column), value in zip(positions, values):
        rows[row - 1][column - 1] = value
    return rows


class _CellValues(dict):
    """{the XML of a cell after its reference, or a formula cell's (style, type, XML after the formula): its value,
    as `_OwnValues._value` reads it} for the workbooks
    of one styles.xml and date system; _NO_VALUE for a cell without one. Workbooks made from the same templates
    repeat most cells (a shared string is looked up in each workbook's own table, not here)."""

    def __init__(self, kinds: list[str], date1904: bool):
        super().__init__()
        self._reader = _OwnValues.__new__(_OwnValues)  # (no shared strings: a t="s" cell is not looked up here)
        self._reader._kinds, self._reader._date1904 = kinds, date1904

    def __missing__(self, rest: bytes | tuple[bytes | None, bytes | None, bytes]) -> Any:
        if isinstance(rest, tuple):  # a formula cell: (style, type, its XML after the formula: <v>...</v></c>)
            style, cell_type, tail = rest
            value = self[rest] = self[b"".join((b' s="%s"' % style if style else b"", b' t="%s"' % cell_type if cell_type else b"", b">", tail))]
            return value
        found = _VALUE_CELL.fullmatch(b'<c r="A1"' + rest)
        if found is None or found[3] == b"s":
            raise _Unusual("a cell of another shape")
        value = self._reader._value(*found.groups()[1:])
        if len(self) > 65_536:
            self.clear()
        self[rest] = value
        return value


class _ValueStyles:
    """What calamine makes of a number in each cell style (`_value_kinds`), with the caches of cell values."""

    def __init__(self, kinds: list[str]):
        self.kinds = kinds
        self.cells = {False: _CellValues(kinds, False), True: _CellValues(kinds, True)}


def _date_value(number: float, kind: str, date1904: bool) -> Any:
    """A number in a date, time or duration cell, as calamine gives it: a date, a datetime, a time of day (a
    number under 1) or a timedelta, to the millisecond, with Excel's 1900 leap-year bug (serials under 60
    are a day later)."""
    if number < 0 or date1904 and (number < 1 or kind == "duration"):
        raise _Unusual("a date calamine may read otherwise")
    if date1904:
        number += 1462
    if kind == "duration":
        return datetime.timedelta(milliseconds=_round_half_away(number * 86_400_000))
    if kind != "datetime" or number >= 2_958_466:
        raise _Unusual(kind)
    moment = _EPOCH + datetime.timedelta(milliseconds=_round_half_away((number if number >= 60 else number + 1) * 86_400_000))
    if number < 1:
        return moment.time()
    if moment.time() == datetime.time():
        return moment.date()
    return moment


def _round_half_away(value: float) -> int:
    """Rust's f64::round: halves away from zero."""
    return int(math.floor(value + 0.5)) if value >= 0 else -int(math.floor(-value + 0.5))


_VALUE_KINDS: dict[object, _ValueStyles] = {}  # as _STYLE_KINDS
_NO_STYLES = _ValueStyles([])


def _value_kinds(archive: zipfile.ZipFile, content: bytes) -> _ValueStyles:
    """What calamine makes of a number in each cell style: "number", "datetime", "duration", or "?" (a format
    not known here to be read alike: a number in such a cell is left to calamine)."""
    try:
        key = _member_key(archive, content, "xl/styles.xml")
    except KeyError:
        return _NO_STYLES
    styles = _VALUE_KINDS.get(key)
    if styles is None:
        if len(_VALUE_KINDS) > 64:
            _VALUE_KINDS.clear()
        root = ElementTree.fromstring(_member(archive, content, "xl/styles.xml"))
        codes = {int(n.get("numFmtId", -1)): n.get("formatCode", "") for n in root.iter(f"{_MAIN}numFmt")}
        kinds = []
        cell_xfs = root.find(f"{_MAIN}cellXfs")
        for xf in cell_xfs if cell_xfs is not None else ():
            number = int(xf.get("numFmtId") or 0)
            kinds.append(_code_value_kind(codes[number]) if number in codes else _BUILTIN_VALUE_KINDS.get(number, "?"))
        styles = _VALUE_KINDS[key] = _ValueStyles(kinds)
    return styles


_BUILTIN_VALUE_KINDS = {**dict.fromkeys((*range(0, 14), *range(37, 45), 48, 49), "number"),
                        **dict.fromkeys((*range(14, 23), 45, 47), "datetime"), 46: "duration"}
_NUMBER_CODE = re.compile(r'(?:\[\$[^\]]*\]|\[(?:Red|Black|Blue|Green)\]|"[^"]*"|[0#?.,%+\- ()]|\\.)*', re.IGNORECASE)
_DATE_CODE = re.compile(r"(?:\[\$-[0-9A-F]+\])?(?:[dmy]+|[hs]+|\\?[/\-. :,])+", re.IGNORECASE)
_DURATION_CODE = re.compile(r"\[h+\](?::mm(?::ss)?)?")


def _code_value_kind(code: str) -> str:
    if code == "General" or all(_NUMBER_CODE.fullmatch(part) for part in code.split(";")):
        return "number"
    if _DATE_CODE.fullmatch(code):
        return "datetime"
    if _DURATION_CODE.fullmatch(code):
        return "duration"
    return "?"


_LOCAL = struct.Struct("<IHHHHHIIIHH")  # a zip member's local header
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # its central directory entry
_END = struct.Struct("<IHHHHIIH")  # the end of the central directory


def _repacked(archive: zipfile.ZipFile, content: bytes, replaced: Mapping[str, bytes]) -> bytes | None:
    """The zip with the members in ``replaced`` given that content (stored); every other member's compressed bytes
    copied as they are, with their CRC. None for a zip this does not copy (encrypted, zip64, another compression)."""
    local, central = [], []
    offset = 0
    infos = archive.infolist()
    for info in infos:
        name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        data = replaced.get(info.filename)
        if data is not None:
            method, crc, raw, size = zipfile.ZIP_STORED, zlib.crc32(data), data, len(data)
        else:
            if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                return None
            at = info.header_offset
            if len(content) < at + _LOCAL_HEADER.size:
                return None
            signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(content, at)
            start = at + _LOCAL_HEADER.size + name_length + extra_length
            if signature != b"PK\x03\x04" or start + info.compress_size > len(content):
                return None
            method, crc, raw, size = info.compress_type, info.CRC, content[start:start + info.compress_size], info.file_size
        if max(len(raw), size, offset) >= 0xFFFFFFFF or len(infos) >= 0xFFFF:
            return None
        flags = info.flag_bits & 0x800
        local.append(_LOCAL.pack(0x04034B50, 20, flags, method, 0, 0x21, crc, len(raw), size, len(name), 0))
        local.append(name)
        local.append(raw)
        central.append(_CENTRAL.pack(0x02014B50, 20, 20, flags, method, 0, 0x21, crc, len(raw), size, len(name), 0, 0, 0, 0, 0, offset))
        central.append(name)
        offset += _LOCAL.size + len(name) + len(raw)
    directory = b"".join(central)
    return b"".join((*local, directory, _END.pack(0x06054B50, 0, 0, len(infos), len(infos), len(directory), offset, 0)))


def _unusable_path(path: Path) -> str | None:
    """Why ``path`` cannot be read (a WorkbookError reason), or None."""
    try:
        if path.is_dir():
            return "directory"
        if not path.exists():
            return "broken_link" if path.is_symlink() else "missing"
        with open(path, "rb"):
            return None
    except PermissionError:
        return "permission"
    except OSError:  # a symlink loop, or a name the file system refuses
        return "broken_link"


def _sheet_details(archive: zipfile.ZipFile, content: bytes,
                   wanted: Collection[str]) -> dict[str, tuple[SheetDetails, list[tuple[int, int, object]]]]:
    """For each sheet in ``wanted``: its SheetDetails and its error cells [(row, column, "#DIV/0!")].

    One pass over the zip (held in memory): the workbook's sheet list,
    styles.xml (which number format each cell style has) and the XML of the
    wanted sheets only.
    """
    members = {member: title for member, title in _sheet_members(archive, content).items() if title in wanted}
    if not members:
        return {}
    kinds = _style_kinds(archive, content)
    # (calamine read these sheets to their end, so their CRC is checked: a bad one raised there)
    return {title: _parse_sheet(_member(archive, content, member, checked=True), kinds) for member, title in members.items()}


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # a zip member's local header: signature, ..., name and extra field lengths


def _member(archive: zipfile.ZipFile, content: bytes, name: str, checked: bool = False) -> bytes:
    """The zip member ``name`` (KeyError when there is none), inflated in one call from the file's bytes.

    Its CRC is checked unless calamine already did (``checked``). zipfile's own
    read (in 4 KB steps) reads anything unusual, and raises as before for a
    damaged member: an encrypted member, another compression, a header, a
    length or a CRC that does not add up.
    """
    info = archive.NameToInfo.get(name)
    if info is None or info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return archive.read(name)
    at = info.header_offset
    if len(content) < at + _LOCAL_HEADER.size:
        return archive.read(name)
    signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(content, at)
    start = at + _LOCAL_HEADER.size + name_length + extra_length
    if signature != b"PK\x03\x04" or start + info.compress_size > len(content):
        return archive.read(name)
    raw = memoryview(content)[start:start + info.compress_size]
    try:
        data = zlib.decompress(raw, -zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else bytes(raw)
    except zlib.error:
        return archive.read(name)
    if len(data) != info.file_size or not checked and zlib.crc32(data) != info.CRC:
        return archive.read(name)
    return data


def _member_key(archive: zipfile.ZipFile, content: bytes, name: str) -> object:
    """What identifies the zip member ``name``'s content, for a cache of what is read from it: its compressed
    bytes with their compression, CRC and size (the same bytes inflate to the same content: workbooks made
    alike need not inflate it again), or, for a member stored another way, its content (`_member`)."""
    info = archive.NameToInfo.get(name)
    if info is not None and not info.flag_bits & 0x1 and info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        at = info.header_offset
        if len(content) >= at + _LOCAL_HEADER.size:
            signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(content, at)
            start = at + _LOCAL_HEADER.size + name_length + extra_length
            if signature == b"PK\x03\x04" and start + info.compress_size <= len(content):
                return info.compress_type, info.CRC, info.file_size, content[start:start + info.compress_size]
    return _member(archive, content, name)


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


_MEMBERS: dict[tuple[object, object], dict[str, str]] = {}  # by workbook.xml and its relationships (`_member_key`)


def _sheet_members(archive: zipfile.ZipFile, content: bytes) -> dict[str, str]:
    """{zip member of a worksheet: its sheet title}, from xl/workbook.xml and its relationships."""
    key = (_member_key(archive, content, "xl/workbook.xml"), _member_key(archive, content, "xl/_rels/workbook.xml.rels"))
    members = _MEMBERS.get(key)
    if members is None:
        if len(_MEMBERS) > 64:
            _MEMBERS.clear()
        members = _read_sheet_members(_member(archive, content, "xl/workbook.xml"),
                                      _member(archive, content, "xl/_rels/workbook.xml.rels"))
        _MEMBERS[key] = members
    return members


def _read_sheet_members(workbook: bytes, relationships: bytes) -> dict[str, str]:
    targets = {rel.get("Id"): rel.get("Target", "") for rel in ElementTree.fromstring(relationships)}
    members = {}
    for sheet in ElementTree.fromstring(workbook).iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        name = sheet.get("name")
        if name is not None:  # (every sheet has one; a title-less one could not be asked for anyway)
            members[member] = name
    return members


# Built-in number formats (ECMA-376 18.8.30): 9 and 10 are percents; these are dates and times
# (27-36 and 50-58 are the East Asian date formats).
_BUILTIN_PERCENT = frozenset({9, 10})
_BUILTIN_DATE = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.')
_BRACKETS = re.compile(r"\[([^\]]*)\]")


def format_kind(code: str) -> FormatKind:
    """The kind of a custom number-format code: "percent", "date" or "other".

    Quoted text, escaped characters and [colour]/[$-locale] sections do not
    count; a % makes a percent, a day, month, year, hour or second token a date
    (an elapsed time such as [h]:mm counts as a date too).
    """
    code = _QUOTED.sub("", code.split(";", 1)[0])
    elapsed = any(inner.lower() in ("h", "hh", "m", "mm", "s", "ss") for inner in _BRACKETS.findall(code))
    code = _BRACKETS.sub("", code).lower().replace("general", "")
    if "%" in code:
        return "percent"
    if elapsed or any(token in code for token in "ymdhs") or "am/pm" in code:
        return "date"
    return "other"


_STYLE_KINDS: dict[object, list[FormatKind]] = {}  # by styles.xml (`_member_key`): workbooks provisioned alike share one


def _style_kinds(archive: zipfile.ZipFile, content: bytes) -> list[FormatKind]:
    """The format kind of each cell style (a cell's ``s`` attribute indexes this list)."""
    try:
        key = _member_key(archive, content, "xl/styles.xml")
    except KeyError:  # no styles part: every cell is General
        return []
    kinds = _STYLE_KINDS.get(key)
    if kinds is None:
        if len(_STYLE_KINDS) > 64:
            _STYLE_KINDS.clear()
        kinds = _read_style_kinds(ElementTree.fromstring(_member(archive, content, "xl/styles.xml")))
        _STYLE_KINDS[key] = kinds
    return kinds


def _read_style_kinds(styles: ElementTree.Element) -> list[FormatKind]:
    codes = {int(n.get("numFmtId", -1)): n.get("formatCode", "") for n in styles.iter(f"{_MAIN}numFmt")}
    kinds: list[FormatKind] = []
    cell_xfs = styles.find(f"{_MAIN}cellXfs")
    for xf in cell_xfs if cell_xfs is not None else ():
        number = int(xf.get("numFmtId") or 0)
        if number in codes:
            kinds.append(format_kind(codes[number]))
        else:
            kinds.append("percent" if number in _BUILTIN_PERCENT else "date" if number in _BUILTIN_DATE else "other")
    return kinds


# A worksheet's rows and cells, scanned with regular expressions: a full XML parse of every OKR
# sheet costs the rollup several times what calamine's own read does (benchmarks/rollup_excel.py).
# Text cannot hide a "<" (XML escapes it), so a cell's content always ends at the first "</c>".
_ROW_OR_CELL = re.compile(
    rb"<(?:[\w.-]+:)?row\b([^>]*)>|<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.DOTALL)
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.DOTALL)
_VALUE_ANY = re.compile(rb"<(?:[\w.-]+:)?v\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?v>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Za-z]*)(\d*)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_SHARED_INDEX = re.compile(rb'\bsi="(\d+)"')
_PROTECTION = re.compile(rb'<(?:[\w.-]+:)?sheetProtection\b([^>]*)>')
_SHEET_ON = re.compile(rb'\bsheet="(1|true)"', re.IGNORECASE)


# The usual shape of a cell's start tag, as Excel, LibreOffice and openpyxl write it: r, then s and t
# if any. Only the few cells holding a formula or an error have their content looked at.
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?[ />]')
_ODD_CELL = re.compile(rb'<c(?:>| (?!r="))|<[\w.-]+:c[ >]')  # a cell of another shape: no reference first, a prefix


def _has_odd_cell(xml: bytes) -> bool:
    """Whether ``_ODD_CELL`` finds a cell in ``xml``, the same answer found faster: its second branch, which tries
    every "<" of the XML, runs only when a namespace-prefixed ":c" tag may be there."""
    return _ODD_PLAIN_CELL.search(xml) is not None or b":c" in xml and _ODD_CELL.search(xml) is not None


_ODD_PLAIN_CELL = re.compile(rb'<c(?:>| (?!r="))')  # _ODD_CELL's first branch


# LibreOffice opens a typed TRUE/FALSE as the formula =TRUE()/=FALSE() and saves it so, stored as the number
# 1/0 in a cell formatted as a number: read it as the boolean a team typed, as in the file Excel saved.
_BOOLEANS = {"TRUE()": True, "FALSE()": False}


def _parse_sheet(xml: bytes, kinds: list[FormatKind]) -> tuple[SheetDetails, list[tuple[int, int, object]]]:
    """One sheet's details and the cells calamine reads wrongly (error values, re-saved booleans), from its XML."""
    first, last = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    usual = _parse_usual_sheet(xml, first, last, kinds) if 0 <= first < last else None
    if usual is not None:
        return usual[:2]
    formulas: dict[tuple[int, int], str] = {}
    no_result: set[tuple[int, int]] = set()
    errors: list[tuple[int, int, object]] = []
    if not _has_odd_cell(xml):  # every cell starts <c r="A1": look a cell's style up when asked, and only at cells with content
        data = xml[first:last] if 0 <= first < last else b""  # not the <formula> of validations and colours
        format_kinds: Mapping[tuple[int, int], FormatKind] = _FormatKinds(data, kinds)
        inside = _cells_with(data, b"<f") + (_cells_with(data, b' t="e"') if b' t="e"' in data else [])
    else:  # another writer's shape: read each cell the long way
        cells = list(_cells(xml))
        format_kinds = {(int(row), _column_number(letters)): kinds[int(style or 0)]
                        for letters, row, style, _, _ in cells if int(style or 0) < len(kinds) and kinds[int(style or 0)] != "other"}
        inside = [(letters, row, cell_type, content) for letters, row, _, cell_type, content in cells
                  if cell_type == b"e" or b"f" in content]
    _read_cells(inside, formulas, no_result, errors)
    return SheetDetails(format_kinds, formulas, frozenset(no_result), _protected(xml, last)), errors


def _read_cells(inside: list[tuple[bytes, bytes, bytes, bytes]], formulas: dict[tuple[int, int], str],
                no_result: set[tuple[int, int]], errors: list[tuple[int, int, object]]) -> None:
    """The formulas, formulas without a saved result and error values of the cells ``inside`` (as _cells_with gives them)."""
    for letters, row, cell_type, content in inside:
        position = (int(row), _column_number(letters))
        if position in formulas or any(e[:2] == position for e in errors):
            continue  # an error cell with a formula is found twice
        value = _element(content, b"v")
        saved = value[1] if value else None
        if cell_type == b"e":
            errors.append((*position, _xml_text(saved) if saved else "#N/A"))
        formula = _element(content, b"f")
        if formula is not None:
            attributes, text = formula
            if text is not None:
                formulas[position] = _xml_text(text)
                boolean = _BOOLEANS.get(formulas[position].replace(" ", "").upper())
                if boolean is not None:  # LibreOffice's re-save of a typed TRUE/FALSE: read as the boolean typed
                    errors.append((*position, boolean))
            else:  # a shared formula's other cells hold only the index of its first cell
                shared = _SHARED_INDEX.search(attributes)
                formulas[position] = f"shared:{shared[1].decode() if shared else ''}"
            if not saved and cell_type != b"str":
                no_result.add(position)


def _protected(xml: bytes, last: int) -> bool:
    protection = _PROTECTION.search(xml, max(last, 0))  # after the cells
    return protection is not None and _SHEET_ON.search(protection[1]) is not None


# A formula cell as Excel, LibreOffice, openpyxl and XlsxWriter write it, <c r="J10" s="6" t="str"><f>...</f>
# <v>...</v></c> (an attribute on <f>, such as LibreOffice's aca="false" or a shared formula's first cell, is
# allowed). A team sheet's formulas, most of them the hidden check-in columns', are three quarters of its XML:
# one split of the cells takes them out, and every other search looks only at the rest. (Possessive
# quantifiers, *+: a formula's text is scanned once, never backtracked into.)
_FORMULA_CELL = re.compile(
    rb'(<c r="([A-Z]+\d+)"(?: s="(\d+)")?(?: t="(\w+)")?>)<f(?: [^>]*+)?>([^<]*+)</f>((?:<v>([^<]*+)</v>|<v */>)?</c>)')
# What _FORMULA_CELL.split gives for each formula cell: the XML before it and the pattern's seven groups: its start
# tag, reference, style, type, formula text, what follows the formula (its <v> and </c>), and its saved result.
_SPLIT = 8


class _Positions(dict):
    """{a cell reference (b"J10"): its (row, column)}, filled as references are met (a company's sheets share most)."""

    def __missing__(self, ref: bytes) -> tuple[int, int]:
        letters = ref.rstrip(b"0123456789")
        if len(self) > 16_384:
            self.clear()
        position = self[ref] = (int(ref[len(letters):]), _column_number(letters))
        return position


class _FormulaTexts(dict):
    """{a formula's XML text: the formula}, one str for each distinct text, so the locked-cell hash's cache of
    canonical formulas finds it at once (workbooks made from the same templates repeat the same few hundred)."""

    size = 0

    def __missing__(self, raw: bytes) -> str:
        text = _xml_text(raw)
        if self.size > 4 * 2**20:
            self.clear()
            self.size = 0
        self.size += len(raw)
        self[raw] = text
        if _BOOLEANS.get(text.replace(" ", "").upper()) is not None:
            _BOOLEAN_FORMULAS.add(text)
        return text


_POSITIONS = _Positions()
_FORMULA_TEXTS = _FormulaTexts()
_BOOLEAN_FORMULAS: set[str] = set()  # the texts of _FORMULA_TEXTS that are LibreOffice's re-saved TRUE/FALSE


def _parse_usual_sheet(xml: bytes, first: int, last: int, kinds: list[FormatKind]
                       ) -> tuple[SheetDetails, list[tuple[int, int, object]], _Split] | None:
    """`_parse_sheet` for a sheet whose formula cells all have _FORMULA_CELL's shape, and every cell the
    shape _PLAIN_CELL looks for; None for any other sheet (read the long way, to the same result).

    Also gives the sheet's cells split (`_Split`): `_OwnValues` reads their values, `_read_trimmed` gives
    calamine the sheet without formulas.
    """
    data = xml[first:last]
    parts = _FORMULA_CELL.split(data)
    rest = b"".join(parts[::_SPLIT])  # the sheet's cells but its formula cells (cells are only in <sheetData>)
    if b"<f" in rest or _has_odd_cell(rest):
        return None  # a formula of another shape (a shared formula's other cells), or a cell of another shape
    positions = list(map(_POSITIONS.__getitem__, parts[2::_SPLIT]))
    texts = list(map(_FORMULA_TEXTS.__getitem__, parts[5::_SPLIT]))
    formulas = dict(zip(positions, texts))
    if len(formulas) < len(positions):
        return None  # a cell written twice: the long way keeps the first
    types, saved = parts[4::_SPLIT], parts[7::_SPLIT]
    no_result = {position for position, cell_type, value in zip(positions, types, saved) if not value and cell_type != b"str"}
    errors: list[tuple[int, int, object]] = []
    if b"e" in types or not _BOOLEAN_FORMULAS.isdisjoint(texts):  # as _read_cells reads them
        for position, cell_type, text, value in zip(positions, types, texts, saved):
            if cell_type == b"e":
                errors.append((*position, _xml_text(value) if value else "#N/A"))
            boolean = _BOOLEANS.get(text.replace(" ", "").upper())
            if boolean is not None:
                errors.append((*position, boolean))
    if b' t="e"' in rest:  # error values typed or pasted, not computed
        _read_cells(_cells_with(rest, b' t="e"'), formulas, no_result, errors)
    format_kinds = _FormatKinds(data, kinds, rest, dict(zip(positions, parts[3::_SPLIT])))
    return SheetDetails(format_kinds, formulas, frozenset(no_result), _protected(xml, last)), errors, _Split(parts, rest, positions)


class _Split:
    """A usual sheet's ``<sheetData>`` as `_parse_usual_sheet` split it: ``parts`` (_FORMULA_CELL.split's),
    ``rest`` (every cell but the formula cells) and ``positions`` (the formula cells', in order)."""

    def __init__(self, parts: list[bytes], rest: bytes, positions: list[tuple[int, int]]):
        self.parts, self.rest, self.positions = parts, rest, positions

    def trimmed(self) -> bytes:
        """The ``<sheetData>`` as calamine reads it alike (see `_read_trimmed`): each formula cell without its
        ``<f>``, and a formula cell with no ``<v>`` element left out."""
        parts = self.parts
        saved = parts[7::_SPLIT]
        kept = [value is not None for value in saved]  # (<v></v> is a value too: an empty text result)
        cells: list[bytes] = [b""] * (3 * len(saved) + 1)
        cells[::3] = parts[::_SPLIT]
        cells[1::3] = [tag if keep else b"" for tag, keep in zip(parts[1::_SPLIT], kept)]
        cells[2::3] = [tail if keep else b"" for tail, keep in zip(parts[6::_SPLIT], kept)]
        return b"".join(cells)


class _FormatKinds(Mapping):
    """{(row, column): format kind} of a sheet's non-General cells, each looked up in the XML when asked.

    The rollup asks for a few cells per KR row; finding a cell's tag costs far
    less than reading every cell's style up front.
    """

    def __init__(self, data: bytes, kinds: list[FormatKind], rest: bytes | None = None,
                 formula_styles: dict[tuple[int, int], bytes | None] | None = None):
        """``data`` the sheet's cells; with `_parse_usual_sheet`, ``rest`` those but the formula cells and
        ``formula_styles`` the style (``s``) of each formula cell, None when it has none."""
        self._data, self._kinds = data, kinds
        self._rest, self._formula_styles = (data, {}) if rest is None else (rest, formula_styles or {})
        self._all: dict[tuple[int, int], FormatKind] | None = None

    def get(self, position, default=None):
        row, column = position
        tag = b'<c r="%s%d"' % (_column_letters(column), row)
        data = self._rest
        at = data.find(tag)
        style = self._formula_styles.get(position, b"")
        if style != b"":  # a formula cell
            if at >= 0:  # and another cell with its reference: the first in the sheet counts
                data = self._data
                at = data.find(tag)
            else:
                return self._kind(int(style) if style else 0, default)
        if at < 0:
            return default
        match = _PLAIN_CELL.match(data, at)
        return self._kind(int(match[3]) if match and match[3] else 0, default)

    def _kind(self, index: int, default):
        kind = self._kinds[index] if index < len(self._kinds) else "other"
        return default if kind == "other" else kind

    def __getitem__(self, position):
        kind = self.get(position)
        if kind is None:
            raise KeyError(position)
        return kind

    def _every(self) -> dict[tuple[int, int], FormatKind]:
        if self._all is None:
            self._all = {}
            for letters, row, style, _ in _PLAIN_CELL.findall(self._data):
                index = int(style or 0)
                if index < len(self._kinds) and self._kinds[index] != "other":
                    self._all[int(row), _column_number(letters)] = self._kinds[index]
        return self._all

    def __iter__(self):
        return iter(self._every())

    def __len__(self) -> int:
        return len(self._every())


def _cells_with(xml: bytes, marker: bytes) -> list[tuple[bytes, bytes, bytes, bytes]]:
    """(column letters, row, type, content) of each plainly written cell whose XML holds ``marker``."""
    found = []
    at = xml.find(marker)
    while at >= 0:
        start = xml.rfind(b"<c ", 0, at)
        match = _PLAIN_CELL.match(xml, start) if start >= 0 else None
        end = xml.find(b"</c>", at)
        if match is None or end < 0:
            break
        opened = xml.find(b">", start) + 1
        if xml[opened - 2:opened] == b"/>":  # <c .../> is empty
            end = opened
        found.append((match[1], match[2], match[4] or b"", xml[opened:end]))
        at = xml.find(marker, end)
    return found


def _element(content: bytes, tag: bytes) -> tuple[bytes, bytes | None] | None:
    """(attributes, text) of the first <tag> in a cell's content; text None when it is empty (<tag/>)."""
    start = content.find(b"<" + tag)
    while start >= 0 and content[start + len(tag) + 1:start + len(tag) + 2] not in (b">", b" ", b"/"):
        start = content.find(b"<" + tag, start + 1)  # <fxyz> is not <f>
    if start < 0:
        match = (_FORMULA if tag == b"f" else _VALUE_ANY).search(content)  # a namespace prefix: <x:f>
        return (match[1], match[2]) if match else None
    end = content.find(b">", start)
    if content[end - 1:end] == b"/":
        return content[start + len(tag) + 1:end - 1], None
    close = content.find(b"</" + tag + b">", end)
    return content[start + len(tag) + 1:end], content[end + 1:close] if close >= 0 else None


def _cells(xml: bytes):
    """(column letters, row, style, type, content) of every cell, as _PLAIN_CELL gives them, whatever the
    attributes' order or namespace prefix; a cell without a reference follows the one before it."""
    row_number = column = 0
    for match in _ROW_OR_CELL.finditer(xml):
        row_attributes, attributes, content = match.groups()
        if row_attributes is not None:
            ref = _REF.search(row_attributes)
            row_number = int(ref[2]) if ref and ref[2] else row_number + 1
            column = 0
            continue
        ref = _REF.search(attributes)
        column = _column_number(ref[1]) if ref and ref[1] else column + 1
        style, cell_type = _STYLE.search(attributes), _TYPE.search(attributes)
        yield (_column_letters(column), str(row_number).encode(), style[1] if style else b"",
               cell_type[1] if cell_type else b"", content or b"")


_COLUMN_LETTERS: dict[int, bytes] = {}


def _column_letters(column: int) -> bytes:
    """A column's letters as bytes (28 -> b"AB"): the rollup asks for a few columns of every KR row."""
    letters = _COLUMN_LETTERS.get(column)
    if letters is None:
        letters = _COLUMN_LETTERS[column] = column_letter(column).encode("ascii")
    return letters


def _xml_text(raw: bytes) -> str:
    """Element text as XML reads it: entities and character references unescaped."""
    if b"&" in raw:
        raw = raw.replace(b"&lt;", b"<").replace(b"&gt;", b">").replace(b"&quot;", b'"').replace(b"&apos;", b"'")
        if b"&#" in raw:
            return html.unescape(raw.decode("utf-8"))
        raw = raw.replace(b"&amp;", b"&")
    return raw.decode("utf-8")


_COLUMN_NUMBERS: dict[bytes, int] = {}


def _column_number(letters: bytes) -> int:
    """The 1-based column of a reference's letters (b"AB" -> 28)."""
    number = _COLUMN_NUMBERS.get(letters)
    if number is None:
        number = _COLUMN_NUMBERS[letters] = column_number(letters.decode("ascii"))
    return number


def _restore_error_values(rows: list[list[Any]], errors: Collection[tuple[int, int, object]]) -> None:
    """Put each error value back into the cell calamine left empty, as its text ("#DIV/0!"), and each
    boolean LibreOffice saved as =TRUE()/=FALSE() in place of the number calamine read."""
    for row, column, error in errors:
        while len(rows) < row:
            rows.append([])
        values = rows[row - 1]
        values.extend([None] * (column - len(values)))
        values[column - 1] = error


_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _why(path: Path) -> str:
    """Why calamine could not open the file: a WorkbookError reason."""
    with open(path, "rb") as handle:
        head = handle.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file: a password-protected .xlsx, or an old .xls
            content = head + handle.read(64 * 1024 * 1024)
            if "EncryptionInfo".encode("utf-16-le") in content:
                return "password"
            if "Workbook".encode("utf-16-le") in content or "Book".encode("utf-16-le") in content:
                return "xls"
            return "encrypted"
        text = head + handle.read(4096)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip().startswith(_ODS_MIMETYPE):
                    return "ods"
                if "xl/workbook.xml" not in names:
                    return "not_a_workbook"
        except (zipfile.BadZipFile, OSError, KeyError):
            pass
        return "damaged"
    try:
        decoded = text.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "not_a_workbook"
    lines = [line for line in decoded.splitlines() if line.strip()]
    if lines and any(sep in lines[0] for sep in (",", ";", "\t")):
        return "csv"
    return "not_a_workbook"
