"""Resolve a config against the template library into the quarter plan.

The plan is what every later step works from: per department, each objective
and KR with its text filled in the config's language, its kind, unit, start,
target and weight, and a warning for every slot left unfilled.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from okrsheets import config_cache
from okrsheets.config import Config, Department, KeyResultValues, company_objective_path, load_config, show_value
from okrsheets.core.model import (
    LINEAR_KINDS,
    NUMERIC_SLOT_TYPES,
    DepartmentPlan,
    KeyResultTemplate,
    ObjectiveTemplate,
    PlannedKeyResult,
    PlannedObjective,
    Slot,
    TemplateSet,
)
from okrsheets.core.values import format_number
from okrsheets.errors import ConfigError, OkrsheetsError, TemplateError
from okrsheets.templates import TemplateLibrary, template_contents
from okrsheets.words import say, slot_label, slot_type


@dataclass(frozen=True)
class QuarterPlan:
    config: Config
    departments: tuple[DepartmentPlan, ...]
    company_warnings: tuple[str, ...] = ()  # about [[company_objectives]]: one nothing supports

    @property
    def warnings(self) -> list[str]:
        return [w for d in self.departments for w in d.warnings] + list(self.company_warnings)

    def department(self, key: str) -> DepartmentPlan:
        return next(d for d in self.departments if d.key == key)


def build_plan(config: Config, library: TemplateLibrary | None = None) -> QuarterPlan:
    """Check the config against its templates and return the plan (or raise ConfigError).

    For a config :func:`okrsheets.config.load_config` read from a file with the config cache on
    (:mod:`okrsheets.config_cache`), a plan built before from template folders with the same files (those of
    ``library`` when it was loaded from its folders, else the config's) is given back, and a plan built here is
    kept with the config.
    """
    if config_cache.knows(config):
        contents = library.contents if library is not None else template_contents(config.templates_dir)
        remembered = config_cache.remembered_plan(config, contents)
        if remembered is not None:
            return QuarterPlan(config, *remembered)
    if library is None:
        library = TemplateLibrary.load(config.templates_dir, config.language)
    problems: list[str] = []
    plans = _plan_departments(config, library, problems)
    if problems:
        raise ConfigError(problems, str(config.source) if config.source else None, config.language)
    plan = QuarterPlan(config, tuple(plans), _unsupported_warnings(config, plans))
    if library.contents is not None:
        config_cache.keep_plan(config, (plan.departments, plan.company_warnings), library.contents)
    return plan


def with_plan_problems(error: ConfigError, library: TemplateLibrary | None = None) -> ConfigError:
    """A config error with its plan's problems added (an unknown template set, an ID the template does not have,
    a target on the wrong side of its start...), so a config that is wrong in several places is told in one run.

    The plan is resolved from the error's draft, the config as far as it could be read; a department whose
    template key is itself wrong is left out (its problem is in the list already). Without a draft, when the
    template library cannot be loaded, or when the plan has no problem, the error comes back unchanged. The problems
    of the company's own template sets (``templates_dir``) come before the plan's, whose departments on them are left out.
    """
    draft = error.draft
    if not isinstance(draft, Config):
        return error
    problems: list[str] = []
    try:
        library = library or TemplateLibrary.load(draft.templates_dir, error.language or draft.language)
        departments = tuple(d for d in draft.departments if d.template)
    except OkrsheetsError as own:  # the company's own sets cannot be read (templates_dir is in the list, or they are wrong):
        if isinstance(own, TemplateError) and draft.templates_dir is not None and draft.templates_dir.is_dir():
            problems.extend(own.problems)  # wrong sets in a real folder: told in the same run
        try:  # check the departments of the built-in sets only
            library = TemplateLibrary.load()
        except OkrsheetsError:
            return error
        departments = tuple(d for d in draft.departments if d.template in library.keys())
    _plan_departments(replace(draft, departments=departments), library, problems)
    if not problems:
        return error
    return ConfigError(error.problems + problems, error.source, error.language)


def load_config_with_plan_problems(path: str | os.PathLike | None = None, language: str | None = None) -> Config:
    """The config at ``path`` (:func:`okrsheets.config.load_config`); when it is wrong, its :class:`ConfigError` lists
    the plan's problems too (:func:`with_plan_problems`), so one run tells them all: a command, or a night of
    ``okrsheets schedule`` that re-reads a config edited mid-quarter. ``language`` is the language of the error when
    the file itself cannot be read (a config that can be read speaks its own).
    """
    try:
        return load_config(path, language)
    except ConfigError as error:
        raise with_plan_problems(error) from None


def _plan_departments(config: Config, library: TemplateLibrary, problems: list[str]) -> list[DepartmentPlan]:
    plans = []
    keys = set(library.keys())
    known = ", ".join(sorted(keys))
    planner = _Planner(config, problems)
    for department in config.departments:
        if department.template not in keys:
            problems.append(_problem(config, f"{department.path}.template", "plan_unknown_template", template=department.template, known=known))
            continue
        plans.append(_plan_department(config, department, library.get(department.template), problems, planner))
    return plans


def _problem(config: Config, path: str, key: str, /, **values: object) -> str:
    """``path: <the words entry key, formatted in the config's language>``."""
    return f"{path}: {say(config.language, key, **values)}"


