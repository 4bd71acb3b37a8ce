"""What the Google summary's spreadsheet held when okrsheets last drew it, kept on the job's machine.

``.okrsheets-google-summary.json`` in the quarter folder (beside the readings
store) names the summary spreadsheet and the sheets the last rollup drew in it
(sheet ID and title). The next night builds its ``batchUpdate`` and reads the
history from that instead of asking Google for the spreadsheet's sheets (one
``spreadsheets.get`` fewer). It is only a guess about a spreadsheet people may
edit: when Google refuses what was built from it (a sheet deleted, a tab
renamed), the summary asks for its sheets and draws again, and what was refused
changed nothing (a ``batchUpdate`` is applied whole or not at all).

The file is written atomically; a missing, damaged or older-format file, or one
about another spreadsheet, only means asking Google.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from okrsheets.files import atomic_write

STATE_NAME = ".okrsheets-google-summary.json"
STATE_FORMAT = 1


class SummarySheets:
    """The summary spreadsheet's ID and the sheets (``{"sheetId": n, "title": t}``) okrsheets last left in it."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / STATE_NAME

    def sheets_of(self, spreadsheet_id: str) -> list[dict[str, Any]] | None:
        """The sheets okrsheets last drew in ``spreadsheet_id``, or None when it has no record of that spreadsheet."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT or data.get("spreadsheet_id") != spreadsheet_id:
            return None
        sheets = data.get("sheets")
        if not isinstance(sheets, list) or not sheets:
            return None
        known = [{"sheetId": s["sheetId"], "title": s["title"]} for s in sheets
                 if isinstance(s, dict) and type(s.get("sheetId")) is int and isinstance(s.get("title"), str)]
        return known if len(known) == len(sheets) else None

    def save(self, spreadsheet_id: str, sheets: list[dict[str, Any]]) -> None:
        """Remember what was drawn. A file that cannot be written costs the next night one request, nothing else."""
        data = {"format": STATE_FORMAT, "spreadsheet_id": spreadsheet_id,
                "sheets": [{"sheetId": s["sheetId"], "title": s["title"]} for s in sheets]}
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        try:
            atomic_write(self.path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except OSError:
            return

    def forget(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            return
