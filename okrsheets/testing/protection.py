"""Protected ranges, enforced: a write that changes a protected cell fails unless the caller may edit it.

Google lets the spreadsheet's owner and the users listed in a protected range's
``editors`` change its cells; anyone else with edit access gets a 400 and the
whole request is refused. A ``warningOnly`` range only warns in the browser, so
API writes pass. The check compares the spreadsheet before and after a write
(values API or batchUpdate), so every way of changing a cell is covered:
cells, the protected ranges themselves, and deleting the sheet.
"""

from __future__ import annotations

from typing import Any

from .errors import invalid_argument
from .model import Sheet, Spreadsheet

PROTECTED = (
    "You are trying to edit a protected cell or object. "
    "Please contact the spreadsheet owner to remove protection if you need to edit."
)


def may_edit(protected: dict[str, Any], user: str, owner: str | None) -> bool:
    if protected.get("warningOnly"):
        return True
    if owner and user.lower() == owner.lower():
        return True
    editors = protected.get("editors") or {}
    if user.lower() in (u.lower() for u in editors.get("users", [])):
        return True
    domain = user.rsplit("@", 1)[-1].lower()
    owner_domain = (owner or "").rsplit("@", 1)[-1].lower()
    return bool(editors.get("domainUsersCanEdit")) and domain == owner_domain


def _box(ss: Spreadsheet, sheet: Sheet, rng: dict[str, Any] | None) -> tuple[int, int, int, int]:
    rng = rng or {}
    rows = sheet.props["gridProperties"]["rowCount"]
    cols = sheet.props["gridProperties"]["columnCount"]
    return (
        int(rng.get("startRowIndex") or 0), int(rng["endRowIndex"]) if rng.get("endRowIndex") is not None else rows,
        int(rng.get("startColumnIndex") or 0), int(rng["endColumnIndex"]) if rng.get("endColumnIndex") is not None else cols,
    )


def _inside(key: tuple[int, int], box: tuple[int, int, int, int]) -> bool:
    return box[0] <= key[0] < box[1] and box[2] <= key[1] < box[3]


def _range_of(ss: Spreadsheet, protected: dict[str, Any]) -> dict[str, Any] | None:
    if protected.get("namedRangeId"):
        for named in ss.named_ranges:
            if str(named.get("namedRangeId")) == str(protected["namedRangeId"]):
                return named.get("range")
        return None
    return protected.get("range") or {}


def check_edits(before: Spreadsheet, after: Spreadsheet, user: str) -> None:
    """Google's 400 when ``user`` changed what a protected range guards from them."""
    for sheet in before.sheets:
        for protected in sheet.protected_ranges:
            if may_edit(protected, user, before.owner_email):
                continue
            now = after.sheet_by_id(sheet.id)
            if now is None or protected not in now.protected_ranges:
                raise invalid_argument(PROTECTED)
            rng = _range_of(before, protected)
            if rng is None:
                continue
            box = _box(before, sheet, rng)
            holes = [_box(before, sheet, u) for u in protected.get("unprotectedRanges") or []]
            for key in set(sheet.cells) | set(now.cells):
                if _inside(key, box) and not any(_inside(key, hole) for hole in holes):
                    if sheet.cells.get(key) != now.cells.get(key):
                        raise invalid_argument(PROTECTED)
