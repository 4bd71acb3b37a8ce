"""What the fake does for the summary's charts, held to Google's description of ``ChartSourceRange.sources``
in the Sheets v4 discovery document ("Exactly one dimension must have a length of 1, and all sources in the
list must have the same dimension with length 1. The domain (if it exists) & all series must have the same
number of source ranges."). The status and the ``Invalid requests[i].addChart:`` prefix are Google's; the rest
of each message is the fake's own wording."""

from __future__ import annotations

import pytest
from gspread.exceptions import APIError

from okrsheets.testing.pytest_plugin import google_fake, google_key, gspread_client  # noqa: F401


def column(row0: int, row1: int, col: int, sheet_id: int = 0) -> dict:
    return {"sheetId": sheet_id, "startRowIndex": row0, "endRowIndex": row1, "startColumnIndex": col, "endColumnIndex": col + 1}


def chart(domain: list[dict], *series: list[dict]) -> dict:
    return {"addChart": {"chart": {"spec": {"basicChart": {
        "chartType": "BAR", "domains": [{"domain": {"sourceRange": {"sources": domain}}}],
        "series": [{"series": {"sourceRange": {"sources": s}}} for s in series]}},
        "position": {"overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": 8, "columnIndex": 0}}}}}}


def test_a_chart_over_one_column_per_series_is_added(gspread_client):
    sh = gspread_client.create("Chart")
    reply = sh.batch_update({"requests": [chart([column(0, 5, 0)], [column(0, 5, 1)], [column(0, 5, 2)])]})
    added = reply["replies"][0]["addChart"]["chart"]
    assert [s["series"]["sourceRange"]["sources"] for s in added["spec"]["basicChart"]["series"]] == [
        [{"startRowIndex": 0, "endRowIndex": 5, "startColumnIndex": 1, "endColumnIndex": 2}],
        [{"startRowIndex": 0, "endRowIndex": 5, "startColumnIndex": 2, "endColumnIndex": 3}]]


@pytest.mark.parametrize(("bad", "message"), [
    (chart([column(0, 5, 0)], [{"sheetId": 0, "startRowIndex": 0, "endRowIndex": 5, "startColumnIndex": 1, "endColumnIndex": 3}]),
     "Invalid requests[0].addChart: A chart's source range must be exactly one row or one column wide."),
    (chart([column(0, 5, 0)], [column(0, 5, 1), {"sheetId": 0, "startRowIndex": 6, "endRowIndex": 7, "startColumnIndex": 1, "endColumnIndex": 4}]),
     "Invalid requests[0].addChart: All source ranges of a chart's domain or series must have the same dimension of length 1."),
    (chart([column(0, 5, 0)], [column(0, 2, 1), column(3, 5, 1)]),
     "Invalid requests[0].addChart: The domain and all series of a chart must have the same number of source ranges."),
    (chart([column(0, 5, 0, sheet_id=77)], [column(0, 5, 1)]),
     "Invalid requests[0].addChart: No grid with id: 77"),
])
def test_a_chart_google_refuses_is_a_400_and_changes_nothing(gspread_client, bad, message):
    sh = gspread_client.create("Chart")
    with pytest.raises(APIError) as caught:
        sh.batch_update({"requests": [bad]})
    assert caught.value.response.status_code == 400
    assert caught.value.error["message"] == message
    assert "charts" not in sh.fetch_sheet_metadata({"fields": "sheets.charts"})["sheets"][0]
