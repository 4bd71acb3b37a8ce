"""The company summary as one backend-neutral description: sheets, tables, charts, print setup.

:func:`build_summary` turns a :class:`RollupResult` and the score history into a
:class:`Summary`; a backend renders it (XlsxWriter in
:mod:`okrsheets.backends.excel_summary`; Sheets ``batchUpdate`` requests for Google).
Nothing here does I/O or knows a backend. Conventions every renderer follows:

- rows and columns count from 0 (XlsxWriter and the Sheets API's GridRange both do);
- colours are RGB hex without "#" ("F4C7C3");
- widths are in characters of the default font (:func:`pixels` converts once), row heights in points;
- a value in a ``text``/``wrap``/``status``/``grade`` column, and a :class:`Link`'s text, is written as a
  literal string (XlsxWriter ``write_string``, Sheets ``RAW``): team text never becomes a formula;
- ``score`` columns get the grade colours as conditional formatting (bands in :attr:`Summary.bands`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from okrsheets import i18n
from okrsheets.core.results import (
    DepartmentResult,
    KeyResultResult,
    RollupResult,
    is_stale,
)
from okrsheets.core.scoring import STATUSES, ScoringSettings
from okrsheets.sheets.spec import LINE_HEIGHT, PrintSetup, wrapped_lines

__all__ = [
    "GRADE_BAR", "GRADE_COLOURS", "STATUSES", "Chart", "Column", "Fact", "History", "Link", "PrintSetup", "Range", "Series", "Sheet", "Summary", "column_runs",
    "Table", "build_summary", "change_since_last_week", "pixels", "stale_key_results",
]

WEEK = 7  # days: "week-over-week" compares with the night this many days before, or the nearest earlier one
# Hidden key cells of the history sheets; department keys never start with "#".
DATE_KEY, SCORE_KEY = "#date", "#score"
FINAL_KEY = "#final"  # the history's last column once the quarter is closed: marks the final night
KR_DEPARTMENT_KEY, KR_ID_KEY = "#department", "#kr"

# Number formats by column kind (Excel codes; Sheets reads the same patterns). Dates follow the language.
NUMBER_FORMATS = {"integer": "#,##0", "decimal": "#,##0.###", "percent": "0%", "change": "+0%;-0%;0%",
                  "count": "0"}
# A grade's cell colours (fill, font) as RGB hex, from the ARGB shared with the team sheets.
GRADE_COLOURS = {grade: (i18n.GRADE_FILL[grade][-6:], i18n.GRADE_FONT[grade][-6:]) for grade in i18n.GRADE_FILL}
# Bar colours per grade: stronger than the cell fills, readable under a dark label.
GRADE_BAR = {"red": "E06666", "yellow": "F1C232", "green": "6AA84F"}
PACE_COLOUR = "404040"
COMPANY_COLOUR = "1F4E79"
HEADER_FILL, HEADER_FONT = "1F4E79", "FFFFFF"
WRAP_WIDTH = 40  # characters: long texts (KRs, comments, problems) wrap in a column this wide
MAX_WIDTH = 24  # characters: a short-text column never grows wider; longer text wraps
HEADER_WIDTH = 14  # characters: a longer header wraps rather than widen its column
MIN_WIDTH = 8
DATE_WIDTH = 10  # "dd/mm/yyyy"
MAX_SERIES = 255  # Excel's limit on the series of one chart
CHART_WIDTH = 720  # pixels: about 19 cm, the width of A4 portrait's printable area
BAR_HEIGHT = 24  # pixels per department in the bar chart


def pixels(characters: float) -> int:
    """A width in characters of the default font (11-point Calibri) as screen pixels, as Excel converts it."""
    return int(characters * 7 + 5)


@dataclass(frozen=True)
class Link:
    """A cell that shows ``text`` (written as a literal string) and links to a file or URL.

    ``target`` is what the rollup knows: a workbook path or a spreadsheet URL; ``sheet`` and
    ``cell`` point inside it when known. Each renderer makes the link its backend allows.
    """

    text: str
    target: str
    sheet: str | None = None
    cell: str | None = None


@dataclass(frozen=True)
class Column:
    """A table column. kind: text | wrap (long text) | number | percent | score (percent with grade
    colours) | change (signed percentage points) | grade | status | count | date | link."""

    header: str
    kind: str = "text"
    width: float = MIN_WIDTH  # characters


@dataclass
class Table:
    """A header row at ``row`` and data rows below it, with a filter and a frozen header."""

    row: int
    columns: list[Column]
    rows: list[list]
    row_heights: dict[int, float] = field(default_factory=dict)  # sheet row -> points, for wrapped text

    @property
    def last_row(self) -> int:
        """The sheet row of the last data row (the header row when there is none)."""
        return self.row + len(self.rows)

    def column(self, kind_or_header: str) -> int:
        return next(i for i, c in enumerate(self.columns) if kind_or_header in (c.header, c.kind))


@dataclass(frozen=True)
class Fact:
    """A label and its value in the title block (``kind`` as for a Column)."""

    label: str
    kind: str
    value: object
    grade: str | None = None  # the value's cell takes this grade's colours


@dataclass(frozen=True)
class Range:
    """A block of cells of one sheet (by its title), 0-based and inclusive."""

    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass(frozen=True)
class Series:
    name: str  # shown in the legend; a renderer writes it as literal text
    values: Range
    categories: Range
    colour: str | None = None  # one colour for the whole series
    point_colours: tuple[str, ...] = ()  # a colour per point (bar), in the order of the values
    labels: bool = False  # show each value next to its point
    markers: bool = False  # a marker on every point of a line
    outline_only: bool = False  # a bar drawn as a dashed outline (the expected pace)
    width: float = 2.25  # line width, points
    name_cell: tuple[int, int] | None = None  # (row, column) of the values' sheet holding the name (team text)


@dataclass(frozen=True)
class Chart:
    """A bar chart (horizontal bars) or a line chart, anchored at a cell, sized in pixels.

    ``date_axis``: the categories are dates on a time axis whose base unit is a day.
    ``reverse_categories``: the first category at the top (bar charts draw it at the bottom).
    """

    kind: str  # bar | line
    title: str
    series: tuple[Series, ...]
    anchor: tuple[int, int]
    width: int = CHART_WIDTH
    height: int = 340
    value_min: float = 0.0
    value_max: float = 1.0
    value_format: str = NUMBER_FORMATS["percent"]
    date_axis: bool = False
    date_format: str | None = None
    reverse_categories: bool = False
    legend: bool = False


@dataclass
class Sheet:
    key: str  # overview | alignment | objectives | key_results | at_risk | stale | history | issues | kr_history
    title: str
    heading: str | None = None  # a title line at row 0 (the overview's report title)
    facts: list[Fact] = field(default_factory=list)  # label/value rows below the heading
    table: Table | None = None
    key_row: list[str] | None = None  # a hidden row 0 of keys (history sheets), written as text
    charts: list[Chart] = field(default_factory=list)
    hidden: bool = False
    print: PrintSetup = field(default_factory=lambda: PrintSetup(landscape=True))


@dataclass
class Summary:
    language: str
    date_format: str
    bands: tuple[float, float]  # (red below, green from): the grade colour rules of score columns
    sheets: list[Sheet]

    def sheet(self, key: str) -> Sheet:
        return next(s for s in self.sheets if s.key == key)


@dataclass
class History:
    """Scores night after night: the company, each department, each KR.

    ``names``: department key -> name, in column order. ``rows``: date -> (company score,
    {department key: score}). ``key_results``: date -> {(department key, KR ID): score}.
    """

    names: dict[str, str] = field(default_factory=dict)
    rows: dict[date, tuple[float | None, dict[str, float]]] = field(default_factory=dict)
    key_results: dict[date, dict[tuple[str, str], float]] = field(default_factory=dict)
    final: date | None = None  # the night of the quarter's final rollup (close-quarter), once closed

    def union(self, later: History) -> History:
        """The columns and nights of both; a night in both keeps ``later``'s scores."""
        return History({**self.names, **later.names}, dict(sorted({**self.rows, **later.rows}.items())),
                       dict(sorted({**self.key_results, **later.key_results}.items())), later.final or self.final)

    def merged_with(self, result: RollupResult) -> History:
        """Old columns and rows plus this rollup's; the as-of night is replaced, not added."""
        names = dict(self.names)
        names.update({d.key: d.name for d in result.departments})
        rows = dict(self.rows)
        rows[result.as_of] = (result.score, {d.key: d.score for d in result.departments if d.readable})
        krs = dict(self.key_results)
        krs[result.as_of] = {(kr.department, kr.id): kr.score for d in result.departments if d.readable
                             for kr in d.key_results}
        return History(names, dict(sorted(rows.items())), dict(sorted(krs.items())), result.as_of if result.final else self.final)


