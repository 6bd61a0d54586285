"""Options shared by the stage commands, so `merge`, `feedback` and `validate` say the same
thing the same way. No import of cli.py here: cli.py imports the stage commands."""

from __future__ import annotations

import click

from consolidate.i18n import _

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

    name = "thời điểm"

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
workers_option = click.option(
    "--workers", type=click.IntRange(min=0), default=None,
    help="Số tiến trình đọc tệp (mặc định: số lõi CPU).",
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
