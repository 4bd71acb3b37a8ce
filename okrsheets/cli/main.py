"""The command line. Only this module imports click: parse, call one library function, print.

Every command's help is in okrsheets/words/help_vi.py and help_en.py, by command path (okrsheets/cli/speak.py).
"""

from __future__ import annotations

import json
import sys
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

import click

from okrsheets import __version__
from okrsheets.cli.google import google as google_group
from okrsheets.cli.init import init_command
from okrsheets.cli.lint import lint_command
from okrsheets.cli.nightly import schedule_command, status_command
from okrsheets.cli.options import LANGUAGE_KEY, UsageError, invoked_as, load_config, run_language
from okrsheets.cli.progress import Progress, pace_per_minute
from okrsheets.cli.quarter import close_quarter_command, next_quarter_command
from okrsheets.cli.speak import Group, speaking, teach_click
from okrsheets.errors import NothingReadError, OkrsheetsError
from okrsheets.words import count, say

if TYPE_CHECKING:
    from okrsheets.templates import TemplateLibrary


def _fail(error: OkrsheetsError) -> None:
    """Print the error in the run's language: the config's (also when it was read but is wrong), else the fallback."""
    language = getattr(error, "language", None) or run_language()
    click.echo(say(language, "error", message=error), err=True)
    sys.exit(error.exit_code)


class _Group(Group):
    """Turns every OkrsheetsError into a clear message and its exit code; speaks the command line's language."""

    is_root = True

    def main(self, args=None, *more, **extra):
        with speaking(sys.argv[1:] if args is None else list(args)):
            return super().main(args, *more, **extra)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OkrsheetsError as error:
            _fail(error)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="okrsheets", message="%(prog)s %(version)s")
def cli() -> None:
    pass  # its help: okrsheets/words/help_*.py


def _load(config_path: str | None):
    from okrsheets.plan import build_plan

    config = load_config(config_path)
    return build_plan(config)


@cli.command("check-config")
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
def check_config(config_path: str | None) -> None:
    from okrsheets.cli.report import plan_lines
    from okrsheets.config import config_warnings
    from okrsheets.lint import fraction_findings

    plan = _load(config_path)
    more = config_warnings(plan.config) + [f"{f.path}: {f.message}; {f.fix}" for f in fraction_findings(plan)]
    for line in plan_lines(plan, more):
        click.echo(line)


@cli.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True)
@click.option("--department", "departments", multiple=True, metavar="KEY")
@click.option("--force", is_flag=True)
@click.option("--create", is_flag=True)
def provision(config_path: str | None, dry_run: bool, departments: tuple[str, ...], force: bool, create: bool) -> None:
    from okrsheets.jobs.provision_quick import RunInputs

    inputs = None if dry_run else RunInputs.read(config_path)  # before the config is parsed: an edit during the run is seen next time
    unchanged = inputs.unchanged() if inputs is not None and not (departments or force) else None
    if unchanged is not None:  # nothing changed since the last run: its outcomes, without parsing the config
        click.get_current_context().meta[LANGUAGE_KEY] = unchanged.language
        _print_outcomes(unchanged.outcomes, False, unchanged.language)
        click.echo(unchanged.lint_line)
        return

    from okrsheets.backends import open_backend
    from okrsheets.cli.lint import lint_count_line
    from okrsheets.errors import BackendError
    from okrsheets.files import describe_os_error
    from okrsheets.jobs.provision import prepare_folder
    from okrsheets.jobs.provision import provision as run
    from okrsheets.plan import build_plan

    config = load_config(config_path)
    if inputs is not None:
        inputs.see_config(config)  # the templates and the password, before the plan is built from them
    plan = build_plan(config)
    lint_line = lint_count_line(plan)
    if inputs is not None:
        inputs.lint_line = lint_line
    backend = open_backend(plan.config)
    try:
        prepare_folder(plan.config, create=create, dry_run=dry_run)
        total = len(set(departments)) if departments else len(plan.departments)
        with Progress(plan.config.language, "progress_provision", pace_per_minute(plan.config, ("read", "write")),
                      to_log=False) as progress:
            started: list[int] = []

            def one_more(_department) -> None:
                progress(len(started), total)
                started.append(1)

            outcomes = run(plan, backend, departments or None, dry_run=dry_run, force=force, progress=one_more, inputs=inputs)
            progress(total, total)
    except OSError as exc:  # a file-system surprise while writing: one line, never a traceback
        raise BackendError(describe_os_error(exc, exc.filename, plan.config.language)) from None
    _print_outcomes(outcomes, dry_run, plan.config.language)
    click.echo(lint_line)
    if not all(o.ok for o in outcomes):
        sys.exit(1)


