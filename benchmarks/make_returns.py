"""Generate N filled returns for a shipped plan, scaled to the whole country when N needs it.

The plan's units are replaced by every commune of Viet Nam (official registry) plus the
plan's own departments, so N = 3,321 is a national roll-up of the same report. Values are
varied per unit; about 1 % of the files are bad in the ways real ones are.

    python benchmarks/make_returns.py --n 130 --out benchmarks/.data/n130
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consolidate.definition import loader as definitions  # noqa: E402
from consolidate.definition.naming import template_file_name  # noqa: E402
from consolidate.definition.sample_values import filled_values  # noqa: E402
from consolidate.template.writer import write_template  # noqa: E402

DEFAULT_PLAN = ROOT / "templates" / "lam-dong-2026"
DEFAULT_PERIOD = "2026-H1"


def national_plan(plan: Path, target: Path) -> Path:
    """A copy of the plan whose registry covers every commune of the country."""
    target.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load((plan / "definition.yaml").read_text(encoding="utf-8"))
    raw["id"] = raw["id"]
    # every commune of the country; the plan's own name corrections and contacts stay
    raw["units"]["registry"] = {**raw["units"]["registry"], "province_code": "all"}
    for name in (raw["units"].get("csv"), raw["units"]["registry"].get("contacts")):
        if name:
            shutil.copy(plan / name, target / name)
    raw.pop("default", None)
    (target / "definition.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def _write_one(args) -> str:
    plan_dir, period_id, code, out, kind = args
    d = definitions.load(plan_dir)
    period = d.period(period_id)
    unit = d.unit(code)
    path = Path(out) / template_file_name(period, unit)
    values = filled_values(d, unit, period, seed="bench")
    if kind == "text-number":
        first = d.numeric_fields[0]
        values[first.id] = "khoảng 12"
    elif kind == "rule":
        values["preparer"] = None
    write_template(d, unit, period, path, values=values)
    if kind == "corrupt":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    return path.name


def generate(n: int, out: Path, plan: Path = DEFAULT_PLAN, period_id: str = DEFAULT_PERIOD, workers: int = 2) -> Path:
    """Write N returns into out/returns (reused when already there for the same N)."""
    stamp = out / "generated.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("n") == n:
        return out / "returns"
    if out.exists():
        shutil.rmtree(out)
    plan_dir = national_plan(plan, out / "plan")
    d = definitions.load(plan_dir)
    units = d.expected_units(period_id)
    # departments first, then communes spread over the provinces
    units = sorted(units, key=lambda u: (u.group == d.units[0].group, u.code))[:n]
    returns = out / "returns"
    returns.mkdir(parents=True)
    jobs = []
    for i, unit in enumerate(units):
        kind = "ok"
        if i % 100 == 37:
            kind = "text-number"
        elif i % 100 == 71:
            kind = "rule"
        elif i % 250 == 113:
            kind = "corrupt"
        jobs.append((str(plan_dir), period_id, unit.code, str(returns), kind))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_write_one, jobs, chunksize=16))
    stamp.write_text(json.dumps({"n": n, "plan": str(plan), "period": period_id}))
    return returns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--plan", type=Path, default=DEFAULT_PLAN)
    parser.add_argument("--period", default=DEFAULT_PERIOD)
    args = parser.parse_args()
    returns = generate(args.n, args.out, args.plan, args.period)
    print(f"{len(list(returns.iterdir()))} files in {returns}")


if __name__ == "__main__":
    main()
