"""Returns of the review plan (tests/fixtures/review), built through the template writer
with controlled figures: a clean period has no outlier, and each test plants its own."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from consolidate.definition import loader as definitions
from consolidate.definition.sample_values import filled_values
from consolidate.template.writer import write_template
from consolidate.vntime import VN_TZ
from tests.merge.helpers import ROOT

PLAN = ROOT / "tests" / "fixtures" / "review"
AS_OF = dt.datetime(2026, 6, 20, 17, 0, tzinfo=VN_TZ)  # after the deadline (before 05/06/2026)
COMMUNES = [f"X{i:02d}" for i in range(1, 11)]


@pytest.fixture(scope="session")
def plan():
    return definitions.load(PLAN)


def clean_figures(index: int, period: str = "2026-H1") -> dict:
    """Figures close to one another (no peer outlier); the year's are the half-year's plus a
    little (cumulative counts do not go down)."""
    extra = 5 if period == "2026-Y" else 0
    return {
        "tiep_dan_buoi": 10 + index % 3 + extra,
        "don_tiep_nhan": 20 + index % 4 + extra,
        "don_giai_quyet": 15 + index % 3 + extra,
        "so_ho_khao_sat": 100 + 10 * index,
        "ty_le_hai_long": 80.0 + index % 5,
    }


class Inbox:
    """One returns folder with its receipts book; `add` writes one unit's return."""

    def __init__(self, plan, root: Path, period: str = "2026-H1"):
        self.plan = plan
        self.period = plan.period(period)
        self.dir = root / "nhan-ve" / period
        self.dir.mkdir(parents=True, exist_ok=True)
        self.receipts: dict[str, str] = {}
        self.register = root / "so" / "register.sqlite"

    def add(self, code: str, received: str | None = "01/06/2026 09:00", name: str | None = None,
            set_: dict | None = None, blank: tuple = (), seed: int = 0) -> Path:
        unit = self.plan.unit(code)
        index = list(u.code for u in self.plan.units).index(code)
        values = filled_values(self.plan, unit, self.period, seed=seed)
        values.update(clean_figures(index, self.period.id))
        values.update(set_ or {})
        for key in blank:
            values.pop(key, None)
        path = self.dir / (name or f"{self.period.id}_{code}.xlsx")
        write_template(self.plan, unit, self.period, path, values=values)
        if received:
            self.receipts[path.name] = received
        return path

    def receipts_file(self) -> Path:
        target = self.dir.parent / f"so-cong-van-{self.period.id}.csv"
        lines = ["file,received_at"] + [f"{name},{at}" for name, at in sorted(self.receipts.items())]
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return target

    def merge(self, tmp: Path, **options):
        from consolidate.merge.run import run_merge

        options.setdefault("receipts", self.receipts_file() if self.receipts else None)
        options.setdefault("as_of", AS_OF)
        options.setdefault("workers", 0)
        options.setdefault("register_path", self.register)
        options.setdefault("json_path", tmp / f"status-{self.period.id}.json")
        return run_merge(self.plan, self.period, self.dir, tmp / f"tong-hop-{self.period.id}.xlsx", **options)

    def review(self, code: str, action: str, note: str = "ghi chú", extend_to: dt.date | None = None):
        from consolidate.merge.review import record_decision

        receipts = self.receipts_file() if self.receipts else None
        return record_decision(self.plan, self.period, self.dir, code, action, note, extend_to=extend_to,
                               register_path=self.register, receipts=receipts, as_of=AS_OF, workers=0)


def set_mtimes(paths: list[Path], start: dt.datetime, step: dt.timedelta) -> None:
    for i, path in enumerate(paths):
        stamp = (start + i * step).timestamp()
        os.utime(path, (stamp, stamp))