def _print_outcomes(outcomes, dry_run: bool, language: str) -> None:
    def action(name: str) -> str:
        return say(language, f"would_{name}" if dry_run else name)

    lines: list[tuple[str, bool]] = []  # (line, on stderr), printed a run of lines at a time: 1,000 echoes cost 10 ms
    for outcome in outcomes:
        lines.append((f"{action(outcome.action):<22} {outcome.department:<16} {outcome.location}", False))
        lines.extend((f"    {change}", False) for change in outcome.changes)
        lines.extend((say(language, "outcome_problem", problem=problem), not outcome.ok) for problem in outcome.problems)
        if outcome.backup:
            lines.append((say(language, "backup_kept", path=outcome.backup), False))
        if outcome.action == "damaged":
            lines.append((say(language, "fix_damaged"), True))
    for err, run in groupby(lines, key=lambda line: line[1]):
        click.echo("\n".join(text for text, _ in run), err=err)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.action] = counts.get(outcome.action, 0) + 1
    summary = ", ".join(f"{n} {say(language, f'to_{a}') if dry_run else action(a)}" for a, n in counts.items())
    click.echo(say(language, "provision_total", departments=count(language, len(outcomes), "department"), summary=summary)
               + (say(language, "dry_run_nothing_written") if dry_run else ""))


@cli.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--wait", is_flag=True)
@click.option("--dry-run", is_flag=True)
@click.option("--force", is_flag=True)
@click.option("--full", is_flag=True)
def rollup(config_path: str | None, as_json: bool, as_of, wait: bool, dry_run: bool, force: bool, full: bool) -> None:
    from okrsheets.cli.report import score_table
    from okrsheets.jobs.nightly import unread_message
    from okrsheets.jobs.rollup import as_of_outside_quarter

    config = load_config(config_path)
    day = as_of.date() if as_of else None
    outside = as_of_outside_quarter(config, day) if day else None
    if outside and not (force or dry_run):
        raise UsageError(outside)
    if dry_run:
        _dry_run(config, day, as_json, full)
        return
    try:
        result = _run_rollup(config, day, wait, full)
    except NothingReadError as error:  # --json still shows the data issues that say why (exit 1 all the same)
        if as_json and error.result is not None:
            click.echo(json.dumps(error.result.to_json(), ensure_ascii=False, indent=2))
        raise
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in score_table(result):
            click.echo(line)
    for message in result.errors:  # e.g. the summary was open, so tonight's went beside it
        click.echo(message, err=True)
    unread = unread_message(result)
    if unread:
        click.echo(unread, err=True)
        sys.exit(1)


def _dry_run(config, as_of, as_json: bool, full: bool = False) -> None:
    """Score and print what a rollup would write; nothing is written, no lock, log or run record."""
    from okrsheets.cli.report import preview_lines, score_table
    from okrsheets.jobs.nightly import unread_message
    from okrsheets.jobs.rollup import preview_rollup
    from okrsheets.jobs.runlog import setup_stderr_logging

    setup_stderr_logging(config.tz)
    try:
        preview = preview_rollup(config, as_of, full=full)
    except NothingReadError as error:  # --json still shows the data issues that say why
        if as_json and error.result is not None:
            click.echo(json.dumps(error.result.to_json(), ensure_ascii=False, indent=2))
        raise
    if as_json:
        click.echo(json.dumps({**preview.result.to_json(), "dry_run": preview.to_json()}, ensure_ascii=False, indent=2))
    else:
        for line in score_table(preview.result) + preview_lines(preview):
            click.echo(line)
    unread = unread_message(preview.result)
    if unread:
        click.echo(unread, err=True)
        sys.exit(1)


