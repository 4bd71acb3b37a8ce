"""Hand-built rollup results and a summary writer, for the summary workbook tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from okrsheets.backends.excel_summary import write_summary
from okrsheets.core.results import DataIssue, DepartmentResult, KeyResultResult, ObjectiveResult, RollupResult
from okrsheets.core.scoring import ScoringSettings

SETTINGS = ScoringSettings()
AS_OF = date(2025, 5, 15)
EXPECTED = 0.5
HOSTILE = ['=HYPERLINK("http://x","y")', "+84 912 345 678", "-5% so với kế hoạch", "@channel xem giúp",
           "\t=1+1", "=cmd|' /C calc'!A0", "#N/A"]


def kr(department: str, kr_id: str, status: str, score: float, **extra) -> KeyResultResult:
    values = dict(kind="increase", unit="percent", start=0.0, target=100.0, current=score * 100, raw=None,
                  last_update=date(2025, 5, 10))
    values.update(extra)
    return KeyResultResult(department=department, objective_id=kr_id.split(".")[0], id=kr_id,
                           text=f"Kết quả {kr_id}: tăng tỷ lệ khách hàng quay lại", status=status, score=score,
                           expected=EXPECTED, gap=EXPECTED - score, **values)


def department(key: str, name: str, score: float, grade: str, status: str, krs: list[KeyResultResult],
               owners: tuple[str, ...] = ("Nguyễn Lan", "Trần Minh")) -> DepartmentResult:
    objectives = (ObjectiveResult(key, "O1", f"Mục tiêu của {name}", 1.0, score, grade, status),
                  ObjectiveResult(key, "O2", "Giữ chân nhân tài", 2.0, score, grade, status))
    return DepartmentResult(key=key, name=name, owners=owners, weight=1.0, score=score, grade=grade,
                            status=status, objectives=objectives, key_results=tuple(krs), source=f"{key}.xlsx")


def sales(score: float = 0.42) -> DepartmentResult:
    return department("sales", "Kinh doanh", score, "yellow", "at_risk", [
        kr("sales", "O1.KR1", "done", 1.0),
        kr("sales", "O1.KR2", "on_track", 0.45, confidence="Cao"),
        kr("sales", "O2.KR1", "at_risk", 0.25, comment=HOSTILE[0]),
        kr("sales", "O2.KR2", "off_track", 0.05, comment=HOSTILE[1], confidence=HOSTILE[3]),
    ])


def engineering(score: float = 0.75) -> DepartmentResult:
    return department("eng", "Kỹ thuật", score, "green", "on_track", [
        kr("eng", "O1.KR1", "on_track", 0.9, kind="decrease", unit="days", start=10.0, target=2.0, current=2.8),
        kr("eng", "O1.KR2", "off_track", 0.1, comment=HOSTILE[2]),
        kr("eng", "O2.KR1", "no_data", 0.0, current=None, raw=HOSTILE[6], comment=HOSTILE[4]),
    ], owners=("Phạm Hùng",))


def hr(score: float = 0.2) -> DepartmentResult:
    return department("hr", "Nhân sự", score, "red", "off_track", [
        kr("hr", "O1.KR1", "at_risk", 0.3, comment=HOSTILE[3]),
        kr("hr", "O1.KR2", "done", 1.0, kind="milestone", unit="done", start=None, target=None, current=1.0),
    ])


ISSUES = (
    DataIssue("eng", "eng.xlsx", "OKR", "G14", HOSTILE[6], "Ô chứa lỗi #N/A.", "Nhập một số, ví dụ 12,5."),
    DataIssue("hr", "hr.xlsx", "OKR", "G9", HOSTILE[5], "Giá trị không phải là số.", "Xoá công thức."),
)


def rollup(departments=None, as_of: date = AS_OF, language: str = "vi", score: float = 0.46,
           issues=ISSUES) -> RollupResult:
    departments = tuple(departments if departments is not None else (sales(), engineering(), hr()))
    return RollupResult(company="Công ty CP Ánh Dương", quarter="2025-Q2", language=language, as_of=as_of,
                        expected=EXPECTED, score=score, grade="yellow", status="at_risk",
                        departments=departments, issues=tuple(issues))


def write(tmp_path: Path, result: RollupResult | None = None) -> Path:
    path = tmp_path / "company-summary.xlsx"
    write_summary(result or rollup(), path, SETTINGS)
    return path
