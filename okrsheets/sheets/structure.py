"""The structure of a team workbook that provisioning and the rollup rely on: one check for both.

`check_structure` answers, for one department's workbook: is it okrsheets'
workbook of this quarter and department, where is its OKR sheet, where is each
column (found by its header, so a column a team inserted or moved is still
read right), which row holds each ID, and did a team change the locked cells
that decide the sheet's own scores. Problems come back as message keys with
their fields; `MESSAGES` words them in Vietnamese and English.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from okrsheets.core.model import ITEM_ID_RE
from okrsheets.sheets.data import SheetData, WorkbookData
from okrsheets.sheets.spec import a1, column_letter, column_number
from okrsheets.sheets.team_workbook import (
    COL,
    COLUMNS,
    FIRST_ROW,
    GUIDE_SHEET,
    HEADER_ROW,
    LABELS,
    LOCKED_COLUMNS,
    LOCKED_HASH_VERSION,
    META_SHEET,
    OKR_SHEET,
    read_meta,
    sheet_locked_hash,
)

# Columns the rollup cannot do without: without them nothing on the sheet can be read.
REQUIRED_COLUMNS = ("id", "current")
# Columns whose header is looked for; the others are only needed to recompute the locked-cell hash.
READ_COLUMNS = ("id", "current", "confidence", "comment", "last_update", "code")

MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "vi": {
        "no_meta": ("Thiếu trang ẩn \"_okrsheets\" (trang này đã bị xóa, hoặc tệp được tạo lại bằng cách sao chép nội dung sang tệp mới), nên không biết tệp thuộc quý và phòng ban nào.",
                    "Khôi phục tệp từ bản sao lưu, hoặc nhờ quản trị OKR chạy `okrsheets provision --force` (tệp hiện tại được giữ làm bản sao lưu, số liệu đã nhập được giữ lại) rồi kiểm tra lại số liệu."),
        "other": ("Tệp thuộc {what} \"{found}\", không phải \"{expected}\".", "Đặt đúng tệp của quý/phòng ban này vào thư mục, hoặc chạy `okrsheets provision`."),
        "no_sheet": ("Không có trang \"{sheet}\" (đã đổi tên hoặc xóa).", "Đổi tên trang về \"{sheet}\"."),
        "no_column": ("Không tìm thấy cột \"{label}\" ở dòng tiêu đề {row} (cột đã bị xóa, đổi tiêu đề hoặc trùng tiêu đề); các ô của cột này không được đọc.",
                      "Khôi phục cột \"{label}\" và tiêu đề của nó (Ctrl+Z hoặc từ bản sao lưu), hoặc nhờ quản trị OKR chạy `okrsheets provision --force`."),
        "missing_row": ("Không tìm thấy dòng của {id} (dòng đã bị xóa hoặc mã đã bị sửa).", "Khôi phục dòng {id} (Ctrl+Z hoặc từ bản sao lưu), hoặc nhờ quản trị OKR chạy lại `okrsheets provision --force`."),
        "duplicate": ("Mã {id} xuất hiện hai lần (dòng {first} và {second}); chỉ dòng {first} được tính.", "Xóa dòng trùng."),
        "unknown_id": ("Mã lạ {id}: mã KR không được sửa.", "Sửa lại mã như ban đầu."),
        "altered": ("Trang \"{sheet}\" đã bị sửa ở chỗ okrsheets khóa ({what}), nên điểm và trạng thái hiện trên chính trang này có thể không còn đúng. Báo cáo tổng hợp vẫn tính theo kế hoạch.",
                    "Nhờ quản trị OKR chạy `okrsheets provision --force`: trang được dựng lại đúng, số liệu nhóm đã nhập được giữ, bản cũ được lưu làm bản sao lưu bên cạnh."),
        "extra_sheet": ("Có trang lạ \"{sheet}\".", "Chuyển nội dung sang tệp khác hoặc xóa trang; `okrsheets provision` chỉ dựng lại các trang nó tạo."),
    },
    "en": {
        "no_meta": ("The hidden \"_okrsheets\" sheet is missing (deleted, or the content was copied into a new file), so the quarter and department of this workbook are unknown.",
                    "Restore the file from a backup, or have the OKR admin run `okrsheets provision --force` (the current file is kept as a backup, typed values are carried over) and check the values."),
        "other": ("The workbook belongs to {what} \"{found}\", not \"{expected}\".", "Put this quarter's/department's workbook in the folder, or run `okrsheets provision`."),
        "no_sheet": ("The sheet \"{sheet}\" is missing (renamed or deleted).", "Rename it back to \"{sheet}\"."),
        "no_column": ("The column \"{label}\" is not in header row {row} (deleted, its header edited, or two columns with that header); its cells are not read.",
                      "Restore the column \"{label}\" and its header (undo, or from a backup), or have the OKR admin run `okrsheets provision --force`."),
        "missing_row": ("The row of {id} is missing (deleted, or its ID was edited).", "Restore the row of {id} (undo, or from a backup), or have the OKR admin run `okrsheets provision --force`."),
        "duplicate": ("{id} appears twice (rows {first} and {second}); only row {first} counts.", "Delete the duplicate row."),
        "unknown_id": ("Unknown ID {id}: KR IDs must not be edited.", "Change the ID back."),
        "altered": ("The sheet \"{sheet}\" was changed where okrsheets locks it ({what}), so the scores and statuses the sheet itself shows may no longer be right. The company summary still scores from the plan.",
                    "Have the OKR admin run `okrsheets provision --force`: the sheet is rebuilt, the values the team typed are kept, and the old file is kept beside it as a backup."),
        "extra_sheet": ("Unexpected sheet \"{sheet}\".", "Move its content elsewhere or delete it; `okrsheets provision` rebuilds only the sheets it made."),
    },
}
_WHAT = {"vi": {"quarter": "quý", "department_key": "phòng ban", "template_key": "mẫu OKR"},
         "en": {"quarter": "quarter", "department_key": "department", "template_key": "template set"}}
# what "altered" names as changed (its {what})
_ALTERED = {
    "vi": {"altered_cells": "công thức điểm/trạng thái, chỉ tiêu, mức bắt đầu, trọng số hoặc loại KR",
           "unprotected": "trang đã bị bỏ khóa (Unprotect)"},
    "en": {"altered_cells": "score or status formulas, targets, starts, weights or KR kinds",
           "unprotected": "the sheet protection was removed"},
}


@dataclass(frozen=True)
class StructureProblem:
    """One thing wrong with a workbook's structure: a MESSAGES key and the fields its words need."""

    key: str
    fields: dict[str, object]
    fatal: bool = False  # nothing on the sheet can be read
    cell: str | None = None
    found: object = None
    kr: str | None = None

    def words(self, language: str) -> tuple[str, str]:
        """(problem, fix) in ``language``."""
        problem, fix = MESSAGES[language][self.key]
        return problem.format(**self.fields), fix.format(**self.fields)


