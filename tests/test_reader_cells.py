"""The rules for confidence, last-update dates, comments and number-format kinds (README, "How typed values are read")."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest

from okrsheets.backends.excel_read import format_kind
from okrsheets.core.values import comment_issue, read_confidence, read_update_date

AS_OF = date(2026, 11, 25)
EARLIEST = date(2025, 10, 1)  # a year before the quarter 2026-Q4


@pytest.mark.parametrize("typed, expected", [(7, 7.0), ("7", 7.0), (" 10 ", 10.0), (1.0, 1.0), (None, None), ("", None)])
def test_confidence_accepted(typed, expected):
    reading = read_confidence(typed, "vi_VN")
    assert (reading.value, reading.issue) == (expected, None)


@pytest.mark.parametrize("typed", [0, 11, "0", "11", 7.5, "7,5", "cao", "8/10", True, date(2026, 11, 1), -3])
def test_confidence_rejected_in_the_teams_language(typed):
    vi, en = read_confidence(typed, "vi_VN"), read_confidence(typed, "en_US")
    assert vi.value is None and "một số nguyên từ 1 (thấp) đến 10 (cao)" in vi.issue
    assert en.value is None and "a whole number from 1 (low) to 10 (high)" in en.issue


@pytest.mark.parametrize("typed, locale, expected", [
    ("24/11/2026", "vi_VN", date(2026, 11, 24)),
    ("24-11-2026", "vi_VN", date(2026, 11, 24)),
    ("24.11.2026", "vi_VN", date(2026, 11, 24)),
    ("24/11/26", "vi_VN", date(2026, 11, 24)),
    ("24 tháng 11", "vi_VN", date(2026, 11, 24)),
    ("26 tháng 11", "vi_VN", date(2026, 11, 26)),  # tomorrow is allowed
    ("30 tháng 12", "vi_VN", date(2025, 12, 30)),  # still ahead this year: last year's
    ("ngày 24 tháng 11 năm 2026", "vi_VN", date(2026, 11, 24)),
    ("11/24/2026", "en_US", date(2026, 11, 24)),
    ("11-24-2026", "en_US", date(2026, 11, 24)),
    ("2026-11-24", "vi_VN", date(2026, 11, 24)),
    ("2026-11-24", "en_US", date(2026, 11, 24)),
    (date(2026, 11, 24), "vi_VN", date(2026, 11, 24)),
    (datetime(2026, 11, 24, 9, 30), "en_US", date(2026, 11, 24)),
    (None, "vi_VN", None),
])
def test_last_update_accepted(typed, locale, expected):
    reading = read_update_date(typed, locale, AS_OF, EARLIEST)
    assert (reading.value, reading.issue) == (expected, None)


@pytest.mark.parametrize("typed, locale, words", [
    ("11/24/2026", "vi_VN", "không phải là một ngày"),  # month 24 in the Vietnamese order
    ("24/11/2026", "en_US", "is not a date"),
    ("24 tháng 11", "en_US", "is not a date"),
    ("31/02/2026", "vi_VN", "không phải là một ngày"),
    ("hôm qua", "vi_VN", "không phải là một ngày"),
    (46350.5, "vi_VN", "không phải là một ngày"),
    (date(2026, 11, 27), "vi_VN", "ở sau ngày mai (26/11/2026)"),
    ("2027-11-24", "en_US", "is after tomorrow (2026-11-26)"),
    (True, "vi_VN", "không phải là một ngày"),
])
def test_last_update_rejected(typed, locale, words):
    reading = read_update_date(typed, locale, AS_OF, EARLIEST)
    assert reading.value is None and words in reading.issue


def test_a_date_serial_in_a_general_cell_is_read_only_when_plausible_and_said():
    reading = read_update_date(46350, "vi_VN", AS_OF, EARLIEST)  # 46350 = 2026-11-24
    assert reading.value == date(2026, 11, 24)
    assert reading.issue.startswith("Ô đang hiện con số 46350 chứ không phải ngày; okrsheets hiểu đó là ngày 24/11/2026.")
    earliest = (EARLIEST - date(1899, 12, 30)).days  # 45931
    assert read_update_date(earliest, "vi_VN", AS_OF, EARLIEST).value == date(2025, 10, 1)
    assert read_update_date(46352, "vi_VN", AS_OF, EARLIEST).value == date(2026, 11, 26)  # tomorrow
    for implausible in (earliest - 1, 46353, 7, 99999):  # a day before the earliest, after tomorrow, tiny, huge
        assert read_update_date(implausible, "vi_VN", AS_OF, EARLIEST).value is None


def test_a_comment_over_2000_characters_is_an_issue():
    assert comment_issue("x" * 2000, "vi_VN") is None
    assert comment_issue("x" * 2001, "en_US") == (
        "The comment is 2001 characters long (at most 2000); the summary still keeps all of it. Please shorten it."
    )


@pytest.mark.parametrize("code, kind", [
    ("0.0#%", "percent"), ("0%", "percent"), ('0.00%;[Red]-0.00%', "percent"),
    ("yyyy-mm-dd", "date"), ("dd/mm/yyyy", "date"), ("[$-42A]d mmmm yyyy", "date"), ("h:mm AM/PM", "date"), ("[h]:mm", "date"),
    ("General", "other"), ("#,##0.##", "other"), ('#,##0 "₫"', "other"), ("0.00E+00", "other"), ("@", "other"),
    ('"day "0', "other"), ("[Red]0.0", "other"),
])
def test_number_format_kinds(code, kind):
    assert format_kind(code) == kind


def test_a_workbook_okrsheets_may_not_read_is_a_permission_issue(tmp_path: Path):
    """Run the read as an unprivileged user (root reads every file)."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0 and not os.access("/", os.W_OK):
        pytest.skip("needs setpriv and root to drop to nobody")
    folder = Path(tempfile.mkdtemp(prefix="okrsheets-perm-"))
    try:
        folder.chmod(0o755)
        (folder / "hr.xlsx").write_bytes(b"PK")
        (folder / "hr.xlsx").chmod(0o600)  # the owner's (root's) only
        repo = Path(__file__).resolve().parent.parent
        code = ("from pathlib import Path\nfrom okrsheets.backends.excel import read_workbook\n"
                "from okrsheets.errors import WorkbookError\n"
                f"try:\n    read_workbook(Path({str(folder / 'hr.xlsx')!r}))\n"
                "except WorkbookError as exc:\n    print(exc.reason)\n")
        done = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code],
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(repo)}, timeout=60)
        if "Permission denied" in done.stderr and "okrsheets" not in done.stdout:
            pytest.skip(f"nobody cannot run this Python: {done.stderr[-200:]}")
        assert done.stdout.strip() == "permission", done.stderr
    finally:
        shutil.rmtree(folder)


