"""The annotated copy: rebuilt from the template with the unit's raw values, every problem at
its cell (comment + conditional format), a first sheet listing all problems with links."""

from __future__ import annotations

import hashlib

import openpyxl
import pytest

from consolidate.definition.layout import layout_for
from consolidate.feedback.annotate import LIST_SHEET, write_annotated
from consolidate.reading import read_file
from consolidate.validation.checker import check_return
from consolidate.validation.problems import MetaMissing
from tests.feedback.conftest import (
    AS_OF,
    SNV_FILE,
    TRICKY_TEXT,
    convert,
    named_values,
    needs_soffice,
    table_rows,
)

# (code, sheet, cell) of every problem of the SNV return, where the copy must mark it
EXPECTED_MARKS = {
    ("rule-failed", "Chỉ tiêu", "D8"),
    ("value-above-maximum", "Chỉ tiêu", "D9"),
    ("number-unit-removed", "Chỉ tiêu", "D6"),
    ("value-not-number", "Mô hình Dân vận khéo", "D16"),
}
ERROR_FILL = "FF7C80"
WARNING_FILL = "FFC000"


def checked_snv(mini, path):
    raw = read_file(path, mini, path.name)
    return check_return(raw, mini, "2026-H1", as_of=AS_OF.date())


def annotated(mini, folder, tmp_path, extra_problem=None):
    path = folder["returns"] / SNV_FILE
    checked = checked_snv(mini, path)
    if extra_problem is not None:
        checked.problems.append(extra_problem)
    copy = write_annotated(mini, mini.period("2026-H1"), checked, mini.unit("SNV"), tmp_path / "out" / "snv.xlsx",
                           source=SNV_FILE)
    return path, checked, copy


def cf_fills(ws) -> dict[str, str]:
    """cell address -> fill colour of a conditional format whose formula is TRUE."""
    out = {}
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            if rule.formula != ["TRUE"]:
                continue
            fill = rule.dxf.fill
            color = (fill.bgColor.rgb if fill.bgColor is not None and fill.bgColor.rgb else fill.fgColor.rgb) or ""
            for cells in rng.sqref.ranges:
                for row in ws[cells.coord] if ":" in cells.coord else [[ws[cells.coord]]]:
                    for cell in row:
                        out[cell.coordinate] = str(color)[-6:].upper()
    return out


def test_known_problems_are_marked_at_their_cells(mini, folder, tmp_path):
    _, checked, copy = annotated(mini, folder, tmp_path)
    found = {(p.code, p.sheet, p.cell) for p in checked.problems}
    assert found == EXPECTED_MARKS
    placed = {(p.problem.code, p.position) for p in copy.problems}
    assert ("value-not-number", ("Mô hình Dân vận khéo", 15, 3)) in placed  # table row 12 kept its place

    wb = openpyxl.load_workbook(copy.path)
    for code, sheet, cell in EXPECTED_MARKS:
        ws = wb[sheet]
        assert ws[cell].comment is not None, (code, cell)
        fills = cf_fills(ws)
        severity = next(p.severity for p in checked.problems if p.code == code)
        assert fills.get(cell) == (ERROR_FILL if severity == "error" else WARNING_FILL), (code, cell)
    # the rule's other cell (don_tiep_nhan, D7) is marked too
    assert wb["Chỉ tiêu"]["D7"].comment is not None
    assert "D7" in cf_fills(wb["Chỉ tiêu"])
    # nothing else is marked
    marked = {(ws.title, c) for ws in wb.worksheets for c in cf_fills(ws)}
    assert marked == {(s, c) for _, s, c in EXPECTED_MARKS} | {("Chỉ tiêu", "D7")}


def test_list_sheet_is_first_and_links_to_each_cell(mini, folder, tmp_path):
    _, checked, copy = annotated(mini, folder, tmp_path, extra_problem=MetaMissing(file=SNV_FILE, sheet="_meta"))
    wb = openpyxl.load_workbook(copy.path)
    assert wb.sheetnames[0] == LIST_SHEET
    assert wb.active.title == LIST_SHEET
    ws = wb[LIST_SHEET]
    header = [c.value for c in ws[4]]
    assert header[:4] == ["STT", "Mức độ", "Trang", "Ô"]
    rows = [[c for c in row] for row in ws.iter_rows(min_row=5) if row[0].value]
    assert len(rows) == len(checked.problems) == 5
    codes = {}
    for row in rows:
        codes[row[7].value] = row
    # the problem without a cell is listed, with no link, first
    assert rows[0][7].value == "meta-missing" and rows[0][3].hyperlink is None
    for code, sheet, cell in EXPECTED_MARKS:
        row = codes[code]
        assert row[2].value == sheet and row[3].value == cell
        assert row[3].hyperlink is not None and row[3].hyperlink.location == f"'{sheet}'!{cell}"
    assert codes["value-not-number"][5].value == "mười hai"  # the value found
    assert codes["value-not-number"][4].value.endswith("(dòng 12)")


