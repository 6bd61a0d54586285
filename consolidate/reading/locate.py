"""Where a return's cells and tables are: by the defined names and tables the file carries,
or, for a file that lost them, by the template's own layout behind a check that no row moved.
A mixin of extract._Reader (it needs the reader's sheets, grids and error cells).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from consolidate.definition.layout import META_SHEET, cell_address, layout_for
from consolidate.definition.model import Definition, Section
from consolidate.i18n import N_, Number, Text
from consolidate.reading import guard
from consolidate.reading.guard import Rejected
from consolidate.reading.names import Ref, TableRef, WorkbookMap, fold
from consolidate.reading.problems import (
    FileTooLarge,
    LayoutMismatch,
    LayoutShifted,
    NameBroken,
    NameDuplicated,
    NameMissing,
    NameMoved,
    NameNotCell,
    NameOutsideSheet,
    NamesMissing,
    SheetMissing,
    TableColumnMissing,
    TableHeaderMoved,
    TableMissing,
    TableRowsOutside,
)
from consolidate.validation.returns import RawCell


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _meta_text(raw: Any) -> str:
    if raw is None or raw == "":
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if hasattr(raw, "isoformat"):
        return raw.isoformat()
    return _nfc(str(raw)).strip()


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_PAREN_TAIL = re.compile(r"\s*\([^()]*\)\s*$")


def _label_key(text: str) -> str:
    text = _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return " ".join(_nfc(text).replace("*", " ").split()).casefold()


def _label_keys(definition: Definition) -> dict[str, str]:
    """Name -> label key of every labelled cell of the layout (see Locator._beside_its_label)."""
    return definition.memo("reading.label_keys", lambda: {
        name: _label_key(spec.label) for name, spec in layout_for(definition).cells.items() if spec.label})


@lru_cache(maxsize=4096)
def _text_key(text: str) -> str:
    return _label_key(text)


def _cell_key(raw: Any) -> str:
    """_label_key of a grid value; labels recur in every return of a template: cached."""
    if raw is None or raw == "":
        return ""
    return _text_key(raw if isinstance(raw, str) else _meta_text(raw))


def _folded_names(definition: Definition) -> dict[str, str]:
    def make() -> dict[str, str]:
        layout = layout_for(definition)
        return {n: fold(n) for n in (*layout.cells, *layout.tables)}

    return definition.memo("reading.folded", make)




@dataclass
class _NamesPlan:
    """The layout resolved through one workbook map (see _Reader._names_plan)."""

    problems: list[tuple[type, dict]] = field(default_factory=list)  # name-missing & co., in order
    too_large: tuple[Text, str] | None = None  # a table beyond the guard's limits: (note, sheet)
    loads: list[tuple[str, int]] = field(default_factory=list)  # (sheet, rows) to load, in order
    cells: list[tuple[str, str, int, int, str]] = field(default_factory=list)  # (name, sheet, row, col, address)
    tables: list[tuple[str, str, TableRef, Section]] = field(default_factory=list)  # (section id, sheet, ...)
    columns: dict[str, tuple[dict[str, int], list[dict]]] = field(default_factory=dict)  # see _Reader._columns



HEADER_SEARCH = 200  # rows inserted above a table's header that its search still covers
# Filled rows one table of one return may hold. Far beyond a report's list (models, projects:
# tens of rows), and it bounds what the merge keeps of each file: a 760 kB file with a table
# of 50,000 rows became 150,000 problems and took the merge process to 3 GB.
MAX_TABLE_ROWS = 2_000


def _header_is(raw: Any, label: str) -> bool:
    """A header cell shows the field's label, with or without a unit in brackets."""
    if not isinstance(raw, str) or not raw:
        return False
    return _label_key(raw) == label or _label_key(_PAREN_TAIL.sub("", raw)) == label


