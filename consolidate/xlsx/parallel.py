"""Assemble worksheet XML on two cores when an xlsxwriter workbook is closed.

At national scale most of ``Workbook.close()`` is ``Worksheet._assemble_xml_file()``, run
sheet after sheet by ``Packager._write_worksheet_files()`` while the second core idles.
``ParallelPackager`` forks once and lets the child write some sheets' XML into temp files
the parent has already registered, while the parent writes the rest.

The file must be byte-identical to the serial one, so only sheets whose assembly changes
nothing the parent reads afterwards go to the child (see ``_child_safe``), and the one piece
of shared state assembly does change, the lazily numbered cell styles, is numbered up front
in serial order (see ``_number_styles``). Whatever goes wrong in the child, the parent writes
those sheets itself: the child only ever saves the parent time.
"""

from __future__ import annotations

import contextlib
import gc
import operator
import os
import signal
import threading
from itertools import chain

import xlsxwriter
from xlsxwriter.packager import Packager

# Cells the smaller side must get before forking pays. Measured (2 cores): assembly costs
# ~2.3 µs a cell, fork, style numbering and waiting ~10 ms; two sheets of 5,000 cells gain
# nothing, of 20,000 ~15 ms (10%), of 50,000 ~70 ms. Templates and reminders stay below it.
MIN_CELLS_MOVED = 20_000
# The child assembles ~10% slower per cell (copy-on-write faults on the heap it shares with
# the parent), so the split weighs its cells more.
CHILD_SLOWDOWN = 1.15
# The style numbering below repeats xlsxwriter's own walk order, an internal detail: other
# releases stay on the serial path until the byte-identity tests have been run against them
# (tests/merge/test_summary_parallel.py fails when a new release is not listed here).
VERIFIED_XLSXWRITER = ("3.3.",)


class ParallelPackager(Packager):
    """xlsxwriter's Packager, with the worksheet XML split between two processes."""

    min_cells_moved = MIN_CELLS_MOVED

    def _write_worksheet_files(self) -> None:
        sheets = [ws for ws in self.workbook.worksheets() if not ws.is_chartsheet]
        child = self._child_share(sheets)
        if not child:
            super()._write_worksheet_files()
            return

        # Register the temp files exactly as the serial loop does (same names, same order
        # in self.filenames); assembly itself never calls _filename, so doing it first is safe.
        paths = [self._filename(f"xl/worksheets/sheet{n}.xml") for n in range(1, len(sheets) + 1)]
        _number_styles(sheets, self.workbook)
        mine = [i for i in range(len(sheets)) if i not in child]

        parent_pid = os.getpid()
        pid = None
        try:
            pid = _fork()
            if pid == 0:
                _child_main([(sheets[i], paths[i]) for i in sorted(child)])  # never returns
            for i in mine:
                _assemble(sheets[i], paths[i])
        except BaseException:
            if os.getpid() != parent_pid:  # a signal hit the child before _child_main's guard
                os._exit(1)
            if pid:
                _reap(pid, kill=True)  # no zombie, and no writer left behind on our temp files
            raise
        if pid is None or not _reap(pid):
            # No child, or it failed or was killed: its files may be partial, and reopening
            # them for writing starts them afresh.
            for i in sorted(child):
                _assemble(sheets[i], paths[i])

    def _child_share(self, sheets) -> set[int]:
        """Indexes of the sheets the child should assemble; empty means stay serial."""
        if (
            self.in_memory  # StringIO buffers written in a child never reach the parent
            or self.workbook.constant_memory  # rows stream through per-sheet temp files
            or not xlsxwriter.__version__.startswith(VERIFIED_XLSXWRITER)
            or not hasattr(os, "fork")
            or _cpus() < 2
            or threading.active_count() > 1  # another thread may hold a lock the child needs
        ):
            return set()
        # Greedy split by cell count, biggest first; sheets that must stay load the parent.
        parent_load = 0
        eligible = []
        for i, ws in enumerate(sheets):
            cells = sum(len(row) for row in ws.table.values())
            if _child_safe(ws):
                eligible.append((cells, i))
            else:
                parent_load += cells
        child, child_load = set(), 0
        for cells, i in sorted(eligible, reverse=True):
            if child_load * CHILD_SLOWDOWN < parent_load:
                child.add(i)
                child_load += cells
            else:
                parent_load += cells
        # What the fork saves is the smaller side's work; below the threshold it costs more.
        if min(child_load, parent_load) < self.min_cells_moved:
            return set()
        return child


