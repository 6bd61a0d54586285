"""Fast paths of the reader give what the plain ways give: members inflated straight from
the archive bytes, the one-pass sheet prefilters, the workbook map reused by stored bytes,
and the names plan reused across files."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest

from consolidate.reading import guard, names, read_file, sheetxml
from consolidate.reading.guard import _ODD_CHARS, _ODD_NEWLINES, _PREFIXED_TAGS, _plain_whitespace

from . import make_corpus as mc


def _zip(path):
    data = path.read_bytes()
    return data, zipfile.ZipFile(io.BytesIO(data))


def test_read_member_equals_zipfile(base_return):
    data, zf = _zip(base_return[0])
    for name in zf.namelist():
        assert guard.read_member(zf, data, name) == zf.read(name)


def test_read_member_errors_are_zipfiles(base_return):
    data, zf = _zip(base_return[0])
    name = next(n for n in zf.namelist() if n.startswith("xl/worksheets/"))
    info = zf.getinfo(name)
    start = guard.stored_member(data, info)
    offset = data.index(start) + len(start) - info.compress_size
    damaged = bytearray(data)
    damaged[offset + info.compress_size // 2] ^= 0xFF  # bad CRC or bad deflate stream
    bad = bytes(damaged)
    bad_zf = zipfile.ZipFile(io.BytesIO(bad))
    with pytest.raises(Exception) as plain:
        bad_zf.read(name)
    with pytest.raises(Exception) as fast:
        guard.read_member(bad_zf, bad, name)
    assert (type(fast.value), str(fast.value)) == (type(plain.value), str(plain.value))
    with pytest.raises(KeyError) as missing:
        guard.read_member(zf, data, "xl/worksheets/nope.xml")
    with pytest.raises(KeyError) as plain_missing:
        zf.read("xl/worksheets/nope.xml")
    assert str(missing.value) == str(plain_missing.value)


def test_read_member_is_bounded_by_the_declared_size():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.xml", b"<a/>" + b" " * 100_000)
    data = bytearray(buf.getvalue())
    zf = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = zf.getinfo("big.xml")
    info.file_size = 10  # a directory that lies: never inflate past what it declares
    with pytest.raises(zipfile.BadZipFile):
        guard.read_member(zf, bytes(data), "big.xml")


SHEETS = [
    b'<?xml version="1.0"?>\n<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>',
    b'<?xml version="1.0"?>\r\n<worksheet><sheetData><row r="1"><c r="A1"/></row></sheetData></worksheet>',
    b'<?xml version="1.0"?>\r\n<worksheet>\t<sheetData><row r="1"><c r="A1"/></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row r="1"><c\nr="A1"/></row></sheetData></worksheet>',
    b'<worksheet><sheetData><row\nr="1"><c r="A1"/></row></sheetData></worksheet>',
    b'<worksheet>\n\n\n\n\n\n<sheetData>\n<row r="1">\n<c r="A1"/>\n</row></sheetData></worksheet>',
    b'<worksheet>\n\n\n\n\n\n<sheetData>\n<row r="1"><c\nr="A1"/></row></sheetData></worksheet>',
    b'<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="1"><x:c r="A1"><x:f>1+1</x:f></x:c></x:row>'
    b"</x:sheetData></x:worksheet>",
    b'<worksheet><sheetData><row r="1"><c r="A1" t="e"><v>#REF!</v></c><c r="B1"><f>A1</f></c>'
    b"<c r='C1' t='e'><v>#N/A</v></c><c r=\"D1\"><f t=\"shared\" si=\"0\"/></c></row></sheetData></worksheet>",
    b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ratio:f 1</t></is></c></row></sheetData></worksheet>',
    b"\t\r\n" * 3,
    b"",
]


@pytest.mark.parametrize("xml", SHEETS)
def test_sheet_prefilters_match_the_plain_tests(xml):
    plain = len(xml) - len(xml.translate(None, _ODD_CHARS)) <= 1 and not any(o in xml for o in _ODD_NEWLINES)
    assert _plain_whitespace(xml) == plain
    assert (_PREFIXED_TAGS.search(xml) is None) == (b":c " not in xml and b":row " not in xml)
    old_prefilter = b't="e"' in xml or b"t='e'" in xml or sheetxml._FORMULA.search(xml) is not None
    new_prefilter = any(r.search(xml) for r in (sheetxml._ERROR_TYPE, sheetxml._PLAIN_F, sheetxml._PREFIXED_F))
    assert new_prefilter or not old_prefilter  # never skips what the old one parsed
    if xml.startswith(b"<"):
        target = sheetxml._Target()
        parser = sheetxml.DefusedXMLParser(target=target, forbid_dtd=True)
        parser.feed(xml)
        exact = parser.close()
        assert sheetxml.scan_errors(xml) == (exact if old_prefilter else {})


def test_map_reused_only_for_identical_parts(base_return, tmp_path):
    names._MAP_CACHE.clear()
    data, zf = _zip(base_return[0])
    first = names.read_ooxml_map(zf, "xl/workbook.xml", data)
    assert names.read_ooxml_map(zf, "xl/workbook.xml", data) is first
    assert names.read_ooxml_map(zf, "xl/workbook.xml") == first  # without the bytes: content digest
    stripped = mc.strip_names(base_return[0], tmp_path / "stripped.xlsx")
    data2, zf2 = _zip(stripped)
    other = names.read_ooxml_map(zf2, "xl/workbook.xml", data2)
    assert other is not first and not other.names
    # one byte of a parsed part differs (a name's target): parsed again, not reused
    def edit(name, part):
        return part.replace(b"$D$", b"$E$", 1) if name == "xl/workbook.xml" else part
    moved = mc.rewrite(base_return[0], tmp_path / "moved.xlsx", edit)
    data3, zf3 = _zip(moved)
    again = names.read_ooxml_map(zf3, "xl/workbook.xml", data3)
    assert again is not first and again.names != first.names


def _view(ret):
    return (ret.format, ret.sha256, ret.meta, ret.located_by, ret.cells, ret.tables,
            [(type(p), vars(p)) for p in ret.problems])


def test_names_plan_reuse_gives_a_fresh_read(mini_def, base_return, tmp_path):
    files = [base_return[0]]
    files.append(mc.error_and_formula(base_return[0], tmp_path / "errors.xlsx", "D7", "D8"))
    files.append(mc.strip_names(base_return[0], tmp_path / "layout.xlsx"))
    files.append(mc.insert_row(base_return[0], tmp_path / "shifted.xlsx", mc.FIELDS_SHEET, 8))
    for index in range(3):
        files.append(tmp_path / f"other{index}.xlsx")
        mc.good(mini_def, files[-1], seed=10 + index, unit_index=index)
    for path in files:
        names._MAP_CACHE.clear()
        fresh = read_file(path, mini_def)  # map and plan made for this file
        for _ in range(2):
            assert _view(read_file(path, mini_def)) == _view(fresh)  # map and plan reused


def test_member_key_sees_the_stored_bytes(base_return):
    data, zf = _zip(base_return[0])
    info = zf.getinfo("xl/workbook.xml")
    key = guard.member_key(data, info)
    assert key is not None and zlib.decompress(key[-1][-info.compress_size:], -15) == zf.read(info)
