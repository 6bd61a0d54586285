"""Hostile and broken messages: each becomes a located problem naming the message, the batch
goes on, and whatever could be used is kept."""

from __future__ import annotations

import io
import zipfile

import pytest

from consolidate.intake import mime, run_intake
from consolidate.reading import guard
from tests.intake.conftest import XLSX, message, raw, return_bytes, vn

WHEN = vn(2026, 6, 3, 9, 0)


def codes(parsed) -> set[str]:
    return {p.code for p in parsed.problems}


def test_winmail_dat(definition, tmp_path):
    msg = message("snv@example.gov.vn", "Outlook", [("winmail.dat", b"\x78\x9f\x3e\x22" + b"\0" * 64,
                                                     "application/ms-tnef")])
    parsed = mime.parse(raw(msg), WHEN)
    problem = next(p for p in parsed.problems if p.code == "mail-winmail-dat")
    assert problem.file == "winmail.dat"
    assert problem.params["sender"] == "snv@example.gov.vn" and problem.params["subject"] == "Outlook"
    assert problem.params["date"] == "03/06/2026 09:00"
    assert parsed.attachments == []


def test_unknown_charsets_in_header_and_body():
    data = (b"From: =?x-khong-ro?q?Nguy=E1n?= <snv@example.gov.vn>\r\nSubject: =?x-khong-ro?q?B=E1o_c=E1o?=\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-tcvn3-la\r\n\r\n\xb8o c\xb8o\r\n")
    parsed = mime.parse(data, WHEN)
    values = {p.value for p in parsed.problems if p.code == "mail-unknown-charset"}
    assert values == {"x-khong-ro", "x-tcvn3-la"}
    assert parsed.sender == "snv@example.gov.vn" and "\udce1" not in parsed.subject


def test_oversize_attachment(definition, tmp_path, monkeypatch):
    data = return_bytes(definition, "SNV", tmp_path)
    monkeypatch.setattr(guard, "MAX_FILE_BYTES", len(data) // 2)
    parsed = mime.parse(raw(message("snv@example.gov.vn", "To", [("lon.xlsx", data, XLSX)])), WHEN)
    assert "mail-attachment-too-large" in codes(parsed) and parsed.attachments == []


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bao-cao.xlsx", b"\0" * (8 * 1024 * 1024))
    return out.getvalue()


def test_zip_bomb_attachment_and_bomb_in_a_workbook(definition, tmp_path):
    bomb = _bomb()
    good = return_bytes(definition, "SNV", tmp_path)
    workbook_bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(workbook_bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))
    msg = message("snv@example.gov.vn", "Nén", [("bom.zip", bomb, "application/zip"),
                                                 ("bom.xlsx", workbook_bomb.getvalue(), XLSX),
                                                 ("that.xlsx", good, XLSX)])
    parsed = mime.parse(raw(msg), WHEN)
    bombs = sorted(p.file for p in parsed.problems if p.code == "mail-zip-bomb")
    assert bombs == ["bom.xlsx", "bom.zip"]
    assert [a.name for a in parsed.attachments] == ["that.xlsx"]  # the good one is kept


def test_malformed_mime_keeps_what_it_can(definition, tmp_path):
    good = return_bytes(definition, "SNV", tmp_path)
    import base64

    body = base64.encodebytes(good).replace(b"\n", b"\r\n")
    data = (b"From: snv@example.gov.vn\r\nSubject: Hong\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
            b"--B\r\nContent-Type: application/octet-stream; name=a.xlsx\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + body + b"\r\n--B\r\nContent-Type: multipart/alternative\r\n\r\nkhong co boundary\r\n"
            b"--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@\r\n")
    parsed = mime.parse(data, WHEN)
    assert "mail-malformed" in codes(parsed)
    assert [a.format for a in parsed.attachments] == ["xlsx"]


@pytest.mark.parametrize("data", [
    b"", b"\0\xff" * 500, b"From: \r\n\r\n", b"Content-Type: multipart/mixed; boundary=x\r\n\r\n" + b"--x\r\n" * 5000,
    b"Content-Type: multipart/mixed; boundary=x\r\n\r\n"
    + b"".join(b"--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" for _ in range(1200)),
], ids=["empty", "binary", "empty-from", "many-boundaries", "nested-deep"])
def test_garbage_never_raises(data):
    parsed = mime.parse(data, WHEN)
    assert parsed.attachments == [] and parsed.received_at == WHEN


def test_link_only_and_locked_workbook(definition, tmp_path):
    link = message("syt@example.gov.vn", "Link", body="Báo cáo ở https://drive.example.com/file/d/abc nhé")
    parsed = mime.parse(raw(link), WHEN)
    assert parsed.links == ["https://drive.example.com/file/d/abc"] and parsed.attachments == []
    locked = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64
    parsed = mime.parse(raw(message("syt@example.gov.vn", "Có mật khẩu", [("bc.xlsx", locked, XLSX)])), WHEN)
    assert [(a.name, a.format) for a in parsed.attachments] == [("bc.xlsx", "")]  # kept: the merge says why


def test_batch_goes_on_and_the_unit_status_says_so(definition, tmp_path):
    inbox = tmp_path / "thu"
    inbox.mkdir()
    (inbox / "1.eml").write_bytes(b"\0\xff" * 100)
    (inbox / "2.eml").write_bytes(raw(message("syt@example.gov.vn", "Link", body="https://drive.example.com/x",
                                              date=WHEN)))
    (inbox / "3.eml").write_bytes(raw(message("snv@example.gov.vn", "Tốt", [("a.xlsx", return_bytes(
        definition, "SNV", tmp_path), XLSX)], date=WHEN)))
    result = run_intake(definition, definition.period("2026-H1"), tmp_path / "nhan-ve", [str(inbox)])
    assert len(result.taken) == 3 and len(result.saved) == 1
    syt = next(t for t in result.taken if t.row.sender == "syt@example.gov.vn")
    problem = next(p for p in syt.problems if p.code == "mail-no-spreadsheet")
    assert problem.path == str(inbox / "2.eml") and "https://drive.example.com/x" in problem.message


def test_unreadable_zip_members_give_a_vietnamese_reason_first(definition, tmp_path):
    """A member whose bytes are damaged (CRC) and a password-protected member: each its
    problem, whose note is a catalogue message, the zip library's words after."""
    from tests.reading.test_sniff_zip import assert_reason_first, load_catalogue

    good = return_bytes(definition, "SNV", tmp_path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("hong.xlsx", good)
        zf.writestr("khoa.xlsx", b"x" * 64)
    data = bytearray(out.getvalue())
    at = data.index(good[:64]) + 200
    data[at : at + 8] = b"\xff" * 8  # member bytes no longer match their CRC
    locked = data.index(b"khoa.xlsx")  # the local header's flag bit 0: encrypted
    data[locked - 30 + 6] |= 1
    central = data.rindex(b"khoa.xlsx")
    data[central - 46 + 8] |= 1
    parsed = mime.parse(raw(message("snv@example.gov.vn", "Zip", [("bao-cao.zip", bytes(data), "application/zip")])),
                        WHEN)
    unreadable = [p for p in parsed.problems if p.code == "mail-zip-unreadable"]
    assert sorted(p.file for p in unreadable) == ["bao-cao.zip/hong.xlsx", "bao-cao.zip/khoa.xlsx"]
    catalogue = load_catalogue()
    for problem in unreadable:
        assert_reason_first(problem, catalogue)
