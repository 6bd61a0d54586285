"""`consolidate feedback`: thin click layer over consolidate.feedback.run_feedback.

Exit codes: 0 done, 1 the command could not do its job (definition unreadable, output not
writable, register busy), 2 usage error.
"""

from __future__ import annotations

import time

import click

from consolidate.cli.options import ProgressBar, cycle_options, returns_dir_argument, say

MAX_LISTED = 20  # units without an email address named one by one


@click.command("feedback")
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
    from consolidate.cli.common import load_definition, resolve_period
    from consolidate.feedback.run import FeedbackError, FeedbackUsageError, run_feedback
    from consolidate.merge.receipts import ReceiptsError
    from consolidate.merge.register import RegisterError
    from consolidate.merge.run import MergeError
    from consolidate.merge.summary import SummaryWriteError

    d = load_definition(definition_path, lang)
    p = resolve_period(d, period, lang)
    started = time.perf_counter()
    bar = ProgressBar(say(lang, "Đang đọc các tệp", "Reading files"))
    try:
        result = run_feedback(d, p, returns_dir, out_dir, receipts=receipts, as_of=as_of,
                              register_path=register_path, eml=eml, workers=workers, resend_days=resend_days,
                              progress=bar, compare_with=compare_with)
    except FeedbackUsageError as exc:
        raise click.UsageError(str(exc)) from None
    except (FeedbackError, MergeError, RegisterError, ReceiptsError, SummaryWriteError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        raise click.ClickException(say(lang, "Đã dừng", "Interrupted")) from None
    finally:
        bar.close()
    elapsed = time.perf_counter() - started

    reminded = {rem.code for rem in result.reminders}
    warned_only = sum(1 for copy in result.annotated if copy.unit.code not in reminded)
    counts: dict[str, int] = {}
    for rem in result.reminders:
        counts[rem.kind] = counts.get(rem.kind, 0) + 1
    labels = {"overdue": ("quá hạn", "overdue"), "not_yet_due": ("chưa đến hạn", "not yet due"),
              "invalid": ("có lỗi", "invalid"), "late": ("muộn", "late"),
              "unreadable": ("tệp không đọc được", "unreadable")}
    en = lang == "en"
    summary = ", ".join(f"{labels.get(k, (k, k))[en]} {v}" for k, v in sorted(counts.items()))
    head = d.id + " " + p.id if en else f"{d.short_title or d.title} - {p.label}"
    lines = [
        say(lang,
            f"{head}: {len(result.reminders)} đơn vị cần nhắc ({summary or 'không có'}); {len(result.annotated)} tệp "
            f"đánh dấu lỗi, {len(result.templates)} biểu mẫu trống ({elapsed:.1f} giây).",
            f"{head}: {len(result.reminders)} units to remind ({summary or 'none'}); {len(result.annotated)} annotated "
            f"returns, {len(result.templates)} blank templates ({elapsed:.1f} s)."),
        say(lang, f"Danh sách nhắc nhở: {result.list_xlsx} và {result.list_csv}",
            f"Reminder list: {result.list_xlsx} and {result.list_csv}"),
    ]
    if warned_only:
        lines.append(say(
            lang,
            f"{warned_only} tệp đánh dấu là của đơn vị nộp đúng hạn, chỉ có cảnh báo (không có trong danh sách "
            f"nhắc nhở); xem {result.out_dir / 'danh-dau'}",
            f"{warned_only} annotated returns are of units on time with warnings only (not in the list); "
            f"see {result.out_dir / 'danh-dau'}"))
    if eml:
        lines.append(say(lang, f"{len(result.drafts)} thư nháp trong {result.out_dir / 'thu-nhap'}",
                         f"{len(result.drafts)} email drafts in {result.out_dir / 'thu-nhap'}"))
        for rem in result.no_email[:MAX_LISTED]:
            lines.append(say(lang, f"  cần bổ sung địa chỉ: {rem.unit.code} {rem.unit.name} (thư nháp chưa có người nhận)",
                             f"  no email address: {rem.unit.code} {rem.unit.name} (draft has an empty To)"))
        if len(result.no_email) > MAX_LISTED:
            more = len(result.no_email) - MAX_LISTED
            lines.append(say(lang, f"  ... và {more} đơn vị khác cần bổ sung địa chỉ (cột “Thư điện tử” trong "
                                   f"{result.list_xlsx.name})",
                             f"  ... and {more} more units without an email address (column 'Thư điện tử' of "
                             f"{result.list_xlsx.name})"))
    for f in result.unreadable:
        if f in result.not_spreadsheets:
            lines.append(say(lang, f"  không phải bảng tính, không rõ đơn vị: {f.file} (không đưa vào danh sách nhắc nhở)",
                             f"  not a spreadsheet, no unit: {f.file} (left out of the list)"))
        else:
            lines.append(say(lang, f"  không đọc được: {f.file}: {f.reason}", f"  unreadable: {f.file}: {f.reason}"))
    click.echo("\n".join(lines))
