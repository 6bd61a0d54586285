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
from tests.reading import make_corpus as mc


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


def _stored_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _forge_crc(data: bytes, name: str, crc: int) -> bytes:
    """The central directory entry of `name` claims `crc` (the local header keeps its own)."""
    at = data.index(b"PK\x01\x02")
    while True:
        n = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + n] == name.encode():
            return data[: at + 16] + crc.to_bytes(4, "little") + data[at + 20 :]
        m, k = int.from_bytes(data[at + 30 : at + 32], "little"), int.from_bytes(data[at + 32 : at + 34], "little")
        at += 46 + n + m + k


def test_clean_prolog_memo_compares_the_bytes():
    """A member found clean is remembered by its directory entry and stored bytes: a member
    with the very same directory entry (name, sizes, even the CRC) but other content is
    looked at again, and its DOCTYPE rejected."""
    clean = b'<?xml version="1.0"?>\n<a>' + b"x" * 40 + b"</a>"
    hostile = b'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    hostile += b" " * (len(clean) - len(hostile))
    assert len(hostile) == len(clean)
    good = _stored_zip({"part.xml": clean})
    guard.CLEAN_PROLOGS.clear()
    for _ in range(3):  # noted, kept, then from the memo
        guard.check_xml_prologs(zipfile.ZipFile(io.BytesIO(good)), good)
    assert guard.CLEAN_PROLOGS.find(good, zipfile.ZipFile(io.BytesIO(good)).getinfo("part.xml"))
    bad = _forge_crc(_stored_zip({"part.xml": hostile}), "part.xml", zlib.crc32(clean))
    bad_zf = zipfile.ZipFile(io.BytesIO(bad))
    good_info = zipfile.ZipFile(io.BytesIO(good)).getinfo("part.xml")
    assert guard.directory_entry(bad_zf.getinfo("part.xml")) == guard.directory_entry(good_info)
    with pytest.raises(guard.Rejected) as rejected:
        guard.check_xml_prologs(bad_zf, bad)
    assert rejected.value.problem.code == "file-xml-entities"


def test_member_memo_needs_equal_entries_and_bytes():
    memo = guard.MemberMemo()
    first = _stored_zip({"a.xml": b"<a>1</a>", "b.xml": b"<b/>"})
    zf = zipfile.ZipFile(io.BytesIO(first))
    memo.keep(first, zf.getinfo("a.xml"), "seen")
    assert memo.find(first, zf.getinfo("a.xml")) is None  # seen once: only noted
    memo.keep(first, zf.getinfo("a.xml"), "seen")
    assert memo.find(first, zf.getinfo("a.xml")) == "seen"
    assert memo.find(first, zf.getinfo("b.xml")) is None
    # the same member at another offset (another member before it): still the same member
    moved = _stored_zip({"c.xml": b"<c>123</c>", "a.xml": b"<a>1</a>"})
    assert memo.find(moved, zipfile.ZipFile(io.BytesIO(moved)).getinfo("a.xml")) == "seen"
    # same directory entry, other bytes: not the same member
    other = _forge_crc(_stored_zip({"a.xml": b"<a>2</a>"}), "a.xml", zlib.crc32(b"<a>1</a>"))
    other_info = zipfile.ZipFile(io.BytesIO(other)).getinfo("a.xml")
    assert guard.directory_entry(other_info) == guard.directory_entry(zf.getinfo("a.xml"))
    assert memo.find(other, other_info) is None
    # bounded: members above member_max are not kept
    small = guard.MemberMemo(member_max=4)
    for _ in range(3):
        small.keep(first, zf.getinfo("a.xml"), "big")
    assert small.find(first, zf.getinfo("a.xml")) is None


def test_vetted_sheet_memo_still_guards(mini_def, base_return, tmp_path):
    """A worksheet part identical to one that passed reuses that verdict and its error
    cells; any other part is checked (a reference beyond the limits is still refused)."""
    from consolidate.reading import extract

    extract._VETTED_SHEETS.clear()
    errors = mc.error_and_formula(base_return[0], tmp_path / "errors.xlsx", "D7", "D8")
    first = [_view(read_file(p, mini_def)) for p in (base_return[0], errors)]
    for _ in range(2):  # kept the second time, reused the third
        assert [_view(read_file(p, mini_def)) for p in (base_return[0], errors)] == first
    assert any(stored is not None for stored, _ in extract._VETTED_SHEETS.entries.values())
    far = mc.cell_at(base_return[0], tmp_path / "far.xlsx", "A1048576")
    assert [p.code for p in read_file(far, mini_def).problems] == ["file-too-large"]
