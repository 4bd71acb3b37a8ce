"""``okrsheets close-quarter`` and ``okrsheets next-quarter``: end a quarter and write the next one's config."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from okrsheets.cli.options import CONFIG_HELP, invoked_as, load_config
from okrsheets.words import count, say


@click.command("close-quarter")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--force", is_flag=True, help="Close a quarter already closed again, with a new final rollup.")
def close_quarter_command(config_path: str | None, force: bool) -> None:
    """Freeze the quarter's final scores and make the team workbooks read-only.

    Runs a final rollup (as of the quarter's last day, or today when closing
    early), keeps its scores as the final record (.okrsheets-closed.json in the
    quarter folder; on Excel also company-summary-final.xlsx), then rebuilds
    every team workbook with every cell locked and a "quarter closed" banner,
    keeping every value typed. `rollup` still works afterwards; `provision`
    refuses the closed quarter unless --force. Exit 1 when a workbook could
    not be closed (open or damaged).
    """
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


@click.command("next-quarter")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--to", "quarter", metavar="YYYY-QN", help="The new quarter (default: the one after the closed quarter, e.g. 2026-Q4 -> 2027-Q1).")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Where to write the new config (default: okrsheets-<quarter>.toml beside the config); never overwritten.")
def next_quarter_command(config_path: str | None, quarter: str | None, out: str | None) -> None:
    """Write next quarter's config from the closed quarter, then check it.

    Same departments and settings, comments and layout kept; each KR that was
    not finished at close is carried over with start = its final value, the
    same target and carried_from = the closed quarter; finished KRs are
    dropped. Then runs check-config on the new file (exit 2 if it is wrong).
    """
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
