"""``okrsheets close-quarter`` and ``okrsheets next-quarter``: end a quarter and write the next one's config."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from okrsheets.cli.options import invoked_as, load_config
from okrsheets.cli.speak import Command
from okrsheets.words import count, say


@click.command("close-quarter", cls=Command)
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True)
def close_quarter_command(config_path: str | None, force: bool) -> None:
    from okrsheets.i18n import show_date
    from okrsheets.jobs.close import close_quarter
    from okrsheets.jobs.runlog import setup_stderr_logging

    config = load_config(config_path)
    setup_stderr_logging(config.tz)
    language = config.language
    done = close_quarter(config, force=force)
    for outcome in done.outcomes:
        click.echo(f"{say(language, outcome.action):<22} {outcome.department:<16} {outcome.location}")
        for problem in outcome.problems:
            click.echo(say(language, "outcome_problem", problem=problem), err=True)
    final = done.closed.final
    click.echo(say(language, "close_done", quarter=done.closed.quarter, day=show_date(done.closed.closed_on, language),
                   score=f"{round(final['score'] * 100)}%", as_of=show_date(date.fromisoformat(final["as_of"]), language)))
    click.echo(say(language, "close_record", path=done.record_path))
    click.echo(say(language, "close_summary", path=done.final_summary))
    click.echo(say(language, "close_next", command=invoked_as(), config=config.source))
    for error in done.result.errors:
        click.echo(error, err=True)
    if not all(o.ok for o in done.outcomes):
        sys.exit(1)


@click.command("next-quarter", cls=Command)
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--to", "quarter", metavar="YYYY-QN")
@click.option("--out", "out", type=click.Path(dir_okay=False))
def next_quarter_command(config_path: str | None, quarter: str | None, out: str | None) -> None:
    from okrsheets.cli.report import plan_lines
    from okrsheets.config import config_warnings
    from okrsheets.jobs.next_quarter import write_next_quarter
    from okrsheets.lint import fraction_findings
    from okrsheets.plan import build_plan

    config = load_config(config_path)
    language = config.language
    written = write_next_quarter(config, quarter, Path(out) if out else None)
    click.echo(say(language, "next_written", path=written.path, quarter=written.quarter,
                   carried=count(language, written.carried, "kr"), dropped=count(language, written.dropped, "kr")))
    for department in written.departments:
        click.echo(say(language, "next_department", key=department.key,
                       carried=", ".join(kr["id"] for kr in department.carried) or "-",
                       dropped=", ".join(department.dropped) or "-"))
    click.echo(say(language, "next_checking", path=written.path))
    plan = build_plan(load_config(str(written.path)))  # what check-config prints; a ConfigError exits 2 with every problem
    more = config_warnings(plan.config) + [f"{f.path}: {f.message}; {f.fix}" for f in fraction_findings(plan)]
    for line in plan_lines(plan, more):
        click.echo(line)
