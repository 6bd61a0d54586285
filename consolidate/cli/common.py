"""What every command needs: the definition loaded, the period resolved, plan names shown."""

from __future__ import annotations

import datetime as dt

import click

from consolidate import vntime
from consolidate.definition import loader as definitions
from consolidate.definition.model import Definition, Period
from consolidate.i18n import _, get_language


def load_definition(path: str | None, lang: str | None = None) -> Definition:
    """The plan; a DefinitionError (exit 1, every problem listed) reaches the CLI's edge."""
    return definitions.load(path or definitions.default_definition())


def resolve_period(definition: Definition, period: str | None, lang: str | None = None) -> Period:
    if period is None:
        if len(definition.periods) == 1:
            return definition.periods[0]
        known = ", ".join(p.id for p in definition.periods)
        raise click.UsageError(_("Cần chọn --period (có: {known})").format(known=known))
    try:
        return definition.period(period)
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0])) from None


def period_name(period: Period) -> str:
    """The plan's own label in Vietnamese; its id in English (the label is the plan's words)."""
    return period.id if get_language() == "en" else period.label


def plan_head(definition: Definition, period: Period) -> str:
    """How a summary line names the plan and period."""
    if get_language() == "en":
        return f"{definition.id} {period.id}"
    return f"{definition.short_title or definition.title} - {period.label}"


def day_text(day: dt.date) -> str:
    return day.isoformat() if get_language() == "en" else vntime.date_text(day)
