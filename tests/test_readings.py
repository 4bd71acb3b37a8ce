"""The readings store: each department's last good reading survives between nights, and a bad store only means none."""

from __future__ import annotations

import json
from datetime import date

from okrsheets.core.results import DataIssue
from okrsheets.jobs.readings import STORE_NAME, DepartmentReading, KeyResultReading, ReadingsStore

READING = DepartmentReading(
    date(2026, 11, 15),
    {"O1.KR1": KeyResultReading(5.0, "5", "7", "=HYPERLINK(\"x\")", date(2026, 11, 14), date(2026, 11, 15)),
     "O1.KR2": KeyResultReading(None, "khoảng mười", None, None, None, None)},
    version="4096:1763190000000000000",
    issues=(DataIssue("hr", "/data/hr.xlsx", "OKR", "G11", "khoảng mười", "không phải là số", "Sửa ô G11", "O1.KR2"),),
)


def test_a_reading_comes_back_exactly_as_stored(tmp_path):
    store = ReadingsStore.load(tmp_path)
    assert store.get("hr") is None and len(store) == 0
    store.put("hr", READING)
    store.save()
    again = ReadingsStore.load(tmp_path)
    assert again.get("hr") == READING
    assert again.get("sales") is None
    again.put("sales", DepartmentReading(date(2026, 11, 16)))
    again.save()  # hr, never asked for again, is saved as it was
    assert ReadingsStore.load(tmp_path).get("hr") == READING and list(ReadingsStore.load(tmp_path)) == ["hr", "sales"]


def test_a_damaged_or_older_store_is_an_empty_one(tmp_path, caplog):
    path = tmp_path / STORE_NAME
    path.write_text("{not json", encoding="utf-8")
    assert len(ReadingsStore.load(tmp_path)) == 0
    assert "ignoring the stored readings" in caplog.text
    path.write_text(json.dumps({"format": 0, "departments": {"hr": {}}}), encoding="utf-8")
    assert len(ReadingsStore.load(tmp_path)) == 0  # another layout: not trusted
    store = ReadingsStore(path)
    store.put("hr", READING)
    store.save()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["departments"]["hr"]["key_results"]["O1.KR1"][0] = "năm"  # hand-edited
    data["departments"]["ok"] = READING.to_json() | {"key_results": {}}
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    store = ReadingsStore.load(tmp_path)
    assert store.get("hr") is None and "ignoring the stored reading of hr" in caplog.text
    assert store.get("ok").read_on == date(2026, 11, 15)
