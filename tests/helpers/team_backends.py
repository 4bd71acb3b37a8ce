"""One quarter provisioned on either backend, and a team typing check-ins into it as people do.

``team_backend("excel" | "google", tmp_path)`` (a context manager) gives a
:class:`TeamBackend`: a config with its own template set, provisioned, and
``type(department, {kr_id: Typed(...)})`` to type what a team types. On
Google the spreadsheets live in a shared-drive folder of a running offline
fake (the service account is a Content manager; ``OKRSHEETS_GOOGLE_API_URL``
points the product at it), and the team (an Editor of the drive, not listed
on the protected ranges) types with gspread's
``values.batchUpdate`` and ``USER_ENTERED``, as the Sheets UI parses typing. On
Excel it stores what Excel stores for the same typing (hand-written in
``Typed.excel``). Both backends then hold the same check-ins.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from okrsheets.backends import open_backend
from okrsheets.backends.google.endpoint import API_URL_ENV
from okrsheets.config import load_config
from okrsheets.jobs.provision import provision
from okrsheets.plan import QuarterPlan, build_plan
from okrsheets.sheets.team_workbook import COL, FIRST_ROW
from okrsheets.testing import FakeGoogle

from ..google_setups import ADMIN, SERVICE_ACCOUNT

TEAM = "lan@senvang.example"  # kinh-doanh's owner: an Editor of the shared drive, not on the protected ranges

TEMPLATE = """
schema = 1
key = "golden"
version = 1

[name]
vi = "Bộ mẫu kiểm thử"
en = "Test set"

[[objectives]]
id = "O1"
vi = "Tăng trưởng."
en = "Growth."

[[objectives.key_results]]
id = "O1.KR1"
kind = "increase"
unit = "vnd"
vi = "Doanh thu đạt {target} đồng."
en = "Revenue of {target} dong."
slots.target = { type = "money", label = "số tiền" }

[[objectives.key_results]]
id = "O1.KR2"
kind = "increase"
unit = "percent"
vi = "Tăng tỷ lệ khách quay lại lên {target}%."
en = "Raise the returning-customer rate to {target}%."
slots.target = { type = "percent", label = "phần trăm" }

[[objectives.key_results]]
id = "O1.KR3"
kind = "at_least"
unit = "count"
vi = "Ký ít nhất {target} hợp đồng."
en = "Sign at least {target} contracts."
slots.target = { type = "count", label = "số lượng" }

[[objectives]]
id = "O2"
vi = "Vận hành gọn."
en = "Lean operations."

[[objectives.key_results]]
id = "O2.KR1"
kind = "milestone"
unit = "done"
vi = "Đưa quy trình mới vào dùng."
en = "Put the new process in use."

[[objectives.key_results]]
id = "O2.KR2"
kind = "decrease"
unit = "days"
vi = "Giảm thời gian xử lý xuống {target} ngày."
en = "Cut handling time to {target} days."
slots.target = { type = "count", label = "số lượng" }
"""

DEPARTMENTS = """
[[departments]]
key = "kinh-doanh"
name = "Phòng Kinh doanh"
template = "golden"
owners = ["lan@senvang.example"]  # TEAM
values."O1.KR1" = { start = 0, target = 10_000_000 }
values."O1.KR2" = { start = 20, target = 60 }
values."O1.KR3" = { target = 5 }
values."O2.KR2" = { start = 20, target = 5 }

