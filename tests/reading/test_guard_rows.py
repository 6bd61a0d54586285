"""The row guard of worksheet parts: LibreOffice's empty last row at 1,048,576 is read
(nothing is in it and nothing can follow it); any row that far down holding a cell, or
followed by rows, is still refused before calamine sees the part."""

from __future__ import annotations

import pytest

from consolidate.reading.guard import Rejected, check_sheet_refs

HEAD = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'


@pytest.mark.parametrize("tail", [
    b'<row r="1048576" customFormat="false" ht="12.8"></row></sheetData></worksheet>',
    b'<row r="1048576"/></sheetData></worksheet>',
    b'<row r="1048576">\n</row>\n</sheetData></worksheet>',
])
def test_empty_last_row_far_down_is_read(tail):
    check_sheet_refs(HEAD + tail, "Chỉ tiêu")


@pytest.mark.parametrize("tail", [
    b'<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData></worksheet>',
    b'<row r="1048576"><c><v>1</v></c></row></sheetData></worksheet>',
    b'<row r="1048576"></row><row><c><v>1</v></c></row></sheetData></worksheet>',
    b'<row r="1048576" x="a>b"></row></sheetData></worksheet>',
])
def test_row_far_down_with_cells_or_rows_after_is_refused(tail):
    with pytest.raises(Rejected) as caught:
        check_sheet_refs(HEAD + tail, "Chỉ tiêu")
    assert caught.value.problem.code == "file-too-large" and caught.value.sheet == "Chỉ tiêu"
