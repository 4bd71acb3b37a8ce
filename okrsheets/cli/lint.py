"""``okrsheets lint``: the plan checked against the article's SMARTER advice (see :mod:`okrsheets.lint`)."""

from __future__ import annotations

import json
import sys

import click

from okrsheets.cli.options import CONFIG_HELP


@click.command("lint")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as a JSON list (severity, code, path, message, fix).")
def lint_command(config_path: str | None, as_json: bool) -> None:
    """Check the quarter's OKRs against the SMARTER advice and the arithmetic that breaks scores.

    One line per finding: severity, config key path, a stable code, why it
    matters and how to fix it; then a count. Exits 1 when there is an error,
    0 for warnings only, 2 for a config that does not load.
    """
    from okrsheets.cli.options import load_config
    from okrsheets.lint import ERROR, finding_line, summary_line
    from okrsheets.plan import build_plan
    from okrsheets.templates import TemplateLibrary

    config = load_config(config_path)
    library = TemplateLibrary.load(config.templates_dir)
    findings = plan_findings(build_plan(config, library), library)
    language = config.language
    if as_json:
        click.echo(json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            click.echo(finding_line(finding, language))
        click.echo(summary_line(findings, language))
    if any(f.severity == ERROR for f in findings):
        sys.exit(1)


def plan_findings(plan, library=None):
    """The lint findings of a plan (the template library is loaded when not given)."""
    from okrsheets.lint import lint_plan
    from okrsheets.templates import TemplateLibrary

    return lint_plan(plan, library or TemplateLibrary.load(plan.config.templates_dir))


def lint_count_line(plan) -> str:
    """What ``provision`` prints about the plan: "OKR check (okrsheets lint): 2 errors, 1 warning"."""
    from okrsheets.lint import summary_line

    head = "OKR check (okrsheets lint)" if plan.config.language == "en" else "Kiểm tra OKR (okrsheets lint)"
    return f"{head}: {summary_line(plan_findings(plan), plan.config.language)}"