def _provisioned_hr(tmp_path: Path) -> Path:
    """``okrsheets provision`` of a company of one department (hr, its O1 and three KRs): its workbook's path."""
    from click.testing import CliRunner

    from okrsheets.cli.main import cli

    (tmp_path / "okrsheets.toml").write_text(
        'company = "B"\nquarter = "2026-Q4"\n[backend]\nfolder = "data"\n[[departments]]\nkey = "hr"\ntemplate = "hr"\n'
        'objectives = ["O1"]\nvalues."O1.KR1" = { target = 10 }\nvalues."O1.KR2" = { start = 45, target = 30 }\n'
        'values."O1.KR3" = { start = 70, target = 85 }\n', encoding="utf-8")
    assert CliRunner().invoke(cli, ["provision", "--config", str(tmp_path / "okrsheets.toml")]).exit_code == 0
    return tmp_path / "data" / "2026-Q4" / "hr.xlsx"


def test_sheet_xml_of_another_shape_gives_the_same_details(tmp_path: Path):
    """Attributes in another order and a namespace prefix (other writers) are read the long way, to the same result."""

    import openpyxl

    from okrsheets.backends.excel import read_workbook

    plain = _provisioned_hr(tmp_path)
    workbook = openpyxl.load_workbook(plain)
    workbook["OKR"]["G10"] = "=1/0"  # a formula with no saved result
    workbook.save(plain)
    odd = tmp_path / "odd.xlsx"
    _edited_copy(plain, odd, _another_shape)  # style first, cells with a prefix
    expected, found = read_workbook(plain).sheets["OKR"].details, read_workbook(odd).sheets["OKR"].details
    assert dict(found.format_kinds) == dict(expected.format_kinds) and len(expected.format_kinds) > 10
    assert expected.format_kinds.get((12, 7)) == "percent" and expected.format_kinds.get((10, 13)) == "date"
    assert found.formulas == expected.formulas and expected.formulas[10, 7] == "1/0"
    assert found.no_result == expected.no_result and {(6, 2), (6, 4), (6, 6), (6, 8), (10, 7)} <= found.no_result
    assert found.protected and expected.protected


