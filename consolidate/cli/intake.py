"""`consolidate intake`: thin click layer over consolidate.intake.run_intake.

The mailbox password comes from CONSOLIDATE_IMAP_PASSWORD, else a hidden prompt; it is never
taken from the command line and never written anywhere. Exit 0 when every source was read
(even with bad messages: they are listed), 1 when a source failed part-way (what was taken
before stays), 2 usage error.
"""

from __future__ import annotations

import json
import os

import click

from consolidate.cli.options import (
    Command,
    definition_option,
    lang_option,
    period_option,
    register_option,
)
from consolidate.i18n import _, ngettext
from consolidate.vntime import datetime_text


def _password(label: str) -> str:
    from consolidate.intake import run

    value = os.environ.get(run.PASSWORD_ENV)
    if value is not None:
        return value
    return click.prompt(_("Mật khẩu hộp thư {source}").format(source=label), hide_input=True, err=True)


@click.command("intake", cls=Command)
@definition_option
@period_option
@click.option("--into", "into", required=True, type=click.Path(file_okay=False),
              help="Thư mục nhận báo cáo của kỳ (RETURNS_DIR), nơi lưu các tệp lấy từ thư.")
@register_option
@click.option("--mark-seen", is_flag=True,
              help="Đánh dấu đã đọc các thư đã lấy trên máy chủ (mặc định: không thay đổi gì trên hộp thư).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Ghi thêm danh sách thư đã lấy dạng JSON.")
@lang_option
@click.argument("sources", nargs=-1, required=True)
def intake_command(definition_path, period, into, register_path, mark_seen, json_path, lang, sources):
    """Lấy báo cáo từ thư điện tử (SOURCES: imap://NGƯỜI_DÙNG@MÁY_CHỦ/HỘP_THƯ, imaps://…,
    thư mục tệp .eml, Maildir, tệp mbox) vào thư mục nhận, kèm thời điểm máy chủ thư nhận."""
    from consolidate.cli.common import load_definition, resolve_period
    from consolidate.intake import IntakeError, run_intake

    d = load_definition(definition_path, lang)
    p = resolve_period(d, period, lang)
    result = run_intake(d, p, into, list(sources), register_path=register_path, mark_seen=mark_seen,
                        password=_password)
    if json_path:
        from consolidate.xlsx.safe import atomic_output

        try:
            with atomic_output(json_path) as tmp:
                tmp.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise IntakeError(_("Không ghi được vào {path}: {reason}").format(path=json_path, reason=exc.strerror or exc)) from None
    for report in result.sources:
        if not report.taken:
            click.echo(_("{source}: không có thư mới.").format(source=report.label))
            continue
        saved = sum(len(t.saved) for t in report.taken)
        click.echo(ngettext("{source}: đã lấy {n} thư mới, lưu {saved} tệp vào {into}.",
                            "{source}: đã lấy {n} thư mới, lưu {saved} tệp vào {into}.", len(report.taken)).format(
            source=report.label, n=len(report.taken), saved=saved, into=into))
        for taken in report.taken:
            click.echo("  " + _line(taken))
    problems = result.problems
    if problems:
        click.echo(_("Cần xem lại ({n}):").format(n=len(problems)))
        for problem in problems:
            click.echo(f"  - {problem.message}")
    if result.failed:
        raise IntakeError(_("Không đọc hết được {n} nguồn thư; chạy lại lệnh để lấy tiếp").format(n=len(result.failed)))


def _line(taken) -> str:
    row = taken.row
    who = row.sender or "?"
    if row.unit_code:
        who += f" ({row.unit_code})"
    head = f"{datetime_text(row.received_at)}  {who}  “{row.subject}”"
    if not taken.files:
        return head + " → " + _("không có tệp bảng tính")
    names = [f.name + ("" if f.saved else " " + _("(đã có, không lưu lại)")) for f in taken.files]
    return head + " → " + ", ".join(names)
