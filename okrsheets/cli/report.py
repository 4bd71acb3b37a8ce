"""Plain-text renderings for the terminal (no click here, just strings)."""

from __future__ import annotations

from collections.abc import Sequence

from okrsheets.core.model import DepartmentPlan, PlannedKeyResult, PlannedObjective, TemplateSet
from okrsheets.core.values import format_number
from okrsheets.i18n import KIND, UNIT
from okrsheets.plan import QuarterPlan
from okrsheets.words import count, headings, say, slot_label, slot_type


def template_table(sets: list[TemplateSet], language: str) -> list[str]:
    key, name, objectives, krs = headings(language, "templates_head")
    rows = [(key, name, objectives, krs)]
    rows += [(t.key, t.name(language), str(len(t.objectives)), str(len(t.key_results))) for t in sets]
    rows.append(("", count(language, len(sets), "template_set"), str(sum(len(t.objectives) for t in sets)),
                 str(sum(len(t.key_results) for t in sets))))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in rows]


def template_detail(template: TemplateSet, language: str) -> list[str]:
    lines = [say(language, "template_title", key=template.key, version=template.version, name=template.name(language))]
    if template.path:
        lines.append(say(language, "template_file", path=template.path))
    for objective in template.objectives:
        lines.append("")
        title = f" [{objective.title(language)}]" if objective.title else ""
        lines.append(f"{objective.id}{title} {objective.text(language)}")
        lines.extend(_slot_lines(objective.slots, "    ", language))
        for kr in objective.key_results:
            kind = KIND[language][kr.kind].lower()
            lines.append(f"  {kr.id} ({kind}, {UNIT[language][kr.unit]}) {kr.text(language)}")
            if kr.fixed_target is not None:
                lines.append(say(language, "template_fixed_target", target=f"{kr.fixed_target:g}"))
            lines.extend(_slot_lines(kr.slots, "      ", language))
    return lines


def _slot_lines(slots, indent: str, language: str) -> list[str]:
    return [f"{indent}{{{s.name}}}: {slot_type(s.type, language)} [{slot_label(s, language)}]" for s in slots]


def plan_lines(plan: QuarterPlan, more_warnings: Sequence[str] = ()) -> list[str]:
    """The resolved plan; ``more_warnings`` (config and lint warnings, in the config's language) come before the count."""
    config = plan.config
    language, locale = config.language, config.locale
    q = config.quarter
    day = (lambda d: d.isoformat()) if language == "en" else (lambda d: d.strftime("%d/%m/%Y"))  # noqa: E731
    lines = [
        say(language, "plan_quarter", company=config.company, quarter=q.name, start=day(q.start), end=day(q.end), days=q.days),
        say(language, "plan_settings", language=config.language, timezone=config.timezone, backend=config.backend),
    ]
    for department in plan.departments:
        lines.append("")
        lines.append(say(
            language, "plan_department", name=department.name, key=department.key, template=department.template_key,
            version=department.template_version, weight=format_number(department.weight, locale),
            owners=", ".join(department.owners) or say(language, "no_owners"),
        ))
        for objective in department.objectives:
            weight = "" if objective.weight == 1 else say(language, "plan_objective_weight", weight=format_number(objective.weight, locale))
            aligned = f" → {objective.aligns_to}" if objective.aligns_to else ""
            lines.append(f"  {objective.id}{weight} {objective.text}{aligned}")
            for kr in objective.key_results:
                extra = "".join(f" {mark}" for mark in (kr.aligns_to and f"→ {kr.aligns_to}", kr.owner and f"[{kr.owner}]") if mark)
                lines.append(f"    {kr.id} {kr.text}{extra}")
                lines.append(f"        {_measure(kr, locale, language)}")
        for warning in department.warnings:
            lines.append("  " + say(language, "warning", warning=warning))
    if config.company_objectives:
        lines.append("")
        for c in config.company_objectives:
            items = [f"{d.key} {i.id}" for d in plan.departments for i in _objectives_and_key_results(d) if i.aligns_to == c.id]
            lines.append(f"{c.id} {c.text} ← {', '.join(items) or '-'}")
        lines.extend("  " + say(language, "warning", warning=warning) for warning in plan.company_warnings)
    if more_warnings:
        lines.append("")
        lines.extend(say(language, "warning", warning=warning) for warning in more_warnings)
    lines.append("")
    lines.append(say(
        language, "plan_total", departments=count(language, len(plan.departments), "department"),
        objectives=count(language, sum(len(d.objectives) for d in plan.departments), "objective"),
        key_results=count(language, sum(len(d.key_results) for d in plan.departments), "key_result"),
        warnings=count(language, len(plan.warnings) + len(more_warnings), "warning"),
    ))
    return lines


