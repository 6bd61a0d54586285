"""Command line: the group and its one error edge; each command group lives in a module of
its own (cli/definition.py, template.py, validate.py, merge.py, …) and is added here."""

from __future__ import annotations

import click

from consolidate.cli.common import load_definition, resolve_period
from consolidate.cli.definition import check_command, definitions_command
from consolidate.cli.feedback import feedback_command
from consolidate.cli.intake import intake_command
from consolidate.cli.merge import merge_command
from consolidate.cli.options import Command, Localised, lang_option
from consolidate.cli.report import report_command
from consolidate.cli.review import review_command
from consolidate.cli.send import send_command
from consolidate.cli.template import templates_command
from consolidate.cli.validate import validate_command
from consolidate.i18n import N_, from_environment, session
from consolidate.problems import ConsolidateError


class ConsolidateGroup(Localised, click.Group):
    """The one edge where library errors become click errors: a ConsolidateError exits 1
    with its message (2 when it is a usage error); nothing else is caught here."""

    def main(self, *args, **kwargs):
        # each invocation starts from the user's choice (LANGUAGE) and leaves no trace
        with session(from_environment()):
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConsolidateError as exc:
            if exc.usage:
                raise click.UsageError(str(exc), ctx) from None
            raise click.ClickException(str(exc)) from None


ConsolidateGroup.command_class = Command


@click.group(cls=ConsolidateGroup)
@click.version_option(package_name="consolidate", help=N_("Hiện phiên bản rồi thoát."))
@lang_option
def cli(lang: str) -> None:
    """consolidate: biểu mẫu, kiểm tra, tổng hợp báo cáo định kỳ theo kế hoạch."""


for _command in (definitions_command, check_command, templates_command, validate_command, merge_command,
                 feedback_command, report_command, intake_command, review_command, send_command):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="consolidate")


__all__ = ["cli", "main", "load_definition", "resolve_period"]
