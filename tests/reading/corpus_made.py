"""The part of the reading corpus the project makes itself (tests/corpus/expected.yaml,
section `made`): returns from the real template writer, the hostile builders of
make_corpus, LibreOffice's copies of a return (.ods, .xls, .xlsx) and mutants of those.

Run it to look at the files:

    python tests/reading/corpus_made.py OUT_DIR
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.reading import make_corpus as mc  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"
LIBREOFFICE_FORMATS = ("ods", "xls", "xlsx")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_copies(src: Path, out: Path) -> dict[str, Path]:
    """`src` saved by LibreOffice Calc as each of LIBREOFFICE_FORMATS (fmt -> path)."""
    profile = out / "lo-profile"
    copies = {}
    for fmt in LIBREOFFICE_FORMATS:
        target = out / fmt
        subprocess.run(
            [soffice(), "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", fmt,
             "--outdir", str(target), str(src)],
            check=True, capture_output=True, timeout=180,
        )
        copies[fmt] = target / f"{src.stem}.{fmt}"
    return copies


def edit_member(src: Path, dst: Path, member: str, edit) -> Path:
    return mc.rewrite(src, dst, lambda name, data: edit(data) if name == member else data)


# --- mutants of an .ods ------------------------------------------------------------------


def _sheet_xml(text: str, sheet: str) -> tuple[int, int]:
    """Bounds of one sheet's <table:table> element in content.xml (no nested tables here)."""
    start = text.index(f'<table:table table:name="{sheet}"')
    return start, text.index("</table:table>", start)


def ods_repeated(src: Path, dst: Path, rows: int = 1, cols: int = 1, sheet: str = mc.FIELDS_SHEET) -> Path:
    """The first filled row of `sheet` repeated `rows` times, its first filled cell `cols`
    times: what a 32 kB file needs to make a reader build a million rows."""

    def edit(data: bytes) -> bytes:
        text = data.decode()
        lo, hi = _sheet_xml(text, sheet)
        row = re.compile(r"<table:table-row\b([^>]*)>(?=(?:(?!</table:table-row>).)*office:value-type)", re.S)
        m = row.search(text, lo, hi)
        attrs = re.sub(r'\s*table:number-rows-repeated="\d+"', "", m.group(1))
        text = text[: m.start()] + f'<table:table-row{attrs} table:number-rows-repeated="{rows}">' + text[m.end():]
        if cols > 1:
            c = re.compile(r"<table:table-cell\b([^>]*office:value-type[^>]*)>").search(text, m.start())
            attrs = re.sub(r'\s*table:number-columns-repeated="\d+"', "", c.group(1))
            text = text[: c.start()] + f'<table:table-cell{attrs} table:number-columns-repeated="{cols}">' + text[
                c.end():]
        return text.encode()

    return edit_member(src, dst, "content.xml", edit)


def ods_filled_far_below(src: Path, dst: Path, row: int, sheet: str = mc.FIELDS_SHEET) -> Path:
    """LibreOffice's trailing run of empty rows of `sheet` cut so that one filled cell sits
    on 1-based row `row`: the rows before it are empty, but a reader builds them all."""

    def edit(data: bytes) -> bytes:
        text = data.decode()
        lo, hi = _sheet_xml(text, sheet)
        runs = list(re.finditer(r'<table:table-row\b[^>]*table:number-rows-repeated="(\d+)"[^>]*>.*?</table:table-row>',
                                text[lo:hi], re.S))
        last = runs[-1]
        before = text[lo:hi][: last.start()].count("<table:table-row") + sum(
            int(r.group(1)) - 1 for r in runs[:-1])
        filler = (f'<table:table-row table:number-rows-repeated="{row - 1 - before}"><table:table-cell/></table:table-row>'
                  '<table:table-row><table:table-cell office:value-type="float" office:value="7">'
                  "<text:p>7</text:p></table:table-cell></table:table-row>")
        return (text[: lo + last.start()] + filler + text[lo + last.end():]).encode()

    return edit_member(src, dst, "content.xml", edit)


BASIC_DOCTYPE = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                 b'<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n')


