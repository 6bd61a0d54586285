"""read_many: read a batch in worker processes, so that a file that crashes the reader
(python-calamine aborts the whole process on some cell references) or hangs costs only
itself, and the rest of the batch goes on.

A small hand-made pool rather than ProcessPoolExecutor: the executor marks every pending
future broken when one worker dies and cannot stop a single slow task. Here each worker is
kept a few files ahead (chunks that shrink as the queue does), sends one result per file as
soon as it has it, in order, and the parent knows which file a dead or stuck worker was on;
that file gets `file-reader-crashed` (or `file-read-timeout`), the worker is replaced and the
files it still held go back to the front of the queue. The parent collects results every
DRAIN_INTERVAL rather than on each one, which leaves the cores to the workers.

Memory: a few bytes of .ods or .xlsx can make the reader build gigabytes of cells (one long
text copied into a million cells). Each worker may allocate at most its budget beyond what it
started with (RLIMIT_AS: its starting address space plus the budget, which bounds its resident
size too), and there are only as many workers as fit the merge and its readers under
TREE_MEMORY together. Past its budget the reader fails: in Python with a MemoryError
(read_file reports it), in python-calamine's Rust code by aborting the worker, which first
prints "memory allocation of N bytes failed". The worker's stderr goes to a small file of its
own, where it also notes each sheet before building its grid: from it the parent tells a
file that needed too much memory (`file-too-large`, with the sheet) from a crash.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import multiprocessing as mp
import os
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from consolidate.definition.layout import layout_for
from consolidate.definition.model import Definition
from consolidate.i18n import N_, Figure, Text
from consolidate.problems import ConsolidateError
from consolidate.reading.extract import read_file
from consolidate.reading.fileio import sha256_of
from consolidate.reading.problems import (
    FileReaderCrashed,
    FileReadTimeout,
    FileTooLarge,
    memory_note,
)
from consolidate.validation.returns import RawReturn

DEFAULT_TIMEOUT = 60.0  # seconds per file
MiB = 2**20
# The merge and its reading workers together, as the sum of their resident sizes (pages a
# forked worker shares with the merge count twice): under 1 GB with room to spare.
TREE_MEMORY = 900 * MiB
READER_MEMORY_MAX = 320 * MiB  # what one worker may allocate beyond what it started with
READER_MEMORY_MIN = 192 * MiB  # fewer workers rather than smaller budgets than this
# What the parent keeps of each file read (its checked return): ≈ 57 kB a file at national
# scale (3,321 returns of the 81-field plan, merge process 239 MB), reserved before budgets
RESULT_MEMORY = 64 * 1024
AUTO = "auto"  # memory_limit: budgets and worker count from TREE_MEMORY
# What a worker writes to its stderr file before building a sheet's grid (then the name)
SHEET_MARK = b"\n\x1e\x1esheet:"
LAST_WORDS = 64 * 1024  # bytes of a dead worker's stderr file looked at
MAX_CHUNK = 32
AHEAD = 8  # files a worker holds beyond the one it is on, at least
DRAIN_INTERVAL = 0.01  # seconds between two collections of results


class ReadersUnavailable(ConsolidateError):
    """Not one reading worker could be started: nothing can be read safely."""

    code = "readers-unavailable"


def _status_kib(key: str) -> int | None:
    """A size from /proc/self/status (Linux), in KiB; None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _limit_memory(budget: int | None) -> None:
    """Let this process allocate at most `budget` bytes beyond what it has mapped now. The
    address space, not the data segment: python-calamine's large grids are mmap'ed."""
    if not budget:
        return
    start = _status_kib("VmSize")
    if start is None:  # not Linux: no address space to measure (macOS ignores RLIMIT_AS anyway)
        return
    try:
        import resource

        limit = start * 1024 + budget
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on this platform: isolation still holds
        pass


def _quiet_stderr(log: str | None) -> None:
    """An abort in the reader is expected and reported by the parent as a problem of that
    file; the Rust panic text and Python traceback it would dump on the user's terminal only
    alarm. They go to the worker's own file (read by the parent when the worker dies)."""
    with contextlib.suppress(OSError):
        if log:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        else:
            fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 2)
        os.close(fd)


def _note_sheet(sheet: str) -> None:
    with contextlib.suppress(OSError):
        os.write(2, SHEET_MARK + sheet.encode("utf-8", "replace")[:400] + b"\n")