[[departments]]
key = "van-hanh"
name = "Phòng Vận hành"
template = "golden"
owners = ["minh@senvang.example", "thu@senvang.example"]
objectives = ["O2"]
values."O2.KR2" = { start = 20, target = 5 }
"""

AS_OF = date(2026, 11, 16)  # 46 of the quarter's 92 days are over: expected progress 0.5


@dataclass(frozen=True)
class Typed:
    """What a person types in a cell, and what Excel stores for it: a value, or (number, number format)."""

    google: str
    excel: object


# What kinh-doanh types: the Vietnamese forms of issue #12 ("43,7%", "1.234.567 ₫").
CHECK_INS = {
    "O1.KR1": Typed("1.234.567 ₫", (1234567, '#,##0 "₫"')),
    "O1.KR2": Typed("43,7%", (0.437, "0.0%")),
    "O1.KR3": Typed("7", 7),
    "O2.KR1": Typed("Xong", "Xong"),
    "O2.KR2": Typed("11", 11),
}
CONFIDENCE = {"O1.KR2": Typed("8", 8)}

# The hand computation (the engine's rules, docs/scoring):
# O1.KR1 increase vnd 0 -> 10,000,000 at 1,234,567: 1234567 / 1e7 = 0.1234567
# O1.KR2 increase percent 20 -> 60 at 43.7 (0.437 in a percent cell): (43.7 - 20) / 40 = 0.5925
# O1.KR3 at least 5 at 7: 1
# O2.KR1 milestone "Xong": 1
# O2.KR2 decrease days 20 -> 5 at 11: (11 - 20) / (5 - 20) = 0.6
# O1 = (0.1234567 + 0.5925 + 1) / 3 = 0.5719855666...; O2 = (1 + 0.6) / 2 = 0.8
# kinh-doanh = (0.5719855666... + 0.8) / 2 = 0.6859927833...
SCORES = {"O1.KR1": 0.1234567, "O1.KR2": 0.5925, "O1.KR3": 1.0, "O2.KR1": 1.0, "O2.KR2": 0.6}
OBJECTIVES = {"O1": 1.7159567 / 3, "O2": 0.8}
DEPARTMENT_SCORE = (1.7159567 / 3 + 0.8) / 2


@dataclass
class TeamBackend:
    kind: str
    folder: Path
    config_path: Path
    fake: FakeGoogle | None = None
    folder_id: str | None = None
    extra: list[str] = field(default_factory=list)

    @property
    def plan(self) -> QuarterPlan:
        return build_plan(load_config(self.config_path))

    def backend(self):
        """A backend as one run opens it (on Google: a fresh listing of the folder)."""
        return open_backend(self.plan.config)

    def provision(self, **options):
        plan = self.plan
        return provision(plan, open_backend(plan.config), **options)

    def type(self, department: str, values: dict[str, Typed], column: str = "current") -> None:
        if self.kind == "google":
            self._type_google(department, values, column)
        else:
            self._type_excel(department, values, column)

    def _type_excel(self, department: str, values: dict[str, Typed], column: str) -> None:
        import openpyxl

        path = Path(self.backend().location(department))
        workbook = openpyxl.load_workbook(path)
        sheet = workbook["OKR"]
        rows = {sheet.cell(r, COL["id"]).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}
        for kr_id, typed in values.items():
            cell = sheet.cell(rows[kr_id], COL[column])
            if isinstance(typed.excel, tuple):
                cell.value, cell.number_format = typed.excel
            else:
                cell.value = typed.excel
        workbook.save(path)

    def team_client(self, email: str = TEAM):
        """gspread as a person: by default the team (an Editor of the shared drive, not on the protected
        ranges); ``ADMIN`` is the drive's manager and one of the config's ``admin_emails``."""
        import gspread
        from google.oauth2.credentials import Credentials

        assert self.fake is not None
        return gspread.Client(auth=Credentials(self.fake.issue_token(email)), http_client=self.fake.http_client_class())

    def spreadsheet_id(self, department: str) -> str:
        return self.backend().location(department).split("/d/")[1].split("/")[0]

    def _type_google(self, department: str, values: dict[str, Typed], column: str) -> None:
        spreadsheet = self.team_client().open_by_key(self.spreadsheet_id(department))
        ids = spreadsheet.worksheet("OKR").col_values(COL["id"])
        rows = {value: number for number, value in enumerate(ids, start=1) if number >= FIRST_ROW}
        letter = chr(64 + COL[column])
        data = [{"range": f"OKR!{letter}{rows[kr_id]}", "values": [[typed.google]]} for kr_id, typed in values.items()]
        spreadsheet.values_batch_update({"valueInputOption": "USER_ENTERED", "data": data})


def write_config(folder: Path, backend: str, language: str = "vi", departments: str = DEPARTMENTS) -> Path:
    (folder / "templates").mkdir(exist_ok=True)
    (folder / "templates" / "golden.toml").write_text(TEMPLATE, encoding="utf-8")
    text = (f'company = "Công ty Sen Vàng"\nlanguage = "{language}"\ntimezone = "Asia/Ho_Chi_Minh"\n'
            f'templates_dir = "templates"\nadmin_emails = ["{ADMIN}"]\n\n[quarter]\nname = "2026-Q4"\n\n[backend]\n{backend}\n{departments}')
    path = folder / "okrsheets.toml"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def google_environment(fake: FakeGoogle) -> Iterator[None]:
    """The product's requests go to the fake for the duration."""
    before = os.environ.get(API_URL_ENV)
    os.environ[API_URL_ENV] = fake.url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(API_URL_ENV, None)
        else:
            os.environ[API_URL_ENV] = before


def shared_drive_folder(fake: FakeGoogle, folder: Path) -> tuple[str, Path]:
    """Set-up 1 of docs/google.md: a shared drive with the service account as Content manager, a folder in it."""
    key = fake.make_service_account_key(folder / "service-account.json", email=SERVICE_ACCOUNT)
    drive = fake.create_shared_drive("OKR", {ADMIN: "organizer", SERVICE_ACCOUNT: "fileOrganizer", TEAM: "writer"})
    return fake.create_folder("OKR 2026", owner=ADMIN, parent=drive), key


@contextmanager
def team_backend(kind: str, folder: Path, *, language: str = "vi", departments: str = DEPARTMENTS,
                 provisioned: bool = True) -> Iterator[TeamBackend]:
    """A quarter on ``kind`` ("excel" or "google"), provisioned unless told not to."""
    if kind == "excel":
        config = write_config(folder, 'folder = "data"', language, departments)
        team = TeamBackend(kind, folder, config)
        if provisioned:
            team.provision()
        yield team
        return
    with FakeGoogle() as fake, google_environment(fake):
        folder_id, key = shared_drive_folder(fake, folder)
        backend = f'kind = "google"\nfolder_id = "{folder_id}"\nservice_account_file = "{key.name}"\nnotify_owners = false\n'
        config = write_config(folder, backend, language, departments)
        team = TeamBackend(kind, folder, config, fake, folder_id)
        if provisioned:
            team.provision()
        yield team
