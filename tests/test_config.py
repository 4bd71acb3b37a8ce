"""Config: the example is valid, mistakes get a message naming the key path and exit 2."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.config import load_config, safe_file_stem
from okrsheets.errors import ConfigError
from okrsheets.plan import build_plan

from .conftest import EXAMPLE_CONFIG

MINIMAL = 'company = "Công ty A"\nquarter = "2026-Q4"\n'


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "okrsheets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _check(path: Path):
    return CliRunner().invoke(cli, ["check-config", "--config", str(path)])


def test_example_config_is_valid_and_prints_the_plan():
    result = _check(EXAMPLE_CONFIG)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Công ty Cổ phần Thương mại Sen Vàng: 2026-Q4 (01/10/2026 – 31/12/2026, 92 ngày)" in out
    assert "== Phòng Marketing [marketing]" in out
    # slots filled with Vietnamese number formatting
    assert "đạt doanh thu 12.000.000.000 đ từ việc bán sản phẩm/dịch vụ" in out
    assert "O2.KR3 đạt chứng nhận ISO/IEC 27001:2022" in out


def test_example_config_loads_typed_and_immutable():
    config = load_config(EXAMPLE_CONFIG)
    assert config.quarter.start == date(2026, 10, 1) and config.quarter.end == date(2026, 12, 31)
    assert config.language == "vi" and config.locale == "vi_VN"
    assert config.backend == "excel" and config.excel.folder == EXAMPLE_CONFIG.parent / "okr-data"
    assert len(config.departments) >= 5
    with pytest.raises(AttributeError):
        config.company = "B"  # type: ignore[misc]


def test_unfilled_slots_are_warned_with_the_key_to_set(tmp_path: Path):
    path = _write(tmp_path, MINIMAL + '[[departments]]\nkey = "mkt"\ntemplate = "marketing"\nobjectives = ["O1"]\n')
    result = _check(path)
    assert result.exit_code == 0
    assert 'cảnh báo: mkt O1: chỗ trống {period} (thời gian) chưa được điền; hãy đặt departments[1] "mkt".values.O1.period' in result.output
    assert 'cảnh báo: mkt O1.KR1: chưa đặt target nên KR này không chấm điểm được; hãy đặt departments[1] "mkt".values."O1.KR1".target' in result.output
    assert "[thời gian]" in result.output  # the unfilled slot shows the article's words


@pytest.mark.parametrize("language, message", [
    ("", 'departments[4] "hr".values."O2.KR1".target: cần một số, nhận được "hai mươi"'),  # the README's examples
    ('language = "en"\n', 'departments[4] "hr".values."O2.KR1".target: expected a number, got "hai mươi"'),
])
def test_wrong_type_names_the_key_path(tmp_path: Path, language: str, message: str):
    path = _write(
        tmp_path,
        language + MINIMAL + '[[departments]]\nkey = "a"\ntemplate = "hr"\n' * 1
        + '[[departments]]\nkey = "b"\ntemplate = "hr"\n'
        + '[[departments]]\nkey = "c"\ntemplate = "hr"\n'
        + '[[departments]]\nkey = "hr"\ntemplate = "sales"\nvalues."O2.KR1" = { target = "hai mươi" }\n',
    )
    result = _check(path)
    assert result.exit_code == 2
    assert result.output == f"{'Error' if language else 'Lỗi'}: {path}: {message}\n"
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8").replace("\n", " ")
    assert f"`{message if not language else message.split(': ', 1)[1]}`" in readme


@pytest.mark.parametrize(
    "extra, message",
    [
        ('language = "fr"\n', 'language: cần "vi" hoặc "en", nhận được "fr"'),  # (in $OKRSHEETS_LANG's language)
        ('timezone = "Mars/Base"\n', 'timezone: không có múi giờ "Mars/Base"'),
        ('colour = 1\n', "colour: không có thiết lập này (các thiết lập dùng được: admin_emails, backend, company,"),
        ('[scoring]\nred_below = 0.8\ngreen_from = 0.7\n', "scoring: cần 0 < red_below <= green_from <= 1, nhận được red_below = 0.8, green_from = 0.7"),
        ('[schedule]\nrun_at = "25:00"\n', 'schedule.run_at: cần một giờ địa phương như "02:00", nhận được "25:00"'),
        ('[email]\npassword = "hunter2"\n', "email.password: không bao giờ ghi mật khẩu vào tệp cấu hình"),
        ('[backend]\nkind = "ftp"\n', 'backend.kind: cần "excel" hoặc "google", nhận được "ftp"'),
        ('[backend]\nkind = "google"\n', "backend.service_account_file: còn thiếu"),
    ],
)
def test_bad_settings_exit_2_with_the_key(tmp_path: Path, extra: str, message: str):
    text = 'company = "A"\nquarter = "2026-Q4"\n' + extra
    if "[" in extra:
        text = 'company = "A"\nquarter = "2026-Q4"\n' + '[[departments]]\nkey = "h"\ntemplate = "hr"\n' + extra
    else:
        text += '[[departments]]\nkey = "h"\ntemplate = "hr"\n'
    result = CliRunner().invoke(cli, ["check-config", "--config", str(_write(tmp_path, text))], env={"OKRSHEETS_LANG": "vi"})
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "hunter2" not in result.output


@pytest.mark.parametrize(
    "department, message",
    [
        ('template = "nope"', 'departments[1] "hr".template: không có bộ mẫu "nope"; các bộ mẫu hiện có: customer_service, design,'),
        ('template = "hr"\nobjectives = ["O9"]', 'departments[1] "hr".objectives[1]: bộ mẫu "hr" không có mục tiêu "O9" (bộ mẫu có: O1, O2, O3, O4, O5)'),
        ('template = "hr"\nvalues."O1.KR9" = { target = 1 }', 'departments[1] "hr".values."O1.KR9": bộ mẫu "hr" không có mục tiêu hay KR này'),
        ('template = "hr"\nvalues."O1.KR2" = { start = 30, target = 30 }',
         'departments[1] "hr".values."O1.KR2": start và target đều là 30; KR loại giảm cần hai số này khác nhau'),
        ('template = "hr"\nvalues."O1.KR2" = { start = 30, target = 45 }',
         'departments[1] "hr".values."O1.KR2".target: chỉ tiêu của KR loại giảm (45) phải nhỏ hơn mức bắt đầu (30)'),
        ('template = "hr"\nvalues."O1.KR1" = { target = 5, weight = 0 }', 'departments[1] "hr".values."O1.KR1".weight: cần một số lớn hơn 0, nhận được 0'),
        ('template = "hr"\nvalues."O1.KR1" = { target = 5, weight = "x" }', 'departments[1] "hr".values."O1.KR1".weight: cần một số, nhận được "x"'),
        ('template = "hr"\nvalues."O4.KR3" = { target = 5 }', 'departments[1] "hr".values."O4.KR3".target: O4.KR3 là một mốc (xong/chưa); mốc không có target'),
        ('template = "hr"\nvalues."O1.KR1" = { target = 5, colour = "x" }',
         'departments[1] "hr".values."O1.KR1".colour: không phải chỗ trống của nội dung này (các chỗ trống: không có; các con số đặt ở start và target)'),
        ('template = "hr"\nweight = -1', 'departments[1] "hr".weight: cần một số lớn hơn 0, nhận được -1'),
        ('template = "hr"\nowners = ["not-an-email"]', 'departments[1] "hr".owners[1]: cần một địa chỉ e-mail, nhận được "not-an-email"'),
    ],
)
def test_department_mistakes(tmp_path: Path, department: str, message: str):
    result = _check(_write(tmp_path, MINIMAL + f'[[departments]]\nkey = "hr"\n{department}\n'))
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_all_problems_are_reported_at_once(tmp_path: Path):
    text = 'quarter = "2026-Q9"\nlanguage = "de"\n[[departments]]\nkey = "a b"\ntemplate = "hr"\n'
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text))
    problems = info.value.problems
    assert any(p.startswith("company: missing") for p in problems)
    assert any(p.startswith("quarter.name:") for p in problems)
    assert any(p.startswith("language:") for p in problems)
    assert any(p.startswith("departments[1].key:") for p in problems)


def test_explicit_quarter_dates(tmp_path: Path):
    path = _write(
        tmp_path,
        'company = "A"\n[quarter]\nname = "Mùa thu"\nstart = 2026-09-15\nend = 2026-12-14\n[[departments]]\nkey = "h"\ntemplate = "hr"\n',
    )
    config = load_config(path)
    assert (config.quarter.start, config.quarter.end, config.quarter.days) == (date(2026, 9, 15), date(2026, 12, 14), 91)


def test_config_is_found_from_env_then_cwd(tmp_path: Path, monkeypatch):
    path = _write(tmp_path, MINIMAL + '[[departments]]\nkey = "h"\ntemplate = "hr"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OKRSHEETS_CONFIG", raising=False)
    assert CliRunner().invoke(cli, ["check-config"]).exit_code == 0
    other = tmp_path / "sub"
    other.mkdir()
    monkeypatch.chdir(other)
    result = CliRunner().invoke(cli, ["check-config"])
    assert result.exit_code == 2 and "no config file" in result.output
    monkeypatch.setenv("OKRSHEETS_CONFIG", str(path))
    assert CliRunner().invoke(cli, ["check-config"]).exit_code == 0


def test_missing_and_unparsable_config(tmp_path: Path):
    result = _check(tmp_path / "nope.toml")
    assert result.exit_code == 2 and "config file not found" in result.output
    result = _check(_write(tmp_path, "company = \n"))
    assert result.exit_code == 2 and "not valid TOML" in result.output


def test_english_config_fills_english_text(tmp_path: Path):
    path = _write(tmp_path, 'company = "A"\nlanguage = "en"\nquarter = "2026-Q4"\n[[departments]]\nkey = "s"\ntemplate = "sales"\nvalues."O1.KR1" = { target = 1500000 }\n')
    plan = build_plan(load_config(path))
    kr = plan.departments[0].key_results[0]
    assert "VND 1,500,000" in kr.text


@pytest.mark.parametrize("name, expected", [("a/b", "a_b"), ("CON", "_CON"), ("x. ", "x"), ('q"?*', "q___")])
def test_safe_file_names(name: str, expected: str):
    assert safe_file_stem(name) == expected
