"""Test helpers for okrsheets users: an offline fake of Google Sheets v4 and Drive v3.

``FakeGoogle`` serves the fake on 127.0.0.1; ``okrsheets.testing.pytest_plugin``
has pytest fixtures; ``python -m okrsheets.testing.replay`` checks the fake
against recorded Google traffic. See docs/google-fake.md.
"""

from typing import Any

__all__ = ["FakeGoogle"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that ``python -m okrsheets.testing.google_fake`` runs cleanly.
    if name == "FakeGoogle":
        from .google_fake import FakeGoogle

        return FakeGoogle
    raise AttributeError(name)
