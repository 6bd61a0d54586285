"""A real SMTP server (aiosmtpd) on 127.0.0.1, started and stopped by each test, and a copy
of the mini plan whose units and copy-to bodies have long Vietnamese names."""

from __future__ import annotations

import email.policy
import shutil
import socket
from dataclasses import dataclass, field
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import MINI

USER, PASSWORD = "sonoivu", "mat-khau-thu-nghiem-7f3a"
LONG_UNIT = ("BDT", "Ban Dân tộc và Tôn giáo tỉnh Thử Nghiệm (cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh)",
             "bandantoc@example.gov.vn")
NO_ADDRESS_UNIT = ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Thử Nghiệm", "")
COPY_TO = ("Ban Tuyên giáo và Dân vận Tỉnh ủy Thử Nghiệm", "bantuyengiao@example.gov.vn")
COPY_TO_NO_ADDRESS = "Văn phòng Tỉnh ủy Thử Nghiệm"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self):
        return BytesParser(policy=email.policy.default).parsebytes(self.data)


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550 at RCPT
    refuse_units: set[str] = field(default_factory=set)  # messages (by unit) answered 554 at DATA

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        unit = Received(envelope.mail_from, [], envelope.original_content).message["X-Consolidate-Unit"]
        if unit in self.refuse_units:
            return "554 5.7.1 Message rejected as spam"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return f"250 2.0.0 Ok: queued as Q{len(self.received):04d}"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    handler: Handler
    port: int
    url: str


def _start(auth: bool):
    handler = Handler()
    port = _free_port()
    kwargs = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False} if auth else {}
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    url = f"smtp://{USER}@127.0.0.1:{port}" if auth else f"smtp://127.0.0.1:{port}"
    return controller, Server(handler, port, url)


@pytest.fixture
def smtp_server():
    controller, server = _start(auth=False)
    yield server
    controller.stop()


@pytest.fixture
def smtp_auth_server():
    controller, server = _start(auth=True)
    yield server
    controller.stop()


@pytest.fixture
def plan(tmp_path) -> Path:
    """The mini plan with a unit of a long name, a unit with no address, and two copy-to
    bodies (one with an address)."""
    target = tmp_path / "plan"
    shutil.copytree(MINI, target)
    with open(target / "don-vi.csv", "a", encoding="utf-8") as units:
        for code, name, address in (LONG_UNIT, NO_ADDRESS_UNIT):
            units.write(f"{code},{name},so-nganh,{address},,,\n")
    text = (target / "definition.yaml").read_text(encoding="utf-8")
    copy = (f"copy_to:\n  - {{name: {COPY_TO[0]}, email: {COPY_TO[1]}}}\n  - {COPY_TO_NO_ADDRESS}\n")
    assert "copy_to" not in text
    (target / "definition.yaml").write_text(text.replace("\nperiods:", "\n" + copy + "periods:", 1), encoding="utf-8")
    return target
