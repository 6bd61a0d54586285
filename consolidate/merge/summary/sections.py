"""One sheet per table or text section of the plan: a row per unit (and per table row)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consolidate.definition.model import Section
from consolidate.merge.summary.common import _BORDER, Sheet

if TYPE_CHECKING:
    from consolidate.merge.summary.writer import Writer



def table(w: Writer, section: Section, name: str) -> None:
    s = Sheet(w, name)
    row = s.title([f"{section.title} - {w.decision.period.label}", *w.heading()])
    cols = list(section.fields)
    labels = ["STT", "Mã đơn vị", "Tên đơn vị", *[f"{c.label} ({c.unit})" if c.unit else c.label for c in cols]]
    s.header(row, labels, [5, 10, 30, *[(40 if c.type == "text" else 14) for c in cols]])
    rows = w.agg.tables.get(section.id, [])
    for r, item in unit_rows(w, s, row, rows):
        for j, c in enumerate(cols):
            s.value(r, 3 + j, item.values.get(c.id), c, _BORDER)
    s.table_frame(row, row + len(rows), len(labels) - 1, freeze_col=3)



def unit_rows(w: Writer, s: Sheet, header_row: int, items: list):
    """Number, unit code and unit name of each row; yields (row, item) for the rest."""
    border = w.style(border=1)  # already made by status(): hoisting creates nothing earlier
    for i, item in enumerate(items):
        r = header_row + 1 + i
        s.number(r, 0, i + 1, border)
        s.text(r, 1, item.unit.code, border)
        s.text(r, 2, item.unit.name, border)
        yield r, item



def text_section(w: Writer, section: Section, name: str) -> None:
    s = Sheet(w, name)
    row = s.title([f"{section.title} - {w.decision.period.label}", *w.heading()])
    cols = list(section.fields)
    labels = ["STT", "Mã đơn vị", "Tên đơn vị", *[c.label for c in cols]]
    s.header(row, labels, [5, 10, 28, *[70] * len(cols)])
    wrap = w.style(border=1, text_wrap=True)
    answers = w.agg.texts.get(section.id, [])
    for r, answer in unit_rows(w, s, row, answers):
        for j, c in enumerate(cols):
            s.text(r, 3 + j, answer.values.get(c.id) or "", wrap)
    s.table_frame(row, row + len(answers), len(labels) - 1, freeze_col=3)
