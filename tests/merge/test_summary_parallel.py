"""Worksheet XML assembled in a forked child (consolidate.xlsx_parallel): the file is
byte-identical to the serial one, a failed child changes nothing, sheets whose assembly
changes shared state stay in the parent, and small workbooks never fork."""

from __future__ import annotations

import datetime as dt
import errno
import os
import signal
import threading

import openpyxl
import pytest
from xlsxwriter.packager import Packager

from consolidate.template.writer import write_template
from consolidate.xlsx import parallel as xlsx_parallel
from consolidate.xlsx.parallel import ParallelPackager
from consolidate.xlsx.safe import SafeWorkbook

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
    # openpyxl drops the data bar's 2010 extension on reading; irrelevant here
    pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning"),
]

CREATED = dt.datetime(2026, 6, 20, 10, 0, 0)
PLAIN = ("Số liệu", "Thứ tự", "Cuối")


class ForkSpy:
    """Records the pids of the children forked (seen in the parent only)."""

    def __init__(self) -> None:
        self.pids: list[int] = []
        self.real = os.fork

    def __call__(self) -> int:
        pid = self.real()
        if pid:
            self.pids.append(pid)
        return pid


@pytest.fixture
def fork_spy(monkeypatch):
    spy = ForkSpy()
    monkeypatch.setattr(os, "fork", spy)
    # The same decision on any machine: two CPUs, and a threshold these test books pass.
    monkeypatch.setattr(xlsx_parallel, "_cpus", lambda: 2)
    monkeypatch.setattr(ParallelPackager, "min_cells_moved", 500)
    return spy


def build(path, parallel=True, rows=300, extras=False, options=None):
    """A workbook with several plain sheets, formats first used in each of them (some in a
    row's later columns, written out of column order), and optionally sheets with a link,
    a chart, a comment and a chartsheet."""
    wb = SafeWorkbook(str(path), options, parallel=parallel)
    wb.set_properties({"title": "Tổng hợp thử", "author": "Kiểm thử", "created": CREATED})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    num = wb.add_format({"num_format": "#,##0.00"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    wrap = wb.add_format({"text_wrap": True})
    column = wb.add_format({"font_color": "#1F4E78"})
    row_fmt = wb.add_format({"italic": True})
    later = [wb.add_format({"font_size": 9 + k, "align": "center"}) for k in range(4)]
    unused = wb.add_format({"underline": True})  # never written: must stay out of styles.xml
    twin = wb.add_format({"num_format": "#,##0.00"})  # same key as `num`
    assert unused and twin

    ws = wb.add_worksheet(PLAIN[0])
    ws.set_column(0, 0, 24, column)
    ws.set_column(1, 3, 12)
    ws.set_row(0, 30, row_fmt)
    ws.write_row(0, 0, ["Đơn vị", "Giá trị", "Ngày", "Đúng hạn", "Ghi chú"], bold)
    for r in range(1, rows):
        ws.write_string(r, 0, f"Đơn vị {r:04d}")
        ws.write_number(r, 1, r * 1.25, num if r % 3 else twin)
        ws.write_datetime(r, 2, dt.datetime(2026, 1, 1) + dt.timedelta(days=r), date)
        ws.write_boolean(r, 3, r % 2 == 0)
        ws.write_formula(r, 4, f"=B{r + 1}*2", None, r * 2.5)
    ws.write_rich_string(rows, 0, "Tổng ", bold, "cộng", wrap)
    ws.write_blank(rows, 1, None, bold)
    ws.merge_range(rows + 1, 0, rows + 1, 4, "Ghi chú chung", wrap)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, rows - 1, 4)
    ws.conditional_format(1, 1, rows - 1, 1, {"type": "data_bar", "data_bar_2010": True})
    above = {"type": "cell", "criteria": ">", "value": 100, "format": bold}
    ws.conditional_format(1, 1, rows - 1, 1, above)
    ws.data_validation(1, 3, rows - 1, 3, {"validate": "list", "source": ["TRUE", "FALSE"]})
    ws.ignore_errors({"number_stored_as_text": "A1:A9"})

    ws = wb.add_worksheet(PLAIN[1])
    for r in range(rows):
        # Later columns first, and formats first met in this sheet: the xf numbers follow
        # the column order of the assembly, not the order of the write calls.
        for c in range(7, -1, -1):
            ws.write_number(r, c, r * 10 + c, later[c % 4] if r == 5 else None)
    ws.set_row(rows + 3, 18, later[3])

    ws = wb.add_worksheet(PLAIN[2])
    for r in range(rows):
        ws.write_string(r, 0, f"dòng {r}")
        ws.write_number(r, 1, r)
    struck = wb.add_format({"font_strikeout": True})  # first used on the last row
    ws.write_string(rows, 2, "gạch ngang", struck)

    if extras:
        ws = wb.add_worksheet("Liên kết")
        ws.write_url(0, 0, "https://example.org/bao-cao", string="Báo cáo")
        for r in range(1, rows):
            ws.write_number(r, 0, r)
        ws = wb.add_worksheet("Biểu đồ")
        for r in range(rows):
            ws.write_number(r, 0, r % 17)
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"values": ["Biểu đồ", 0, 0, 20, 0]})
        ws.insert_chart(0, 2, chart)
        ws = wb.add_worksheet("Ghi chú")
        for r in range(rows):
            ws.write_string(r, 0, f"ô {r}")
        ws.write_comment(0, 0, "Lời nhắn")
        sheet = wb.add_chartsheet("Biểu đồ riêng")
        sheet_chart = wb.add_chart({"type": "line"})
        sheet_chart.add_series({"values": ["Biểu đồ", 0, 0, 20, 0]})
        sheet.set_chart(sheet_chart)
    wb.close()
    return path


