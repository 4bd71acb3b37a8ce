"""pytest fixtures for the offline Google fake.

Import the fixtures you use into a test module (or a conftest)::

    from okrsheets.testing.pytest_plugin import google_fake, google_key, gspread_client  # noqa: F401

``google_fake`` is a started :class:`~okrsheets.testing.FakeGoogle` on a free
port (stopped after the test), ``google_key`` the path of a service-account
key whose ``token_uri`` is the fake (an account with its own Drive storage), and ``gspread_client`` a gspread client
made with ``gspread.service_account(filename=google_key, http_client=...)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from .google_fake import FakeGoogle


@pytest.fixture
def google_fake() -> Iterator[FakeGoogle]:
    fake = FakeGoogle().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def google_key(google_fake: FakeGoogle, tmp_path: Path) -> Path:
    # an account with its own Drive storage (made before April 2025), like the one in the recordings
    return google_fake.make_service_account_key(tmp_path / "service-account.json", drive_storage=True)


@pytest.fixture
def gspread_client(google_fake: FakeGoogle, google_key: Path) -> Any:
    return google_fake.gspread_client(google_key)
