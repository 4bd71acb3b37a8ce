"""Shared fixtures: paths to the repository, the shared folder and the example config."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXAMPLE_CONFIG = REPO / "config.example.toml"


def shared_or_skip(relative: str) -> Path:
    """A file under ../shared; skipped when absent, but a failure in CI (CI is set)."""
    path = SHARED / relative
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI must have ../shared beside the clone")
        pytest.skip(f"{path} not present")
    return path


def toml_value(value: object) -> str:
    """A Python value as a TOML value, for configs the tests write."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


@pytest.fixture
def example_config_text() -> str:
    return EXAMPLE_CONFIG.read_text(encoding="utf-8")
