"""The summary shows exactly what it showed when tests/data/summary-snapshot.json was recorded.

The snapshot (tests/helpers/summary_snapshot.py) is every part of the workbook with
each cell's text and style resolved, so it pins the cells, formats, widths, heights,
filters, frozen panes, links, conditional fills, print setup and charts, but not the
order in which the writer happened to create its strings and formats. After a
deliberate, checked change of what the summary shows, record it again with
``python -m tests.helpers.summary_snapshot``.
"""

from __future__ import annotations

import json

import pytest

from .helpers.summary_snapshot import GOLDEN, snapshot_scenarios


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, dict[str, str]]:
    return snapshot_scenarios(tmp_path_factory.mktemp("snapshot"))


@pytest.mark.parametrize("scenario", ["vi", "en"])
def test_the_summary_shows_what_the_snapshot_recorded(written, scenario):
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))[scenario]
    found = written[scenario]
    assert sorted(found) == sorted(expected)
    for part in expected:
        assert found[part] == expected[part], f"{scenario}: {part} differs from {GOLDEN.name}"
