"""What can be wrong with a message or a mailbox: located problems naming the message.

Every message problem carries the message's sender, subject and date in ``params`` (and its
origin, the mailbox or the saved file, in ``path``), so the specialist can find it in the
mail client; ``file`` is the attachment concerned, when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass

from consolidate.i18n import N_, _
from consolidate.problems import ERROR, WARNING, Problem

# Which message, then what is wrong with it: two msgids, so each template is translated once
_WHO = N_("Thư của {sender} “{subject}” ({date})")


@dataclass
class MailProblem(Problem):
    code = "mail-problem"
    template = ": {note}"

    @property
    def message(self) -> str:
        return self._render(_(_WHO) + _(self.template))


@dataclass
class MailNoSpreadsheet(MailProblem):
    """A unit's message with no spreadsheet (a PDF, a link, an empty mail)."""

    code = "mail-no-spreadsheet"
    severity = WARNING
    template = N_(" của đơn vị {unit} không kèm tệp bảng tính của biểu mẫu{note}")


@dataclass
class MailUnknownSender(MailProblem):
    code = "mail-unknown-sender"
    severity = WARNING
    template = N_(": địa chỉ người gửi không có trong danh sách đơn vị{note}")


@dataclass
class MailNotSpreadsheet(MailProblem):
    code = "mail-attachment-not-spreadsheet"
    severity = WARNING
    template = N_(": tệp đính kèm “{file}” không phải bảng tính ({note})")


@dataclass
class MailWinmail(MailProblem):
    code = "mail-winmail-dat"
    template = N_(": tệp đính kèm “{file}” là winmail.dat (Outlook gửi dạng TNEF), không mở được; "
                  "đề nghị đơn vị gửi lại dạng HTML hoặc văn bản thường, đính kèm tệp Excel")


@dataclass
class MailAttachmentTooLarge(MailProblem):
    code = "mail-attachment-too-large"
    template = N_(": tệp đính kèm “{file}” quá lớn ({note}); không lưu")


@dataclass
class MailZipBomb(MailProblem):
    code = "mail-zip-bomb"
    template = N_(": tệp nén “{file}” giải nén ra quá lớn, nghi là bom nén ({note}); không mở")


@dataclass
class MailZipUnreadable(MailProblem):
    code = "mail-zip-unreadable"
    template = N_(": tệp nén “{file}” không mở được ({note})")


@dataclass
class MailMalformed(MailProblem):
    code = "mail-malformed"
    severity = WARNING
    template = N_(": cấu trúc thư (MIME) bị lỗi ({note}); đã lấy được những phần đọc được")


@dataclass
class MailUnknownCharset(MailProblem):
    code = "mail-unknown-charset"
    severity = WARNING
    template = N_(": bảng mã “{value}” không nhận ra; chữ có thể hiển thị sai")


@dataclass
class MailNoDate(MailProblem):
    code = "mail-no-date"
    severity = WARNING
    template = N_(": thư không ghi thời điểm nhận (Received, Date); dùng {note}")


@dataclass
class MailTooLarge(MailProblem):
    code = "mail-message-too-large"
    template = N_(": thư quá lớn ({note}); không tải về")


@dataclass
class MailUnsupported(Problem):
    """A saved file that is not a message this tool reads (Outlook .msg)."""

    code = "mail-file-unsupported"
    severity = ERROR
    template = N_("Tệp thư {file}: {note}")


@dataclass
class MailboxFailed(Problem):
    code = "mailbox-failed"
    severity = ERROR
    template = N_("Hộp thư {path}: {note}; các thư đã lấy trước đó vẫn được giữ")
