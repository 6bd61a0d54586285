"""Options shared by the stage commands, so `merge`, `feedback` and `validate` say the same
thing the same way. No import of cli.py here: cli.py imports the stage commands."""

from __future__ import annotations

import contextlib
import gettext

import click

from consolidate.i18n import N_, _

# Click names a parameter's value by its type ("FILE", "TEXT"); these read in the CLI's language
METAVARS = {"TEXT": N_("CHỮ"), "FILE": N_("TỆP"), "DIRECTORY": N_("THƯ_MỤC"), "PATH": N_("ĐƯỜNG_DẪN"),
            "INTEGER": N_("SỐ"), "INTEGER RANGE": N_("SỐ"), "FLOAT": N_("SỐ"), "DATETIME": N_("THỜI_ĐIỂM")}
OPTIONS_METAVAR = N_("[TÙY_CHỌN]")
COMMAND_METAVAR = N_("LỆNH [THAM_SỐ]...")


class Localised:
    """Help and usage in the CLI's language, chosen when they are shown (after --lang and
    LANGUAGE are known), not when the modules were imported: metavars, the option list's
    heading words (Click's own catalogue) and help texts that are msgids of ours."""

    @contextlib.contextmanager
    def _localised(self, ctx: click.Context):
        saved = [(self, "options_metavar", self.options_metavar), (self, "help", self.help)]
        if isinstance(self, click.Group):
            saved.append((self, "subcommand_metavar", self.subcommand_metavar))
            self.subcommand_metavar = _(COMMAND_METAVAR)
        self.options_metavar = _(OPTIONS_METAVAR)
        self.help = _(self.help) if self.help else self.help
        for param in self.get_params(ctx):
            saved += [(param, "help", getattr(param, "help", None)), (param, "metavar", param.metavar)]
            if param.name == "help":  # Click made it once, in the language of the first run
                param.help = gettext.gettext("Show this message and exit.")
            elif getattr(param, "help", None):
                param.help = _(param.help)
            shown = param.type.name.upper()
            if isinstance(param, click.Option) and param.metavar is None and not param.is_flag:
                if shown in METAVARS:
                    param.metavar = _(METAVARS[shown])
                elif not isinstance(param.type, click.Choice):  # our own types name themselves
                    param.metavar = _(param.type.name).upper().replace(" ", "_")
        try:
            yield
        finally:
            for obj, name, value in reversed(saved):
                setattr(obj, name, value)

    def format_help(self, ctx, formatter):
        with self._localised(ctx):
            super().format_help(ctx, formatter)

    def get_usage(self, ctx):
        with self._localised(ctx):
            return super().get_usage(ctx)

    def get_short_help_str(self, limit: int = 45) -> str:
        saved = self.help
        self.help = _(saved) if saved else saved
        try:
            return super().get_short_help_str(limit)
        finally:
            self.help = saved


class Command(Localised, click.Command):
    """Every command of the CLI (`@click.command(name, cls=Command)`)."""

definition_option = click.option(
    "--definition", "-d", "definition_path", type=click.Path(), default=None,
    help="Thư mục kế hoạch (templates/lam-dong-2026) hoặc tệp YAML; mặc định: kế hoạch mặc định.",
)
period_option = click.option("--period", "-p", default=None, help="Kỳ báo cáo, ví dụ 2026-H1.")
def _set_lang(ctx, param, value):
    from consolidate.i18n import get_language, set_language

    # an explicit --lang wins; otherwise the language already in force (top-level --lang or
    # LANGUAGE) stays, so `consolidate --lang en merge …` is English throughout
    if value is None:
        return get_language()
    return set_language(value)


lang_option = click.option(
    "--lang", type=click.Choice(["vi", "en"]), default=None, is_eager=True, expose_value=True,
    callback=_set_lang, help="Ngôn ngữ thông báo (mặc định theo LANGUAGE, không có thì tiếng Việt) / language of messages.",
)
receipts_option = click.option(
    "--receipts", type=click.Path(exists=True, dir_okay=False), default=None,
    help="Sổ tiếp nhận CSV (file,received_at), tên tệp tính từ thư mục báo cáo.",
)
class AsOf(click.ParamType):
    """`--as-of`: ISO or day-first local time, Vietnam time when no zone is given."""

    name = N_("thời điểm")

    def convert(self, value, param, ctx):
        from consolidate.vntime import parse_as_of

        if value is None or not isinstance(value, str):
            return value
        try:
            return parse_as_of(value)
        except ValueError:
            self.fail(_("'{value}' không phải thời điểm hợp lệ (ví dụ 2026-06-10T08:00 hoặc 10/06/2026 08:00)")
                      .format(value=value), param, ctx)


as_of_option = click.option(
    "--as-of", "as_of", type=AsOf(), default=None,
    help="Thời điểm chốt (ISO, ví dụ 2026-06-10T08:00; giờ Việt Nam nếu không ghi múi giờ). Mặc định: bây giờ.",
)
register_option = click.option(
    "--register", "register_path", type=click.Path(dir_okay=False), default=None,
    help="Sổ theo dõi tệp (SQLite); mặc định .consolidate/register.sqlite cạnh thư mục báo cáo.",
)
# At least 1: every file is read in a worker process, so that a reader that aborts costs
# only its file. Reading in the command's own process (the library's workers=0, for tests and
# debugging) is not offered: one bad file would end the whole merge.
workers_option = click.option(
    "--workers", type=click.IntRange(min=1), default=None,
    help="Số tiến trình đọc tệp, tối thiểu 1 (mặc định: số lõi CPU, bớt đi nếu cần để cả lần chạy "
         "dùng dưới 1 GB bộ nhớ).",
)
compare_with_option = click.option(
    "--compare-with", "compare_with", type=click.Path(exists=True, dir_okay=False), default=None,
    help="Tệp trạng thái JSON của kỳ trước (merge --json) để so sánh; mặc định: kỳ trước trong sổ theo dõi.",
)
returns_dir_argument = click.argument("returns_dir", type=click.Path(file_okay=False, path_type=str))


def cycle_options(func):
    """The options every command over a returns folder takes, in one order."""
    for option in reversed((definition_option, period_option, receipts_option, as_of_option,
                            register_option, compare_with_option, workers_option, lang_option)):
        func = option(func)
    return func


class ProgressBar:
    """A progress bar on stderr for batches that take more than a moment; silent when stderr
    is not a terminal (CI logs, pipes) and for small batches."""

    def __init__(self, label: str, minimum: int = 200):
        self.label = label
        self.minimum = minimum
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        import sys

        if self.bar is None:
            if total < self.minimum or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
