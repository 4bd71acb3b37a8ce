"""What a rollup produces: scores, statuses and data issues, plain immutable data.

The summary writers (Excel, Google), ``--json``, the run report and the e-mail
digest all work from a :class:`RollupResult`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import cached_property

from okrsheets.core.scoring import STATUSES


@dataclass(frozen=True)
class DataIssue:
    """A cell (or file) a team must fix, in the config's language."""

    department: str  # department key
    file: str  # workbook path or spreadsheet URL
    sheet: str | None
    cell: str | None  # A1 reference, e.g. "G12"
    found: str | None  # the value found, as text
    problem: str
    fix: str
    key_result: str | None = None  # KR ID when the issue is about one KR


@dataclass(frozen=True)
class KeyResultResult:
    department: str
    objective_id: str
    id: str
    text: str
    kind: str
    unit: str
    start: float | None
    target: float | None
    current: float | None  # the value read (None: no check-in or unreadable)
    raw: str | None  # what the cell held, as text
    score: float
    status: str  # done | on_track | at_risk | off_track | no_data
    expected: float  # expected progress on the as-of date
    gap: float  # expected - score (positive: behind pace)
    weight: float = 1.0
    confidence: int | None = None  # a whole number 1-10 (anything else is a data issue)
    comment: str | None = None
    last_update: date | None = None  # typed by the team
    last_check_in: date | None = None  # the later of last_update and the last date the value changed
    owner: str | None = None  # the KR's owner (e-mail) from the config


def is_stale(kr: KeyResultResult, as_of: date, stale_after_days: int) -> bool:
    """No check-in for longer than ``stale_after_days`` (never counts); a done KR needs none.

    The one rule for a stale KR: the e-mail digest and the summary's stale sheet both use it.
    """
    if kr.status == "done":
        return False
    return kr.last_check_in is None or (as_of - kr.last_check_in).days > stale_after_days


@dataclass(frozen=True)
class ObjectiveResult:
    department: str
    id: str
    text: str
    weight: float
    score: float
    grade: str  # red | yellow | green
    status: str


@dataclass(frozen=True)
class DepartmentResult:
    key: str
    name: str
    owners: tuple[str, ...]
    weight: float
    score: float
    grade: str
    status: str
    objectives: tuple[ObjectiveResult, ...]
    key_results: tuple[KeyResultResult, ...]
    source: str  # workbook path or spreadsheet URL
    readable: bool = True  # False when the workbook could not be read at all tonight
    read_on: date | None = None  # the date of the reading shown: the as-of date, an earlier night's, or None (never read)

    @property
    def stale(self) -> bool:
        """True when tonight's workbook could not be read and an earlier night's reading is shown."""
        return not self.readable and self.read_on is not None

    @property
    def has_reading(self) -> bool:
        """False when the department's workbook has never been read: no score, left out of the company score."""
        return self.readable or self.read_on is not None

    def count_by_status(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for kr in self.key_results:
            counts[kr.status] += 1
        return counts


@dataclass(frozen=True)
class AlignedItem:
    """A department objective or KR aligned to a company objective, with its score tonight."""

    department: str  # department key
    id: str  # "O1" or "O1.KR2"
    text: str
    weight: float  # the objective's or KR's weight from the config
    score: float
    status: str
    counted: bool = True  # False when its department has never been read: left out, as in the company score


@dataclass(frozen=True)
class CompanyObjectiveResult:
    """A company objective scored from what is aligned to it (see core/alignment.py)."""

    id: str
    text: str
    weight: float
    owner: str | None
    score: float
    grade: str
    status: str
    aligned: tuple[AlignedItem, ...] = ()


@dataclass(frozen=True)
class RollupResult:
    company: str
    quarter: str
    language: str
    as_of: date
    expected: float
    score: float
    grade: str
    status: str
    departments: tuple[DepartmentResult, ...]
    issues: tuple[DataIssue, ...]
    summary_path: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    api_requests: dict[str, int] | None = None  # Google API requests of the run by kind; None on Excel (no API)
    errors: tuple[str, ...] = field(default=())
    final: bool = False  # the quarter's final rollup (``close-quarter``): its night is marked final in the history
    company_objectives: tuple[CompanyObjectiveResult, ...] = ()  # [[company_objectives]] scored (core/alignment.py)

    @property
    def key_results(self) -> tuple[KeyResultResult, ...]:
        return tuple(kr for d in self.departments for kr in d.key_results)

    def issues_for(self, department_key: str) -> tuple[DataIssue, ...]:
        """The data issues of one department, in order (indexed once: reports ask for every department)."""
        return self._issues_by_department.get(department_key, ())

    @cached_property
    def _issues_by_department(self) -> dict[str, tuple[DataIssue, ...]]:
        grouped: dict[str, list[DataIssue]] = {}
        for issue in self.issues:
            grouped.setdefault(issue.department, []).append(issue)
        return {key: tuple(issues) for key, issues in grouped.items()}

    def to_json(self) -> dict:
        """A JSON-ready dict (dates as ISO strings)."""

        def convert(value):
            if isinstance(value, (date, datetime)):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [convert(v) for v in value]
            return value

        return convert(asdict(self))
