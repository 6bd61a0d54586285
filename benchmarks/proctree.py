"""Run a command and sample the resident memory of its whole process tree (the merge and
its reading workers) from /proc every 20 ms: what the benchmarks report as peak memory."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field

PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> dict[int, int]:
    """pid -> RSS bytes of `root` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * PAGE
    out: dict[int, int] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in rss:
            out[pid] = rss[pid]
        stack.extend(children.get(pid, []))
    return out


@dataclass
class Sampled:
    returncode: int
    out: str
    err: str
    wall: float  # seconds
    peak_tree: int = 0  # bytes, the whole tree at its largest
    peaks: dict[int, int] = field(default_factory=dict)  # pid -> its own peak RSS in bytes
    pid: int = 0


def run_sampled(cmd: list[str], env: dict[str, str] | None = None) -> Sampled:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak_tree = 0
    peaks: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.is_set():
            tree = tree_rss(proc.pid)
            peak_tree = max(peak_tree, sum(tree.values()))
            for pid, rss in tree.items():
                peaks[pid] = max(peaks.get(pid, 0), rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    return Sampled(proc.returncode, out, err, wall, peak_tree, peaks, proc.pid)
