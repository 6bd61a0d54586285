"""Drafts of `templates --eml` and `feedback --eml` out through `send` to a real SMTP server
(aiosmtpd on 127.0.0.1): every header decodes to the intended text, attachments arrive
intact, a re-run sends nothing, a refused recipient is reported and the rest goes out."""

from __future__ import annotations

import email.policy
from email.parser import BytesParser
from pathlib import Path

from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.definition import loader as definitions
from consolidate.mail.outbox import Outbox
from tests.feedback.conftest import AS_OF_TEXT, build_folder
from tests.send.conftest import COPY_TO, LONG_UNIT, NO_ADDRESS_UNIT, PASSWORD

PERIOD = "2026-H1"


def run(*args, env=None, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, input=input)


def parse(path: Path):
    return BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())


def templates(plan: Path, root: Path) -> Path:
    result = run("templates", "-d", plan, "-p", PERIOD, "--out", root / "bieu-mau", "--eml", root / "thu")
    assert result.exit_code == 0, result.output
    assert f"cần bổ sung địa chỉ: {NO_ADDRESS_UNIT[0]}" in result.output
    return root / "thu"


def send(drafts: Path, server, register: Path, *extra, env=None):
    return run("send", drafts, "--smtp", server.url, "--delay", "0", "--register", register, *extra, env=env)


def by_unit(server) -> dict[str, object]:
    return {r.message["X-Consolidate-Unit"]: r for r in server.handler.received}


def test_templates_drafts_arrive_exact(plan, smtp_server, tmp_path):
    d = definitions.load(plan)
    drafts = templates(plan, tmp_path)
    register = tmp_path / "so.sqlite"
    result = send(drafts, smtp_server, register)
    assert result.exit_code == 0, result.output
    expected = {u.code: u for u in d.expected_units(PERIOD)}
    arrived = by_unit(smtp_server)
    assert set(arrived) == set(expected) - {NO_ADDRESS_UNIT[0]}  # the unit with no address is not sent
    assert f"{NO_ADDRESS_UNIT[0]}_" in result.output
    for code, got in arrived.items():
        unit, msg = expected[code], got.message
        draft = parse(next(drafts.glob(f"{code}_*.eml")))
        assert msg["Subject"] == draft["Subject"]
        due = d.period(PERIOD).due_before.strftime("%d/%m/%Y")
        assert msg["Subject"] == (f"Đề nghị gửi báo cáo {d.short_title or d.title}, kỳ {d.period(PERIOD).label} "
                                  f"(hạn trước ngày {due})")
        assert "  " not in msg["Subject"] and "ởcơ" not in msg["Subject"]
        assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [(unit.name, unit.email)]
        assert [(a.display_name, a.addr_spec) for a in msg["Cc"].addresses] == [COPY_TO]
        assert [(a.display_name, a.addr_spec) for a in msg["From"].addresses] == [(d.collector.name, d.collector.email)]
        assert sorted(got.rcpt_tos) == sorted([unit.email, COPY_TO[1]])
        assert got.mail_from == d.collector.email
        assert msg["X-Unsent"] is None and msg["Date"] is not None
        assert msg["Message-ID"] == draft["Message-ID"]
        body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert body == draft.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert d.period(PERIOD).label in body and "Kính gửi:" in body
        (part,) = list(msg.iter_attachments())
        template = tmp_path / "bieu-mau" / part.get_filename()
        assert part.get_content() == template.read_bytes()
    long_one = arrived[LONG_UNIT[0]].message
    assert long_one["To"].addresses[0].display_name == LONG_UNIT[1]
    with Outbox(register) as outbox:
        rows = outbox.rows(PERIOD)
    assert {(r["unit_code"], r["role"]) for r in rows} == {(c, role) for c in arrived for role in ("to", "cc")}
    assert all(r["outcome"] == "sent" and r["answer"].startswith("250 2.0.0 Ok: queued as Q") for r in rows)

    again = send(drafts, smtp_server, register)  # a re-run sends nothing
    assert again.exit_code == 0, again.output
    assert len(smtp_server.handler.received) == len(arrived)
    assert "Đã gửi 0 thư" in again.output


def test_feedback_drafts_arrive_and_reply_to_the_template(plan, smtp_server, tmp_path):
    d = definitions.load(plan)
    register = tmp_path / "so.sqlite"
    assert send(templates(plan, tmp_path), smtp_server, register).exit_code == 0
    template_ids = {code: r.message["Message-ID"] for code, r in by_unit(smtp_server).items()}
    smtp_server.handler.received.clear()

    returns, receipts = build_folder(d, tmp_path / "in")
    out = tmp_path / "phan-hoi"
    result = run("feedback", "-d", plan, "-p", PERIOD, "--out", out, "--receipts", receipts, "--as-of", AS_OF_TEXT,
                 "--register", register, "--eml", "--workers", "1", returns)
    assert result.exit_code == 0, result.output
    drafts = out / "thu-nhap"
    sent = send(drafts, smtp_server, register)
    assert sent.exit_code == 0, sent.output
    arrived = by_unit(smtp_server)
    assert {"SNV", "STC", "24781", LONG_UNIT[0]} <= set(arrived)
    assert NO_ADDRESS_UNIT[0] not in arrived
    for code, got in arrived.items():
        msg, draft = got.message, parse(next(drafts.glob(f"{code}_*.eml")))
        for header in ("Subject", "To", "Cc", "From", "In-Reply-To", "References", "Message-ID"):
            assert str(msg[header]) == str(draft[header]), header
        assert msg["In-Reply-To"] == template_ids[code]  # a reply to the template the unit was sent
        assert [a.addr_spec for a in msg["Cc"].addresses] == [COPY_TO[1]]
        for part, kept in zip(msg.iter_attachments(), draft.iter_attachments(), strict=True):
            assert part.get_filename() == kept.get_filename() and part.get_content() == kept.get_content()
    invalid = arrived["SNV"].message["Subject"]
    assert invalid.startswith("Đề nghị sửa và gửi lại báo cáo ") and "  " not in invalid