def _unsupported_warnings(config: Config, plans: list[DepartmentPlan]) -> tuple[str, ...]:
    """A warning for each company objective no department objective or KR aligns to (it cannot be scored)."""
    supported = {o.aligns_to for d in plans for o in d.objectives} | {kr.aligns_to for d in plans for kr in d.key_results}
    return tuple(
        say(config.language, "plan_unsupported", id=c.id, path=f"{company_objective_path(i, c.id)}")
        for i, c in enumerate(config.company_objectives) if c.id not in supported
    )


class _Prepared:
    """What a build_plan needs of a template objective or KR in the config's language, worked out once per
    template (a company of 1,000 departments has a few dozen of them) instead of once per department."""

    __slots__ = ("text", "slots", "declared", "placeholder", "labels")

    def __init__(self, text: str, slots: tuple[Slot, ...], language: str) -> None:
        self.text = text
        self.slots = slots
        self.declared = [s.name for s in slots]
        self.labels = {s.name: slot_label(s, language) for s in slots}
        self.placeholder = {name: f"[{label}]" for name, label in self.labels.items()}


class _Planner:
    """One build_plan's work: the config's language and locale, the prepared templates, the numbers rendered so far."""

    def __init__(self, config: Config, problems: list[str]) -> None:
        self.config = config
        self.language = config.language
        self.locale = config.locale
        self.problems = problems
        self.prepared: dict[int, _Prepared] = {}  # by id() of the template objective or KR (the library keeps them alive)
        self.rendered: dict[tuple[str, object], str] = {}  # a numeric slot's value as it reads: (slot type, value) -> text

    def prepare(self, template: ObjectiveTemplate | KeyResultTemplate) -> _Prepared:
        prepared = self.prepared.get(id(template))
        if prepared is None:
            prepared = self.prepared[id(template)] = _Prepared(template.text(self.language), template.slots, self.language)
        return prepared

    def problem(self, path: str, key: str, /, **values: object) -> None:
        self.problems.append(_problem(self.config, path, key, **values))


_NO_VALUES = KeyResultValues()  # an objective or KR the config says nothing about (its path is told apart)


