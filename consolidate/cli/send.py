"""`consolidate send` (drafts out through SMTP) and the drafts of `consolidate templates --eml`.

The SMTP password comes from CONSOLIDATE_SMTP_PASSWORD, else a hidden prompt; it is never
taken from the command line and never written anywhere. Exit codes: 0 every draft with an
address went out (now or on an earlier run; drafts with no address are listed, like missing
units in a merge); 1 the command could not do its job: the server could not be reached or
refused the login, or at least one message or recipient could not be sent (the others were
sent and recorded; run again to retry only what is left); 2 usage error.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from consolidate.cli.options import Command, lang_option
from consolidate.i18n import _, ngettext

PASSWORD_ENV = "CONSOLIDATE_SMTP_PASSWORD"
MAX_LISTED = 20


def _password(server) -> str | None:
    if not server.user:
        return None
    value = os.environ.get(PASSWORD_ENV)
    if value is not None:
        return value
    return click.prompt(_("Mật khẩu thư điện tử của {user} trên {server}").format(user=server.user, server=server.label),
                        hide_input=True, err=True)


def _who(result) -> str:
    to = ", ".join(result.sent_to or result.draft.to) or "?"
    return f"{result.draft.path.name} → {to}"


def _line(result) -> str:
    from consolidate.mail import send

    d = result.draft
    if result.status == send.DELIVERED:
        return _("  Đã gửi: {who} ({answer})").format(who=_who(result), answer=result.answer)
    if result.status == send.WOULD_SEND:
        return _("  Sẽ gửi: {who} “{subject}”").format(who=_who(result), subject=d.subject)
    if result.status == send.ALREADY:
        return _("  Đã gửi từ trước, bỏ qua: {file} → {to}").format(file=d.path.name, to=", ".join(result.skipped))
    if result.status == send.NO_ADDRESS:
        return _("  Không gửi (thư nháp chưa có người nhận): {file}").format(file=d.path.name)
    lines = []
    if result.sent_to:
        lines.append(_("  Đã gửi: {who} ({answer})").format(who=_who(result), answer=result.answer))
    for rcpt, said in result.refused.items():
        lines.append(_("  LỖI: không gửi được {file} tới {to}: {answer}").format(file=d.path.name, to=rcpt, answer=said))
    if not result.refused:
        lines.append(_("  LỖI: không gửi được {file}: {reason}").format(file=d.path.name, reason=result.reason))
    return "\n".join(lines)


@click.command("send", cls=Command)
@click.argument("drafts_dir", type=click.Path(file_okay=False, path_type=str))
@click.option("--smtp", "smtp_url", default=None,
              help="Máy chủ gửi thư: smtp://[người-dùng@]máy-chủ[:cổng] (STARTTLS khi máy chủ hỗ trợ) hoặc smtps://…; "
                   "mật khẩu lấy từ biến môi trường CONSOLIDATE_SMTP_PASSWORD hoặc nhập khi được hỏi.")
@click.option("--dry-run", is_flag=True, help="Chỉ liệt kê các thư sẽ gửi, không gửi.")
@click.option("--register", "register_path", type=click.Path(dir_okay=False), default=None,
              help="Sổ theo dõi tệp (SQLite); mặc định .consolidate/register.sqlite cạnh thư mục thư nháp.")
@click.option("--delay", type=click.FloatRange(min=0, max=600), default=1.0, show_default=True,
              help="Số giây nghỉ giữa hai thư (tránh bị máy chủ chặn vì gửi dồn).")
@lang_option
def send_command(drafts_dir, smtp_url, dry_run, register_path, delay, lang):
    """Gửi các thư nháp (.eml) trong DRAFTS_DIR qua máy chủ thư; ghi từng thư vào sổ theo dõi,
    chạy lại không gửi trùng."""
    from consolidate.mail.send import FAILED, NO_ADDRESS, PARTIAL, send_drafts
    from consolidate.mail.smtp import SendError, SendUsageError, parse_url
    from consolidate.merge.register import default_path

    if not smtp_url and not dry_run:
        raise SendUsageError(_("Cần --smtp smtp://máy-chủ (hoặc --dry-run để chỉ xem trước)"))
    server = parse_url(smtp_url) if smtp_url else None
    register = Path(register_path) if register_path else default_path(drafts_dir)
    password = None if dry_run or server is None else _password(server)
    if dry_run:
        click.echo(_("Xem trước, không gửi thư nào:"))
    report = send_drafts(drafts_dir, server, register, password=password, delay=delay, dry_run=dry_run,
                         on_result=lambda r: click.echo(_line(r)))
    counts = {status: len(report.of(status)) for status in ("sent", "would-send", "already-sent", NO_ADDRESS,
                                                            PARTIAL, FAILED)}
    if dry_run:
        click.echo(ngettext("{n} thư sẽ được gửi", "{n} thư sẽ được gửi", counts["would-send"]).format(
            n=counts["would-send"]) + _("; {done} đã gửi từ trước; {none} chưa có người nhận.").format(
            done=counts["already-sent"], none=counts[NO_ADDRESS]))
        return
    click.echo(ngettext("Đã gửi {n} thư qua {server}", "Đã gửi {n} thư qua {server}", counts["sent"]).format(
        n=counts["sent"], server=server.label) + _("; {done} đã gửi từ trước; {none} chưa có người nhận; {bad} lỗi. "
                                                   "Sổ theo dõi: {register}").format(
        done=counts["already-sent"], none=counts[NO_ADDRESS], bad=counts[PARTIAL] + counts[FAILED], register=register))
    if not report.complete:
        raise SendError(ngettext("{n} thư chưa gửi được (xem các dòng LỖI); chạy lại lệnh để gửi lại riêng các thư đó",
                                 "{n} thư chưa gửi được (xem các dòng LỖI); chạy lại lệnh để gửi lại riêng các thư đó",
                                 counts[PARTIAL] + counts[FAILED]).format(n=counts[PARTIAL] + counts[FAILED]))


def echo_invitations(definition, period, out_dir: str, unit_codes: list[str] | None, eml_dir: str) -> None:
    """`templates --eml DIR`: one draft per unit template just written into `out_dir`."""
    from consolidate.definition.naming import template_file_name
    from consolidate.mail.invitation import write_invitations

    units = definition.expected_units(period.id)
    if unit_codes:
        units = [u for u in definition.units if u.code in set(unit_codes)]
    templates = {u.code: Path(out_dir) / template_file_name(period, u) for u in units}
    try:
        result = write_invitations(definition, period, templates, eml_dir)
    except OSError as exc:
        raise click.ClickException(_("Không ghi được vào {path}: {reason}").format(path=eml_dir, reason=exc)) from None
    click.echo(ngettext("{n} thư nháp gửi biểu mẫu trong {dir}", "{n} thư nháp gửi biểu mẫu trong {dir}",
                        len(result.drafts)).format(n=len(result.drafts), dir=eml_dir))
    if not definition.collector.email:
        click.echo(_("  Định nghĩa chưa có địa chỉ thư điện tử của cơ quan tổng hợp (collector.email): thư nháp "
                     "không có người gửi (From); cần bổ sung trước khi dùng lệnh send"))
    if result.cc:
        click.echo(_("  Đồng gửi (Cc): {names}").format(names="; ".join(f"{n} <{a}>" if n else a for n, a in result.cc)))
    for name in result.cc_without_address:
        click.echo(_("  Kế hoạch ghi đồng gửi “{name}” nhưng chưa có địa chỉ thư điện tử: thư nháp không có Cc này "
                     "(thêm email vào copy_to của định nghĩa)").format(name=name))
    for unit in result.no_address[:MAX_LISTED]:
        click.echo(_("  cần bổ sung địa chỉ: {code} {name} (thư nháp chưa có người nhận, sẽ không được gửi)").format(
            code=unit.code, name=unit.name))
    if len(result.no_address) > MAX_LISTED:
        click.echo(_("  ... và {n} đơn vị khác cần bổ sung địa chỉ").format(n=len(result.no_address) - MAX_LISTED))


__all__ = ["PASSWORD_ENV", "echo_invitations", "send_command"]
