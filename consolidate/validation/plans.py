"""Per-definition validation plans: what checking a return needs that is the same in every
return of one definition (slot bases, the cells to read, table columns, the tasks a unit
owes), worked out once and kept with the definition."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from consolidate.definition.layout import INFO_LABELS, layout_for
from consolidate.definition.model import INFO_INPUTS, Definition, Section, Unit
from consolidate.validation import values as V

_PARSE_MEMO_MAX = 100_000


def _slot_bases(definition: Definition) -> dict[str, tuple[str, str, str]]:
    """Named cell -> (label, sheet, address) from the layout: the part of a Slot that is
    the same in every return (asked ~60 times per return)."""
    cache = definition._by_id
    bases = cache.get("slot_bases")
    if bases is None:
        bases = {}
        for name, spec in layout_for(definition).cells.items():
            label = spec.field.label if spec.field else INFO_LABELS.get(name, name)
            if spec.task_id:
                label = f"{spec.field.label} – {spec.task_id}" if spec.field else name
            bases[name] = (label, spec.sheet, spec.address)
        cache["slot_bases"] = bases
    return bases


def _parse_memo(definition: Definition) -> dict[tuple, V.Parsed]:
    """(id of a Field, memo_key(raw)) -> V.parse result. Kept with the definition, which
    keeps its fields (and the layout's) alive, so an id always means the same field; the
    information fields of consolidate.layout are module constants."""
    cache = definition._by_id
    memo = cache.get("parse_memo")
    if memo is None:
        memo = cache["parse_memo"] = {}
    return memo


# V.clean and the version number of `_meta`, for the few texts every return repeats (report
# id, period, fingerprint, unit names): pure functions of a str.
_clean = lru_cache(maxsize=8192)(V.clean)


@lru_cache(maxsize=256)
def _version_number(text: str) -> Any:
    return V.parse_integer(text).value


def _period_ids(definition: Definition) -> frozenset[str]:
    cache = definition._by_id
    ids = cache.get("period_ids")
    if ids is None:
        ids = cache["period_ids"] = frozenset(p.id for p in definition.periods)
    return ids


def _cell_plan(definition: Definition) -> list[tuple]:
    """The named input cells check_cells reads, in layout order, with what each needs that
    is the same in every return: (name, document path, field, slot base, where the value
    goes: (task id, column) | "info" | None for values)."""
    cache = definition._by_id
    plan = cache.get("cell_plan")
    if plan is None:
        bases = _slot_bases(definition)
        plan = []
        for spec in layout_for(definition).cells.values():
            if spec.locked or spec.field is None:
                continue
            if spec.task_id:
                target: Any = (spec.task_id, spec.column)
            elif spec.name in INFO_INPUTS:
                target = "info"
            else:
                target = None
            plan.append((spec.name, (spec.name,), spec.field, (spec.name, *bases[spec.name]), target))
        cache["cell_plan"] = plan
    return plan


def _table_plan(definition: Definition, section: Section) -> list[tuple]:
    """(column id, field, slot base) per column of a table section."""
    cache = definition._by_id.setdefault("table_plans", {})
    plan = cache.get(section.id)
    if plan is None or plan[0] is not section:
        columns = [(c.id, c, (f"{section.id}.{c.id}", c.label, section.sheet, "")) for c in section.fields]
        plan = cache[section.id] = (section, columns)
    return plan[1]


def _numeric_ids(definition: Definition) -> list[str]:
    cache = definition._by_id
    ids = cache.get("numeric_ids")
    if ids is None:
        ids = cache["numeric_ids"] = [f.id for f in definition.numeric_fields]
    return ids


def _tasks_owed(definition: Definition, unit: Unit | None, period_id: str | None = None) -> list[tuple[str, tuple, str]]:
    """(task id, status path, title) of the tasks that concern `unit` (see _concerns) and
    are reported in `period_id` (a Quý IV task waits for the annual report), in definition
    order; kept per group and period, and per unit code for the units tasks name."""
    cache = definition._by_id.setdefault("tasks_owed", {})
    named = cache.get("named")
    if named is None:
        named = cache["named"] = frozenset(
            r for section in definition.sections_of("tasks") for task in section.tasks
            for r in task.lead + task.coordinating
        )
    key = (period_id, None if unit is None else (unit.code if unit.code in named else None, unit.group))
    owed = cache.get(key)
    if owed is None:
        owed = []
        for section in definition.sections_of("tasks"):
            for task in section.tasks:
                if task.reported_in(period_id) and _concerns(unit, task.lead + task.coordinating):
                    owed.append((task.id, (f"{task.id}_status",), task.title))
        cache[key] = owed
    return owed


def _concerns(unit: Unit | None, refs: tuple[str, ...]) -> bool:
    if not refs:
        return True
    if unit is None:
        return False
    return any(r in (unit.code, unit.group, "all") for r in refs)


@dataclass
class Slot:
    """Where one document value came from: for mapping schema errors back to cells."""

    field_id: str
    label: str
    sheet: str
    cell: str
    raw: Any
