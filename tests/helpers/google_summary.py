"""Writing the company summary to the offline Google fake, and reading summaries back as plain rows."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from python_calamine import CalamineWorkbook

from okrsheets.backends.google.auth import connect
from okrsheets.backends.google.summary import GoogleSummary
from okrsheets.config import Config, load_config

EPOCH = date(1899, 12, 30)


def google_config(setup, monkeypatch) -> Config:
    """The set-up's config, with every request of this process sent to the fake."""
    monkeypatch.setenv("OKRSHEETS_GOOGLE_API_URL", setup.fake.url)
    return load_config(setup.config)


def writer(config: Config) -> GoogleSummary:
    return GoogleSummary(config, connect(config.google, config.language))


def _plain(value):
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return (value - EPOCH).days
    if isinstance(value, float):  # Excel files keep 15-16 significant digits, JSON all 17: compare what anyone sees
        value = float(f"{value:.15g}")
        return int(value) if value.is_integer() else value
    return value


def _trimmed(rows: list[list]) -> list[list]:
    out = []
    for row in rows:
        row = [_plain(v) for v in row]
        while row and row[-1] in ("", None):
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def excel_sheets(path: Path) -> dict[str, list[list]]:
    """Every sheet of an .xlsx as rows of values (dates as serial numbers, trailing blanks dropped)."""
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return {name: _trimmed(workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names}
    finally:
        workbook.close()


def google_sheets(client, spreadsheet_id: str) -> dict[str, list[list]]:
    """Every sheet of a spreadsheet on the fake, unformatted, read through gspread (one values.batchGet)."""
    spreadsheet = client.open_by_key(spreadsheet_id)
    titles = [ws.title for ws in spreadsheet.worksheets()]
    answer = spreadsheet.values_batch_get(["'" + t.replace("'", "''") + "'" for t in titles], params={
        "valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"})
    return {t: _trimmed(block.get("values") or []) for t, block in zip(titles, answer["valueRanges"])}
