"""read_file: one returned workbook -> RawReturn, never raising for bad input.

Order of work: size, bytes + sha256, sniff by content, zip directory and XML prolog guards,
the workbook map (defined names, tables), per-sheet cell-reference guard, then values from
python-calamine, then error cells and value-less formulas from the sheet XML (OOXML).
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import python_calamine as calamine

from consolidate.definition.layout import META_SHEET, Layout, cell_address, layout_for
from consolidate.definition.model import Definition, Section
from consolidate.reading import guard
from consolidate.reading.guard import Rejected
from consolidate.reading.names import Ref, TableRef, WorkbookMap, fold, read_ods_map, read_ooxml_map
from consolidate.reading.problems import (
    FileCorrupt,
    FileEmpty,
    FileEncrypted,
    FileMacrosIgnored,
    FileTooLarge,
    FileUnreadable,
    LayoutMismatch,
    LayoutShifted,
    NameBroken,
    NameMissing,
    NamesMissing,
    SheetMissing,
    TableColumnMissing,
    TableMissing,
)
from consolidate.reading.sheetxml import scan_errors
from consolidate.reading.sniff import sniff
from consolidate.validation.returns import RawCell, RawReturn

META_KEYS = ("report_id", "definition_version", "period", "unit_code", "fingerprint")


def read_file(path: Path | str, definition: Definition, display_name: str | None = None) -> RawReturn:
    """Read one returned file. Every failure becomes one located problem in the result."""
    path = Path(path)
    ret = RawReturn(file=display_name or str(path))
    try:
        _Reader(path, definition, ret).run()
    except Rejected as rejected:
        _reject(ret, rejected.problem(note=rejected.note, file=ret.file, sheet=rejected.sheet, cell=rejected.cell))
    except MemoryError:
        _reject(ret, FileTooLarge(note="out of memory", file=ret.file))
    except Exception as exc:  # a reader bug or a file no check anticipated: still one problem
        _reject(ret, FileCorrupt(note=f"{type(exc).__name__}: {str(exc)[:200]}", file=ret.file))
    return ret


def _reject(ret: RawReturn, problem) -> None:
    ret.cells.clear()
    ret.tables.clear()
    ret.problems.append(problem)


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Rejected(FileCorrupt, f"zip: {exc}") from exc
    guard.check_zip_directory(zf)
    guard.check_xml_prologs(zf, data)
    return zf


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _value(raw: Any) -> Any:
    if raw == "" or raw is None:
        return None
    if isinstance(raw, str):
        return _nfc(raw)
    return raw


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


def _folded_names(definition: Definition) -> dict[str, str]:
    cache = definition._by_id
    if "reading.folded" not in cache:
        layout = layout_for(definition)
        cache["reading.folded"] = {n: fold(n) for n in (*layout.cells, *layout.tables)}
    return cache["reading.folded"]


@lru_cache(maxsize=65536)
def _address(row: int, col: int) -> str:
    """cell_address, cached: table cells repeat the same few hundred addresses per file."""
    return cell_address(row, col)


# Worksheet parts that passed guard.check_sheet_refs -> their scan_errors: both are
# functions of the inflated part, which read_member_stored made from the stored bytes
# alone. Returns of one template share their static sheets (`_meta`, often the
# unit-information sheet) byte for byte; those are then neither inflated nor scanned again.
_VETTED_SHEETS = guard.MemberMemo()


@dataclass
class _NamesPlan:
    """The layout resolved through one workbook map (see _Reader._names_plan)."""

    problems: list[tuple[type, dict]] = field(default_factory=list)  # name-missing & co., in order
    too_large: tuple[str, str] | None = None  # a table beyond the guard's limits: (note, sheet)
    loads: list[tuple[str, int]] = field(default_factory=list)  # (sheet, rows) to load, in order
    cells: list[tuple[str, str, int, int, str]] = field(default_factory=list)  # (name, sheet, row, col, address)
    tables: list[tuple[str, str, TableRef, Section]] = field(default_factory=list)  # (section id, sheet, ...)
    columns: dict[str, tuple[dict[str, int], list[dict]]] = field(default_factory=dict)  # see _Reader._columns


class _Reader:
    def __init__(self, path: Path, definition: Definition, ret: RawReturn):
        self.path = path
        self.definition = definition
        self.layout: Layout = layout_for(definition)
        self.ret = ret
        self.zf: zipfile.ZipFile | None = None
        self.data = b""  # the file's bytes, which self.zf reads
        self.wb: calamine.CalamineWorkbook | None = None
        self.sheet_names: dict[str, str] = {}  # folded -> name as calamine knows it
        self.sheet_parts: dict[str, str] = {}  # calamine name -> OOXML member
        self.grids: dict[str, list[list[Any]]] = {}
        self.depth: dict[str, int] = {}  # rows asked of calamine per loaded sheet
        self.errors: dict[str, dict[tuple[int, int], tuple[str | None, bool]]] = {}

    # -- file level -------------------------------------------------------------------

    def run(self) -> None:
        ret = self.ret
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise Rejected(FileUnreadable, exc.strerror or str(exc)) from exc
        ret.size = size
        if size == 0:
            ret.sha256 = hashlib.sha256(b"").hexdigest()
            raise Rejected(FileEmpty)
        if size > guard.MAX_FILE_BYTES:
            ret.sha256, ret.size = sha256_of(self.path)
            guard.check_size(ret.size)
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise Rejected(FileUnreadable, exc.strerror or str(exc)) from exc
        ret.size = len(data)
        ret.sha256 = hashlib.sha256(data).hexdigest()
        self.data = data
        if not data:
            raise Rejected(FileEmpty)
        guard.check_size(len(data))

        sniffed = sniff(data, _open_zip)
        ret.format = sniffed.format
        self.zf = sniffed.zip
        if sniffed.macros:
            ret.problems.append(FileMacrosIgnored(file=ret.file))
        if sniffed.format in ("xlsx", "xlsm"):
            wbmap = read_ooxml_map(self.zf, sniffed.workbook_part, data)
        elif sniffed.format == "ods":
            wbmap = read_ods_map(self.zf)
        else:
            wbmap = WorkbookMap()

        try:
            self.wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except calamine.PasswordError as exc:
            raise Rejected(FileEncrypted, str(exc)[:200]) from exc
        except Exception as exc:
            raise Rejected(FileCorrupt, f"{type(exc).__name__}: {str(exc)[:200]}") from exc
        for name in self.wb.sheet_names:
            self.sheet_names.setdefault(fold(name), name)
        for name, part in wbmap.sheet_parts.items():
            actual = self.sheet_names.get(fold(name))
            if actual is not None:
                self.sheet_parts[actual] = part

        has_meta = self._read_meta()
        self._locate(wbmap, has_meta)

    # -- sheets -----------------------------------------------------------------------

    def _sheet(self, name: str) -> str | None:
        return self.sheet_names.get(fold(name))

    def _load(self, sheet: str, nrows: int) -> list[list[Any]]:
        """The sheet's grid from A1 (absolute positions), at least `nrows` rows if present."""
        grid = self.grids.get(sheet)
        if grid is not None and self.depth[sheet] >= nrows:
            return grid
        part = self.sheet_parts.get(sheet)
        if part is not None and self.zf is not None and sheet not in self.errors:
            self.errors[sheet] = self._vet_sheet(part, sheet)
        try:
            ws = self.wb.get_sheet_by_name(sheet)
        except calamine.CalamineError as exc:
            raise Rejected(FileCorrupt, f"{type(exc).__name__}: {str(exc)[:200]}", sheet=sheet) from exc
        guard.check_extent(ws.end, sheet)
        grid = ws.to_python(skip_empty_area=False, nrows=max(nrows, 1))
        self.grids[sheet] = grid
        self.depth[sheet] = max(nrows, 1)
        return grid

    def _vet_sheet(self, part: str, sheet: str) -> dict[tuple[int, int], tuple[str | None, bool]]:
        """The cell-reference guard and the error cells of a worksheet part; for a part
        identical to one that passed before (see _VETTED_SHEETS), that part's error cells."""
        info = self.zf.NameToInfo.get(part)
        if info is not None:
            known = _VETTED_SHEETS.find(self.data, info)
            if known is not None:
                return dict(known) if known else {}
        xml, stored = guard.read_member_stored(self.zf, self.data, part)
        guard.check_sheet_refs(xml, sheet)
        errors = scan_errors(xml)
        if stored is not None and info is not None:
            _VETTED_SHEETS.keep(self.data, info, dict(errors), stored)
        return errors

    def _cell(self, sheet: str, row: int, col: int, address: str | None = None) -> RawCell:
        grid = self.grids[sheet]
        if row < len(grid):
            line = grid[row]
            raw = line[col] if col < len(line) else None
        else:
            raw = None
        if raw == "" or raw is None:
            value = None
        elif isinstance(raw, str):
            value = _nfc(raw)
        else:
            value = raw
        cell = RawCell(sheet, address or _address(row, col), value)
        errors = self.errors.get(sheet)
        if errors:
            flagged = errors.get((row, col))
            if flagged is not None:
                cell.error, cell.formula_without_value = flagged
                if cell.error:
                    cell.value = None
        return cell

    # -- _meta ------------------------------------------------------------------------

    def _read_meta(self) -> bool:
        sheet = self._sheet(META_SHEET)
        if sheet is None:
            return False  # an empty `meta`: validation reports meta-missing (once)
        grid = self._load(sheet, 200)
        meta: dict[str, str] = {}
        for row in grid[:200]:
            if len(row) < 1:
                continue
            key = _meta_text(row[0])
            if key and key not in meta:
                meta[key] = _meta_text(row[1]) if len(row) > 1 else ""
        self.ret.meta = meta
        return True

    # -- cells and tables -------------------------------------------------------------

    def _locate(self, wbmap: WorkbookMap, has_meta: bool) -> None:
        layout = self.layout
        ret = self.ret
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
                return (f"table {table.name}", sheet), []
            depth[sheet] = max(depth.get(sheet, 0), table.ref.r2 + 1)
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
        by_names = any(folded[n] in wbmap.names for n in layout.cells) or any(
            folded[t] in wbmap.tables for t in layout.tables
        )
        if not by_names:
            return None
        plan = _NamesPlan()
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
        while last >= first:  # drop empty trailing rows before building any cell
            row = grid[last]
            if last in flagged:
                break
            if not (cols and row[lo:hi] == blank) and any(
                c < len(row) and row[c] not in ("", None) for c in cols
            ):
                break
            last -= 1
        return [{fid: self._cell(sheet, r, c) for fid, c in positions.items()} for r in range(first, last + 1)]

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
