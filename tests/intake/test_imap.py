"""intake from a real IMAP server (pymap on 127.0.0.1), then merge with no receipts book."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from email.message import EmailMessage

import openpyxl
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from consolidate.cli.main import cli
from consolidate.merge.register import Register
from consolidate.merge.summary.common import STATUS
from tests.conftest import ROOT
from tests.intake.conftest import XLSX, message, raw, return_bytes, vn


def invoke(*args, env=None):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def scenario(server, definition, tmp_path) -> tuple[str, dict]:
    """A period's mail: on time, late, resubmitted, PDF only, forwarded, zipped, broken MIME
    part, unknown sender. Returns the mailbox and the INTERNALDATE of each unit's last mail."""
    box = server.new_mailbox()
    ret = lambda code, seed=0, **kw: return_bytes(definition, code, tmp_path, seed, **kw)  # noqa: E731
    put = server.append
    put(box, raw(message("Sở Nội vụ <snv@example.gov.vn>", "Báo cáo 6 tháng đầu năm 2026 - Sở Nội vụ",
                         [("Báo cáo SNV.xlsx", ret("SNV"), XLSX)])), vn(2026, 6, 3, 10, 0))
    put(box, raw(message("stc@example.gov.vn", "Báo cáo STC", [("stc.xlsx", ret("STC"), XLSX)])),
        vn(2026, 6, 7, 9, 0))
    put(box, raw(message("xuanhuong@example.gov.vn", "Báo cáo phường Xuân Hương",
                         [("xh.xlsx", ret("24781", don_tiep_nhan=1, don_giai_quyet=5), XLSX)])), vn(2026, 6, 2, 8, 0))
    put(box, raw(message("xuanhuong@example.gov.vn", "Gửi lại báo cáo đã sửa",
                         [("xh.xlsx", ret("24781", seed=1), XLSX)])), vn(2026, 6, 4, 16, 30))
    put(box, raw(message("syt@example.gov.vn", "Báo cáo Sở Y tế",
                         [("bao-cao.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n", "application/pdf")])),
        vn(2026, 6, 3, 11, 0))
    inner = message("sgd@example.gov.vn", "Báo cáo Sở GD&ĐT", [("sgd.xlsx", ret("SGD"), XLSX)])
    outer = message("Văn thư <vanthu@example.gov.vn>", "Fwd: Báo cáo Sở GD&ĐT", body="Chuyển tiếp")
    outer.add_attachment(inner)
    put(box, raw(outer), vn(2026, 6, 4, 9, 0))
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bao cao so xay dung.xlsx", ret("SXD"))
        zf.writestr("cong-van.txt", "Công văn kèm theo")
    put(box, raw(message("sxd@example.gov.vn", "Báo cáo SXD (nén)", [("baocao.zip", zipped.getvalue(),
                                                                    "application/zip")])), vn(2026, 6, 4, 10, 0))
    put(box, broken_mime(ret("SCT")), vn(2026, 6, 4, 11, 0))
    put(box, raw(message("Người lạ <nguoila@gmail.com>", "bao cao", [("skh.xlsx", ret("SKH"), XLSX)])),
        vn(2026, 6, 5, 8, 0))
    return box, {"SNV": vn(2026, 6, 3, 10, 0), "STC": vn(2026, 6, 7, 9, 0), "24781": vn(2026, 6, 4, 16, 30),
                 "SGD": vn(2026, 6, 4, 9, 0), "SXD": vn(2026, 6, 4, 10, 0), "SCT": vn(2026, 6, 4, 11, 0),
                 "SKH": vn(2026, 6, 5, 8, 0)}


