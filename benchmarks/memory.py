"""Peak memory of `consolidate merge` over a folder of hostile files: the whole process tree
(the merge and its reading workers), sampled from /proc.

    python benchmarks/memory.py                       # 300 good returns + the hostile set, 3 runs
    python benchmarks/memory.py --good 1000 --runs 1  # the merge's own growth with folder size
    python benchmarks/memory.py --hostile 0           # good returns only
    python benchmarks/memory.py --national 3321       # the Lâm Đồng plan at national scale

The folder is built in a temporary directory from the project's own template writer
(tests/reading/make_corpus.py with the test plan, or benchmarks/make_returns.py with the
shipped plan widened to the country for --national) and the heavy-file builders
(tests/reading/make_heavy.py):
small files that a reader would expand to gigabytes (an .ods row repeated 1,048,576 times,
an .ods or .xlsx whose million cells each copy one long text, an .xlsx grid of numbers near
the guard's cell limits, and, when LibreOffice is installed, an .xls of long texts). The
merge runs as a subprocess (this worktree's code); every ~20 ms the resident size (RSS) of
each process in its tree is read. Printed: peak RSS of the tree (sum over its processes at
one instant), of the merge process, of the largest worker, the number of workers seen, wall
time, and what the merge said of the hostile files; medians over --runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from proctree import run_sampled  # noqa: E402

from tests.reading import make_corpus, make_heavy  # noqa: E402

PERIOD = "2026-H1"


def build(folder: Path, good: int, hostile: int, national: int = 0) -> tuple[dict[str, str], Path]:
    """Write the folder; returns ({hostile file name: kind}, the plan's folder)."""
    from consolidate.definition import loader

    base = folder.parent / "base.xlsx"
    if national:
        from make_returns import DEFAULT_PLAN, generate

        returns = generate(national, folder.parent / "national", DEFAULT_PLAN, PERIOD)
        shutil.copytree(returns, folder)
        plan = folder.parent / "national" / "plan"
        shutil.copy(min(folder.iterdir()), base)
    else:
        plan = make_corpus.MINI
        definition = loader.load(plan)
        folder.mkdir(parents=True, exist_ok=True)
        make_corpus.good(definition, base, seed=1)
        units = len(definition.expected_units(PERIOD))
        for i in range(good):
            make_corpus.good(definition, folder / f"bao-cao-{i:04d}.xlsx", seed=i, unit_index=i % units)
    kinds: dict[str, str] = {}
    builders = {
        "ods-row-repeated": lambda p: make_heavy.ods_repeated_row(p),
        "ods-long-texts": lambda p: make_heavy.ods_long_strings(p, 20_000, 50, 1000),
        "xlsx-shared-text": lambda p: make_heavy.xlsx_shared_string_grid(base, p, 20_000, 50, 1000),
        "xlsx-number-grid": lambda p: make_heavy.xlsx_shared_string_grid(base, p, 50_000, 40, 0),
    }
    for copy in range(hostile):
        for kind, make in builders.items():
            if kind in ("xlsx-number-grid", "xlsx-shared-text") and copy >= 2:
                continue  # large to write; two of each are enough to overlap in the workers
            suffix = ".ods" if kind.startswith("ods") else ".xlsx"
            name = f"nang-{kind}-{copy}{suffix}"
            make(folder / name)
            kinds[name] = kind
    if hostile and shutil.which("soffice"):
        name = "nang-xls-long-texts.xls"
        _xls(folder.parent, folder / name)
        kinds[name] = "xls-long-texts"
    return kinds, plan


def _xls(work: Path, target: Path) -> None:
    """An .xls (BIFF8, 65,536 rows x 20 columns of one 1,000-character text) made by
    LibreOffice from a small .ods; each cell is a shared-string record in the file."""
    src = make_heavy.ods_long_strings(work / "xls-src.ods", 65_536, 20, 1000)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/lo-profile", "--convert-to", "xls",
                    "--outdir", str(work), str(src)], check=True, capture_output=True, timeout=600)
    shutil.move(str(work / "xls-src.xls"), target)


def measure(cmd: list[str], env: dict[str, str]) -> dict:
    run = run_sampled(cmd, env)
    if run.returncode not in (0, 1):
        raise SystemExit(f"merge failed ({run.returncode}):\n{run.err[-3000:]}")
    workers = [rss for pid, rss in run.peaks.items() if pid != run.pid]
    return {
        "tree_mb": run.peak_tree / 2**20,
        "merge_mb": run.peaks.get(run.pid, 0) / 2**20,
        "worker_mb": max(workers, default=0) / 2**20,
        "workers": len(workers),
        "wall_s": run.wall,
        "exit": run.returncode,
    }


def outcomes(status: Path, kinds: dict[str, str]) -> Counter:
    """(kind, verdict or reason code) counts of the hostile files, from the status JSON."""
    if not status.exists():
        return Counter({("status", "missing"): 1})
    document = json.loads(status.read_text(encoding="utf-8"))
    seen: Counter = Counter()
    for entry in document.get("files", []):
        kind = kinds.get(Path(entry["file"]).name)
        if kind is not None:
            reason = entry.get("reason") or entry.get("verdict")
            seen[(kind, str(reason)[:90])] += 1
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--good", type=int, default=300, help="good returns in the folder")
    parser.add_argument("--hostile", type=int, default=4, help="copies of each heavy file (0: none)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--national", type=int, default=0, metavar="N",
                        help="N returns of the shipped plan at national scale instead of --good")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = work / "returns"
        started = time.perf_counter()
        kinds, plan = build(folder, args.good, args.hostile, args.national)
        print(f"folder: {args.national or args.good} good returns, {len(kinds)} heavy files "
              f"({sum(p.stat().st_size for p in folder.iterdir()) / 2**20:.1f} MB on disk), "
              f"built in {time.perf_counter() - started:.0f} s; {os.cpu_count()} cores")
        rows = []
        for run in range(args.runs):
            out = work / f"run{run}"
            cmd = [sys.executable, "-m", "consolidate", "merge", "-d", str(plan), "-p", PERIOD,
                   "--out", str(out / "tong-hop.xlsx"), "--json", str(out / "status.json"),
                   "--register", str(out / "register.sqlite"), "--as-of", "2026-06-10T08:00", str(folder)]
            if args.workers is not None:
                cmd[4:4] = ["--workers", str(args.workers)]
            rows.append(measure(cmd, env))
            print(f"run {run + 1}: " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                                 for k, v in rows[-1].items()))
        for (kind, reason), count in sorted(outcomes(work / "run0" / "status.json", kinds).items()):
            print(f"  {count} x {kind}: {reason}")
        median = {k: statistics.median(r[k] for r in rows) for k in ("tree_mb", "merge_mb", "worker_mb", "wall_s")}
        print(f"median of {args.runs}: peak tree RSS {median['tree_mb']:.0f} MB, merge process "
              f"{median['merge_mb']:.0f} MB, largest worker {median['worker_mb']:.0f} MB, "
              f"wall {median['wall_s']:.1f} s")


if __name__ == "__main__":
    main()