def _say_the_limit(ret: RawReturn, limit: int | None) -> None:
    """read_file does not know the budget it ran out of; the user is told it."""
    for problem in ret.problems:
        if isinstance(problem, FileTooLarge) and limit and problem.note == memory_note(problem.sheet):
            problem.note = memory_note(problem.sheet, limit)


def _worker_main(conn, definition: Definition, memory_limit: int | None, after=None, log: str | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    faulthandler.disable()
    _quiet_stderr(log)
    _limit_memory(memory_limit)
    # Everything inherited from the parent (definition, layout, imported modules) lives as
    # long as the worker: out of the collector's sight, the full collections that each
    # file's short-lived cells and problems trigger stop re-scanning it.
    gc.enable()  # the merge pauses collection in its own process (forked with it)
    gc.freeze()
    note = _note_sheet if log else None
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        for index, path, name in job:
            if log:
                with contextlib.suppress(OSError):
                    os.ftruncate(2, 0)  # the file holds what was written about this file only
            try:
                ret = read_file(path, definition, name, on_sheet=note)
                _say_the_limit(ret, memory_limit)
                conn.send((index, after(ret, path) if after else ret))
            except MemoryError:  # validating or sending a result too large for the budget
                ret = None
                gc.collect()
                problem = FileTooLarge(note=memory_note(None, memory_limit))
                conn.send((index, _failed(path, name, problem, after)))


def _context():
    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return mp.get_context("fork")  # cheapest start; the definition is inherited, not pickled
    return mp.get_context("spawn")


class _Worker:
    def __init__(self, ctx, definition: Definition, memory_limit: int | None, after=None, log: str | None = None):
        self.log = log
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, definition, memory_limit, after, log), daemon=True)
        self.proc.start()
        child.close()
        # files sent and not answered yet, in the order the worker takes them: the first is
        # the one it is on
        self.pending: deque[tuple[int, str, str]] = deque()
        self.since = time.monotonic()

    def assign(self, chunk: list[tuple[int, str, str]]) -> bool:
        if not self.pending:
            self.since = time.monotonic()
        try:
            self.conn.send(chunk)
        except (BrokenPipeError, OSError):
            return False
        self.pending.extend(chunk)
        return True

    def stop(self) -> None:
        try:
            if self.proc.is_alive():
                self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass

    def close(self, grace: float = 1.0) -> None:
        self.proc.join(grace)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()
        if self.log:
            with contextlib.suppress(OSError):
                os.unlink(self.log)

    def last_words(self) -> tuple[str | None, bool]:
        """(the sheet it was building when it died, whether it died for memory), from its
        stderr file: the last sheet noted, and what the reader printed after it."""
        if not self.log:
            return None, False
        try:
            with open(self.log, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                handle.seek(max(0, handle.tell() - LAST_WORDS))
                text = handle.read()
        except OSError:
            return None, False
        sheet = None
        head, mark, tail = text.rpartition(SHEET_MARK)
        if mark:
            line, _, text = tail.partition(b"\n")
            sheet = line.decode("utf-8", "replace") or None
        memory = b"memory allocation of" in text or b"MemoryError" in text
        return sheet, memory


def _failed(path: str, name: str, problem, after=None):
    ret = RawReturn(file=name)
    with contextlib.suppress(OSError):
        ret.sha256, ret.size = sha256_of(Path(path))
    problem.file = name
    ret.problems.append(problem)
    return after(ret, path) if after else ret


def _signal_note(exitcode: int | None) -> str | Text:
    """How a worker ended: the signal's own name (SIGSEGV), else a Vietnamese note."""
    if exitcode is None:
        return Text(N_("tiến trình đọc bị dừng"))
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return Text(N_("tín hiệu {n}"), n=-exitcode)
    return Text(N_("tiến trình đọc thoát với mã {n}"), n=exitcode)


def _resident() -> int:
    """This process's resident size in bytes (Linux), else a typical merge's."""
    kib = _status_kib("VmRSS")
    return kib * 1024 if kib is not None else 100 * MiB


def plan_workers(count: int, memory_limit: int | None | str = AUTO, files: int = 0) -> tuple[int, int | None]:
    """(workers, memory budget of each) for `count` workers asked to read `files` files.
    AUTO: each worker starts as large as this process (a forked one maps its pages; a spawned
    one loads the same modules) and may grow by its budget; they and this process, grown by
    the results it keeps, stay under TREE_MEMORY, with fewer workers rather than budgets under
    READER_MEMORY_MIN. An explicit limit is kept."""
    if memory_limit != AUTO:
        return count, memory_limit
    own = _resident()
    room = TREE_MEMORY - own - files * RESULT_MEMORY
    share = room // max(count, 1) - own
    while count > 1 and share < READER_MEMORY_MIN:
        count -= 1
        share = room // count - own
    return count, max(64 * MiB, min(READER_MEMORY_MAX, share))


def read_many(
    paths: Sequence[Path | str],
    definition: Definition,
    workers: int | None = None,
    display_names: Sequence[str] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int | None | str = AUTO,
    chunk_size: int | None = None,
    after: Callable[[RawReturn, str], Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list:
    """Read every file in worker processes; results in input order, one per path.

    `after(raw, path)`, when given, runs in the worker on each result and its return value
    is what comes back (the merge validates there, so both stages use every core); it also
    runs here on the placeholder of a file whose reader crashed or timed out. `progress(n)`
    is told each time n more files are done (for a progress bar).

    `workers`: processes at most (default: the machine's cores, never more than files, and
    fewer if memory needs it, see plan_workers); 0 reads in this process (no isolation: for
    tests and debugging only, never offered by the CLI). `timeout`: seconds a worker may
    spend on one file before it is killed. `memory_limit`: bytes a worker may allocate beyond
    its start (AUTO: from TREE_MEMORY; None: no limit). `chunk_size`: files per hand-out
    (default: shrinking with the queue, at most MAX_CHUNK).
    """
    items = [str(p) for p in paths]
    names = [str(n) for n in display_names] if display_names is not None else list(items)
    if len(names) != len(items):
        raise ValueError("display_names must match paths one to one")
    if not items:
        return []
    layout_for(definition)  # computed once here, inherited (or pickled) by every worker
    if workers == 0:
        return _read_here(items, names, definition, after, progress)
    count, budget = plan_workers(max(1, min(workers or os.cpu_count() or 1, len(items))), memory_limit, len(items))
    pool = _Pool(definition, count, budget, after, chunk_size, timeout, progress)
    results = pool.run(items, names)
    return [
        r if r is not None else _failed(items[i], names[i], FileReaderCrashed(note=Text(N_("không nhận được kết quả của tiến trình đọc"))), after)
        for i, r in enumerate(results)
    ]


def _read_here(items: list[str], names: list[str], definition: Definition, after, progress) -> list:
    out = []
    for path, name in zip(items, names, strict=True):
        ret = read_file(path, definition, name)
        out.append(after(ret, path) if after else ret)
        if progress:
            progress(1)
    return out


class _Pool:
    """The workers of one read_many call and the queue of files they have not been given."""

    def __init__(self, definition, count, memory_limit, after, chunk_size, timeout, progress):
        self.definition = definition
        self.count = count
        self.memory_limit = memory_limit
        self.after = after
        self.chunk_size = chunk_size
        self.timeout = timeout
        self.progress = progress
        self.ctx = _context()
        self.workers: list[_Worker] = []
        self.queue: deque[tuple[int, str, str]] = deque()
        self.results: list = []
        self.logs: str | None = None  # folder of the workers' stderr files
        self.started = 0
        self.start_error: Exception | None = None

    def _new_worker(self) -> _Worker:
        self.started += 1
        log = os.path.join(self.logs, f"worker-{self.started}.log") if self.logs else None
        return _Worker(self.ctx, self.definition, self.memory_limit, self.after, log)

    def next_chunk(self) -> list[tuple[int, str, str]]:
        # Chunks shrink as the queue does, so that the workers run out of files together.
        queue = self.queue
        size = self.chunk_size or max(1, min(MAX_CHUNK, len(queue) // (self.count * 4)))
        return [queue.popleft() for _ in range(min(size, len(queue)))]

    def feed(self, slot: int) -> None:
        """Keep the worker in `slot` a few files ahead, so that it never waits for the parent
        (which collects results only every DRAIN_INTERVAL); replace it if it is gone."""
        queue, pool = self.queue, self.workers
        if self.chunk_size:
            ahead = 2 * self.chunk_size
        else:
            ahead = max(AHEAD, min(MAX_CHUNK, len(queue) // (self.count * 4)))
        while queue and len(pool[slot].pending) < ahead:
            worker = pool[slot]
            if not worker.proc.is_alive() and not worker.pending:
                worker.close(0)
                worker = self._start()
                if worker is None:
                    return  # the slot stays empty: the other workers take the queue
                pool[slot] = worker
            chunk = self.next_chunk()
            if worker.assign(chunk):
                continue
            queue.extendleft(reversed(chunk))
            if worker.pending:
                return  # it died with files in hand: collect() reports and replaces it
            worker.close(0)
            worker = self._start()
            if worker is None:
                return
            pool[slot] = worker

    def _start(self) -> _Worker | None:
        """A new worker, or None when the system gives no process (a fork refused for
        memory or a process limit): the batch goes on with the workers it has, and files no
        worker could take are reported, never lost silently (see read_many)."""
        try:
            return self._new_worker()
        except Exception as exc:  # noqa: BLE001  OSError from fork, or what the start method raises
            self.start_error = exc
            return None

    def run(self, items: list[str], names: list[str]) -> list:
        self.queue.extend((i, items[i], names[i]) for i in range(len(items)))
        self.results = [None] * len(items)
        pool = self.workers
        with contextlib.suppress(OSError):
            self.logs = tempfile.mkdtemp(prefix="consolidate-read-")
        try:
            for _ in range(self.count):
                worker = self._start()
                if worker is not None:
                    pool.append(worker)
            if not pool:
                raise ReadersUnavailable(Text(N_("Không khởi động được tiến trình đọc tệp nào ({reason}); hãy đóng "
                                                 "bớt chương trình khác rồi chạy lại"), reason=str(self.start_error)))
            self.count = len(pool)
            for slot in range(len(pool)):
                self.feed(slot)
            drained = time.monotonic()
            while True:
                busy = [w for w in pool if w.pending]
                if not busy:
                    break
                now = time.monotonic()
                wait_for = max(0.0, min(w.since + self.timeout - now for w in busy))
                wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_for + 0.01)
                # Let results gather before taking them: one wake-up per few files instead of
                # one per file leaves the cores to the workers (each is a chunk ahead, see feed).
                pause = drained + DRAIN_INTERVAL - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                now = drained = time.monotonic()
                for worker in busy:
                    self.collect(worker, now)
            for worker in pool:
                worker.stop()
        finally:
            for worker in pool:
                worker.close()
            if self.logs:
                with contextlib.suppress(OSError):
                    for entry in os.listdir(self.logs):
                        os.unlink(os.path.join(self.logs, entry))
                    os.rmdir(self.logs)
        return self.results

    def collect(self, worker: _Worker, now: float) -> None:
        """Take what `worker` has sent; a dead or stuck worker's current file fails alone."""
        slot = self.workers.index(worker)
        dead = False
        received = 0
        try:
            while worker.pending and worker.conn.poll():
                index, ret = worker.conn.recv()
                if index != worker.pending[0][0]:
                    raise RuntimeError(f"result {index} out of order")
                worker.pending.popleft()
                self.results[index] = ret
                received += 1
                worker.since = now
        except (EOFError, OSError):
            dead = True
        except Exception:  # a result that does not unpickle: count it as a crash
            dead = True
        if self.progress and received:
            self.progress(received)
        if not worker.pending:
            self.feed(slot)
            return
        dead = dead or not worker.proc.is_alive()
        timed_out = not dead and now - worker.since > self.timeout
        if not (dead or timed_out):
            self.feed(slot)
            return
        index, path, name = worker.pending.popleft()
        if timed_out:
            worker.proc.kill()
            worker.proc.join()
            sheet, _memory = worker.last_words()
            problem = FileReadTimeout(note=Text(N_("{n} giây"), n=Figure(self.timeout)), sheet=sheet)
        else:
            worker.proc.join(1.0)
            sheet, memory = worker.last_words()
            # SIGKILL that the parent did not send: the system's out-of-memory killer
            if memory or worker.proc.exitcode == -signal.SIGKILL:
                problem = FileTooLarge(note=memory_note(sheet, self.memory_limit), sheet=sheet)
            else:
                problem = FileReaderCrashed(note=_signal_note(worker.proc.exitcode), sheet=sheet)
        self.results[index] = _failed(path, name, problem, self.after)
        if self.progress:
            self.progress(1)
        self.queue.extendleft(reversed(worker.pending))
        worker.pending.clear()
        self.feed(slot)  # replaces the dead worker
