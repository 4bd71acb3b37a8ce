"""The Excel renderer of team workbooks: a :class:`~okrsheets.sheets.spec.WorkbookSpec` written with XlsxWriter.

Provisioning writes every team workbook whole from its spec: a new one, and a
changed one rebuilt with the cells its team typed carried over
(:mod:`okrsheets.jobs.provision`, which reads those cells with openpyxl through
``excel.read_typed_cells``). So this is the one renderer of team workbooks;
openpyxl only reads.

What a spec says is written as openpyxl wrote it before: values; formulas
without a cached result (Excel and LibreOffice calculate them on opening, and
the reader knows a never-calculated file by it); number formats (Excel's
built-in formats by their built-in number, as Excel and openpyxl store them, so
a team's short date stays its locale's short date); fonts, fills, alignment and
the locked flag; column widths to the pixel; row heights; hidden columns;
merges; frozen panes; data validation with its messages; conditional colours
and data bars in the order they were added; sheet protection with the password
hash; the hidden metadata sheet; page setup and margins.

Each distinct cell format is made once per workbook (`_Book`). Cells go
straight into XlsxWriter's cell table: formulas skip XlsxWriter's rewriting of
function names (thirty regular-expression passes over each of a team sheet's
long formulas, more time than everything else together), which a file written
by provisioning never needs: the spec's formulas are written as they are, with
Excel's ``_xlfn.`` prefix added where a function needs it, and a team's typed
formula as the file held it.

Text is always written as a string cell (``write_string``), never a formula, a
number or a link, whatever it starts with. An error value a team typed
(``#REF!``, ``#N/A``...) stays an error value.
"""

from __future__ import annotations

import re
from collections import namedtuple
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, cast

from xlsxwriter import Workbook
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import (
    CellBlankTuple,
    CellDatetimeTuple,
    CellFormulaTuple,
    CellNumberTuple,
    CellStringTuple,
    Worksheet,
)

from okrsheets.i18n import GRADE_FILL, GRADE_FONT
from okrsheets.sheets.spec import FONT, STYLES, Cell, CellError, Formula, PrintSetup, SheetSpec, Validation, WorkbookSpec

__all__ = ["close_workbook", "print_setup", "write_workbook"]

# Text is written with write_string only; these options also keep any other write from turning text
# into formulas, links or numbers. in_memory: no temporary files of XlsxWriter's own.
_WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "in_memory": True}
# Functions newer than Excel 2007 are stored with the "_xlfn." prefix in a file, or Excel and LibreOffice say #NAME?.
_NEWER_FUNCTIONS = re.compile(r"\b(ISFORMULA|FORMULATEXT)\(")
_NEWER_NAMES = ("ISFORMULA(", "FORMULATEXT(")
# The format a date or time value gets when its cell names none: the sheet's dates, and openpyxl's defaults.
_DEFAULT_FORMATS = {datetime: "yyyy-mm-dd", date: "yyyy-mm-dd", time: "h:mm:ss", timedelta: "[hh]:mm:ss"}
# Excel's default column: one character of 11-point Calibri is 7 pixels wide (a width counts its padding too).
_PIXELS_PER_CHARACTER = 7
# The margins openpyxl wrote, in inches (XlsxWriter's own defaults are narrower).
_MARGINS = {"left": 0.75, "right": 0.75, "top": 1, "bottom": 1}
_HEADER_FOOTER_MARGIN = 0.5
_TITLE_LIMIT, _MESSAGE_LIMIT = 32, 255  # Excel's limits on a validation's titles and messages, in UTF-16 units

# An error value a team typed: <c t="e"><v>#REF!</v></c> (XlsxWriter writes error values only for images).
_ErrorCell = namedtuple("_ErrorCell", "error, format")


