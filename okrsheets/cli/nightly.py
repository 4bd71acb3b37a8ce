"""The commands ``okrsheets schedule`` and ``okrsheets status``; :mod:`okrsheets.cli.main` adds them to its group.

Library errors (:class:`~okrsheets.errors.OkrsheetsError`) propagate to the
``okrsheets`` group, which prints them and exits with their ``exit_code``.
"""

from __future__ import annotations

import json
import sys

import click

from okrsheets.cli.progress import Progress, pace_per_minute
from okrsheets.cli.speak import Command


@click.command("schedule", cls=Command)
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--now", "run_now", is_flag=True)
def schedule_command(config_path: str | None, run_now: bool) -> None:
    from okrsheets.cli.options import load_config
    from okrsheets.jobs.nightly import run_nightly
    from okrsheets.jobs.runlog import setup_stderr_logging
    from okrsheets.jobs.scheduler import run_schedule

    config = load_config(config_path)
    setup_stderr_logging(config.tz)
    def nightly(fresh, trigger):  # no terminal to watch: one log line per 10% of the departments read
        return run_nightly(fresh, trigger=trigger, progress=Progress(fresh.language, "progress_read", pace_per_minute(fresh), terminal=False))

    sys.exit(run_schedule(config, nightly, run_now=run_now))


@click.command("status", cls=Command)
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
def status_command(config_path: str | None, as_json: bool) -> None:
    from okrsheets.cli.options import load_config
    from okrsheets.jobs.nightly import nightly_status

    status = nightly_status(load_config(config_path))
    if as_json:
        click.echo(json.dumps(status.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in status.lines():
            click.echo(line)
    sys.exit(status.exit_code)