# --- Week-over-week change and stale KRs ---


def _week_before(nights: Sequence[date], as_of: date) -> list[date]:
    """The nights on or before ``as_of - 7 days``, nearest first."""
    cut = bisect_right(nights, as_of - timedelta(days=WEEK))
    return list(reversed(nights[:cut]))


def change_since_last_week(history: History, result: RollupResult) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """Score change per department and per KR since the night 7 days before ``result.as_of``.

    The earlier score is the one of the night 7 days before, or of the nearest earlier night
    with a score for that department or KR; with none, the department or KR has no change.
    """
    departments: dict[str, float] = {}
    for day in _week_before(sorted(history.rows), result.as_of):
        scores = history.rows[day][1]
        for d in result.departments:
            if d.readable and d.key not in departments and d.key in scores:
                departments[d.key] = d.score - scores[d.key]
    key_results: dict[tuple[str, str], float] = {}
    current = {(kr.department, kr.id): kr.score for d in result.departments if d.readable for kr in d.key_results}
    for day in _week_before(sorted(history.key_results), result.as_of):
        if len(key_results) == len(current):
            break
        kr_scores = history.key_results[day]
        for key, score in current.items():
            if key not in key_results and key in kr_scores:
                key_results[key] = score - kr_scores[key]
    return departments, key_results


