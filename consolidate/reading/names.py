"""Where the template's named cells and tables are in a workbook, from the workbook XML.

python-calamine sees values only, so the defined names (`xl/workbook.xml`), the tables
(`xl/tables/tableN.xml`, tied to sheets through the relationship parts) and, for .ods, the
named and database ranges of `content.xml` are read here with defusedxml.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache

from defusedxml import ElementTree as SafeET

from consolidate.i18n import N_, Text
from consolidate.reading import guard
from consolidate.reading.guard import Rejected, because, col_number, member_key
from consolidate.reading.problems import FileCorrupt, FileTooLarge


@dataclass(frozen=True)
class Ref:
    """A resolved reference: sheet name and 0-based bounds (a single cell has r1 == r2)."""

    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int


@dataclass
class TableRef:
    name: str
    ref: Ref
    columns: list[str] = field(default_factory=list)  # header names; empty: read from the sheet
    header_rows: int = 1
    totals_rows: int = 0


@dataclass
class WorkbookMap:
    sheet_parts: dict[str, str] = field(default_factory=dict)  # sheet name -> zip member (OOXML)
    names: dict[str, Ref | str] = field(default_factory=dict)  # casefolded name -> Ref or raw text
    tables: dict[str, TableRef] = field(default_factory=dict)  # casefolded name -> table
    duplicates: set[str] = field(default_factory=set)  # casefolded names defined more than once
    # .ods: sheet -> cells up to its last filled one, as the reader will expand them (all at
    # once, when it opens the file: the largest is where a reader out of memory was); .xls:
    # sheet -> its bytes in the workbook stream (biff.sheet_sizes)
    extents: dict[str, int] = field(default_factory=dict)
    # A format without tables (.xls): the template's tables are found by their header row.
    tables_by_header: bool = False
    biff_sheets: dict[str, int] = field(default_factory=dict)  # .xls: sheet -> its BOF in the stream
    # How the reader resolved this map against a definition's layout and a sheet list (see
    # locate._NamesPlan): a map is reused for every return of one template, so is this.
    plans: dict = field(default_factory=dict, repr=False, compare=False)


@lru_cache(maxsize=8192)
def fold(name: str) -> str:
    """Sheet, name and table keys compare like Excel does: case-insensitively, as NFC.
    Cached: the same few dozen names are folded for every file of a batch."""
    return unicodedata.normalize("NFC", name).casefold()


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attr(el, local: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id, table:name, ...)."""
    value = el.get(local)
    if value is not None:
        return value
    for key, value in el.attrib.items():
        if key.rpartition("}")[2] == local:
            return value
    return None


def xml_broken(member: str, exc: Exception) -> Text:
    return because(N_("thành phần {member} của tệp không phải XML hợp lệ"), exc, member=member)


def _parse(zf: zipfile.ZipFile, member: str):
    try:
        return SafeET.fromstring(zf.read(member), forbid_dtd=True)
    except KeyError as exc:
        raise Rejected(FileCorrupt, because(N_("thiếu thành phần {member} của tệp"), member=member)) from exc
    except SafeET.ParseError as exc:
        raise Rejected(FileCorrupt, xml_broken(member, exc)) from exc


# --- A1 references ---------------------------------------------------------------------

_SHEET = r"(?:'((?:[^']|'')+)'|([^'!:\s]+))"
_CELL = r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})"
_XL_REF = re.compile(rf"^=?\s*{_SHEET}!{_CELL}(?::{_CELL})?\s*$")


def _cell(col: str, row: str) -> tuple[int, int]:
    return int(row) - 1, col_number(col.upper()) - 1


