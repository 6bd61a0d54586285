"""`consolidate report` read back from LibreOffice's PDF and from the .docx itself: the
blocks of Nghị định 30/2020 where the decree puts them, Times New Roman at its sizes, the
decree's margins, every figure equal to the status JSON, every late, missing and invalid
unit named under its group, the units' own words attributed to them."""

from __future__ import annotations

import re
import zipfile

from docx import Document

from consolidate.i18n import language, number
from tests.report.pdf import MM, fonts

TIMES = ("TimesNewRoman", "LiberationSerif")


def _paragraphs(case) -> list[str]:
    doc = Document(str(case.docx))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            out.extend(c.text for c in row.cells)
    return out


def _tables(case):
    return Document(str(case.docx)).tables


def test_fonts_and_sizes(sample):
    assert any(f.startswith(TIMES) for f in fonts(sample.pdf))
    xml = zipfile.ZipFile(sample.docx).read("word/document.xml").decode()
    assert set(re.findall(r'w:ascii="([^"]+)"', xml)) == {"Times New Roman"}
    body = [ln for ln in sample.lines if ln.page == 1 and ln.text.startswith("Thực hiện")]
    assert body and 13.5 <= body[0].size <= 14.5
    assert min(ln.size for ln in sample.lines) >= 10.5  # the smallest: "Nơi nhận" list, 11 pt


def test_margins(sample):
    for ln in sample.lines:
        if ln.text.strip().isdigit() and ln.y1 < 20 * MM:
            continue  # the page number, in the top margin as the decree puts it
        assert ln.x0 >= 29 * MM, ln
        assert ln.x1 <= ln.page_width - 14 * MM, ln
        assert ln.y0 >= 19 * MM and ln.y1 <= ln.page_height - 19 * MM, ln
        assert abs(ln.page_width - 210 * MM) < 1 and abs(ln.page_height - 297 * MM) < 1


def test_header_blocks(sample):
    first = {ln.text: ln for ln in sample.lines if ln.page == 1}
    parent, body = first["UBND TỈNH LÂM ĐỒNG"], first["SỞ NỘI VỤ"]
    nation, motto = first["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], first["Độc lập - Tự do - Hạnh phúc"]
    assert parent.y0 < body.y0 and nation.y0 < motto.y0
    assert body.x1 < nation.x0  # two columns: the bodies left, the national title right
    assert abs(parent.y0 - nation.y0) < 3
    assert "Số: …/BC-…" in first
    assert "Lâm Đồng, ngày … tháng … năm 2026" in first
    title = first["BÁO CÁO"]
    assert title.y0 > motto.y0 and abs((title.x0 + title.x1) / 2 - (30 + 165 / 2) * MM) < 6
    # no page number on the first page, then numbered in the top margin
    assert not any(ln.text.strip().isdigit() and ln.y1 < 20 * MM for ln in sample.lines if ln.page == 1)
    assert any(ln.text == "2" and ln.y1 < 20 * MM for ln in sample.lines if ln.page == 2)
    text = sample.text()
    assert "Nơi nhận: - Ủy ban nhân dân tỉnh Lâm Đồng; - Lưu: VT, …." in text


def test_reporting_counts_equal_status(sample):
    c = sample.status["counts"]
    text = " ".join(_paragraphs(sample))
    assert f"Kế hoạch yêu cầu {c['expected']} đơn vị" in text
    assert f"{c['on_time'] + c['late']}/{c['expected']} đơn vị" in text
    assert f"trong đó {c['on_time']} đơn vị gửi đúng hạn" in text and f"và {c['late']} đơn vị gửi muộn" in text
    assert f"{c['invalid']} đơn vị gửi báo cáo có lỗi" in text and f"{c['missing']} đơn vị chưa gửi" in text


def _named_under_group(case) -> None:
    paragraphs = _paragraphs(case)
    d = case.result.merge.definition
    for code, unit in case.status["units"].items():
        if unit["status"] not in ("late", "missing", "invalid"):
            continue
        label = d.group_label(unit["group"])
        heading = {"late": "muộn", "missing": "chưa gửi", "invalid": "có lỗi"}[unit["status"]]
        # "- Các đơn vị gửi báo cáo muộn:" then "+ <group> (n): A (muộn 2 ngày); B."
        at = next(i for i, p in enumerate(paragraphs) if p.startswith("- Các đơn vị") and heading in p)
        block = []
        for p in paragraphs[at + 1:]:
            if not p.startswith("+ "):
                break
            block.append(p)
        mine = next(p for p in block if p.startswith(f"+ {label} ("))
        assert re.search(re.escape(unit["name"]) + r"( \(muộn \d+ ngày\))?[;.]", mine), (code, mine)


def test_every_late_missing_invalid_unit_named_under_its_group(sample, nghe_an):
    _named_under_group(sample)
    _named_under_group(nghe_an)
    # and on the printed page (names may wrap, never break)
    text = sample.text()
    for unit in sample.status["units"].values():
        if unit["status"] == "late":
            assert unit["name"] in text


def _indicator_rows(case) -> dict[str, list[str]]:
    rows = {}
    for table in _tables(case):
        head = [c.text for c in table.rows[0].cells]
        if head[:4] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Toàn tỉnh"]:
            for row in table.rows[1:]:
                cells = [c.text for c in row.cells]
                rows[cells[1]] = cells
    return rows


def test_indicator_figures_equal_status(sample):
    rows = _indicator_rows(sample)
    d = sample.result.merge.definition
    checked = 0
    with language("vi"):
        for fid, entry in sample.status["fields"].items():
            f = d.field(fid)
            if f is None or f.section_type if hasattr(f, "section_type") else False:
                continue
            label = (f"{f.heading}: " if f.heading else "") + f.label
            if label not in rows:
                continue
            cells = rows[label]
            value = entry["value"]
            if isinstance(value, (int, float)):
                decimals = 0 if isinstance(value, int) or f.type == "integer" else 2
                assert cells[3] == number(value, decimals), (fid, cells)
                assert cells[5] == number(value - 10, decimals), (fid, cells)  # the previous period
                assert cells[6].startswith("+10"), (fid, cells)
            assert cells[4] == str(entry["units_reporting"])
            checked += 1
    assert checked >= 20


def test_units_words_attributed(sample, nghe_an):
    for case in (sample, nghe_an):
        paragraphs = _paragraphs(case)
        agg = case.result.merge.aggregates
        for answers in agg.texts.values():
            for a in answers:
                for fid in ("kho_khan", "de_xuat"):
                    words = (a.values.get(fid) or "").replace("\x0b", "\n").strip()
                    if words:
                        first = words.splitlines()[0].strip()
                        assert f"- {a.unit.name}: {first}" in paragraphs, (a.unit.name, fid)


def test_other_plan_header_and_recipients(nghe_an):
    first = {ln.text for ln in nghe_an.lines if ln.page == 1}
    assert {"UBND TỈNH NGHỆ AN", "SỞ NỘI VỤ"} <= first
    assert any(t.startswith("Nghệ An, ngày … tháng …") for t in first)
    d = nghe_an.result.merge.definition
    for recipient in (d.issuer, *(getattr(c, "name", c) for c in d.copy_to)):
        assert any(f"- {recipient};" in p for p in _paragraphs(nghe_an)), recipient
    text = nghe_an.text()
    assert "Phụ lục 1" in text and "Phụ lục 2" in text
