"""Configs, hand-built rollup results and a small real rollup function, for the nightly-run tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from okrsheets.config import Config, load_config
from okrsheets.core.results import DataIssue, DepartmentResult, KeyResultResult, RollupResult

AS_OF = date(2026, 11, 20)

DEPARTMENTS_TOML = """
[[departments]]
key = "hr"
name = "Phòng Nhân sự"
template = "hr"
owners = ["thu.pham@senvang.vn"]

[[departments]]
key = "sales"
name = "Phòng Kinh doanh"
template = "sales"
owners = ["hung.le@senvang.vn", "lan.nguyen@senvang.vn"]

[[departments]]
key = "finance"
name = "Phòng Kế toán"
template = "finance"
owners = ["hoa.dang@senvang.vn"]
"""


def write_config(
    tmp_path: Path,
    *,
    top: str = "",
    email: str = "",
    departments: str = DEPARTMENTS_TOML,
    run_at: str = "02:00",
) -> Path:
    """An okrsheets.toml in tmp_path whose Excel folder is tmp_path/okr."""
    text = "\n".join([
        'company = "Công ty Sen Vàng"',
        'quarter = "2026-Q4"',
        'admin_emails = ["okr-admin@senvang.vn"]',
        top,
        "[backend]",
        'kind = "excel"',
        'folder = "okr"',
        "[schedule]",
        f'run_at = "{run_at}"',
        email,
        departments,
    ])
    path = tmp_path / "okrsheets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def make_config(tmp_path: Path, **kwargs) -> Config:
    return load_config(write_config(tmp_path, **kwargs))


def kr(department: str, id: str, text: str, status: str, *, score: float = 0.5, expected: float = 0.55,
       last_check_in: date | None = AS_OF) -> KeyResultResult:
    return KeyResultResult(
        department=department, objective_id=id.split(".")[0], id=id, text=text, kind="increase", unit="percent",
        start=0.0, target=100.0, current=score * 100, raw=str(score * 100), score=score, status=status,
        expected=expected, gap=expected - score, last_check_in=last_check_in,
    )


def department(key: str, name: str, owners: tuple[str, ...], krs: tuple[KeyResultResult, ...], *,
               status: str = "on_track", score: float = 0.5, readable: bool = True) -> DepartmentResult:
    return DepartmentResult(
        key=key, name=name, owners=owners, weight=1.0, score=score, grade="yellow", status=status,
        objectives=(), key_results=krs, source=f"/okr/{key}.xlsx", readable=readable,
    )


def sample_result(as_of: date = AS_OF) -> RollupResult:
    """HR has an at-risk KR and a stale one; sales has an off-track KR and a data issue; finance is fine."""
    hr = department("hr", "Phòng Nhân sự", ("thu.pham@senvang.vn",), (
        kr("hr", "O1.KR1", "Tuyển đủ 10 nhân sự <kỹ thuật> & vận hành", "at_risk", score=0.3),
        kr("hr", "O1.KR2", "Giảm tỷ lệ nghỉ việc xuống 30%", "on_track", score=0.6, last_check_in=as_of - timedelta(days=20)),
        kr("hr", "O2.KR1", "Tổ chức 8 khoá đào tạo", "no_data", score=0.0, last_check_in=None),
        kr("hr", "O2.KR2", "Hoàn thành khung năng lực", "done", score=1.0, last_check_in=as_of - timedelta(days=60)),
    ), status="at_risk", score=0.42)
    sales = department("sales", "Phòng Kinh doanh", ("hung.le@senvang.vn", "lan.nguyen@senvang.vn"), (
        kr("sales", "O1.KR1", "Doanh thu 12 tỷ đồng", "off_track", score=0.1),
        kr("sales", "O1.KR2", "45 khách hàng mới", "on_track", score=0.7),
    ), status="off_track", score=0.35)
    finance = department("finance", "Phòng Kế toán", ("hoa.dang@senvang.vn",), (
        kr("finance", "O1.KR1", "Rút ngắn thời gian đóng sổ", "on_track", score=0.8,
           last_check_in=as_of - timedelta(days=14)),
    ), status="on_track", score=0.8)
    issue = DataIssue(
        department="sales", file="/okr/sales.xlsx", sheet="OKR", cell="G12", found="hai mươi",
        problem="Giá trị hiện tại không phải là số.", fix="Nhập một số, ví dụ 20.", key_result="O1.KR2",
    )
    return RollupResult(
        company="Công ty Sen Vàng", quarter="2026-Q4", language="vi", as_of=as_of, expected=0.55, score=0.5,
        grade="yellow", status="at_risk", departments=(hr, sales, finance), issues=(issue,),
    )


class FakeRollup:
    """A real, small rollup function: writes a summary file and returns a hand-built result."""

    def __init__(self, result: RollupResult | None = None, error: BaseException | None = None, api_requests=None):
        self.result = result or sample_result()
        self.error = error
        self.api_requests = api_requests
        self.calls: list[dict] = []

    def __call__(self, config: Config, as_of: date | None = None, progress=None) -> RollupResult:
        self.calls.append({"as_of": as_of, "progress": progress})
        if progress:
            progress(1, 1)
        if self.error is not None:
            raise self.error
        summary = config.quarter_folder / "company-summary.xlsx"
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_bytes(b"summary")
        return replace(self.result, summary_path=str(summary), as_of=as_of or self.result.as_of,
                       api_requests=self.api_requests, errors=("sales: one workbook was slow",))


def provision_hr(tmp_path: Path) -> Path:
    """A config with one department on the built-in "hr" template, its workbook provisioned."""
    from okrsheets.backends import open_backend
    from okrsheets.plan import build_plan
    from okrsheets.jobs.provision import provision

    departments = '[[departments]]\nkey = "hr"\nname = "Phòng Nhân sự"\ntemplate = "hr"\nowners = ["thu.pham@senvang.vn"]\n'
    path = write_config(tmp_path, departments=departments)
    plan = build_plan(load_config(path))
    outcomes = provision(plan, open_backend(plan.config))
    assert all(o.ok for o in outcomes), outcomes
    return path
