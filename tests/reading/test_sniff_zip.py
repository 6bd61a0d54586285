"""The zip side of sniffing (issue 15): .xlsb called .xlsb, an encrypted .ods called
encrypted, an .ods with a LibreOffice Basic library read (macros ignored) while every other
DOCTYPE stays refused, Word/PowerPoint named only for real Word/PowerPoint packages; and
every rejection's reason Vietnamese first, the library's words after.

The .ods files are made by LibreOffice itself (tests/reading/lo_macro.py), once for the
module; the .xlsb files are public test files of the reading corpus (tests/corpus)."""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from consolidate.definition.layout import layout_for
from consolidate.i18n import LOCALE_DIR, Lazy, Text
from consolidate.reading import read_file
from consolidate.reading.guard import external_doctype_only
from tests.reading import lo_macro
from tests.reading import make_corpus as mc
from tests.reading.test_reading import assert_values

PUBLIC = Path(__file__).resolve().parents[1] / "corpus" / "public"
XLSB = sorted(PUBLIC.rglob("*.xlsb"))
BASIC_LINE = b'<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">'
needs_soffice = pytest.mark.skipif(lo_macro.SOFFICE is None, reason="LibreOffice not installed")


def codes(ret) -> list[str]:
    return [p.code for p in ret.problems]


@pytest.fixture(scope="module")
def lo_files(base_return, tmp_path_factory):
    """LibreOffice's own .ods copies of a good return: plain, with a Basic library, and saved
    with a password (one soffice start)."""
    work = tmp_path_factory.mktemp("lo-zip")
    src = work / "ret.xlsx"
    shutil.copy(base_return[0], src)
    files = {"plain": work / "plain.ods", "basic": work / "basic.ods", "encrypted": work / "encrypted.ods"}
    lo_macro.run([
        lo_macro.Job(src, [files["plain"]]),
        lo_macro.Job(src, [files["basic"]], basic=True),
        lo_macro.Job(src, [files["encrypted"]], password="matkhau"),
    ], work)
    return files


# --- .xlsb ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", XLSB, ids=lambda p: p.name)
def test_xlsb_is_called_xlsb(mini_def, path):
    """Excel declares the binary workbook part by a Default for .bin (python-calamine's and
    POI's files), an encrypted one aside (an OLE file)."""
    ret = read_file(path, mini_def)
    if path.name.startswith(("pass_protected", "protected_")):
        assert codes(ret) == ["file-encrypted"]
    else:
        assert codes(ret) == ["file-format-unsupported"] and not ret.cells


def test_xlsb_declared_by_override_too(mini_def, tmp_path):
    src = PUBLIC / "python-calamine" / "base.xlsb"
    main = b'<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'

    def by_override(name, data):
        if name == "[Content_Types].xml":
            assert main in data
            return data.replace(main, b'<Default Extension="bin" ContentType="application/octet-stream"/>').replace(
                b"</Types>", b'<Override PartName="/xl/workbook.bin" '
                b'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>')
        return data

    ret = read_file(mc.rewrite(src, tmp_path / "override.xlsb", by_override), mini_def)
    assert codes(ret) == ["file-format-unsupported"]


# --- Word, PowerPoint, other packages, plain zips ------------------------------------------


