"""The status JSON of a merge (`--json`); its shape is fixed by
schemas/merge-status.schema.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from consolidate.definition.model import Definition, Field, Period
from consolidate.i18n import _, in_vietnamese
from consolidate.merge.aggregate import Aggregates, method_label
from consolidate.merge.errors import MergeError
from consolidate.merge.quality import Findings
from consolidate.merge.receipts import iso
from consolidate.merge.submissions import Decision
from consolidate.xlsx.safe import atomic_output


def unit_entry(u, period: Period, values: dict[str, Any] | None = None) -> dict[str, Any]:
    ruling = u.ruling
    return {
        "name": u.unit.name,
        "group": u.unit.group,
        "status": u.status,
        "missing_state": u.missing_state,
        "received_at": iso(u.received_at),
        "received_at_source": u.received_source,
        "file": u.used.file if u.used else None,
        "submissions": len(u.submissions),
        "errors": u.errors,
        "warnings": u.warnings,
        "days_late": u.days_late,
        "decision": u.decision,
        "decision_note": ruling.note if ruling else None,
        "decision_stale": u.stale_ruling is not None,
        "due_before": (u.due_before or period.due_before).isoformat(),
        "values": values or {},
    }


def _numbers(row: dict[str, Any], fields: list[Field]) -> dict[str, Any]:
    out = {}
    for f in fields:
        v = row.get(f.id)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out[f.id] = v
    return out


def _field_entries(definition: Definition, agg: Aggregates) -> dict[str, Any]:
    fields: dict[str, Any] = {
        t.field.id: {"aggregate": t.field.aggregate, "value": t.value, "units_reporting": t.units_reporting,
                     "weight": t.field.weight or None, "method": method_label(definition, t.field)}
        for t in agg.fields
    }
    return fields


@in_vietnamese
def status_document(definition: Definition, decision: Decision, agg: Aggregates,
                    findings: Findings | None = None) -> dict[str, Any]:
    """The `--json` document."""
    period = decision.period
    findings = findings or Findings()
    numeric = definition.numeric_fields
    units = {u.unit.code: unit_entry(u, period, _numbers(agg.values.get(u.unit.code, {}), numeric))
             for u in [*decision.units, *decision.exempt]}
    fields = _field_entries(definition, agg)
    tasks = {p.task.id: dict(p.counts) for p in agg.tasks}
    tables = {sid: len(rows) for sid, rows in agg.tables.items()}
    files = [
        {
            "file": f.file,
            "sha256": f.submission.sha256,
            "unit_code": f.unit_code or f.submission.checked.unit_code or None,
            "period": f.submission.checked.period or None,
            "verdict": f.verdict,
            "reason": f.reason_vi,
        }
        for f in decision.files
    ]
    return {
        "report_id": definition.id,
        "definition_version": definition.version,
        "period": period.id,
        "due_before": period.due_before.isoformat(),
        "as_of": iso(decision.as_of),
        "counts": decision.counts(),
        "units": units,
        "fields": fields,
        "tasks": tasks,
        "tables": tables,
        "files": files,
        "notices": [n.to_dict() for n in findings.notices],
        "quality": [f.to_dict() for f in findings.flags],
        "comparison": findings.comparison,
        "answers": {a.field.id: {"counts": dict(a.counts), "blank": a.blank, "by_group": a.by_group}
                    for a in agg.answers},
    }


def write_json(document: dict[str, Any], path: str | Path) -> Path:
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    target = Path(path)
    try:
        with atomic_output(target) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MergeError(_("Không ghi được tệp trạng thái {path}: {reason}").format(
            path=target, reason=exc.strerror or exc)) from None
    return target