def stale_key_results(result: RollupResult, stale_after_days: int) -> list[KeyResultResult]:
    """KRs without a check-in for longer than ``stale_after_days`` (the digest's rule), longest first."""
    stale = [kr for d in result.departments if d.readable for kr in d.key_results
             if is_stale(kr, result.as_of, stale_after_days)]
    return sorted(stale, key=lambda kr: (kr.last_check_in is not None, kr.last_check_in or result.as_of))


# --- Building the description ---


def build_summary(result: RollupResult, history: History, settings: ScoringSettings,
                  stale_after_days: int = 14) -> Summary:
    """The whole summary for this rollup; ``history`` already holds this rollup's night (merged_with)."""
    lang = "en" if result.language == "en" else "vi"
    words = i18n.SUMMARY[lang]
    date_format = i18n.DATE_FORMAT[lang]
    printing = PrintSetup(header=(result.company, "", f"{words['quarter']} {result.quarter}"), page_word=words["page"])
    names = {d.key: d.name for d in result.departments}
    department_change, kr_change = change_since_last_week(history, result)
    builder = _Builder(lang, words, printing)
    owned = any(kr.owner for kr in result.key_results)  # the KR owner column only when the config names one
    sheets = [
        _overview(builder, result, department_change),
        *([_alignment(builder, result, names)] if result.company_objectives else []),
        builder.table_sheet("objectives", [
            ("department", "text"), ("id", "text"), ("objective", "wrap"), ("weight", "number"),
            ("score_column", "score"), ("grade", "grade"), ("status", "status")],
            [[names.get(o.department, o.department), o.id, o.text, o.weight, o.score, o.grade, o.status]
             for d in result.departments for o in d.objectives]),
        builder.table_sheet("key_results", [
            ("department", "text"), ("objective", "text"), ("id", "text"), ("key_result", "wrap"), ("kind", "text"),
            ("unit", "text"), ("start", "number"), ("target", "number"), ("current", "number"),
            ("score_column", "score"), ("change", "change"), ("status", "status"), ("confidence", "count"),
            ("comment", "wrap"), ("last_update", "date"), *([("kr_owner", "text")] if owned else [])],
            [_key_result_row(kr, names, kr_change, lang) + ([kr.owner] if owned else []) for kr in result.key_results]),
        builder.table_sheet("at_risk", [
            ("department", "text"), ("owners", "text"), ("id", "text"), ("key_result", "wrap"),
            ("score_column", "score"), ("expected_column", "percent"), ("gap", "percent"), ("status", "status"),
            ("comment", "wrap")], _at_risk_rows(result)),
        builder.table_sheet("stale", [
            ("department", "text"), ("owners", "text"), ("id", "text"), ("key_result", "wrap"),
            ("score_column", "score"), ("status", "status"), ("last_check_in", "date"), ("days_since", "count")],
            _stale_rows(result, stale_after_days, words)),
        _history(builder, history, date_format),
        builder.table_sheet("issues", [
            ("department", "text"), ("file", "link"), ("sheet", "text"), ("cell", "text"), ("found", "text"),
            ("problem", "wrap"), ("fix", "wrap")],
            [[names.get(i.department, i.department), _file_link(i.file, i.sheet, i.cell), i.sheet, i.cell,
              i.found, i.problem, i.fix] for i in result.issues]),
        _kr_history(builder, history),
    ]
    return Summary(lang, date_format, (settings.red_below, settings.green_from), sheets)