def parse_excel_ref(text: str) -> Ref | None:
    """`'Chỉ tiêu'!$D$6`, `Sheet1!D6:D6`, `'It''s'!$B$4:$E$14`; None for #REF!, formulas,
    several areas and constants."""
    m = _XL_REF.match(text.strip())
    if not m:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    r1, c1 = _cell(m.group(3), m.group(4))
    r2, c2 = _cell(m.group(5), m.group(6)) if m.group(5) else (r1, c1)
    if r1 < 0 or r2 < 0:
        return None
    return Ref(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


_OD_SHEET = r"(?:\$?(?:'((?:[^']|'')+)'|([^'.:\s]+))\.|\.)?"
_OD_REF = re.compile(rf"^{_OD_SHEET}{_CELL}(?::{_OD_SHEET}{_CELL})?$")


def parse_ods_ref(text: str) -> Ref | None:
    """`$'Chỉ tiêu'.$D$7`, `'Mô hình'.B12:'Mô hình'.E15`, `$Sheet1.$A$1:.$B$2`."""
    m = _OD_REF.match(text.strip())
    if not m:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    if not sheet:
        return None
    r1, c1 = _cell(m.group(3), m.group(4))
    r2, c2 = _cell(m.group(7), m.group(8)) if m.group(7) else (r1, c1)
    if r1 < 0 or r2 < 0:
        return None
    return Ref(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


def split_range(text: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """`B4:E14` (a table's ref) -> ((3, 1), (13, 4))."""
    m = re.match(rf"^{_CELL}(?::{_CELL})?$", text.strip())
    if not m:
        return None
    a = _cell(m.group(1), m.group(2))
    b = _cell(m.group(3), m.group(4)) if m.group(3) else a
    return a, b


# --- OOXML -----------------------------------------------------------------------------


def _rels(zf: zipfile.ZipFile, part: str, names: set[str]) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type suffix, resolved target member) of an OOXML part."""
    folder, base = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", base + ".rels")
    if rels_part not in names:
        return {}
    out = {}
    for rel in _parse(zf, rels_part):
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", "").rpartition("/")[2], resolved)
    return out


class _Recorder:
    """A zip that remembers which members were read, so a parsed map can be reused exactly."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.read_members: list[str] = []

    def namelist(self) -> list[str]:
        return self.zf.namelist()

    def read(self, member: str) -> bytes:
        self.read_members.append(member)
        return self.zf.read(member)


# listing of the zip -> [(members parsed, their signature, map)], most recent last
_MAP_CACHE: dict[tuple[str, ...], list[tuple[tuple[str, ...], tuple, WorkbookMap]]] = {}
_MAP_CACHE_SIZE = 64


def _signature(zf: zipfile.ZipFile, data: bytes | None, members) -> tuple | None:
    """What must be equal for a map parsed from `members` to be reused: with the archive
    bytes, each member as stored (guard.member_key: no inflating); without them, a digest
    of the decompressed contents. None: the members cannot be compared (reparse)."""
    if data is None:
        h = hashlib.sha1(usedforsecurity=False)
        for member in members:
            h.update(member.encode("utf-8") + b"\0")
            h.update(zf.read(member) + b"\0")
        return (h.digest(),)
    keys = []
    for member in members:
        info = zf.NameToInfo.get(member)
        key = member_key(data, info) if info is not None else None
        if key is None:
            return None
        keys.append(key)
    return tuple(keys)


def read_ooxml_map(zf: zipfile.ZipFile, workbook_part: str, data: bytes | None = None) -> WorkbookMap:
    """Sheets, defined names and tables of a workbook.

    Returns made from one template share these parts byte for byte, and parsing them is
    most of the cost of reading a return; so a map is reused when every part it was parsed
    from is identical (checked by content, not guessed from the file name or size). `data`:
    the bytes `zf` was opened on; parts are then compared as stored, without inflating.
    """
    listing = tuple(zf.namelist())
    entries = _MAP_CACHE.get(listing)
    if entries is not None:
        for members, signature, cached in reversed(entries):
            try:
                if _signature(zf, data, members) == signature:
                    return cached
            except KeyError:
                pass
    recorder = _Recorder(zf)
    result = _read_ooxml_map(recorder, workbook_part)
    members = tuple(dict.fromkeys(recorder.read_members))
    signature = _signature(zf, data, members)
    if signature is not None:
        if entries is None:
            if len(_MAP_CACHE) >= _MAP_CACHE_SIZE:
                _MAP_CACHE.pop(next(iter(_MAP_CACHE)))
            entries = _MAP_CACHE[listing] = []
        if len(entries) >= 8:  # many templates with one listing: keep the newest
            entries.pop(0)
        entries.append((members, signature, result))
    return result


def _read_ooxml_map(zf, workbook_part: str) -> WorkbookMap:
    names = set(zf.namelist())
    root = _parse(zf, workbook_part)
    rels = _rels(zf, workbook_part, names)
    result = WorkbookMap()
    order: list[str] = []
    scoped: dict[str, Ref | str] = {}
    scoped_twice: set[str] = set()
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "sheet":
            sheet_name = unicodedata.normalize("NFC", el.get("name", ""))
            order.append(sheet_name)
            rid = _attr(el, "id")
            if rid in rels:
                result.sheet_parts[sheet_name] = rels[rid][1]
        elif tag == "definedName":
            name = el.get("name", "")
            if not name or name.startswith("_xlnm."):
                continue
            text = el.text or ""
            ref = parse_excel_ref(text)
            value: Ref | str = ref if ref is not None else text
            if isinstance(value, Ref):
                value = Ref(unicodedata.normalize("NFC", value.sheet), value.r1, value.c1, value.r2, value.c2)
            if el.get("localSheetId") is None:
                _add_name(result, fold(name), value)
            elif fold(name) in scoped:  # a sheet-scoped name: used when no workbook-scoped one exists
                scoped_twice.add(fold(name))
            else:
                scoped[fold(name)] = value
    for key, value in scoped.items():
        if key not in result.names:
            result.names[key] = value
            if key in scoped_twice:
                result.duplicates.add(key)
    for sheet_name, sheet_part in result.sheet_parts.items():
        for kind, target in _rels(zf, sheet_part, names).values():
            if kind != "table" or target not in names:
                continue
            table = _parse(zf, target)
            bounds = split_range(table.get("ref", ""))
            if bounds is None:
                continue
            (r1, c1), (r2, c2) = bounds
            columns = [
                unicodedata.normalize("NFC", col.get("name", ""))
                for col in table.iter()
                if _local(col.tag) == "tableColumn"
            ]
            name = table.get("displayName") or table.get("name") or ""
            result.tables[fold(name)] = TableRef(
                name=name,
                ref=Ref(sheet_name, r1, c1, r2, c2),
                columns=columns,
                header_rows=_int(table.get("headerRowCount"), 1),
                totals_rows=_int(table.get("totalsRowCount"), 0),
            )
            if table.get("name") and table.get("name") != name:
                result.tables.setdefault(fold(table.get("name")), result.tables[fold(name)])
    return result


def _add_name(result: WorkbookMap, key: str, value: Ref | str) -> None:
    """A second definition of one name is never a silent choice: it is kept as a duplicate."""
    if key in result.names:
        result.duplicates.add(key)
    result.names[key] = value


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


# --- OpenDocument ----------------------------------------------------------------------


def read_ods_map(zf: zipfile.ZipFile) -> WorkbookMap:
    """Named ranges and database ranges of content.xml (streamed: they come last).

    The same pass counts each sheet's rows and columns as the reader would expand them
    (`number-rows-repeated`, `number-columns-repeated`): a 32 kB file can repeat one filled
    row a million times, which python-calamine would build in memory. Trailing empty
    repeats (LibreOffice writes them on every sheet) cost the reader nothing and count not."""
    result = WorkbookMap()
    extent = _OdsExtent()
    try:
        with zf.open("content.xml") as stream:
            for event, el in SafeET.iterparse(stream, events=("start", "end"), forbid_dtd=True):
                tag = _local(el.tag)
                if event == "start":
                    if tag == "table" and extent.depth == 0:
                        extent.begin(_attr(el, "name") or "")
                    elif tag == "table":
                        extent.depth += 1
                    continue
                if tag in ("table-cell", "covered-table-cell"):
                    extent.cell(el)
                elif tag == "table-row":
                    extent.row(el)
                    el.clear()  # keep memory flat on big sheets
                elif tag == "table":
                    if extent.depth > 1:
                        extent.depth -= 1
                    else:
                        result.extents[extent.sheet] = extent.last_row * max(extent.width, 1)
                        extent.end()
                        el.clear()
                elif tag == "named-range":
                    name = _attr(el, "name") or ""
                    text = _attr(el, "cell-range-address") or ""
                    ref = parse_ods_ref(text)
                    if ref is not None:
                        ref = Ref(unicodedata.normalize("NFC", ref.sheet), ref.r1, ref.c1, ref.r2, ref.c2)
                    _add_name(result, fold(name), ref if ref is not None else text)
                elif tag == "database-range":
                    name = _attr(el, "name") or ""
                    ref = parse_ods_ref(_attr(el, "target-range-address") or "")
                    if ref is not None:
                        ref = Ref(unicodedata.normalize("NFC", ref.sheet), ref.r1, ref.c1, ref.r2, ref.c2)
                        header = (_attr(el, "contains-header") or "true") != "false"
                        result.tables[fold(name)] = TableRef(name, ref, [], int(header), 0)
    except SafeET.ParseError as exc:
        raise Rejected(FileCorrupt, xml_broken("content.xml", exc)) from exc
    return result


class _OdsExtent:
    """Rows x columns of one sheet as expanded, up to its last non-empty cell."""

    def __init__(self) -> None:
        self.depth = 0
        self.sheet = ""
        self.rows = self.last_row = self.width = self.cols = 0
        self.filled = False

    def begin(self, sheet: str) -> None:
        self.depth = 1
        self.sheet = sheet
        self.rows = self.last_row = self.width = self.cols = 0

    def cell(self, el) -> None:
        repeat = _int(_attr(el, "number-columns-repeated"), 1)
        self.cols += max(repeat, 1)
        if len(el) or _attr(el, "value-type") is not None or _attr(el, "formula") is not None:
            self.filled = True
            self.width = max(self.width, self.cols)
            if self.width > guard.MAX_COLS:
                raise Rejected(FileTooLarge, guard.too_many_cols(self.width), sheet=self.sheet)

    def row(self, el) -> None:
        repeat = max(_int(_attr(el, "number-rows-repeated"), 1), 1)
        self.rows += repeat
        if self.filled:
            self.last_row = self.rows
            if self.last_row > guard.MAX_ROWS or self.last_row * max(self.width, 1) > guard.MAX_AREA:
                raise Rejected(FileTooLarge, guard.too_large_area(self.last_row, self.width), sheet=self.sheet)
        self.cols = 0
        self.filled = False

    def end(self) -> None:
        self.depth = 0
