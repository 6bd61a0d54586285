"""The shipped report template (templates/_shared/bao-cao.docx), built with python-docx so
it can be rebuilt and reviewed; a province then restyles or rewords the .docx in Word.

    python -m consolidate.report.skeleton templates/_shared/bao-cao.docx

Layout of Nghị định 30/2020/NĐ-CP, Phụ lục I (thể thức văn bản hành chính): A4; margins top
and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman; the issuing body (bold capitals)
under its parent body (capitals), a short rule under it, "Số: …/BC-…" below; in the right
column the national title (bold capitals, 13 pt), the motto (bold, 14 pt) with a rule as long
as the line, place and date in italics; "BÁO CÁO" and the summary title (bold, 14 pt)
centred; body 14 pt, justified, first line indented 1.27 cm, 6 pt between paragraphs;
"Nơi nhận:" (12 pt bold italic) with the list in 11 pt, one recipient a line, ending with
"- Lưu: VT, …."; page numbers centred in the top margin, none on the first page.

Placeholders are docxtpl/Jinja tags ({{ … }}, {%p … %}, {%tr … %}) over the context built by
consolidate.report.context; "…" runs, highlighted, are what the specialist writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
BODY_PT = 14
GAP = "…"  # what the specialist fills in


def _font(run, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic


class Builder:
    def __init__(self) -> None:
        self.doc = Document()
        self._styles()
        self._page()

    # ------------------------------------------------------------------ set-up
    def _styles(self) -> None:
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        fonts = normal.element.get_or_add_rPr().find(qn("w:rFonts"))
        for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(slot), FONT)
        fmt = normal.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(6)
        fmt.line_spacing = 1.15
        # every style falls back on the document defaults: Times New Roman there too, or a
        # table or an empty paragraph prints in whatever font the viewer has
        defaults = self.doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = defaults.find(qn("w:rFonts"))
        for key in list(fonts.attrib):
            del fonts.attrib[key]
        for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(slot), FONT)

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance, section.footer_distance = Mm(10), Mm(10)
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._field(header, "PAGE", size=13)

    @staticmethod
    def _field(paragraph, instruction: str, size: float) -> None:
        run = paragraph.add_run()
        _font(run, size)
        for kind, text in (("begin", None), (None, f" {instruction} "), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
                run._element.append(el)
            elif text.strip() == instruction:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
                run._element.append(el)
            else:
                el = OxmlElement("w:t")
                el.text = text
                run._element.append(el)

    # ------------------------------------------------------------------ paragraphs
    def para(self, *parts, container=None, align=None, size: float = BODY_PT, bold=False, italic=False,
             indent: bool = False, after: float | None = None, before: float | None = None,
             keep_next: bool = False, line: float | None = None):
        """A paragraph of runs: a str is plain text (Jinja tags included), GAP a highlighted
        gap; a (text, dict) pair a run with its own bold/italic/size."""
        target = container if container is not None else self.doc
        p = target.add_paragraph()
        fmt = p.paragraph_format
        if align is not None:
            p.alignment = align
        elif indent:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            fmt.first_line_indent = Cm(1.27)
        if after is not None:
            fmt.space_after = Pt(after)
        if before is not None:
            fmt.space_before = Pt(before)
        if line is not None:
            fmt.line_spacing = line
        fmt.keep_with_next = keep_next
        for part in parts:
            text, props = part if isinstance(part, tuple) else (part, {})
            run = p.add_run(text)
            _font(run, props.get("size", size), props.get("bold", bold), props.get("italic", italic))
            if text == GAP or props.get("gap"):
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return p

    def tag(self, text: str, container=None):
        """A paragraph holding only a {%p … %} tag (docxtpl removes it when rendering)."""
        return self.para(text, container=container, after=0)

    def heading(self, text: str, level: int = 1):
        return self.para(text, bold=True, indent=True, keep_next=True, size=BODY_PT,
                         align=WD_ALIGN_PARAGRAPH.JUSTIFY, italic=level == 3)

    @staticmethod
    def rule(container, left_cm: float, right_cm: float) -> None:
        """A solid line on a paragraph of its own, as long as its box (indents set the length)."""
        paragraph = container.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.left_indent, fmt.right_indent = Cm(left_cm), Cm(right_cm)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = Pt(2)
        ppr = paragraph._element.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        ppr.insert(0, borders)
        _font(paragraph.add_run(), 2)

    # ------------------------------------------------------------------ tables
    def table(self, widths_mm: list[float], header: list[str] | None, size: float = 12, borders: bool = True):
        table = self.doc.add_table(rows=0, cols=len(widths_mm))
        if borders:
            table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for col, width in zip(table.columns, widths_mm, strict=True):
            col.width = Mm(width)
        if header:
            cells = table.add_row().cells
            for cell, label, width in zip(cells, header, widths_mm, strict=True):
                cell.width = Mm(width)
                self.cell(cell, label, size=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            _repeat_header(table.rows[0])
        return table

    def row(self, table, texts: list[str], size: float = 12, aligns: list | None = None, bold: bool = False):
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, texts, strict=True)):
            cell.width = table.columns[i].width
            self.cell(cell, text, size=size, bold=bold, align=(aligns or [None] * len(texts))[i])
        return cells

    def cell(self, cell, text: str, size: float = 12, bold: bool = False, italic: bool = False, align=None):
        p = cell.paragraphs[0]
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        p.paragraph_format.first_line_indent = Cm(0)
        if align is not None:
            p.alignment = align
        run = p.add_run(text)
        _font(run, size, bold, italic)
        if text == GAP:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return p

    def page_break(self) -> None:
        p = self.doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        p.add_run().add_break(WD_BREAK.PAGE)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT


def _masthead(b: Builder) -> None:
    """Ô 1–4 of the decree's layout: bodies and number left, national title and date right."""
    t = b.table([62, 108], None, borders=False)
    _no_borders(t)
    left, right = t.add_row().cells
    left.width, right.width = Mm(62), Mm(108)
    b.cell(left, "{{ doc.parent }}", size=13, align=CENTER)
    body = left.add_paragraph()
    body.alignment = CENTER
    run = body.add_run("{{ doc.body }}")
    _font(run, 13, bold=True)
    body.paragraph_format.space_after = Pt(0)
    b.rule(left, 1.8, 1.8)
    number = left.add_paragraph()
    number.alignment = CENTER
    number.paragraph_format.space_before = Pt(6)
    for text, gap in (("Số: ", False), (GAP, True), ("/BC-", False), (GAP, True)):
        r = number.add_run(text)
        _font(r, 13)
        if gap:
            r.font.highlight_color = WD_COLOR_INDEX.YELLOW

    b.cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align=CENTER)
    motto = right.add_paragraph()
    motto.alignment = CENTER
    _font(motto.add_run("Độc lập - Tự do - Hạnh phúc"), 13, bold=True)
    motto.paragraph_format.space_after = Pt(0)
    b.rule(right, 1.9, 1.9)
    place = right.add_paragraph()
    place.alignment = CENTER
    place.paragraph_format.space_before = Pt(6)
    for text in ("{{ doc.place }}, ngày ", GAP, " tháng ", GAP, " năm {{ doc.year }}"):
        r = place.add_run(text)
        _font(r, 14, italic=True)
        if text == GAP:
            r.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _title(b: Builder) -> None:
    b.para("BÁO CÁO", align=CENTER, bold=True, before=18, after=0)
    b.para("{{ doc.title }}", align=CENTER, bold=True, after=4, line=1.0)
    b.rule(b.doc, 6.0, 6.0)
    b.para("", after=6)
    b.para("Thực hiện {{ doc.plan_reference }}, {{ doc.collector }} báo cáo kết quả thực hiện "
           "{{ doc.period_label }} (số liệu tổng hợp từ báo cáo của các đơn vị, tính đến {{ doc.as_of }}) như sau:",
           indent=True)


