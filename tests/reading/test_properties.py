"""Property-based tests of the reading stage (issue 15), with Hypothesis, over mutations of
a real return made by the template writer with known values: of its cell values, of its
workbook XML (names, tables, merged ranges, rows) and of its bytes.

The properties: read_file never raises; every value read is the one written or there is a
problem located on that cell or field (or the file is refused with a problem); and after
validation every numeric value is finite and within range before it could be summed.

Derandomized, without an example database: CI runs the same examples every time.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consolidate.definition.layout import cell_address, layout_for
from consolidate.reading import read_file
from consolidate.validation import check_return
from consolidate.validation.parsed import MAX_MAGNITUDE
from tests.reading import make_corpus as mc
from tests.reading.mutation import (
    NUMBERS,
    SETTINGS,
    TEXTS,
    check_numbers,
    located,
    number_text,
    refused,
)
from tests.reading.test_reading import same

EXCEL_EPOCH = dt.datetime(1899, 12, 30)


class Base:
    """The good return: its members, its values and where each named cell is."""

    def __init__(self, definition, path):
        self.definition = definition
        self.layout = layout_for(definition)
        self.values = mc.good(definition, path, seed=7)
        with zipfile.ZipFile(path) as z:
            self.members = [(info.filename, z.read(info.filename)) for info in z.infolist()]
        self.parts = dict(self.members)
        self.workbook = self.parts["xl/workbook.xml"].decode()
        self.sheet_part = {sheet: mc.sheet_member(path, sheet) for sheet in {s.sheet for s in self.layout.cells.values()}
                           | {t.sheet for t in self.layout.tables.values()}}
        self.named = {n: s for n, s in self.layout.cells.items() if n in self.values}
        self.bytes = path.read_bytes()

    def write(self, path, edits: dict[str, bytes] | None = None, raw: bytes | None = None):
        if raw is None:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for name, data in self.members:
                    z.writestr(name, (edits or {}).get(name, data))
            raw = buf.getvalue()
        path.write_bytes(raw)
        return path


@pytest.fixture(scope="module")
def base(mini_def, tmp_path_factory):
    return Base(mini_def, tmp_path_factory.mktemp("prop") / "good.xlsx")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("mutant") / "mutant.xlsx"


# --- cell values -------------------------------------------------------------------------

PAYLOADS = st.one_of(
    st.tuples(st.just("number"), NUMBERS),
    st.tuples(st.just("text"), TEXTS),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("error"), st.sampled_from(["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NUM!"])),
    st.tuples(st.just("formula"), st.sampled_from([None, 2, "văn bản"])),
    st.tuples(st.just("empty"), st.none()),
)


def _cell_xml(address: str, style: str, kind: str, payload) -> str:
    head = f'<c r="{address}"{style}'
    if kind == "number":
        return f"{head}><v>{number_text(payload)}</v></c>"
    if kind == "text":
        return f'{head} t="inlineStr"><is><t xml:space="preserve">{escape(payload)}</t></is></c>'
    if kind == "bool":
        return f'{head} t="b"><v>{int(payload)}</v></c>'
    if kind == "error":
        return f'{head} t="e"><f>1/0</f><v>{payload}</v></c>'
    if kind == "formula":
        if payload is None:
            return f"{head}><f>SUM(A1:A2)</f></c>"
        if isinstance(payload, str):
            return f'{head} t="str"><f>"{escape(payload)}"</f><v>{escape(payload)}</v></c>'
        return f"{head}><f>1+1</f><v>{payload}</v></c>"
    return f"{head}/>"


def _replace_cell(xml: bytes, address: str, new) -> bytes:
    """The sheet part with the cell at `address` replaced by new(style attribute)."""
    m = re.search(rf'<c r="{address}"([^>]*?)(/>|>.*?</c>)'.encode(), xml, re.S)
    assert m is not None, address
    style = re.search(rb' s="\d+"', m.group(1))
    cell = new(style.group(0).decode() if style else "").encode()
    return xml[: m.start()] + cell + xml[m.end():]


def _as_serial(value):
    """The Excel serial of a date the reader gave (serials below 61 count Excel's 29/02/1900)."""
    if isinstance(value, (dt.date, dt.datetime)):
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        days = (value - EXCEL_EPOCH).total_seconds() / 86400
        return days - 1 if value < dt.datetime(1900, 3, 1) else days
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return None


def _read_as_written(kind: str, payload, cell) -> bool:
    value = cell.value
    if kind == "formula" and isinstance(payload, int):
        kind = "number"  # its cached value, read like any number
    if kind == "number":
        x = float(payload)
        if isinstance(value, bool):
            return False
        if isinstance(value, (int, float)):
            return (math.isnan(x) and math.isnan(value)) or float(value) == x
        serial = _as_serial(value)  # a date-formatted cell: the same serial
        return serial is not None and math.isfinite(x) and abs(serial - x) < 1e-6
    if kind == "text":
        return value == (payload or None)
    if kind == "bool":
        return value is payload
    if kind == "error":
        return value is None and cell.error == payload
    if kind == "formula":
        if payload is None:
            return value is None and cell.formula_without_value
        return same(payload, value)
    return value is None


def _fine_number(f, kind, payload) -> bool:
    """A plain number the field accepts as it is."""
    if kind != "number" or f is None or not f.numeric or isinstance(payload, bool):
        return False
    x = float(payload)
    if not math.isfinite(x) or abs(x) > MAX_MAGNITUDE or (f.type == "integer" and not x.is_integer()):
        return False
    return (f.min is None or x >= f.min) and (f.max is None or x <= f.max)


@SETTINGS
@given(data=st.data())
def test_cell_values(base, scratch, data):
    name = data.draw(st.sampled_from(sorted(base.named)), label="cell")
    kind, payload = data.draw(PAYLOADS, label="value")
    spec = base.named[name]
    part = base.sheet_part[spec.sheet]
    xml = _replace_cell(base.parts[part], spec.address, lambda style: _cell_xml(spec.address, style, kind, payload))
    ret = read_file(base.write(scratch, {part: xml}), base.definition)
    checked = check_return(ret, base.definition, as_of=dt.date(2026, 6, 10))
    check_numbers(base.definition, checked)
    if refused(ret):
        return
    for other in base.named:
        if other != name:  # nothing else moved
            assert same(base.values[other], ret.cells[other].value), other
    cell = ret.cells[name]
    if not _read_as_written(kind, payload, cell):
        assert cell.error or located(checked.problems, spec.sheet, spec.address, name), (name, kind, payload, cell)
    f = spec.field
    if _fine_number(f, kind, payload) and f.id in checked.values:
        assert float(checked.values[f.id]) == float(payload)


@SETTINGS
@given(data=st.data())
def test_table_cell_values(base, scratch, data):
    section_id = data.draw(st.sampled_from(sorted(base.layout.tables)), label="table")
    table = base.layout.tables[section_id]
    rows = base.values.get(section_id) or []
    if not rows:
        return
    i = data.draw(st.integers(0, len(rows) - 1), label="row")
    j = data.draw(st.integers(0, len(table.section.fields) - 1), label="column")
    kind, payload = data.draw(PAYLOADS, label="value")
    fid = table.section.fields[j].id
    address = cell_address(table.header_row + 1 + i, table.first_col + j)
    part = base.sheet_part[table.sheet]
    xml = base.parts[part]
    if not re.search(rf'<c r="{address}"'.encode(), xml):
        return  # a blank the writer left out
    xml = _replace_cell(xml, address, lambda style: _cell_xml(address, style, kind, payload))
    ret = read_file(base.write(scratch, {part: xml}), base.definition)
    checked = check_return(ret, base.definition, as_of=dt.date(2026, 6, 10))
    check_numbers(base.definition, checked)
    if refused(ret):
        return
    got = ret.tables[section_id]
    for r, want in enumerate(rows):
        for col, value in want.items():
            if (r, col) == (i, fid):
                continue
            if r < len(got):
                assert same(value, got[r][col].value), (r, col)
            else:  # the mutated last row became empty and was dropped
                assert (r, kind) == (len(rows) - 1, "empty") or value in (None, "")
    if i < len(got) and not _read_as_written(kind, payload, got[i][fid]):
        assert got[i][fid].error or located(checked.problems, table.sheet, address, fid), (fid, kind, payload)


# --- workbook XML ------------------------------------------------------------------------


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _abs(address: str) -> str:
    m = re.match(r"([A-Z]+)(\d+)$", address)
    return f"${m.group(1)}${m.group(2)}"


def _targets(base, name: str):
    """Where a name can be pointed that is not its field's cell: another field's cell on
    another row, a blank cell far below, into `_meta`, onto a range, #REF!."""
    spec = base.named[name]
    others = [f"{_quoted(s.sheet)}!{_abs(s.address)}" for n, s in sorted(base.named.items())
              if n != name and (s.sheet != spec.sheet or s.row != spec.row)]
    col = re.match(r"[A-Z]+", spec.address).group(0)
    return st.sampled_from([*others, f"{_quoted(spec.sheet)}!${col}$40", "_meta!$B$4", "_meta!$B$2",
                            f"{_quoted(spec.sheet)}!{_abs(spec.address)}:${col}${spec.row + 3}", "#REF!"])


@st.composite
def xml_mutations(draw, base):
    names = sorted(base.named)
    kind = draw(st.sampled_from(["delete", "duplicate", "repoint", "shrink", "move-top", "merge", "insert-row"]))
    name = draw(st.sampled_from(names))
    if kind in ("duplicate", "repoint"):
        return kind, name, draw(_targets(base, name))
    if kind in ("shrink", "move-top"):
        return kind, draw(st.sampled_from(sorted(base.layout.tables))), draw(st.integers(1, 12))
    if kind == "merge":
        return kind, name, draw(st.sampled_from(["left", "right", "up", "down"]))
    if kind == "insert-row":
        sheet = base.named[name].sheet
        return kind, sheet, draw(st.integers(1, 20))
    return kind, name, None


def _name_element(wb: str, name: str) -> re.Match:
    return re.search(rf'<definedName name="{name}">([^<]*)</definedName>', wb)


def _merge_range(spec, where: str) -> str:
    r, c = spec.row, spec.col
    other = {"left": (r, c - 1), "right": (r, c + 1), "up": (r - 1, c), "down": (r + 1, c)}[where]
    (r1, c1), (r2, c2) = sorted([(r, c), other])
    return f"{cell_address(r1, c1)}:{cell_address(r2, c2)}"


def _apply(base, scratch, mutation):
    kind, what, arg = mutation
    wb = base.workbook
    if kind in ("delete", "duplicate", "repoint"):
        m = _name_element(wb, what)
        if kind == "delete":
            wb = wb[: m.start()] + wb[m.end():]
        elif kind == "duplicate":
            wb = wb[: m.end()] + f'<definedName name="{what}">{escape(arg)}</definedName>' + wb[m.end():]
        else:
            wb = wb[: m.start(1)] + escape(arg) + wb[m.end(1):]
        return base.write(scratch, {"xl/workbook.xml": wb.encode()})
    if kind in ("shrink", "move-top"):
        table = base.layout.tables[what]
        part = next(n for n, data in base.members if n.startswith("xl/tables/") and f'displayName="{what}"'.encode() in data)
        (c1, r1), (c2, r2) = (re.match(r"([A-Z]+)(\d+)$", end).groups() for end in table.ref.split(":"))
        r1, r2 = int(r1), int(r2)
        if kind == "shrink":  # the end moves up
            r2 = max(r2 - arg, r1 + 1)
        else:  # the start moves down (onto the data), or the whole table moves away
            r1, r2 = (r1 + min(arg, r2 - r1 - 1), r2) if arg < 6 else (r1 + arg * 3, r2 + arg * 3)
        data = base.parts[part].replace(f'ref="{table.ref}"'.encode(), f'ref="{c1}{r1}:{c2}{r2}"'.encode())
        return base.write(scratch, {part: data})
    if kind == "merge":
        spec = base.named[what]
        part = base.sheet_part[spec.sheet]
        xml = re.sub(rb"<mergeCell ref=\"[^\"]*\"/>", b"", base.parts[part])  # one merge, no overlaps
        xml = re.sub(rb"<mergeCells[^>]*>\s*</mergeCells>", b"", xml)
        block = f'<mergeCells count="1"><mergeCell ref="{_merge_range(spec, arg)}"/></mergeCells>'.encode()
        return base.write(scratch, {part: xml.replace(b"</sheetData>", b"</sheetData>" + block, 1)})
    src = base.write(scratch.with_name("src.xlsx"))
    return mc.insert_row(src, scratch, what, arg)


@SETTINGS
@given(data=st.data())
def test_workbook_xml(base, scratch, data):
    mutation = data.draw(xml_mutations(base), label="mutation")
    ret = read_file(_apply(base, scratch, mutation), base.definition)
    checked = check_return(ret, base.definition, as_of=dt.date(2026, 6, 10))
    check_numbers(base.definition, checked)
    if refused(ret):
        return
    for name, spec in base.named.items():
        cell = ret.cells.get(name)
        if cell is not None and same(base.values[name], cell.value):
            continue
        where = [(spec.sheet, spec.address)] + ([(cell.sheet, cell.address)] if cell is not None else [])
        assert any(located([*ret.problems, *checked.problems], s, a, name) for s, a in where), (
            mutation, name, base.values[name], cell)
    for section_id in base.layout.tables:
        want = base.values.get(section_id) or []
        got = ret.tables.get(section_id)
        if got is not None and len(got) == len(want) and all(
                same(v, g[k].value) for w, g in zip(want, got, strict=True) for k, v in w.items()):
            continue
        assert any(p.field_id == section_id for p in [*ret.problems, *checked.problems]), (mutation, section_id)


# --- bytes -------------------------------------------------------------------------------


@st.composite
def byte_mutations(draw, size: int):
    if draw(st.booleans()):
        return "truncate", draw(st.integers(0, size - 1)), None
    flips = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(1, 255)), min_size=1, max_size=4))
    return "flip", None, flips


