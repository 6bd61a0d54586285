"""Checks run before any parser sees a file: size, zip directory (bombs), XML prologs
(DOCTYPE/entities) and cell references that would make python-calamine abort the process.

Each check raises `Rejected` carrying the problem class to report; nothing here parses
more than it has to, so a good file pays well under a millisecond.
"""

from __future__ import annotations

import re
import zipfile
import zlib

from consolidate.i18n import N_, Number, Text, because
from consolidate.problems import Problem
from consolidate.reading.problems import FileCorrupt, FileTooLarge, FileXmlEntities, FileZipBomb

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_TOTAL_UNCOMPRESSED = 150 * 1024 * 1024
MAX_MEMBER_UNCOMPRESSED = 100 * 1024 * 1024
RATIO_CHECK_ABOVE = 2 * 1024 * 1024  # members smaller than this may compress as well as they like
MAX_RATIO = 200
# Far beyond any template; calamine builds a dense grid from A1-ish to the last cell.
MAX_ROWS = 100_000  # 1-based row numbers
MAX_COLS = 1_000  # 1-based column numbers
MAX_AREA = 5_000_000  # rows x columns of that grid
PROLOG_READ = 512
PROLOG_MAX = 64 * 1024
BINARY_SUFFIXES = (".bin", ".png", ".jpg", ".jpeg", ".gif", ".emf", ".wmf", ".bmp", ".tif", ".tiff")


def megabytes(size: int) -> Number:
    return Number(size / (1024 * 1024), 1)


class Rejected(Exception):
    """A check failed: report `problem(note=..., sheet=..., cell=...)` and stop reading."""

    def __init__(self, problem: type[Problem], note: str | Text = "", sheet: str | None = None, cell: str | None = None):
        super().__init__(str(note))
        self.problem = problem
        self.note = note
        self.sheet = sheet
        self.cell = cell


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise Rejected(FileTooLarge, because(N_("tệp nặng {size} MB, vượt giới hạn {limit} MB"),
                                             size=megabytes(size), limit=megabytes(MAX_FILE_BYTES)))


