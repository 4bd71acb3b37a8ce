"""Company objectives scored from the department objectives and KRs aligned to them.

One level of alignment: a department's objective or KR names the company
objective it supports (``aligns_to = "C1"`` in the config); company objectives
align to nothing, so there are no cycles. A company objective's score is the
weighted mean (:func:`weighted_mean`, as everywhere) of the scores of what is
aligned to it, each with its own weight from the config; its grade and status
follow the same rules as a department's. A department never read is left out
(never counted as 0), as in the company score. Nothing aligned: score 0, no data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from okrsheets.core.model import CompanyObjective, DepartmentPlan
from okrsheets.core.results import AlignedItem, CompanyObjectiveResult, DepartmentResult, RollupResult
from okrsheets.core.scoring import ScoringSettings, grade, status_for, weighted_mean


def aligned_items(company_id: str, plans: Sequence[DepartmentPlan],
                  departments: Sequence[DepartmentResult]) -> list[tuple[AlignedItem, bool]]:
    """What aligns to ``company_id``, in department then plan order, each with whether it has data tonight."""
    results = {d.key: d for d in departments}
    items = []
    for plan in plans:
        department = results.get(plan.key)
        if department is None:
            continue
        objectives = {o.id: o for o in department.objectives}
        key_results = {kr.id: kr for kr in department.key_results}
        for objective in plan.objectives:
            found = objectives.get(objective.id)
            if objective.aligns_to == company_id and found is not None:
                has_data = any(kr.current is not None for kr in department.key_results if kr.objective_id == objective.id)
                items.append((AlignedItem(plan.key, found.id, found.text, found.weight, found.score, found.status,
                                          department.has_reading), has_data))
            for planned in objective.key_results:
                kr = key_results.get(planned.id)
                if planned.aligns_to == company_id and kr is not None:
                    items.append((AlignedItem(plan.key, kr.id, kr.text, kr.weight, kr.score, kr.status,
                                              department.has_reading), kr.current is not None))
    return items


def score_company_objective(objective: CompanyObjective, plans: Sequence[DepartmentPlan], result: RollupResult,
                            settings: ScoringSettings) -> CompanyObjectiveResult:
    """One company objective: the weighted mean of the scores aligned to it, graded and paced like a department."""
    items = aligned_items(objective.id, plans, result.departments)
    counted = [(item, has_data) for item, has_data in items if item.counted]
    score = weighted_mean((item.score, item.weight) for item, _ in counted)
    has_data = any(has_data for _, has_data in counted)
    return CompanyObjectiveResult(
        objective.id, objective.text, objective.weight, objective.owner, score, str(grade(score, settings)),
        str(status_for(score, result.expected, has_data, settings)), tuple(item for item, _ in items),
    )


def with_company_objectives(result: RollupResult, objectives: Sequence[CompanyObjective],
                            plans: Sequence[DepartmentPlan], settings: ScoringSettings) -> RollupResult:
    """``result`` with every company objective scored (in config order)."""
    return replace(result, company_objectives=tuple(
        score_company_objective(objective, plans, result, settings) for objective in objectives))