def _plan_department(config: Config, department: Department, template: TemplateSet, problems: list[str],
                     planner: _Planner) -> DepartmentPlan:
    chosen = _chosen_objectives(config, department, template, problems)
    path = department.path
    known = {o.id for o in chosen} | {kr.id for o in chosen for kr in o.key_results}
    for i, kr_id in enumerate(department.key_results or ()):
        if kr_id not in known:
            problems.append(_problem(config, f"{path}.key_results[{i + 1}]", "plan_not_chosen_kr", id=kr_id))
    for item_id, values in department.values.items():
        if item_id not in known:
            all_ids = {o.id for o in template.objectives} | {kr.id for kr in template.key_results}
            if item_id in all_ids:
                problems.append(_problem(config, values.path, "plan_not_chosen"))
            else:
                problems.append(_problem(config, values.path, "plan_not_in_template", template=template.key))
    language = planner.language
    warnings: list[str] = []
    objectives = []
    for objective in chosen:
        given = department.values.get(objective.id)
        if given is None:
            values, values_path = _NO_VALUES, f"{path}.values.{objective.id}"
        else:
            values, values_path = given, given.path
            for field in ("start", "target"):
                if getattr(values, field) is not None:
                    problems.append(_problem(config, f"{values_path}.{field}", "plan_objective_number", field=field,
                                             kr=objective.key_results[0].id))
        prepared = planner.prepare(objective)
        text, unfilled = _fill(planner, prepared, values.start, values.target, values.slots, values_path)
        if unfilled:
            warnings.extend(_unfilled_warnings(department, objective.id, prepared, unfilled, values_path, language))
        key_results = tuple(
            _plan_key_result(planner, department, path, kr, warnings) for kr in objective.key_results
            if department.key_results is None or kr.id in department.key_results
        )
        if not key_results:
            problems.append(_problem(config, f"{path}.key_results", "plan_no_kr_listed", id=objective.id))
        objectives.append(
            PlannedObjective(
                id=objective.id,
                text=text,
                title=objective.title(language) if objective.title else None,
                weight=values.weight,
                key_results=key_results,
                unfilled=tuple(unfilled),
                aligns_to=values.aligns_to,
            )
        )
    return DepartmentPlan(
        key=department.key,
        name=department.name,
        template_key=template.key,
        template_version=template.version,
        owners=department.owners,
        weight=department.weight,
        objectives=tuple(objectives),
        warnings=tuple(warnings),
    )


def _chosen_objectives(config: Config, department: Department, template: TemplateSet, problems: list[str]) -> list[ObjectiveTemplate]:
    if department.objectives is None:
        return list(template.objectives)
    chosen = []
    for i, objective_id in enumerate(department.objectives, start=1):
        objective = template.objective(objective_id)
        if objective is None:
            problems.append(_problem(config, f"{department.path}.objectives[{i}]", "plan_no_objective", id=objective_id,
                                     template=template.key, known=", ".join(o.id for o in template.objectives)))
        elif objective not in chosen:
            chosen.append(objective)
    return chosen


def _plan_key_result(planner: _Planner, department: Department, path: str, kr: KeyResultTemplate,
                     warnings: list[str]) -> PlannedKeyResult:
    values = department.values.get(kr.id)
    values_path = f'{path}.values."{kr.id}"' if values is None else values.path
    values = values or _NO_VALUES
    start, target = values.start, values.target
    kind = kr.kind
    if kind == "milestone":
        for field in ("start", "target"):
            if getattr(values, field) is not None:
                planner.problem(f"{values_path}.{field}", "plan_milestone_number", id=kr.id, field=field)
        start = target = None
    else:
        if kr.fixed_target is not None:
            if target is not None and target != kr.fixed_target:
                planner.problem(f"{values_path}.target", "plan_fixed_target", target=format_number(kr.fixed_target, planner.locale))
            target = kr.fixed_target
        if kind == "increase" and start is None:
            start = 0.0
        if kind in LINEAR_KINDS and start is not None and target is not None:  # (the numbers are formatted for a problem only)
            if start == target:
                planner.problem(values_path, f"plan_same_{kind}", value=format_number(start, planner.locale))
            elif kind == "increase" and target < start:
                planner.problem(f"{values_path}.target", "plan_increase_below", **_numbers(start, target, planner.locale))
            elif kind == "decrease" and target > start:
                planner.problem(f"{values_path}.target", "plan_decrease_above", **_numbers(start, target, planner.locale))
    if (start, target) == (values.start, values.target):
        fill_start, fill_target = values.start, values.target
    else:
        fill_start, fill_target = start, target
    prepared = planner.prepare(kr)
    text, unfilled = _fill(planner, prepared, fill_start, fill_target, values.slots, values_path)
    missing = []
    if kind != "milestone" and target is None:
        missing.append("target")
    if kind == "decrease" and start is None:
        missing.append("start")
    for field in missing:
        warnings.append(say(planner.language, "plan_not_set", key=department.key, id=kr.id, field=field, path=f"{values_path}.{field}"))
    if unfilled:
        warnings.extend(_unfilled_warnings(department, kr.id, prepared, [u for u in unfilled if u not in ("target", "start")],
                                           values_path, planner.language))
    return PlannedKeyResult(
        id=kr.id,
        objective_id=kr.objective_id,
        text=text,
        kind=kind,
        unit=kr.unit,
        start=start,
        target=target,
        weight=values.weight,
        unfilled=tuple(dict.fromkeys([*missing, *unfilled])) if missing or unfilled else (),
        aligns_to=values.aligns_to,
        owner=values.owner,
    )