def _reporting(b: Builder) -> None:
    b.heading("I. TÌNH HÌNH THỰC HIỆN CHẾ ĐỘ BÁO CÁO CỦA CÁC ĐƠN VỊ")
    b.para("Kế hoạch yêu cầu {{ rep.expected }} đơn vị báo cáo {{ doc.period_label }}, hạn gửi trước ngày "
           "{{ doc.due }}. Đến {{ doc.as_of }}, đã nhận và sử dụng báo cáo của {{ rep.used }}/{{ rep.expected }} "
           "đơn vị (đạt {{ rep.completeness }}), trong đó {{ rep.on_time }} đơn vị gửi đúng hạn (đạt "
           "{{ rep.timeliness }}) và {{ rep.late }} đơn vị gửi muộn; {{ rep.invalid }} đơn vị gửi báo cáo có lỗi, "
           "chưa sử dụng được; {{ rep.missing }} đơn vị chưa gửi báo cáo{{ rep.missing_note }}.", indent=True)
    for key, label in (("late", "Các đơn vị gửi báo cáo muộn"),
                       ("invalid", "Các đơn vị gửi báo cáo có lỗi, chưa sử dụng được"),
                       ("missing", "Các đơn vị chưa gửi báo cáo")):
        b.tag(f"{{%p if {key}_groups %}}")
        b.para(f"- {label}:", indent=True, keep_next=True)
        b.tag(f"{{%p for g in {key}_groups %}}")
        b.para("+ {{ g.label }} ({{ g.count }}): {{ g.units }}.", indent=True)
        b.tag("{%p endfor %}")
        b.tag("{%p endif %}")


