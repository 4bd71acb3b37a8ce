"""What a summary workbook shows, as text that does not depend on how the writer numbered things.

:func:`snapshot` reads the parts of an .xlsx as XML. In each worksheet a shared
string cell gets its text in place of the index into the shared strings table, and
a cell's style index is replaced by the style itself (number format, font, fill,
border, alignment, quote prefix); conditional formats get their fill the same way.
So two files show the same cells, formats, widths, filters, links, print setup and
charts exactly when their snapshots are equal, whatever order the writer created
its strings and formats in. The file's creation time (docProps/core.xml) is left out.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# the prefixes the snapshot was recorded with (openpyxl used to register them as a side effect of being
# imported; a rollup no longer imports it, so they are named here)
for _prefix, _uri in {
    "s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}.items():
    ElementTree.register_namespace(_prefix, _uri)
# a timestamp; resolved into the cells; XlsxWriter's fixed theme
_SKIPPED = {"docProps/core.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/theme/theme1.xml"}


def _xml(element: ElementTree.Element) -> str:
    """The element as XML text, without the namespace declarations ElementTree repeats in every piece."""
    return re.sub(r' xmlns:\w+="[^"]*"', "", ElementTree.tostring(element, encoding="unicode"))


def _children(root: ElementTree.Element, tag: str) -> list[ElementTree.Element]:
    found = root.find(f"{MAIN}{tag}")
    return [] if found is None else list(found)


def _styles(archive: zipfile.ZipFile) -> tuple[list[str], list[str]]:
    """Each cell style (cellXfs) and each conditional format (dxfs) as one self-contained string."""
    root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    formats = {f.get("numFmtId"): f.get("formatCode") for f in root.iter(f"{MAIN}numFmt")}
    parts = {name: _children(root, f"{name}s") for name in ("font", "fill", "border")}
    cell_styles = []
    for xf in root.find(f"{MAIN}cellXfs"):
        number_format = xf.get("numFmtId", "0")
        described = {
            "numFmt": formats.get(number_format, f"builtin {number_format}"),
            **{name: _xml(parts[name][int(xf.get(f"{name}Id", "0"))]) for name in parts},
            "alignment": [_xml(child) for child in xf],
            "quotePrefix": xf.get("quotePrefix", "0"),
        }
        cell_styles.append(json.dumps(described, ensure_ascii=False, sort_keys=True))
    dxfs = [_xml(dxf) for dxf in _children(root, "dxfs")]
    return cell_styles, dxfs


def snapshot(path: Path) -> dict[str, str]:
    """Every part of the workbook at ``path`` (but its creation time) as XML text, cells resolved."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        strings = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            strings = ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root.iter(f"{MAIN}si")]
        cell_styles, dxfs = _styles(archive)
        sheets = {name: ElementTree.fromstring(archive.read(name)) for name in names
                  if name.startswith("xl/worksheets/sheet")}
        used = sorted({cell_styles[int(cell.get("s", "0"))] for root in sheets.values() for cell in root.iter(f"{MAIN}c")})
        style_ids = {described: f"S{n}" for n, described in enumerate(used)}
        parts = {"styles used by cells": "\n".join(f"{style_ids[d]} {d}" for d in used)}
        for name in sorted(names):
            if name in _SKIPPED:
                continue
            root = sheets.get(name)
            if root is None:
                parts[name] = archive.read(name).decode("utf-8")
                continue
            for cell in root.iter(f"{MAIN}c"):
                if cell.get("t") == "s":
                    value = cell.find(f"{MAIN}v")
                    value.text = strings[int(value.text)]
                    cell.set("t", "shared-string")
                cell.set("s", style_ids[cell_styles[int(cell.get("s", "0"))]])
            for rule in root.iter(f"{MAIN}cfRule"):
                if rule.get("dxfId") is not None:
                    rule.set("dxfId", dxfs[int(rule.get("dxfId"))])
            parts[name] = _xml(root)
    return parts


def snapshot_scenarios(folder: Path) -> dict[str, dict[str, str]]:
    """Summaries covering every column kind, written into ``folder``, by scenario name.

    "vi": two nights a week apart (week-over-week change, history chart), a department
    scored from an earlier night's reading, a department named like a formula, stale
    KRs, hostile team text and data issues with links. "en": one night in English.
    """
    from dataclasses import replace
    from datetime import timedelta

    from okrsheets.backends.excel_summary import write_summary

    from .summary import AS_OF, SETTINGS, department, engineering, hr, kr, rollup, sales

    vi = Path(folder) / "vi" / "company-summary.xlsx"
    write_summary(rollup([sales(0.30), engineering(0.70), hr(0.25)], as_of=AS_OF - timedelta(days=7)), vi, SETTINGS)
    odd = department("ops", "=SUM(1,2)", 0.5, "yellow", "at_risk",
                     [kr("ops", "O1.KR1", "at_risk", 0.3, comment="-1", confidence="=1+1", last_check_in=None)])
    late = replace(hr(), readable=False, read_on=AS_OF - timedelta(days=2))
    write_summary(rollup([sales(), engineering(), late, odd]), vi, SETTINGS)
    en = Path(folder) / "en" / "company-summary.xlsx"
    write_summary(rollup(language="en"), en, SETTINGS)
    return {"vi": snapshot(vi), "en": snapshot(en)}


GOLDEN = Path(__file__).resolve().parent.parent / "data" / "summary-snapshot.json"


def write_golden() -> None:
    """Record what the summary shows now (run after checking a deliberate change of the summary)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        found = snapshot_scenarios(Path(folder))
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":  # python -m tests.helpers.summary_snapshot
    write_golden()
