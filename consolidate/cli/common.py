"""What every command needs: the definition loaded, the period resolved, failures at exit 1."""

from __future__ import annotations

import click

from consolidate.cli.options import say
from consolidate.definition import loader as definitions
from consolidate.definition.model import Definition


class DefinitionFailed(click.ClickException):
    """Exit 1 with every problem of the definition listed."""

    def __init__(self, error: definitions.DefinitionError, lang: str = "vi"):
        head = "Định nghĩa báo cáo không dùng được:" if lang == "vi" else "The report definition cannot be used:"
        lines = [head] + [f"  - {p.message if lang == 'vi' else p.message_en}" for p in error.problems]
        super().__init__("\n".join(lines))


def load_definition(path: str | None, lang: str = "vi") -> Definition:
    try:
        return definitions.load(path or definitions.default_definition())
    except definitions.DefinitionError as error:
        raise DefinitionFailed(error, lang) from None


def resolve_period(definition: Definition, period: str | None, lang: str):
    if period is None:
        if len(definition.periods) == 1:
            return definition.periods[0]
        known = ", ".join(p.id for p in definition.periods)
        raise click.UsageError(say(lang, f"Cần chọn --period (có: {known})", f"--period is required (one of: {known})"))
    try:
        return definition.period(period)
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0])) from None
