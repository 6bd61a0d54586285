"""A real IMAP server (pymap, dict backend) on 127.0.0.1 for the intake tests, messages
built with the stdlib, and a test plan with more units than the mini one."""

from __future__ import annotations

import datetime as dt
import imaplib
import shutil
import socket
import subprocess
import sys
import time
import uuid
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from consolidate.definition import loader as definitions
from consolidate.definition.sample_values import filled_values
from consolidate.template.writer import write_template
from consolidate.vntime import VN_TZ
from tests.conftest import MINI

USER, PASSWORD = "sonoivu", "mat-khau-thu"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTRA_UNITS = [  # code, name, email
    ("SYT", "Sở Y tế", "syt@example.gov.vn"),
    ("SGD", "Sở Giáo dục và Đào tạo", "sgd@example.gov.vn"),
    ("SXD", "Sở Xây dựng", "sxd@example.gov.vn"),
    ("SCT", "Sở Công Thương", "sct@example.gov.vn"),
    ("SKH", "Sở Khoa học và Công nghệ", "skh@example.gov.vn"),
]


def vn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN_TZ)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ImapServer:
    def __init__(self, port: int):
        self.port = port

    def url(self, mailbox: str) -> str:
        return f"imap://{USER}@127.0.0.1:{self.port}/{mailbox}"

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(USER, PASSWORD)
        return conn

    def new_mailbox(self, name: str | None = None) -> str:
        name = name or "bc-" + uuid.uuid4().hex[:8]
        conn = self.connect()
        assert conn.create(name)[0] == "OK"
        conn.logout()
        return name

    def append(self, mailbox: str, message: bytes, when: dt.datetime) -> None:
        conn = self.connect()
        typ, _ = conn.append(mailbox, None, imaplib.Time2Internaldate(when), message)
        assert typ == "OK"
        conn.logout()

    def flags(self, mailbox: str) -> list[bytes]:
        conn = self.connect()
        conn.select(mailbox, readonly=True)
        _, data = conn.fetch("1:*", "(FLAGS)")
        conn.logout()
        return [d for d in data if d]


@pytest.fixture(scope="session")
def imap_server():
    """pymap on a free port; started for the session, stopped at its end."""
    port = _free_port()
    command = [sys.executable, "-c", "from pymap.main import main; main()", "--host", "127.0.0.1",
               "--port", str(port), "--no-tls", "dict", "--demo-data", "--demo-user", USER,
               "--demo-password", PASSWORD]
    if shutil.which("pymap") is None and not _importable("pymap"):
        raise RuntimeError("pymap is in the test extra: pip install -e '.[test]'")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("pymap did not start: " + process.stderr.read().decode(errors="replace")) from None
            time.sleep(0.05)
    yield ImapServer(port)
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@pytest.fixture
def imap_env(monkeypatch):
    monkeypatch.setenv("CONSOLIDATE_IMAP_PASSWORD", PASSWORD)


# --------------------------------------------------------------------------- plan, returns, mail

@pytest.fixture
def plan(tmp_path) -> Path:
    """The mini plan with five more departments, each with its own address."""
    target = tmp_path / "plan"
    shutil.copytree(MINI, target)
    with open(target / "don-vi.csv", "a", encoding="utf-8") as handle:
        for code, name, address in EXTRA_UNITS:
            handle.write(f"{code},{name},so-nganh,{address},,,\n")
    return target


@pytest.fixture
def definition(plan):
    return definitions.load(plan)


def return_bytes(definition, unit_code: str, tmp: Path, seed: int = 0, **changes) -> bytes:
    period = definition.period("2026-H1")
    values = filled_values(definition, definition.unit(unit_code), period, seed=seed)
    values.update(changes)
    path = tmp / f"{unit_code}-{seed}-{uuid.uuid4().hex[:6]}.xlsx"
    write_template(definition, definition.unit(unit_code), period, path, values=values)
    return path.read_bytes()


def message(sender: str, subject: str, attachments: list[tuple[str, bytes, str]] = (), body: str = "Kính gửi Sở Nội vụ",
            date: dt.datetime | None = None, to: str = "sonoivu@example.gov.vn") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.gov.vn")
    if date is not None:
        msg["Date"] = format_datetime(date)
    msg.set_content(body)
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def raw(msg: EmailMessage) -> bytes:
    """Without folding: the stdlib's folder drops a space between encoded words of a long
    Vietnamese subject (FACTS.md); real mail clients fold correctly."""
    return msg.as_bytes(policy=policy.default.clone(max_line_length=0))
