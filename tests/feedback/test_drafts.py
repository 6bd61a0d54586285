"""Email drafts: parse back, right headers, the right attachment, empty To without email."""

from __future__ import annotations

import email.policy
from email.parser import BytesParser
from pathlib import Path

from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.feedback.drafts import XLSX_TYPE, build_draft
from consolidate.feedback.reminders import Reminder
from consolidate.feedback.run import run_feedback
from tests.feedback.conftest import AS_OF, AS_OF_TEXT, build_folder, copy_plan

XLSX = "/".join(XLSX_TYPE)


def parse(path: Path):
    with open(path, "rb") as handle:
        return BytesParser(policy=email.policy.default).parse(handle)


def test_one_draft_per_reminder(mini, folder, tmp_path):
    out = tmp_path / "out"
    result = run_feedback(mini, "2026-H1", folder["returns"], out, receipts=folder["receipts"], as_of=AS_OF,
                          eml=True, workers=1)
    names = sorted(p.name for p in (out / "thu-nhap").iterdir())
    assert names == ["24781_Phuong-Xuan-Huong-Da-Lat.eml", "SNV_So-Noi-vu.eml", "STC_So-Tai-chinh.eml"]
    by_code = {r.code: r for r in result.reminders}
    for path in result.drafts:
        msg = parse(path)
        rem = by_code[path.name.split("_", 1)[0]]
        assert msg["X-Unsent"] == "1"
        assert msg["From"].addresses[0].addr_spec == mini.collector.email
        assert msg["From"].addresses[0].display_name == mini.collector.name
        assert msg["To"].addresses[0].addr_spec == rem.unit.email
        assert mini.period("2026-H1").label in msg["Subject"]
        body = msg.get_body(("plain",))
        assert body.get_content_charset() == "utf-8"
        assert body.get_content() .replace("\r\n", "\n") == rem.message
        attachments = list(msg.iter_attachments())
        assert len(attachments) == 1
        part = attachments[0]
        assert part.get_content_type() == XLSX
        assert part.get_filename() == rem.attachment.name
        assert part.get_content() == rem.attachment.read_bytes()
    raw = result.drafts[0].read_bytes()
    assert b"\r\n" in raw and all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_unit_without_email(mini_copy, tmp_path):
    csv_path = mini_copy / "don-vi.csv"
    text = csv_path.read_text(encoding="utf-8").replace("xuanhuong@example.gov.vn", "")
    csv_path.write_text(text, encoding="utf-8")
    from consolidate.definition import loader as definitions

    plan = definitions.load(mini_copy)
    returns, receipts = build_folder(plan, tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["feedback", "-d", str(mini_copy), "-p", "2026-H1", "--out", str(out),
                                      "--receipts", str(receipts), "--as-of", AS_OF_TEXT, "--eml",
                                      "--workers", "1", str(returns)])
    assert result.exit_code == 0, result.output
    assert "cần bổ sung địa chỉ: 24781" in result.output
    msg = parse(out / "thu-nhap" / "24781_Phuong-Xuan-Huong-Da-Lat.eml")
    assert not msg["To"]
    assert [a.get_filename() for a in msg.iter_attachments()] == ["2026-H1_24781_Phuong-Xuan-Huong-Da-Lat.xlsx"]


def test_non_ascii_attachment_name_uses_rfc2231(mini, tmp_path):
    attachment = tmp_path / "Báo cáo Sở Nội vụ - đánh dấu lỗi kỳ 6 tháng đầu năm 2026.xlsx"
    attachment.write_bytes(b"PK\x03\x04 data")
    rem = Reminder(unit=mini.unit("SNV"), status="invalid", kind="invalid", attachment=attachment,
                   subject="Đề nghị sửa và gửi lại", message="Kính gửi: Sở Nội vụ\n\nTrân trọng.\n")
    data = build_draft(rem, mini.collector.name, mini.collector.email).as_bytes()
    assert b"filename*0*=utf-8''B%C3%A1o" in data or b"filename*=utf-8''B%C3%A1o" in data
    msg = BytesParser(policy=email.policy.default).parsebytes(data)
    part = next(msg.iter_attachments())
    assert part.get_filename() == attachment.name
    assert part.get_content() == attachment.read_bytes()
    assert data.isascii()


def test_cli_plain_run(mini, tmp_path):
    returns, receipts = build_folder(mini, tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["feedback", "-d", str(Path(mini.path).parent), "-p", "2026-H1", "--out",
                                      str(out), "--receipts", str(receipts), "--as-of", AS_OF_TEXT, "--workers", "1",
                                      str(returns)])
    assert result.exit_code == 0, result.output
    assert (out / "nhac-nho.xlsx").is_file() and (out / "nhac-nho.csv").is_file()
    assert not (out / "thu-nhap").exists()  # no --eml, no drafts
    assert "3 đơn vị cần nhắc" in result.output


def test_cli_exit_codes(mini, tmp_path):
    returns, _ = build_folder(mini, tmp_path / "in")
    plan = str(Path(mini.path).parent)
    run = CliRunner().invoke
    # usage: the output inside the returns folder, a bad --as-of, an unknown period
    inside = run(cli, ["feedback", "-d", plan, "-p", "2026-H1", "--out", str(returns / "out"), str(returns)])
    assert inside.exit_code == 2, inside.output
    assert not (returns / "out").exists()
    bad_time = run(cli, ["feedback", "-d", plan, "-p", "2026-H1", "--out", str(tmp_path / "o"), "--as-of", "hôm qua",
                         str(returns)])
    assert bad_time.exit_code == 2
    assert run(cli, ["feedback", "-d", plan, "-p", "2099-Q1", "--out", str(tmp_path / "o"), str(returns)]).exit_code == 2
    # cannot do its job: no such returns folder, output is a file, definition unreadable
    missing = run(cli, ["feedback", "-d", plan, "-p", "2026-H1", "--out", str(tmp_path / "o"), str(tmp_path / "nope")])
    assert missing.exit_code == 1, missing.output
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert run(cli, ["feedback", "-d", plan, "-p", "2026-H1", "--out", str(a_file), str(returns)]).exit_code == 2
    broken = copy_plan(Path(plan), tmp_path / "broken")
    (broken / "definition.yaml").write_text("id: [", encoding="utf-8")
    assert run(cli, ["feedback", "-d", str(broken), "-p", "2026-H1", "--out", str(tmp_path / "o"),
                     str(returns)]).exit_code == 1