def test_copy_keeps_every_value_and_the_original_is_untouched(mini, folder, tmp_path):
    path, _, copy = annotated(mini, folder, tmp_path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    original, rebuilt = named_values(path), named_values(copy.path)
    assert set(original) == set(layout_for(mini).cells)
    assert rebuilt == original
    for name, text in TRICKY_TEXT.items():
        assert rebuilt[name] == text and isinstance(rebuilt[name], str)
    assert isinstance(rebuilt["ty_le_hai_long"], (int, float))
    rows = table_rows(path, "mo_hinh")
    assert len(rows) == 12
    assert table_rows(copy.path, "mo_hinh") == rows
    # the reader sees the same in both (calamine path), and the original is not modified
    raw_a, raw_b = read_file(path, mini, "a"), read_file(copy.path, mini, "b")
    assert {k: (c.value, c.address) for k, c in raw_a.cells.items()} == {k: (c.value, c.address) for k, c in raw_b.cells.items()}
    assert [{k: c.value for k, c in r.items()} for r in raw_a.tables["mo_hinh"]] == \
           [{k: c.value for k, c in r.items()} for r in raw_b.tables["mo_hinh"]]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    # the copy is still a return of the same unit: validating it finds the same problems
    again = check_return(raw_b, mini, "2026-H1", as_of=AS_OF.date())
    assert sorted((p.code, p.cell) for p in again.problems) == sorted((p.code, p.cell) for p in checked_snv(mini, path).problems)


@needs_soffice
def test_annotated_copy_opens_in_libreoffice(mini, folder, tmp_path):
    _, _, copy = annotated(mini, folder, tmp_path)
    pdf = convert(copy.path, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000


@needs_soffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_other_formats_are_rebuilt_with_their_values(mini, folder, tmp_path, fmt):
    """A unit that saved as .ods or .xls gets an .xlsx copy with every value the reader found.

    .xls keeps no table objects: when the reader falls back to the template's layout it may
    see only the template's 10 table rows; the copy carries exactly what the reader found."""
    path = convert(folder["returns"] / SNV_FILE, fmt, tmp_path / "conv")
    checked = checked_snv(mini, path)
    assert checked.raw.format == fmt
    copy = write_annotated(mini, mini.period("2026-H1"), checked, mini.unit("SNV"), tmp_path / "out.xlsx")
    rebuilt = read_file(copy.path, mini, "b")
    assert {k: c.value for k, c in rebuilt.cells.items()} == {k: c.value for k, c in checked.raw.cells.items()}
    assert [{k: c.value for k, c in r.items()} for r in rebuilt.tables["mo_hinh"]] == \
           [{k: c.value for k, c in r.items()} for r in checked.raw.tables["mo_hinh"]]
    original = read_file(folder["returns"] / SNV_FILE, mini, "a")
    assert {k: c.value for k, c in rebuilt.cells.items()} == {k: c.value for k, c in original.cells.items()}
    rows = len(checked.raw.tables["mo_hinh"])
    assert rows == 12 or (fmt == "xls" and rows == 10)
    assert [{k: c.value for k, c in r.items()} for r in rebuilt.tables["mo_hinh"]] == \
           [{k: c.value for k, c in r.items()} for r in original.tables["mo_hinh"][:rows]]
    marked = {(p.problem.code, p.position) for p in copy.problems if p.position}
    assert len(marked) == (len(EXPECTED_MARKS) if rows == 12 else len(EXPECTED_MARKS) - 1)


def test_error_cell_is_listed_with_what_was_there(mini, folder, tmp_path):
    """An Excel error (#REF!) has no value to carry: the copy's cell is blank, marked, and the
    list shows what the unit's file held."""
    from consolidate.validation.returns import RawCell

    raw = read_file(folder["returns"] / SNV_FILE, mini, SNV_FILE)
    raw.cells["don_tiep_nhan"] = RawCell("Chỉ tiêu", "D7", None, error="#REF!")
    checked = check_return(raw, mini, "2026-H1", as_of=AS_OF.date())
    assert ("cell-error-value", "D7") in {(p.code, p.cell) for p in checked.problems}
    copy = write_annotated(mini, mini.period("2026-H1"), checked, mini.unit("SNV"), tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(copy.path)
    assert wb["Chỉ tiêu"]["D7"].value is None
    assert "#REF!" in wb["Chỉ tiêu"]["D7"].comment.text
    listed = {r[7].value: r for r in wb[LIST_SHEET].iter_rows(min_row=5) if r[0].value}
    assert listed["cell-error-value"][5].value == "#REF!"
