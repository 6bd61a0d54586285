"""Build the reading test corpus: good returns from the real template writer and hostile
files made by editing their bytes. Run it to look at the files:

    python tests/reading/make_corpus.py OUT_DIR
"""

from __future__ import annotations

import re
import struct
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from consolidate.definition import loader as definitions  # noqa: E402
from consolidate.definition.sample_values import filled_values  # noqa: E402
from consolidate.template.writer import write_template  # noqa: E402

MINI = ROOT / "tests" / "fixtures" / "mini"
FIELDS_SHEET = "Chỉ tiêu"


def good(definition, path: Path, seed: int = 0, unit_index: int = 0, **overrides) -> dict:
    """A filled return; returns the values written."""
    period = definition.periods[0]
    unit = definition.expected_units(period.id)[unit_index % len(definition.expected_units(period.id))]
    values = filled_values(definition, unit, period, seed=seed, table_rows=(2, 4))
    values.update(overrides)
    write_template(definition, unit, period, path, values=values)
    return values


def rewrite(src: Path, dst: Path, edit) -> Path:
    """Copy a zip member by member; `edit(name, data)` returns new bytes or None to drop."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


def sheet_member(path: Path, sheet: str) -> str:
    """The worksheet part of a sheet, through workbook.xml and its rels (test helper, regex)."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"', wb).group(1)
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")


# --- hostile files -------------------------------------------------------------------


def empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def text_renamed(path: Path) -> Path:
    path.write_text("Mã đơn vị;Số liệu\nSNV;12\n", encoding="utf-8")
    return path


def truncated(src: Path, path: Path) -> Path:
    data = src.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def corrupt_zip(src: Path, path: Path) -> Path:
    """Central directory intact, member data overwritten: CRC / inflate errors."""
    data = bytearray(src.read_bytes())
    for i in range(200, min(len(data) - 200, 6000)):
        data[i] = (data[i] * 7 + 13) % 256
    path.write_bytes(bytes(data))
    return path


def ole_file(path: Path, streams: dict[str, bytes]) -> Path:
    """A real OLE compound file (version 3, 512-byte sectors) holding `streams` at its
    root, each padded to 4096 bytes so that all live in the FAT (no mini stream)."""
    free, end, fat_sect, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    bodies = [data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0") for data in streams.values()]
    dir_sectors = -(-(len(streams) + 1) // 4)
    fat: list[int] = [fat_sect]
    dir_start = len(fat)
    fat += [len(fat) + i + 1 for i in range(dir_sectors - 1)] + [end]
    starts = []
    for body in bodies:
        n = len(body) // 512
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [end]
    assert len(fat) <= 128, "one FAT sector is enough for test files"
    fat_bytes = struct.pack(f"<{128}I", *(fat + [free] * (128 - len(fat))))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB3I", len(raw), kind, 1, none, right, child)
                + b"\0" * 36 + struct.pack("<III", start, size, 0))

    names = list(streams)
    entries = [entry("Root Entry", 5, none, 1 if names else none, end, 0)]
    for i, (name, data) in enumerate(zip(names, bodies, strict=True)):
        entries.append(entry(name, 2, i + 2 if i + 1 < len(names) else none, none, starts[i], len(data)))
    directory = b"".join(entries).ljust(dir_sectors * 512, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, dir_start, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *([free] * 108)))
    path.write_bytes(header + fat_bytes + directory + b"".join(bodies))
    return path


def ole_encrypted(path: Path) -> Path:
    """An OLE compound file with the streams an encrypted OOXML package has."""
    return ole_file(path, {"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\0" * 64})


def ole_word(path: Path) -> Path:
    return ole_file(path, {"WordDocument": b"\xec\xa5\xc1\x00", "1Table": b"\0" * 16})


