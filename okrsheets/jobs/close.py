"""Close the quarter: a final rollup frozen as the quarter's final record, and the team workbooks made read-only.

``close_quarter`` runs the rollup as of the quarter's last day (or today, when
closing early), keeps its scores as the final record in
``.okrsheets-closed.json`` (`jobs.closed`: ``next-quarter`` carries over from
it), keeps a copy of the summary as ``company-summary-final.xlsx`` on Excel
(a separate file, because the rollup still runs after close and rewrites
``company-summary.xlsx`` each time: the copy stays as it was at close), then
provisions every workbook again with the closed flag: every cell locked and a
banner saying the quarter is closed, with what the teams typed kept.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from okrsheets.config import Config
from okrsheets.core.results import RollupResult
from okrsheets.core.scoring import today_in
from okrsheets.files import atomic_write
from okrsheets.i18n import show_date
from okrsheets.jobs.closed import ClosedQuarter, QuarterClosedError, read_closed, write_closed
from okrsheets.jobs.provision import ProvisionOutcome
from okrsheets.words import say

FINAL_SUMMARY_NAME = "company-summary-final.xlsx"


@dataclass(frozen=True)
class CloseOutcome:
    closed: ClosedQuarter
    record_path: Path
    result: RollupResult
    final_summary: str  # a path (Excel) or the summary's address (Google)
    outcomes: tuple[ProvisionOutcome, ...]


def final_record(result: RollupResult) -> dict:
    """The final scores as JSON: the company, each department, each KR with its final value."""
    return {
        "as_of": result.as_of.isoformat(),
        "score": result.score,
        "departments": [
            {"key": d.key, "name": d.name, "score": d.score, "readable": d.readable} for d in result.departments
        ],
        "key_results": [
            {"department": kr.department, "objective_id": kr.objective_id, "id": kr.id, "kind": kr.kind, "unit": kr.unit,
             "start": kr.start, "target": kr.target, "value": kr.current, "score": kr.score, "status": kr.status}
            for d in result.departments for kr in d.key_results
        ],
    }


def close_quarter(config: Config, today: date | None = None, force: bool = False) -> CloseOutcome:
    """Run the final rollup, freeze it and make the team workbooks read-only.

    A quarter already closed is refused unless ``force`` (which closes it again
    with a new final rollup).
    """
    from okrsheets.backends import open_backend
    from okrsheets.jobs.provision import provision
    from okrsheets.jobs.rollup import run_rollup
    from okrsheets.plan import build_plan

    earlier = read_closed(config)
    if earlier is not None and not force:
        raise QuarterClosedError(say(config.language, "close_already", quarter=config.quarter.name,
                                     day=show_date(earlier.closed_on, config.language)))
    today = today or today_in(config.timezone)
    as_of = min(today, config.quarter.end)
    plan = build_plan(config)
    backend = open_backend(config)
    result = run_rollup(config, as_of, backend=backend, full=True, final=True)  # every workbook opened, none taken as unchanged
    final_summary = str(result.summary_path)
    if config.backend == "excel":
        written = result.summary_path
        assert written is not None, "run_rollup returns the path of the summary it wrote"
        final = config.quarter_folder / FINAL_SUMMARY_NAME
        atomic_write(final, lambda p: shutil.copyfile(written, p))
        final_summary = str(final)
    closed = ClosedQuarter(config.quarter.name, today, {**final_record(result), "summary": final_summary})
    path = write_closed(config, closed)
    outcomes = provision(plan, backend, closing=True)
    return CloseOutcome(closed, path, result, final_summary, tuple(outcomes))