def test_refused_recipient_reported_rest_sent(plan, smtp_server, tmp_path):
    drafts = templates(plan, tmp_path)
    register = tmp_path / "so.sqlite"
    smtp_server.handler.refuse.add("stc@example.gov.vn")
    result = send(drafts, smtp_server, register)
    assert result.exit_code == 1, result.output
    assert "STC_So-Tai-chinh.eml tới stc@example.gov.vn: 550 5.1.1 Mailbox unavailable" in result.output
    arrived = by_unit(smtp_server)
    assert set(arrived) == {"SNV", "24781", LONG_UNIT[0], "STC"}  # STC's Cc still got it
    assert arrived["STC"].rcpt_tos == [COPY_TO[1]]
    with Outbox(register) as outbox:
        refused = [r for r in outbox.rows(PERIOD, "STC") if r["outcome"] == "refused"]
    assert [(r["recipient"], r["answer"]) for r in refused] == [("stc@example.gov.vn", "550 5.1.1 Mailbox unavailable")]

    smtp_server.handler.refuse.clear()
    smtp_server.handler.received.clear()
    again = send(drafts, smtp_server, register)  # only what did not go out goes now
    assert again.exit_code == 0, again.output
    assert [(r.message["X-Consolidate-Unit"], r.rcpt_tos) for r in smtp_server.handler.received] == [
        ("STC", ["stc@example.gov.vn"])]


def test_auth_password_from_env(plan, smtp_auth_server, tmp_path):
    drafts = templates(plan, tmp_path)
    register = tmp_path / "so.sqlite"
    wrong = send(drafts, smtp_auth_server, register, env={"CONSOLIDATE_SMTP_PASSWORD": "sai"})
    assert wrong.exit_code == 1 and "từ chối đăng nhập" in wrong.output
    assert not smtp_auth_server.handler.received
    result = send(drafts, smtp_auth_server, register, env={"CONSOLIDATE_SMTP_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert len(smtp_auth_server.handler.received) == 4
    assert PASSWORD not in result.output and PASSWORD.encode() not in register.read_bytes()


def test_auth_password_prompt(plan, smtp_auth_server, tmp_path):
    drafts = templates(plan, tmp_path)
    result = CliRunner().invoke(cli, ["send", str(drafts), "--smtp", smtp_auth_server.url, "--delay", "0",
                                      "--register", str(tmp_path / "so.sqlite")],
                                env={"CONSOLIDATE_SMTP_PASSWORD": None}, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert len(smtp_auth_server.handler.received) == 4
    assert PASSWORD not in result.output


def test_dry_run_sends_nothing(plan, smtp_server, tmp_path):
    drafts = templates(plan, tmp_path)
    register = tmp_path / "so.sqlite"
    result = run("send", drafts, "--dry-run", "--register", register)
    assert result.exit_code == 0, result.output
    assert result.output.count("Sẽ gửi:") == 4 and "4 thư sẽ được gửi" in result.output
    assert not smtp_server.handler.received and not register.exists()


def test_usage_and_unreachable(plan, tmp_path):
    drafts = templates(plan, tmp_path)
    assert run("send", drafts).exit_code == 2  # neither --smtp nor --dry-run
    assert run("send", drafts, "--smtp", "smtp://u:pw@127.0.0.1:25").exit_code == 2  # no password in argv
    assert run("send", drafts, "--smtp", "http://127.0.0.1").exit_code == 2
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here
    gone = run("send", drafts, "--smtp", f"smtp://127.0.0.1:{port}", "--register", tmp_path / "so.sqlite")
    assert gone.exit_code == 1 and f"127.0.0.1:{port}" in gone.output
    assert run("send", tmp_path / "nope", "--dry-run").exit_code == 1


def test_same_drafts_same_message_ids(plan, tmp_path):
    first, second = templates(plan, tmp_path / "a"), templates(plan, tmp_path / "b")
    ids = [{p.name: parse(p)["Message-ID"] for p in folder.glob("*.eml")} for folder in (first, second)]
    assert ids[0] == ids[1] and len(set(ids[0].values())) == len(ids[0])


def test_throttled_between_messages(plan, smtp_server, tmp_path):
    from consolidate.mail.send import DELIVERED, send_drafts
    from consolidate.mail.smtp import parse_url

    drafts = templates(plan, tmp_path)
    pauses: list[float] = []
    report = send_drafts(drafts, parse_url(smtp_server.url), tmp_path / "so.sqlite", delay=2.5, sleep=pauses.append)
    assert len(report.of(DELIVERED)) == 4
    assert pauses == [2.5, 2.5, 2.5]  # between messages, not before the first


def test_refused_message_reported_rest_sent(plan, smtp_server, tmp_path):
    drafts = templates(plan, tmp_path)
    smtp_server.handler.refuse_units.add("SNV")
    result = send(drafts, smtp_server, tmp_path / "so.sqlite")
    assert result.exit_code == 1, result.output
    assert "SNV_So-Noi-vu.eml tới snv@example.gov.vn: 554 5.7.1 Message rejected as spam" in result.output
    assert set(by_unit(smtp_server)) == {"STC", "24781", LONG_UNIT[0]}
    smtp_server.handler.refuse_units.clear()
    assert send(drafts, smtp_server, tmp_path / "so.sqlite").exit_code == 0
    assert set(by_unit(smtp_server)) == {"SNV", "STC", "24781", LONG_UNIT[0]}
    assert len(smtp_server.handler.received) == 4