class _TeamWorksheet(Worksheet):
    """XlsxWriter's worksheet, with the parts a team workbook needs written its own way.

    - cells: one more kind, an error value a team typed (`_ErrorCell`), and the
      usual kinds written without XlsxWriter's general attribute loop;
    - formulas of conditional colours: as the spec has them (`_formula`);
    - data validation: straight from the spec's `Validation`, its operator
      named even when it is "between", Excel's default (a reader sees the rule
      as written);
    - page setup: "fit to 1 page wide" written out (fitToWidth="1", Excel's
      default, which XlsxWriter leaves out).

    These override XlsxWriter methods that are not its public API (as of
    XlsxWriter 3.3): tests/test_excel_write.py reads every feature back and
    fails if another version writes any of them differently.
    """

    def _write_cell(self, row: int, col: int, cell) -> None:
        # The cells a spec holds, each with its format, written as XlsxWriter writes them but without its
        # general attribute loop (the innermost loop of a save); anything else is left to XlsxWriter.
        cell_format, kind = cell.format, type(cell)
        if cell_format is None:
            super()._write_cell(row, col, cell)
            return
        head = f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{cell_format._get_xf_index()}"'
        if kind is CellStringTuple:  # .string: the index in the shared strings
            self.fh.write(f'{head} t="s"><v>{cell.string}</v></c>')
        elif kind is CellFormulaTuple and cell.value == "":
            self.fh.write(f"{head}><f>{self._escape_data(cell.formula)}</f><v></v></c>")
        elif kind is CellNumberTuple or kind is CellDatetimeTuple:
            self.fh.write(f"{head}><v>{cell.number:.16G}</v></c>")
        elif kind is CellBlankTuple:
            self.fh.write(f"{head}/>")
        elif kind is _ErrorCell:
            self.fh.write(f'{head} t="e"><v>{self._escape_data(cell.error)}</v></c>')
        else:
            super()._write_cell(row, col, cell)

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        # A formula of the spec (the conditional colours') as the file stores it: see _formula.
        return _formula(formula)

    def _write_data_validation(self, rule) -> None:
        if not isinstance(rule, Validation):
            super()._write_data_validation(rule)
            return
        parts = [f'<dataValidation type="{rule.type}"']
        if rule.operator:
            parts.append(f' operator="{rule.operator}"')
        parts.append(' errorStyle="stop" allowBlank="1"' if rule.strict else ' errorStyle="warning" allowBlank="1"')
        if rule.prompt:
            parts.append(' showInputMessage="1"')
        parts.append(' showErrorMessage="1"')
        for name, text, limit in (("errorTitle", rule.error_title, _TITLE_LIMIT), ("error", rule.error, _MESSAGE_LIMIT),
                                  ("promptTitle", rule.prompt_title, _TITLE_LIMIT), ("prompt", rule.prompt, _MESSAGE_LIMIT)):
            if text:
                parts.append(f' {name}="{_attribute(_utf16_prefix(text, limit))}"')
        parts.append(f' sqref="{rule.ref}">')
        formula1 = '"' + ",".join(rule.choices) + '"' if rule.type == "list" else rule.formula1
        if formula1 is not None:
            parts.append(f"<formula1>{self._escape_data(formula1)}</formula1>")
        if rule.formula2 is not None:
            parts.append(f"<formula2>{self._escape_data(rule.formula2)}</formula2>")
        parts.append("</dataValidation>")
        self.fh.write("".join(parts))

    def _write_page_setup(self) -> None:
        # The page setup a SheetSpec asks for: orientation and fit to width.
        if not self.page_setup_changed:
            return
        attributes = []
        if self.paper_size:
            attributes.append(("paperSize", self.paper_size))
        if self.fit_page:
            attributes += [("fitToWidth", self.fit_width), ("fitToHeight", self.fit_height)]
        attributes.append(("orientation", "portrait" if self.orientation else "landscape"))
        self._xml_empty_tag("pageSetup", attributes)


def write_workbook(spec: WorkbookSpec, target: str | Path | BinaryIO) -> None:
    """Write ``spec`` as an .xlsx file at ``target`` (a path or a binary file object).

    An OSError while saving is raised as itself. Raises ValueError naming the
    sheet and cell or range when the spec holds something XlsxWriter cannot
    write, rather than leave it out.
    """
    workbook = Workbook(str(target) if isinstance(target, Path) else target, _WORKBOOK_OPTIONS)
    book = _Book(workbook)
    for sheet in spec.sheets:
        _render_sheet(book, sheet, spec.protection_password)
    close_workbook(workbook)