@dataclass
class WorkbookStructure:
    meta: dict[str, str]
    sheet: SheetData | None = None
    columns: dict[str, int] = field(default_factory=dict)  # column name -> 1-based column, for those found
    rows: dict[str, int] = field(default_factory=dict)  # active ID -> its (first) row
    archived: dict[str, int] = field(default_factory=dict)  # archived ID -> row
    unknown: dict[str, int] = field(default_factory=dict)  # an ID provisioning did not write (edited?) -> row
    problems: list[StructureProblem] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return self.sheet is not None and not any(p.fatal for p in self.problems)


def okr_sheet_title(meta: dict[str, str], language: str) -> str:
    return meta.get("okr_sheet") or OKR_SHEET[language]


def check_structure(data: WorkbookData, quarter: str, department_key: str, template_key: str | None, language: str,
                    planned_ids: Collection[str] = (), all_titles: Collection[str] | None = None) -> WorkbookStructure:
    """Check a team workbook against what provisioning wrote, and locate its columns and rows.

    ``template_key`` None skips the template check (provisioning applies a
    template change; the rollup must not read a workbook made for another
    template). ``planned_ids`` are the plan's objective and KR IDs, for
    workbooks whose metadata lists no IDs. With ``all_titles`` (every sheet in
    the workbook) a sheet provisioning did not make is a problem too: a rebuild
    would drop it.
    """
    lang = "en" if language == "en" else "vi"
    meta_sheet = data.sheets.get(META_SHEET)
    if meta_sheet is None:
        return WorkbookStructure({}, problems=[StructureProblem("no_meta", {}, fatal=True)])
    meta = read_meta(meta_sheet.rows)
    structure = WorkbookStructure(meta)
    problems = structure.problems
    for key, expected in (("quarter", quarter), ("department_key", department_key), ("template_key", template_key)):
        if expected is not None and meta.get(key) != expected:
            problems.append(StructureProblem("other", {"what": _WHAT[lang][key], "found": meta.get(key), "expected": expected},
                                             fatal=True, found=meta.get(key)))
            return structure
    title = okr_sheet_title(meta, lang)
    if all_titles is not None:
        expected_titles = {title, META_SHEET, *GUIDE_SHEET.values()}
        problems.extend(StructureProblem("extra_sheet", {"sheet": t}) for t in all_titles if t not in expected_titles)
    sheet = data.sheets.get(title)
    if sheet is None:
        problems.append(StructureProblem("no_sheet", {"sheet": title}, fatal=True))
        return structure
    structure.sheet = sheet
    structure.columns = _locate_columns(sheet, meta, problems, lang)
    if "id" in structure.columns:
        _find_rows(structure, sheet, meta, planned_ids)
        _check_locked(structure, sheet, lang)
    return structure


