"""Scoring rules of an OKR cycle: key result scores, roll-ups, grades, pace and status.

This module is pure (no I/O, standard library only). The spreadsheet formulas
written into team workbooks reproduce these formulas exactly, and a test
compares the two to 1e-9, so change a formula here only together with them.

Summary (see docs/scoring.md for the user-facing description):

* A key result (KR) scores in [0, 1] (`score_key_result`).
* An objective scores the weighted mean of its KR scores, a department the
  weighted mean of its objective scores, the company the weighted mean of its
  department scores (`weighted_mean`).
* A score gets a colour grade (`grade`) and, compared with how much of the
  quarter has elapsed (`expected_progress`), a status (`status_for`).
"""

from __future__ import annotations

import enum
import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_SETTINGS",
    "Grade",
    "Kind",
    "ScoringSettings",
    "Status",
    "expected_progress",
    "gap",
    "grade",
    "score_key_result",
    "status_for",
    "today_in",
    "weighted_mean",
]


class Kind(enum.StrEnum):
    """How a key result is scored."""

    INCREASE = "increase"
    """Grow from `start` to `target` (linear, partial credit)."""
    DECREASE = "decrease"
    """Shrink from `start` to `target` (linear, partial credit; target < start)."""
    AT_LEAST = "at_least"
    """Stay at or above `target` (all or nothing)."""
    AT_MOST = "at_most"
    """Stay at or below `target` (all or nothing)."""
    MILESTONE = "milestone"
    """Done (1) / not done (0), or a grade in between such as 0.7."""


class Status(enum.StrEnum):
    """Where a KR, objective or department stands against the quarter's pace."""

    DONE = "done"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


