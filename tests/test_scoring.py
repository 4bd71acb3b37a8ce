"""Tests for okrsheets.core.scoring: KR scores, roll-ups, grades, pace and status."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from okrsheets.core.scoring import (
    DEFAULT_SETTINGS,
    Grade,
    Kind,
    ScoringSettings,
    Status,
    expected_progress,
    gap,
    grade,
    score_key_result,
    status_for,
    today_in,
    weighted_mean,
)

# ---------------------------------------------------------------- enums


def test_enum_values_are_the_config_strings() -> None:
    assert [k.value for k in Kind] == ["increase", "decrease", "at_least", "at_most", "milestone"]
    assert [s.value for s in Status] == ["done", "on_track", "at_risk", "off_track", "no_data"]
    assert [g.value for g in Grade] == ["red", "yellow", "green"]
    assert Kind.INCREASE == "increase"


def test_one_status_and_grade_vocabulary_with_words_and_colours_for_each() -> None:
    """Every status a KR can have is counted, in Status order, and has a label in both languages; every grade a colour."""
    from okrsheets import i18n
    from okrsheets.core.results import DepartmentResult
    from okrsheets.core.scoring import GRADES, STATUSES

    assert STATUSES == ("done", "on_track", "at_risk", "off_track", "no_data")
    assert GRADES == ("red", "yellow", "green")
    department = DepartmentResult("d", "D", (), 1.0, 0.0, "red", "no_data", (), (), "d.xlsx")
    assert list(department.count_by_status().items()) == [(s, 0) for s in STATUSES]
    for language in ("vi", "en"):
        assert [i18n.status_label(s, language) for s in STATUSES]  # KeyError if a status has no words
        assert set(i18n.GRADE[language]) == set(GRADES)
    assert set(i18n.GRADE_FILL) == set(i18n.GRADE_FONT) == set(GRADES)


# ---------------------------------------------------------------- settings


def test_default_settings() -> None:
    s = ScoringSettings()
    assert (s.red_below, s.green_from, s.pace_tolerance, s.off_track_gap) == (0.4, 0.7, 0.1, 0.3)
    assert DEFAULT_SETTINGS == s


@pytest.mark.parametrize(
    "kwargs",
    [
        {"red_below": 0.0},
        {"red_below": -0.1},
        {"red_below": 0.8, "green_from": 0.7},
        {"green_from": 1.1},
        {"pace_tolerance": -0.01},
        {"pace_tolerance": 0.4, "off_track_gap": 0.3},
        {"off_track_gap": 1.5},
        {"red_below": math.nan},
    ],
)
def test_settings_reject_inconsistent_thresholds(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="scoring settings"):
        ScoringSettings(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"red_below": 0.7, "green_from": 0.7},
        {"red_below": 1.0, "green_from": 1.0},
        {"pace_tolerance": 0.0, "off_track_gap": 0.0},
        {"pace_tolerance": 0.3, "off_track_gap": 0.3},
        {"off_track_gap": 1.0},
    ],
)
def test_settings_accept_boundaries(kwargs: dict[str, float]) -> None:
    ScoringSettings(**kwargs)


# ---------------------------------------------------------------- score_key_result


def test_decrease_example_from_the_readme() -> None:
    assert score_key_result("decrease", 10, 2, 6) == 0.5


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (None, 0.0),  # no check-in
        (-5, 0.0),  # below start
        (0, 0.0),  # exactly at start
        (25, 0.25),
        (50, 0.5),
        (100, 1.0),  # exactly at target
        (150, 1.0),  # beyond target
    ],
)
def test_increase(current: float | None, expected: float) -> None:
    assert score_key_result(Kind.INCREASE, 0, 100, current) == expected


def test_increase_with_nonzero_start() -> None:
    assert score_key_result("increase", 20, 60, 30) == pytest.approx(0.25, abs=1e-12)


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (None, 0.0),
        (12, 0.0),  # worse than start
        (10, 0.0),  # exactly at start
        (8, 0.25),
        (6, 0.5),
        (2, 1.0),  # exactly at target
        (0, 1.0),  # beyond target
    ],
)
def test_decrease(current: float | None, expected: float) -> None:
    assert score_key_result(Kind.DECREASE, 10, 2, current) == expected


@pytest.mark.parametrize(
    ("current", "expected"),
    [(None, 0.0), (0, 0.0), (89.99, 0.0), (90, 1.0), (95, 1.0)],
)
def test_at_least(current: float | None, expected: float) -> None:
    assert score_key_result("at_least", 50, 90, current) == expected


def test_at_least_ignores_start() -> None:
    assert score_key_result("at_least", None, 90, 90) == 1.0
    assert score_key_result("at_least", 1000, 90, 91) == 1.0


@pytest.mark.parametrize(
    ("current", "expected"),
    [(None, 0.0), (0, 1.0), (2, 1.0), (2.01, 0.0), (10, 0.0)],
)
def test_at_most(current: float | None, expected: float) -> None:
    assert score_key_result("at_most", 999, 2, current) == expected


def test_at_most_with_zero_threshold() -> None:
    assert score_key_result("at_most", None, 0, 0) == 1.0
    assert score_key_result("at_most", None, 0, 1) == 0.0


@pytest.mark.parametrize(
    ("current", "expected"),
    [(None, 0.0), (0, 0.0), (1, 1.0), (0.7, 0.7), (1.5, 1.0), (-0.2, 0.0)],
)
def test_milestone(current: float | None, expected: float) -> None:
    assert score_key_result("milestone", None, None, current) == expected


def test_milestone_ignores_start_and_target() -> None:
    assert score_key_result(Kind.MILESTONE, 5, 5, 0.7) == 0.7


@pytest.mark.parametrize("kind", ["increase", "decrease", Kind.INCREASE])
@pytest.mark.parametrize("current", [None, 0, 5])
def test_start_equal_to_target_raises(kind: str, current: float | None) -> None:
    with pytest.raises(ValueError, match="start != target"):
        score_key_result(kind, 5, 5, current)


@pytest.mark.parametrize(("start", "target"), [(None, 5), (0, None)])
def test_linear_kinds_need_start_and_target(start: float | None, target: float | None) -> None:
    with pytest.raises(ValueError):
        score_key_result("increase", start, target, 1)


def test_threshold_kinds_need_a_target() -> None:
    with pytest.raises(ValueError):
        score_key_result("at_least", 0, None, 1)


@pytest.mark.parametrize("kind", ["grow", "INCREASE", "", "at-least"])
def test_unknown_kind_raises(kind: str) -> None:
    with pytest.raises(ValueError, match="unknown key result kind"):
        score_key_result(kind, 0, 1, 1)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_inputs_raise(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        score_key_result("increase", 0, 10, bad)
    with pytest.raises(ValueError, match="finite"):
        score_key_result("increase", bad, 10, 1)
    with pytest.raises(ValueError, match="finite"):
        score_key_result("milestone", None, None, bad)


# ---------------------------------------------------------------- weighted_mean


def test_weighted_mean_empty_is_zero() -> None:
    assert weighted_mean([]) == 0.0


def test_weighted_mean_values() -> None:
    assert weighted_mean([(1.0, 1), (0.0, 1)]) == 0.5
    assert weighted_mean([(1.0, 3), (0.0, 1)]) == 0.75
    assert weighted_mean([(0.4, 2.5)]) == 0.4
    assert weighted_mean(iter([(0.2, 1), (0.8, 2)])) == pytest.approx(0.6, abs=1e-12)


@pytest.mark.parametrize("weight", [0, -1, math.nan, math.inf])
def test_weighted_mean_rejects_bad_weights(weight: float) -> None:
    with pytest.raises(ValueError, match="weights"):
        weighted_mean([(0.5, 1), (0.5, weight)])


# ---------------------------------------------------------------- grade


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.0, Grade.RED),
        (0.39999, Grade.RED),
        (0.4, Grade.YELLOW),  # red_below is exclusive
        (0.69999, Grade.YELLOW),
        (0.7, Grade.GREEN),  # green_from is inclusive
        (1.0, Grade.GREEN),
    ],
)
def test_grade_bands_at_default_boundaries(score: float, expected: Grade) -> None:
    assert grade(score, DEFAULT_SETTINGS) == expected


def test_grade_with_custom_settings() -> None:
    s = ScoringSettings(red_below=0.3, green_from=0.3)
    assert grade(0.29, s) is Grade.RED
    assert grade(0.3, s) is Grade.GREEN


# ---------------------------------------------------------------- expected_progress

Q_START = date(2026, 10, 1)
Q_END = date(2026, 12, 31)  # 92 days


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 9, 15), 0.0),  # before the quarter
        (date(2026, 10, 1), 0.0),  # first day: nothing fully elapsed
        (date(2026, 10, 2), 1 / 92),
        (date(2026, 11, 16), 46 / 92),
        (date(2026, 12, 31), 91 / 92),  # last day
        (date(2027, 1, 1), 1.0),  # day after
        (date(2027, 3, 1), 1.0),  # long after
    ],
)
def test_expected_progress(on: date, expected: float) -> None:
    assert expected_progress(Q_START, Q_END, on) == pytest.approx(expected, abs=1e-12)


def test_expected_progress_single_day_quarter() -> None:
    assert expected_progress(Q_START, Q_START, Q_START) == 0.0
    assert expected_progress(Q_START, Q_START, Q_START + timedelta(days=1)) == 1.0


def test_expected_progress_rejects_reversed_quarter() -> None:
    with pytest.raises(ValueError):
        expected_progress(Q_END, Q_START, Q_START)


def test_expected_progress_rejects_datetimes() -> None:
    with pytest.raises(TypeError):
        expected_progress(Q_START, Q_END, datetime(2026, 11, 1, 12, 0))


# ---------------------------------------------------------------- today_in


def test_today_in_uses_the_timezone() -> None:
    now = datetime(2026, 9, 30, 18, 30, tzinfo=timezone.utc)  # 01:30 on Oct 1 in Hanoi
    assert today_in("Asia/Ho_Chi_Minh", now) == date(2026, 10, 1)
    assert today_in("UTC", now) == date(2026, 9, 30)
    assert today_in("America/New_York", now) == date(2026, 9, 30)


def test_today_in_without_now_returns_a_date() -> None:
    assert isinstance(today_in("Asia/Ho_Chi_Minh"), date)


def test_today_in_rejects_unknown_zone_and_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone"):
        today_in("Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="timezone-aware"):
        today_in("UTC", datetime(2026, 1, 1, 12, 0))


# ---------------------------------------------------------------- status_for and gap


def test_status_no_data_wins() -> None:
    assert status_for(1.0, 0.5, False, DEFAULT_SETTINGS) is Status.NO_DATA
    assert status_for(0.0, 0.5, False) is Status.NO_DATA


def test_status_done() -> None:
    assert status_for(1.0, 1.0, True) is Status.DONE
    assert status_for(1.0, 0.0, True) is Status.DONE


@pytest.mark.parametrize(
    ("score", "status"),
    [
        (0.9, Status.ON_TRACK),  # ahead of pace
        (0.6, Status.ON_TRACK),  # exactly on pace
        (0.6 - 0.1, Status.ON_TRACK),  # exactly at the tolerance
        (0.49, Status.AT_RISK),  # just beyond the tolerance
        (0.6 - 0.3, Status.AT_RISK),  # exactly at the off-track gap
        (0.29, Status.OFF_TRACK),  # just beyond it
        (0.0, Status.OFF_TRACK),
    ],
)
def test_status_branches_and_boundaries(score: float, status: Status) -> None:
    assert status_for(score, 0.6, True, DEFAULT_SETTINGS) is status


def test_status_at_quarter_start_is_on_track_even_at_zero() -> None:
    assert status_for(0.0, 0.0, True) is Status.ON_TRACK
    assert status_for(0.0, 0.1, True) is Status.ON_TRACK


def test_status_with_custom_settings() -> None:
    s = ScoringSettings(pace_tolerance=0.0, off_track_gap=0.0)
    assert status_for(0.5, 0.5, True, s) is Status.ON_TRACK
    assert status_for(0.49, 0.5, True, s) is Status.OFF_TRACK


def test_gap() -> None:
    assert gap(0.3, 0.5) == pytest.approx(0.2)
    assert gap(0.8, 0.5) == pytest.approx(-0.3)
    assert gap(0.5, 0.5) == 0.0


# ---------------------------------------------------------------- properties

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
scores = st.floats(min_value=0.0, max_value=1.0)
weights = st.floats(min_value=1e-3, max_value=1e3)


@given(kind=st.sampled_from(list(Kind)), start=finite, target=finite, current=st.none() | finite)
def test_score_always_in_unit_interval(kind: Kind, start: float, target: float, current: float | None) -> None:
    assume(start != target)
    assert 0.0 <= score_key_result(kind, start, target, current) <= 1.0


@given(start=finite, target=finite, a=finite, b=finite)
def test_increase_is_non_decreasing_in_current(start: float, target: float, a: float, b: float) -> None:
    assume(start < target)
    low, high = sorted((a, b))
    assert score_key_result("increase", start, target, low) <= score_key_result("increase", start, target, high)


@given(start=finite, target=finite, a=finite, b=finite)
def test_decrease_is_non_increasing_in_current(start: float, target: float, a: float, b: float) -> None:
    assume(target < start)
    low, high = sorted((a, b))
    assert score_key_result("decrease", start, target, low) >= score_key_result("decrease", start, target, high)


@given(st.lists(st.tuples(scores, weights), min_size=1, max_size=20))
def test_weighted_mean_between_min_and_max(pairs: list[tuple[float, float]]) -> None:
    mean = weighted_mean(pairs)
    assert min(s for s, _ in pairs) <= mean <= max(s for s, _ in pairs)


@given(
    st.lists(st.tuples(scores, weights), min_size=1, max_size=20),
    st.floats(min_value=1e-3, max_value=1e3),
)
def test_weighted_mean_ignores_weight_scale(pairs: list[tuple[float, float]], factor: float) -> None:
    scaled = [(s, w * factor) for s, w in pairs]
    assert weighted_mean(scaled) == pytest.approx(weighted_mean(pairs), abs=1e-9)


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    length=st.integers(min_value=0, max_value=400),
    offset=st.integers(min_value=-500, max_value=900),
)
def test_expected_progress_in_unit_interval(start: date, length: int, offset: int) -> None:
    value = expected_progress(start, start + timedelta(days=length), start + timedelta(days=offset))
    assert 0.0 <= value <= 1.0