class _Builder:
    """Words, print setup and column widths shared by every sheet of one summary."""

    def __init__(self, lang: str, words: dict[str, str], printing: PrintSetup):
        self.lang, self.words, self.printing = lang, words, printing
        self._lines: dict[tuple[str, float], int] = {}

    def title(self, key: str) -> str:
        return self.words[f"sheet_{key}"]

    def columns(self, spec: Sequence[tuple[str, str]]) -> list[Column]:
        return [Column(self.words[word], kind) for word, kind in spec]

    def table_sheet(self, key: str, spec: Sequence[tuple[str, str]], rows: list[list]) -> Sheet:
        sheet = Sheet(key, self.title(key))
        sheet.table = self.table(self.columns(spec), rows, 0)
        sheet.print = self.print_setup(sheet.table)
        return sheet

    def table(self, columns: list[Column], rows: list[list], row: int, max_width: float = MAX_WIDTH) -> Table:
        """A table with widths from its content; text too long for a column wraps in a taller row."""
        table = Table(row, columns, rows)
        by_column = list(zip(*rows))[:len(columns)] if rows else []  # every row has a value for each column
        table.columns = [_sized(c, list(by_column[i]) if by_column else [], self.lang, max_width)
                         for i, c in enumerate(columns)]
        header_lines = max(wrapped_lines(c.header, c.width - 1) for c in table.columns) if columns else 1
        if header_lines > 1:
            table.row_heights[row] = LINE_HEIGHT * header_lines
        wrapped = [(i, c.width) for i, c in enumerate(table.columns) if c.kind == "wrap"]
        if wrapped:
            lines = self._lines
            for number, values in enumerate(rows, row + 1):
                most = 1
                for i, width in wrapped:
                    text = values[i]
                    if text:
                        n = lines.get((text, width))
                        if n is None:
                            n = lines[(text, width)] = wrapped_lines(text, width)
                        if n > most:
                            most = n
                if most > 1:
                    table.row_heights[number] = LINE_HEIGHT * most
        return table

    def print_setup(self, table: Table, landscape: bool = True) -> PrintSetup:
        header_row = table.row + 1  # PrintSetup counts rows from 1
        return PrintSetup(landscape, True, (header_row, header_row), self.printing.header, self.printing.page_word)


def column_runs(kinds: list[str], kind: str) -> list[tuple[int, int]]:
    """The (first, last) column of each run of adjacent ``kind`` columns (0-based), e.g. the score columns
    a renderer gives grade colours to."""
    runs: list[tuple[int, int]] = []
    for c, each in enumerate(kinds):
        if each == kind:
            if runs and runs[-1][1] == c - 1:
                runs[-1] = (runs[-1][0], c)
            else:
                runs.append((c, c))
    return runs


