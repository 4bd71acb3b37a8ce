"""Shared fixtures: paths to the repository, the shared folder and the example config."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXAMPLE_CONFIG = REPO / "config.example.toml"


@pytest.fixture(scope="session", autouse=True)
def session_cache_folder(tmp_path_factory: pytest.TempPathFactory):
    """okrsheets keeps parsed configs in ``$XDG_CACHE_HOME/okrsheets`` (`okrsheets.config_cache`): the suite's
    own folder, for fixtures set up before a test's (the real ``~/.cache`` is never read or written)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache-session")))
        yield


@pytest.fixture(autouse=True)
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own cache folder (and its subprocesses'), so no test sees another's cache entries."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def shared_or_skip(relative: str) -> Path:
    """A file under ../shared; skipped when absent, but a failure in CI (CI is set)."""
    path = SHARED / relative
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI must have ../shared beside the clone")
        pytest.skip(f"{path} not present")
    return path


def soffice_or_skip() -> str:
    """The LibreOffice binary; skipped when absent, but a failure in CI (CI must install libreoffice-calc)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("soffice (LibreOffice) is not on PATH; CI must install libreoffice-calc")
        pytest.skip("soffice (LibreOffice) is not installed")
    return soffice


_ALWAYS_RECALCULATE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
    "</oor:items>\n"
)


def soffice_convert(files: list[Path], to: str, out: Path, workdir: Path, recalculate: bool = False) -> list[Path]:
    """Open ``files`` in headless LibreOffice and save them as ``to`` ("xlsx", "pdf") in ``out``.

    This is what a team using LibreOffice does when it opens and saves a
    workbook: the file is written by LibreOffice's own exporter. With
    ``recalculate`` every formula is recalculated on opening ("always
    recalculate"), as with a file whose cached values cannot be trusted.
    Returns the converted files.
    """
    profile = workdir / ("soffice-recalculate" if recalculate else "soffice-profile")  # no clash with another LibreOffice
    if recalculate and not profile.exists():
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_ALWAYS_RECALCULATE, encoding="utf-8")
    done = subprocess.run(
        [soffice_or_skip(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", to, "--outdir", str(out), *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    converted = [out / f"{Path(f).stem}.{to}" for f in files]
    missing = [c.name for c in converted if not c.exists()]
    assert done.returncode == 0 and not missing, f"LibreOffice: exit {done.returncode}, missing {missing}\n{done.stdout}\n{done.stderr}"
    return converted


def toml_value(value: object) -> str:
    """A Python value as a TOML value, for configs the tests write."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


@pytest.fixture
def example_config_text() -> str:
    return EXAMPLE_CONFIG.read_text(encoding="utf-8")