def _cpus() -> int:
    """CPUs this process may run on (the affinity mask, where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _child_safe(ws) -> bool:
    """Whether assembling ``ws`` changes nothing the parent reads later.

    Hyperlinks add worksheet relationships during assembly (``_write_hyperlinks``); drawings,
    comments/VML, header images, background pictures and tables bump ``rel_count``. Their
    sheets are rare and small here, so rather than reason about each, they stay in the parent.
    """
    return not (
        any(ws.hyperlinks.values())
        or ws.drawing
        or ws.charts
        or ws.images
        or ws.shapes
        or ws.has_vml
        or ws.has_header_vml
        or ws.background_image
        or ws.tables
        or ws.constant_memory
    )


def _number_styles(sheets, workbook) -> None:
    """Give cell styles their xf numbers now, in the order the serial assembly would.

    xlsxwriter numbers a Format the first time assembly asks for it (``Format._get_xf_index``)
    and styles.xml is written later from those numbers. Numbers handed out in the child would
    be lost, and the parent alone would number in a different order. Only the order in which
    new format keys are first met matters, so this walks the same places in the same order as
    ``Worksheet._write_cols`` and ``_write_rows`` and stops once nothing is left to number.
    """
    # Formats whose first use hands out a new number (the others' calls change nothing).
    waiting = {}
    for f in workbook.formats:
        if f.xf_index is None and f._get_format_key() not in workbook.xf_format_indices:
            waiting[f] = f._get_format_key()

    def meet(fmt) -> None:
        if fmt in waiting:
            fmt._get_xf_index()
            key = waiting[fmt]
            for other in [o for o, k in waiting.items() if k == key]:
                del waiting[other]

    for ws in sheets:
        for col in sorted(ws.col_info):
            meet(ws.col_info[col].column_format)
        if ws.dim_rowmin is None:
            continue
        # The formats this sheet would number; once all are met the rest of it is skipped
        # (a C-level scan, far cheaper than walking the cells in order).
        used = set(map(_format_of, chain.from_iterable(map(dict.values, ws.table.values()))))
        used.update(info.row_format for info in ws.row_info.values())
        here = used & waiting.keys()
        if not here:
            continue
        low, high = ws.dim_rowmin, ws.dim_rowmax
        for r in sorted(r for r in {*ws.row_info, *ws.table} if low <= r <= high):
            if here.isdisjoint(waiting):
                break
            info = ws.row_info.get(r)
            if info is not None:
                meet(info.row_format)
            # A cell without a format falls back to its row's or column's, met above.
            cells = ws.table.get(r, {})
            for col in sorted(cells):
                meet(cells[col].format)


_format_of = operator.attrgetter("format")


def _assemble(ws, path: str) -> None:
    # Opening the path for writing truncates it, so a rerun after a failed child is clean.
    ws._set_xml_writer(path)
    ws._assemble_xml_file()


def _fork() -> int | None:
    try:
        return os.fork()
    except OSError:  # no process to spare (EAGAIN, ENOMEM): the parent does it all
        return None


def _child_main(jobs) -> None:
    """Assemble ``jobs`` and leave through ``os._exit``, whatever happens.

    ``os._exit`` skips atexit handlers, finalizers and the flushing of buffers inherited
    from the parent (stdout, the half-written zip file), which would otherwise be written twice.
    """
    code = 1
    try:
        # A collection would walk, and so copy, every page of the parent's inherited heap.
        gc.disable()
        for ws, path in jobs:
            _assemble(ws, path)  # closes (and so flushes) its file at the end
        code = 0
    finally:
        os._exit(code)


def _reap(pid: int, kill: bool = False) -> bool:
    """Wait for the child (PEP 475 retries EINTR); True if it exited with status 0."""
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): its result is unknown
        return False
    return os.waitstatus_to_exitcode(status) == 0
