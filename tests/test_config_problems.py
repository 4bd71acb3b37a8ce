"""A wrong config is told in one run: every problem of the config and of its plan, with its key path, in the config's language.

The config's own checks (types, names, e-mail addresses, the quarter) and the
plan's (template sets, objective and KR IDs, start against target) used to be
told one after the other: fix the quarter, run again, learn of the unknown
template. Here a config wrong in many places gets the exact full list at once,
in Vietnamese by default, in English with ``language = "en"``, and in the
language of a run without a config when its own ``language`` cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.config import load_config
from okrsheets.errors import ConfigError
from okrsheets.plan import build_plan, with_plan_problems

BUILT_IN = "customer_service, design, employee, engineering, enterprise, finance, hr, individual, leadership, marketing, product, sales, sme, training"
TOP_KEYS = "admin_emails, backend, company, company_objectives, departments, email, language, protection_password_env, quarter, schedule, scoring, templates_dir, timezone"

# Wrong in nine places, in five areas: the top level, the quarter, [email], a department's values, and
# three that only the plan can see (a template set that does not exist, an objective the template does not
# have, a decrease KR whose target is above its start).
MANY = """company = "Công ty A"
{language}quarter = "2026-Q9"
admin_emails = ["okr@a.vn", "boss"]
protection_password_env = "mật khẩu"
colour = "blue"

[email]
enabled = true
smtp_port = 0

[[departments]]
key = "sales"
template = "sales"
values."O1.KR1" = {{ target = "hai mươi" }}

[[departments]]
key = "thiet-ke"
template = "thiet-ke"