def _run_rollup(config, as_of, wait: bool, full: bool = False):
    from okrsheets.jobs.nightly import run_nightly
    from okrsheets.jobs.runlog import setup_stderr_logging

    setup_stderr_logging(config.tz)
    with Progress(config.language, "progress_read", pace_per_minute(config)) as progress:
        return run_nightly(config, as_of=as_of, wait=wait, progress=progress, full=full)


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False), default="okr-demo")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--lang", "language", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--google", "on_google", is_flag=True)
def demo(directory: str, as_of, language: str, on_google: bool) -> None:
    from okrsheets.cli.report import score_table
    from okrsheets.core.scoring import today_in
    from okrsheets.jobs import demo as sample

    today = as_of.date() if as_of else today_in("Asia/Ho_Chi_Minh")
    click.get_current_context().meta[LANGUAGE_KEY] = language
    if on_google:
        _google_demo(sample, Path(directory), today, language)
        return
    click.echo(say(language, "demo_provisioning", folder=directory), err=True)
    run = sample.prepare(Path(directory), today, language)
    workbooks = count(language, run.provisioned, "department_workbook")
    click.echo(say(language, "demo_provisioned", workbooks=workbooks, folder=run.config.quarter_folder), err=True)
    click.echo(say(language, "demo_simulated"), err=True)
    result = _run_rollup(run.config, today, wait=True)
    for line in score_table(result):
        click.echo(line)
    click.echo(say(language, "demo_issues", issues=count(language, len(result.issues), "data_issue")))
    click.echo(f"  {invoked_as()} rollup --config {run.folder / 'okrsheets.toml'} --json")


def _google_demo(sample, directory: Path, today, language: str) -> None:
    from okrsheets.cli.report import score_table
    from okrsheets.jobs.runlog import setup_stderr_logging

    setup_stderr_logging(None)
    run = sample.run_google(directory, today, language)
    for line in score_table(run.result):
        click.echo(line)
    for phase in sample.PHASES:
        counts = run.requests.get(phase, {})
        click.echo(say(language, "demo_google_phase", phase=phase, total=sum(counts.values()),
                       kinds=", ".join(f"{kind} {n}" for kind, n in counts.items())))
    click.echo(say(language, "demo_google_summary", url=run.result.summary_path))


cli.add_command(google_group)


@cli.group()
def templates() -> None:
    pass  # its help: okrsheets/words/help_*.py


@templates.command("list")
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
@click.option("--lang", type=click.Choice(["vi", "en"]))
def templates_list(config_path: str | None, lang: str | None) -> None:
    from okrsheets.cli.report import template_table

    library, language = _library(config_path, lang)
    for line in template_table(list(library), language):
        click.echo(line)


@templates.command("show")
@click.argument("key")
@click.option("--lang", type=click.Choice(["vi", "en"]))
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
def templates_show(key: str, lang: str | None, config_path: str | None) -> None:
    from okrsheets.cli.report import template_detail

    library, language = _library(config_path, lang)
    for line in template_detail(library.get(key), language):
        click.echo(line)


@templates.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def templates_validate(paths: tuple[str, ...]) -> None:
    from okrsheets.templates import builtin_dir, check_paths

    language = run_language()
    targets = [Path(p) for p in paths] or [builtin_dir()]
    sets, problems = check_paths(targets, language)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(say(language, "validate_problems", problems=count(language, len(problems), "problem")), err=True)
        sys.exit(1)
    click.echo(say(
        language, "validate_ok", sets=count(language, len(sets), "template_set"),
        objectives=count(language, sum(len(t.objectives) for t in sets), "objective"),
        key_results=count(language, sum(len(t.key_results) for t in sets), "key_result"),
    ))


def _library(config_path: str | None, lang: str | None = None) -> tuple[TemplateLibrary, str]:
    """The template library (with the config's own sets) and the language to show it in."""
    from okrsheets.templates import TemplateLibrary

    extra = None
    if config_path:
        extra = load_config(config_path).templates_dir
    language = lang or run_language()
    return TemplateLibrary.load(extra, language), language


cli.add_command(init_command)
cli.add_command(lint_command)
cli.add_command(schedule_command)
cli.add_command(status_command)
cli.add_command(close_quarter_command)
cli.add_command(next_quarter_command)


teach_click()  # click's own words (Usage:, Options, its errors) follow the run's language too


def main() -> None:
    cli(prog_name="okrsheets")
