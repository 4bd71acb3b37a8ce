"""The command ``okrsheets init``: write a starter okrsheets.toml."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from okrsheets.cli.options import invoked_as, run_language
from okrsheets.cli.speak import Command
from okrsheets.words import say


@click.command("init", cls=Command)
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
@click.option("--example", is_flag=True)
def init_command(directory: str, example: bool) -> None:
    from okrsheets.core.model import LANGUAGES
    from okrsheets.core.scoring import today_in
    from okrsheets.starter import example_config_text, starter_config_text, write_starter
    from okrsheets.templates import TemplateLibrary

    speak = run_language()  # no config yet: $OKRSHEETS_LANG, the system locale, else English
    if example or not (sys.stdin.isatty() and sys.stdout.isatty()):
        text = example_config_text()
    else:
        library = TemplateLibrary.load()
        company = click.prompt(say(speak, "init_company"))
        language = click.prompt(say(speak, "init_language"), type=click.Choice(LANGUAGES), default="vi")
        click.echo(say(speak, "init_template_sets", keys=", ".join(library.keys())))
        keys = click.prompt(
            say(speak, "init_departments"),
            default="marketing, sales, hr",
            value_proc=lambda answer: _template_keys(answer, library.keys(), speak),
        )
        text = starter_config_text(company, language, keys, library, today_in("Asia/Ho_Chi_Minh"))
    path = write_starter(Path(directory), text, speak)
    click.echo(say(speak, "init_wrote", path=path))
    click.echo(f"  {invoked_as()} check-config --config {path}")
    click.echo(f"  {invoked_as()} provision --config {path}")


def _template_keys(answer: str, known: list[str], language: str) -> list[str]:
    keys = [key.strip() for key in answer.split(",") if key.strip()]
    unknown = [key for key in keys if key not in known]
    if unknown or not keys:
        given = ", ".join(unknown) or say(language, "init_none_given")
        raise click.BadParameter(say(language, "init_unknown_template", keys=given, known=", ".join(known)))
    return list(dict.fromkeys(keys))