def _numbers(start: float, target: float, locale: str) -> dict[str, str]:
    return {"start": format_number(start, locale), "target": format_number(target, locale)}


def _fill(planner: _Planner, prepared: _Prepared, start: float | None, target: float | None, slot_values: dict[str, Any],
          path: str) -> tuple[str, list[str]]:
    """The template text with each slot filled (or its ``[label]``), and the slots left unfilled."""
    if slot_values:
        declared = prepared.declared
        for name in slot_values:
            if name not in declared:
                known = ", ".join(n for n in declared if n not in ("target", "start")) or say(planner.language, "plan_no_slots")
                planner.problem(f"{path}.{name}", "plan_not_a_slot", known=known)
    if not prepared.slots:
        return prepared.text.format(), []
    filled: dict[str, str] = {}
    unfilled: list[str] = []
    for slot in prepared.slots:
        name = slot.name
        if name == "target":
            value = target
        elif name == "start":
            value = start
        else:
            value = slot_values.get(name)
        if value is None:
            unfilled.append(name)
            filled[name] = prepared.placeholder[name]
            continue
        filled[name] = _render_slot(planner, slot, value, path)
    return prepared.text.format(**filled), unfilled


def _render_slot(planner: _Planner, slot: Slot, value, path: str) -> str:
    """A slot's value as the text shows it; ``path`` is the values table's, for a problem."""
    if slot.type in NUMERIC_SLOT_TYPES:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            planner.problem(f"{path}.{slot.name}", "plan_slot_number", type=slot_type(slot.type, planner.language),
                            got=show_value(value, planner.language))
            return str(value)
        key = (slot.type, value)  # (1 and 1.0 are one key: they read the same)
        rendered = planner.rendered.get(key)
        if rendered is None:
            rendered = planner.rendered[key] = _render_number(slot.type, value, planner.locale, planner.language)
        return rendered
    if slot.type == "date":
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                planner.problem(f"{path}.{slot.name}", "plan_slot_date", got=show_value(value, planner.language))
                return value
        if not isinstance(value, date):
            planner.problem(f"{path}.{slot.name}", "plan_slot_date", got=show_value(value, planner.language))
            return str(value)
        return value.strftime("%d/%m/%Y") if planner.language == "vi" else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _render_number(slot_type: str, value: float, locale: str, language: str) -> str:
    if slot_type == "money":
        amount = format_number(value, locale, 0)
        return f"{amount} đ" if language == "vi" else f"VND {amount}"
    if slot_type == "count":
        return format_number(value, locale, 0 if float(value).is_integer() else None)
    return format_number(value, locale)


def _unfilled_warnings(department: Department, item_id: str, prepared: _Prepared, unfilled: list[str], path: str,
                       language: str) -> list[str]:
    labels = prepared.labels
    return [
        say(language, "plan_unfilled", key=department.key, id=item_id, slot=name, label=labels[name], path=f"{path}.{name}")
        for name in unfilled
    ]
