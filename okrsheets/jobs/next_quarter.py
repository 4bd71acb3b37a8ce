"""Write next quarter's config from a closed quarter: the unfinished KRs carried over, the finished ones dropped.

The config is edited with tomlkit, so its comments, order and layout stay as
the admin wrote them; only what changes is touched:

- ``quarter``: the next one (its dates too, when the config gives dates);
- each department keeps its table; ``objectives`` lists the objectives with an
  unfinished KR, ``key_results`` the unfinished KRs (score below 1 in the
  final record of ``close-quarter``, `jobs.closed`);
- each carried KR's values get ``start`` = its final value (not for a
  milestone, which has none), the same target, and ``carried_from`` = the
  closed quarter; the values of finished KRs and of dropped objectives go;
- a department that finished every KR is kept as it was, with a comment
  saying to set its new OKRs;
- every other table (company objectives, backend, e-mail ...) is copied as is.

A comment on each changed line says what was carried and from where.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import tomlkit

from okrsheets.config import Config, quarter_dates
from okrsheets.errors import OkrsheetsError
from okrsheets.files import atomic_write
from okrsheets.jobs.closed import read_closed
from okrsheets.words import say

# Config keys holding a path relative to the config file: made absolute when the new config is written elsewhere.
_PATH_KEYS = {"": ("templates_dir",), "backend": ("folder", "service_account_file", "client_secret_file", "token_file")}


@dataclass
class DepartmentCarry:
    key: str
    carried: list[dict] = field(default_factory=list)  # the final record's KRs carried over
    dropped: list[str] = field(default_factory=list)  # IDs of KRs finished at close


@dataclass(frozen=True)
class NextQuarter:
    path: Path
    quarter: str
    departments: tuple[DepartmentCarry, ...]

    @property
    def carried(self) -> int:
        return sum(len(d.carried) for d in self.departments)

    @property
    def dropped(self) -> int:
        return sum(len(d.dropped) for d in self.departments)


def following_quarter(name: str) -> str | None:
    """ "2026-Q4" -> "2027-Q1", "2027-Q1" -> "2027-Q2"; None for a name that is not a calendar quarter."""
    if quarter_dates(name) is None:
        return None
    year, q = int(name[:4]), int(name[-1])
    return f"{year + 1}-Q1" if q == 4 else f"{year}-Q{q + 1}"


def write_next_quarter(config: Config, to: str | None = None, out: Path | None = None) -> NextQuarter:
    """Write next quarter's config (``out``, default ``okrsheets-<quarter>.toml`` beside the config) and return what was carried."""
    lang = config.language
    closed = read_closed(config)
    if closed is None:
        raise OkrsheetsError(say(lang, "next_not_closed", quarter=config.quarter.name))
    to = to or following_quarter(config.quarter.name)
    dates = quarter_dates(to) if to is not None else None
    if to is None or dates is None:
        raise OkrsheetsError(say(lang, "next_bad_quarter", quarter=to or config.quarter.name))
    if to == config.quarter.name:
        raise OkrsheetsError(say(lang, "next_same_quarter", quarter=to))
    source = config.source
    if source is None:
        raise OkrsheetsError(say(lang, "next_no_source"))
    out = out or source.with_name(f"okrsheets-{to}.toml")
    if out.exists():
        raise OkrsheetsError(say(lang, "next_exists", path=out))
    doc = tomlkit.parse(source.read_text(encoding="utf-8"))
    _set_quarter(doc, to)
    if out.resolve().parent != source.resolve().parent:
        _absolute_paths(doc, source.resolve().parent)
    finals: dict[str, list[dict]] = {}
    for kr in closed.final.get("key_results", []):
        finals.setdefault(kr["department"], []).append(kr)
    carries = []
    for table, department in zip(doc["departments"], config.departments):
        carries.append(_carry_department(table, finals.get(department.key, []), closed.quarter, lang,
                                         _date_mover(config.quarter.start, *dates)))
    header = say(lang, "next_header", quarter=to, closed=closed.quarter, carried=sum(len(c.carried) for c in carries),
                 dropped=sum(len(c.dropped) for c in carries))
    text = "".join(f"# {line}\n" for line in header.splitlines()) + tomlkit.dumps(doc)
    atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))
    return NextQuarter(out, to, tuple(carries))


def _set_quarter(doc, to: str) -> None:
    quarter = doc.get("quarter")
    if isinstance(quarter, dict):
        quarter["name"] = to
        dates = quarter_dates(to)  # a quarter write_next_quarter checked: never None here
        if dates is not None and ("start" in quarter or "end" in quarter):
            quarter["start"], quarter["end"] = dates
    else:
        doc["quarter"] = to


def _absolute_paths(doc, base: Path) -> None:
    for table_key, keys in _PATH_KEYS.items():
        table = doc.get(table_key) if table_key else doc
        if not isinstance(table, dict):
            continue
        for key in keys:
            value = table.get(key)
            if isinstance(value, str) and not os.path.isabs(os.path.expanduser(value)):
                table[key] = str(base / value)


def _number(value: float) -> int | float:
    value = round(float(value), 9)
    return int(value) if value.is_integer() else value


def _date_mover(old_start: date, new_start: date, new_end: date) -> Callable[[date], date]:
    """A date of the closed quarter (a milestone's deadline) moved to the same day of the new quarter, at most its last day."""
    return lambda day: min(new_end, new_start + (day - old_start)) if day < new_start else day


def _carry_department(table, finals: list[dict], closed_quarter: str, lang: str, move: Callable[[date], date]) -> DepartmentCarry:
    carry = DepartmentCarry(str(table.get("key")))
    unfinished = [kr for kr in finals if kr["score"] < 1.0]
    carry.dropped = [kr["id"] for kr in finals if kr["score"] >= 1.0]
    if not unfinished:
        table["key"].comment(say(lang, "next_all_done", quarter=closed_quarter))
        return carry
    objectives = list(dict.fromkeys(kr["objective_id"] for kr in unfinished))
    kept = set(objectives) | {kr["id"] for kr in unfinished}
    table["objectives"] = tomlkit.array()
    table["objectives"].extend(objectives)
    table["key_results"] = tomlkit.array()
    table["key_results"].extend(kr["id"] for kr in unfinished)
    if carry.dropped:
        table["key_results"].comment(say(lang, "next_dropped", quarter=closed_quarter, ids=", ".join(carry.dropped)))
    if "values" not in table:
        table["values"] = tomlkit.table()
    for item_id in [k for k in table["values"].keys() if k not in kept]:
        del table["values"][item_id]  # looked up again each time: tomlkit's view of dotted keys goes stale after a delete
    values = table["values"]
    for kr in unfinished:
        if kr["id"] not in values:
            values[kr["id"]] = tomlkit.inline_table()
        entry = values[kr["id"]]
        was = entry.get("start")
        if kr["kind"] != "milestone" and kr["value"] is not None:
            entry["start"] = _number(kr["value"])
        moved = []
        for slot, value in list(entry.items()):
            if isinstance(value, date) and not isinstance(value, datetime) and move(value) != value:
                entry[slot] = move(value)
                moved.append(say(lang, "next_moved", slot=slot, old=value.isoformat()))
        entry["carried_from"] = closed_quarter
        entry.comment("; ".join([say(lang, "next_carried", quarter=closed_quarter, score=math.floor(kr["score"] * 100),
                                     was="-" if was is None else was), *moved]))
        carry.carried.append(kr)
    return carry