[[departments]]
key = "hr"
template = "hr"
objectives = ["O1", "O9"]
values."O1.KR2" = {{ start = 30, target = 45 }}
"""

MANY_VI = [
    f"colour: không có thiết lập này (các thiết lập dùng được: {TOP_KEYS})",
    'admin_emails[2]: cần một địa chỉ e-mail, nhận được "boss"',
    'protection_password_env: cần TÊN của một biến môi trường (như OKRSHEETS_SHEET_PASSWORD), nhận được "mật khẩu";'
    " không bao giờ ghi mật khẩu hay khóa bí mật vào tệp cấu hình",
    'quarter.name: cần một quý như "2026-Q4" (hoặc cho ngày start và end), nhận được "2026-Q9"',
    "email.smtp_port: cần một số cổng (1–65535), nhận được 0",
    "email.sender: còn thiếu; cần địa chỉ e-mail của người gửi (vì e-mail đang bật)",
    'departments[1] "sales".values."O1.KR1".target: cần một số, nhận được "hai mươi"',
    f'departments[2] "thiet-ke".template: không có bộ mẫu "thiet-ke"; các bộ mẫu hiện có: {BUILT_IN}',
    'departments[3] "hr".objectives[2]: bộ mẫu "hr" không có mục tiêu "O9" (bộ mẫu có: O1, O2, O3, O4, O5)',
    'departments[3] "hr".values."O1.KR2".target: chỉ tiêu của KR loại giảm (45) phải nhỏ hơn mức bắt đầu (30)',
]

MANY_EN = [
    f"colour: unknown setting (expected one of: {TOP_KEYS})",
    'admin_emails[2]: expected an e-mail address, got "boss"',
    'protection_password_env: expected the NAME of an environment variable (like OKRSHEETS_SHEET_PASSWORD), got "mật khẩu";'
    " secrets never go in the config file",
    'quarter.name: expected a quarter like "2026-Q4" (or give start and end dates), got "2026-Q9"',
    "email.smtp_port: expected a port number (1–65535), got 0",
    "email.sender: missing; expected the sender's e-mail address (e-mail is enabled)",
    'departments[1] "sales".values."O1.KR1".target: expected a number, got "hai mươi"',
    f'departments[2] "thiet-ke".template: unknown template set "thiet-ke"; known: {BUILT_IN}',
    'departments[3] "hr".objectives[2]: no objective "O9" in template "hr" (it has O1, O2, O3, O4, O5)',
    "departments[3] \"hr\".values.\"O1.KR2\".target: a decrease KR's target (45) must be below its start (30)",
]


def _write(tmp_path: Path, text: str, name: str = "okrsheets.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args: str, lang: str = "en") -> tuple[int, list[str]]:
    """The exit code and the printed lines; ``lang`` is $OKRSHEETS_LANG, the language of a run without a config."""
    result = CliRunner().invoke(cli, list(args), env={"OKRSHEETS_LANG": lang})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output.splitlines()


def _problems(lines: list[str]) -> list[str]:
    return [line[4:] for line in lines if line.startswith("  - ")]


@pytest.mark.parametrize("language, head, expected", [
    ("", "Lỗi: {path}: 10 lỗi:", MANY_VI),  # no language key: Vietnamese, okrsheets' default
    ('language = "vi"\n', "Lỗi: {path}: 10 lỗi:", MANY_VI),
    ('language = "en"\n', "Error: {path}: 10 problems:", MANY_EN),
])
def test_check_config_lists_every_problem_of_the_config_and_its_plan_at_once(tmp_path: Path, language: str, head: str, expected: list[str]):
    path = _write(tmp_path, MANY.format(language=language))
    for run_language in ("vi", "en"):  # the config's language wins over the run's
        code, lines = _run("check-config", "--config", str(path), lang=run_language)
        assert code == 2
        assert lines == [head.format(path=path), *(f"  - {p}" for p in expected)]


@pytest.mark.parametrize("command", [["provision", "--dry-run"], ["rollup", "--dry-run"], ["lint"], ["status"], ["close-quarter"],
                                     ["templates", "list"]])
def test_every_command_that_loads_the_config_lists_the_same_problems(tmp_path: Path, command: list[str]):
    path = _write(tmp_path, MANY.format(language=""))
    code, lines = _run(*command, "--config", str(path))
    assert code == 2
    assert _problems(lines) == MANY_VI
    assert not (tmp_path / "okr-data").exists()  # nothing was written


def test_the_library_keeps_the_config_and_the_plan_apart_and_with_plan_problems_joins_them(tmp_path: Path):
    path = _write(tmp_path, MANY.format(language=""))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == MANY_VI[:7]  # the config's own checks
    assert caught.value.language == "vi" and caught.value.draft is not None
    joined = with_plan_problems(caught.value)
    assert joined.problems == MANY_VI and joined.language == "vi" and joined.source == str(path)
    assert joined.exit_code == 2


@pytest.mark.parametrize("run_language, expected", [
    ("en", ['language: expected "vi" or "en", got "fr"', 'departments[1] "sales".template: unknown template set "sale"; known: ' + BUILT_IN]),
    ("vi", ['language: cần "vi" hoặc "en", nhận được "fr"', 'departments[1] "sales".template: không có bộ mẫu "sale"; các bộ mẫu hiện có: ' + BUILT_IN]),
])
def test_a_language_that_cannot_be_read_gives_the_language_of_a_run_without_a_config(tmp_path: Path, run_language: str, expected: list[str]):
    path = _write(tmp_path, 'company = "A"\nlanguage = "fr"\nquarter = "2026-Q4"\n[[departments]]\nkey = "sales"\ntemplate = "sale"\n')
    code, lines = _run("check-config", "--config", str(path), lang=run_language)
    assert code == 2
    assert lines[0] == f"{'Error' if run_language == 'en' else 'Lỗi'}: {path}: 2 {'problems' if run_language == 'en' else 'lỗi'}:"
    assert _problems(lines) == expected


def test_a_wrong_key_is_told_once_not_again_by_the_plan(tmp_path: Path):
    """Where a key is wrong, the plan's checks do not trip over its fallback: no "unknown template set" for a
    template that is not text, no "none of O2's KRs is listed" when objectives is wrong, no start/target comparison
    when one of them is not a number, no slot problem for a slot value that is not text, a number or a date."""
    text = (
        'company = "A"\nlanguage = "en"\nquarter = "2026-Q4"\n'
        '[[departments]]\nkey = "a"\ntemplate = 5\n'
        '[[departments]]\nkey = "b"\ntemplate = "hr"\nobjectives = "O1"\nkey_results = ["O1.KR1"]\n'
        '[[departments]]\nkey = "c"\ntemplate = "sales"\nvalues."O1.KR1" = { start = "x", target = -5 }\n'
        'values."O1" = { revenue_growth = ["25"] }\n'
    )
    code, lines = _run("check-config", "--config", str(_write(tmp_path, text)))
    assert code == 2
    assert _problems(lines) == [
        'departments[1] "a".template: expected text, got 5',
        'departments[2] "b".objectives: expected a list of objective IDs like ["O1", "O3"], got "O1"',
        'departments[3] "c".values."O1.KR1".start: expected a number, got "x"',
        'departments[3] "c".values.O1.revenue_growth: expected text, a number or a date, got a list',
    ]


def test_templates_dir_that_is_not_a_folder_is_a_config_problem_and_hides_no_other(tmp_path: Path):
    text = ('company = "A"\nlanguage = "en"\nquarter = "2026-Q4"\ntemplates_dir = "own"\n'
            '[[departments]]\nkey = "me"\ntemplate = "mine"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\nweight = 0\n')
    code, lines = _run("check-config", "--config", str(_write(tmp_path, text)))
    assert code == 2
    assert _problems(lines) == [  # no "unknown template set mine": its folder is what is wrong
        f"templates_dir: {tmp_path / 'own'} is not a folder; give the folder that holds the company's own template sets,"
        " or remove templates_dir",
        'departments[2] "hr".weight: expected a number greater than 0, got 0',
    ]


def test_the_quarter_dates_are_checked_whatever_else_is_wrong(tmp_path: Path):
    text = 'company = 7\n[quarter]\nname = "Thu"\nstart = 2026-12-01\nend = 2026-10-01\n[[departments]]\nkey = "hr"\ntemplate = "hr"\n'
    code, lines = _run("check-config", "--config", str(_write(tmp_path, text)))
    assert _problems(lines) == [
        "company: cần một đoạn chữ, nhận được 7",
        "quarter.end: phải sau quarter.start (2026-12-01), nhận được 2026-10-01",
    ]


@pytest.mark.parametrize("language, expected", [
    ("vi", ['timezone: không có múi giờ "Mars/Base"; cần tên múi giờ IANA như "Asia/Ho_Chi_Minh"',
            'backend.kind: cần "excel" hoặc "google", nhận được "ftp"',
            "scoring: cần 0 < red_below <= green_from <= 1, nhận được red_below = 0.8, green_from = 0.7",
            "scoring: cần 0 <= pace_tolerance <= off_track_gap <= 1, nhận được pace_tolerance = 0.5, off_track_gap = 0.2",
            'schedule.run_at: cần một giờ địa phương như "02:00", nhận được "25:00"',
            "email.password: không bao giờ ghi mật khẩu vào tệp cấu hình; hãy đặt password_env là tên của biến môi trường chứa mật khẩu",
            'email.enabled: cần true hoặc false, nhận được "yes"',
            'email.tls: cần "none", "starttls" hoặc "ssl", nhận được "tls"',
            "email.stale_after_days: cần một số ngày nguyên, ít nhất 1, nhận được 0",
            'departments[1] "hr".key_results: cần một danh sách mã KR như ["O1.KR1", "O2.KR3"], nhận được một bảng',
            'departments[1] "hr".values."O1.KR1".owner: cần một địa chỉ e-mail (người phụ trách KR này), nhận được "lan"',
            'departments[1] "hr".values.O1.owner: mục tiêu không có người phụ trách riêng (người phụ trách của phòng ban phụ trách nó);'
            ' hãy đặt owner cho một KR của nó, như "O1.KR1"',
            'departments[1] "hr".values.O2.aligns_to: không có mục tiêu công ty "C1": cấu hình chưa có [[company_objectives]] nào;'
            ' hãy thêm một bảng với id = "C1", hoặc xóa aligns_to']),
    ("en", ['timezone: unknown timezone "Mars/Base"; expected an IANA name like "Asia/Ho_Chi_Minh"',
            'backend.kind: expected "excel" or "google", got "ftp"',
            "scoring: expected 0 < red_below <= green_from <= 1, got red_below = 0.8, green_from = 0.7",
            "scoring: expected 0 <= pace_tolerance <= off_track_gap <= 1, got pace_tolerance = 0.5, off_track_gap = 0.2",
            'schedule.run_at: expected a local time like "02:00", got "25:00"',
            "email.password: passwords never go in the config file; set password_env to the name of an environment variable",
            'email.enabled: expected true or false, got "yes"',
            'email.tls: expected "none", "starttls" or "ssl", got "tls"',
            "email.stale_after_days: expected a whole number of days, at least 1, got 0",
            'departments[1] "hr".key_results: expected a list of KR IDs like ["O1.KR1", "O2.KR3"], got a table',
            'departments[1] "hr".values."O1.KR1".owner: expected one e-mail address (the person who owns this KR), got "lan"',
            "departments[1] \"hr\".values.O1.owner: an objective has no owner of its own (the department's owners own it);"
            ' set owner on one of its KRs, like "O1.KR1"',
            'departments[1] "hr".values.O2.aligns_to: no company objective "C1": the config has no [[company_objectives]];'
            ' add one with id = "C1", or remove aligns_to']),
])
def test_each_area_speaks_the_configs_language(tmp_path: Path, language: str, expected: list[str]):
    text = (
        f'company = "A"\nlanguage = "{language}"\ntimezone = "Mars/Base"\nquarter = "2026-Q4"\n'
        '[scoring]\nred_below = 0.8\ngreen_from = 0.7\npace_tolerance = 0.5\noff_track_gap = 0.2\n'
        '[schedule]\nrun_at = "25:00"\n'
        '[email]\nenabled = "yes"\ntls = "tls"\nstale_after_days = 0\npassword = "hunter2"\n'
        '[backend]\nkind = "ftp"\n'
        '[[departments]]\nkey = "hr"\ntemplate = "hr"\nkey_results = { a = 1 }\n'
        'values."O1.KR1" = { target = 5, owner = "lan" }\nvalues."O1" = { owner = "a@b.vn" }\nvalues."O2" = { aligns_to = "C1" }\n'
    )
    code, lines = _run("check-config", "--config", str(_write(tmp_path, text)), lang="vi" if language == "en" else "en")
    assert code == 2
    assert _problems(lines) == expected
    assert "hunter2" not in "\n".join(lines)


def test_a_wrong_google_key_file_is_told_in_vietnamese(tmp_path: Path):
    (tmp_path / "client.json").write_text(json.dumps({"installed": {"client_id": "x", "client_secret": "y"}}), encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"type": ', encoding="utf-8")
    base = 'company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\n[backend]\nkind = "google"\nfolder_id = "F"\n'
    checks = {
        'service_account_file = "client.json"\nmax_tries = 0':
            [f'backend.service_account_file: {tmp_path / "client.json"} là tệp bí mật của ứng dụng khách OAuth loại ứng dụng máy tính'
             ' (hãy đặt nó ở client_secret_file, với auth = "user"), không phải khóa của tài khoản dịch vụ;'
             " trong bảng điều khiển Google Cloud, mở IAM & Admin > Service accounts > tài khoản của bạn > Keys > Add key > JSON",
             "backend.max_tries: cần một số nguyên, ít nhất 1 (số lần thử một yêu cầu trước khi bỏ cuộc), nhận được 0"],
        'service_account_file = "broken.json"\nread_quota_per_user = 2.5':
            [f"backend.service_account_file: {tmp_path / 'broken.json'} không phải JSON hợp lệ (dòng 1);"
             " trong bảng điều khiển Google Cloud, mở IAM & Admin > Service accounts > tài khoản của bạn > Keys > Add key > JSON",
             "backend.read_quota_per_user: cần một số nguyên, ít nhất 1 (số yêu cầu đọc Sheets mỗi phút;"
             " hạn mức mặc định của Google: 60), nhận được 2.5"],
        'auth = "user"\nimpersonate = "a@b.vn"':
            ['backend.impersonate: chỉ dùng khi auth = "service_account"; hãy xóa thiết lập này, hoặc đặt auth = "service_account"',
             'backend.client_secret_file: còn thiếu; cần đường dẫn tới tệp JSON của ứng dụng khách OAuth (loại "Desktop app")'
             " tải về từ bảng điều khiển Google Cloud"],
    }
    for lines, expected in checks.items():
        code, printed = _run("check-config", "--config", str(_write(tmp_path, base + lines)))
        assert code == 2
        assert _problems(printed) == expected


def test_no_such_department_speaks_the_configs_language(tmp_path: Path):
    path = _write(tmp_path, 'company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\n'
                            '[[departments]]\nkey = "sales"\ntemplate = "sales"\n')
    code, lines = _run("provision", "--config", str(path), "--dry-run", "--department", "ke-toan")
    assert code == 2
    assert lines == [f"Lỗi: {path}: --department ke-toan: không có phòng ban này; các phòng ban: hr, sales"]


def test_a_valid_config_still_builds_its_plan(tmp_path: Path):
    path = _write(tmp_path, 'company = "A"\nquarter = "2026-Q4"\nadmin_emails = ["okr@a.vn"]\nprotection_password_env = "OKR_PW"\n'
                            '[[departments]]\nkey = "hr"\ntemplate = "hr"\n')
    config = load_config(path)
    assert config.admin_emails == ("okr@a.vn",) and config.protection_password_env == "OKR_PW"
    assert [d.key for d in build_plan(config).departments] == ["hr"]


def test_every_problem_text_has_both_languages_with_the_same_blanks():
    """Each config_* and plan_* entry: the Vietnamese one has Vietnamese letters, the English one none, and
    both fill the same {blanks} (a blank missing in one language would lose what was found)."""
    import re
    import string

    from okrsheets.words import TABLES

    def blanks(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    keys = sorted(k for k in TABLES["en"] if k.startswith(("config_", "plan_")))
    assert len(keys) > 100 and keys == sorted(k for k in TABLES["vi"] if k.startswith(("config_", "plan_")))
    vietnamese = re.compile(r"[\u00C0-\u024F\u1E00-\u1EFF]")
    for key in keys:
        vi, en = TABLES["vi"][key], TABLES["en"][key]
        assert isinstance(vi, str) and isinstance(en, str)
        words = re.sub(r"\{\w+\}", "", en)  # ("config_problems" is only "{count}:")
        assert vietnamese.search(vi) or not re.search("[a-z]", words), key
        assert not vietnamese.search(en), key
        assert blanks(vi) == blanks(en), key


@pytest.mark.parametrize("config, vi, en", [
    ('company = "A"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\n',
     'quarter: còn thiếu; hãy đặt quarter = "2026-Q4", hoặc một bảng [quarter] với name = "2026-Q4"',
     'quarter: missing; set quarter = "2026-Q4", or a [quarter] table with name = "2026-Q4"'),
    ('company = "A"\nquarter = "2026-Q4"\n',
     "departments: cần ít nhất một bảng [[departments]]", "departments: expected at least one [[departments]] table"),
    ('company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "phòng-kế-toán"\ntemplate = "finance"\n',
     'departments[1].key: chỉ dùng chữ cái không dấu, chữ số, _ và - (mã này đặt tên cho tệp), nhận được "phòng-kế-toán"',
     'departments[1].key: expected letters without accents, digits, _ and - (it names the file), got "phòng-kế-toán"'),
    ('company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\nvalues."O1" = { target = 5 }\n',
     'departments[1] "hr".values.O1.target: mục tiêu không có target; hãy đặt nó cho một KR, như "O1.KR1"',
     'departments[1] "hr".values.O1.target: objectives have no target; set it on a KR such as "O1.KR1"'),
    ('company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\nvalues."O1.KR1" = { start = 5, target = 5 }\n',
     'departments[1] "hr".values."O1.KR1": start và target đều là 5; KR loại tăng cần hai số này khác nhau',
     'departments[1] "hr".values."O1.KR1": start and target are both 5; an increase KR needs them to differ'),
    ('company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\nobjectives = ["O1"]\nkey_results = ["O1.KR1", "O2.KR1"]\n',
     'departments[1] "hr".key_results[2]: "O2.KR1" không phải là KR của các mục tiêu đã chọn cho phòng ban này',
     'departments[1] "hr".key_results[2]: "O2.KR1" is not a KR of this department\'s objectives'),
    ('company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\nobjectives = ["O1", "O2"]\nkey_results = ["O1.KR1"]\n',
     'departments[1] "hr".key_results: không có KR nào của mục tiêu O2 được liệt kê; hãy thêm một KR của nó, hoặc bỏ O2 khỏi objectives',
     'departments[1] "hr".key_results: none of objective O2\'s KRs is listed; list one, or drop O2 from objectives'),
    ('company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\nobjectives = ["O1"]\nvalues."O2.KR1" = { target = 1 }\n',
     'departments[1] "hr".values."O2.KR1": không thuộc các mục tiêu đã chọn cho phòng ban này',
     'departments[1] "hr".values."O2.KR1": is not among this department\'s objectives'),
    ('company = "A"\nquarter = "2026-Q4"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\n'
     '[[company_objectives]]\nid = "C1"\ntext = "X"\n[[company_objectives]]\nid = "C1"\ntext = "Y"\n',
     'company_objectives[2] "C1".id: mã mục tiêu công ty "C1" bị trùng; mỗi mục tiêu công ty cần một mã riêng',
     'company_objectives[2] "C1".id: duplicate company objective ID "C1"; give each company objective its own ID'),
])
def test_more_problems_in_both_languages(tmp_path: Path, config: str, vi: str, en: str):
    for language, expected in (("vi", vi), ("en", en)):
        path = _write(tmp_path, f'language = "{language}"\n' + config)
        code, lines = _run("check-config", "--config", str(path))
        assert code == 2
        assert lines == [f"{'Lỗi' if language == 'vi' else 'Error'}: {path}: {expected}"]