def close_workbook(workbook: Workbook) -> None:
    """Save an XlsxWriter workbook; an OSError while saving (disk full, permissions) is raised as itself."""
    try:
        workbook.close()
    except FileCreateError as error:  # XlsxWriter wraps the OSError
        cause = error.args[0] if error.args else None
        if isinstance(cause, OSError):
            raise cause from None
        raise


class _Book:
    """The workbook being written, with each cell format and each colour format made once."""

    def __init__(self, workbook: Workbook):
        self.workbook = workbook
        self.formats: dict[tuple[str, bool, str | None], Format] = {}  # by (style, locked, number format)
        self._colours: dict[tuple[str, str, bool], Format] = {}

    def format(self, style: str, locked: bool, number_format: str | None) -> Format:
        key = (style, locked, number_format)
        made = self.formats.get(key)
        if made is None:
            made = self.formats[key] = self.workbook.add_format(_properties(style, locked, number_format))
        return made

    def colour(self, fill: str, font: str, bold: bool = False) -> Format:
        """The format of a conditional colour: a solid fill and a font colour (ARGB hex, as in the spec)."""
        key = (fill, font, bold)
        made = self._colours.get(key)
        if made is None:
            properties: dict[str, str | bool] = {"bg_color": _rgb(fill), "fg_color": _rgb(fill), "font_color": _rgb(font)}
            if bold:
                properties["bold"] = True
            made = self._colours[key] = self.workbook.add_format(properties)
        return made


def _properties(style: str, locked: bool, number_format: str | None) -> dict:
    s = STYLES[style]
    properties: dict = {"font_name": FONT, "font_size": s.get("size", 11), "valign": "top"}
    if s.get("bold"):
        properties["bold"] = True
    if s.get("italic"):
        properties["italic"] = True
    if "colour" in s:
        properties["font_color"] = _rgb(s["colour"])
    if "fill" in s:
        properties["bg_color"] = _rgb(s["fill"])  # XlsxWriter: a solid fill in this colour
    if s.get("wrap"):
        properties["text_wrap"] = True
    if s.get("align"):
        properties["align"] = s["align"]
    if not locked:
        properties["locked"] = False
    if number_format:
        # Excel's built-in formats (0%, mm-dd-yy...) by number: a built-in date shows in the reader's locale.
        from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE  # here: the rollup imports this module, not openpyxl

        builtin = BUILTIN_FORMATS_REVERSE.get(number_format)
        properties["num_format"] = builtin if builtin else number_format  # "General" is 0: XlsxWriter maps the name
    return properties


def _rgb(argb: str) -> str:
    """An ARGB colour of the spec ("FF1F4E79") as XlsxWriter takes it ("#1F4E79")."""
    return "#" + argb[-6:]


def _render_sheet(book: _Book, spec: SheetSpec, password: str | None) -> None:
    ws = book.workbook.add_worksheet(spec.title, worksheet_class=_TeamWorksheet)
    covered = _merge(ws, spec)
    _write_cells(book, ws, spec, covered)
    hidden = set(spec.hidden_columns)
    for column in sorted(set(spec.column_widths) | hidden):
        width = spec.column_widths.get(column)
        pixels = None if width is None else round(width * _PIXELS_PER_CHARACTER)
        ws.set_column_pixels(column - 1, column - 1, pixels, None, {"hidden": column in hidden})
    for row, height in spec.row_heights.items():
        ws.set_row(row - 1, height)
    if spec.frozen_rows or spec.frozen_columns:
        ws.freeze_panes(spec.frozen_rows, spec.frozen_columns)
    ws.validations.extend(spec.validations)  # each written by _TeamWorksheet._write_data_validation
    _render_colours(book, ws, spec)
    ws.set_margins(**_MARGINS)
    ws.margin_header = ws.margin_footer = _HEADER_FOOTER_MARGIN
    if spec.landscape:
        ws.set_landscape()
    if spec.fit_to_width:
        ws.fit_to_pages(1, 0)
    if spec.print_setup is not None:
        print_setup(ws, spec.print_setup)
    if spec.protected:
        # objects and scenarios left editable, the rest of Excel's defaults, as openpyxl wrote it
        ws.protect(password or "", {"objects": True, "scenarios": True})
    if spec.hidden:
        ws.hide()