def _indicators(b: Builder) -> None:
    b.tag("{%p for s in indicator_sections %}")
    b.heading("{{ s.number }}. {{ s.title }}", level=2)
    b.para("Tổng hợp từ báo cáo của {{ rep.used }} đơn vị được sử dụng; ô “-” là chưa có đơn vị nào báo cáo số liệu.",
           indent=True)
    b.tag("{%p if has_previous %}")
    t = b.table([12, 60, 16, 22, 16, 22, 17], ["STT", "Chỉ tiêu", "Đơn vị tính", "Toàn tỉnh",
                                               "Số đơn vị báo cáo", "Kỳ trước", "Tăng, giảm"], size=11)
    _tr_loop(b, t, "r in s.rows", ["{{ r.no }}", "{{ r.label }}", "{{ r.unit }}", "{{ r.value }}", "{{ r.units }}",
                                   "{{ r.previous }}", "{{ r.change }}"], [CENTER, None, CENTER, RIGHT, CENTER, RIGHT, RIGHT])
    b.tag("{%p else %}")
    t = b.table([12, 83, 20, 25, 25], ["STT", "Chỉ tiêu", "Đơn vị tính", "Toàn tỉnh", "Số đơn vị báo cáo"], size=12)
    _tr_loop(b, t, "r in s.rows", ["{{ r.no }}", "{{ r.label }}", "{{ r.unit }}", "{{ r.value }}", "{{ r.units }}"],
             [CENTER, None, CENTER, RIGHT, CENTER], size=12)
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")


def _tr_loop(b: Builder, table, loop: str, texts: list[str], aligns: list, size: float = 11) -> None:
    b.row(table, [f"{{%tr for {loop} %}}"] + [""] * (len(texts) - 1), size=size)
    b.row(table, texts, size=size, aligns=aligns)
    b.row(table, ["{%tr endfor %}"] + [""] * (len(texts) - 1), size=size)


def _tasks(b: Builder) -> None:
    b.tag("{%p for s in task_sections %}")
    b.heading("{{ s.number }}. {{ s.title }}", level=2)
    b.tag("{%p for t in s.tasks %}")
    b.para(("{{ t.no }}) {{ t.title }}", {"italic": True}), indent=True, keep_next=True)
    b.para("- Đơn vị chủ trì: {{ t.lead }}. Tiến độ theo báo cáo của các đơn vị: {{ t.progress }}.", indent=True)
    b.tag("{%p for lead in t.lead_reports %}")
    b.para("- Báo cáo của đơn vị chủ trì ({{ lead.unit }}): {{ lead.text }}", indent=True)
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")


def _models(b: Builder) -> None:
    b.tag("{%p for s in model_sections %}")
    b.heading("{{ s.number }}. {{ s.title }}", level=2)
    b.para("Các đơn vị báo cáo {{ s.count }} mô hình, điển hình (nội dung chi tiết tại Phụ lục {{ s.appendix }}):",
           indent=True)
    b.tag("{%p for g in s.groups %}")
    b.para("- {{ g.label }} ({{ g.count }} mô hình): {{ g.titles }}.", indent=True)
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")


def _answers(b: Builder, items: str, heading: str) -> None:
    """Units' own words, by field, then by group, each attributed to its unit."""
    b.tag(f"{{%p for a in {items} %}}")
    b.heading(heading, level=2)
    b.tag("{%p for g in a.groups %}")
    b.para(("{{ g.label }}:", {"italic": True}), indent=True, keep_next=True)
    b.tag("{%p for u in g.units %}")
    b.para("- {{ u.unit }}: {{ u.first }}", indent=True)
    b.tag("{%p for line in u.more %}")
    b.para("{{ line }}", indent=True)
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.tag("{%p if not a.groups %}")
    b.para("Chưa có đơn vị nào nêu nội dung này.", indent=True)
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")


def _signature(b: Builder) -> None:
    b.para("", after=0)
    t = b.table([80, 90], None, borders=False)
    _no_borders(t)
    left, right = t.add_row().cells
    left.width, right.width = Mm(80), Mm(90)
    b.cell(left, "Nơi nhận:", size=12, bold=True, italic=True)
    p = left.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    _font(p.add_run("{%p for r in recipients %}"), 11)
    p = left.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    _font(p.add_run("- {{ r }};"), 11)
    p = left.add_paragraph()
    _font(p.add_run("{%p endfor %}"), 11)
    p = left.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    for text in ("- Lưu: VT, ", GAP, "."):
        r = p.add_run(text)
        _font(r, 11)
        if text == GAP:
            r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    b.cell(right, GAP, size=14, bold=True, align=CENTER)
    for text, bold in (("(Ký, ghi rõ họ tên, đóng dấu)", False), ("", False), ("", False), ("", False),
                       (GAP, True)):
        p = right.add_paragraph()
        p.alignment = CENTER
        p.paragraph_format.space_after = Pt(0)
        if text:
            r = p.add_run(text)
            _font(r, 14 if bold else 13, bold=bold, italic=not bold)
            if text == GAP:
                r.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _appendix_head(b: Builder, number: str, title: str) -> None:
    b.page_break()
    b.para(f"Phụ lục {number}", align=CENTER, bold=True, after=0)
    b.para(title, align=CENTER, bold=True, after=0, line=1.0)
    b.para("(Kèm theo Báo cáo số ", GAP, "/BC-", GAP, " ngày ", GAP, " của {{ doc.body_name }})",
           align=CENTER, italic=True, size=13, after=12)