def _package(path: Path, parts: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{}</Types>'


def test_word_or_powerpoint_only_for_their_packages(mini_def, tmp_path):
    """A Word package, a PowerPoint package and a package with neither get three reasons."""
    notes = []
    for part in ("word/document.xml", "ppt/presentation.xml", "docProps/core.xml"):
        path = _package(tmp_path / f"{part.partition('/')[0]}.xlsx", {"[Content_Types].xml": TYPES.format(""),
                                                                        part: "<x/>"})
        ret = read_file(path, mini_def)
        assert codes(ret) == ["file-not-spreadsheet"]
        notes.append(ret.problems[0].note.msgid)
    assert len(set(notes)) == 3


def test_other_opendocument_packages_are_named(mini_def, tmp_path):
    """An .odt, an .odp, an .odg and an unknown OpenDocument kind: four reasons, each with the
    mimetype as its technical detail."""
    reasons = set()
    for kind in ("text", "presentation", "graphics", "chart"):
        mimetype = f"application/vnd.oasis.opendocument.{kind}"
        ret = read_file(_package(tmp_path / f"{kind}.ods", {"mimetype": mimetype, "content.xml": "<x/>"}), mini_def)
        assert codes(ret) == ["file-not-spreadsheet"]
        note = ret.problems[0].note
        assert note.params["detail"] == mimetype
        reasons.add(note.params["reason"].msgid)
    assert len(reasons) == 4


def test_zipped_return_is_named_inside(mini_def, base_return, tmp_path):
    path = tmp_path / "bao-cao.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.write(base_return[0], "thu muc/Báo cáo.xlsx")
    ret = read_file(path, mini_def)
    assert codes(ret) == ["file-not-spreadsheet"]
    assert ret.problems[0].note.params["file"] == "Báo cáo.xlsx"


# --- .ods: encrypted, Basic library, DOCTYPEs ------------------------------------------------


@needs_soffice
def test_password_ods_from_libreoffice_is_encrypted(mini_def, lo_files):
    with zipfile.ZipFile(lo_files["encrypted"]) as z:  # what makes it encrypted, as LibreOffice wrote it
        assert b"encryption-data" in z.read("META-INF/manifest.xml")
    ret = read_file(lo_files["encrypted"], mini_def)
    assert codes(ret) == ["file-encrypted"] and not ret.cells and ret.format == ""


def test_public_password_ods_is_encrypted(mini_def):
    for path in (PUBLIC / "calamine" / "pass_protected.ods", PUBLIC / "python-calamine" / "password.ods"):
        if path.exists():
            assert codes(read_file(path, mini_def)) == ["file-encrypted"], path


@needs_soffice
def test_ods_with_basic_library_reads_with_macros_warned(mini_def, base_return, lo_files):
    with zipfile.ZipFile(lo_files["basic"]) as z:
        basic = [n for n in z.namelist() if n.startswith("Basic/")]
        assert any(z.read(n).startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n' + BASIC_LINE) for n in basic)
    ret = read_file(lo_files["basic"], mini_def)
    assert ret.format == "ods" and codes(ret) == ["file-macros-ignored"] and ret.located_by == "names"
    assert_values(ret, base_return[1], layout_for(mini_def))
    plain = read_file(lo_files["plain"], mini_def)
    assert codes(plain) == []


def _with_part(src: Path, dst: Path, name: str, data: bytes) -> Path:
    mc.rewrite(src, dst, lambda member, old: None if member == name else old)
    with zipfile.ZipFile(dst, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return dst


@needs_soffice
@pytest.mark.parametrize("member, doctype", [
    # an internal subset, even an empty one, or entities: refused in a macro part too
    ("Basic/ThuVien/Module1.xml", b'<!DOCTYPE script:module PUBLIC "-//x//EN" "module.dtd" []>'),
    ("Basic/ThuVien/Module1.xml", b'<!DOCTYPE script:module [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'),
    ("Basic/ThuVien/Module1.xml", BASIC_LINE + b'\n<!DOCTYPE again SYSTEM "x.dtd">'),
    ("Basic/ThuVien/Module1.xml", BASIC_LINE + b'\n<!ENTITY a "x">'),
    ("Dialogs/ThuVien/Dialog1.xml", b'<!DOCTYPE dlg:window [<!ENTITY a "aaaa">]>'),
    # the harmless line, but in a part a reader parses, or outside the macro folders
    ("content.xml", BASIC_LINE),
    ("styles.xml", BASIC_LINE),
    ("META-INF/manifest.xml", BASIC_LINE),
    ("Scripts/x.xml", BASIC_LINE),
])
def test_other_doctypes_stay_refused(mini_def, lo_files, tmp_path, member, doctype):
    with zipfile.ZipFile(lo_files["basic"]) as z:
        old = z.read(member) if member in z.namelist() else b'<?xml version="1.0"?>\n<x/>'
    head, _, rest = old.partition(b"?>")
    body = re.sub(rb"^\s*<!DOCTYPE[^>]*>", b"", rest.lstrip())
    ret = read_file(_with_part(lo_files["basic"], tmp_path / "x.ods", member, head + b"?>\n" + doctype + b"\n" + body),
                    mini_def)
    assert codes(ret) == ["file-xml-entities"]


def test_basic_doctype_line_outside_an_odf_package_is_refused(mini_def, base_return, tmp_path):
    part = b'<?xml version="1.0" encoding="UTF-8"?>\n' + BASIC_LINE + b"\n<script:module/>"
    ret = read_file(_with_part(base_return[0], tmp_path / "x.xlsx", "Basic/Standard/Module1.xml", part), mini_def)
    assert codes(ret) == ["file-xml-entities"]


@pytest.mark.parametrize("head, verdict", [
    (b'<?xml version="1.0"?>\n' + BASIC_LINE + b"\n<!-- licence -->\n<script:module>", True),
    (b"\xef\xbb\xbf" + BASIC_LINE + b"<root/>", True),
    (b'<!DOCTYPE library:library SYSTEM "library.dtd"><library:library>', True),
    (b'<?xml version="1.0"?><x/>', False),  # no DOCTYPE at all: nothing to tolerate
    (b'<!DOCTYPE a PUBLIC "p" "s" [<!ENTITY e "x">]><a/>', False),
    (b'<!DOCTYPE a PUBLIC "p"><a/>', False),  # a public id needs its system id
    (b'<!DOCTYPE a><a/>', False),
    (b'<!DOCTYPE a SYSTEM "s"><!DOCTYPE b SYSTEM "t"><a/>', False),
    (b'<!DOCTYPE a SYSTEM "s"><!--', None),  # cut before the root element
    (b'<!DOCTYPE a PUBLIC "-//OpenOffice.org//DTD Office', None),
])
def test_external_doctype_only(head, verdict):
    assert external_doctype_only(head) is verdict


# --- every rejection's reason: Vietnamese first ----------------------------------------------

DETAIL = "{reason} (chi tiết kỹ thuật: {detail})"


def load_catalogue() -> set[str]:
    """Every msgid of the catalogue."""
    with open(LOCALE_DIR / "en" / "LC_MESSAGES" / "consolidate.po", "rb") as f:
        return {m.id for m in read_po(f) if isinstance(m.id, str) and m.id}


@pytest.fixture(scope="module")
def catalogue() -> set[str]:
    return load_catalogue()


def _vietnamese(msgid: str) -> bool:
    """Words with Vietnamese letters outside the placeholders (đ, ư, ơ, tone marks)."""
    words = re.sub(r"\{[^}]*\}", "", msgid)
    return any(unicodedata.decomposition(ch) or ch in "đĐ" for ch in words if ch.isalpha() and not ch.isascii())


def assert_reason_first(problem, catalogue: set[str]) -> None:
    """A rejection's note is a catalogue message in Vietnamese; library text comes only as the
    `detail` of guard.because, after its Vietnamese reason."""
    if "{note}" not in problem.template:
        return  # the message does not show the note
    note = problem.note
    if problem.code == "file-format-unsupported" and isinstance(note, str) and len(note) < 30:
        return  # a format's own name ("Excel 4.0 (.xls)"), which the Vietnamese template frames
    assert isinstance(note, Text), (problem.code, problem.file, note)
    if note.msgid == DETAIL:
        assert isinstance(note.params["reason"], Text) and not isinstance(note.params["detail"], Lazy)
        note = note.params["reason"]
        assert note.msgid != DETAIL
    assert note.msgid in catalogue and _vietnamese(note.msgid), (problem.code, note.msgid)


def _hostile(mini_def, base: Path, out: Path) -> list[Path]:
    files = [
        mc.empty(out / "empty.xlsx"),
        mc.text_renamed(out / "text.xlsx"),
        mc.truncated(base, out / "truncated.xlsx"),
        mc.corrupt_zip(base, out / "corrupt.xlsx"),
        mc.ole_encrypted(out / "encrypted.xlsx"),
        mc.ole_word(out / "word.doc.xlsx"),
        mc.zip_bomb(base, out / "bomb.xlsx", megabytes=8),
        mc.doctype_entities(base, out / "doctype.xlsx"),
        mc.cell_at(base, out / "far-cell.xlsx", "XFD1048576"),
        mc.cell_at(base, out / "far-row.xlsx", "A200000"),
        mc.cell_at(base, out / "bad-ref.xlsx", "1A"),
        _package(out / "word.xlsx", {"[Content_Types].xml": TYPES.format(""), "word/document.xml": "<w/>"}),
        _package(out / "plain.zip.xlsx", {"a.txt": "x"}),
        _package(out / "odt.ods", {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}),
        _package(out / "no-content.ods", {"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}),
        _package(out / "types.xlsx", {"[Content_Types].xml": "<Types", "xl/workbook.xml": "<x/>"}),
        _package(out / "no-workbook.xlsx", {"[Content_Types].xml": TYPES.format(
            '<Override PartName="/xl/wb.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>')}),
        mc.rewrite(base, out / "bad-workbook.xlsx", lambda n, d: b"<workbook" if n == "xl/workbook.xml" else d),
        mc.rewrite(base, out / "no-rels.xlsx", lambda n, d: None if n == "xl/_rels/workbook.xml.rels" else d),
    ]
    (out / "folder.xlsx").mkdir()
    files.append(out / "folder.xlsx")
    return files


def test_every_rejection_gives_its_reason_in_vietnamese_first(mini_def, base_return, tmp_path, catalogue):
    hostile = _hostile(mini_def, base_return[0], tmp_path)
    public = sorted(p for p in PUBLIC.rglob("*") if p.is_file())
    for path in hostile + public:
        rejections = [p for p in read_file(path, mini_def).problems
                      if p.code.startswith("file-") and p.severity == "error"]
        assert rejections or path not in hostile, path
        for problem in rejections:
            assert_reason_first(problem, catalogue)


def test_worker_endings_are_told_in_vietnamese(catalogue):
    """How a reading worker ended, in a FileReaderCrashed: a signal by its own name, anything
    else a catalogue message."""
    from consolidate.reading.isolate import _signal_note
    from consolidate.reading.problems import FileReaderCrashed

    assert _signal_note(-6) == "SIGABRT"
    for exitcode in (None, 3, -200):
        assert_reason_first(FileReaderCrashed(note=_signal_note(exitcode)), catalogue)