@SETTINGS
@given(data=st.data())
def test_bytes(base, scratch, data):
    kind, at, flips = data.draw(byte_mutations(len(base.bytes)), label="mutation")
    raw = bytearray(base.bytes)
    if kind == "truncate":
        del raw[at:]
    else:
        for pos, mask in flips:
            raw[pos] ^= mask
    ret = read_file(base.write(scratch, raw=bytes(raw)), base.definition)
    checked = check_return(ret, base.definition, as_of=dt.date(2026, 6, 10))
    check_numbers(base.definition, checked)
    if refused(ret):
        assert ret.cells == {} and ret.tables == {}
        return
    problems = [*ret.problems, *checked.problems]
    for name, spec in base.named.items():
        cell = ret.cells.get(name)
        if cell is None or not same(base.values[name], cell.value):
            assert located(problems, spec.sheet, spec.address, name) or (
                cell is not None and located(problems, cell.sheet, cell.address, name)), (name, cell)


def test_a_cell_the_reader_cannot_convert_refuses_the_file_on_its_sheet(base, scratch):
    """-inf in a date-formatted cell makes python-calamine panic while it builds the sheet
    (found by test_cell_values): one problem, on that sheet."""
    spec = base.named["ngay_hoi_nghi"]
    part = base.sheet_part[spec.sheet]
    xml = _replace_cell(base.parts[part], spec.address, lambda style: f'<c r="{spec.address}"{style}><v>-inf</v></c>')
    ret = read_file(base.write(scratch, {part: xml}), base.definition)
    assert [(p.code, p.sheet) for p in ret.problems] == [("file-corrupt", spec.sheet)]
    assert ret.cells == {}
