"""Printing a sheet wider than a page: the key columns repeat on every page only as far
as they leave room for the widest other column, which LibreOffice would otherwise cut at
the page's edge (the 'Nội dung' column of 'Lỗi và cảnh báo' lost its ends)."""

from __future__ import annotations

import xlsxwriter

from consolidate.xlsx.printing import A4_WIDTH_PT, WIDTH_SLACK, columns_width_pt, readable_print

WIDTHS = [5, 32, 14, 10, 26, 18, 7, 11, 70]  # the problems sheet's printed columns


def _sheet(tmp_path, widths):
    wb = xlsxwriter.Workbook(str(tmp_path / "a.xlsx"))
    ws = wb.add_worksheet()
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    return wb, ws


def _repeated(ws) -> int:
    text = ws.repeat_col_range  # e.g. "$A:$C"
    return 0 if not text else ord(text.split(":")[1][-1]) - 64


def test_key_columns_leave_room_for_the_widest_column(tmp_path):
    wb, ws = _sheet(tmp_path, WIDTHS)
    scale = readable_print(ws, len(WIDTHS) - 1, key_cols=5)
    keys = _repeated(ws)
    page = (A4_WIDTH_PT["landscape"] - 72 * (0.5 + 0.4)) / (scale / 100) / WIDTH_SLACK  # default margins
    assert 1 <= keys < 5
    assert columns_width_pt(ws, 0, keys - 1) + columns_width_pt(ws, 8, 8) <= page
    assert columns_width_pt(ws, 0, keys) + columns_width_pt(ws, 8, 8) > page  # as many as fit
    wb.close()


def test_narrow_columns_keep_every_key_column(tmp_path):
    widths = [10, 30] + [12] * 30
    wb, ws = _sheet(tmp_path, widths)
    readable_print(ws, len(widths) - 1, key_cols=2)
    assert _repeated(ws) == 2
    wb.close()
