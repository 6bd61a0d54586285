"""SideJob: run a function in a forked process while this one goes on, and collect its result.

The merge writes the summary on one core; on a machine with more, the others would idle.
Work that does not feed the summary (archiving new contents, encoding their validation
cache payloads) runs there instead of in the reading workers. A forked process inherits
the data it works on, where a spawned one would have it pickled at a cost comparable to
the work itself: without fork (Windows), or with threads running, there is no side job
and the caller does the work where it did before. A side job that fails or dies returns
None, and the caller does the work itself: the outcome never depends on it.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import signal
import threading
from collections.abc import Callable
from typing import Any


def available() -> bool:
    return "fork" in mp.get_all_start_methods() and threading.active_count() == 1


def _run(conn, fn: Callable[..., Any], args: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    # The collector would touch every inherited object and copy the pages they live on.
    gc.disable()
    try:
        result = fn(*args)
    except Exception:  # the parent does the work itself; nothing to report here
        return
    with contextlib.suppress(OSError, ValueError):
        conn.send(result)


class SideJob:
    """`SideJob(fn, *args)` starts fn(*args) in a forked process (when available());
    `result()` waits for it and returns its value, or None if there was no side job or it
    failed."""

    def __init__(self, fn: Callable[..., Any], *args: Any):
        self.proc = None
        self.conn = None
        if not available():
            return
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=False)
        try:
            self.proc = ctx.Process(target=_run, args=(child, fn, args), daemon=True)
            self.proc.start()
        except OSError:  # no process to be had (limits): the caller does the work
            self.proc = None
            self.conn.close()
            self.conn = None
        finally:
            child.close()

    @property
    def started(self) -> bool:
        return self.proc is not None

    def result(self) -> Any | None:
        if self.proc is None or self.conn is None:
            return None
        try:
            return self.conn.recv()  # until the job sends its result or ends without one
        except (EOFError, OSError):
            return None
        except Exception:  # a result that does not unpickle
            return None
        finally:
            self.conn.close()
            self.conn = None
            self.proc.join()
            self.proc = None

    def cancel(self) -> None:
        """Stop the job if it still runs (the merge failed before it needed the result)."""
        if self.proc is None:
            return
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.proc = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