def _appendices(b: Builder) -> None:
    _appendix_head(b, "{{ appendix.status }}", "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ {{ doc.period_upper }}")
    t = b.table([12, 60, 33, 35, 25], ["STT", "Tên đơn vị", "Tình trạng", "Thời điểm nhận", "Ghi chú"], size=11)
    b.row(t, ["{%tr for g in status_groups %}", "", "", "", ""], size=11)
    cells = b.row(t, ["{{ g.label }} ({{ g.count }} đơn vị)", "", "", "", ""], size=11, bold=True)
    merged = cells[0].merge(cells[4])
    for extra in merged.paragraphs[1:]:  # merging keeps every cell's (empty) paragraph
        extra._element.getparent().remove(extra._element)
    b.row(t, ["{%tr for u in g.units %}", "", "", "", ""], size=11)
    b.row(t, ["{{ u.no }}", "{{ u.name }}", "{{ u.status }}", "{{ u.received }}", "{{ u.note }}"], size=11,
          aligns=[CENTER, None, None, CENTER, None])
    b.row(t, ["{%tr endfor %}", "", "", "", ""], size=11)
    b.row(t, ["{%tr endfor %}", "", "", "", ""], size=11)

    _appendix_head(b, "{{ appendix.indicators }}", "KẾT QUẢ CÁC CHỈ TIÊU THEO NHÓM ĐƠN VỊ {{ doc.period_upper }}")
    b.tag("{%p for g in indicator_groups %}")
    b.para(("{{ g.no }}. {{ g.label }} ({{ g.units_used }} đơn vị có báo cáo được sử dụng)", {"bold": True}),
           keep_next=True, after=3, size=13)
    t = b.table([12, 88, 20, 25, 20], ["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Số đơn vị báo cáo"], size=11)
    _tr_loop(b, t, "r in g.rows", ["{{ r.no }}", "{{ r.label }}", "{{ r.unit }}", "{{ r.value }}", "{{ r.units }}"],
             [CENTER, None, CENTER, RIGHT, CENTER])
    b.para("", after=6)
    b.tag("{%p endfor %}")

    b.tag("{%p for s in model_sections %}")
    _appendix_head(b, "{{ s.appendix }}", "{{ s.title_upper }} {{ doc.period_upper }}")
    t = b.table([12, 45, 68, 40], ["STT", "Tên mô hình, điển hình", "Nội dung", "Đơn vị báo cáo"], size=11)
    _tr_loop(b, t, "m in s.rows", ["{{ m.no }}", "{{ m.title }}", "{{ m.details_text }}", "{{ m.unit }}"],
             [CENTER, None, None, None])
    b.tag("{%p endfor %}")


def build() -> Document:
    b = Builder()
    _masthead(b)
    _title(b)
    _reporting(b)
    b.heading("II. KẾT QUẢ THỰC HIỆN")
    _indicators(b)
    _tasks(b)
    _models(b)
    _answers(b, "highlights", "{{ a.number }}. {{ a.label }}")
    b.heading("III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ")
    _answers(b, "concerns", "{{ a.number }}. {{ a.label }}")
    b.heading("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI")
    b.para(GAP, indent=True)
    b.para("Trên đây là báo cáo kết quả thực hiện {{ doc.period_label }} của {{ doc.body_name }}./.", indent=True)
    _signature(b)
    _appendices(b)
    props = b.doc.core_properties
    props.title = "Mẫu báo cáo tổng hợp (Nghị định 30/2020/NĐ-CP)"
    props.author = "consolidate"
    props.comments = "Tạo bởi python -m consolidate.report.skeleton; các chỗ điền do consolidate report điền."
    import datetime as dt

    props.created = props.modified = dt.datetime(2026, 1, 1)
    props.revision = 1
    props.last_modified_by = "consolidate"
    return b.doc


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path("templates/_shared/bao-cao.docx")
    target.parent.mkdir(parents=True, exist_ok=True)
    build().save(str(target))
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
