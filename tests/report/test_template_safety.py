"""The report template is data: a broken one names its placeholder, and text from returns
goes in as text only (never a field, a link or a template expression)."""

from __future__ import annotations

import zipfile

import docx
import pytest

from consolidate.report.render import ReportTemplateError, render


def _template(path, text: str):
    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def test_a_missing_placeholder_is_named(tmp_path):
    path = _template(tmp_path / "bao-cao.docx", "Kính gửi {{ noi_nhan_khong_co }}")
    with pytest.raises(ReportTemplateError) as caught:
        render(path, {})
    assert caught.value.code == "report-template-invalid"
    assert "noi_nhan_khong_co" in str(caught.value)


def test_a_syntax_error_is_a_template_error(tmp_path):
    path = _template(tmp_path / "bao-cao.docx", "{% for x in %}")
    with pytest.raises(ReportTemplateError):
        render(path, {})


def test_text_from_returns_stays_text(tmp_path):
    hostile = ('=HYPERLINK("http://x") <w:fldSimple w:instr="DDEAUTO calc"/> {{ 7*7 }} '
               '{% if 1 %}x{% endif %} & ]]> Khó khăn')
    path = _template(tmp_path / "bao-cao.docx", "Ý kiến: {{ y_kien }}")
    data = render(path, {"y_kien": hostile})
    out = tmp_path / "out.docx"
    out.write_bytes(data)
    xml = zipfile.ZipFile(out).read("word/document.xml").decode("utf-8")
    assert "fldSimple" not in xml.replace("&lt;w:fldSimple", "")  # only as escaped text
    assert "instrText" not in xml and "hyperlink" not in xml.lower().replace("=hyperlink(", "")
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert hostile in text  # literally, expressions not evaluated
