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


def slot_bases(definition: Definition) -> dict[str, tuple[str, str, str]]:
    """Named cell -> (label, sheet, address) from the layout: the part of a Slot that is
    the same in every return (asked ~60 times per return)."""
    return definition.memo("validation.slot_bases", lambda: _slot_bases(definition))


def _slot_bases(definition: Definition) -> dict[str, tuple[str, str, str]]:
    bases = {}
    for name, spec in layout_for(definition).cells.items():
        label = spec.field.label if spec.field else INFO_LABELS.get(name, name)
        if spec.task_id:
            label = f"{spec.field.label} – {spec.task_id}" if spec.field else name
        bases[name] = (label, spec.sheet, spec.address)
    return bases


def parse_memo(definition: Definition) -> dict[tuple, V.Parsed]:
    """(id of a Field, memo_key(raw)) -> V.parse result. Kept with the definition, which
    keeps its fields (and the layout's) alive, so an id always means the same field; the
    information fields of consolidate.layout are module constants."""
    return definition.memo("validation.parse_memo", dict)


# V.clean and the version number of `_meta`, for the few texts every return repeats (report
# id, period, fingerprint, unit names): pure functions of a str.
clean_text = lru_cache(maxsize=8192)(V.clean)


@lru_cache(maxsize=256)
def version_number(text: str) -> Any:
    return V.parse_integer(text).value


def period_ids(definition: Definition) -> frozenset[str]:
    return definition.memo("validation.period_ids", lambda: frozenset(p.id for p in definition.periods))


def cell_plan(definition: Definition) -> list[tuple]:
    """The named input cells check_cells reads, in layout order, with what each needs that
    is the same in every return: (name, document path, field, slot base, where the value
    goes: (task id, column) | "info" | None for values)."""
    return definition.memo("validation.cell_plan", lambda: _cell_plan(definition))


def _cell_plan(definition: Definition) -> list[tuple]:
    bases = slot_bases(definition)
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
    return plan


def table_plan(definition: Definition, section: Section) -> list[tuple]:
    """(column id, field, slot base) per column of a table section."""
    return definition.memo(
        ("validation.table_plan", section.id),
        lambda: [(c.id, c, (f"{section.id}.{c.id}", c.label, section.sheet, "")) for c in section.fields],
    )


def numeric_ids(definition: Definition) -> list[str]:
    return definition.memo("validation.numeric_ids", lambda: [f.id for f in definition.numeric_fields])


def tasks_owed(definition: Definition, unit: Unit | None, period_id: str | None = None) -> list[tuple[str, tuple, str]]:
    """(task id, status path, title) of the tasks that concern `unit` (see _concerns) and
    are reported in `period_id` (a Quý IV task waits for the annual report), in definition
    order; kept per group and period, and per unit code for the units tasks name."""
    named = definition.memo("validation.task_refs", lambda: frozenset(
        r for section in definition.sections_of("tasks") for task in section.tasks
        for r in task.lead + task.coordinating
    ))
    key = (period_id, None if unit is None else (unit.code if unit.code in named else None, unit.group))

    def owed() -> list[tuple[str, tuple, str]]:
        return [
            (task.id, (f"{task.id}_status",), task.title)
            for section in definition.sections_of("tasks")
            for task in section.tasks
            if task.reported_in(period_id) and _concerns(unit, task.lead + task.coordinating)
        ]

    return definition.memo(("validation.tasks_owed", key), owed)


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
