"""Generate the sample returns of one reporting cycle of the default plan.

    python sample_inputs/make_samples.py            # -> sample_inputs/2026-H1/ + receipts.csv

A realistic 2026-H1 inbox for templates/lam-dong-2026 (deadline: before 05/06/2026):
most units on time, some late, some invalid in the ways units really fail (text in a number
cell, "resolved" greater than "received", last quarter's file, a template of an older
version), one with no preparer (only a warning: accepted with warnings), some missing, resubmissions, a copy sent twice, a file re-saved by
LibreOffice, and a stray cover letter. Receipt times are in `receipts.csv` (the
incoming-documents book), because git does not keep file modification times.

Deterministic: the same seed gives the same files (except the LibreOffice-saved one, whose
bytes carry LibreOffice's own timestamps) and the same receipts book.

    consolidate merge -p 2026-H1 --receipts sample_inputs/2026-H1/receipts.csv \
        --as-of 2026-06-12T17:00 --out tong-hop-2026-H1.xlsx sample_inputs/2026-H1
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from consolidate.definition import loader as definitions  # noqa: E402
from consolidate.definition.naming import ascii_slug, template_file_name  # noqa: E402
from consolidate.definition.sample_values import filled_values  # noqa: E402
from consolidate.template.writer import write_template  # noqa: E402

PLAN = ROOT / "templates" / "lam-dong-2026"
PERIOD = "2026-H1"
SEED = 2026
AS_OF = "2026-06-12T17:00:00+07:00"  # what the golden test and the README use


def office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.choice((7, 8, 9, 10, 13, 14, 15, 16)), rng.randrange(0, 60))


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def resave_with_libreoffice(path: Path) -> bool:
    """Open and save the file with LibreOffice, as a unit using LibreOffice Calc would."""
    exe = soffice()
    if not exe:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        out = Path(tmp) / "out"
        src = Path(tmp) / "in.xlsx"
        shutil.copyfile(path, src)
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
               "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)]
        done = subprocess.run(cmd, capture_output=True, timeout=180, check=False)
        result = out / "in.xlsx"
        if done.returncode != 0 or not result.exists():
            return False
        shutil.copyfile(result, path)
    return True


def make(target: Path, seed: int = SEED, libreoffice: bool = True) -> list[tuple[str, str]]:
    d = definitions.load(PLAN)
    period = d.period(PERIOD)
    rng = random.Random(seed)
    units = d.expected_units(PERIOD)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    book: list[tuple[str, dt.datetime]] = []

    def write(unit, name, received, values=None, definition=None, period_=None, tweak=None):
        p = period_ or period
        vals = values if values is not None else filled_values(d, unit, p, seed=f"samples-{seed}")
        if tweak:
            tweak(vals)
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_template(definition or d, unit, p, path, values=vals)
        book.append((name, received))
        return path

    def name_for(unit, style: int) -> str:
        if style == 0:
            return template_file_name(period, unit)
        if style == 1:
            return f"Bao cao 6 thang 2026 - {ascii_slug(unit.name)}.xlsx"
        return f"{unit.name} - báo cáo dân vận 6 tháng.xlsx"

    order = list(units)
    rng.shuffle(order)
    by_role: dict[str, list] = {}
    roles = (
        ["missing"] * 8
        + ["late"] * 10
        + ["text-number", "resolved-gt-received", "no-preparer", "wrong-period", "old-version"]
        + ["resubmit-fixed-late", "resubmit-on-time", "sent-twice", "libreoffice"]
    )
    for unit, role in zip(order, roles, strict=False):
        by_role.setdefault(role, []).append(unit)
    special = {u.code for us in by_role.values() for u in us}
    for unit in order:
        if unit.code not in special:
            by_role.setdefault("on-time", []).append(unit)

    last_on_time = period.due_before - dt.timedelta(days=1)
    for unit in sorted(by_role.get("on-time", []), key=lambda u: u.code):
        day = last_on_time - dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 7, 10)))
        write(unit, name_for(unit, rng.choice((0, 0, 0, 1, 2))), office_time(rng, day))
    for unit in by_role.get("late", []):
        day = period.due_before + dt.timedelta(days=rng.choice((0, 0, 1, 2, 4, 6)))
        write(unit, name_for(unit, rng.choice((0, 1))), office_time(rng, day))

    def on_time_day() -> dt.date:
        return last_on_time - dt.timedelta(days=rng.randrange(0, 4))

    first_numeric = d.numeric_fields[0]
    (unit,) = by_role["text-number"]
    write(unit, name_for(unit, 0), office_time(rng, on_time_day()),
          tweak=lambda v: v.update({first_numeric.id: "khoảng 12"}))
    (unit,) = by_role["resolved-gt-received"]
    write(unit, name_for(unit, 1), office_time(rng, on_time_day()),
          tweak=lambda v: v.update({"don_tham_quyen": 14, "don_da_giai_quyet": 20, "don_tiep_nhan": 30}))
    (unit,) = by_role["no-preparer"]
    write(unit, name_for(unit, 0), office_time(rng, on_time_day()), tweak=lambda v: v.pop("preparer", None))
    (unit,) = by_role["wrong-period"]  # last quarter's file sent again: the unit stays missing
    q1 = d.period("2026-Q1")
    write(unit, f"{ascii_slug(unit.name)} - bao cao.xlsx", office_time(rng, on_time_day()), period_=q1,
          values=filled_values(d, unit, q1, seed=f"samples-{seed}"))
    (unit,) = by_role["old-version"]
    old = dataclasses.replace(d, version=max(0, d.version - 1))
    write(unit, name_for(unit, 0), office_time(rng, on_time_day()), definition=old)

    (unit,) = by_role["resubmit-fixed-late"]  # first file has an error, the fix arrives late
    write(unit, f"{template_file_name(period, unit)[:-5]} (lan 1).xlsx", office_time(rng, on_time_day()),
          tweak=lambda v: v.update({first_numeric.id: "chưa thống kê"}))
    write(unit, f"{template_file_name(period, unit)[:-5]} (lan 2 - da sua).xlsx",
          office_time(rng, period.due_before + dt.timedelta(days=1)))
    (unit,) = by_role["resubmit-on-time"]  # a corrected figure, both before the deadline
    first_day = last_on_time - dt.timedelta(days=3)
    write(unit, f"{unit.code}/{template_file_name(period, unit)}", office_time(rng, first_day))
    write(unit, f"{unit.code}/{template_file_name(period, unit)[:-5]} - bo sung.xlsx",
          office_time(rng, last_on_time), tweak=lambda v: v.update({"don_tiep_nhan": (v.get("don_tiep_nhan") or 0) + 3}))
    (unit,) = by_role["sent-twice"]  # the same file by email and again by the document system
    path = write(unit, name_for(unit, 0), office_time(rng, on_time_day()))
    copy = f"{path.stem} (1).xlsx"
    shutil.copyfile(path, target / copy)
    book.append((copy, office_time(rng, last_on_time)))
    (unit,) = by_role["libreoffice"]
    path = write(unit, f"{ascii_slug(unit.name)}-LibreOffice.xlsx", office_time(rng, on_time_day()))
    if libreoffice and not resave_with_libreoffice(path):
        print("LibreOffice not available: the LibreOffice sample is an ordinary xlsxwriter file", file=sys.stderr)

    stray = "Cong van gui kem bao cao.pdf"
    (target / stray).write_bytes(b"%PDF-1.4\n% Cong van so 123/UBND-VP\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    book.append((stray, office_time(rng, on_time_day())))

    book.sort(key=lambda row: (row[1], row[0]))
    with (target / "receipts.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "received_at"])
        for name, received in book:
            writer.writerow([name, received.strftime("%d/%m/%Y %H:%M")])
    return [(role, u.code) for role, us in sorted(by_role.items()) if role != "on-time" for u in us]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / PERIOD)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args()
    roles = make(args.out, args.seed, libreoffice=not args.no_libreoffice)
    files = sum(1 for p in args.out.rglob("*") if p.is_file())
    print(f"{files} files in {args.out}")
    for role, code in roles:
        print(f"  {role:22} {code}")


if __name__ == "__main__":
    main()