def _fold(text: object) -> str:
    if not isinstance(text, str):
        return ""
    folded = _FOLDED.get(text)
    if folded is None:
        if len(_FOLDED) > 4096:
            _FOLDED.clear()
        folded = _FOLDED[text] = " ".join(text.split()).casefold()
    return folded


_FOLDED: dict[str, str] = {}  # a header label -> _fold of it: every workbook has the same few dozen


_HEADER_NAMES: dict[str, list[str]] = {}  # a folded header label -> the column names it labels
for _name in COLUMNS:
    for _label in {_fold(LABELS[lang][_name]) for lang in LABELS}:
        _HEADER_NAMES.setdefault(_label, []).append(_name)


def _meta_columns(meta: dict[str, str]) -> dict[str, int]:
    """The ``columns`` metadata row ("id=A text=B ...") as {name: column}; empty for older workbooks."""
    return dict(_columns_row(meta.get("columns", "")))


@lru_cache(maxsize=256)  # a company's workbooks share a few layouts
def _columns_row(text: str) -> tuple[tuple[str, int], ...]:
    columns = {}
    for pair in text.split():
        name, _, letters = pair.partition("=")
        if name in COL and letters.isalpha() and letters.isascii():
            columns[name] = column_number(letters)
    return tuple(columns.items())


def _locate_columns(sheet: SheetData, meta: dict[str, str], problems: list[StructureProblem], lang: str) -> dict[str, int]:
    """Each column found by its header label, where provisioning wrote it or wherever a team moved it.

    A header that is not found (deleted, renamed, or two columns with it) is
    taken where provisioning wrote it only when no other column moved;
    otherwise the column is reported and left out, never guessed.
    """
    header = sheet.rows[HEADER_ROW - 1] if len(sheet.rows) >= HEADER_ROW else []
    key: tuple | None
    try:  # a company's workbooks share a few header rows: the columns of one with no problem are remembered
        key = (tuple(header), meta.get("columns", ""))
        found = _LOCATED.get(key)
    except TypeError:  # a header cell that cannot be a key
        key = found = None
    if found is not None:
        return dict(found)
    before = len(problems)
    columns = _header_columns(header, meta, problems, lang)
    if key is not None and len(problems) == before:  # (equal header rows read alike: only labels' text counts)
        if len(_LOCATED) > 256:
            _LOCATED.clear()
        _LOCATED[key] = dict(columns)
    return columns


