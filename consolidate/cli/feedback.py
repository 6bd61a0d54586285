"""`consolidate feedback`: thin click layer over consolidate.feedback.run_feedback.

Exit codes: 0 done, 1 the command could not do its job (definition unreadable, output not
writable, register busy), 2 usage error.
"""

from __future__ import annotations

import time

import click

from consolidate.cli.common import load_definition, plan_head, resolve_period
from consolidate.cli.options import Command, ProgressBar, cycle_options, returns_dir_argument
from consolidate.i18n import N_, _, ngettext, seconds

MAX_LISTED = 20  # units without an email address named one by one
KIND_LABELS = {"overdue": N_("quá hạn"), "not_yet_due": N_("chưa đến hạn"), "invalid": N_("có lỗi"),
               "late": N_("muộn"), "unreadable": N_("tệp không đọc được")}


@click.command("feedback", cls=Command)
@returns_dir_argument
@click.option("--out", "-o", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Thư mục ghi tệp đánh dấu lỗi, biểu mẫu, danh sách nhắc nhở (ngoài thư mục báo cáo).")
@click.option("--eml", is_flag=True, help="Tạo thêm thư nháp .eml cho từng đơn vị trong danh sách nhắc nhở.")
@click.option("--resend-days", type=click.IntRange(min=1, max=60), default=3, show_default=True,
              help="Số ngày cho đơn vị sửa và gửi lại (không sớm hơn hạn của kỳ).")
@cycle_options
def feedback_command(returns_dir, definition_path, period, out_dir, receipts, as_of, register_path, eml,
                     resend_days, workers, lang, compare_with):
    """Phản hồi cho đơn vị: tệp đánh dấu lỗi, danh sách nhắc nhở, thư nháp."""
    from consolidate.feedback.run import run_feedback

    d = load_definition(definition_path)
    p = resolve_period(d, period)
    started = time.perf_counter()
    bar = ProgressBar(_("Đang đọc các tệp"))
    try:
        result = run_feedback(d, p, returns_dir, out_dir, receipts=receipts, as_of=as_of,
                              register_path=register_path, eml=eml, workers=workers, resend_days=resend_days,
                              progress=bar, compare_with=compare_with)
    except KeyboardInterrupt:
        raise click.ClickException(_("Đã dừng")) from None
    finally:
        bar.close()
    elapsed = time.perf_counter() - started
    lines = _report(d, p, result, elapsed)
    if eml:
        lines.extend(_drafts(result))
    for f in result.unreadable:
        if f in result.not_spreadsheets:
            lines.append(_("  không phải bảng tính, không rõ đơn vị: {file} (không đưa vào danh sách nhắc nhở)")
                         .format(file=f.file))
        else:
            lines.append(_("  không đọc được: {file}: {reason}").format(file=f.file, reason=f.reason))
    click.echo("\n".join(lines))


def _report(d, p, result, elapsed: float) -> list[str]:
    reminded = {rem.code for rem in result.reminders}
    warned_only = sum(1 for copy in result.annotated if copy.unit.code not in reminded)
    counts: dict[str, int] = {}
    for rem in result.reminders:
        counts[rem.kind] = counts.get(rem.kind, 0) + 1
    summary = ", ".join(f"{_(KIND_LABELS[k]) if k in KIND_LABELS else k} {v}" for k, v in sorted(counts.items()))
    n, annotated, blank = len(result.reminders), len(result.annotated), len(result.templates)
    lines = [
        _("{head}: {reminders} ({summary}); {annotated}, {blank} ({elapsed}).").format(
            head=plan_head(d, p),
            reminders=ngettext("{n} đơn vị cần nhắc", "{n} đơn vị cần nhắc", n).format(n=n),
            summary=summary or _("không có"),
            annotated=ngettext("{n} tệp đánh dấu lỗi", "{n} tệp đánh dấu lỗi", annotated).format(n=annotated),
            blank=ngettext("{n} biểu mẫu trống", "{n} biểu mẫu trống", blank).format(n=blank),
            elapsed=seconds(elapsed)),
        _("Danh sách nhắc nhở: {xlsx} và {csv}").format(xlsx=result.list_xlsx, csv=result.list_csv),
    ]
    if warned_only:
        lines.append(ngettext(
            "{n} tệp đánh dấu là của đơn vị nộp đúng hạn, chỉ có cảnh báo (không có trong danh sách nhắc nhở); "
            "xem {folder}",
            "{n} tệp đánh dấu là của đơn vị nộp đúng hạn, chỉ có cảnh báo (không có trong danh sách nhắc nhở); "
            "xem {folder}",
            warned_only).format(n=warned_only, folder=result.out_dir / "danh-dau"))
    return lines


def _drafts(result) -> list[str]:
    n = len(result.drafts)
    lines = [ngettext("{n} thư nháp trong {folder}", "{n} thư nháp trong {folder}", n)
             .format(n=n, folder=result.out_dir / "thu-nhap")]
    for rem in result.no_email[:MAX_LISTED]:
        lines.append(_("  cần bổ sung địa chỉ: {code} {name} (thư nháp chưa có người nhận)")
                     .format(code=rem.unit.code, name=rem.unit.name))
    if len(result.no_email) > MAX_LISTED:
        more = len(result.no_email) - MAX_LISTED
        lines.append(ngettext(
            "  ... và {n} đơn vị khác cần bổ sung địa chỉ (cột “Thư điện tử” trong {file})",
            "  ... và {n} đơn vị khác cần bổ sung địa chỉ (cột “Thư điện tử” trong {file})",
            more).format(n=more, file=result.list_xlsx.name))
    return lines
