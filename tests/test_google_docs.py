"""docs/google.md says only what okrsheets does: each claim about our behaviour is checked here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from okrsheets.backends.google.auth import SCOPES
from okrsheets.backends.google.failures import SCOPES_TEXT
from okrsheets.backends.google.words import TEXT
from okrsheets.config import BACKEND_KEYS, load_config
from okrsheets.testing import FakeGoogle

from .google_setups import run_cli, shared_drive_setup, user_setup, write_config

DOC = (Path(__file__).parents[1] / "docs" / "google.md").read_text(encoding="utf-8")


def _block(marker: str) -> str:
    after = DOC[DOC.index(f"<!-- {marker} -->"):]
    return after.split("```\n", 2)[1]


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_doctor_samples_are_what_doctor_prints(tmp_path, language):
    with FakeGoogle() as fake:
        setup = shared_drive_setup(fake, tmp_path, language=language)
        result = setup.run("google", "doctor")
    printed = result.stdout.replace(str(tmp_path / "service-account.json"), "/etc/okrsheets/service-account.json")
    assert printed == _block(f"doctor-sample-{language}")


def test_the_scopes_line_is_the_one_okrsheets_asks_for():
    assert f"```\n{SCOPES_TEXT}\n```" in DOC
    assert SCOPES_TEXT == ",".join(SCOPES)


def test_every_backend_setting_is_in_the_table():
    table = DOC[DOC.index("## The settings"):DOC.index("## Scopes, and why")]
    assert sorted(key for key in BACKEND_KEYS if f"| `{key}" not in table) == []


def test_the_token_file_defaults_to_beside_the_config(tmp_path):
    with FakeGoogle() as fake:
        fake.make_oauth_client(tmp_path / "client_secret.json")
    config = load_config(write_config(tmp_path, 'folder_id = "F"\nauth = "user"\nclient_secret_file = "client_secret.json"'))
    assert config.google.token_file == tmp_path / "okrsheets-google-token.json"
    assert "default `okrsheets-google-token.json` beside the config" in DOC


def test_each_troubleshooting_message_is_one_okrsheets_prints():
    table = DOC[DOC.index("## Troubleshooting by message"):]
    starts = re.findall(r"^\| `([^`]+)`", table, flags=re.MULTILINE)
    assert len(starts) >= 12
    templates = list(TEXT["en"].values())
    for start in starts:
        for piece in (p.strip() for p in start.split("...")):
            if piece:
                assert any(piece in template for template in templates), piece


def test_provision_and_rollup_work_on_google(tmp_path):
    with FakeGoogle() as fake:
        setup = shared_drive_setup(fake, tmp_path, language="en")
        for command in (("provision",), ("rollup", "--json")):
            result = run_cli(fake, *command, "--config", str(setup.config))
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
    assert "\"api_requests\"" in result.stdout
    assert "`okrsheets provision` and `okrsheets rollup` work" in " ".join(DOC.split())


def test_login_on_a_fixed_port_for_ssh_forwarding(tmp_path):
    import subprocess
    import sys

    import socket

    from .google_setups import REPO, environment

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeGoogle() as fake:
        setup = user_setup(fake, tmp_path)
        process = subprocess.Popen(
            [sys.executable, "-m", "okrsheets", "google", "login", "--no-browser", "--port", str(port), "--config", str(setup.config)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(fake), cwd=REPO)
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(2)]
            assert f"redirect_uri=http%3A%2F%2Flocalhost%3A{port}%2F" in lines[1]
        finally:
            process.kill()
            process.communicate()
    assert "`okrsheets google login --no-browser --port 8765`" in DOC
