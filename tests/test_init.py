"""`okrsheets init`: a starter okrsheets.toml that passes check-config, asked for in a terminal, the example without one."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from click.testing import CliRunner

from okrsheets.cli.main import cli
from okrsheets.config import load_config
from okrsheets.plan import build_plan

REPO = Path(__file__).resolve().parent.parent


def test_without_a_terminal_init_writes_the_example_company_without_asking(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "okr")], input="", env={"OKRSHEETS_LANG": "en"})  # CliRunner's stdin is no terminal
    assert result.exit_code == 0, result.output
    written = tmp_path / "okr" / "okrsheets.toml"
    assert written.read_text(encoding="utf-8") == (REPO / "config.example.toml").read_text(encoding="utf-8")
    assert f"Wrote {written}" in result.output
    assert f"okrsheets check-config --config {written}" in result.output

    check = CliRunner().invoke(cli, ["check-config", "--config", str(written)])
    assert check.exit_code == 0, check.output
    assert check.output.splitlines()[0].startswith("Công ty Cổ phần Thương mại Sen Vàng: 2026-Q4")


def test_init_never_overwrites_a_config(tmp_path):
    (tmp_path / "okrsheets.toml").write_text("company = 'ours'\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)], env={"OKRSHEETS_LANG": "en"})
    assert result.exit_code == 1
    assert "okrsheets.toml already exists; it is left as it is" in result.output
    assert (tmp_path / "okrsheets.toml").read_text(encoding="utf-8") == "company = 'ours'\n"


def test_init_into_a_folder_whose_parent_is_missing_says_so(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "not-mounted" / "okr")], env={"OKRSHEETS_LANG": "en"})
    assert result.exit_code == 1
    assert f"the folder {tmp_path / 'not-mounted'} does not exist" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "not-mounted").exists()


def run_in_a_terminal(args: list[str], answers: list[str], cwd: Path, timeout: float = 30) -> tuple[int, str]:
    """Run the CLI with stdin and stdout on a pseudo-terminal, typing each answer after its prompt shows."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", "OKRSHEETS_LANG": "en"}  # the prompts are English without a config
    proc = subprocess.Popen([sys.executable, "-m", "okrsheets", *args], stdin=follower, stdout=follower,
                            stderr=follower, cwd=cwd, env=env)
    os.close(follower)
    output = b""
    deadline = time.monotonic() + timeout
    pending = list(answers)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if pending and output.rstrip().endswith((b":", b"]:", b"):")):
                os.write(leader, pending.pop(0).encode() + b"\n")
        elif proc.poll() is not None:
            break
    os.close(leader)
    return proc.wait(timeout=5), output.decode("utf-8", "replace").replace("\r\n", "\n")


def test_in_a_terminal_init_asks_for_company_language_and_departments(tmp_path):
    code, output = run_in_a_terminal(
        ["init", "okr"], ["Công ty \"Hoa Mai\"", "en", "sales, kho", "sales, hr"], cwd=tmp_path)
    assert code == 0, output
    assert "Template sets: customer_service, design," in output
    assert "unknown template set kho; choose from:" in output  # asked again
    config = load_config(tmp_path / "okr" / "okrsheets.toml")
    assert config.company == 'Công ty "Hoa Mai"' and config.language == "en"
    assert [(d.key, d.name, d.template) for d in config.departments] == [
        ("sales", "Sales department", "sales"), ("hr", "Human resources department", "hr"),
    ]
    plan = build_plan(config)  # what check-config prints: every KR target still to fill in is a warning
    assert len(plan.departments) == 2 and plan.warnings
    raw = tomllib.loads((tmp_path / "okr" / "okrsheets.toml").read_text(encoding="utf-8"))
    assert raw["backend"] == {"kind": "excel", "folder": "okr-data"}


def test_without_a_config_the_error_points_at_init_and_the_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OKRSHEETS_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["check-config"])
    assert result.exit_code == 2
    assert "create ./okrsheets.toml with `okrsheets init`" in result.output
    assert f"every setting is explained in {REPO / 'config.example.toml'}" in result.output