class Grade(enum.StrEnum):
    """Colour band of a score."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


# The one status and grade vocabulary, in report order (summary and digest columns, counts), as the
# plain strings results and sheets hold; everything that lists statuses or grades derives from these.
STATUSES: tuple[str, ...] = tuple(status.value for status in Status)
GRADES: tuple[str, ...] = tuple(grade.value for grade in Grade)


@dataclass(frozen=True)
class ScoringSettings:
    """Thresholds for grades and status; all are fractions of a full score (0–1).

    * `red_below`: a score below this is RED.
    * `green_from`: a score at or above this is GREEN (in between: YELLOW).
    * `pace_tolerance`: a score at most this far behind the expected progress
      is still ON_TRACK.
    * `off_track_gap`: a score more than this far behind is OFF_TRACK
      (in between: AT_RISK).

    Raises `ValueError` unless 0 < red_below <= green_from <= 1 and
    0 <= pace_tolerance <= off_track_gap <= 1.
    """

    red_below: float = 0.4
    green_from: float = 0.7
    pace_tolerance: float = 0.1
    off_track_gap: float = 0.3

    def __post_init__(self) -> None:
        if not 0 < self.red_below <= self.green_from <= 1:
            raise ValueError(
                "scoring settings: need 0 < red_below <= green_from <= 1, "
                f"got red_below={self.red_below!r}, green_from={self.green_from!r}"
            )
        if not 0 <= self.pace_tolerance <= self.off_track_gap <= 1:
            raise ValueError(
                "scoring settings: need 0 <= pace_tolerance <= off_track_gap <= 1, "
                f"got pace_tolerance={self.pace_tolerance!r}, "
                f"off_track_gap={self.off_track_gap!r}"
            )


DEFAULT_SETTINGS = ScoringSettings()
"""The default thresholds: red below 0.4, green from 0.7, tolerance 0.1, off track beyond 0.3."""


def _clamp01(value: float) -> float:
    """Clamp to [0, 1] (the spreadsheet's MAX(0, MIN(1, value)))."""
    return max(0.0, min(1.0, value))


_KINDS = {kind.value: kind for kind in Kind}


def _as_kind(kind: Kind | str) -> Kind:
    """Return `kind` as a `Kind`; raise ValueError for an unknown kind."""
    try:
        return _KINDS[kind]  # a dict lookup: Kind(kind) costs more, once per KR
    except (KeyError, TypeError):
        allowed = ", ".join(k.value for k in Kind)
        raise ValueError(f"unknown key result kind {kind!r}; expected one of: {allowed}") from None


def _require_finite(name: str, value: float) -> None:
    """Raise ValueError if `value` is NaN or infinite."""
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


def score_key_result(
    kind: Kind | str,
    start: float | None,
    target: float | None,
    current: float | None,
) -> float:
    """Score one key result in [0, 1].

    * `current is None` (no check-in yet) scores 0.0.
    * increase / decrease: `(current - start) / (target - start)` clamped to
      [0, 1]; the same formula serves both (for decrease, target < start).
      Raises ValueError if start == target (or either is missing), whatever
      `current` is: the config is wrong, and we never divide by zero.
    * at_least: 1.0 if current >= target else 0.0 (start ignored).
    * at_most: 1.0 if current <= target else 0.0 (start ignored).
    * milestone: `current` itself (1 done, 0 not done, or a grade such as
      0.7) clamped to [0, 1]; start and target ignored.

    `kind` is a `Kind` or its string value; an unknown kind raises ValueError.
    NaN or infinite inputs raise ValueError.

    >>> score_key_result("decrease", 10, 2, 6)
    0.5
    """
    k = _as_kind(kind)
    if k in (Kind.INCREASE, Kind.DECREASE):
        return _score_linear(k, start, target, current)
    if k is Kind.MILESTONE:
        if current is None:
            return 0.0
        _require_finite("current", current)
        return _clamp01(float(current))
    return _score_threshold(k, target, current)


def _score_linear(kind: Kind, start: float | None, target: float | None, current: float | None) -> float:
    """Score an increase/decrease KR: linear progress from start to target, clamped."""
    if start is None or target is None:
        raise ValueError(f"{'an' if kind is Kind.INCREASE else 'a'} {kind.value} key result needs both start and target")
    _require_finite("start", start)
    _require_finite("target", target)
    if start == target:
        raise ValueError(
            f"{'an' if kind is Kind.INCREASE else 'a'} {kind.value} key result needs start != target (both are {start!r})"
        )
    if current is None:
        return 0.0
    _require_finite("current", current)
    return _clamp01((current - start) / (target - start))


def _score_threshold(kind: Kind, target: float | None, current: float | None) -> float:
    """Score an at_least/at_most KR: 1.0 when the threshold is met, else 0.0."""
    if target is None:
        raise ValueError(f"an {kind.value} key result needs a target")
    _require_finite("target", target)
    if current is None:
        return 0.0
    _require_finite("current", current)
    met = current >= target if kind is Kind.AT_LEAST else current <= target
    return 1.0 if met else 0.0


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float:
    """Weighted mean of `(score, weight)` pairs: sum(score * weight) / sum(weight).

    Used for every roll-up: objective = KRs, department = objectives,
    company = departments. Weights must be finite and > 0 (else ValueError);
    they need not sum to 1. No pairs gives 0.0. The result always lies
    between the smallest and the largest score (rounding is clamped away).
    """
    items = list(pairs)
    if not items:
        return 0.0
    scores = [score for score, _ in items]
    weights = [weight for _, weight in items]
    # One pass each in C (every score and weight finite, every weight > 0) before the pairs are checked
    # one by one, which only runs to name the first bad one: 5,800 roll-ups a night at 1,000 departments.
    try:
        valid = all(map(math.isfinite, scores)) and all(map(math.isfinite, weights)) and min(weights) > 0
    except TypeError:  # not a number: the loop below raises what it raises for the first bad pair
        valid = False
    if not valid:
        for score, weight in items:
            _require_finite("score", score)
            if not (math.isfinite(weight) and weight > 0):
                raise ValueError(f"weights must be finite and > 0, got {weight!r}")
    mean = math.fsum(map(operator.mul, scores, weights)) / math.fsum(weights)
    return max(min(scores), min(max(scores), mean))


def grade(score: float, settings: ScoringSettings = DEFAULT_SETTINGS) -> Grade:
    """Colour band of a score: RED if score < red_below, GREEN if score >= green_from, else YELLOW."""
    if score < settings.red_below:
        return Grade.RED
    if score >= settings.green_from:
        return Grade.GREEN
    return Grade.YELLOW


def expected_progress(quarter_start: date, quarter_end: date, on: date) -> float:
    """Fraction of the quarter's calendar days fully elapsed before `on`, in [0, 1].

    `clamp((on - quarter_start).days / ((quarter_end - quarter_start).days + 1), 0, 1)`.
    `quarter_end` is the last day of the quarter (inclusive), so the first day
    gives 0.0, the last day gives (n - 1) / n and the day after gives 1.0.
    Pass plain dates (see `today_in` for "today" in the company's timezone);
    datetimes raise TypeError, quarter_end before quarter_start ValueError.
    """
    for name, value in (("quarter_start", quarter_start), ("quarter_end", quarter_end), ("on", on)):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"{name} must be a date (not a datetime), got {value!r}")
    if quarter_end < quarter_start:
        raise ValueError(f"quarter_end {quarter_end} is before quarter_start {quarter_start}")
    days_in_quarter = (quarter_end - quarter_start).days + 1
    return _clamp01((on - quarter_start).days / days_in_quarter)


def today_in(tz_name: str, now: datetime | None = None) -> date:
    """The calendar date in timezone `tz_name` (an IANA name such as "Asia/Ho_Chi_Minh").

    `now` defaults to the current time; if given it must be timezone-aware
    (a naive datetime raises ValueError, since its zone is unknown).
    An unknown timezone name raises ValueError.
    """
    try:
        zone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {tz_name!r}; use an IANA name such as 'Asia/Ho_Chi_Minh'") from None
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware, e.g. datetime.now(timezone.utc)")
    return now.astimezone(zone).date()


def status_for(
    score: float,
    expected: float,
    has_data: bool,
    settings: ScoringSettings = DEFAULT_SETTINGS,
) -> Status:
    """Status of a KR, objective or department against the quarter's pace.

    Checked in this order:
    NO_DATA if not has_data (an objective/department has data when any of its
    KRs has a value); DONE if score >= 1.0; ON_TRACK if
    score >= expected - pace_tolerance; OFF_TRACK if
    score < expected - off_track_gap; otherwise AT_RISK.
    `expected` is usually `expected_progress(...)`.
    """
    if not has_data:
        return Status.NO_DATA
    if score >= 1.0:
        return Status.DONE
    if score >= expected - settings.pace_tolerance:
        return Status.ON_TRACK
    if score < expected - settings.off_track_gap:
        return Status.OFF_TRACK
    return Status.AT_RISK


def gap(score: float, expected: float) -> float:
    """How far behind pace a score is: `expected - score` (positive = behind, negative = ahead)."""
    return expected - score