def test_parallel_file_is_byte_identical(tmp_path, fork_spy):
    serial = build(tmp_path / "serial.xlsx", parallel=False)
    assert fork_spy.pids == []
    parallel = build(tmp_path / "parallel.xlsx")
    assert len(fork_spy.pids) == 1
    assert parallel.read_bytes() == serial.read_bytes()
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(fork_spy.pids[0], os.WNOHANG)


def _child_only(action):
    """An `_assemble` that misbehaves in the child and counts the parent's calls."""
    parent = os.getpid()
    real = xlsx_parallel._assemble
    calls: list[str] = []

    def assemble(ws, path):
        if os.getpid() != parent:
            with open(path, "w", encoding="utf-8") as fh:  # a half-written file left behind
                fh.write("<worksheet")
            action()
        calls.append(ws.name)
        real(ws, path)

    assemble.calls = calls
    return assemble


def _raise():
    raise RuntimeError("child broke")


def _killed():
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("action", [_raise, _killed], ids=["raises", "killed"])
def test_failed_child_is_redone_by_the_parent(tmp_path, fork_spy, monkeypatch, action):
    serial = build(tmp_path / "serial.xlsx", parallel=False)
    assemble = _child_only(action)
    monkeypatch.setattr(xlsx_parallel, "_assemble", assemble)
    parallel = build(tmp_path / "parallel.xlsx")
    assert len(fork_spy.pids) == 1
    assert sorted(assemble.calls) == sorted(PLAIN)  # the parent assembled every sheet
    assert parallel.read_bytes() == serial.read_bytes()


def test_no_fork_available_at_the_time(tmp_path, fork_spy, monkeypatch):
    def no_fork():
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    serial = build(tmp_path / "serial.xlsx", parallel=False)
    monkeypatch.setattr(os, "fork", no_fork)
    assert build(tmp_path / "parallel.xlsx").read_bytes() == serial.read_bytes()


def test_links_charts_comments_stay_in_the_parent(tmp_path, fork_spy, monkeypatch):
    shares = []
    real = ParallelPackager._child_share

    def spy(self, sheets):
        child = real(self, sheets)
        shares.append({sheets[i].name for i in child})
        return child

    monkeypatch.setattr(ParallelPackager, "_child_share", spy)
    serial = build(tmp_path / "serial.xlsx", parallel=False, extras=True)
    parallel = build(tmp_path / "parallel.xlsx", extras=True)
    assert len(fork_spy.pids) == 1
    assert shares[0] and shares[0] <= set(PLAIN)
    assert parallel.read_bytes() == serial.read_bytes()

    wb = openpyxl.load_workbook(parallel)
    assert wb.sheetnames == [*PLAIN, "Liên kết", "Biểu đồ", "Ghi chú", "Biểu đồ riêng"]
    assert wb["Liên kết"]["A1"].hyperlink.target == "https://example.org/bao-cao"
    assert wb["Ghi chú"]["A1"].comment.text == "Lời nhắn"
    assert wb["Thứ tự"]["H6"].value == 57 and wb["Thứ tự"]["H6"].font.sz == 12
    assert wb[PLAIN[0]]["B2"].number_format == "#,##0.00"


def test_small_or_unsuitable_workbooks_stay_serial(tmp_path, fork_spy, monkeypatch, mini):
    packagers = []
    real = SafeWorkbook._get_packager

    def spy(self):
        packagers.append(real(self))
        return packagers[-1]

    monkeypatch.setattr(SafeWorkbook, "_get_packager", spy)

    # Under the real threshold: a template, and a summary-like book of a few hundred cells.
    monkeypatch.setattr(ParallelPackager, "min_cells_moved", xlsx_parallel.MIN_CELLS_MOVED)
    write_template(mini, mini.unit("SNV"), mini.period("2026-H1"), tmp_path / "mau.xlsx")
    build(tmp_path / "small.xlsx", rows=40)
    monkeypatch.setattr(ParallelPackager, "min_cells_moved", 500)
    # Big enough, but in memory, constant_memory, switched off, or with another thread.
    build(tmp_path / "memory.xlsx", options={"in_memory": True})
    build(tmp_path / "constant.xlsx", options={"constant_memory": True})
    build(tmp_path / "off.xlsx", parallel=False)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        build(tmp_path / "threads.xlsx")
    finally:
        stop.set()
        other.join()

    assert fork_spy.pids == []
    assert [type(p) for p in packagers] == [ParallelPackager] * 4 + [Packager] + [ParallelPackager]
    for name in ("mau", "small", "memory", "constant", "off", "threads"):
        openpyxl.load_workbook(tmp_path / f"{name}.xlsx")
