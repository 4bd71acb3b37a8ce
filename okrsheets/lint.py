"""Check a quarter plan against the article's SMARTER advice and the arithmetic that breaks scores.

The source article ("Mẫu kế hoạch OKR", section 17) asks for objectives that
are specific and measurable ("Rõ ràng và cụ thể: Mục tiêu phải dễ hiểu, cụ
thể, và đo lường được"), few ("Chỉ tập trung vào các mục tiêu quan trọng"),
and finished in a given time ("có thể hoàn thành trong thời gian cụ thể"):
SMARTER = Specific, Measurable, Achievable, Relevant, Time-bound, Evaluate,
Readjust. Each :class:`Finding` names the config key path, says in one line
why it matters and how to fix it, in the config's language.

Pure: no I/O and no click. ``lint_plan(plan, library)`` is the whole check;
``fraction_findings`` is the one home of the "percent that looks like a
fraction" rule, which ``check-config`` shows too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from okrsheets.config import Config, Department
from okrsheets.core.model import DepartmentPlan, KeyResultTemplate, PlannedKeyResult, Slot, TemplateSet
from okrsheets.core.values import format_number
from okrsheets.plan import QuarterPlan
from okrsheets.templates import TemplateLibrary
from okrsheets.words import slot_label

ERROR = "error"
WARNING = "warning"
MAX_OBJECTIVES = 5
MIN_KEY_RESULTS = 2
MAX_KEY_RESULTS = 5
# A KR text that asks for a change relative to today ("Increase ... by {target}%", "tăng ... {target}%").
_RELATIVE = re.compile(r"\bby \{target\}\s*%")


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning
    code: str  # stable short name, e.g. too-many-objectives
    path: str  # config key path: departments[2] "sales".values."O1.KR1".target
    message: str  # why it matters, one line, in the config's language
    fix: str  # what to change

    def to_json(self) -> dict[str, str]:
        return {"severity": self.severity, "code": self.code, "path": self.path, "message": self.message, "fix": self.fix}


# code -> (severity, message, fix) per language; {fields} filled per finding.
WORDS: dict[str, dict[str, tuple[str, str, str]]] = {
    "vi": {
        "too-many-objectives": (WARNING, "{count} mục tiêu là quá nhiều: \"Chỉ tập trung vào các mục tiêu quan trọng\"",
                                "chọn tối đa 5 mục tiêu, ví dụ objectives = [{first}]"),
        "too-few-key-results": (WARNING, "{id} {has}: một con số không đủ cho thấy mục tiêu đã đạt",
                                "dùng mẫu có 2–5 kết quả then chốt cho {id}, hoặc bỏ mục tiêu này"),
        "too-many-key-results": (WARNING, "{id} có {count} kết quả then chốt: quá nhiều để theo dõi hàng tuần",
                                 "giữ 2–5 kết quả then chốt quan trọng nhất cho {id} trong mẫu"),
        "unfilled-slot": (WARNING, "chỗ trống {{{slot}}} ({label}) chưa điền: trang của nhóm sẽ hiện \"[{label}]\", mục tiêu không \"rõ ràng và cụ thể\"",
                          "điền {field} trong values.{item}"),
        "no-target": (ERROR, "{id} chưa có chỉ tiêu nên không \"đo lường được\" và luôn được 0 điểm",
                      "đặt target (con số cần đạt)"),
        "no-baseline": (ERROR, "{id} là KR giảm nhưng chưa có mức bắt đầu nên không tính được điểm",
                        "đặt start bằng mức hiện tại"),
        "relative-target-no-baseline": (ERROR, "{id} ghi \"{verb} {target}%\" (so với hiện tại) nhưng start = 0: nhóm nhập mức hiện tại (vd. 78%) là được ngay 100% điểm",
                                        "đặt start bằng mức hiện tại và target bằng mức cần đạt (vd. start = 78, target = 90)"),
        "percent-looks-like-fraction": (WARNING, "{id}: chỉ tiêu phần trăm {values} trông như phân số; trang sẽ ghi \"{shown}%\", không phải {meant}%",
                                        "nếu ý là {meant}%, ghi số phần trăm ({example}); nếu đúng là {shown}%, bỏ qua cảnh báo này"),
        "milestone-no-deadline": (WARNING, "{id} là mốc nhưng chưa có ngày hoàn thành: mục tiêu phải \"hoàn thành trong thời gian cụ thể\"",
                                  "điền {field} là một ngày trong quý ({start} – {end})"),
        "deadline-outside-quarter": (ERROR, "{id}: ngày {day} nằm ngoài quý {quarter} ({start} – {end}), nên không thể đánh giá trong quý này",
                                     "đặt {field} là một ngày trong quý, hoặc chuyển KR sang quý khác"),
        "heavy-key-result": (WARNING, "{id} chiếm {share} trọng số của {objective}: một KR quyết định hơn nửa điểm mục tiêu",
                             "giảm weight của {id} hoặc tăng weight các KR khác của {objective}"),
        "duplicate-key-result": (WARNING, "{id} trùng nội dung với {other}: cùng một kết quả được tính hai lần, không rõ ai chịu trách nhiệm",
                                 "sửa nội dung để mỗi phòng ban đo phần việc của mình, hoặc bỏ một KR"),
        "department-without-owner": (WARNING, "phòng ban {department} chưa có người phụ trách: không ai nhận e-mail nhắc việc và \"theo dõi và điều chỉnh\"",
                                     "đặt owners = [\"ten@congty.vn\"]"),
    },
    "en": {
        "too-many-objectives": (WARNING, "{count} objectives are too many: focus only on the important ones (\"Chỉ tập trung vào các mục tiêu quan trọng\")",
                                "choose at most 5 objectives, e.g. objectives = [{first}]"),
        "too-few-key-results": (WARNING, "{id} has {has}: one number cannot show the objective is met",
                                "use a template with 2–5 key results for {id}, or drop this objective"),
        "too-many-key-results": (WARNING, "{id} has {count} key results: too many to follow every week",
                                 "keep the 2–5 most important key results of {id} in the template"),
        "unfilled-slot": (WARNING, "slot {{{slot}}} ({label}) is not filled: the team sheet shows \"[{label}]\", so the objective is not specific",
                          "fill {field} in values.{item}"),
        "no-target": (ERROR, "{id} has no target, so it is not measurable and always scores 0",
                      "set target (the number to reach)"),
        "no-baseline": (ERROR, "{id} is a decrease KR with no start, so it cannot be scored",
                        "set start to today's level"),
        "relative-target-no-baseline": (ERROR, "{id} says \"by {target}%\" (relative to today) but start = 0: a team that types today's level (say 78%) scores 100% at once",
                                        "set start to today's level and target to the level to reach (e.g. start = 78, target = 90)"),
        "percent-looks-like-fraction": (WARNING, "{id}: the percent target {values} looks like a fraction; the sheet will say \"{shown}%\", not {meant}%",
                                        "if you meant {meant}%, write percent numbers ({example}); if {shown}% is right, ignore this warning"),
        "milestone-no-deadline": (WARNING, "{id} is a milestone with no deadline: an objective must be finished in a given time",
                                  "fill {field} with a day in the quarter ({start} – {end})"),
        "deadline-outside-quarter": (ERROR, "{id}: {day} is outside quarter {quarter} ({start} – {end}), so it cannot be evaluated this quarter",
                                     "set {field} to a day in the quarter, or move the KR to another quarter"),
        "heavy-key-result": (WARNING, "{id} carries {share} of the weight of {objective}: one KR decides more than half of the objective's score",
                             "lower the weight of {id} or raise the weights of the other KRs of {objective}"),
        "duplicate-key-result": (WARNING, "{id} has the same text as {other}: one result counted twice, with no clear owner",
                                 "reword it so each department measures its own part, or drop one of them"),
        "department-without-owner": (WARNING, "department {department} has no owner: nobody gets its reminders or re-adjusts it",
                                     "set owners = [\"name@company.com\"]"),
    },
}


def lint_plan(plan: QuarterPlan, library: TemplateLibrary) -> list[Finding]:
    """Every finding on the plan, errors and warnings, in config order."""
    config = plan.config
    findings: list[Finding] = []
    seen_texts: dict[str, str] = {}  # normalized KR text -> "<department> <KR ID>" where first seen
    for department_plan in plan.departments:
        department = config.department(department_plan.key)
        template = library.get(department_plan.template_key)
        check = _Checker(config, department, department_plan, template, findings)
        check.objectives()
        check.owner()
        for objective in department_plan.objectives:
            check.key_result_count(objective.id, len(objective.key_results))
            objective_template = template.objective(objective.id)
            assert objective_template is not None, "a plan's objectives come from its template set"
            check.slots(objective.id, objective_template.slots, is_milestone=False)
            total_weight = sum(kr.weight for kr in objective.key_results)
            kr_templates = {k.id: k for k in objective_template.key_results}  # a plan's KRs come from their objective's
            for kr in objective.key_results:
                kr_template = kr_templates[kr.id]
                check.measurable(kr)
                check.relative_without_baseline(kr, kr_template)
                check.fraction(kr)
                check.slots(kr.id, kr_template.slots, is_milestone=kr.is_milestone)
                check.weight(kr, objective.id, total_weight, len(objective.key_results))
                check.duplicate(kr, seen_texts)
    return findings


def fraction_findings(plan: QuarterPlan) -> list[Finding]:
    """Only the percent-looks-like-fraction findings (``check-config`` warns about them too)."""
    findings: list[Finding] = []
    for department_plan in plan.departments:
        department = plan.config.department(department_plan.key)
        check = _Checker(plan.config, department, department_plan, None, findings)
        for kr in department_plan.key_results:
            check.fraction(kr)
    return findings


def looks_like_fraction(kr: PlannedKeyResult) -> bool:
    """A percent KR whose numbers all lie in 0..1 with one strictly between: 0.6 → 0.8 meant 60% → 80%."""
    if kr.unit != "percent" or kr.is_milestone or kr.target is None:
        return False
    numbers = [kr.target] + ([kr.start] if kr.start is not None and kr.kind in ("increase", "decrease") else [])
    return all(0 <= n <= 1 for n in numbers) and any(0 < n < 1 for n in numbers)


def summary_line(findings: list[Finding], language: str) -> str:
    """"2 errors, 1 warning" / "2 lỗi, 1 cảnh báo"; "no findings" / "không có vấn đề nào"."""
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    if language == "en":
        if not findings:
            return "no findings"
        return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    return "không có vấn đề nào" if not findings else f"{errors} lỗi, {warnings} cảnh báo"


def finding_line(finding: Finding, language: str) -> str:
    if language == "en":
        return f"{finding.severity}: {finding.path} [{finding.code}] {finding.message}; fix: {finding.fix}"
    severity = "lỗi" if finding.severity == ERROR else "cảnh báo"
    return f"{severity}: {finding.path} [{finding.code}] {finding.message}; cách sửa: {finding.fix}"


def item_path(department: Department, item_id: str, field: str | None = None) -> str:
    """``departments[1] "mkt".values.O1.period`` / ``departments[1] "mkt".values."O1.KR1".target``."""
    quoted = f'"{item_id}"' if "." in item_id else item_id
    return f"{department.path}.values.{quoted}" + (f".{field}" if field else "")


class _Checker:
    """The checks of one department; each appends its findings."""

    def __init__(self, config: Config, department: Department, plan: DepartmentPlan, template: TemplateSet | None,
                 findings: list[Finding]) -> None:
        self.config = config
        self.language = "en" if config.language == "en" else "vi"
        self.department = department
        self.plan = plan
        self.template = template
        self.findings = findings

    def add(self, code: str, path: str, **fields) -> None:
        severity, message, fix = WORDS[self.language][code]
        fields["path"] = path
        fields["field"] = path.rsplit(".", 1)[-1]
        self.findings.append(Finding(severity, code, path, message.format(**fields), fix.format(**fields)))

    def _day(self, day: date) -> str:
        return day.isoformat() if self.language == "en" else day.strftime("%d/%m/%Y")

    def _number(self, value: float) -> str:
        return format_number(value, self.config.locale)

    def objectives(self) -> None:
        count = len(self.plan.objectives)
        if count > MAX_OBJECTIVES:
            first = ", ".join(f'"{o.id}"' for o in self.plan.objectives[:MAX_OBJECTIVES])
            where = f"{self.department.path}.objectives" if self.department.objectives else f"{self.department.path}.template"
            self.add("too-many-objectives", where, count=count, first=first)

    def owner(self) -> None:
        if not self.department.owners:
            self.add("department-without-owner", f"{self.department.path}.owners", department=self.department.key)

    def key_result_count(self, objective_id: str, count: int) -> None:
        if count < MIN_KEY_RESULTS:
            has = {"en": ("no key results", "only 1 key result"), "vi": ("không có kết quả then chốt nào", "chỉ có 1 kết quả then chốt")}
            self.add("too-few-key-results", item_path(self.department, objective_id), id=objective_id, has=has[self.language][count])
        elif count > MAX_KEY_RESULTS:
            self.add("too-many-key-results", item_path(self.department, objective_id), id=objective_id, count=count)

    def measurable(self, kr: PlannedKeyResult) -> None:
        if kr.is_milestone:
            return
        if kr.target is None:
            self.add("no-target", item_path(self.department, kr.id, "target"), id=kr.id)
        elif kr.kind == "decrease" and kr.start is None:
            self.add("no-baseline", item_path(self.department, kr.id, "start"), id=kr.id)

    def relative_without_baseline(self, kr: PlannedKeyResult, template: KeyResultTemplate) -> None:
        if kr.kind in ("increase", "decrease") and kr.start == 0 and _RELATIVE.search(template.text.en):
            target = "X" if kr.target is None else self._number(kr.target)
            verb = "tăng" if kr.kind == "increase" else "giảm"
            self.add("relative-target-no-baseline", item_path(self.department, kr.id, "start"), id=kr.id, target=target, verb=verb)

    def fraction(self, kr: PlannedKeyResult) -> None:
        if kr.target is None or not looks_like_fraction(kr):  # looks_like_fraction needs a target anyway
            return
        shown = [n for n in (kr.start, kr.target) if n is not None and kr.kind in ("increase", "decrease")] or [kr.target]
        values = " → ".join(self._number(n) for n in shown)
        meant = " → ".join(self._number(n * 100) for n in shown)
        example = ", ".join(f"{name} = {n * 100:g}" for name, n in zip(("start", "target") if len(shown) == 2 else ("target",), shown))
        self.add("percent-looks-like-fraction", item_path(self.department, kr.id, "target"), id=kr.id,
                 values=values, shown=self._number(kr.target), meant=meant, example=example)

    def _dates(self) -> dict[str, str]:
        quarter = self.config.quarter
        return {"start": self._day(quarter.start), "end": self._day(quarter.end), "quarter": quarter.name}

    def slots(self, item_id: str, slots: tuple[Slot, ...], is_milestone: bool) -> None:
        values = self.department.values.get(item_id)
        quarter = self.config.quarter
        for slot in slots:
            if slot.name in ("target", "start"):
                continue  # numbers: no-target / no-baseline say it
            value = values.slots.get(slot.name) if values else None
            if value is None:
                path = item_path(self.department, item_id, slot.name)
                if is_milestone and slot.type == "date":
                    self.add("milestone-no-deadline", path, id=item_id, **self._dates())
                else:
                    self.add("unfilled-slot", path, slot=slot.name, label=slot_label(slot, self.config.language), item=f'"{item_id}"' if "." in item_id else item_id)
                continue
            if slot.type == "date":
                day = _as_date(value)
                if day is not None and not quarter.start <= day <= quarter.end:
                    self.add("deadline-outside-quarter", item_path(self.department, item_id, slot.name), id=item_id,
                             day=self._day(day), **self._dates())

    def weight(self, kr: PlannedKeyResult, objective_id: str, total: float, count: int) -> None:
        if count > 1 and total > 0 and kr.weight / total > 0.5:
            share = f"{format_number(kr.weight / total * 100, self.config.locale, 0)}%"
            self.add("heavy-key-result", item_path(self.department, kr.id, "weight"), id=kr.id, share=share, objective=objective_id)

    def duplicate(self, kr: PlannedKeyResult, seen: dict[str, str]) -> None:
        normalized = " ".join(kr.text.casefold().split()).rstrip(".")
        here = f"{self.department.key} {kr.id}"
        first = seen.setdefault(normalized, here)
        if first != here and first.split(" ", 1)[0] != self.department.key:
            self.add("duplicate-key-result", item_path(self.department, kr.id), id=kr.id, other=first)


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None  # build_plan already rejects it
    return None