def _edited_copy(source: Path, target: Path, edit) -> None:
    """``source`` copied to ``target`` with ``edit(xml)`` applied to each worksheet's XML."""
    import zipfile

    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item)
            copy.writestr(item, edit(data) if item.filename.startswith("xl/worksheets/") else data)


def _another_shape(xml: bytes) -> bytes:
    """The cells written as some other writer might: style before reference, and a namespace prefix."""
    import re

    xml = re.sub(rb'<c r="([A-Z]+\d+)"( s="\d+")?', rb'<c\2 r="\1"', xml)
    xml = xml.replace(b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ', 1)
    return xml.replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>").replace(b"<f", b"<x:f").replace(b"</f>", b"</x:f>")


@pytest.mark.parametrize("shared", [False, True], ids=["formulas-one-by-one", "a-shared-formula"])
def test_formula_error_and_boolean_cells_read_alike_in_any_shape(tmp_path: Path, shared: bool):
    """What LibreOffice and Excel save in a team's cells (a formula with no result, a formula's error, a pasted
    error, =TRUE() with an attribute on <f>, a text formula with escapes, a shared formula) reads the same from
    the usual cell shape as from another writer's, read the long way."""
    import re


    from okrsheets.backends.excel import read_workbook

    provisioned = _provisioned_hr(tmp_path)
    cells = {  # what each team cell holds, as LibreOffice or Excel saves it (the cell keeps its style)
        b"G10": b"<f>1/0</f><v></v>",
        b"G11": b'<f aca="false">1/0</f><v>#DIV/0!</v>',
        b"G12": b"<v>#N/A</v>",
        b"H10": b'<f aca="false">TRUE()</f><v>1</v>',
        b"L10": b'<f>"a&amp;b"&amp;"&lt;c&gt;"</f><v>a&amp;b&lt;c&gt;</v>',
        b"L11": b'<f>""</f><v></v>',  # a text formula whose result is empty text
    }
    types = {b"G11": b' t="e"', b"G12": b' t="e"', b"L10": b' t="str"', b"L11": b' t="str"'}

    def usual(xml: bytes) -> bytes:
        if b"<sheetProtection" not in xml or b'r="G10"' not in xml:
            return xml
        for ref, content in cells.items():
            xml = re.sub(rb'<c r="%s"( s="\d+")?( t="\w+")?(/>|>.*?</c>)' % ref,
                         lambda m, ref=ref, content=content: b'<c r="%s"%s%s>%s</c>' % (ref, m[1] or b"", types.get(ref, b""), content),
                         xml, count=1)
        if shared:  # J10's score formula shared down to J11, as Excel writes a filled-down formula
            xml = re.sub(rb'(<c r="J10" s="\d+"><f)>', rb'\1 t="shared" ref="J10:J11" si="0">', xml, count=1)
            xml = re.sub(rb'(<c r="J11" s="\d+">)<f>[^<]*</f>', rb'\1<f t="shared" si="0"/>', xml, count=1)
        return xml

    plain, odd = tmp_path / "usual.xlsx", tmp_path / "odd.xlsx"
    _edited_copy(provisioned, plain, usual)
    _edited_copy(plain, odd, _another_shape)
    expected, found = read_workbook(odd).sheets["OKR"], read_workbook(plain).sheets["OKR"]
    assert [expected.value(row, 7) for row in (10, 11, 12)] == ["", "#DIV/0!", "#N/A"]  # (no result: calamine reads "")
    assert expected.value(10, 8) is True and expected.value(10, 12) == "a&b<c>"
    assert expected.details.formulas[10, 7] == "1/0" and expected.details.formulas[10, 12] == '"a&b"&"<c>"'
    assert expected.details.formulas[10, 8] == "TRUE()" and (12, 7) not in expected.details.formulas
    assert (10, 7) in expected.details.no_result and not {(11, 7), (10, 8), (10, 12), (11, 12)} & expected.details.no_result
    assert (expected.details.formulas[11, 10] == "shared:0") is shared
    assert found.rows == expected.rows
    assert found.details.formulas == expected.details.formulas and found.details.no_result == expected.details.no_result
    assert dict(found.details.format_kinds) == dict(expected.details.format_kinds)
    assert expected.details.format_kinds.get((12, 7)) == "percent" and expected.details.format_kinds.get((10, 13)) == "date"
    assert all(found.details.format_kind(row, column) == expected.details.format_kind(row, column)
               for row in range(1, 20) for column in range(1, 20))
    assert found.details.protected and expected.details.protected


@pytest.mark.parametrize("member", ["xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"])
def test_a_workbook_part_whose_checksum_is_wrong_is_damaged(tmp_path: Path, member: str):
    """A part whose content inflates but no longer matches its CRC-32 (a bit flipped on disk) is a damaged workbook."""
    import struct
    import zipfile


    from okrsheets.backends.excel import read_workbook
    from okrsheets.errors import WorkbookError

    path = _provisioned_hr(tmp_path)
    read_workbook(path)  # readable as provisioned
    content = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
        central = archive.start_dir
    struct.pack_into("<I", content, info.header_offset + 14, info.CRC ^ 1)  # the local header's CRC-32
    at = content.find(b"PK\x01\x02", central)
    while at >= 0:  # and the central directory's
        if content[at + 46:at + 46 + struct.unpack_from("<H", content, at + 28)[0]] == member.encode():
            struct.pack_into("<I", content, at + 16, info.CRC ^ 1)
        at = content.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(content))
    with pytest.raises(WorkbookError) as raised:
        read_workbook(path)
    assert raised.value.reason == "damaged" and re.search(r"CRC-32|checksum", str(raised.value))


