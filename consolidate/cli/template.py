"""`consolidate templates`: the Excel templates of a period, one per unit (and a blank one),
with invitation drafts on request."""

from __future__ import annotations

import time

import click

from consolidate.cli.common import day_text, load_definition, period_name, resolve_period
from consolidate.cli.options import Command, definition_option, lang_option
from consolidate.cli.send import echo_invitations
from consolidate.i18n import _, ngettext, seconds


@click.command("templates", cls=Command)
@definition_option
@click.option("--period", "-p", help="Kỳ báo cáo, ví dụ 2026-H1.")
@click.option("--out", "-o", "out_dir", type=click.Path(file_okay=False), required=True, help="Thư mục ghi biểu mẫu.")
@click.option("--unit", "-u", "units", multiple=True, help="Chỉ tạo cho mã đơn vị này (lặp lại được).")
@click.option("--no-generic", is_flag=True, help="Không tạo biểu mẫu trống chung.")
@click.option("--eml", "eml_dir", type=click.Path(file_okay=False), default=None,
              help="Tạo thêm vào thư mục này mỗi đơn vị một thư nháp (.eml) gửi kèm biểu mẫu của đơn vị.")
@lang_option
def templates_command(definition_path, period, out_dir, units, no_generic, eml_dir, lang) -> None:
    """Tạo biểu mẫu Excel cho từng đơn vị phải báo cáo trong kỳ."""
    from consolidate.template.writer import write_templates

    d = load_definition(definition_path)
    p = resolve_period(d, period)
    unknown = [code for code in units if d.unit(code) is None]
    if unknown:
        raise click.UsageError(_("Mã đơn vị không có trong kế hoạch: {codes}").format(codes=", ".join(unknown)))
    started = time.perf_counter()
    try:
        written = write_templates(d, p, out_dir, list(units) or None, generic=not no_generic)
    except OSError as exc:
        raise click.ClickException(_("Không ghi được vào {path}: {reason}").format(path=out_dir, reason=exc)) from None
    elapsed = time.perf_counter() - started
    click.echo(ngettext(
        "Đã tạo {n} biểu mẫu {period} (hạn trước ngày {due}) trong {out} ({elapsed}).",
        "Đã tạo {n} biểu mẫu {period} (hạn trước ngày {due}) trong {out} ({elapsed}).",
        len(written),
    ).format(n=len(written), period=period_name(p), due=day_text(p.due_before), out=out_dir, elapsed=seconds(elapsed)))
    if eml_dir:
        echo_invitations(d, p, out_dir, list(units) or None, eml_dir)