def _sized(column: Column, values: list, lang: str, max_width: float = MAX_WIDTH) -> Column:
    """``column`` with its width in characters from what its widest value shows (never "###" for a number).

    A header wraps over up to three lines rather than widen a column of numbers; a text
    column whose longest value is wider than ``max_width`` becomes a wrapped column.
    """
    header = max((len(word) for word in column.header.split()), default=0)
    header = max(header, min(len(column.header), HEADER_WIDTH))
    kind = column.kind
    if kind == "wrap":
        return Column(column.header, kind, WRAP_WIDTH)
    if kind in ("number", "percent", "score", "change", "count"):
        numbers = [v for v in values if type(v) is float or type(v) is int]
        shown = _shown_numbers(numbers, kind) if numbers else 0
        texts = max((len(str(v)) for v in values if v is not None and type(v) is not float and type(v) is not int),
                    default=0)
        return Column(column.header, kind, max(header + 1, shown + 2, min(texts + 2, MAX_WIDTH), MIN_WIDTH))
    if kind == "date":
        texts = max((len(str(v)) for v in values if v is not None and not isinstance(v, date)), default=0)
        return Column(column.header, kind, max(header + 1, DATE_WIDTH + 2, texts + 2, MIN_WIDTH))
    if kind == "status":
        values = [i18n.status_label(v, lang) for v in set(values) if v]
    elif kind == "grade":
        values = [i18n.grade_label(v, lang) for v in set(values) if v]
    elif kind == "link":
        values = [v.text if isinstance(v, Link) else v for v in values if v is not None]
    longest = max((_shown_length(v) for v in set(values) if v is not None), default=0)
    if kind == "text" and longest > max_width:
        return Column(column.header, "wrap", max_width)
    return Column(column.header, kind, max(min(max(header, longest) + 2, max_width + 2), MIN_WIDTH))


def _shown_length(value: object) -> int:
    text = value if isinstance(value, str) else str(value)
    return max(len(line) for line in text.split("\n")) if "\n" in text else len(text)


def _shown_numbers(numbers: list, kind: str) -> int:
    """How many characters the widest of ``numbers`` takes in its column's number format.

    The widest is the largest in magnitude (plus a sign when negative or a change, plus
    up to three decimals when not whole), so one value is formatted, not every one.
    """
    low, high = min(numbers), max(numbers)
    biggest = max(abs(low), abs(high))
    sign = 1 if low < 0 or kind == "change" else 0
    if kind in ("percent", "score", "change"):
        return len(f"{biggest:.0%}") + sign
    if kind == "count":
        return len(str(int(biggest))) + sign
    decimals = 4 if any(type(v) is float and not v.is_integer() for v in numbers) else 0
    return len(f"{biggest:,.0f}") + sign + decimals


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _file_link(file: str, sheet: str | None, cell: str | None) -> Link:
    """The file's name (not the server's path) linking to the file, at the cell when known."""
    name = file if "://" in file else file.replace("\\", "/").rsplit("/", 1)[-1]
    return Link(name, file, sheet, cell)


def _overview(builder: _Builder, result: RollupResult, change: dict[str, float]) -> Sheet:
    """The title block, one row per department (best score first) and the department bar chart."""
    words = builder.words
    sheet = Sheet("overview", builder.title("overview"), heading=f"{words['title']}: {result.company}")
    sheet.facts = [
        Fact(words["quarter"], "text", result.quarter), Fact(words["as_of"], "date", result.as_of),
        Fact(words["score"], "score", result.score, result.grade), Fact(words["grade"], "grade", result.grade),
        Fact(words["status"], "status", result.status), Fact(words["expected"], "percent", result.expected),
        Fact(words["issues"], "count", len(result.issues)),
    ]
    # best first; a department never read has no score (not 0) and goes last
    departments = sorted(result.departments, key=lambda d: (not d.has_reading, -d.score))
    read_on = any(d.stale for d in departments)  # figures read on an earlier night
    spec = [("department", "text"), ("score_column", "score"), ("change", "change"), ("grade", "grade"),
            ("status", "status")]
    columns = builder.columns(spec)
    columns += [Column(i18n.status_label(s, builder.lang), "count") for s in STATUSES]
    columns += [Column(words["issues"], "count"), Column(words["expected_column"], "percent")]
    if read_on:
        columns.append(Column(words["read_on"], "date"))
    rows: list[list] = []
    for d in departments:
        counts = d.count_by_status()
        name = f"{d.name} ({i18n.reading_of(d.read_on, builder.lang)})" if d.stale else d.name
        scored = d.has_reading
        row: list[object] = [name, d.score if scored else None, change.get(d.key), d.grade if scored else None, d.status,
               *(counts[s] for s in STATUSES), len(result.issues_for(d.key)), result.expected]
        if read_on:
            row.append(d.read_on if d.stale else None)
        rows.append(row)
    header_row = 1 + len(sheet.facts) + 1  # heading, facts, a blank row
    sheet.table = builder.table(columns, rows, header_row, max_width=WRAP_WIDTH)  # names on one line
    names = sheet.table.columns[0]  # the facts' labels (bold) share the table's first column
    label_width = max(len(f.label) for f in sheet.facts) + 3
    sheet.table.columns[0] = Column(names.header, names.kind, max(names.width, label_width))
    values = sheet.table.columns[1]  # the facts' values share the table's second column
    fact_width = max(_sized(Column("", f.kind), [f.value], builder.lang).width for f in sheet.facts)
    sheet.table.columns[1] = Column(values.header, values.kind, max(values.width, fact_width))
    sheet.print = builder.print_setup(sheet.table)
    if rows:
        sheet.charts.append(_department_chart(sheet, departments, words, result.expected))
    return sheet


