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
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from consolidate.definition.layout import layout_for
from consolidate.definition.model import Definition
from consolidate.reading.extract import read_file
from consolidate.reading.fileio import sha256_of
from consolidate.reading.problems import FileReaderCrashed, FileReadTimeout
from consolidate.validation.returns import RawReturn

DEFAULT_TIMEOUT = 60.0  # seconds per file
DEFAULT_MEMORY_LIMIT = 3 * 1024**3  # address space per worker; None: no limit
MAX_CHUNK = 32
AHEAD = 8  # files a worker holds beyond the one it is on, at least
DRAIN_INTERVAL = 0.01  # seconds between two collections of results


def _limit_memory(limit: int | None) -> None:
    if not limit:
        return
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on this platform: isolation still holds
        pass


def _worker_main(conn, definition: Definition, memory_limit: int | None, after=None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    # An abort in the reader is expected and reported by the parent as a problem of that
    # file; the Rust panic text and Python traceback it would dump on the user's terminal
    # only alarm, so the worker's stderr goes nowhere.
    faulthandler.disable()
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    _limit_memory(memory_limit)
    # Everything inherited from the parent (definition, layout, imported modules) lives as
    # long as the worker: out of the collector's sight, the full collections that each
    # file's short-lived cells and problems trigger stop re-scanning it.
    gc.enable()  # the merge pauses collection in its own process (forked with it)
    gc.freeze()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        for index, path, name in job:
            ret = read_file(path, definition, name)
            conn.send((index, after(ret, path) if after else ret))


def _context():
    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return mp.get_context("fork")  # cheapest start; the definition is inherited, not pickled
    return mp.get_context("spawn")


class _Worker:
    def __init__(self, ctx, definition: Definition, memory_limit: int | None, after=None):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, definition, memory_limit, after), daemon=True)
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


def _failed(path: str, name: str, problem, after=None):
    ret = RawReturn(file=name)
    with contextlib.suppress(OSError):
        ret.sha256, ret.size = sha256_of(Path(path))
    problem.file = name
    ret.problems.append(problem)
    return after(ret, path) if after else ret


def _signal_note(exitcode: int | None) -> str:
    if exitcode is None:
        return "killed"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def read_many(
    paths: Sequence[Path | str],
    definition: Definition,
    workers: int | None = None,
    display_names: Sequence[str] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    chunk_size: int | None = None,
    after: Callable[[RawReturn, str], Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list:
    """Read every file in worker processes; results in input order, one per path.

    `after(raw, path)`, when given, runs in the worker on each result and its return value
    is what comes back (the merge validates there, so both stages use every core); it also
    runs here on the placeholder of a file whose reader crashed or timed out. `progress(n)`
    is told each time n more files are done (for a progress bar).

    `workers`: processes (default: the machine's cores, never more than files); 0 reads in
    this process (no isolation: for debugging only). `timeout`: seconds a worker may spend
    on one file before it is killed. `chunk_size`: files per hand-out (default: shrinking
    with the queue, at most MAX_CHUNK).
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
    count = max(1, min(workers or os.cpu_count() or 1, len(items)))
    pool = _Pool(definition, count, memory_limit, after, chunk_size, timeout, progress)
    results = pool.run(items, names)
    return [
        r if r is not None else _failed(items[i], names[i], FileReaderCrashed(note="lost"), after)
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

    def _new_worker(self) -> _Worker:
        return _Worker(self.ctx, self.definition, self.memory_limit, self.after)

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
                worker = pool[slot] = self._new_worker()
            chunk = self.next_chunk()
            if worker.assign(chunk):
                continue
            queue.extendleft(reversed(chunk))
            if worker.pending:
                return  # it died with files in hand: collect() reports and replaces it
            worker.close(0)
            pool[slot] = self._new_worker()

    def run(self, items: list[str], names: list[str]) -> list:
        self.queue.extend((i, items[i], names[i]) for i in range(len(items)))
        self.results = [None] * len(items)
        pool = self.workers
        try:
            for _ in range(self.count):
                pool.append(self._new_worker())
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
            problem = FileReadTimeout(note=f"{self.timeout:g} s")
        else:
            worker.proc.join(1.0)
            problem = FileReaderCrashed(note=_signal_note(worker.proc.exitcode))
        self.results[index] = _failed(path, name, problem, self.after)
        if self.progress:
            self.progress(1)
        self.queue.extendleft(reversed(worker.pending))
        worker.pending.clear()
        self.feed(slot)  # replaces the dead worker
