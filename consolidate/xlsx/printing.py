"""Print set-up that keeps text readable: A4, and never scaled below 9 pt.

Excel and LibreOffice shrink a sheet "fit to page width" as far as it takes, so a 29-column
matrix printed on one A4 page came out at about 3.4 pt. Here a sheet is fitted to the page
width only when that keeps its smallest font at 9 pt or more; a wider sheet is printed at a
fixed scale across several pages, with its key columns (code, name) repeated on each, as
the rows of its header are.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

MIN_PRINTED_PT = 9.0
# LibreOffice lays Times New Roman columns out about a fifth wider than xlsxwriter's pixel
# widths (measured on the summary: fit-to-width gave 72 % where the pixels said 86 %), and
# scales headers and footers with the sheet; both margins are taken here
WIDTH_SLACK = 1.2
SAFETY_PT = 0.3
A4_WIDTH_PT = {"landscape": 842.0, "portrait": 595.0}
DEFAULT_COLUMN_PX = 64


def columns_width_pt(ws: Worksheet, first_col: int, last_col: int) -> float:
    """Width of the columns as printed at 100 %, in points (xlsxwriter keeps pixels)."""
    total_px = 0
    for col in range(first_col, last_col + 1):
        info = ws.col_info.get(col)
        width = getattr(info, "width", None) if info is not None else None
        if info is not None and getattr(info, "hidden", False):
            continue
        total_px += DEFAULT_COLUMN_PX if width is None else width
    return total_px * 0.75


def readable_print(ws: Worksheet, last_col: int, *, key_cols: int = 0, smallest_pt: float = 11.0,
                   landscape: bool = True, margins_in: tuple[float, float] = (0.5, 0.4)) -> int:
    """Print at the scale that fits the width, but never below the one that keeps
    `smallest_pt` at 9 pt; then `key_cols` repeat on every page. Returns the scale (%)."""
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    printable = A4_WIDTH_PT["landscape" if landscape else "portrait"] - 72 * sum(margins_in)
    needed = (columns_width_pt(ws, 0, max(0, last_col)) or 1.0) * WIDTH_SLACK
    lowest = (MIN_PRINTED_PT + SAFETY_PT) / smallest_pt
    fit = printable / needed
    # always an explicit scale: "fit to width" lets the spreadsheet shrink as far as its own
    # measure of the columns says, which went below 9 pt where ours did not
    floor_pct = int(lowest * 100) + (0 if (lowest * 100).is_integer() else 1)
    scale = max(floor_pct, min(100, int(fit * 100)))
    ws.set_print_scale(scale)
    if fit < lowest and key_cols > 0:  # wider than a page: the key columns on every page
        key_cols = _keys_that_leave_room(ws, last_col, key_cols, printable / (scale / 100) / WIDTH_SLACK)
        if key_cols:
            ws.repeat_columns(0, key_cols - 1)
    return scale


def _keys_that_leave_room(ws: Worksheet, last_col: int, key_cols: int, room: float) -> int:
    """As many of the first `key_cols` columns as can repeat on every page and still leave
    room for the widest other column: LibreOffice cuts a column that does not fit beside
    the repeated ones at the page's edge (a message column lost its ends)."""
    widest = max((columns_width_pt(ws, col, col) for col in range(key_cols, last_col + 1)), default=0.0)
    while key_cols and columns_width_pt(ws, 0, key_cols - 1) + widest > room:
        key_cols -= 1
    return key_cols


def page_header(ws: Worksheet, left: str, right: str, font: str = "Times New Roman", size: int = 12) -> None:
    """A header and page-number footer that keep their size whatever the sheet's scale."""
    def esc(text: str) -> str:
        return text.replace("&", "&&")

    options = {"scale_with_doc": False}
    ws.set_header(f'&L&"{font},Regular"&{size}{esc(left)}&R&"{font},Italic"&{size}{esc(right)}', options)
    ws.set_footer(f'&C&"{font},Regular"&{size}Trang &P/&N', options)


def columns_on_first_page(ws: Worksheet, last_col: int, scale: int, landscape: bool = True,
                          margins_in: tuple[float, float] = (0.5, 0.4)) -> int:
    """The last column that still prints on the first page at `scale` per cent."""
    printable = A4_WIDTH_PT["landscape" if landscape else "portrait"] - 72 * sum(margins_in)
    room = printable / (scale / 100) / WIDTH_SLACK
    used = 0.0
    for col in range(0, last_col + 1):
        used += columns_width_pt(ws, col, col)
        if used > room:
            return max(0, col - 1)
    return last_col