def check_zip_directory(zf: zipfile.ZipFile) -> None:
    """Declared sizes in the central directory; readers stop at the declared size (and check
    the CRC), so a lying directory makes a corrupt file, not a bomb."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise Rejected(FileZipBomb, because(N_("tệp nén chứa {n} thành phần, vượt giới hạn {limit}"),
                                            n=Number(len(infos)), limit=Number(MAX_MEMBERS)))
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size > MAX_MEMBER_UNCOMPRESSED:
            raise Rejected(FileZipBomb, because(N_("thành phần {member} giải nén ra {size} MB, vượt giới hạn {limit} MB"),
                                                member=info.filename, size=megabytes(size),
                                                limit=megabytes(MAX_MEMBER_UNCOMPRESSED)))
        if size > RATIO_CHECK_ABOVE and size > MAX_RATIO * max(info.compress_size, 1):
            raise Rejected(FileZipBomb, because(N_("thành phần {member} nén với tỉ lệ bất thường {ratio}:1"),
                                                member=info.filename,
                                                ratio=Number(size // max(info.compress_size, 1))))
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise Rejected(FileZipBomb, because(N_("tổng dung lượng giải nén {size} MB, vượt giới hạn {limit} MB"),
                                            size=megabytes(total), limit=megabytes(MAX_TOTAL_UNCOMPRESSED)))


def _prolog_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) - len(head) % 2].decode("utf-16", "replace")
    if head[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16-le" if head[:1] == b"<" else "utf-16-be"
        return head[: len(head) - len(head) % 2].decode(codec, "replace")
    return head.decode("utf-8", "replace").lstrip("\ufeff")


def _scan_prolog(text: str, pos: int = 0) -> tuple[bool | None, int]:
    """prolog_verdict on decoded text from `pos`, and where the declaration found starts."""
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            return None, pos
        if text[pos] != "<":
            return False, pos
        if text.startswith("<?", pos):
            end, close = text.find("?>", pos + 2), 2
        elif text.startswith("<!--", pos):
            end, close = text.find("-->", pos + 4), 3
        elif text.startswith("<!", pos) or n - pos < 2:
            return (True if text.startswith("<!", pos) else None), pos
        else:
            return False, pos
        if end < 0:
            return None, pos
        pos = end + close


def prolog_verdict(head: bytes) -> bool | None:
    """True if the XML prolog holds a DOCTYPE (or any other markup declaration), False once
    the root element starts (or the part is not XML at all), None if `head` is too short."""
    return _scan_prolog(_prolog_text(head))[0]


# A DOCTYPE naming an external DTD only: no internal subset ("[") and so no ENTITY; what
# LibreOffice writes atop its Basic and dialog parts. A parser that does not fetch external
# DTDs (none of ours parses these parts at all) sees nothing to expand.
_EXTERNAL_DOCTYPE = re.compile(
    r"""<!DOCTYPE[ \t\r\n]+[A-Za-z_][\w.:-]{0,100}[ \t\r\n]+"""
    r"""(?:PUBLIC[ \t\r\n]+(?:"[^"<>\[]{0,200}"|'[^'<>\[]{0,200}')[ \t\r\n]+|SYSTEM[ \t\r\n]+)"""
    r"""(?:"[^"<>\[]{0,200}"|'[^'<>\[]{0,200}')[ \t\r\n]*>"""
)


def external_doctype_only(head: bytes) -> bool | None:
    """True when the prolog's one markup declaration is a DOCTYPE with a public/system id
    and no internal subset, and the root element follows (comments aside); None when
    `head` ends before that is known."""
    text = _prolog_text(head)
    verdict, pos = _scan_prolog(text)
    if not verdict:
        return verdict
    match = _EXTERNAL_DOCTYPE.match(text, pos)
    if match is None:
        return None if ">" not in text[pos:] else False
    after = _scan_prolog(text, match.end())[0]
    return None if after is None else after is False


# Macro and dialog libraries inside an OpenDocument package (LibreOffice Basic): parts no
# reader of ours opens (calamine and names.read_ods_map read content.xml; sniff the
# manifest and mimetype), which LibreOffice starts with an external DOCTYPE.
ODF_UNREAD_PREFIXES = ("Basic/", "Dialogs/")


def _unread_odf_part(zf: zipfile.ZipFile, name: str, odf: list) -> bool:
    """A macro or dialog part of an ODF package. `odf` caches whether the package is ODF
    (its mimetype member)."""
    if not (name.startswith(ODF_UNREAD_PREFIXES) and name.endswith(".xml")):
        return False
    if not odf:
        try:
            mimetype = zf.read("mimetype")[:100] if "mimetype" in zf.NameToInfo else b""
        except Exception:  # noqa: BLE001  a broken mimetype member: not an ODF package
            mimetype = b""
        odf.append(mimetype.startswith(b"application/vnd.oasis.opendocument."))
    return odf[0]


def _member_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo, verdict_of) -> tuple[bytes, bool | None]:
    """The member's first bytes, read until `verdict_of(head)` is not None (at most
    PROLOG_MAX bytes), and that verdict."""
    try:
        with zf.open(info) as member:
            head = member.read(PROLOG_READ)
            verdict = verdict_of(head)
            while verdict is None and len(head) < min(PROLOG_MAX, info.file_size):
                more = member.read(PROLOG_READ * 8)
                if not more:
                    break
                head += more
                verdict = verdict_of(head)
    except Exception as exc:  # BadZipFile, OSError, EOFError, zlib.error and friends
        raise Rejected(FileCorrupt, because(N_("không giải nén được thành phần {member} của tệp"), exc,
                                            member=info.filename)) from exc
    return head, verdict


