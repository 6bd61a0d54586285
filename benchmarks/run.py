"""Benchmark `consolidate merge` end to end against the pandas/openpyxl baseline and the unzip floor.

    python benchmarks/run.py                      # N = 130, 1000, 3321; 3 runs each
    python benchmarks/run.py --n 130 --runs 5
    python benchmarks/run.py --n 20 --runs 1 --no-baseline   # CI smoke check, no timing assertion

The intake row (--intake 150; 0 to skip): that many messages, each with a real return,
APPENDed to a local IMAP server (pymap), taken by `consolidate intake` into an empty folder,
then taken again (nothing new).

Each measurement is a whole process (interpreter start included). Prints medians, ratios,
peak memory of the process tree, the per-stage split reported by merge, and ms per file.
The first merge of a period (fresh register) is the headline; "rerun" is the same merge run
again at once on the same register, as a specialist does when more files arrive (contents
checked before come from the register's validation cache).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from intake_bench import bench_intake  # noqa: E402
from make_returns import DEFAULT_PERIOD, DEFAULT_PLAN, generate  # noqa: E402
from proctree import run_sampled  # noqa: E402

DATA = ROOT / "benchmarks" / ".data"


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak tree RSS in MB, stdout."""
    run = run_sampled(cmd, env)
    if run.returncode != 0:
        raise SystemExit(f"command failed ({run.returncode}): {' '.join(cmd)}\n{run.err[-2000:]}")
    return run.wall, run.peak_tree / 2**20, run.out


def merge_cmd(plan: Path, returns: Path, work: Path, timings: Path) -> list[str]:
    return [
        sys.executable, "-m", "consolidate", "merge", "--definition", str(plan), "--period", DEFAULT_PERIOD,
        "--out", str(work / "tong-hop.xlsx"), "--json", str(work / "status.json"),
        "--register", str(work / "register.sqlite"), "--as-of", "2026-06-20T17:00:00",
        "--timings", str(timings), str(returns),
    ]


def bench(n: int, runs: int, baseline: bool) -> dict:
    target = DATA / f"n{n}"
    returns = generate(n, target, DEFAULT_PLAN, DEFAULT_PERIOD)
    plan = target / "plan"
    rows: dict[str, list[float]] = {"floor": [], "merge": [], "rerun": [], "pandas": []}
    peaks: dict[str, list[float]] = {"merge": [], "rerun": [], "pandas": []}
    stages: list[dict] = []
    rerun_stages: list[dict] = []
    for _ in range(runs):
        rows["floor"].append(timed([sys.executable, str(ROOT / "benchmarks" / "baselines.py"), "unzip", str(returns)])[0])
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            # A fresh register each run: the first merge of a period is the slow case.
            seconds, peak, _ = timed(merge_cmd(plan, returns, work, work / "timings.json"))
            rows["merge"].append(seconds)
            peaks["merge"].append(peak)
            if (work / "timings.json").exists():
                stages.append(json.loads((work / "timings.json").read_text()))
            # The same merge again on the same register: what each later run of the day costs.
            seconds, peak, _ = timed(merge_cmd(plan, returns, work, work / "rerun-timings.json"))
            rows["rerun"].append(seconds)
            peaks["rerun"].append(peak)
            if (work / "rerun-timings.json").exists():
                rerun_stages.append(json.loads((work / "rerun-timings.json").read_text()))
        if baseline:
            seconds, peak, _ = timed([sys.executable, str(ROOT / "benchmarks" / "baselines.py"), "pandas", str(returns)])
            rows["pandas"].append(seconds)
            peaks["pandas"].append(peak)
    result = {"n": n, "runs": runs}
    for key, values in rows.items():
        if values:
            result[key] = statistics.median(values)
    for key, values in peaks.items():
        if values:
            result[f"{key}_peak_mb"] = max(values)
    for name, runs_stages in (("stages", stages), ("rerun_stages", rerun_stages)):
        if runs_stages:
            result[name] = {k: statistics.median(s.get(k, 0.0) for s in runs_stages) for k in runs_stages[0]}
    return result


def report(results: list[dict]) -> None:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    head = f"{'N':>6} {'runs':>4} {'floor s':>8} {'merge s':>8} {'pandas s':>9} {'pandas/merge':>12} " \
           f"{'merge/floor':>11} {'ms/file':>8} {'peak MB':>8} {'rerun s':>8} {'pandas/rerun':>12}"
    print(head)
    for r in results:
        pandas = r.get("pandas")
        ratio = f"{pandas / r['merge']:.1f}x" if pandas else "-"
        rerun = r.get("rerun")
        rerun_ratio = f"{pandas / rerun:.1f}x" if pandas and rerun else "-"
        print(f"{r['n']:>6} {r['runs']:>4} {r['floor']:>8.2f} {r['merge']:>8.2f} "
              f"{(f'{pandas:.2f}' if pandas else '-'):>9} {ratio:>12} {r['merge'] / r['floor']:>10.1f}x "
              f"{1000 * r['merge'] / r['n']:>8.2f} {r.get('merge_peak_mb', 0):>8.0f} "
              f"{(f'{rerun:.2f}' if rerun else '-'):>8} {rerun_ratio:>12}")
    for r in results:
        for name, label in (("stages", "merge"), ("rerun_stages", "re-run")):
            if name in r:
                split = ", ".join(f"{k} {v:.2f} s" for k, v in r[name].items())
                print(f"N={r['n']} {label} stages (median): {split}")
        if "rerun_peak_mb" in r:
            print(f"N={r['n']} re-run peak memory: {r['rerun_peak_mb']:.0f} MB")
        if "pandas_peak_mb" in r:
            print(f"N={r['n']} pandas baseline peak memory: {r['pandas_peak_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark consolidate merge")
    parser.add_argument("--n", type=int, nargs="+", default=[130, 1000, 3321])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="skip the slow pandas/openpyxl baseline")
    parser.add_argument("--intake", type=int, default=150, help="messages for the intake row (0: no intake row)")
    args = parser.parse_args()
    results = [bench(n, args.runs, not args.no_baseline) for n in args.n]
    report(results)
    if args.intake:
        target = DATA / f"n{args.intake}"
        returns = generate(args.intake, target, DEFAULT_PLAN, DEFAULT_PERIOD)
        row = bench_intake(DEFAULT_PLAN, DEFAULT_PERIOD, returns, args.intake, args.runs, timed)
        print(f"intake: {row['messages']} messages from a local IMAP server, {row['saved']} files saved; "
              f"first run {row['first']:.2f} s, re-run (nothing new) {row['rerun']:.2f} s "
              f"(medians of {row['runs']})")
        results.append({"intake": row})
    (DATA / "last-results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