def ole_entry_offset(path: Path, stream: str) -> int:
    """Where the directory entry of `stream` starts in an OLE file (olefile finds it)."""
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        sid = ole._find(stream)
        per = ole.sectorsize // 128
        sector, chain = ole.first_dir_sector, []
        while sector != olefile.ENDOFCHAIN and len(chain) <= sid // per:
            chain.append(sector)
            sector = ole.fat[sector]
        return (chain[sid // per] + 1) * ole.sectorsize + (sid % per) * 128


def ole_renamed(src: Path, path: Path, old: str, new: str) -> Path:
    """The OLE file with the directory entry of stream `old` renamed (name bytes and length)."""
    data = bytearray(src.read_bytes())
    at = ole_entry_offset(src, old)
    raw = new.encode("utf-16-le") + b"\0\0"
    data[at : at + 64] = raw.ljust(64, b"\0")
    data[at + 64 : at + 66] = struct.pack("<H", len(raw))
    path.write_bytes(bytes(data))
    return path


def ole_stream_size(src: Path, path: Path, stream: str, size: int) -> Path:
    """The OLE file with the declared size of `stream` set to `size` (its sectors unchanged)."""
    data = bytearray(src.read_bytes())
    at = ole_entry_offset(src, stream) + 120
    data[at : at + 4] = struct.pack("<I", size)
    path.write_bytes(bytes(data))
    return path


def ole_stream_edited(src: Path, path: Path, stream: str, edit) -> Path:
    """The OLE file with `stream` rewritten in place by `edit(bytes) -> bytes` (same length)."""
    import olefile

    path.write_bytes(src.read_bytes())
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        ole.write_stream(stream, edit(ole.openstream(stream).read()))
    return path


def biff_records(stream: bytes):
    """(type, offset of the record header, body length) of each BIFF record."""
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield kind, pos, length
        pos += 4 + length


def zip_bomb(src: Path, path: Path, megabytes: int = 200) -> Path:
    """A real return plus one member of `megabytes` of zeros (compresses ~1000:1)."""
    rewrite(src, path, lambda name, data: data)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/zeros.xml", "w") as out:
        block = b"\x00" * (1 << 20)
        for _ in range(megabytes):
            out.write(block)
    return path


def doctype_entities(src: Path, path: Path) -> Path:
    bomb = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    )

    def edit(name, data):
        if name == "xl/workbook.xml":
            return bomb + data.split(b"?>", 1)[1].lstrip()
        return data

    return rewrite(src, path, edit)


def cell_at(src: Path, path: Path, ref: str, sheet: str = FIELDS_SHEET) -> Path:
    """A real return with one more cell at `ref` (XFD1048576 makes python-calamine abort)."""
    member = sheet_member(src, sheet)
    row = re.match(r"[A-Z]+(\d+)", ref).group(1) if re.match(r"[A-Z]+\d+$", ref) else "1048576"

    def edit(name, data):
        if name == member:
            extra = f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'.encode()
            return data.replace(b"</sheetData>", extra + b"</sheetData>")
        return data

    return rewrite(src, path, edit)


def lying_dimension(src: Path, path: Path, ref: str) -> Path:
    member = sheet_member(src, FIELDS_SHEET)

    def edit(name, data):
        if name == member:
            return re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data)
        return data

    return rewrite(src, path, edit)


def error_and_formula(src: Path, path: Path, error_ref: str, formula_ref: str) -> Path:
    """Make one named cell an error (#DIV/0!) and another a formula without cached value."""
    member = sheet_member(src, FIELDS_SHEET)

    def edit(name, data):
        if name != member:
            return data
        data = re.sub(
            rf'<c r="{error_ref}"([^>]*?)(/>|>.*?</c>)'.encode(),
            f'<c r="{error_ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>'.encode(), data, count=1,
        )
        return re.sub(
            rf'<c r="{formula_ref}"([^>]*?)(/>|>.*?</c>)'.encode(),
            f'<c r="{formula_ref}"><f>SUM(A1:A2)</f></c>'.encode(), data, count=1,
        )

    return rewrite(src, path, edit)