def test_provision_force_moves_an_unreadable_workbook_aside(tmp_path: Path):
    """Run as nobody: root's private workbook cannot be read or copied; --force keeps it as the backup."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        pytest.skip("needs setpriv and root to drop to nobody")
    repo = Path(__file__).resolve().parent.parent
    folder = Path(tempfile.mkdtemp(prefix="okrsheets-force-"))
    try:
        folder.chmod(0o777)
        config = folder / "okrsheets.toml"
        config.write_text('company = "B"\nquarter = "2026-Q4"\n[backend]\nfolder = "data"\n[[departments]]\nkey = "hr"\n'
                          'template = "hr"\nobjectives = ["O1"]\nvalues."O1.KR1" = { target = 10 }\n'
                          'values."O1.KR2" = { start = 45, target = 30 }\nvalues."O1.KR3" = { start = 70, target = 85 }\n',
                          encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(repo), "HOME": str(folder)}
        command = [sys.executable, "-m", "okrsheets", "provision", "--config", str(config)]
        assert subprocess.run(command, capture_output=True, env=env, timeout=120, check=False).returncode == 0
        quarter = folder / "data" / "2026-Q4"
        for path in (folder / "data", quarter):
            path.chmod(0o777)
        (quarter / "hr.xlsx").chmod(0o600)  # root's alone
        private = (quarter / "hr.xlsx").read_bytes()
        done = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command, "--force"],
                              capture_output=True, text=True, env=env, timeout=120, check=False)
        if "Permission denied" in done.stderr and "okrsheets" not in done.stderr + done.stdout:
            pytest.skip(f"nobody cannot run this Python: {done.stderr[-200:]}")
        assert done.returncode == 0 and "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
        (backup,) = quarter.glob("hr.backup-*.xlsx")
        assert backup.read_bytes() == private and (quarter / "hr.xlsx").stat().st_uid == 65534
    finally:
        shutil.rmtree(folder)
