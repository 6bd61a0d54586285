"""`consolidate review`: thin click layer over consolidate.merge.review.record_decision.

Exit codes: 0 recorded, 1 the decision cannot be made (nothing to accept, register busy),
2 usage error (unknown unit, no or two decisions).
"""

from __future__ import annotations

import datetime as dt

import click

from consolidate.cli.options import (
    Command,
    as_of_option,
    definition_option,
    lang_option,
    period_option,
    receipts_option,
    register_option,
    returns_dir_argument,
    workers_option,
)
from consolidate.i18n import N_, _


class Day(click.ParamType):
    """A date, day first (05/06/2026) or ISO (2026-06-05)."""

    name = N_("ngày")

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.fail(_("'{value}' không phải ngày hợp lệ (ví dụ 10/06/2026)").format(value=value), param, ctx)


@click.command("review", cls=Command)
@returns_dir_argument
@definition_option
@period_option
@click.option("--unit", "-u", "unit_code", required=True, help="Mã đơn vị được quyết định.")
@click.option("--accept", "actions", flag_value="accept", multiple=True,
              help="Chấp nhận bản nộp hiện tại dù có lỗi (tính đúng hạn hay muộn theo thời điểm nhận).")
@click.option("--reject", "actions", flag_value="reject", multiple=True,
              help="Không chấp nhận bản nộp hiện tại dù không có lỗi (ghi chú là lý do).")
@click.option("--exempt", "actions", flag_value="exempt", multiple=True, help="Miễn báo cáo kỳ này.")
@click.option("--extend-to", "extend_to", type=Day(), default=None,
              help="Gia hạn riêng cho đơn vị đến hết ngày này (ví dụ 10/06/2026).")
@click.option("--clear", "actions", flag_value="clear", multiple=True, help="Bỏ quyết định trước đó của đơn vị.")
@click.option("--note", required=True, help="Ghi chú (lý do) của quyết định.")
@register_option
@receipts_option
@as_of_option
@workers_option
@lang_option
def review_command(returns_dir, definition_path, period, unit_code, actions, extend_to, note, register_path,
                   receipts, as_of, workers, lang):
    """Ghi quyết định của chuyên viên về một đơn vị (chấp nhận, không chấp nhận, miễn, gia hạn)."""
    from consolidate.cli.common import load_definition, resolve_period
    from consolidate.merge.review import record_decision
    from consolidate.vntime import date_text

    chosen = list(dict.fromkeys(actions)) + (["extend"] if extend_to is not None else [])
    if len(chosen) != 1:
        raise click.UsageError(_("Cần đúng một quyết định: --accept, --reject, --exempt, --extend-to NGÀY hoặc --clear"))
    d = load_definition(definition_path, lang)
    p = resolve_period(d, period, lang)
    result = record_decision(d, p, returns_dir, unit_code, chosen[0], note, extend_to=extend_to,
                             register_path=register_path, receipts=receipts, as_of=as_of, workers=workers)
    ruling = result.ruling
    unit = d.unit(ruling.unit_code)
    lines = [_("Đã ghi quyết định “{label}” cho {name} ({code}), kỳ {period}.").format(
        label=ruling.label, name=unit.name, code=unit.code, period=p.label)]
    if result.file:
        lines.append(_("Áp dụng cho bản nộp {file}; nếu đơn vị gửi bản mới, bản mới sẽ được xét lại.").format(
            file=result.file))
    if ruling.extend_to:
        lines.append(_("Hạn riêng của đơn vị: đến hết ngày {day}.").format(day=date_text(ruling.extend_to)))
    lines.append(_("Sổ theo dõi: {path}. Chạy lại 'consolidate merge' để cập nhật bảng tổng hợp.").format(
        path=result.register_path))
    click.echo("\n".join(lines))
