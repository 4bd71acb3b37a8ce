"""The click group ``okrsheets google``: ``login`` and ``doctor`` for the Google Sheets backend.

``okrsheets.cli.main`` registers it with ``cli.add_command``. Library errors
(:class:`~okrsheets.errors.OkrsheetsError`) propagate to the ``okrsheets``
group, which prints them and exits with their ``exit_code``.
"""

from __future__ import annotations

import sys

import click

from okrsheets.cli.speak import Group


def _google_config(config_path: str | None):
    from okrsheets.cli.options import load_config
    from okrsheets.errors import ConfigError
    from okrsheets.words import say

    config = load_config(config_path)
    if config.google is None:
        raise ConfigError(
            say(config.language, "google_only", backend=config.backend), str(config.source) if config.source else None,
            language=config.language,
        )
    return config


@click.group("google", cls=Group)
def google() -> None:
    pass  # its help: okrsheets/words/help_*.py


@google.command("login")
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--no-browser", is_flag=True)
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, metavar="N")
def login_command(config_path: str | None, no_browser: bool, port: int) -> None:
    from okrsheets.backends.google.auth import connect, login
    from okrsheets.backends.google.drive import Drive
    from okrsheets.backends.google.failures import explain
    from okrsheets.backends.google.words import say

    config = _google_config(config_path)
    google_config, lang = config.google, config.language

    def identify(credentials) -> str:
        try:
            return Drive(connect(google_config, lang, credentials=credentials).client).about().get("emailAddress", "?")
        except Exception as exc:  # noqa: BLE001 - explained, never a traceback
            raise explain(exc, lang, google=google_config) from None

    email, path = login(google_config, lang, open_browser=not no_browser, port=port, identify=identify)
    click.echo(say(lang, "login_saved", email=email, path=path))


@google.command("doctor")
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
def doctor_command(config_path: str | None) -> None:
    from okrsheets.backends.google.doctor import run_doctor
    from okrsheets.backends.google.words import say

    config = _google_config(config_path)
    lang = config.language
    count = failed = 0
    for check in run_doctor(config):
        count += 1
        failed += not check.passed
        tag = say(lang, f"tag_{check.status}")
        click.echo(f"{tag:<8} {check.message}")
    if failed:
        click.echo(say(lang, "some_failed", failed=failed, count=count))
        sys.exit(1)
    click.echo(say(lang, "all_passed", count=count))