class Locator:
    """Cells and tables of a return (see the module docstring)."""

    ret: Any

    def _locate(self, wbmap: WorkbookMap, has_meta: bool) -> None:
        layout = self.layout
        ret = self.ret
        if wbmap.tables_by_header:
            self._tables_by_header(wbmap)
        plan = self._names_plan(wbmap)
        if plan is not None:
            ret.located_by = "names"
            for cls, params in plan.problems:
                ret.problems.append(cls(file=ret.file, **params))
            if plan.too_large is not None:
                raise Rejected(FileTooLarge, plan.too_large[0], sheet=plan.too_large[1])
            for sheet, rows in plan.loads:
                self._load(sheet, rows)
            for name, sheet, row, col, address in plan.cells:
                if self._beside_its_label(name, sheet, row, col, address):
                    ret.cells[name] = self._cell(sheet, row, col, address)
            for section_id, sheet, table, section in plan.tables:
                ret.tables[section_id] = self._table(sheet, table, section, plan)
            return
        if not has_meta:
            return  # meta-missing already says this is not one of our templates
        if ret.meta.get("fingerprint") != layout.fingerprint:
            ret.problems.append(
                LayoutMismatch(file=ret.file, sheet=META_SHEET, value=ret.meta.get("fingerprint", ""))
            )
            return
        ret.located_by = "layout"
        ret.problems.append(NamesMissing(file=ret.file))
        cells: dict[str, Ref] = {}
        tables: dict[str, TableRef] = {}
        for name, spec in layout.cells.items():
            cells[name] = Ref(spec.sheet, spec.row, spec.col, spec.row, spec.col)
        for section_id, spec in layout.tables.items():
            tables[section_id] = TableRef(
                section_id,
                # rows a unit added below the template's blank ones count too
                Ref(spec.sheet, spec.header_row, spec.first_col, spec.header_row + spec.rows + 500, spec.last_col),
                [f.label for f in spec.section.fields],
            )
        too_large, loads = self._depths(cells, tables)
        if too_large is not None:
            raise Rejected(FileTooLarge, too_large[0], sheet=too_large[1])
        for sheet, rows in loads:
            self._load(sheet, rows)
        for bad in self._shifted_sheets():
            cells = {n: r for n, r in cells.items() if fold(r.sheet) != fold(bad)}
            tables = {n: t for n, t in tables.items() if fold(t.ref.sheet) != fold(bad)}
        missing_sheets = set()
        for name, ref in cells.items():
            sheet = self._sheet(ref.sheet)
            if sheet is None:
                if ref.sheet not in missing_sheets:
                    missing_sheets.add(ref.sheet)
                    ret.problems.append(SheetMissing(file=ret.file, sheet=ref.sheet))
                continue
            ret.cells[name] = self._cell(sheet, ref.r1, ref.c1)
        sections = {s.id: s for s in self.definition.sections}
        for section_id, table in tables.items():
            sheet = self._sheet(table.ref.sheet)
            if sheet is None:
                if table.ref.sheet not in missing_sheets:
                    missing_sheets.add(table.ref.sheet)
                    ret.problems.append(SheetMissing(file=ret.file, sheet=table.ref.sheet))
                continue
            ret.tables[section_id] = self._table(sheet, table, sections[section_id])

    def _beside_its_label(self, name: str, sheet: str, row: int, col: int, address: str) -> bool:
        """A name follows its cell when rows or columns are inserted, and so does the label
        printed beside it. A name whose label row is blank or shows another field's label
        (and not its own) points at a cell that is not its field's (edited by hand, or by a
        converter): reported on the field, never read as its value. A label reworded since
        the template was made, or columns inserted between label and cell, still pass."""
        spec = self.layout.cells[name]
        keys = _label_keys(self.definition)
        own = keys.get(name)
        if not own:
            return True
        label_row, label_col = row + spec.label_row - spec.row, col + spec.label_col - spec.col
        grid = self.grids[sheet]
        line = grid[label_row] if 0 <= label_row < len(grid) else []
        found = _cell_key(line[label_col]) if 0 <= label_col < len(line) else ""
        if found.startswith(own):
            return True
        texts = [t for t in (found, *(_cell_key(v) for v in line[:col])) if t]
        if any(t.startswith(own) for t in texts):
            return True
        if texts and not any(t.startswith(key) for t in texts for key in keys.values()):
            return True  # no field's label in the row: reworded, the name is trusted
        self.ret.problems.append(NameMoved(
            file=self.ret.file, sheet=sheet, cell=address, field_id=name, value=spec.label,
        ))
        return False

    def _tables_by_header(self, wbmap: WorkbookMap) -> None:
        """A format without tables (.xls): each template table is where its header row is
        now, searched on its sheet (rows inserted above move it, as they move the names).
        Found nowhere, or in two places: not guessed (table-missing)."""
        folded = _folded_names(self.definition)
        for section_id, spec in self.layout.tables.items():
            sheet = self._sheet(spec.sheet)
            if folded[section_id] in wbmap.tables or sheet is None:
                continue
            grid = self._load(sheet, min(spec.header_row + HEADER_SEARCH + spec.rows + 502, guard.MAX_ROWS))
            labels = [_label_key(f.label) for f in spec.section.fields]
            hits = [
                (r, c)
                for r, row in enumerate(grid[: spec.header_row + HEADER_SEARCH])
                for c in range(len(row) - len(labels) + 1)
                if all(_header_is(row[c + j], label) for j, label in enumerate(labels))
            ]
            if len(hits) == 1:
                (r, c), width = hits[0], len(labels)
                # rows a unit added below the template's blank ones count too (as by layout)
                ref = Ref(sheet, r, c, min(r + spec.rows + 500, guard.MAX_ROWS - 1), c + width - 1)
                wbmap.tables[folded[section_id]] = TableRef(spec.name, ref)

    def _depths(self, cells: dict[str, Ref], tables: dict[str, TableRef]):
        """(too large: (note, sheet) or None, [(sheet, rows)]): each sheet loaded once, as
        deep as the deepest reference needs."""
        depth: dict[str, int] = {}
        for ref in cells.values():
            sheet = self._sheet(ref.sheet)
            if sheet is None:
                continue
            depth[sheet] = max(depth.get(sheet, 0), ref.r1 + 1)
        for table in tables.values():
            sheet = self._sheet(table.ref.sheet)
            if sheet is None:
                continue
            if table.ref.r2 >= guard.MAX_ROWS or table.ref.c2 >= guard.MAX_COLS:
                note = guard.because(N_("bảng {table} kéo dài tới {rows} dòng × {cols} cột, vượt giới hạn "
                                        "{max_rows} dòng × {max_cols} cột"),
                                     table=table.name, rows=Number(table.ref.r2 + 1), cols=Number(table.ref.c2 + 1),
                                     max_rows=Number(guard.MAX_ROWS), max_cols=Number(guard.MAX_COLS))
                return (note, sheet), []
            depth[sheet] = max(depth.get(sheet, 0), table.ref.r2 + 2)  # and the row below it
        return None, list(depth.items())

    def _names_plan(self, wbmap: WorkbookMap) -> _NamesPlan | None:
        """Where the layout's names point in this map (None: the file has none of them).

        Depends only on the map, the layout and the sheet names calamine lists, so it is
        kept on the map and reused by every file that shares it (the map itself is only
        reused for byte-identical workbook parts, see names.read_ooxml_map)."""
        key = (id(self.layout), tuple(self.wb.sheet_names))
        found = wbmap.plans.get(key)
        if found is not None and found[0] is self.layout:
            return found[1]
        plan = self._make_names_plan(wbmap)
        wbmap.plans[key] = (self.layout, plan)
        return plan

    def _make_names_plan(self, wbmap: WorkbookMap) -> _NamesPlan | None:
        layout = self.layout
        folded = _folded_names(self.definition)
        # A file that lost its cell names is read by position (behind the layout checks),
        # whether or not its tables survived: tables alone do not locate the fields.
        by_names = any(folded[n] in wbmap.names for n in layout.cells) or (
            not layout.cells and any(folded[t] in wbmap.tables for t in layout.tables)
        )
        if not by_names:
            return None
        plan = _NamesPlan()
        template_sheets = {fold(spec.sheet) for spec in layout.cells.values()} | {
            fold(spec.sheet) for spec in layout.tables.values()} | {fold(META_SHEET)}
        cells: dict[str, Ref] = {}
        tables: dict[str, TableRef] = {}
        for name, spec in layout.cells.items():
            found = wbmap.names.get(folded[name])
            if found is None:
                if not spec.locked:
                    plan.problems.append((NameMissing, {"sheet": spec.sheet, "field_id": name}))
                continue
            if isinstance(found, str) or self._sheet(found.sheet) is None:
                value = found if isinstance(found, str) else found.sheet
                plan.problems.append((NameBroken, {"sheet": spec.sheet, "field_id": name, "value": value}))
                continue
            problem = self._doubtful_name(folded[name], found, spec.sheet, wbmap, template_sheets)
            if problem is not None:
                plan.problems.append((problem[0], {"sheet": spec.sheet, "field_id": name, "value": problem[1]}))
                continue
            cells[name] = found
        for section_id, spec in layout.tables.items():
            table = wbmap.tables.get(folded[section_id])
            if table is None or self._sheet(table.ref.sheet) is None:
                plan.problems.append((TableMissing, {"sheet": spec.sheet, "field_id": section_id}))
                continue
            tables[section_id] = table
        plan.too_large, plan.loads = self._depths(cells, tables)
        # every sheet referred to exists here (the checks above), so no sheet-missing
        plan.cells = [
            (name, self._sheet(ref.sheet), ref.r1, ref.c1, cell_address(ref.r1, ref.c1)) for name, ref in cells.items()
        ]
        sections = {s.id: s for s in self.definition.sections}
        plan.tables = [
            (section_id, self._sheet(table.ref.sheet), table, sections[section_id])
            for section_id, table in tables.items()
        ]
        return plan

    @staticmethod
    def _doubtful_name(key: str, found: Ref, sheet: str, wbmap: WorkbookMap, template_sheets: set[str]):
        """(problem class, value) when a name cannot be trusted to be its field's cell:
        defined twice, on a range, or on another sheet of the template (`_meta` among them).
        A sheet the template does not have is the user's renamed one: followed."""
        where = f"{found.sheet}!{cell_address(found.r1, found.c1)}"
        if key in wbmap.duplicates:
            return NameDuplicated, where
        if fold(found.sheet) != fold(sheet) and fold(found.sheet) in template_sheets:
            return NameOutsideSheet, where
        if found.r1 != found.r2 or found.c1 != found.c2:
            return NameNotCell, f"{where}:{cell_address(found.r2, found.c2)}"
        return None

    def _shifted_sheets(self) -> list[str]:
        """Sheets whose printed labels are not where the template put them (rows moved)."""
        shifted: list[str] = []
        for spec in self.layout.cells.values():
            sheet = self._sheet(spec.sheet)
            if sheet is None or not spec.label or spec.sheet in shifted:
                continue
            found = _label_key(_meta_text(self._cell(sheet, spec.label_row, spec.label_col).value))
            if not found.startswith(_label_key(spec.label)):
                shifted.append(spec.sheet)
                self.ret.problems.append(LayoutShifted(
                    file=self.ret.file, sheet=spec.sheet, cell=cell_address(spec.label_row, spec.label_col),
                    field_id=spec.name, value=spec.label,
                ))
        for table in self.layout.tables.values():
            sheet = self._sheet(table.sheet)
            if sheet is None or table.sheet in shifted:
                continue
            header = _label_key(_meta_text(self._cell(sheet, table.header_row, table.first_col).value))
            if header != _label_key(table.section.fields[0].label):
                shifted.append(table.sheet)
                self.ret.problems.append(LayoutShifted(
                    file=self.ret.file, sheet=table.sheet, cell=cell_address(table.header_row, table.first_col),
                    field_id=table.name, value=table.section.fields[0].label,
                ))
        return shifted

    def _table(
        self, sheet: str, table: TableRef, section: Section, plan: _NamesPlan | None = None
    ) -> list[dict[str, RawCell]]:
        ref = table.ref
        # Columns named by the table part (not read from the sheet) map to the same
        # positions in every file sharing the plan: worked out once.
        columns = plan.columns.get(section.id) if plan is not None and table.columns else None
        if columns is None:
            columns = self._columns(sheet, table, section)
            if plan is not None and table.columns:
                plan.columns[section.id] = columns
        positions, missing = columns
        for params in missing:
            self.ret.problems.append(TableColumnMissing(file=self.ret.file, sheet=sheet, **params))
        first = ref.r1 + table.header_rows
        last = min(ref.r2 - table.totals_rows, len(self.grids[sheet]) - 1)
        errors = self.errors.get(sheet)
        flagged = {rc[0] for rc in errors if rc[1] in positions.values()} if errors else set()
        grid = self.grids[sheet]
        cols = tuple(positions.values())
        # A row whose span over the table's columns is all "" (calamine's blank) is empty
        # without looking at each column; anything else gets the exact test.
        lo, hi = (min(cols), max(cols) + 1) if cols else (0, 0)
        blank = [""] * (hi - lo)
        self._rows_below(sheet, table, section, cols)
        self._header_in_place(sheet, table, section)
        while last >= first:  # drop empty trailing rows before building any cell
            row = grid[last]
            if last in flagged:
                break
            if not (cols and row[lo:hi] == blank) and any(
                c < len(row) and row[c] not in ("", None) for c in cols
            ):
                break
            last -= 1
        if last - first + 1 > MAX_TABLE_ROWS:
            raise Rejected(FileTooLarge, Text(N_("bảng “{table}” có {rows} dòng, nhiều hơn giới hạn {limit} dòng "
                                                 "của một báo cáo"), table=section.title, rows=Number(last - first + 1),
                                              limit=Number(MAX_TABLE_ROWS)), sheet=sheet)
        return [{fid: self._cell(sheet, r, c) for fid, c in positions.items()} for r in range(first, last + 1)]

    def _rows_below(self, sheet: str, table: TableRef, section: Section, cols: tuple[int, ...]) -> None:
        """A filled row right below a table (its reference shrunk, or rows typed past its
        end) would be dropped unseen: reported on its first cell instead."""
        below = table.ref.r2 + 1
        grid = self.grids[sheet]
        if table.totals_rows or below >= len(grid) or not cols:
            return
        row = grid[below]
        if any(c < len(row) and row[c] not in ("", None) for c in cols):
            self.ret.problems.append(TableRowsOutside(
                file=self.ret.file, sheet=sheet, cell=cell_address(below, table.ref.c1), field_id=section.id,
            ))

    def _header_in_place(self, sheet: str, table: TableRef, section: Section) -> None:
        """A table part names its columns, and Excel keeps the header cells in step with
        those names. A reference whose first row is not that header (moved down onto the
        data, or elsewhere) would drop the rows above it unseen: reported on the table."""
        if not table.columns or table.header_rows != 1:
            return
        ref = table.ref
        grid = self.grids[sheet]
        line = grid[ref.r1] if ref.r1 < len(grid) else []
        for j, name in enumerate(table.columns[: ref.c2 - ref.c1 + 1]):
            c = ref.c1 + j
            if _cell_key(line[c] if c < len(line) else None) != _text_key(name):
                self.ret.problems.append(TableHeaderMoved(
                    file=self.ret.file, sheet=sheet, cell=cell_address(ref.r1, ref.c1), field_id=section.id,
                    value=table.columns[0],
                ))
                return

    def _columns(self, sheet: str, table: TableRef, section: Section) -> tuple[dict[str, int], list[dict]]:
        """Field id -> sheet column, and the table-column-missing problems (their params)."""
        ref = table.ref
        width = ref.c2 - ref.c1 + 1
        names = list(table.columns)
        if not names and table.header_rows:
            names = [_meta_text(self._cell(sheet, ref.r1, ref.c1 + i).value) for i in range(width)]
        keys = [_label_key(n) for n in names]
        stripped = [_label_key(_PAREN_TAIL.sub("", n)) for n in names]
        positions: dict[str, int] = {}
        missing: list[dict] = []
        for j, f in enumerate(section.fields):
            index = None
            for candidate in (_label_key(f.label), f.id.casefold()):
                for pool in (keys, stripped):
                    if candidate in pool:
                        index = pool.index(candidate)
                        break
                if index is not None:
                    break
            if index is None and len(names) == len(section.fields):
                index = j  # headers renamed by hand: same count, trust the order
            if index is None or index >= width:
                missing.append({"cell": cell_address(ref.r1, ref.c1), "field_id": section.id, "value": f.label})
                continue
            positions[f.id] = ref.c1 + index
        return positions, missing
