"""The Excel 97-2003 (.xls) side: what an OLE compound file is, and the defined names of
its BIFF workbook stream.

The OLE directory is read with olefile and the NAME records with xlrd (both BSD, both
pure Python). python-calamine still reads the values: it gives no names for .xls, and
without them a row inserted above a named cell could only be refused (layout-shifted).
Neither library expands a file beyond its bytes here: no sheet is loaded (on_demand), a
stream declaring more bytes than the file holds is refused before it is read.
"""

from __future__ import annotations

import io
import struct
import unicodedata

import olefile

from consolidate.i18n import N_, Text
from consolidate.reading.guard import Rejected, because
from consolidate.reading.names import Ref, WorkbookMap, fold
from consolidate.reading.problems import FileCorrupt, FileEncrypted, FileNotSpreadsheet

WORKBOOK_STREAMS = ("workbook", "book")  # BIFF8, then BIFF5/7; any case (the reader's test)
CANONICAL = ("Workbook", "Book")
BOF_RECORDS = (0x0809, 0x0409, 0x0209, 0x0009)
BIFF8_BOF = 0x0809
EOF_RECORD = 0x000A
FILEPASS = 0x002F
BIFF8_VERSIONS = (0x0500, 0x0600)  # BIFF5/7 and BIFF8, the versions whose names xlrd reads
ENCRYPTED_OOXML = ("encryptedpackage", "encryptioninfo")
BOUNDSHEET = 0x0085
DIMENSIONS = 0x0200
BIFF_ROWS, BIFF_COLS = 65536, 256
MAX_RECORDS_BEFORE_DIMENSIONS = 2000  # it follows the sheet's BOF and a few settings records
FORMULA_RECORDS = (0x0006, 0x0206, 0x0406)  # BIFF5-8, BIFF3, BIFF4
BOOLERR = 0x0205
BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A"}

CORRUPT_OLE = N_("tệp Excel 97-2003 (.xls) bị hỏng hoặc bị cắt cụt, không đọc được cấu trúc bên trong")
CORRUPT_BIFF = N_("tệp Excel 97-2003 (.xls) bị hỏng: dữ liệu sổ tính không đọc được")
OFFICE_NOT_SHEET = N_("đây là tài liệu Office cũ (Word .doc?), không có bảng tính; "
                      "hãy gửi tệp Excel (.xlsx) của biểu mẫu")
POWERPOINT_NOT_SHEET = N_("đây là bản trình chiếu PowerPoint cũ (.ppt), không phải bảng tính; "
                          "hãy gửi tệp Excel (.xlsx) của biểu mẫu")
OLE_NOT_SHEET = N_("đây là một tệp Office cũ không chứa bảng tính; hãy gửi tệp Excel (.xlsx) của biểu mẫu")
WORKBOOK_LOST = N_("tệp Excel 97-2003 (.xls) bị hỏng: không còn tìm thấy dữ liệu sổ tính bên trong")
# The root entry's class of an Excel workbook (BIFF8, BIFF5/7), as Excel, LibreOffice and
# WPS write it: an .xls whose workbook stream name was damaged still carries it.
EXCEL_CLSIDS = ("00020820-0000-0000-C000-000000000046", "00020810-0000-0000-C000-000000000046")


def workbook_stream(data: bytes) -> tuple[bytes, bytes]:
    """(the BIFF workbook stream, the bytes to give python-calamine) of an OLE file.

    The stream is found by the names the OLE directory lists, in any case (never by a
    search of the bytes, which finds "Book" inside any Word document's text); calamine
    knows only some spellings, so it gets a copy in memory with the entry spelled as Excel
    does. Raises Rejected: file-encrypted (an encrypted package, or BIFF FILEPASS),
    file-corrupt (a broken header, directory, FAT or stream), file-not-spreadsheet."""
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001  olefile raises OSError, struct.error, IndexError...
        raise Rejected(FileCorrupt, because(CORRUPT_OLE, f"{type(exc).__name__}: {exc}")) from exc
    try:
        streams = {entry[0].casefold(): entry for entry in ole.listdir(streams=True) if len(entry) == 1}
        if any(name in streams for name in ENCRYPTED_OOXML):
            raise Rejected(FileEncrypted, "OLE EncryptedPackage")
        found = next((streams[name] for name in WORKBOOK_STREAMS if name in streams), None)
        if found is None:
            raise _not_a_workbook(ole, streams)
        size = ole.get_size(found)
        damage = _damage(ole, len(data), found, size)
        if damage:
            raise Rejected(FileCorrupt, because(CORRUPT_OLE, damage))
        stream = ole.openstream(found).read()
        reader = _spelled(data, ole, found)
    except Rejected:
        raise
    except Exception as exc:  # noqa: BLE001  a directory or FAT that olefile cannot follow
        raise Rejected(FileCorrupt, because(CORRUPT_OLE, f"{type(exc).__name__}: {exc}")) from exc
    finally:
        ole.close()
    if len(stream) < size:
        raise Rejected(FileCorrupt, because(CORRUPT_OLE, f"stream {found[0]}: {len(stream):,} of {size:,} byte"))
    check_globals(stream)
    return stream, reader


