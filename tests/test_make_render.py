"""`make render`, as the README tells it: the demo's summary and the sales team's workbook as LibreOffice prints
them, PDF and one PNG per page, in the render folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import soffice_or_skip

ROOT = Path(__file__).resolve().parents[1]


def test_make_render_prints_the_demo_summary_and_a_team_workbook_to_pdf_and_png(tmp_path):
    soffice_or_skip()
    if not all(shutil.which(tool) for tool in ("make", "pdftoppm", "pdfinfo")):
        pytest.skip("make or poppler-utils (pdftoppm, pdfinfo) is not installed")
    demo, render = tmp_path / "demo", tmp_path / "render"
    run = subprocess.run(["make", "-s", "-C", str(ROOT), "render", "STAMP=", f"BIN={Path(sys.executable).parent}",
                          f"DEMO_DIR={demo}", f"RENDER_DIR={render}"], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.name for p in render.glob("*.pdf")) == ["company-summary.pdf", "sales.pdf"]
    for name in ("company-summary", "sales"):
        info = subprocess.run(["pdfinfo", str(render / f"{name}.pdf")], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        size = next(line for line in info.splitlines() if line.startswith("Page size:"))
        images = sorted(render.glob(f"{name}-*.png"))
        assert pages >= 2 and len(images) == pages  # one PNG per page
        assert all(image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for image in images)
        assert size.endswith("(A4)")  # pdfinfo names the paper: "841.89 x 595.304 pts (A4)"
    assert not (render / ".libreoffice").exists()  # the private LibreOffice profile is removed
