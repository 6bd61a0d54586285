"""intake from saved messages: a folder of .eml files, a Maildir, an mbox file."""

from __future__ import annotations

import mailbox
import os

from consolidate.intake import run_intake
from consolidate.merge.register import Register
from tests.intake.conftest import XLSX, message, raw, return_bytes, vn


def _intake(definition, returns, *sources, register=None):
    return run_intake(definition, definition.period("2026-H1"), returns, [str(s) for s in sources],
                      register_path=register)


def test_eml_folder_receipt_times_and_rerun(definition, tmp_path):
    inbox = tmp_path / "thu"
    inbox.mkdir()
    snv = message("snv@example.gov.vn", "Báo cáo SNV", [("snv.xlsx", return_bytes(definition, "SNV", tmp_path), XLSX)],
                  date=vn(2026, 6, 1, 9, 0))
    snv["Received"] = "from relay.example.gov.vn by mx.example.gov.vn; Thu, 04 Jun 2026 08:15:00 +0700"
    snv["Received"] = "from pc by relay.example.gov.vn; Thu, 04 Jun 2026 08:10:00 +0700"  # an earlier hop, below
    (inbox / "snv.eml").write_bytes(raw(snv))
    stc = message("stc@example.gov.vn", "Báo cáo STC", [("stc.xlsx", return_bytes(definition, "STC", tmp_path), XLSX)],
                  date=vn(2026, 6, 6, 14, 0))
    (inbox / "stc.eml").write_bytes(raw(stc))
    undated = message("xuanhuong@example.gov.vn", "Không ngày", [])
    (inbox / "khong-ngay.eml").write_bytes(raw(undated))
    os.utime(inbox / "khong-ngay.eml", (vn(2026, 6, 2, 7, 0).timestamp(),) * 2)
    (inbox / "outlook.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    (inbox / "ghi-chu.txt").write_text("không phải thư", encoding="utf-8")

    returns = tmp_path / "nhan-ve"
    result = _intake(definition, returns, inbox)
    got = {t.row.sender: t.row for t in result.taken}
    assert got["snv@example.gov.vn"].received_at == vn(2026, 6, 4, 8, 15)
    assert got["snv@example.gov.vn"].received_source == "received"
    assert got["stc@example.gov.vn"].received_at == vn(2026, 6, 6, 14, 0)
    assert got["stc@example.gov.vn"].received_source == "date"
    assert got["xuanhuong@example.gov.vn"].received_source == "mtime"
    assert got["xuanhuong@example.gov.vn"].received_at == vn(2026, 6, 2, 7, 0)
    codes = {p.code for p in result.problems}
    assert {"mail-file-unsupported", "mail-no-date", "mail-no-spreadsheet"} <= codes
    assert sorted(p.name for p in returns.iterdir()) == ["20260604-0815_snv_snv.xlsx", "20260606-1400_stc_stc.xlsx"]

    again = _intake(definition, returns, inbox)
    assert again.taken == [] and sorted(p.name for p in returns.iterdir()) == [
        "20260604-0815_snv_snv.xlsx", "20260606-1400_stc_stc.xlsx"]


def test_maildir_and_mbox(definition, tmp_path):
    data = return_bytes(definition, "SNV", tmp_path)
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(raw(message("snv@example.gov.vn", "Qua Maildir", [("a.xlsx", data, XLSX)], date=vn(2026, 6, 3, 8, 0))))
    mbox_path = tmp_path / "hop-thu.mbox"
    mb = mailbox.mbox(mbox_path, create=True)
    mb.add(raw(message("stc@example.gov.vn", "Qua mbox", [("b.xlsx", return_bytes(definition, "STC", tmp_path), XLSX)],
                       date=vn(2026, 6, 4, 8, 0))))
    mb.add(raw(message("skh@example.gov.vn", "Cùng tệp với SNV", [("c.xlsx", data, XLSX)], date=vn(2026, 6, 5, 8, 0))))
    mb.flush()
    mb.close()
    before = mbox_path.read_bytes()
    returns = tmp_path / "nhan-ve"
    result = _intake(definition, returns, tmp_path / "Maildir", mbox_path)
    assert [len(s.taken) for s in result.sources] == [1, 2]
    assert mbox_path.read_bytes() == before  # inputs are never modified
    same = [t for t in result.taken if t.row.sender == "skh@example.gov.vn"][0]
    assert [f.saved for f in same.files] == [False]  # the same content is saved once
    assert len(list(returns.iterdir())) == 2
    with Register(tmp_path / ".consolidate" / "register.sqlite") as register:
        assert [m["subject"] for m in register.messages("2026-H1")] == ["Qua Maildir", "Qua mbox", "Cùng tệp với SNV"]


def test_names_never_overwrite(definition, tmp_path):
    returns = tmp_path / "nhan-ve"
    returns.mkdir()
    (returns / "20260603-0800_snv_bao-cao.xlsx").write_bytes(b"tep cua nguoi dung")
    inbox = tmp_path / "thu"
    inbox.mkdir()
    for n in (1, 2):
        data = return_bytes(definition, "SNV", tmp_path, seed=n)
        (inbox / f"{n}.eml").write_bytes(raw(message("snv@example.gov.vn", f"Lần {n}", [("bao-cao.xlsx", data, XLSX)],
                                                     date=vn(2026, 6, 3, 8, 0))))
    _intake(definition, returns, inbox)
    assert (returns / "20260603-0800_snv_bao-cao.xlsx").read_bytes() == b"tep cua nguoi dung"
    assert sorted(p.name for p in returns.iterdir()) == [
        "20260603-0800_snv_bao-cao-2.xlsx", "20260603-0800_snv_bao-cao-3.xlsx", "20260603-0800_snv_bao-cao.xlsx"]
