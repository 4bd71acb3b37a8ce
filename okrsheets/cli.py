"""The command line. Only this module imports click: parse, call one library function, print."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import OkrsheetsError
from .templates import TemplateLibrary, builtin_dir, check_paths

CONFIG_HELP = "Config file (default: $OKRSHEETS_CONFIG, then ./okrsheets.toml)."


def _fail(error: OkrsheetsError) -> None:
    click.echo(f"Error: {error}", err=True)
    sys.exit(error.exit_code)


class _Group(click.Group):
    """Turns every OkrsheetsError into a clear message and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OkrsheetsError as error:
            _fail(error)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="okrsheets")
def cli() -> None:
    """Run your company's OKR cycle in Excel workbooks or Google Sheets.

    Once a quarter `provision` builds one sheet per department; every night
    `rollup` reads them all and writes the company summary.
    """


def _load(config_path: str | None):
    from .config import load_config
    from .plan import build_plan

    config = load_config(config_path)
    return build_plan(config)


@cli.command("check-config")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
def check_config(config_path: str | None) -> None:
    """Check a config and print the resolved quarter plan.

    Lists every department's objectives and key results with their slots
    filled, and a warning for each slot still unfilled. Exits 2 with the key
    path of every problem when the config is wrong.
    """
    from .report import plan_lines

    plan = _load(config_path)
    for line in plan_lines(plan):
        click.echo(line)


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config to run the demo with (default: the bundled config.example.toml).")
def demo(directory: str | None, config_path: str | None) -> None:
    """Run the main job on the example config and show the result."""
    from .report import plan_lines

    path = config_path or _example_config()
    click.echo(f"okrsheets demo with {path}", err=True)
    plan = _load(path)
    for line in plan_lines(plan):
        click.echo(line)


def _example_config() -> str:
    candidate = Path(__file__).resolve().parent.parent / "config.example.toml"
    if not candidate.exists():
        raise click.UsageError("config.example.toml not found next to the package; pass --config FILE")
    return str(candidate)


@cli.group()
def templates() -> None:
    """List, show and validate OKR template sets."""


@templates.command("list")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Also list the company's own sets from the config's templates_dir.")
def templates_list(config_path: str | None) -> None:
    """List template sets with their objective and key-result counts."""
    from .report import template_table

    library = _library(config_path)
    for line in template_table(list(library)):
        click.echo(line)


@templates.command("show")
@click.argument("key")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True, help="Language of the texts.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Also find the company's own sets from the config's templates_dir.")
def templates_show(key: str, lang: str, config_path: str | None) -> None:
    """Show a template set's objectives and key results with slots, kinds and units."""
    from .report import template_detail

    for line in template_detail(_library(config_path).get(key), lang):
        click.echo(line)


@templates.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def templates_validate(paths: tuple[str, ...]) -> None:
    """Check template files or folders against the schema (default: the built-in set).

    Each problem names the file, the objective or KR ID and the field. Exits 1
    when any problem is found.
    """
    targets = [Path(p) for p in paths] or [builtin_dir()]
    sets, problems = check_paths(targets)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo(
        f"OK: {len(sets)} template sets, {sum(len(t.objectives) for t in sets)} objectives,"
        f" {sum(len(t.key_results) for t in sets)} key results."
    )


def _library(config_path: str | None) -> TemplateLibrary:
    extra = None
    if config_path:
        from .config import load_config

        extra = load_config(config_path).templates_dir
    return TemplateLibrary.load(extra)


def main() -> None:
    cli(prog_name="okrsheets")
