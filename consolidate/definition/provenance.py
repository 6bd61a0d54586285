"""Provenance of a definition's values: what the plan states, and what it does not.

A plan rarely says everything a template needs (a deadline, the list of a body's own
departments, a form it only cites). The definition marks each such value under a top-level
`provenance:` map, key path → {source, ref, note}, so that `consolidate check` can list them
for the collector to confirm before the templates go out in the province's name:

    provenance:
      periods.2026-H1.due_before: {source: collector, note: Kế hoạch không ghi hạn}
      units.csv: {source: inferred, note: Kế hoạch chỉ nêu Phòng Hành chính - Tổ chức}
      periods.*.start: {source: collector, ref: Nghị định 09/2019/NĐ-CP, Điều 12}

A key path walks the YAML: mapping keys by name, list items by their `id` (or `code`), by
position, or `*` for every item; `units.<code>` also names one unit, whatever list it comes
from (the CSV or the registry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consolidate.definition.model import Definition, Provenance, Unit
from consolidate.i18n import N_, _
from consolidate.problems import WARNING, Problem

# rendered through _ where shown
SOURCE_LABELS = {"plan": N_("theo Kế hoạch"), "collector": N_("cơ quan tổng hợp tự quyết định"),
                 "inferred": N_("suy luận")}


@dataclass
class ValueNotFromPlan(Problem):
    """A value the plan does not state: the collector confirms it before sending."""

    code = "value-not-from-plan"
    severity = WARNING
    template = N_("{path}: {note} — cần xác nhận trước khi gửi biểu mẫu")


def confirmations(definition: Definition) -> list[Problem]:
    file = str(definition.path) if definition.path else None
    return [ValueNotFromPlan(file=file, path=m.path, note=describe(m)) for m in definition.unconfirmed()]


def build(raw: dict) -> tuple[Provenance, ...]:
    return tuple(
        Provenance(path=path, source=mark["source"], ref=mark.get("ref", ""), note=mark.get("note", ""))
        for path, mark in (raw.get("provenance") or {}).items()
    )


def unresolved(raw: dict, units: list[Unit]) -> list[str]:
    """Key paths of `provenance` that name nothing in the definition (a typo would leave a
    value unmarked while the collector believes it is)."""
    codes = {u.code for u in units}
    return [path for path in (raw.get("provenance") or {}) if not _resolves(raw, path.split("."), codes)]


def _resolves(node: Any, parts: list[str], codes: set[str]) -> bool:
    if not parts:
        return True
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict):
        if head in node:
            return _resolves(node[head], rest, codes)
        # units.<code>: a unit from the CSV or the registry, not only from `list`
        is_units = any(key in node for key in ("registry", "csv", "list"))
        return is_units and head in codes and (not rest or rest in (["name"], ["email"], ["group"], ["periods"]))
    if isinstance(node, list):
        if head == "*":
            return any(_resolves(item, rest, codes) for item in node)
        if head.isdigit() and int(head) < len(node):
            return _resolves(node[int(head)], rest, codes)
        for item in node:
            if isinstance(item, dict) and head in (str(item.get("id", "")), str(item.get("code", ""))):
                return _resolves(item, rest, codes)
    return False


def describe(mark: Provenance) -> str:
    """One line for `check` and for notes: where the value comes from."""
    text = _(SOURCE_LABELS.get(mark.source, mark.source))
    if mark.ref:
        text += f" ({mark.ref})"
    return f"{text}: {mark.note}" if mark.note else text
