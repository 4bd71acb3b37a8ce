"""Numbers show the company's separators in LibreOffice whatever LibreOffice's own locale: a Vietnamese
company's 12.000.000.000 ₫ and 45,0% also in an English (en-US) LibreOffice, an English company's
12,000,000,000 ₫ and 45.0% also in a Vietnamese (vi-VN) one.

The .xlsx number formats carry the locale's ID ([$-42A] Vietnamese, [$-409] English: `with_locale_tag` in
okrsheets/sheets/spec.py). Without it LibreOffice shows "," and "." of a format in its own locale's
separators, so the Vietnamese team sheet in an en-US LibreOffice showed 12,000,000,000 ₫ beside the
1.000.000 ₫ a team typed. Excel reads the tag only for month and day names and keeps the separators of the
computer's regional settings: a Vietnamese Windows shows 12.000.000.000 ₫, an English one 12,000,000,000 ₫.

To look at the pages: render a team workbook with a private LibreOffice profile whose
user/registrymodifications.xcu sets /org.openoffice.Setup/L10N ooSetupSystemLocale to en-US or vi-VN
(`locale_profile` below), then `pdftoppm -png -r 60`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from click.testing import CliRunner

from okrsheets.backends.excel_read import format_kind
from okrsheets.cli.main import cli
from okrsheets.sheets.spec import with_locale_tag

from .conftest import soffice_or_skip

LOCALE_SETTING = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    '<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">'
    "<value>{locale}</value></prop></item>\n"
    "</oor:items>\n"
)


def write_company(folder: Path, language: str) -> Path:
    folder.mkdir(parents=True)
    path = folder / "okrsheets.toml"
    path.write_text(
        f'company = "Lotus"\nlanguage = "{language}"\nquarter = "2026-Q4"\n[backend]\nkind = "excel"\nfolder = "data"\n'
        '[[departments]]\nkey = "sales"\ntemplate = "sales"\nobjectives = ["O1", "O2"]\nowners = ["hung@lotus.example"]\n'
        'values."O1" = { revenue_growth = 25, market_share_growth = 3, period = "Q4 2026" }\n'
        'values."O1.KR1" = { start = 0, target = 12_000_000_000 }\nvalues."O1.KR2" = { target = 45 }\n'
        'values."O1.KR3" = { target = 2 }\nvalues."O2.KR1" = { start = 5, target = 12.5 }\n'
        'values."O2.KR2" = { start = 60, target = 45 }\nvalues."O2.KR3" = { target = 3 }\n',
        encoding="utf-8",
    )
    return path


def locale_profile(work: Path, locale: str) -> Path:
    """A private LibreOffice profile whose locale setting (Tools > Options > Languages) is ``locale``."""
    profile = work / f"lo-{locale}"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(LOCALE_SETTING.format(locale=locale), encoding="utf-8")
    return profile


@pytest.fixture(scope="module")
def shown(tmp_path_factory) -> dict[tuple[str, str, str], str]:
    """The text layer of each company's team sheet and summary as LibreOffice in each locale prints it:
    {(company language, LibreOffice locale, "team" | "summary"): text}."""
    soffice = soffice_or_skip()
    pdftotext = shutil.which("pdftotext") or pytest.skip("pdftotext (poppler-utils) is not installed")
    work = tmp_path_factory.mktemp("separators")
    books = work / "books"
    books.mkdir()
    for language in ("vi", "en"):
        config = str(write_company(work / language, language))
        for args in (["provision", "--config", config], ["rollup", "--config", config, "--as-of", "2026-11-15"]):
            result = CliRunner().invoke(cli, args, env={"OKRSHEETS_LANG": language})
            assert result.exit_code == 0, result.output
        quarter = work / language / "data" / "2026-Q4"
        shutil.copy(quarter / "sales.xlsx", books / f"{language}-team.xlsx")
        shutil.copy(quarter / "company-summary.xlsx", books / f"{language}-summary.xlsx")
    texts = {}
    for locale in ("en-US", "vi-VN"):
        out = work / f"pdf-{locale}"
        files = sorted(books.glob("*.xlsx"))
        done = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={locale_profile(work, locale).as_uri()}",
                               "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        for file in files:
            language, kind = file.stem.split("-")
            pdf = out / f"{file.stem}.pdf"
            texts[(language, locale, kind)] = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                                                             text=True, check=True).stdout
    return texts


@pytest.mark.parametrize("locale", ["en-US", "vi-VN"])
def test_a_vietnamese_company_shows_dots_for_thousands_and_a_comma_for_decimals_in_any_libreoffice(shown, locale):
    team, summary = shown[("vi", locale, "team")], shown[("vi", locale, "summary")]
    # O1.KR1's target in VND, O2.KR1's start and target in percent (the KR texts write their numbers themselves)
    assert "12.000.000.000 ₫" in team and " 5,0% " in team and " 12,5% " in team
    assert "12,000,000,000 ₫" not in team and "5.0%" not in team and "12.5%" not in team
    # the key results sheet's "Chỉ tiêu": 12.000.000.000 and 12,5
    assert re.search(r" 0 +12\.000\.000\.000 ", summary) and re.search(r" 5 +12,5 ", summary)
    assert "12,000,000,000" not in summary and "12.5" not in summary


@pytest.mark.parametrize("locale", ["en-US", "vi-VN"])
def test_an_english_company_shows_commas_for_thousands_and_a_point_for_decimals_in_any_libreoffice(shown, locale):
    team, summary = shown[("en", locale, "team")], shown[("en", locale, "summary")]
    assert "12,000,000,000 ₫" in team and " 5.0% " in team and " 12.5% " in team
    assert "12.000.000.000 ₫" not in team and "5,0%" not in team and "12,5%" not in team
    assert re.search(r" 0 +12,000,000,000 ", summary) and re.search(r" 5 +12\.5 ", summary)
    assert "12.000.000.000" not in summary and "12,5" not in summary


def test_the_tag_is_on_numbers_only_and_every_reader_still_reads_the_cells(tmp_path):
    assert with_locale_tag('#,##0 "₫"', "vi_VN") == '[$-42A]#,##0 "₫"'
    assert with_locale_tag("0.0#%", "en_US") == "[$-409]0.0#%"
    assert with_locale_tag("#,##0.###", "vi") == "[$-42A]#,##0.###"
    for left_alone in ("dd/mm/yyyy", "yyyy-mm-dd hh:mm", "General", "@", None, "[$-42A]#,##0", "0%", "+0%;-0%;0%"):
        assert with_locale_tag(left_alone, "vi_VN") == left_alone
    # our reader, openpyxl and calamine see a tagged number format as a number, a percent as a percent
    assert format_kind('[$-42A]#,##0 "₫"') == "other" and format_kind("[$-42A]0.0#%") == "percent"
    folder = tmp_path / "vi"
    config = str(write_company(folder, "vi"))
    assert CliRunner().invoke(cli, ["provision", "--config", config]).exit_code == 0
    path = folder / "data" / "2026-Q4" / "sales.xlsx"
    sheet = openpyxl.load_workbook(path)["OKR"]
    targets = {c.value: (c.number_format, c.is_date) for row in sheet.iter_rows() for c in row if c.value in (12_000_000_000, 0.125)}
    assert targets == {12_000_000_000: ('[$-42A]#,##0 "₫"', False), 0.125: ("[$-42A]0.0#%", False)}
    values = [v for row in python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("OKR").to_python() for v in row]
    assert 12_000_000_000 in values and 0.125 in values
