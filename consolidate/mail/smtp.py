"""One SMTP connection for a batch of drafts (standard library smtplib).

`smtp://[USER@]HOST[:PORT]` (port 25; STARTTLS whenever the server offers it) or
`smtps://[USER@]HOST[:PORT]` (TLS from the start, port 465). With a user, AUTH with the
password the caller got from the environment or a prompt; without one, the server is a
relay that takes mail from this machine. A password never crosses an unencrypted
connection except to this machine itself (a relay on 127.0.0.1). Each message goes as
MAIL, RCPT per recipient, DATA, so that every recipient's answer and the server's answer to
the message are known and recorded.
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from consolidate.i18n import _
from consolidate.problems import ConsolidateError

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TIMEOUT = 60  # seconds without an answer before a connection counts as lost


class SendError(ConsolidateError):
    """Mail cannot go out at all (server unreachable, login refused)."""

    code = "send-failed"


class SendUsageError(SendError):
    usage = True
    code = "send-usage"


@dataclass(frozen=True)
class Server:
    scheme: str
    host: str
    port: int
    user: str = ""

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


def parse_url(text: str) -> Server:
    """`smtp[s]://[USER@]HOST[:PORT]`; a password in it is refused (it would sit in the
    shell history and the process list)."""
    try:
        parts = urlsplit((text or "").strip())
        port = parts.port
    except ValueError:
        raise SendUsageError(_("Địa chỉ máy chủ thư không hợp lệ: {url}").format(url=text)) from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise SendUsageError(_("Địa chỉ máy chủ thư cần dạng smtp://[người-dùng@]máy-chủ[:cổng] hoặc smtps://…, "
                               "không phải “{url}”").format(url=text))
    if parts.password is not None:
        raise SendUsageError(_("Không ghi mật khẩu trong địa chỉ máy chủ: đặt biến môi trường "
                               "CONSOLIDATE_SMTP_PASSWORD hoặc nhập khi được hỏi"))
    if parts.path not in ("", "/") or parts.query:
        raise SendUsageError(_("Địa chỉ máy chủ thư không có đường dẫn hay tham số: {url}").format(url=text))
    return Server(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme], unquote(parts.username or ""))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def answer_text(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}".strip()


@dataclass
class Answer:
    """The server's word on one message: per recipient, and for the message itself."""

    accepted: dict[str, str]
    refused: dict[str, str]
    data: str = ""  # the answer to DATA (empty when no recipient was accepted)


class Connection:
    def __init__(self, server: Server, password: str | None = None, timeout: float = TIMEOUT):
        self.server = server
        self._password = password
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None
        self.tls = False

    def open(self) -> Connection:
        s = self.server
        context = ssl.create_default_context()
        try:
            if s.scheme == "smtps":
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
                self.tls = True
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            self.smtp.ehlo_or_helo_if_needed()
            if not self.tls and self.smtp.has_extn("starttls"):
                self.smtp.starttls(context=context)
                self.smtp.ehlo()
                self.tls = True
            if s.user:
                self._login()
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            self.close()
            if isinstance(exc, SendError):
                raise
            raise SendError(_("Không kết nối được máy chủ thư {server}: {reason}").format(server=s.label, reason=reason(exc))) from None
        return self

    def _login(self) -> None:
        s = self.server
        assert self.smtp is not None
        if not self.tls and not _loopback(s.host):
            raise SendError(_("Máy chủ thư {server} không hỗ trợ mã hóa (STARTTLS): không gửi mật khẩu qua kết nối "
                              "không mã hóa; hãy dùng smtps://… hoặc cổng 587 của máy chủ").format(server=s.label))
        if not self.smtp.has_extn("auth"):
            raise SendError(_("Máy chủ thư {server} không nhận đăng nhập (AUTH); bỏ tên người dùng nếu đây là "
                              "máy chủ chuyển tiếp không cần đăng nhập").format(server=s.label))
        try:
            self.smtp.login(s.user, self._password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(_("Máy chủ thư {server} từ chối đăng nhập của {user}: {answer}").format(
                server=s.label, user=s.user, answer=answer_text(exc.smtp_code, exc.smtp_error))) from None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def __enter__(self) -> Connection:
        return self.open() if self.smtp is None else self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, sender: str, recipients: list[str], data: bytes) -> Answer:
        """One message; a refusal is an answer, a lost connection raises (OSError or
        smtplib.SMTPServerDisconnected) so the caller may reconnect."""
        smtp = self.smtp
        assert smtp is not None
        options = ["BODY=8BITMIME"] if not data.isascii() and smtp.has_extn("8bitmime") else []
        code, reply = smtp.mail(sender, options)
        if code != 250:
            smtp.rset()
            return Answer({}, {r: answer_text(code, reply) for r in recipients})
        accepted, refused = {}, {}
        for rcpt in recipients:
            code, reply = smtp.rcpt(rcpt)
            (accepted if code in (250, 251) else refused)[rcpt] = answer_text(code, reply)
        if not accepted:
            smtp.rset()
            return Answer(accepted, refused)
        try:
            code, reply = smtp.data(data)
        except smtplib.SMTPDataError as exc:
            said = answer_text(exc.smtp_code, exc.smtp_error)
            return Answer({}, {**refused, **dict.fromkeys(accepted, said)}, said)
        said = answer_text(code, reply)
        if code != 250:  # smtplib raises only for the answer to DATA itself, not for the end of the message
            return Answer({}, {**refused, **dict.fromkeys(accepted, said)}, said)
        return Answer(dict.fromkeys(accepted, said), refused, said)


def reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return answer_text(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, socket.timeout):
        return _("quá thời gian chờ")
    if isinstance(exc, ConnectionRefusedError):
        return _("máy chủ từ chối kết nối")
    if isinstance(exc, socket.gaierror):
        return _("không tìm thấy tên máy chủ")
    return str(exc) or type(exc).__name__


__all__ = ["Answer", "Connection", "SendError", "SendUsageError", "Server", "answer_text", "parse_url", "reason"]
