"""A wheel built from the repository, installed in a fresh venv, works from a folder outside the repository.

Building needs setuptools>=77 and installing needs the dependencies: pip takes
them from its cache or from PyPI. Without network the test is skipped (and says
so); everything else runs offline. About 20-40 s; `-m "not packaging"` leaves it out.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "config.example.toml", "okrsheets", "sheet_templates")

pytestmark = pytest.mark.packaging


def pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
        return True
    except OSError:
        return False


def run(args: list, cwd: Path, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"{args}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


def clean_env() -> dict:
    """The environment without what would let the checkout be imported (PYTHONPATH) or a config be found."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "OKRSHEETS_CONFIG")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; returns its bin folder."""
    if not pypi_reachable():
        pytest.skip("building and installing the wheel needs setuptools and the dependencies from PyPI (unreachable)")
    root = tmp_path_factory.mktemp("packaging")
    env = clean_env()
    source = root / "src"  # a clean copy: no build/ or egg-info left over in the checkout can leak into the wheel
    source.mkdir()
    for name in BUILD_INPUTS:
        item = REPO / name
        if item.is_dir():
            shutil.copytree(item, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(item, source / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", root / "dist", source], root, env)
    venv = root / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], root, env)
    wheel = next((root / "dist").glob("okrsheets-*.whl"))
    run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", wheel], root, env)
    return venv / "bin"


@pytest.fixture(scope="module")
def outside(installed, tmp_path_factory) -> tuple[Path, dict]:
    """A working folder outside the repository and an environment that cannot see the checkout."""
    env = clean_env()
    env["OKRSHEETS_LANG"] = "en"  # commands run without a config speak English; one with a config speaks its language
    env["PATH"] = f"{installed}{os.pathsep}{env.get('PATH', '')}"
    folder = tmp_path_factory.mktemp("outside")
    assert REPO not in folder.parents
    return folder, env


def test_the_wheel_carries_templates_example_config_and_py_typed(installed):
    wheel = next(installed.parent.parent.glob("dist/okrsheets-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"okrsheets/py.typed", "okrsheets/config.example.toml", "okrsheets/sheet_templates/README.md"} <= names
    assert len([n for n in names if n.startswith("okrsheets/sheet_templates/") and n.endswith(".toml")]) == 14
    metadata = zipfile.ZipFile(wheel).read("okrsheets-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata


def test_installed_okrsheets_runs_the_cycle_outside_the_repository(installed, outside):
    cwd, env = outside
    okrsheets = installed / "okrsheets"

    where = run([installed / "python", "-c", "import okrsheets.shipped as s; print(s.__file__); print(s.templates_dir());"
                 " print(s.example_config())"], cwd, env).stdout.split()
    assert all(Path(p).is_relative_to(installed.parent) for p in where), where

    listed = run([okrsheets, "templates", "list"], cwd, env).stdout
    assert "sales" in listed and "14 template sets" in listed
    assert "OK: 14 template sets, 67 objectives, 201 key results." in run([okrsheets, "templates", "validate"], cwd, env).stdout

    not_on_path = {**env, "PATH": os.defpath}  # like a fresh shell after `make demo`: .venv/bin is not on PATH
    init = run([okrsheets, "init", "company"], cwd, not_on_path).stdout  # no terminal: the example company, no questions
    config = cwd / "company" / "okrsheets.toml"
    assert init.splitlines() == [
        f"Wrote {Path('company') / 'okrsheets.toml'}. Next:",
        f"  {okrsheets} check-config --config {Path('company') / 'okrsheets.toml'}",  # a command that works as printed
        f"  {okrsheets} provision --config {Path('company') / 'okrsheets.toml'}",
    ]
    assert config.read_text(encoding="utf-8") == (REPO / "config.example.toml").read_text(encoding="utf-8")

    plan = run([okrsheets, "check-config", "--config", config], cwd, env).stdout
    assert plan.startswith("Công ty Cổ phần Thương mại Sen Vàng: 2026-Q4")

    provision = run([okrsheets, "provision", "--config", config], cwd, env).stdout
    assert "6 phòng ban: 6 đã tạo" in provision  # the example company is Vietnamese
    assert len(list((cwd / "company" / "okr-data" / "2026-Q4").glob("*.xlsx"))) == 6
    again = run([okrsheets, "provision", "--config", config], cwd, env).stdout  # the quick re-run, from the wheel
    assert "6 phòng ban: 6 không đổi" in again.splitlines()
    assert again.splitlines()[-1] == provision.splitlines()[-1]  # the same lint line, kept from the first run

    helped = run([okrsheets, "--help"], cwd, {**env, "OKRSHEETS_LANG": "vi"}).stdout  # help texts ship in the wheel
    assert helped.startswith("Cách dùng: okrsheets [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]...")

    rollup = json.loads(run([okrsheets, "rollup", "--config", config, "--json", "--as-of", "2026-11-15"], cwd, env).stdout)
    assert rollup["company"] == "Công ty Cổ phần Thương mại Sen Vàng" and len(rollup["departments"]) == 6
    assert (cwd / "company" / "okr-data" / "2026-Q4" / "company-summary.xlsx").is_file()

    demo = run([okrsheets, "demo", "demo", "--as-of", "2026-11-15"], cwd, env)
    assert f"  okrsheets rollup --config {cwd / 'demo' / 'okrsheets.toml'} --json" in demo.stdout.splitlines()  # on PATH
    assert (cwd / "demo" / "okr-data" / "2026-Q4" / "company-summary.xlsx").is_file()
    assert str(REPO) not in demo.stdout + demo.stderr + rollup["company"]
