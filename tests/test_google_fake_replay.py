"""Conformance: every recorded Google interaction, replayed against a fresh fake, answers the same."""

from __future__ import annotations

import json
from pathlib import Path


from okrsheets.testing import replay


REPO_RECORDINGS = Path(__file__).parent / "google-api-recordings"


def recordings_dir() -> Path:
    return replay.default_dir()


def test_the_recordings_ship_with_the_repository_with_gspreads_licence(monkeypatch):
    monkeypatch.delenv("OKRSHEETS_RECORDINGS_DIR", raising=False)
    assert replay.default_dir() == REPO_RECORDINGS.resolve()
    assert len(list(REPO_RECORDINGS.glob("*.json"))) == 104
    assert "Permission is hereby granted, free of charge" in (REPO_RECORDINGS / "LICENSE.gspread.txt").read_text(encoding="utf-8")


def test_replay_of_the_recordings_has_no_differences(capsys):
    folder = recordings_dir()
    assert folder.is_dir() and list(folder.glob("*.json")), f"recordings folder {folder} is missing"
    code = replay.main([str(folder), "--by-endpoint"])
    out = capsys.readouterr().out.strip().splitlines()
    last = out[-1]
    assert last.startswith("replayed ") and last.endswith(" differ")
    assert last.endswith(", 0 differ"), "\n".join(line for line in out if line.startswith("DIFFER"))
    assert code == 0
    skipped_endpoints = [line.split()[0] for line in out if line.startswith(("sheets.", "drive.")) and line.split()[3] != "0"]
    assert skipped_endpoints == [], "no recorded endpoint may be skipped as not implemented"


def test_replay_reports_a_difference(tmp_path, capsys):
    folder = recordings_dir()
    source = folder / "WorksheetTest.test_update_and_get.json"
    cassette = json.loads(source.read_text(encoding="utf-8"))
    answer = cassette["interactions"][6]["response"]["body"]
    recorded = json.loads(answer["string"])
    recorded["values"][1][1] = "B2"  # Google said "b2"
    answer["string"] = json.dumps(recorded)
    (tmp_path / "changed.json").write_text(json.dumps(cassette), encoding="utf-8")
    assert replay.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("DIFFER changed.json:")
    assert out[-1].endswith(" differ") and not out[-1].endswith(" 0 differ")