def _objectives_and_key_results(department: DepartmentPlan) -> tuple[PlannedObjective | PlannedKeyResult, ...]:
    return (*department.objectives, *department.key_results)


def _measure(kr, locale: str, language: str) -> str:
    kind = KIND[language][kr.kind].lower()
    weight = say(language, "plan_weight", weight=format_number(kr.weight, locale))
    if kr.kind == "milestone":
        return f"{kind}; {weight}"
    def num(v):
        return "?" if v is None else format_number(v, locale)
    span = f"{num(kr.start)} → {num(kr.target)}" if kr.kind in ("increase", "decrease") else num(kr.target)
    return f"{kind} {span} {UNIT[language][kr.unit]}; {weight}"


def score_table(result) -> list[str]:
    """Company and department scores as a small table for the terminal."""
    from okrsheets.i18n import grade_label, reading_of, status_label

    lang = result.language
    locale = "en_US" if lang == "en" else "vi_VN"
    pct = lambda v: f"{format_number(v * 100, locale, 1)}%"  # noqa: E731  vi: "54,7%", en: "54.7%"
    rows = [(d.name + (f" ({reading_of(d.read_on, lang)})" if d.stale else ""),
             pct(d.score) if d.has_reading else "—", grade_label(d.grade, lang) if d.has_reading else "—",
             status_label(d.status, lang), str(len(result.issues_for(d.key))))
            for d in result.departments]
    head = ("Phòng ban", "Điểm", "Màu", "Trạng thái", "Vấn đề") if lang == "vi" else ("Department", "Score", "Grade", "Status", "Issues")
    total = (result.company, pct(result.score), grade_label(result.grade, lang), status_label(result.status, lang), str(len(result.issues)))
    widths = [max(len(r[i]) for r in [head, total, *rows]) for i in range(5)]
    fmt = lambda r: "  ".join(c.rjust(w) if i in (1, 4) else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()  # noqa: E731
    expected = f"{result.expected * 100:.0f}%"
    day = result.as_of.isoformat() if lang == "en" else result.as_of.strftime("%d/%m/%Y")
    lines = [f"{result.quarter}, {day}: " + (f"tiến độ kỳ vọng {expected}" if lang == "vi" else f"expected progress {expected}"), fmt(head)]
    lines += [fmt(r) for r in rows]
    lines += ["-" * len(fmt(total)), fmt(total)]
    if result.summary_path:
        lines.append(("Báo cáo tổng hợp: " if lang == "vi" else "Summary: ") + result.summary_path)
    return lines


def preview_lines(preview) -> list[str]:
    """What ``rollup --dry-run`` would write, in the config's language (a RollupPreview)."""
    lang = preview.result.language
    locale = "en_US" if lang == "en" else "vi_VN"
    pct = lambda v: f"{format_number(v * 100, locale, 1)}%"  # noqa: E731
    day, score, departments = preview.history_row
    shown = day.isoformat() if lang == "en" else day.strftime("%d/%m/%Y")
    scores = ", ".join(f"{key} {pct(value)}" for key, value in departments.items())
    if lang == "en":
        lines = ["Dry run: nothing was written. A rollup would write:",
                 f"  summary: {preview.summary.location}" + (f" (beside the open one, lock file {preview.summary.open_lock.name})" if preview.summary.open_lock else ""),
                 f"  history row {shown}" + (" (replacing that date's row)" if preview.summary.replaces_row else " (a new row)") + f": company {pct(score)}; {scores}",
                 f"  state: {preview.state_path}", f"  last good readings: {preview.readings_path}"]
    else:
        lines = ["Chạy thử: chưa ghi gì. Một lần tổng hợp thật sẽ ghi:",
                 f"  bảng tổng hợp: {preview.summary.location}" + (f" (bên cạnh tệp đang mở, tệp khóa {preview.summary.open_lock.name})" if preview.summary.open_lock else ""),
                 f"  dòng lịch sử {shown}" + (" (thay dòng của ngày đó)" if preview.summary.replaces_row else " (dòng mới)") + f": công ty {pct(score)}; {scores}",
                 f"  trạng thái: {preview.state_path}", f"  số liệu đọc được gần nhất: {preview.readings_path}"]
    return lines
