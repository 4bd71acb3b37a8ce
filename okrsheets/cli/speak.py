"""``--help`` and click's own words (Usage:, Options, "No such option") in the language of the run.

The language: the loaded config's once a command has read it; before that
(``--help`` and usage errors come before any config is read) the language of
the config named by ``--config`` on the same command line when that file can
be read, else :func:`~okrsheets.words.fallback_language` ($OKRSHEETS_LANG,
the system locale, English). Only the file's head is parsed (`toml_head`: its
top-level keys, not its departments): help stays fast and imports no reader,
writer or Google client.

The texts live in ``okrsheets/words/help_vi.py`` and ``help_en.py``, by
command path. :class:`Command` and :class:`Group` fill a command's help, its
options' help and the usage line's placeholders in right before click formats
them, so each ``--help`` speaks the language of its own run.

click's own sentences are marked for gettext (``from gettext import gettext as
_`` in each click module) with the process-wide "messages" domain, whose
language only the environment (LANGUAGE, LC_ALL, LANG) chooses and whose
catalogues are compiled ``.mo`` files on disk. okrsheets chooses the language
per run (config, $OKRSHEETS_LANG), so :func:`teach_click` points those
modules' ``_`` and ``ngettext`` at the run's table instead: one Python table
per language, no ``.mo`` file, no environment variable changed for child
processes. It replaces only names bound to gettext's own functions; a click
release that moves them leaves its words in English, which
``tests/test_help_language.py`` catches.
"""

from __future__ import annotations

import gettext
import importlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import click

from okrsheets.cli.options import LANGUAGE_KEY
from okrsheets.toml_head import toml_head
from okrsheets.words import fallback_language
from okrsheets.words.help import click_plural, click_text, command_help, metavar, option_help

# The click modules that bind gettext's functions to ``_`` and ``ngettext`` and print what they say.
CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
                 "click.termui", "click.types")

_BEFORE_CONFIG: ContextVar[str | None] = ContextVar("okrsheets_command_line_language", default=None)


def spoken() -> str:
    """The language of this run's help and of click's words (see the module's text)."""
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get(LANGUAGE_KEY):
        return context.meta[LANGUAGE_KEY]
    return _BEFORE_CONFIG.get() or fallback_language()


def command_line_language(args: Sequence[str]) -> str:
    """The language of a command line before its config is read: its --config file's, else the fallback."""
    named = None
    for at, arg in enumerate(args):
        if arg == "--config" and at + 1 < len(args):
            named = args[at + 1]
        elif arg.startswith("--config="):
            named = arg.partition("=")[2]
    if named:
        try:
            head = toml_head(Path(named).read_text(encoding="utf-8"))  # its top-level keys: not its departments
        except (OSError, UnicodeDecodeError):
            head = None
        language = head.get("language", "vi") if head is not None else None
        if language in ("vi", "en"):
            return language
    return fallback_language()


@contextmanager
def speaking(args: Sequence[str]) -> Iterator[None]:
    """Within: help and click's words speak ``args``' language until a config is loaded."""
    token = _BEFORE_CONFIG.set(command_line_language(args))
    try:
        yield
    finally:
        _BEFORE_CONFIG.reset(token)


def _gettext(message: str) -> str:
    return click_text(spoken(), message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return click_plural(spoken(), singular, plural, n)


def teach_click() -> None:
    """Point click's ``_`` and ``ngettext`` at the run's words (see the module's text). Safe to call again."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "_", None) is gettext.gettext:
            setattr(module, "_", _gettext)
        if getattr(module, "ngettext", None) is gettext.ngettext:
            setattr(module, "ngettext", _ngettext)


def long_name(option: click.Option) -> str:
    """The option's --name: the key of its help ("--help" for -h/--help)."""
    return next((o for o in option.opts if o.startswith("--")), option.opts[0])


class Command(click.Command):
    """A command whose help speaks the run's language (texts in okrsheets/words/help_*.py)."""

    parent: Group | None = None  # the group it was added to (set by Group.add_command)
    is_root = False  # okrsheets itself (cli/main.py's group)

    @property
    def path(self) -> str:
        """The command's key in the help tables: "" for okrsheets itself, "rollup", "templates list".

        A command not added to okrsheets (yet) is keyed by its own name, so its help is the same whether or not
        cli/main.py was imported (a test, or a tool, may run ``status_command`` on its own).
        """
        if self.parent is None:
            return "" if self.is_root else self.name or ""
        return f"{self.parent.path} {self.name}".strip()

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.options_metavar = metavar(spoken(), "options")
        super().format_usage(ctx, formatter)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        language = spoken()
        self.help = command_help(language, self.path)
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                param.help = option_help(language, self.path, long_name(param))
        if isinstance(self, click.Group):
            for command in self.commands.values():
                if isinstance(command, Command):
                    command.help = command_help(language, command.path)
        super().format_help(ctx, formatter)


class Group(Command, click.Group):
    """A group whose help, and its commands' help, speak the run's language."""

    command_class = Command
    group_class = type  # a group made with @group.group() is a Group too

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.subcommand_metavar = metavar(spoken(), "command")
        super().format_usage(ctx, formatter)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        super().add_command(cmd, name)
        if isinstance(cmd, Command):
            cmd.parent = self
