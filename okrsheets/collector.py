"""Python's cyclic garbage collector paused while many small objects without reference cycles are made.

The rollup's scoring and the summary make hundreds of thousands of small objects (readings, results,
cells) and no reference cycles: the cyclic collector would only walk them again and again (about a
tenth of the time of a 14,000-KR summary). Reference counting still frees them. One rule, used by
`jobs.rollup` and `backends.excel_summary`: the collector is paused for the work, and is back as it
was (on, unless the caller had paused it) when the work ends, however it ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_as_it_was", "collector_paused"]


@contextmanager
def collector_paused() -> Iterator[bool]:
    """Within: the collector is off; gives whether it was on (for `collector_as_it_was`)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield was_on
    finally:
        if was_on:
            gc.enable()


@contextmanager
def collector_as_it_was(was_on: bool) -> Iterator[None]:
    """Within a pause: the collector as it was before it (on for work that is not ours, such as reading a workbook)."""
    if was_on:
        gc.enable()
    try:
        yield
    finally:
        if was_on:
            gc.disable()
