"""An IMAP mailbox as a source of messages (stdlib imaplib).

Read-only by default: the mailbox is opened with EXAMINE and messages are fetched with
``BODY.PEEK[]``, so nothing is flagged, moved or deleted; ``--mark-seen`` opens it with
SELECT and sets ``\\Seen`` on what was taken. The receipt time is the server's INTERNALDATE.
A message is known by UIDVALIDITY + UID, so a re-run fetches only new ones. A dropped
connection is retried (a fresh login, then on from where it stopped); after the last retry
the source fails, and whatever was taken before stays taken.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import imaplib
import re
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from consolidate.i18n import _
from consolidate.intake.sources import Envelope, SourceFailed, SourceUnknown
from consolidate.problems import Problem

CHUNK = 25
RETRY_DELAYS = (0.2, 0.5, 1.0)  # seconds before each new attempt
TIMEOUT = 60
MAX_MESSAGE_BYTES = 60 * 1024 * 1024
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                      "nov", "dec"), start=1)}
INTERNALDATE = re.compile(rb'INTERNALDATE "\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"')
UID = re.compile(rb"\bUID (\d+)")
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
DROPPED = (imaplib.IMAP4.abort, OSError, EOFError)


@dataclass
class ImapSource:
    host: str
    port: int
    user: str
    mailbox: str
    secure: bool
    password: Callable[[str], str] = field(repr=False)
    mark_seen: bool = False
    problems: list[Problem] = field(default_factory=list)
    _secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str, password: Callable[[str], str], mark_seen: bool = False) -> ImapSource:
        parts = urlsplit(url)
        if parts.password is not None:
            raise SourceUnknown(_("Không ghi mật khẩu trong địa chỉ hộp thư; đặt biến môi trường "
                                  "CONSOLIDATE_IMAP_PASSWORD hoặc nhập khi được hỏi"))
        if not parts.hostname or not parts.username:
            raise SourceUnknown(_("Địa chỉ hộp thư {url} cần dạng imap://NGƯỜI_DÙNG@MÁY_CHỦ[:CỔNG]/HỘP_THƯ").format(url=url))
        secure = parts.scheme.lower() == "imaps"
        try:
            port = parts.port or (993 if secure else 143)
        except ValueError:
            raise SourceUnknown(_("Cổng không hợp lệ trong {url}").format(url=url)) from None
        mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
        return cls(parts.hostname, port, unquote(parts.username), mailbox, secure, password, mark_seen)

    @property
    def label(self) -> str:
        scheme = "imaps" if self.secure else "imap"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.mailbox}"

    def _key(self, validity: str, uid: str) -> str:
        # no port: the same mailbox over IMAP (143) and IMAPS (993) is the same mailbox
        return f"imap:{self.user}@{self.host.lower()}/{self.mailbox};{validity};{uid}"

    # ------------------------------------------------------------------ connection
    def _connect(self) -> imaplib.IMAP4:
        context = ssl.create_default_context()
        if self.secure:
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=TIMEOUT)
        else:
            conn = imaplib.IMAP4(self.host, self.port, timeout=TIMEOUT)
            if "STARTTLS" in conn.capabilities:
                conn.starttls(context)
        if self._secret is None:
            self._secret = self.password(self.label)
        try:
            conn.login(self.user, self._secret)
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error:
            _close(conn)
            raise SourceFailed(_("máy chủ từ chối đăng nhập của {user} (sai tên hoặc mật khẩu?)").format(
                user=self.user)) from None
        return conn

    def _select(self, conn: imaplib.IMAP4) -> tuple[str, list[bytes]]:
        typ, data = conn.select(_quote(_utf7(self.mailbox)), readonly=not self.mark_seen)
        if typ != "OK":
            raise SourceFailed(_("không mở được hộp thư “{mailbox}” ({why})").format(
                mailbox=self.mailbox, why=_text(data)))
        _name, validity = conn.response("UIDVALIDITY")
        typ, found = conn.uid("SEARCH", None, "ALL")
        if typ != "OK":
            raise SourceFailed(_("máy chủ không liệt kê được thư ({why})").format(why=_text(found)))
        uids = [u for chunk in found if chunk for u in chunk.split()]
        return _text(validity) or "0", uids

    # ------------------------------------------------------------------ messages
    def batches(self, taken: Callable[[list[str]], set[str]]) -> Iterator[list[Envelope]]:
        handed: set[str] = set()
        failures = 0
        while True:
            conn = None
            try:
                conn = self._connect()
                validity, uids = self._select(conn)
                keys = {uid: self._key(validity, uid.decode()) for uid in uids}
                fresh = [uid for uid in uids if keys[uid] not in handed]
                already = taken([keys[uid] for uid in fresh])
                fresh = [uid for uid in fresh if keys[uid] not in already]
                sizes = self._sizes(conn, fresh) if fresh else {}
                for start in range(0, len(fresh), CHUNK):
                    chunk = fresh[start : start + CHUNK]
                    envelopes = self._fetch(conn, chunk, keys, sizes)
                    yield envelopes
                    handed.update(keys[uid] for uid in chunk)
                    failures = 0
                    if self.mark_seen:
                        conn.uid("STORE", b",".join(chunk).decode(), "+FLAGS.SILENT", r"(\Seen)")
                return
            except DROPPED as exc:
                failures += 1
                if failures > len(RETRY_DELAYS):
                    raise SourceFailed(_("mất kết nối với máy chủ thư sau {n} lần thử ({why})").format(
                        n=failures, why=_text(exc) or type(exc).__name__)) from None
                time.sleep(RETRY_DELAYS[failures - 1])
            finally:
                if conn is not None:
                    _close(conn)

    def _sizes(self, conn: imaplib.IMAP4, uids: list[bytes]) -> dict[bytes, int]:
        out: dict[bytes, int] = {}
        for start in range(0, len(uids), 500):
            typ, data = conn.uid("FETCH", b",".join(uids[start : start + 500]).decode(), "(UID RFC822.SIZE)")
            for item in data if typ == "OK" else []:
                meta = item[0] if isinstance(item, tuple) else item
                uid, size = UID.search(meta or b""), SIZE.search(meta or b"")
                if uid and size:
                    out[uid.group(1)] = int(size.group(1))
        return out

    def _fetch(self, conn: imaplib.IMAP4, uids: list[bytes], keys: dict[bytes, str],
               sizes: dict[bytes, int]) -> list[Envelope]:
        big = [u for u in uids if sizes.get(u, 0) > MAX_MESSAGE_BYTES]
        small = [u for u in uids if u not in big]
        got: dict[bytes, Envelope] = {}
        for group, part in ((small, "BODY.PEEK[]"), (big, "BODY.PEEK[HEADER]")):
            if not group:
                continue
            typ, data = conn.uid("FETCH", b",".join(group).decode(), f"(UID INTERNALDATE {part})")
            if typ != "OK":
                raise imaplib.IMAP4.abort(_text(data))
            for meta, body in _records(data):
                uid = UID.search(meta)
                if uid is None or uid.group(1) not in keys:
                    continue
                envelope = Envelope(keys[uid.group(1)], body, f"{self.label} UID {uid.group(1).decode()}",
                                    internaldate=internaldate(meta))
                if uid.group(1) in big:
                    envelope.too_large = sizes[uid.group(1)]
                got[uid.group(1)] = envelope
        missing = [u for u in uids if u not in got]
        if missing:  # a message the server listed but did not send: the connection is not sound
            raise imaplib.IMAP4.abort(f"FETCH returned {len(got)} of {len(uids)} messages")
        return [got[u] for u in uids]


def _records(data: list) -> list[tuple[bytes, bytes]]:
    """imaplib's FETCH answer as (metadata, literal) pairs; items after a literal (such as an
    INTERNALDATE some servers send after the body) belong to the same message."""
    out: list[list] = []
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            out.append([item[0], item[1]])
        elif isinstance(item, bytes) and out:
            out[-1][0] += b" " + item
    return [(meta, body) for meta, body in out]


def internaldate(meta: bytes) -> dt.datetime | None:
    m = INTERNALDATE.search(meta)
    if m is None:
        return None
    day, month, year, hh, mm, ss, sign, oh, om = m.groups()
    offset = dt.timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == b"-" else 1)
    try:
        return dt.datetime(int(year), MONTHS[month.decode().lower()], int(day), int(hh), int(mm), int(ss),
                           tzinfo=dt.timezone(offset))
    except (KeyError, ValueError):
        return None


def _utf7(name: str) -> str:
    """IMAP's modified UTF-7 for mailbox names (RFC 3501 5.1.3): "Báo cáo" -> "B&AOE-o c&AOE-o"."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + encoded.replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        value = b" ".join(v for v in value if isinstance(v, bytes))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip()
    return str(value or "").strip()


def _close(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except (imaplib.IMAP4.error, OSError, EOFError):
        with contextlib.suppress(imaplib.IMAP4.error, OSError, EOFError):
            conn.shutdown()