_LOCATED: dict[tuple, dict[str, int]] = {}  # (header row, "columns" metadata) -> the columns found, for headers with no problem


def _header_columns(header: Sequence[object], meta: dict[str, str], problems: list[StructureProblem], lang: str) -> dict[str, int]:
    """`_locate_columns` of a header row."""
    expected = {name: COL[name] for name in COLUMNS} | _meta_columns(meta)
    at: dict[str, list[int]] = {}
    owner: dict[int, str] = {}
    for index, label in enumerate(header, start=1):
        for name in _HEADER_NAMES.get(_fold(label), ()) if label else ():
            at.setdefault(name, []).append(index)
            owner[index] = name
    columns, unsure = {}, []
    for name in COLUMNS:
        places = at.get(name, [])
        if len(places) == 1:  # where it was written, or where a team moved it
            columns[name] = places[0]
        else:  # its header is gone, or two columns have it (a copied column): never guess between them
            unsure.append(name)
    moved = any(columns[name] != expected[name] for name in columns) or bool(header) and not columns
    for name in unsure:
        if not moved and not at.get(name) and expected[name] not in owner:  # a header relabelled in place (older layout)
            columns[name] = expected[name]
        elif name in READ_COLUMNS:
            problems.append(StructureProblem("no_column", {"label": LABELS[lang][name], "row": HEADER_ROW},
                                             fatal=name in REQUIRED_COLUMNS, cell=f"{column_letter(expected[name])}{HEADER_ROW}"))
    return columns


def _find_rows(structure: WorkbookStructure, sheet: SheetData, meta: dict[str, str], planned_ids: Collection[str]) -> None:
    problems = structure.problems
    id_column, code_column = structure.columns["id"], structure.columns.get("code")
    known = set(meta.get("ids", "").split()) or set(planned_ids)
    for row, cells in enumerate(sheet.rows[FIRST_ROW - 1:], start=FIRST_ROW):  # (sheet.value, without a call a cell)
        value = cells[id_column - 1] if 1 <= id_column <= len(cells) else None
        if not isinstance(value, str) or not value.strip():
            continue
        item_id = value.strip()
        if code_column is not None and (cells[code_column - 1] if 1 <= code_column <= len(cells) else None) == "archived":
            structure.archived.setdefault(item_id, row)
        elif item_id in structure.rows:
            first = structure.rows[item_id]
            problems.append(StructureProblem("duplicate", {"id": item_id, "first": first, "second": row, "sheet": sheet.title},
                                             cell=a1(row, id_column), found=item_id, kr=item_id))
        elif item_id in known:
            structure.rows[item_id] = row
        elif ITEM_ID_RE.match(item_id) and item_id not in structure.unknown:
            structure.unknown[item_id] = row
            problems.append(StructureProblem("unknown_id", {"id": item_id}, cell=a1(row, id_column), found=item_id))
    for item_id in meta.get("ids", "").split():
        if item_id not in structure.rows:
            problems.append(StructureProblem("missing_row", {"id": item_id}, kr=item_id))


def _check_locked(structure: WorkbookStructure, sheet: SheetData, lang: str) -> None:
    """One problem when the locked cells differ from what provisioning wrote, or protection was removed."""
    meta = structure.meta
    details = sheet.details
    reasons = []
    recorded = meta.get("locked_hash")
    if recorded and recorded.startswith(LOCKED_HASH_VERSION) and details is not None:
        if any(name not in structure.columns for name in LOCKED_COLUMNS):
            reasons.append(_ALTERED[lang]["altered_cells"])
        elif sheet_locked_hash(sheet.rows, details.formulas, structure.rows, structure.columns) != recorded:
            reasons.append(_ALTERED[lang]["altered_cells"])
    if details is not None and not details.protected:
        reasons.append(_ALTERED[lang]["unprotected"])
    if reasons:
        structure.problems.append(StructureProblem("altered", {"sheet": sheet.title, "what": "; ".join(reasons)}))