def broken_mime(xlsx: bytes) -> bytes:
    """A good attachment, then a part whose base64 is garbage, and no closing boundary."""
    good = EmailMessage()
    good.add_attachment(xlsx, maintype="application", subtype="octet-stream", filename="sct.xlsx")
    part = good.get_payload()[0].as_bytes().split(b"\n\n", 1)
    head = (b"From: sct@example.gov.vn\r\nTo: sonoivu@example.gov.vn\r\nSubject: =?utf-8?b?QsOhbyBjw6FvIFNDVA==?=\r\n"
            b"Message-ID: <broken-sct@example.gov.vn>\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/mixed; boundary="BOUND"\r\n\r\n')
    return (head + b"--BOUND\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nXin gui\r\n"
            + b"--BOUND\r\n" + part[0] + b"\n\n" + part[1]
            + b"\r\n--BOUND\r\nContent-Type: application/vnd.ms-excel; name=hong.xls\r\n"
              b"Content-Transfer-Encoding: base64\r\n\r\n!!!@@@ khong phai base64 ###\r\n")


def test_intake_then_merge_follows_the_mail_times(imap_server, imap_env, plan, definition, tmp_path):
    box, times = scenario(imap_server, definition, tmp_path)
    returns = tmp_path / "nhan-ve" / "2026-H1"
    result = invoke("intake", "-d", str(plan), "-p", "2026-H1", "--into", str(returns),
                    "--json", str(tmp_path / "intake.json"), imap_server.url(box))
    assert result.exit_code == 0, result.output
    taken = json.loads((tmp_path / "intake.json").read_text(encoding="utf-8"))["sources"][0]["messages"]
    assert len(taken) == 9
    by_sender = {}
    for m in taken:
        by_sender.setdefault(m["sender"], []).append(m)
    assert by_sender["syt@example.gov.vn"][0]["outcome"] == "no-spreadsheet"
    assert by_sender["syt@example.gov.vn"][0]["unit_code"] == "SYT"
    assert "mail-no-spreadsheet" in {p["code"] for p in by_sender["syt@example.gov.vn"][0]["problems"]}
    assert by_sender["vanthu@example.gov.vn"][0]["unit_code"] == "SGD"  # the forwarded sender
    assert by_sender["nguoila@gmail.com"][0]["unit_code"] is None
    assert "mail-unknown-sender" in {p["code"] for p in by_sender["nguoila@gmail.com"][0]["problems"]}
    sct = by_sender["sct@example.gov.vn"][0]
    assert len(sct["files"]) == 1 and "mail-malformed" in {p["code"] for p in sct["problems"]}
    assert sct["subject"] == "Báo cáo SCT"
    saved = sorted(p.name for p in returns.iterdir())
    assert len(saved) == 8  # every spreadsheet once; the PDF and the text file in the zip are not returns
    assert "20260603-1000_snv_Báo cáo SNV.xlsx" in saved and "20260604-1000_sxd_bao cao so xay dung.xlsx" in saved

    status_path = tmp_path / "status.json"
    merged = invoke("merge", "-d", str(plan), "-p", "2026-H1", "--as-of", "2026-06-10T08:00", "--workers", "1",
                    "--out", str(tmp_path / "tong-hop.xlsx"), "--json", str(status_path), str(returns))
    assert merged.exit_code == 0, merged.output
    status = json.loads(status_path.read_text(encoding="utf-8"))
    Draft202012Validator(json.loads((ROOT / "schemas" / "merge-status.schema.json").read_text(encoding="utf-8"))
                         ).validate(status)
    units = status["units"]
    expected = {"SNV": "on_time", "STC": "late", "24781": "on_time", "SGD": "on_time", "SXD": "on_time",
                "SCT": "on_time", "SKH": "late", "SYT": "missing"}
    assert {code: units[code]["status"] for code in expected} == expected
    for code, at in times.items():
        assert units[code]["received_at_source"] == "email"
        assert units[code]["received_at"] == at.isoformat()
    assert units["24781"]["submissions"] == 2
    assert [m["sender"] for m in units["SYT"]["mail_without_return"]] == ["syt@example.gov.vn"]
    assert units["SNV"]["mail_without_return"] == []
    assert len(status["messages"]) == 9
    assert {"mail-without-return", "mail-unknown-sender"} <= {n["code"] for n in status["notices"]}
    assert "receipt-from-mtime" not in {n["code"] for n in status["notices"]}
    sheet = openpyxl.load_workbook(tmp_path / "tong-hop.xlsx", read_only=True)[STATUS]
    labels = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("snv@example.gov.vn" in c and "Báo cáo 6 tháng đầu năm 2026 - Sở Nội vụ" in c for c in labels)

    feedback = invoke("feedback", "-d", str(plan), "-p", "2026-H1", "--as-of", "2026-06-10T08:00", "--workers", "1",
                      "--out", str(tmp_path / "phan-hoi"), str(returns))
    assert feedback.exit_code == 0, feedback.output
    with open(tmp_path / "phan-hoi" / "nhac-nho.csv", encoding="utf-8-sig") as handle:
        rows = {r["ma_don_vi"]: r for r in csv.DictReader(handle)}
    assert "Báo cáo Sở Y tế" in rows["SYT"]["noi_dung"] and "không kèm tệp Excel" in rows["SYT"]["noi_dung"]

    again = invoke("intake", "-d", str(plan), "-p", "2026-H1", "--into", str(returns), imap_server.url(box))
    assert again.exit_code == 0 and "không có thư mới" in again.output
    assert sorted(p.name for p in returns.iterdir()) == saved
    with Register(tmp_path / "nhan-ve" / ".consolidate" / "register.sqlite") as register:
        assert len(register.messages("2026-H1")) == 9
        last = register.messages_for_unit("2026-H1", "24781")
        assert [m["subject"] for m in last] == ["Báo cáo phường Xuân Hương", "Gửi lại báo cáo đã sửa"]
        assert last[-1]["message_id"].endswith("@example.gov.vn")
    assert all(b"\\Seen" not in f for f in imap_server.flags(box))  # read-only by default
