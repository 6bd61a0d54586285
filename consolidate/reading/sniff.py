"""Decide what a file is from its bytes, never from its name."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as SafeET

from consolidate.i18n import N_, Text
from consolidate.reading.biff import workbook_stream
from consolidate.reading.guard import Rejected, because
from consolidate.reading.problems import (
    FileCorrupt,
    FileEncrypted,
    FileFormatUnsupported,
    FileNotSpreadsheet,
)

ZIP_MAGIC = b"PK\x03\x04"
ZIP_EMPTY = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ODS_MIMETYPES = {
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet-template",
}
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "xlsm",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "xlsm",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml": "xlsm",
}
# Excel 2.x-4.0 worksheets are a bare BIFF stream, not an OLE file: BOF record type -> name
OLD_BIFF = {b"\x09\x00": "Excel 2.x (.xls)", b"\x09\x02": "Excel 3.0 (.xls)", b"\x09\x04": "Excel 4.0 (.xls)"}
XLSB_MAIN = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"


def is_owner_file(path: Path | str) -> bool:
    """Excel's lock file (`~$Báo cáo.xlsx`) beside an open workbook: skip it silently."""
    return Path(path).name.startswith("~$")


@dataclass
class Sniffed:
    format: str  # xlsx | xlsm | xls | ods
    zip: zipfile.ZipFile | None = None
    workbook_part: str = ""  # OOXML: e.g. xl/workbook.xml
    macros: bool = False
    biff: bytes | None = None  # xls: the workbook stream
    data: bytes | None = None  # xls: the bytes python-calamine reads, when not the file's own


def sniff(data: bytes, open_zip) -> Sniffed:
    """`open_zip(data)` opens and vets the zip (so that the caller's guards run before any
    member is read). Raises Rejected for everything that is not a readable workbook."""
    head = data[:8]
    if head.startswith((ZIP_MAGIC, ZIP_EMPTY)):
        zf = open_zip(data)
        return _sniff_zip(zf)
    if head == OLE_MAGIC:
        stream, reader_data = workbook_stream(data)
        return Sniffed("xls", biff=stream, data=reader_data)
    old_excel = OLD_BIFF.get(data[:2])
    if old_excel and int.from_bytes(data[2:4], "little") in (4, 6, 8):
        raise Rejected(FileFormatUnsupported, old_excel)  # a bare BIFF2-4 BOF record
    stripped = data[:512].lstrip().lower()
    if stripped.startswith((b"<html", b"<!doctype html", b"<?xml", b"<table")):
        raise Rejected(FileNotSpreadsheet, Text("đây là trang HTML/XML đặt tên như bảng tính; "
                                              "hãy gửi tệp Excel (.xlsx) của biểu mẫu"))
    raise Rejected(FileNotSpreadsheet, _what_else(data))


KNOWN_MAGIC = (
    (b"%PDF", N_("đây là tệp PDF; hãy gửi tệp Excel (.xlsx) của biểu mẫu, không chuyển sang PDF")),
    (b"{\\rtf", N_("đây là tệp văn bản RTF; hãy gửi tệp Excel (.xlsx) của biểu mẫu")),
    (b"\xff\xd8\xff", N_("đây là tệp ảnh JPEG; hãy gửi tệp Excel (.xlsx) của biểu mẫu, không chụp ảnh")),
    (b"\x89PNG", N_("đây là tệp ảnh PNG; hãy gửi tệp Excel (.xlsx) của biểu mẫu, không chụp ảnh")),
    (b"Rar!", N_("đây là tệp nén RAR; hãy giải nén và gửi tệp Excel bên trong")),
    (b"7z\xbc\xaf", N_("đây là tệp nén 7z; hãy giải nén và gửi tệp Excel bên trong")),
)


def _what_else(data: bytes) -> Text:
    """Name what a unit sent instead of a workbook, so the reminder can say what to do."""
    for magic, note in KNOWN_MAGIC:
        if data.startswith(magic):
            return Text(note)
    sample = data[:2048]
    try:
        sample.decode("utf-8")
        text = True
    except UnicodeDecodeError:
        text = False
    if text and all(b >= 9 for b in sample):
        return Text("đây là tệp văn bản (CSV/TXT); hãy gửi tệp Excel (.xlsx) của biểu mẫu")
    return Text("nội dung không nhận ra (byte đầu: {head}); hãy gửi tệp Excel (.xlsx) của biểu mẫu",
                head=data[:8].hex())


