"""The message catalogues match the code: every msgid extracted is in the catalogue and
translated, nothing stale is left, and the compiled .mo files are those of the .po files."""

from consolidate import i18n
from consolidate.i18n import Figure, Text, language, ngettext, translate
from consolidate.i18n_tools import CATALOGUES, po_path, problems, read_catalogue, template_for


def test_catalogues_are_complete_and_compiled():
    found = problems()
    assert found == [], (
        "Catalogues out of date: run `python -m consolidate.i18n_tools update`, write the English "
        "of each new msgid in consolidate/locale/en/LC_MESSAGES/consolidate.po, run update again.\n"
        + "\n".join(found))


def test_catalogues_are_package_data():
    for domain, lang in CATALOGUES:
        assert po_path(domain, lang).with_suffix(".mo").is_file()
    assert len(read_catalogue("consolidate", "en")) > 100
    assert any(m.id for m in template_for("click"))


def test_plurals_in_english():
    with language("en"):
        assert ngettext("{n} lỗi", "{n} lỗi", 1).format(n=1) == "1 error"
        assert ngettext("{n} lỗi", "{n} lỗi", 2).format(n=2) == "2 errors"
        assert ngettext("{n} bảng", "{n} bảng", 1).format(n=1) == "1 table"
    assert ngettext("{n} lỗi", "{n} lỗi", 2).format(n=2) == "2 lỗi"


def test_text_renders_when_shown():
    note = Text("đã bỏ '{suffix}', chỉ lấy số", suffix="buổi")
    assert str(note) == "đã bỏ 'buổi', chỉ lấy số"
    assert translate(note, "en") == "'buổi' was dropped, only the number was kept"
    assert note == Text("đã bỏ '{suffix}', chỉ lấy số", suffix="buổi")
    assert translate(Figure(0.85), "vi") == "0,85" and translate(Figure(0.85), "en") == "0.85"


def test_missing_translation_falls_back_to_vietnamese():
    assert translate("Câu chưa có trong danh mục", "en") == "Câu chưa có trong danh mục"


def test_numbers_follow_the_language():
    assert (i18n.percent(0.91), i18n.seconds(1.23), i18n.number(1234.5)) == ("91,0%", "1,2 giây", "1.234,5")
    with language("en"):
        assert (i18n.percent(0.91), i18n.seconds(1.23), i18n.number(1234.5)) == ("91.0%", "1.2 s", "1,234.5")
