"""The click group ``okrsheets google``: ``login`` and ``doctor`` for the Google Sheets backend.

``okrsheets.cli.main`` registers it with ``cli.add_command``. Library errors
(:class:`~okrsheets.errors.OkrsheetsError`) propagate to the ``okrsheets``
group, which prints them and exits with their ``exit_code``.
"""

from __future__ import annotations

import sys

import click

from okrsheets.cli.options import CONFIG_HELP


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


@click.group("google")
def google() -> None:
    """Set up and check the Google Sheets backend (see docs/google.md).

    Requests go to Google, or to $OKRSHEETS_GOOGLE_API_URL when it is set
    (the offline fake; a warning says so on stderr).
    """


@google.command("login")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--no-browser", is_flag=True, help="Only print the address to open (for a computer without a browser).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port of the local server Google redirects to on localhost (0: any free port).")
def login_command(config_path: str | None, no_browser: bool, port: int) -> None:
    """Sign in with a person's Google account once (auth = "user").

    Prints an address (and opens it in the browser unless --no-browser);
    sign in there with the Google account the job should act as and allow
    access. The refresh token is saved in backend.token_file, readable by you
    only (mode 0600); the nightly job uses it from then on. Run it again when
    Google revokes the login.
    """
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
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def doctor_command(config_path: str | None) -> None:
    """Check the Google set-up, one line per check, each failure with what to do.

    Checks the credentials, prints the address the job runs as (share the
    folder with it as Editor), checks the folder (found, a folder, new files
    can be created: a test spreadsheet is created and removed), the summary
    spreadsheet, and each department's spreadsheet for the quarter (one not
    provisioned yet is noted, not a failure). Exits 0 when every check
    passes, 1 otherwise.
    """
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
