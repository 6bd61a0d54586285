"""Every header of a draft decodes (policy.default, as mail clients read it) to exactly the
text it was given: long Vietnamese subjects and names, folded over several lines."""

from __future__ import annotations

import email.policy
import unicodedata
from email.parser import BytesParser

from hypothesis import given, settings
from hypothesis import strategies as st

from consolidate.mail.drafts import Draft, build_message
from consolidate.mail.headers import MAX_LINE, POLICY

SYLLABLES = ["dân", "chủ", "ở", "cơ", "sở", "Đề", "nghị", "sửa", "và", "gửi", "lại", "báo", "cáo", "kỳ", "6",
             "tháng", "đầu", "năm", "2026", "(1", "lỗi)", "Ủy", "ban", "nhân", "phường", "Xuân", "Hương", "-",
             "Đà", "Lạt,", "Nghệ", "An", "Tuyên", "giáo", "Tỉnh", "ủy", "D'Ran", "Hòa", "Bắc", "quý", "I",
             "Xã", "A", "=?utf-8?q?x?=", "“Danh", "sách”", "a.b", "100%"]
words = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=40).map(" ".join)
free_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")),
                    min_size=1, max_size=160).map(lambda t: " ".join(unicodedata.normalize("NFC", t).split()))


def parse(data: bytes):
    return BytesParser(policy=email.policy.default).parsebytes(data)


def draft(subject: str, name: str, cc_name: str = "Ban Tuyên giáo và Dân vận Tỉnh ủy Nghệ An") -> Draft:
    return Draft(sender=("Sở Nội vụ tỉnh Lâm Đồng - Phòng Xây dựng chính quyền và công tác thanh niên", "snv@example.gov.vn"),
                 to=(name, "unit@example.gov.vn"), subject=subject, body="Kính gửi: " + name + "\n",
                 cc=[(cc_name, "bdv@example.gov.vn")], unit_code="25042", period="2026-H1", report_id="lam-dong-2026")


def check(d: Draft) -> None:
    data = build_message(d).as_bytes()
    assert data.isascii()
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        assert len(line) <= 998
    again = BytesParser(policy=POLICY).parsebytes(data).as_bytes()  # read back to be sent
    assert again.split(b"\r\n\r\n", 1)[0] == data.split(b"\r\n\r\n", 1)[0]
    msg = parse(data)
    assert msg["Subject"] == d.subject
    assert msg["To"].addresses[0].display_name == d.to[0]
    assert msg["To"].addresses[0].addr_spec == d.to[1]
    assert msg["From"].addresses[0].display_name == d.sender[0]
    assert [a.display_name for a in msg["Cc"].addresses] == [d.cc[0][0]]
    assert msg["X-Consolidate-Unit"] == "25042"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == d.body


def test_the_reported_subject():
    subject = "Đề nghị sửa và gửi lại báo cáo Dân vận chính quyền và dân chủ ở cơ sở 2026, kỳ 6 tháng đầu năm 2026 (1 lỗi)"
    name = "Ủy ban nhân dân phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng (cũ) và Ban Tuyên giáo Nghệ An"
    check(draft(subject, name))
    raw = build_message(draft(subject, name)).as_bytes().split(b"\r\n\r\n", 1)[0]
    subject_lines = raw.split(b"Subject:", 1)[1].split(b"\r\n")
    assert len(subject_lines) > 1  # it was folded, and still decodes
    assert all(len(line) <= MAX_LINE for line in subject_lines if not line.startswith(b"X-"))


@settings(max_examples=150, deadline=None)
@given(subject=words, name=words, cc_name=words)
def test_vietnamese_words_decode_exactly(subject, name, cc_name):
    check(draft(subject, name, cc_name))


@settings(max_examples=150, deadline=None)
# a draft always has a subject (the tool words every one); a blank one is not a case to cover
@given(subject=free_text.filter(bool), name=free_text)
def test_any_text_decodes_exactly(subject, name):
    check(draft(subject, name))


# A file name holding '=?…?=' is decoded by the parser (a leniency of the standard library);
# the tool's own file names never hold one.
file_words = st.lists(st.sampled_from([w for w in SYLLABLES if "=?" not in w]), min_size=1, max_size=30).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(name=file_words)
def test_attachment_names_decode_exactly(name):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (name.replace("/", "-")[:150] + ".xlsx")
        path.write_bytes(b"PK\x03\x04" + name.encode())
        d = draft("Báo cáo", "Sở Nội vụ")
        d.attachments = [path]
        msg = parse(build_message(d).as_bytes())
        (part,) = list(msg.iter_attachments())
        assert part.get_filename() == path.name
        assert part.get_content() == path.read_bytes()