_PAPER_SIZES = {"A4": 9}  # Excel's paper size numbers


def print_setup(ws: Worksheet, setup: PrintSetup) -> None:
    """Paper, orientation, fit to width, repeated rows, header, footer and margins (see spec.PrintSetup):
    for the team workbooks and the company summary alike."""
    ws.set_paper(_PAPER_SIZES.get(setup.paper, 9))
    if setup.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    if setup.fit_width:
        ws.fit_to_pages(1, 0)
    if setup.repeat_rows is not None:
        first, last = setup.repeat_rows
        ws.repeat_rows(first - 1, last - 1)
    # plain text: "&" is Excel's control character, doubled to print itself; an empty part is left out
    header = "".join(f"&{code}{text.replace('&', '&&')}" for code, text in zip("LCR", setup.header) if text)
    if header:
        ws.set_header(header, margin=_HEADER_FOOTER_MARGIN)
    ws.set_footer(f"&C{setup.page_word.replace('&', '&&')} &P / &N", margin=_HEADER_FOOTER_MARGIN)
    left, right, top, bottom = setup.margins
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)


def _merge(ws: Worksheet, spec: SheetSpec) -> set[tuple[int, int]]:
    """Merge the spec's ranges; returns the cells they cover other than each one's top-left (left empty, as Excel does)."""
    covered: set[tuple[int, int]] = set()
    for ref in spec.merged:
        first, _, last = ref.partition(":")
        (r1, c1), (r2, c2) = xl_cell_to_rowcol(first), xl_cell_to_rowcol(last or first)
        ws.merge_range(r1, c1, r2, c2, None)  # no value, no format: the spec's top-left cell is written next
        covered.update((r + 1, c + 1) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) != (r1, c1))
    return covered


def _write_cells(book: _Book, ws: _TeamWorksheet, spec: SheetSpec, covered: set[tuple[int, int]]) -> None:
    """Every cell of the spec, each written by its value's type (text always as text)."""
    table, made, make, check = ws.table, book.formats, book.format, ws._check_dimensions
    write_string, write_number, write_blank = ws._write_string, ws._write_number, ws._write_blank
    for (row, column), item in spec.cells.items():
        if covered and (row, column) in covered:
            continue
        r, c, value = row - 1, column - 1, item.value
        kind, number_format = type(value), item.number_format
        if number_format is None and kind in _DEFAULT_FORMATS:
            number_format = _DEFAULT_FORMATS[kind]
        key = (item.style, item.locked, number_format)
        cell_format = made.get(key) or make(*key)
        if kind is str:
            if value:
                write_string(r, c, value, cell_format)
            else:  # an empty text: an empty cell with its format, as openpyxl wrote it
                write_blank(r, c, None, cell_format)
        elif kind is Formula:
            if check(r, c):
                raise ValueError(f"{spec.title}!{_at(row, column)}: outside Excel's sheet")
            # no cached result ("" writes none): Excel and LibreOffice calculate it on opening
            table[r][c] = CellFormulaTuple(_formula(cast(Formula, value).text), cell_format, "")
        elif kind is int or kind is float:
            write_number(r, c, value, cell_format)
        elif value is None:
            write_blank(r, c, None, cell_format)
        elif kind is bool:
            ws._write_boolean(r, c, value, cell_format)
        elif kind is CellError:
            if check(r, c):
                raise ValueError(f"{spec.title}!{_at(row, column)}: outside Excel's sheet")
            table[r][c] = _ErrorCell(cast(CellError, value).text, cell_format)
        elif kind in _DEFAULT_FORMATS:
            if kind is not date and kind is not timedelta and cast(datetime, value).tzinfo is not None:
                value = cast(datetime, value).replace(tzinfo=None)
            ws._write_datetime(r, c, value, cell_format)
        else:
            _write_other(book, ws, spec, row, column, item)


