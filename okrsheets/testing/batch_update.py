"""``spreadsheets.batchUpdate``: the request kinds the fake applies.

The caller applies all requests to a copy of the spreadsheet and keeps the
copy only when every request succeeded, so one bad request leaves the
spreadsheet untouched. Errors name the request the way Google does:
``Invalid requests[2].deleteSheet: No sheet with id: 7``. The kinds live in
``batch_sheets``, ``batch_dimensions`` and ``batch_objects``, each registered in
``batch_common.HANDLERS`` when imported here.
"""

from __future__ import annotations

from typing import Any

from . import batch_dimensions, batch_objects, batch_sheets  # noqa: F401  (they register their handlers)
from .batch_common import HANDLERS, Context, NotImplementedRequest
from .errors import invalid_argument
from .model import Spreadsheet


def apply_requests(ss: Spreadsheet, requests: list[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    """Apply in order; returns one reply per request (``{}`` when empty)."""
    replies = []
    for i, req in enumerate(requests):
        kinds = [k for k, v in (req or {}).items() if v is not None]
        if len(kinds) != 1:
            raise invalid_argument(f"Invalid requests[{i}]: A request must set exactly one kind of update.")
        kind = kinds[0]
        fn = HANDLERS.get(kind)
        if fn is None:
            raise NotImplementedRequest(kind)
        prefix = f"Invalid requests[{i}].{kind}: "
        reply = fn(ss, req[kind], ctx, prefix)
        replies.append({kind: reply} if reply is not None else {})
    return replies
