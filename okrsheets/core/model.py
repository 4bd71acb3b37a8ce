"""Plain, immutable data of the OKR domain: templates and the quarter plan."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

LANGUAGES = ("vi", "en")

OBJECTIVE_ID_RE = re.compile(r"^O[1-9][0-9]*$")
KEY_RESULT_ID_RE = re.compile(r"^(O[1-9][0-9]*)\.KR[1-9][0-9]*$")  # group 1: the objective's ID
ITEM_ID_RE = re.compile(r"^O[1-9][0-9]*(\.KR[1-9][0-9]*)?$")  # an objective or a KR
COMPANY_OBJECTIVE_ID_RE = re.compile(r"^C[1-9][0-9]*$")  # a company objective: C1, C2, ...

SLOT_TYPES = ("percent", "count", "number", "money", "date", "period", "duration", "text")
NUMERIC_SLOT_TYPES = ("percent", "count", "number", "money")
UNITS = ("percent", "count", "vnd", "days", "hours", "minutes", "points", "number", "done")
KINDS = ("increase", "decrease", "at_least", "at_most", "milestone")
LINEAR_KINDS = ("increase", "decrease")
THRESHOLD_KINDS = ("at_least", "at_most")


@dataclass(frozen=True)
class Localized:
    """A text in every supported language."""

    vi: str
    en: str

    def __call__(self, language: str) -> str:
        return self.en if language == "en" else self.vi


@dataclass(frozen=True)
class Slot:
    """A placeholder of a template text, filled from the config."""

    name: str
    type: str
    label: str


@dataclass(frozen=True)
class KeyResultTemplate:
    id: str
    kind: str
    unit: str
    text: Localized
    slots: tuple[Slot, ...] = ()
    fixed_target: float | None = None

    @property
    def objective_id(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class ObjectiveTemplate:
    id: str
    text: Localized
    key_results: tuple[KeyResultTemplate, ...]
    title: Localized | None = None
    slots: tuple[Slot, ...] = ()


@dataclass(frozen=True)
class TemplateSet:
    key: str
    version: int
    name: Localized
    objectives: tuple[ObjectiveTemplate, ...]
    source_section: str | None = None
    path: Path | None = None
    builtin: bool = True

    @property
    def key_results(self) -> tuple[KeyResultTemplate, ...]:
        return tuple(kr for o in self.objectives for kr in o.key_results)

    def objective(self, objective_id: str) -> ObjectiveTemplate | None:
        return next((o for o in self.objectives if o.id == objective_id), None)


@dataclass(frozen=True)
class PlannedKeyResult:
    """A KR as it goes into a team sheet: text filled, targets set."""

    id: str
    objective_id: str
    text: str
    kind: str
    unit: str
    start: float | None
    target: float | None
    weight: float
    unfilled: tuple[str, ...] = ()
    aligns_to: str | None = None  # the ID of the company objective this KR supports
    owner: str | None = None  # the e-mail address of the person who owns this KR

    @property
    def is_milestone(self) -> bool:
        return self.kind == "milestone"

    @property
    def is_scorable(self) -> bool:
        """Whether the plan gives what scoring needs: a target, and a start for increase/decrease."""
        return self.kind == "milestone" or (
            self.target is not None and (self.kind in ("at_least", "at_most") or self.start is not None)
        )


@dataclass(frozen=True)
class PlannedObjective:
    id: str
    text: str
    title: str | None
    weight: float
    key_results: tuple[PlannedKeyResult, ...]
    unfilled: tuple[str, ...] = ()
    aligns_to: str | None = None  # the ID of the company objective this objective supports


@dataclass(frozen=True)
class CompanyObjective:
    """A company-level objective (``[[company_objectives]]``): departments' objectives and KRs align to it."""

    id: str  # "C1"
    text: str
    weight: float = 1.0
    owner: str | None = None  # e-mail address


@dataclass(frozen=True)
class DepartmentPlan:
    key: str
    name: str
    template_key: str
    template_version: int
    owners: tuple[str, ...]
    weight: float
    objectives: tuple[PlannedObjective, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def key_results(self) -> tuple[PlannedKeyResult, ...]:
        return tuple(kr for o in self.objectives for kr in o.key_results)