def _department_chart(sheet: Sheet, departments: Sequence[DepartmentResult], words: dict[str, str],
                      expected: float) -> Chart:
    """Horizontal bars, best first, each in its grade's colour with its value; the expected pace dashed."""
    table = sheet.table
    assert table is not None, "the overview's table is built before its chart"
    first, last = table.row + 1, table.last_row
    categories = Range(sheet.title, first, 0, last, 0)
    score, pace = table.column(words["score_column"]), table.column(words["expected_column"])
    bars = Series(words["score_column"], Range(sheet.title, first, score, last, score), categories,
                  point_colours=tuple(GRADE_BAR[d.grade] for d in departments), labels=True)
    pace_line = Series(f"{words['expected']} {expected:.0%}", Range(sheet.title, first, pace, last, pace), categories,
                       colour=PACE_COLOUR, outline_only=True)
    height = min(max(280, 90 + BAR_HEIGHT * len(departments)), 4000)
    # The pace is explained in the title, not a legend: renderers disagree on hiding one legend entry.
    title = words["chart_departments"] + " " + words["pace_note"].format(pace=f"{expected:.0%}")
    return Chart("bar", title, (bars, pace_line), (last + 2, 0), height=height, reverse_categories=True)


def _key_result_row(kr: KeyResultResult, names: dict[str, str], change: dict[tuple[str, str], float], lang: str) -> list:
    current = kr.current if kr.current is not None else kr.raw  # unreadable: show what was typed
    return [names.get(kr.department, kr.department), kr.objective_id, kr.id, kr.text,
            i18n.KIND[lang].get(kr.kind, kr.kind), i18n.UNIT[lang].get(kr.unit, kr.unit),
            kr.start, kr.target, current, kr.score, change.get((kr.department, kr.id)), kr.status, kr.confidence,
            kr.comment, kr.last_update]


def _alignment(builder: _Builder, result: RollupResult, names: dict[str, str]) -> Sheet:
    """Each company objective with its score, then the department objectives and KRs aligned to it."""
    sheet = builder.table_sheet("alignment", [
        ("company_objective", "text"), ("objective", "wrap"), ("department", "text"), ("id", "text"),
        ("aligned", "wrap"), ("weight", "number"), ("score_column", "score"), ("grade", "grade"), ("status", "status")],
        [row for c in result.company_objectives for row in (
            [[c.id, c.text, None, None, None, c.weight, c.score, c.grade, c.status]]
            + [[c.id, None, names.get(a.department, a.department), a.id, a.text, a.weight, a.score if a.counted else None,
                None, a.status] for a in c.aligned])])
    return sheet


def _at_risk_rows(result: RollupResult) -> list[list]:
    """At-risk and off-track KRs, furthest behind pace first (ties keep department order)."""
    departments = {d.key: d for d in result.departments}
    flagged = sorted((kr for kr in result.key_results if kr.status in ("at_risk", "off_track")),
                     key=lambda kr: kr.gap, reverse=True)
    return [[departments[kr.department].name, ", ".join(departments[kr.department].owners), kr.id,
             kr.text, kr.score, kr.expected, kr.gap, kr.status, kr.comment] for kr in flagged]