def _sniff_zip(zf: zipfile.ZipFile) -> Sniffed:
    names = set(zf.namelist())
    if "mimetype" in names:
        return _sniff_odf(zf, names)
    if "[Content_Types].xml" not in names:
        raise Rejected(FileNotSpreadsheet, _zip_without_workbook(names))
    types = zf.read("[Content_Types].xml")
    if "xl/workbook.xml" in names and types.count(b".main+xml") + types.count(b".main\"") == 1:
        # the usual package: one workbook part at the usual place; no need to parse
        for ctype, fmt in OOXML_MAIN.items():
            if ctype.encode() in types:
                macros = fmt == "xlsm" or any(n.lower().endswith("vbaproject.bin") for n in names)
                return Sniffed(fmt, zf, "xl/workbook.xml", macros=macros)
    try:
        root = SafeET.fromstring(types, forbid_dtd=True)
    except SafeET.ParseError as exc:
        raise Rejected(FileCorrupt, because(N_("danh mục thành phần [Content_Types].xml của tệp bị hỏng"), exc)) from exc
    fmt = ""
    part = ""
    for el in root:
        ctype = el.get("ContentType", "")
        if ctype == XLSB_MAIN:  # by Override, or (as Excel writes it) by Default for .bin
            raise Rejected(FileFormatUnsupported, Text(N_(".xlsb (sổ làm việc nhị phân của Excel)")))
        if el.tag.rpartition("}")[2] == "Override" and ctype in OOXML_MAIN and not fmt:
            fmt, part = OOXML_MAIN[ctype], el.get("PartName", "").lstrip("/")
    if not fmt:
        if "xl/workbook.xml" in names:  # a sloppy writer without the Override
            fmt, part = "xlsx", "xl/workbook.xml"
        else:
            raise Rejected(FileNotSpreadsheet, _package_without_workbook(names))
    if part not in names:
        raise Rejected(FileCorrupt, Text(N_("thiếu thành phần {member} mà tệp khai báo là sổ làm việc"), member=part))
    macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    return Sniffed(fmt, zf, part, macros=macros or fmt == "xlsm")


def _package_without_workbook(names: set[str]) -> Text:
    """An Office Open XML package that holds no workbook: say which document it is."""
    if "word/document.xml" in names:
        return Text(N_("đây là tài liệu Word, không phải bảng tính; hãy gửi tệp Excel (.xlsx) của biểu mẫu"))
    if "ppt/presentation.xml" in names:
        return Text(N_("đây là bản trình chiếu PowerPoint, không phải bảng tính; "
                       "hãy gửi tệp Excel (.xlsx) của biểu mẫu"))
    return Text(N_("đây là một gói Office không chứa sổ làm việc Excel; hãy gửi tệp Excel (.xlsx) của biểu mẫu"))


SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def _zip_without_workbook(names: set[str]) -> Text:
    """A plain zip archive (no [Content_Types].xml, no mimetype): often returns zipped up."""
    inside = sorted(n for n in names if n.lower().endswith(SPREADSHEET_SUFFIXES))
    if inside:
        return Text(N_("đây là tệp nén (zip) chứa {file}; hãy giải nén và gửi riêng tệp bảng tính"),
                    file=inside[0].rpartition("/")[2])
    return Text(N_("đây là tệp nén (zip) không chứa bảng tính; hãy gửi tệp Excel (.xlsx) của biểu mẫu"))


MANIFEST = "META-INF/manifest.xml"
MANIFEST_MAX = 1024 * 1024  # LibreOffice writes ~1 kB; a few hundred parts stay far below


ODF_OTHERS = {  # OpenDocument packages that are not spreadsheets, by their mimetype's kind
    "text": N_("đây là văn bản OpenDocument (.odt, Writer), không phải bảng tính; "
               "hãy gửi tệp Excel (.xlsx) của biểu mẫu"),
    "presentation": N_("đây là bản trình chiếu OpenDocument (.odp, Impress), không phải bảng tính; "
                       "hãy gửi tệp Excel (.xlsx) của biểu mẫu"),
    "graphics": N_("đây là bản vẽ OpenDocument (.odg, Draw), không phải bảng tính; "
                   "hãy gửi tệp Excel (.xlsx) của biểu mẫu"),
}


def _sniff_odf(zf: zipfile.ZipFile, names: set[str]) -> Sniffed:
    mimetype = zf.read("mimetype")[:200].decode("ascii", "replace").strip()
    if mimetype not in ODS_MIMETYPES:
        kind = mimetype.removeprefix("application/vnd.oasis.opendocument.").partition("-")[0]
        reason = ODF_OTHERS.get(kind, N_("đây là tài liệu OpenDocument khác, không phải bảng tính; "
                                         "hãy gửi tệp Excel (.xlsx) của biểu mẫu"))
        raise Rejected(FileNotSpreadsheet, because(reason, mimetype[:80]))
    if _odf_encrypted(zf, names):
        raise Rejected(FileEncrypted, Text(N_("META-INF/manifest.xml khai báo nội dung đã mã hóa")))
    if "content.xml" not in names:
        raise Rejected(FileCorrupt, Text(N_("thiếu thành phần {member} (nội dung bảng tính)"), member="content.xml"))
    # a LibreOffice Basic (or other script) library: values are read, the macros never run
    macros = any(n.startswith(("Basic/", "Scripts/")) and not n.endswith("/") for n in names)
    return Sniffed("ods", zf, macros=macros)


def _odf_encrypted(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """True when the manifest gives any part <manifest:encryption-data> (ODF 1.2, §3.8):
    a password-protected file, whose content.xml is ciphertext."""
    if MANIFEST not in names:
        return False
    info = zf.getinfo(MANIFEST)
    if info.file_size > MANIFEST_MAX:
        raise Rejected(FileCorrupt, because(N_("thành phần {member} lớn bất thường"), f"{info.file_size} byte",
                                            member=MANIFEST))
    raw = zf.read(MANIFEST)
    if b"encryption-data" not in raw:
        return False
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except SafeET.ParseError as exc:
        raise Rejected(FileCorrupt, because(N_("thành phần {member} bị hỏng"), exc, member=MANIFEST)) from exc
    return any(el.tag.rpartition("}")[2] == "encryption-data" for el in root.iter())