def insert_row(src: Path, path: Path, sheet: str, before: int) -> Path:
    """What Excel does when a user inserts a row above 1-based row `before` of `sheet`:
    cells at or below move down one row, and the defined names follow them."""
    member = sheet_member(src, sheet)
    quoted = "'" + sheet.replace("'", "''") + "'"

    def shift_cell(m):
        col, row = m.group(1), int(m.group(2))
        return f"{col}{row + 1 if row >= before else row}"

    def edit(name, data):
        if name == member:
            text = data.decode()
            text = re.sub(r'(<row r=")(\d+)"', lambda m: f'{m.group(1)}{int(m.group(2)) + (int(m.group(2)) >= before)}"', text)
            text = re.sub(r'(?<= r=")([A-Z]+)(\d+)(?=")', shift_cell, text)
            return text.encode()
        if name == "xl/workbook.xml":
            text = data.decode()
            prefix = re.escape(quoted.replace("'", "&apos;")) + "|" + re.escape(quoted)

            def shift_name(m):
                return m.group(1) + re.sub(r"\$([A-Z]+)\$(\d+)", lambda c: f"${c.group(1)}${int(c.group(2)) + (int(c.group(2)) >= before)}", m.group(2))

            return re.sub(rf"((?:{prefix})!)([^<]+)", shift_name, text).encode()
        return data

    return rewrite(src, path, edit)


def autofilter(src: Path, path: Path, sheet: str, ref: str) -> Path:
    """An autofilter on `ref` of `sheet` as Excel saves one: the sheet's <autoFilter> and
    the hidden built-in name _xlnm._FilterDatabase (Excel 97 writes it as a BIFF built-in)."""
    member = sheet_member(src, sheet)
    with zipfile.ZipFile(src) as z:
        order = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
    quoted = "'" + sheet.replace("'", "''") + "'"
    absolute = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", ref)
    name = (f'<definedName name="_xlnm._FilterDatabase" localSheetId="{order.index(sheet)}" hidden="1">'
            f"{quoted}!{absolute}</definedName>")

    def edit(part, data):
        if part == member:
            return re.sub(rb"(<sheetProtection[^>]*/>)", rb"\1" + f'<autoFilter ref="{ref}"/>'.encode(), data)
        if part == "xl/workbook.xml":
            return data.replace(b"<definedNames>", b"<definedNames>" + name.encode())
        return data

    return rewrite(src, path, edit)


def strip_names(src: Path, path: Path) -> Path:
    def edit(name, data):
        if name == "xl/workbook.xml":
            return re.sub(rb"<definedNames>.*?</definedNames>", b"", data, flags=re.S)
        if name.startswith("xl/tables/") or "_rels/sheet" in name:
            return None
        if name.startswith("xl/worksheets/sheet"):
            return re.sub(rb"<tableParts.*?</tableParts>", b"", data, flags=re.S)
        if name == "[Content_Types].xml":
            return re.sub(rb'<Override PartName="/xl/tables/[^>]*/>', b"", data)
        return data

    return rewrite(src, path, edit)


def main(out: Path) -> None:
    definition = definitions.load(MINI)
    out.mkdir(parents=True, exist_ok=True)
    base = out / "good.xlsx"
    good(definition, base)
    empty(out / "empty.xlsx")
    text_renamed(out / "text.xlsx")
    truncated(base, out / "truncated.xlsx")
    corrupt_zip(base, out / "corrupt.xlsx")
    ole_encrypted(out / "encrypted.xlsx")
    zip_bomb(base, out / "bomb.xlsx")
    doctype_entities(base, out / "doctype.xlsx")
    cell_at(base, out / "crash-XFD1048576.xlsx", "XFD1048576")
    lying_dimension(base, out / "dimension.xlsx", "A1:XFD1048576")
    insert_row(base, out / "row-inserted.xlsx", FIELDS_SHEET, 7)
    strip_names(base, out / "no-names.xlsx")
    print(f"corpus in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "reading-corpus"))