def _stale_rows(result: RollupResult, stale_after_days: int, words: dict[str, str]) -> list[list]:
    departments = {d.key: d for d in result.departments}
    return [[departments[kr.department].name, ", ".join(departments[kr.department].owners), kr.id, kr.text,
             kr.score, kr.status, kr.last_check_in if kr.last_check_in else words["never"],
             (result.as_of - kr.last_check_in).days if kr.last_check_in else None]
            for kr in stale_key_results(result, stale_after_days)]


def _history(builder: _Builder, history: History, date_format: str) -> Sheet:
    """Hidden row 0 holds the column keys, row 1 the headers, then one row per night; a line chart beside."""
    words = builder.words
    keys = [DATE_KEY, SCORE_KEY, *history.names]
    sheet = Sheet("history", builder.title("history"), key_row=keys)
    columns = [Column(words["date"], "date"), Column(words["score"], "score")]
    columns += [Column(name, "score") for name in history.names.values()]
    rows: list[list] = [[day, score, *(scores.get(k) for k in history.names)] for day, (score, scores) in history.rows.items()]
    scored = len(columns)
    if history.final is not None:  # a closed quarter: the final night says so in a last column
        keys.append(FINAL_KEY)
        columns.append(Column(words["final"]))
        rows = [[*row, words["final_night"] if row[0] == history.final else None] for row in rows]
    sheet.table = builder.table(columns, rows, 1)
    sheet.print = builder.print_setup(sheet.table)
    if rows:
        last = sheet.table.last_row
        dates = Range(sheet.title, 2, 0, last, 0)
        series = tuple(
            Series(columns[c].header, Range(sheet.title, 2, c, last, c), dates, markers=True,
                   colour=COMPANY_COLOUR if c == 1 else None, width=3.0 if c == 1 else 1.5, name_cell=(1, c))
            for c in range(1, min(scored, 1 + MAX_SERIES)))  # the company, then departments while Excel allows
        sheet.charts.append(Chart("line", words["chart_history"], series, (len(rows) + 4, 0), date_axis=True,
                                  date_format=date_format, legend=True, width=960, height=440))
    return sheet


def kept_nights(nights: Sequence[date]) -> list[date]:
    """The nights of KR scores the summary keeps: the last 7 days before the newest night, and the
    nearest night before those (a baseline for the week-over-week change of the next nights).

    A quarter of nightly scores of 14,000 KRs would be 1.3 million cells to write every night.
    """
    nights = sorted(nights)
    if not nights:
        return []
    since = nights[-1] - timedelta(days=WEEK)
    older = [night for night in nights if night < since]
    return older[-1:] + [night for night in nights if night >= since]


def _kr_history(builder: _Builder, history: History) -> Sheet:
    """Every KR's recent scores (a hidden sheet): the week-over-week change reads them back.

    Hidden row 0: the keys and one night (ISO date) per column; then one row per KR
    (department key, KR ID). A score is written only when it differs from the KR's
    previous one on the row: a blank means "as the night before" (see excel_history).
    """
    nights = kept_nights(list(history.key_results))
    sheet = Sheet("kr_history", builder.title("kr_history"), hidden=True,
                  key_row=[KR_DEPARTMENT_KEY, KR_ID_KEY, *(night.isoformat() for night in nights)])
    by_night = [history.key_results[night] for night in nights]
    keys: dict[tuple[str, str], None] = {}
    for scores in by_night:
        keys.update(dict.fromkeys(scores))
    rows = []
    for key in keys:
        row: list[str | float | None] = [key[0], key[1]]
        previous: float | None = None
        for scores in by_night:
            score = scores.get(key)
            if score is None or score == previous:
                row.append(None)
            else:
                row.append(score)
                previous = score
        rows.append(row)
    columns = [Column(builder.words["department"], "text"), Column(builder.words["id"], "text")]
    columns += [Column(night.isoformat(), "percent") for night in nights]
    sheet.table = Table(1, columns, rows)
    return sheet
