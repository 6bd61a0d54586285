"""read_file: one returned workbook -> RawReturn, never raising for bad input.

Order of work: size, bytes + sha256, sniff by content, zip directory and XML prolog guards,
the workbook map (defined names, tables), per-sheet cell-reference guard, then values from
python-calamine, then error cells and value-less formulas from the sheet XML (OOXML).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import python_calamine as calamine

from consolidate.definition.layout import META_SHEET, Layout, cell_address, layout_for
from consolidate.definition.model import Definition
from consolidate.i18n import N_, Text
from consolidate.reading import biff, guard
from consolidate.reading.fileio import NotRegular, read_limited, sha256_of
from consolidate.reading.guard import Rejected
from consolidate.reading.locate import Locator, _meta_text, _nfc
from consolidate.reading.names import fold, read_ods_map, read_ooxml_map
from consolidate.reading.problems import (
    FileCorrupt,
    FileEmpty,
    FileEncrypted,
    FileMacrosIgnored,
    FileTooLarge,
    FileUnreadable,
    ValueUnderMerge,
    memory_note,
)
from consolidate.reading.sheetxml import scan_errors
from consolidate.reading.sniff import sniff
from consolidate.validation.returns import RawCell, RawReturn

UNREADABLE_BOOK = N_("trình đọc bảng tính không mở được sổ tính trong tệp")
UNREADABLE_SHEET = N_("trình đọc bảng tính không đọc được trang này")
# fileio.special_kind's words -> what the unit is told
SPECIAL_KINDS = {
    "FIFO": N_("một ống dẫn có tên (FIFO)"),
    "socket": N_("một socket"),
    "character device": N_("một thiết bị ký tự"),
    "block device": N_("một thiết bị khối"),
    "directory": N_("một thư mục"),
}


def read_file(path: Path | str, definition: Definition, display_name: str | None = None,
              on_sheet: Callable[[str], None] | None = None) -> RawReturn:
    """Read one returned file. Every failure becomes one located problem in the result.

    `on_sheet(name)` is told each sheet before the reader builds its grid (where memory goes:
    a reading worker notes it, so that a reader aborted for memory is reported on its sheet)."""
    path = Path(path)
    ret = RawReturn(file=display_name or str(path))
    reader = _Reader(path, definition, ret, on_sheet)
    try:
        try:
            reader.run()
        except Rejected as rejected:
            if isinstance(rejected.__cause__, MemoryError):  # caught as a reader's error on the way
                raise rejected.__cause__ from None
            raise
    except Rejected as rejected:
        _reject(ret, rejected.problem(note=rejected.note, file=ret.file, sheet=rejected.sheet, cell=rejected.cell))
    except MemoryError:  # a reading worker's memory limit, reached in Python
        reader.grids.clear()
        reader.wb = None
        _reject(ret, FileTooLarge(note=memory_note(reader.loading), file=ret.file, sheet=reader.loading))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001  a reader bug (calamine's PanicException is a
        # BaseException) or a file no check anticipated: still one problem of this file, on
        # the sheet being built (a cell calamine cannot convert, -inf as a date, panics it)
        _reject(ret, FileCorrupt(note=guard.because(N_("trình đọc bảng tính gặp lỗi khi đọc tệp"),
                                                    f"{type(exc).__name__}: {exc}"), file=ret.file,
                                 sheet=reader.loading))
    return ret


def _reject(ret: RawReturn, problem) -> None:
    ret.cells.clear()
    ret.tables.clear()
    ret.problems.append(problem)


def _read_bytes(path: Path, ret: RawReturn) -> bytes:
    """The file's bytes, with its size and sha256 set on `ret`. A FIFO, socket or device is
    never opened for reading, and a file over the limit is hashed in blocks, not read."""
    try:
        size = path.stat().st_size
        if size > guard.MAX_FILE_BYTES:
            ret.sha256, ret.size = sha256_of(path)
            guard.check_size(ret.size)
        data = read_limited(path)
        if data is None:  # grew past the limit since the stat
            ret.sha256, ret.size = sha256_of(path)
            guard.check_size(max(ret.size, guard.MAX_FILE_BYTES + 1))
    except NotRegular as exc:
        kind = SPECIAL_KINDS.get(str(exc), N_("tệp đặc biệt"))
        raise Rejected(FileUnreadable, Text(N_("đây không phải tệp thông thường mà là {kind}, không mở để đọc"),
                                            kind=Text(kind))) from exc
    except OSError as exc:
        raise Rejected(FileUnreadable, guard.because(N_("hệ điều hành không cho đọc tệp"), exc.strerror or exc)) from exc
    ret.size = len(data)
    ret.sha256 = hashlib.sha256(data).hexdigest()
    return data


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise Rejected(FileCorrupt, guard.because(N_("tệp là một tệp nén (zip) bị hỏng hoặc bị cắt cụt"), exc)) from exc
    guard.check_zip_directory(zf)
    guard.check_xml_prologs(zf, data)
    return zf


def _value(raw: Any) -> Any:
    if raw == "" or raw is None:
        return None
    if isinstance(raw, str):
        return _nfc(raw)
    return raw


@lru_cache(maxsize=65536)
def _address(row: int, col: int) -> str:
    """cell_address, cached: table cells repeat the same few hundred addresses per file."""
    return cell_address(row, col)


# Worksheet parts that passed guard.check_sheet_refs -> their scan_errors: both are
# functions of the inflated part, which read_member_stored made from the stored bytes
# alone. Returns of one template share their static sheets (`_meta`, often the
# unit-information sheet) byte for byte; those are then neither inflated nor scanned again.
_VETTED_SHEETS = guard.MemberMemo()


class _Reader(Locator):
    def __init__(self, path: Path, definition: Definition, ret: RawReturn,
                 on_sheet: Callable[[str], None] | None = None):
        self.path = path
        self.on_sheet = on_sheet
        self.loading: str | None = None  # the sheet whose grid is being built
        self.definition = definition
        self.layout: Layout = layout_for(definition)
        self.ret = ret
        self.zf: zipfile.ZipFile | None = None
        self.data = b""  # the file's bytes, which self.zf reads
        self.wb: calamine.CalamineWorkbook | None = None
        self.sheet_names: dict[str, str] = {}  # folded -> name as calamine knows it
        self.sheet_parts: dict[str, str] = {}  # calamine name -> OOXML member
        self.biff = b""  # xls: the workbook stream
        self.biff_sheets: dict[str, int] = {}  # xls: calamine name -> its BOF in self.biff
        self.grids: dict[str, list[list[Any]]] = {}
        self.depth: dict[str, int] = {}  # rows asked of calamine per loaded sheet
        self.errors: dict[str, dict[tuple[int, int], tuple[str | None, bool]]] = {}
        self.merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}

    # -- file level -------------------------------------------------------------------

    def run(self) -> None:
        ret = self.ret
        data = _read_bytes(self.path, ret)
        self.data = data
        if not data:
            raise Rejected(FileEmpty)

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
            wbmap = biff.read_xls_map(sniffed.biff)
            wbmap.extents = biff.sheet_sizes(sniffed.biff)

        if wbmap.extents:  # an .ods or .xls is expanded whole when opened
            self._note_sheet(max(wbmap.extents, key=wbmap.extents.__getitem__))
        try:
            self.wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(sniffed.data or data))
        except calamine.PasswordError as exc:
            raise Rejected(FileEncrypted, guard.because(N_("tệp được đặt mật khẩu"), exc)) from exc
        except Exception as exc:
            raise Rejected(FileCorrupt, guard.because(UNREADABLE_BOOK, f"{type(exc).__name__}: {exc}")) from exc
        self.loading = None
        for name in self.wb.sheet_names:
            self.sheet_names.setdefault(fold(name), name)
        for name, part in wbmap.sheet_parts.items():
            actual = self.sheet_names.get(fold(name))
            if actual is not None:
                self.sheet_parts[actual] = part
        self.biff = sniffed.biff or b""
        for name, position in wbmap.biff_sheets.items():
            actual = self.sheet_names.get(fold(name))
            if actual is not None:
                self.biff_sheets[actual] = position

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
        elif sheet in self.biff_sheets and sheet not in self.errors:
            self.errors[sheet] = biff.scan_errors(self.biff, self.biff_sheets[sheet])
        self._note_sheet(sheet)
        try:
            ws = self.wb.get_sheet_by_name(sheet)
        except calamine.CalamineError as exc:
            raise Rejected(FileCorrupt, guard.because(UNREADABLE_SHEET, f"{type(exc).__name__}: {exc}"),
                           sheet=sheet) from exc
        guard.check_extent(ws.end, sheet)
        grid = ws.to_python(skip_empty_area=False, nrows=max(nrows, 1))
        if sheet not in self.merges:
            try:
                self.merges[sheet] = list(ws.merged_cell_ranges or ())
            except Exception:  # noqa: BLE001  a format without merge records
                self.merges[sheet] = []
        self.grids[sheet] = grid
        self.depth[sheet] = max(nrows, 1)
        self.loading = None
        return grid

    def _note_sheet(self, sheet: str) -> None:
        """`sheet` is the one whose cells the reader builds now (see read_file's on_sheet)."""
        self.loading = sheet
        if self.on_sheet is not None:
            self.on_sheet(sheet)

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
        if value is not None and self.merges.get(sheet):
            self._hidden_by_merge(cell, row, col)
        errors = self.errors.get(sheet)
        if errors:
            flagged = errors.get((row, col))
            if flagged is not None:
                cell.error, cell.formula_without_value = flagged
                if cell.error:
                    cell.value = None
        return cell

    def _hidden_by_merge(self, cell: RawCell, row: int, col: int) -> None:
        """A value under a merged range (not its top-left cell) is not shown to the user who
        filled the sheet: never summed silently."""
        for (r1, c1), (r2, c2) in self.merges[cell.sheet]:
            if r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1):
                self.ret.problems.append(ValueUnderMerge(
                    file=self.ret.file, sheet=cell.sheet, cell=cell.address,
                    value=f"{cell_address(r1, c1)}:{cell_address(r2, c2)}",
                ))
                cell.value = None
                return

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

