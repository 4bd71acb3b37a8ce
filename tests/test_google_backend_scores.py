"""One truth on both backends: the same check-ins typed on Excel and on Google score the same.

Each test runs once per backend (tests/helpers/team_backends.py): Excel files,
and Google spreadsheets in a shared-drive folder of the offline fake, read by
the real gspread and google-auth over HTTP.
"""

from __future__ import annotations

from datetime import date

import pytest

from okrsheets.jobs.rollup import score_quarter

from .helpers.team_backends import AS_OF, CHECK_INS, CONFIDENCE, DEPARTMENT_SCORE, OBJECTIVES, SCORES, Typed, team_backend


@pytest.fixture(params=["excel", "google"])
def team(request, tmp_path):
    with team_backend(request.param, tmp_path) as built:
        yield built


def test_the_same_typing_scores_the_same_on_both_backends(team):
    team.type("kinh-doanh", CHECK_INS)
    team.type("kinh-doanh", CONFIDENCE, column="confidence")
    team.type("kinh-doanh", {"O1.KR2": Typed("2026-11-10", (date(2026, 11, 10), "yyyy-mm-dd"))},
              column="last_update")
    result = score_quarter(team.plan, team.backend(), AS_OF)
    sales = next(d for d in result.departments if d.key == "kinh-doanh")
    assert sales.readable
    assert {kr.id: kr.score for kr in sales.key_results} == pytest.approx(SCORES, abs=1e-12)
    assert {o.id: o.score for o in sales.objectives} == pytest.approx(OBJECTIVES, abs=1e-12)
    assert sales.score == pytest.approx(DEPARTMENT_SCORE, abs=1e-12)
    currents = {kr.id: kr.current for kr in sales.key_results}
    assert currents == pytest.approx({"O1.KR1": 1234567, "O1.KR2": 43.7, "O1.KR3": 7, "O2.KR1": 1, "O2.KR2": 11}, abs=1e-9)
    kr2 = next(kr for kr in sales.key_results if kr.id == "O1.KR2")
    assert (kr2.confidence, kr2.last_update) == (8, date(2026, 11, 10))
    # expected progress 0.5: off track below 0.2, on track from 0.4 (0.1234567 off; 0.5925 and 0.6 on track)
    assert [kr.status for kr in sales.key_results] == ["off_track", "on_track", "done", "done", "on_track"]
    assert [i for i in result.issues if i.department == "kinh-doanh"] == []
    # van-hanh typed nothing: readable, no data, scored 0
    other = next(d for d in result.departments if d.key == "van-hanh")
    assert (other.readable, other.score, other.status) == (True, 0.0, "no_data")


def test_a_value_the_engine_cannot_read_is_the_same_issue_on_both_backends(team):
    team.type("kinh-doanh", {"O1.KR3": Typed("bảy", "bảy"), "O2.KR2": Typed("12 ngày nữa", "12 ngày nữa")})
    result = score_quarter(team.plan, team.backend(), AS_OF)
    issues = sorted((i.key_result, i.cell, i.found) for i in result.issues if i.department == "kinh-doanh")
    assert issues == [("O1.KR3", "G12", "bảy"), ("O2.KR2", "G15", "12 ngày nữa")]


def test_a_date_typed_as_a_current_value_is_an_issue_on_both_backends(team):
    team.type("kinh-doanh", {"O1.KR3": Typed("2026-11-10", (date(2026, 11, 10), "yyyy-mm-dd"))})
    result = score_quarter(team.plan, team.backend(), AS_OF)
    [issue] = [i for i in result.issues if i.department == "kinh-doanh"]
    assert (issue.key_result, issue.cell) == ("O1.KR3", "G12")
    assert "ngày" in issue.problem  # the engine's "a date, not a number" words, in Vietnamese