def _write_other(book: _Book, ws: _TeamWorksheet, spec: SheetSpec, row: int, column: int, item: Cell) -> None:
    """A value of a subclass of a type the spec holds (an int, str or datetime subclass...), as that type."""
    value, r, c = item.value, row - 1, column - 1
    if isinstance(value, (int, float)):  # not bool: bool is written before
        ws._write_number(r, c, value, book.format(item.style, item.locked, item.number_format))
    elif isinstance(value, str):
        cell_format = book.format(item.style, item.locked, item.number_format)
        ws._write_string(r, c, str(value), cell_format) if value else ws._write_blank(r, c, None, cell_format)
    elif isinstance(value, (date, time, timedelta)):  # datetime is a date
        base = next(t for t in (datetime, date, time, timedelta) if isinstance(value, t))
        if isinstance(value, (datetime, time)) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        ws._write_datetime(r, c, value, book.format(item.style, item.locked, item.number_format or _DEFAULT_FORMATS[base]))
    else:
        raise ValueError(f"{spec.title}!{_at(row, column)}: cannot write a {type(value).__name__} value ({value!r})")


@lru_cache(maxsize=1024)  # the long check-in formulas repeat on every KR row of every workbook
def _formula(text: str) -> str:
    """A formula as the file stores it: without the "=", with Excel's "_xlfn." before the functions that need it.

    Nothing else is rewritten (XlsxWriter's own preparation runs thirty or
    more regular expressions over every formula, for functions no team
    workbook formula uses; a team's typed formula is kept as the file held it).
    """
    if "FORMULA" in text and any(name in text for name in _NEWER_NAMES):
        text = _NEWER_FUNCTIONS.sub(r"_xlfn.\1(", text)
    return text[1:] if text.startswith("=") else text


def _at(row: int, column: int) -> str:
    return xl_rowcol_to_cell(row - 1, column - 1)


def _attribute(text: str) -> str:
    """Text as an XML attribute value (as XlsxWriter escapes one)."""
    if "&" in text or '"' in text or "<" in text or ">" in text or "\n" in text:
        text = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "&#xA;")
    return text


def _utf16_prefix(text: str, limit: int) -> str:
    """The longest start of ``text`` at most ``limit`` UTF-16 units long (Excel counts titles and messages so)."""
    if 2 * len(text) <= limit:  # no character takes more than two units
        return text
    text = text[:limit]
    while len(text.encode("utf-16-le")) // 2 > limit:
        text = text[:-1]
    return text


def _render_colours(book: _Book, ws: Worksheet, spec: SheetSpec) -> None:
    """Conditional formats, in the spec's order of precedence (XlsxWriter numbers them in the order added)."""
    for mark in spec.formula_colours:  # before the grades: they take precedence
        _conditional(ws, spec, mark.ref, {"type": "formula", "criteria": mark.formula,
                                          "format": book.colour(mark.fill, mark.font, bold=True), "stop_if_true": True})
    for rule in spec.colour_rules:
        top_left = rule.ref.split(":")[0]
        tests = [f"ISNUMBER({top_left})"]
        if rule.low is not None:
            tests.append(f"{top_left}>={rule.low!r}")
        if rule.high is not None:
            tests.append(f"{top_left}<{rule.high!r}")
        colour = book.colour(GRADE_FILL[rule.grade], GRADE_FONT[rule.grade])
        _conditional(ws, spec, rule.ref, {"type": "formula", "criteria": f"AND({','.join(tests)})", "format": colour})
    if spec.data_bars:
        refs = " ".join(bar.ref for bar in spec.data_bars)
        _conditional(ws, spec, spec.data_bars[0].ref, {
            "type": "data_bar", "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1,
            "bar_color": _rgb(spec.data_bars[0].colour), "multi_range": refs,
        })


def _conditional(ws: Worksheet, spec: SheetSpec, ref: str, options: dict) -> None:
    first, _, last = ref.split(" ")[0].partition(":")
    (r1, c1), (r2, c2) = xl_cell_to_rowcol(first), xl_cell_to_rowcol(last or first)
    if ws.conditional_format(r1, c1, r2, c2, options) != 0:
        raise ValueError(f"{spec.title}!{ref}: cannot write the conditional format {options}")
