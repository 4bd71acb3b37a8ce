"""The commands ``okrsheets schedule`` and ``okrsheets status``; :mod:`okrsheets.cli.main` adds them to its group.

Library errors (:class:`~okrsheets.errors.OkrsheetsError`) propagate to the
``okrsheets`` group, which prints them and exits with their ``exit_code``.
"""

from __future__ import annotations

import json
import sys

import click

from okrsheets.cli.options import CONFIG_HELP
from okrsheets.cli.progress import Progress, pace_per_minute


@click.command("schedule")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--now", "run_now", is_flag=True, help="Also run the rollup once right away, then keep the schedule.")
def schedule_command(config_path: str | None, run_now: bool) -> None:
    """Run the nightly rollup every day at [schedule] run_at, in the foreground.

    A long-running alternative to a systemd timer or cron (see docs/nightly.md):
    every day at run_at, in the config's timezone (Asia/Ho_Chi_Minh unless
    set) whatever the machine's timezone is, it re-reads the config, runs the
    rollup, writes the run report and sends the e-mail digest when enabled.

    It also runs once at start with --now, or when the last successful rollup
    is more than a day old (the machine was off). A failed run is logged and
    the schedule goes on; a run that finds another rollup running is skipped.

    SIGTERM or Ctrl+C stops it: at once between runs, after the current run
    during one (a second signal stops at once). Exits 0. The log goes to
    stderr and to okrsheets.log in the quarter folder.
    """
    from okrsheets.cli.options import load_config
    from okrsheets.jobs.nightly import run_nightly
    from okrsheets.jobs.runlog import setup_stderr_logging
    from okrsheets.jobs.scheduler import run_schedule

    config = load_config(config_path)
    setup_stderr_logging(config.tz)
    def nightly(fresh, trigger):  # no terminal to watch: one log line per 10% of the departments read
        return run_nightly(fresh, trigger=trigger, progress=Progress(fresh.language, "progress_read", pace_per_minute(fresh), terminal=False))

    sys.exit(run_schedule(config, nightly, run_now=run_now))


@click.command("status")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the last-run record and the next run as JSON.")
def status_command(config_path: str | None, as_json: bool) -> None:
    """Show the last nightly run's report and when the next run is due.

    The report comes from last-run.json in the quarter folder: start and end
    times, success or the reason of the failure, departments read, KRs
    scored, data issues, errors, API requests and the summary path. The next
    run is the next [schedule] run_at in the config's timezone.

    Exit codes: 0 the last run succeeded, 1 it failed or could not read some
    departments, 3 there has been no run yet (2 for a config problem, as
    everywhere).
    """
    from okrsheets.cli.options import load_config
    from okrsheets.jobs.nightly import nightly_status

    status = nightly_status(load_config(config_path))
    if as_json:
        click.echo(json.dumps(status.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in status.lines():
            click.echo(line)
    sys.exit(status.exit_code)

