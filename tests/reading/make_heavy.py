"""Small files that are heavy to read: what a reader expands in memory from a few bytes.

Each builder writes a real workbook (OpenDocument content.xml, or a real return from the
template writer with one sheet's data replaced) whose cells, once a reader builds its grid,
take far more memory than the file's size. Used by the memory-limit tests and by
benchmarks/memory.py.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from consolidate.definition.layout import col_letter
from tests.reading.make_corpus import FIELDS_SHEET, rewrite, sheet_member

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def ods_cell(text: str, repeat: int = 1) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{times}><text:p>{escape(text)}</text:p></table:table-cell>'


def ods_row(cells: str, repeat: int = 1) -> str:
    times = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{times}>{cells}</table:table-row>"


def ods(path: Path, sheets: dict[str, str]) -> Path:
    """An .ods whose sheets (name -> rows XML) are as given."""
    tables = "".join(f'<table:table table:name="{escape(name)}">{rows}</table:table>' for name, rows in sheets.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", _MANIFEST, zipfile.ZIP_DEFLATED)
    return path


def ods_repeated_row(path: Path, rows: int = 1_048_576, sheet: str = FIELDS_SHEET) -> Path:
    """The corpora's 32 kB case: one filled row repeated `rows` times (refused by counting)."""
    return ods(path, {sheet: ods_row(ods_cell("x"), rows)})


def ods_long_strings(path: Path, rows: int, cols: int, length: int, sheet: str = FIELDS_SHEET) -> Path:
    """`rows` x `cols` copies of one `length`-character text, in under 1 kB: within the cell
    count limits, but rows x cols x length bytes once the reader has built its grid."""
    return ods(path, {sheet: ods_row(ods_cell("đ" * length, cols), rows)})


def xlsx_shared_string_grid(src: Path, path: Path, rows: int, cols: int, length: int,
                            sheet: str = FIELDS_SHEET) -> Path:
    """A real return whose `sheet` holds rows x cols cells all pointing at one shared string
    of `length` characters: the reader copies the text into every cell. `length` 0: the
    cells hold numbers instead (a grid near the guard's cell limits)."""
    member = sheet_member(src, sheet)
    letters = [col_letter(c) for c in range(cols)]

    def edit(name, data):
        if name == "xl/sharedStrings.xml" and length:
            text = data.decode()
            count = len(re.findall(r"<si>", text))
            text = re.sub(r'(count|uniqueCount)="\d+"', lambda m: f'{m.group(1)}="{count + 1}"', text)
            return text.replace("</sst>", f"<si><t>{'đ' * length}</t></si></sst>").encode()
        if name == member:
            index = _shared_count(src)
            kind = ' t="s"' if length else ""
            body = "".join(
                f'<row r="{r}">' + "".join(f'<c r="{col}{r}"{kind}><v>{index if length else r}</v></c>'
                                           for col in letters) + "</row>"
                for r in range(1, rows + 1)
            )
            data = re.sub(rb"<dimension ref=\"[^\"]*\"/>", b"", data)
            return re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", f"<sheetData>{body}</sheetData>".encode(),
                          data, flags=re.S)
        return data

    return rewrite(src, path, edit)


def _shared_count(src: Path) -> int:
    with zipfile.ZipFile(src) as z:
        return len(re.findall(rb"<si>", z.read("xl/sharedStrings.xml")))


def xlsx_long_table(src: Path, path: Path, rows: int, sheet: str, table_part: str = "xl/tables/table1.xml") -> Path:
    """A real return whose table (its first column at B, header on row 4) runs `rows` rows,
    each with text in every column: as many values, and problems, as rows."""
    member = sheet_member(src, sheet)

    def edit(name, data):
        if name == table_part:
            return re.sub(rb'ref="B4:([A-Z]+)\d+"', f'ref="B4:\\g<1>{rows + 4}"'.encode(), data)
        if name == member:
            body = "".join(
                f'<row r="{r}">' + "".join(f'<c r="{col}{r}" t="inlineStr"><is><t>sai {r}</t></is></c>'
                                           for col in "BCDE") + "</row>"
                for r in range(5, rows + 5)
            )
            text = data.decode()
            head, _, rest = text.partition("<sheetData>")
            kept, _, tail = rest.partition("</sheetData>")
            header = "".join(re.findall(r'<row r="[1-4]".*?</row>', kept, flags=re.S))
            text = re.sub(r"<dimension ref=\"[^\"]*\"/>", "", head) + f"<sheetData>{header}{body}</sheetData>" + tail
            return re.sub(r"<mergeCells.*?</mergeCells>", "", text, flags=re.S).encode()
        return data

    return rewrite(src, path, edit)