def ods_with_basic(src: Path, dst: Path) -> Path:
    """An .ods carrying a LibreOffice Basic library as LibreOffice saves one: the module and
    library index parts open with the standard DOCTYPE line (no entities)."""
    mc.rewrite(src, dst, lambda name, data: data)
    module = BASIC_DOCTYPE + (
        b'<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
        b'script:language="StarBasic" script:moduleType="normal">Sub Main\nEnd Sub\n</script:module>')
    index = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
             b'<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">\n'
             b'<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" '
             b'library:readonly="false" library:passwordprotected="false">'
             b'<library:element library:name="Module1"/></library:library>')
    with zipfile.ZipFile(dst, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Basic/Standard/Module1.xml", module)
        z.writestr("Basic/Standard/script-lb.xml", index)
    return dst


# --- mutants of an .xls (OLE compound file) ------------------------------------------------


def xls_stream_renamed(src: Path, dst: Path, name: str) -> Path:
    """The .xls with its workbook stream's directory entry renamed (`WORKBOOK`, `BOOK`), as
    some writers name it; readers match the name case-insensitively."""
    data = bytearray(src.read_bytes())
    old = "Workbook".encode("utf-16-le") + b"\x00\x00"
    at = data.find(old)
    assert at > 0, "no Workbook stream entry"
    new = name.encode("utf-16-le") + b"\x00\x00"
    data[at : at + 64] = new.ljust(64, b"\x00")
    data[at + 64 : at + 66] = len(new).to_bytes(2, "little")
    dst.write_bytes(bytes(data))
    return dst


def truncated_at(src: Path, dst: Path, fraction: float) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


# --- mutants of an .xlsx ----------------------------------------------------------------


def cell_value(src: Path, dst: Path, ref: str, xml: str) -> Path:
    """One cell of the fields sheet replaced by `xml` (a whole `<c>` element for `ref`)."""
    member = mc.sheet_member(src, mc.FIELDS_SHEET)

    def edit(data: bytes) -> bytes:
        new, n = re.subn(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)'.encode(), xml.encode(), data, count=1, flags=re.S)
        assert n == 1, ref
        return new

    return edit_member(src, dst, member, edit)


def workbook_xml(src: Path, dst: Path, edit) -> Path:
    return edit_member(src, dst, "xl/workbook.xml", lambda data: edit(data.decode()).encode())


def name_ref(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
    return re.search(rf'<definedName name="{name}">([^<]*)</definedName>', wb).group(1)


def name_cell(path: Path, name: str) -> str:
    return name_ref(path, name).split("!")[1].replace("$", "")


# --- the made corpus ---------------------------------------------------------------------


def libreoffice_return(definition, out: Path) -> tuple[dict[str, Path], dict]:
    """A good return and LibreOffice's copies of it: (fmt -> path, values written)."""
    out.mkdir(parents=True, exist_ok=True)
    src = out / "libreoffice.xlsx"
    values = mc.good(definition, src, seed=11, unit_index=0)
    return libreoffice_copies(src, out), values


def build(definition, out: Path, libreoffice: tuple[dict[str, Path], dict] | None = None) -> dict[str, tuple[Path, dict | None]]:
    """Every made file of the manifest in `out`: name -> (path, values written or None).
    `libreoffice`: what libreoffice_return gives (made here when None)."""
    out.mkdir(parents=True, exist_ok=True)
    work = out.parent / f"{out.name}-work"
    work.mkdir(exist_ok=True)
    made: dict[str, tuple[Path, dict | None]] = {}

    def good(name: str, unit: int, seed: int, **overrides) -> Path:
        path = out / name
        made[name] = (path, mc.good(definition, path, seed=seed, unit_index=unit, **overrides))
        return path

    def bad(name: str, path: Path) -> None:
        assert path == out / name
        made[name] = (path, None)

    good("good-SNV.xlsx", 0, 11)
    good("good-STC.xlsx", 1, 12)
    good("Báo cáo 6 tháng (bản cuối) #2.xlsx", 2, 13)
    spare = work / "spare.xlsx"
    mc.good(definition, spare, seed=14, unit_index=2)

    bad("empty.xlsx", mc.empty(out / "empty.xlsx"))
    bad("text.xlsx", mc.text_renamed(out / "text.xlsx"))
    bad("truncated.xlsx", mc.truncated(spare, out / "truncated.xlsx"))
    bad("corrupt.xlsx", mc.corrupt_zip(spare, out / "corrupt.xlsx"))
    bad("encrypted.xlsx", mc.ole_encrypted(out / "encrypted.xlsx"))
    bad("word.doc.xlsx", mc.ole_word(out / "word.doc.xlsx"))
    bad("bomb.xlsx", mc.zip_bomb(spare, out / "bomb.xlsx", megabytes=8))
    bad("doctype.xlsx", mc.doctype_entities(spare, out / "doctype.xlsx"))
    bad("far-cell.xlsx", mc.cell_at(spare, out / "far-cell.xlsx", "XFD1048576"))
    bad("dimension.xlsx", mc.lying_dimension(spare, out / "dimension.xlsx", "A1:XFD1048576"))
    bad("row-inserted.xlsx", mc.insert_row(spare, out / "row-inserted.xlsx", mc.FIELDS_SHEET, 7))
    bad("no-names.xlsx", mc.strip_names(spare, out / "no-names.xlsx"))
    _xlsx_mutants(spare, out, bad)
    _libreoffice_mutants(libreoffice or libreoffice_return(definition, work), out, made, bad)
    return made


def _xlsx_mutants(spare: Path, out: Path, bad) -> None:
    tiep = name_cell(spare, "tiep_dan_buoi")
    ngay = name_cell(spare, "ngay_hoi_nghi")
    ref = name_ref(spare, "don_tiep_nhan")
    for name, xml in (
        ("huge-1e308.xlsx", f'<c r="{tiep}"><v>1e308</v></c>'),
        ("max-float.xlsx", f'<c r="{tiep}"><v>1.7976931348623157e308</v></c>'),
        ("nan-text-date.xlsx", f'<c r="{ngay}" t="inlineStr"><is><t>NaN</t></is></c>'),
        ("inf-text.xlsx", f'<c r="{tiep}" t="inlineStr"><is><t>inf</t></is></c>'),
    ):
        bad(name, cell_value(spare, out / name, tiep if "date" not in name else ngay, xml))
    dup = f'<definedName name="don_tiep_nhan">{name_ref(spare, "tiep_dan_buoi")}</definedName></definedNames>'
    bad("name-duplicated.xlsx", workbook_xml(spare, out / "name-duplicated.xlsx",
                                             lambda t: t.replace("</definedNames>", dup)))
    bad("name-into-meta.xlsx", workbook_xml(spare, out / "name-into-meta.xlsx", lambda t: t.replace(
        f'name="don_tiep_nhan">{ref}<', 'name="don_tiep_nhan">_meta!$B$4<')))


    def shrink(data: bytes) -> bytes:
        m = re.search(rb' ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', data)
        return data.replace(m.group(0), b' ref="%s%s:%s%d"' % (m.group(1), m.group(2), m.group(3), int(m.group(2)) + 1), 1)

    table = next(n for n in zipfile.ZipFile(spare).namelist() if n.startswith("xl/tables/"))
    bad("table-shrunk.xlsx", edit_member(spare, out / "table-shrunk.xlsx", table, shrink))
    left = "C" + tiep[1:]
    merged = f'<mergeCells count="1"><mergeCell ref="{left}:{tiep}"/></mergeCells>'.encode()
    member = mc.sheet_member(spare, mc.FIELDS_SHEET)

    def merge(data: bytes) -> bytes:
        if b"<mergeCells" in data:
            return re.sub(rb'<mergeCells count="\d+">', b"<mergeCells>", data).replace(
                b"</mergeCells>", merged[len(b'<mergeCells count="1">'):])
        return data.replace(b"</sheetData>", b"</sheetData>" + merged, 1)

    bad("value-under-merge.xlsx", edit_member(spare, out / "value-under-merge.xlsx", member, merge))
    bad("error-cells.xlsx", mc.error_and_formula(spare, out / "error-cells.xlsx", tiep, name_cell(spare, "don_giai_quyet")))


def _libreoffice_mutants(libreoffice: tuple[dict[str, Path], dict], out: Path, made: dict, bad) -> None:
    copies, values = libreoffice
    for fmt, path in copies.items():
        name = f"libreoffice.{fmt}"
        shutil.copy(path, out / name)
        made[name] = (out / name, values)
    ods, xls = copies["ods"], copies["xls"]
    bad("ods-rows-repeated.ods", ods_repeated(ods, out / "ods-rows-repeated.ods", rows=1_048_576))
    bad("ods-columns-repeated.ods", ods_repeated(ods, out / "ods-columns-repeated.ods", cols=16_384))
    bad("ods-basic.ods", ods_with_basic(ods, out / "ods-basic.ods"))
    bad("ods-truncated.ods", truncated_at(ods, out / "ods-truncated.ods", 0.6))
    bad("xls-WORKBOOK.xls", xls_stream_renamed(xls, out / "xls-WORKBOOK.xls", "WORKBOOK"))
    bad("xls-BOOK.xls", xls_stream_renamed(xls, out / "xls-BOOK.xls", "BOOK"))
    bad("xls-truncated.xls", truncated_at(xls, out / "xls-truncated.xls", 0.5))


def main(out: Path) -> None:
    from consolidate.definition import loader as definitions

    made = build(definitions.load(mc.MINI), out)
    print(f"{len(made)} files in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "made-corpus"))