def _quick_head(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The first bytes of a member straight from the archive bytes (no ZipExtFile), or None
    when that is not simple (other compression, encryption, odd headers)."""
    if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return None
    start = offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    raw = data[start : start + min(info.compress_size, 8 * PROLOG_READ)]
    if info.compress_type == zipfile.ZIP_STORED:
        return raw[:PROLOG_READ]
    try:
        return zlib.decompressobj(-15).decompress(raw, PROLOG_READ)
    except zlib.error:
        return None


def stored_member(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A member as stored in the archive bytes: local header, name, extra field and
    compressed data (None when the local header is not where the directory says).

    Two members with equal stored bytes and equal directory entries (see member_key) read
    back identically, through zipfile or any other reader: what the reuse of parsed parts
    (names.read_ooxml_map) compares instead of decompressing them again."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return None
    end = offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    end += info.compress_size
    return data[offset:end] if end <= len(data) else None


def directory_entry(info: zipfile.ZipInfo) -> tuple:
    """What the central directory says of a member that decides how it reads back (the
    first part of member_key). The name as stored too: zipfile compares it with the local
    header's, and `filename` drops what follows a NUL."""
    return (info.filename, info.orig_filename, info.compress_type, info.flag_bits, info.CRC, info.file_size,
            info.compress_size)


def member_key(data: bytes, info: zipfile.ZipInfo) -> tuple | None:
    stored = stored_member(data, info)
    if stored is None:
        return None
    return (*directory_entry(info), stored)


class MemberMemo:
    """Something worked out from one member, kept for members identical to it: equal
    directory entry and equal stored bytes (member_key, split in two so that a member never
    seen before, e.g. a sheet holding a unit's data and so another CRC, costs one dict
    lookup, and a known one a memcmp, never a hash of its bytes).

    Returns of one template share most members byte for byte (styles, theme, rels, the
    workbook, static sheets). Bounded in entries and in stored bytes held (a full memo starts
    again); members whose compressed size exceeds `member_max` are not kept."""

    def __init__(self, max_entries: int = 2048, max_bytes: int = 8 * 1024 * 1024, member_max: int = 64 * 1024):
        # directory entry -> (stored bytes, value), or (None, None): seen once, not kept yet
        self.entries: dict[tuple, tuple[bytes | None, object]] = {}
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.member_max = member_max
        self.held = 0

    def find(self, data: bytes, info: zipfile.ZipInfo, default=None):
        """The value kept for a member identical to this one, else `default`."""
        known = self.entries.get((info.filename, info.orig_filename, info.compress_type, info.flag_bits, info.CRC,
                                  info.file_size, info.compress_size))  # directory_entry(info), inline
        if known is not None and known[0] is not None and stored_member(data, info) == known[0]:
            return known[1]
        return default

    def keep(self, data: bytes, info: zipfile.ZipInfo, value: object, stored: bytes | None = None) -> None:
        """Remember `value` for this member. A directory entry seen for the first time is
        only noted: a member that recurs is kept from its second time on, one never seen
        twice (most sheets with data) costs no copy of its bytes."""
        if info.compress_size > self.member_max:
            return
        entry = directory_entry(info)
        if len(self.entries) >= self.max_entries or self.held >= self.max_bytes:
            self.entries.clear()
            self.held = 0
        if entry not in self.entries:
            self.entries[entry] = (None, None)
            return
        if stored is None:
            stored = stored_member(data, info)
            if stored is None:
                return
        self.entries[entry] = (stored, value)
        self.held += len(stored)

    def clear(self) -> None:
        self.entries.clear()
        self.held = 0


def read_member(zf: zipfile.ZipFile, data: bytes, name: str) -> bytes:
    """`zf.read(name)`, inflated straight from the archive bytes when the member is plain
    (deflated or stored, not encrypted, sizes and CRC as declared): zipfile's reader object
    costs more than the inflating of a template sheet. Anything else, and any mismatch, goes
    through zf.read, so its errors are zipfile's as before. The output is bounded by the
    declared size, as zipfile's is (check_zip_directory vetted that size)."""
    return read_member_stored(zf, data, name)[0]


def read_member_stored(zf: zipfile.ZipFile, data: bytes, name: str) -> tuple[bytes, bytes | None]:
    """read_member, and the member's stored bytes when it was inflated from them (then the
    output is a function of member_key alone), else None (read through zipfile)."""
    info = zf.getinfo(name)
    if not info.flag_bits & 1 and info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        stored = stored_member(data, info)
        if stored is not None:
            raw = stored[len(stored) - info.compress_size :] if info.compress_size else b""
            out: bytes | None = raw
            if info.compress_type == zipfile.ZIP_DEFLATED:
                try:
                    inflater = zlib.decompressobj(-15)
                    out = inflater.decompress(raw, info.file_size + 1)
                except zlib.error:
                    out = None
            if out is not None and len(out) == info.file_size and zlib.crc32(out) == info.CRC:
                return out, stored
    return zf.read(name), None


# Members whose prolog the quick path found clean (no DOCTYPE): that verdict is a function
# of the member's stored bytes and directory entry.
CLEAN_PROLOGS = MemberMemo()


def check_xml_prologs(zf: zipfile.ZipFile, data: bytes | None = None) -> None:
    """Reject any member whose XML prolog declares a DOCTYPE (entity expansion, external
    entities), except an external DOCTYPE alone atop a part no reader opens (the Basic
    libraries of an .ods). Only the first bytes of each member are decompressed, and not
    even those for a member identical (stored bytes and directory entry) to one already
    found clean."""
    clean = CLEAN_PROLOGS
    odf: list[bool] = []
    for info in zf.infolist():
        name = info.filename
        if info.is_dir() or name.lower().endswith(BINARY_SUFFIXES) or info.file_size == 0:
            continue
        verdict = None
        if data is not None:
            if clean.find(data, info, False):
                continue
            head = _quick_head(data, info)
            if head is not None:
                verdict = prolog_verdict(head)
                if verdict is False:
                    clean.keep(data, info, True)
                    continue
        if verdict is None:
            head, verdict = _member_head(zf, info, prolog_verdict)
        if verdict and _unread_odf_part(zf, name, odf) and _member_head(zf, info, external_doctype_only)[1]:
            continue
        if verdict:
            raise Rejected(FileXmlEntities, _in_member(name))
        if verdict is None and len(head) >= PROLOG_MAX:
            raise Rejected(FileXmlEntities, because(N_("phần đầu XML của thành phần {member} dài quá {limit} byte"),
                                                    member=name, limit=Number(PROLOG_MAX)))


_REF_ATTR = re.compile(rb'\sr\s*=\s*["\']([^"\']*)["\']')
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")


def col_number(letters: str) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_UNSAFE_REF = re.compile(rb' r="(?![A-Z]?[0-9]{1,5}")')  # literal prefix: a fast scan
_TAGS = re.compile(rb"<(?:c|row)[ >/]")
_ODD_CHARS = b"\t\r"  # whitespace that could follow a tag name unseen by _TAGS
_ODD_NEWLINES = (b"<c\n", b"<row\n")
_PREFIXED_TAGS = re.compile(rb":(?:c|row) ")  # same test as `b":c " in xml or b":row " in xml`, one pass
_WHITESPACE = b"\t\r\n"


def _plain_whitespace(xml: bytes) -> bool:
    """At most one tab or CR, and no tag name `c`/`row` followed by a newline.

    The same test as `count(tab, CR) <= 1 and not any(odd in xml ...)`, in one pass over the
    part instead of three: a template sheet holds one or two of these characters (after
    the XML declaration), which are then looked at one by one (memchr-fast finds)."""
    odd = len(xml) - len(xml.translate(None, _WHITESPACE))
    if odd > 4:  # a pretty-printed part: the plain tests
        return len(xml) - len(xml.translate(None, _ODD_CHARS)) <= 1 and not any(o in xml for o in _ODD_NEWLINES)
    tabs_crs = 0
    for char in _WHITESPACE:
        at = xml.find(bytes((char,)))
        while at >= 0:
            if char == 10:
                if xml.endswith((b"<c", b"<row"), 0, at):
                    return False
            else:
                tabs_crs += 1
            at = xml.find(bytes((char,)), at + 1)
    return tabs_crs <= 1


def check_sheet_refs(xml: bytes, sheet: str) -> None:
    """Every `r="..."` in a worksheet part (rows and cells) must be a plain reference within
    MAX_ROWS x MAX_COLS. Cells without `r` are counted as if they ran on along one row.

    Fast path (~20-90 µs for a template sheet): no reference beyond column Z or row 99,999,
    as many canonical ` r="` as row and cell tags (a reference in another spelling leaves its
    tag without one), no tag name followed by a tab or newline, no namespace-prefixed cells. Anything else takes the exact, slower path.
    A deliberately disguised reference may still get through: the worker process is the
    real isolation (see isolate.py)."""
    if (
        _UNSAFE_REF.search(xml) is None
        and _plain_whitespace(xml)  # at most a CR after the XML declaration; no tag name then newline
        and _PREFIXED_TAGS.search(xml) is None
        and len(_TAGS.findall(xml)) == xml.count(b' r="')
    ):
        return
    _check_sheet_refs_slowly(xml, sheet)


def _check_sheet_refs_slowly(xml: bytes, sheet: str) -> None:
    max_row = 0
    max_col = 0
    refs = 0
    for match in _REF_ATTR.finditer(xml):
        raw = match.group(1)
        refs += 1
        if raw.isdigit():
            row = int(raw)
            if row > MAX_ROWS:
                if _last_empty_row(xml, match.end()):
                    continue
                raise Rejected(FileTooLarge, too_many_rows(row), sheet=sheet, cell=f"A{row}")
            max_row = max(max_row, row)
            continue
        text = raw.decode("ascii", "replace")
        cell = _CELL_REF.match(text)
        if not cell:
            raise Rejected(FileCorrupt, because(N_("địa chỉ ô không hợp lệ “{ref}”"), ref=text[:40]),
                           sheet=sheet, cell=text[:40])
        col, row = col_number(cell.group(1)), int(cell.group(2))
        if row > MAX_ROWS or col > MAX_COLS or row == 0:
            raise Rejected(FileTooLarge, because(N_("ô {cell} nằm ngoài giới hạn {rows} dòng × {cols} cột"),
                                                 cell=text, rows=Number(MAX_ROWS), cols=Number(MAX_COLS)),
                           sheet=sheet, cell=text)
        max_row = max(max_row, row)
        max_col = max(max_col, col)
    cells = len(_CELL_TAG.findall(xml))
    rows = len(_ROW_TAG.findall(xml))
    if refs < cells + rows:  # some rows or cells carry no reference: they follow the previous one
        max_col += cells
        max_row += rows
        if max_col > MAX_COLS or max_row > MAX_ROWS:
            raise Rejected(FileTooLarge, because(N_("{rows} dòng và {cells} ô không ghi địa chỉ, vượt giới hạn "
                                                    "{max_rows} dòng × {max_cols} cột"),
                                                 rows=Number(rows), cells=Number(cells),
                                                 max_rows=Number(MAX_ROWS), max_cols=Number(MAX_COLS)), sheet=sheet)
    if max_row * max_col > MAX_AREA:
        raise Rejected(FileTooLarge, too_large_area(max_row, max_col), sheet=sheet)


_END_OF_ROWS = re.compile(rb"\s*(?:/>|>\s*</(?:[A-Za-z_][\w.-]*:)?row\s*>)\s*</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")


def _last_empty_row(xml: bytes, at: int) -> bool:
    """Whether the row whose `r` ends at `at` holds no cell and is the last of the sheet.
    LibreOffice ends a sheet in which a row was deleted with an empty `<row r="1048576">`
    (keeping the sheet's height): nothing is read from it and no cell can follow it, so it
    is no reason to refuse the file. Any other row that far down still is."""
    close = xml.find(b">", at)
    if close < 0:
        return False
    start = close - 1 if xml[close - 1 : close] == b"/" else close
    return _END_OF_ROWS.match(xml, start) is not None


def check_extent(end: tuple[int, int] | None, sheet: str) -> None:
    """Second line, after calamine built a sheet (xls/ods, which have no cheap pre-check):
    refuse to turn a huge grid into Python lists."""
    if not end:
        return
    rows, cols = end[0] + 1, end[1] + 1
    if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_AREA:
        raise Rejected(FileTooLarge, too_large_area(rows, cols), sheet=sheet)


def too_many_rows(row: int) -> Text:
    return because(N_("dữ liệu tới dòng {row}, vượt giới hạn {limit} dòng"), row=Number(row), limit=Number(MAX_ROWS))


def too_many_cols(cols: int) -> Text:
    return because(N_("dữ liệu rộng {cols} cột, vượt giới hạn {limit} cột"), cols=Number(cols), limit=Number(MAX_COLS))


def too_large_area(rows: int, cols: int) -> Text:
    """The note of a sheet whose grid is beyond MAX_ROWS x MAX_COLS or MAX_AREA."""
    return because(N_("vùng dữ liệu {rows} dòng × {cols} cột, vượt giới hạn {max_rows} dòng, {max_cols} cột "
                      "và {area} ô"),
                   rows=Number(rows), cols=Number(cols), max_rows=Number(MAX_ROWS), max_cols=Number(MAX_COLS),
                   area=Number(MAX_AREA))


def _in_member(name: str) -> Text:
    return Text(N_("trong thành phần {member}"), member=name)