def _not_a_workbook(ole, streams: dict[str, list[str]]) -> Rejected:
    """An OLE file without a workbook stream: a Word or PowerPoint document, another Office
    file, or an .xls whose directory was damaged (its root still says Excel, or a stream
    is named one letter off "Workbook"/"Book"), which is corrupt, not "a Word .doc"."""
    if "worddocument" in streams:
        return Rejected(FileNotSpreadsheet, Text(OFFICE_NOT_SHEET))
    if "powerpoint document" in streams:
        return Rejected(FileNotSpreadsheet, Text(POWERPOINT_NOT_SHEET))
    clsid = (getattr(ole.root, "clsid", "") or "").upper()
    near = [name for name in streams if any(_one_off(name, known) for known in WORKBOOK_STREAMS)]
    if clsid in EXCEL_CLSIDS or near:
        return Rejected(FileCorrupt, because(WORKBOOK_LOST, ", ".join(sorted(streams))[:200]))
    return Rejected(FileNotSpreadsheet, Text(OLE_NOT_SHEET))


def _one_off(name: str, known: str) -> bool:
    return len(name) == len(known) and sum(a != b for a, b in zip(name, known, strict=True)) == 1


def _spelled(data: bytes, ole, entry: list[str]) -> bytes:
    """`data`, or a copy whose workbook entry is named "Workbook" / "Book" (same length:
    only the case differs, so the directory's order is kept)."""
    name = entry[0]
    canonical = next(s for s in CANONICAL if s.casefold() == name.casefold())
    if name == canonical:
        return data
    sid = ole._find(entry)
    per = ole.sectorsize // 128
    sector = ole.first_dir_sector
    for _ in range(sid // per):
        sector = ole.fat[sector]
    at = (sector + 1) * ole.sectorsize + (sid % per) * 128
    copy = bytearray(data)
    copy[at : at + 2 * len(name)] = canonical.encode("utf-16-le")
    return bytes(copy)


def _damage(ole, file_size: int, entry: list[str], size: int) -> str:
    """What olefile tolerates but a whole file has not: a sector of the directory, of the
    mini stream or of the workbook stream beyond the file's end (cut off; a partial last
    sector is how some writers end a file), a chain that loops back (sectors read twice),
    a stream larger than the file. "" when none."""
    if size > file_size:
        return f"stream {entry[0]}: {size:,} byte > file"
    chains = [("directory", ole.first_dir_sector, None)]
    if size < ole.minisectorcutoff:  # in the mini stream, itself a FAT stream
        chains.append(("mini stream", ole.root.isectStart, ole.root.size))
    else:
        chains.append((entry[0], ole.direntries[ole._find(entry)].isectStart, size))
    for what, start, length in chains:
        damage = _chain_damage(ole, start, length, file_size)
        if damage:
            return f"{what}: {damage}"
    return ""


def _chain_damage(ole, sector: int, length: int | None, file_size: int) -> str:
    """A FAT chain from `sector` covering `length` bytes (None: up to its end of chain)."""
    count = None if length is None else -(-length // ole.sectorsize)
    seen: set[int] = set()
    while sector != olefile.ENDOFCHAIN and (count is None or len(seen) < count):
        if sector in seen or not 0 <= sector < len(ole.fat) or (sector + 1) * ole.sectorsize >= file_size:
            return f"broken sector chain at {sector}"
        seen.add(sector)
        sector = ole.fat[sector]
    if count is not None and len(seen) < count:
        return f"{len(seen)} of {count} sectors"
    return ""


def _records(stream: bytes, start: int = 0):
    """(type, offset of the body, length) of each BIFF record from `start` (offsets in
    `stream`, which is never sliced: a workbook stream may be 20 MB)."""
    pos = start
    end = len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield kind, pos + 4, length
        pos += 4 + length


def check_globals(stream: bytes) -> None:
    """The workbook globals: a BOF first, an EOF within the stream, no FILEPASS (the
    password record of RC4 or XOR encrypted workbooks, which nothing here can read), and
    each sheet's BOF where its BOUNDSHEET record says (python-calamine panics otherwise)."""
    records = _records(stream)
    first = next(records, None)
    if first is None or first[0] not in BOF_RECORDS:
        raise Rejected(FileCorrupt, because(CORRUPT_BIFF, "no BOF record"))
    for kind, body, length in records:
        if body + length > len(stream):
            break
        if kind == FILEPASS:
            raise Rejected(FileEncrypted, "BIFF FILEPASS")
        if kind == EOF_RECORD:
            for position, _kind, name in boundsheets(stream):
                _check_sheet(stream, position, name)
            return
        if kind in BOF_RECORDS:  # a sheet's BOF before the globals ended
            break
    raise Rejected(FileCorrupt, because(CORRUPT_BIFF, "workbook globals without EOF"))


def boundsheets(stream: bytes) -> list[tuple[int, int, str]]:
    """(offset of its BOF, sheet type: 0 worksheet, 2 chart, 6 VBA..., name) of each sheet
    the globals list, in order. Names NFC; BIFF8 Unicode, older ones read as Latin-1."""
    sheets = []
    for kind, body, length in _records(stream):
        if body + length > len(stream) or kind == EOF_RECORD:
            break
        if kind == BOUNDSHEET and length >= 6:
            record = stream[body : body + length]
            sheets.append((struct.unpack_from("<I", record)[0], record[5], _sheet_name(record)))
    return sheets


def _sheet_name(body: bytes) -> str:
    if len(body) < 8:
        return ""
    count, flags = body[6], body[7]
    if flags in (0, 1) and len(body) >= 8 + count * (flags + 1):  # BIFF8: a flags byte first
        name = body[8 : 8 + count * (flags + 1)].decode("utf-16-le" if flags else "latin-1", "replace")
    else:
        name = body[7 : 7 + count].decode("latin-1", "replace")
    return unicodedata.normalize("NFC", name)


def _check_sheet(stream: bytes, position: int, sheet: str) -> None:
    """A sheet's BOF where BOUNDSHEET says, and a DIMENSIONS record the reader can trust:
    python-calamine panics without the first and sizes its grid from the second (a first
    row above the last is an allocation of hundreds of gigabytes, which aborts the process)."""
    if position + 4 > len(stream) or struct.unpack_from("<H", stream, position)[0] not in BOF_RECORDS:
        raise Rejected(FileCorrupt, because(CORRUPT_BIFF, f"no sheet BOF at {position}"), sheet=sheet or None)
    for count, (kind, body, length) in enumerate(_records(stream, position)):
        if body + length > len(stream):
            raise Rejected(FileCorrupt, because(CORRUPT_BIFF, f"sheet record at {body - 4} past the stream"),
                           sheet=sheet or None)
        if kind == EOF_RECORD or count > MAX_RECORDS_BEFORE_DIMENSIONS:
            return
        if kind == DIMENSIONS and length >= 8:
            layout = "<IIHH" if length >= 12 else "<HHHH"  # BIFF8 rows are 32-bit, BIFF5's 16
            first_row, last_row, first_col, last_col = struct.unpack_from(layout, stream, body)
            break
    else:
        return
    # Within the format's own limits the grid is bounded (65,536 x 256); a reader over its
    # memory budget there is file-too-large (see isolate.py)
    if first_row > last_row or first_col > last_col or last_row > BIFF_ROWS or last_col > BIFF_COLS:
        raise Rejected(FileCorrupt, because(CORRUPT_BIFF, f"DIMENSIONS {first_row}-{last_row} x {first_col}-{last_col}"),
                       sheet=sheet or None)


def _biff_version(stream: bytes) -> int:
    kind, length = struct.unpack_from("<HH", stream, 0)
    if kind != BIFF8_BOF or length < 2:
        return 0
    return struct.unpack_from("<H", stream, 4)[0]


def read_xls_map(stream: bytes) -> WorkbookMap:
    """The defined names of a BIFF5-8 workbook stream (as workbook_stream returned it).

    Excel's built-in names (Print_Titles, _FilterDatabase, ...) are left out, as in .xlsx.
    BIFF has no tables: those are found by their header row (WorkbookMap.tables_by_header).
    Anything xlrd raises on a damaged stream is file-corrupt, one problem of this file."""
    result = WorkbookMap(tables_by_header=True)
    if _biff_version(stream) not in BIFF8_VERSIONS:
        return result  # older BIFF (one sheet, no names worth reading): read by position
    import xlrd  # here, not at import: only .xls files pay for it

    try:
        book = xlrd.open_workbook(file_contents=stream, on_demand=True, logfile=io.StringIO(), verbosity=0)
        try:
            _names_into(result, book, stream)
        finally:
            book.release_resources()
    except Exception as exc:  # noqa: BLE001  xlrd raises XLRDError, struct.error, IndexError, ...
        raise Rejected(FileCorrupt, because(CORRUPT_BIFF, f"{type(exc).__name__}: {exc}")) from exc
    return result


def scan_errors(stream: bytes, position: int) -> dict[tuple[int, int], tuple[str | None, bool]]:
    """(row, col) -> (error text, False) for each error cell of the worksheet whose BOF is
    at `position`: a formula whose cached result is an error, or an error constant.
    python-calamine reads both as empty cells (as sheetxml.scan_errors finds for OOXML)."""
    found: dict[tuple[int, int], tuple[str | None, bool]] = {}
    depth = 0
    for kind, body, length in _records(stream, position):
        if body + length > len(stream):
            break
        if kind in BOF_RECORDS:
            depth += 1  # an embedded chart nests its own BOF ... EOF
        elif kind == EOF_RECORD:
            depth -= 1
            if depth <= 0:
                break
        elif depth != 1:
            continue
        elif kind in FORMULA_RECORDS and length >= 14:
            row, col = struct.unpack_from("<HH", stream, body)
            result = stream[body + 6 : body + 14]
            if result[6:8] == b"\xff\xff" and result[0] == 2:
                found[(row, col)] = (BIFF_ERRORS.get(result[2], "#N/A"), False)
        elif kind == BOOLERR and length >= 8:
            row, col = struct.unpack_from("<HH", stream, body)
            if stream[body + 7] == 1:
                found[(row, col)] = (BIFF_ERRORS.get(stream[body + 6], "#N/A"), False)
    return found


def _names_into(result: WorkbookMap, book, stream: bytes) -> None:
    """The book's names into `result` as names._read_ooxml_map keeps them: a workbook-scoped
    name defined twice is a duplicate; a sheet-scoped one is used when no workbook-scoped
    one exists (a duplicate if two sheets define it)."""
    sheets = [unicodedata.normalize("NFC", name) for name in book.sheet_names()]
    positions = [offset for offset, kind, _name in boundsheets(stream) if kind == 0]
    if len(positions) == len(sheets):
        result.biff_sheets = dict(zip(sheets, positions, strict=True))
    scoped: dict[str, Ref | str] = {}
    scoped_twice: set[str] = set()
    for name in book.name_obj_list:
        if name.builtin or name.macro or name.binary or name.name.casefold().startswith("_xlnm."):
            continue
        key = fold(name.name)
        value = _resolve(name, sheets)
        if name.scope == -1:
            if key in result.names:
                result.duplicates.add(key)
            result.names[key] = value
        elif key in scoped:
            scoped_twice.add(key)
        else:
            scoped[key] = value
    for key, value in scoped.items():
        if key not in result.names:
            result.names[key] = value
            if key in scoped_twice:
                result.duplicates.add(key)


def _resolve(name, sheets: list[str]) -> Ref | str:
    """A name's one absolute area on one worksheet, else its formula text (name-broken)."""
    from xlrd.formula import oREF

    result = name.result
    text = getattr(result, "text", None) or getattr(name, "formula_text", None) or "?"
    if result is None or result.kind != oREF or len(result.value) != 1:
        return str(text)
    shtxlo, shtxhi, rowxlo, rowxhi, colxlo, colxhi = result.value[0].coords
    if not (0 <= shtxlo < len(sheets) and shtxhi == shtxlo + 1) or rowxlo >= rowxhi or colxlo >= colxhi:
        return str(text)
    return Ref(sheets[shtxlo], rowxlo, colxlo, rowxhi - 1, colxhi - 1)



def sheet_sizes(stream: bytes) -> dict[str, int]:
    """Each worksheet's bytes in a BIFF8 workbook stream (from its BOUNDSHEET record's offset
    to the next sheet's): python-calamine builds every sheet when it opens an .xls, and the
    largest is where a reader that ran out of memory was."""
    if len(stream) < 6 or _biff_version(stream) != 0x0600:
        return {}
    starts = sorted((offset, name) for offset, _kind, name in boundsheets(stream))
    ends = [offset for offset, _ in starts[1:]] + [len(stream)]
    return {name: max(0, end - offset) for (offset, name), end in zip(starts, ends, strict=True)}
