"""The status JSON of a merge (`--json`); its shape is fixed by
schemas/merge-status.schema.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from consolidate.definition.model import Definition
from consolidate.merge.aggregate import Aggregates
from consolidate.merge.errors import MergeError
from consolidate.merge.receipts import iso
from consolidate.merge.submissions import Decision
from consolidate.xlsx.safe import atomic_output


def unit_entry(u) -> dict[str, Any]:
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
    }


def status_document(definition: Definition, decision: Decision, agg: Aggregates) -> dict[str, Any]:
    """The `--json` document."""
    period = decision.period
    units = {u.unit.code: unit_entry(u) for u in decision.units}
    fields = {
        t.field.id: {"aggregate": t.field.aggregate, "value": t.value, "units_reporting": t.units_reporting}
        for t in agg.fields
    }
    tasks = {p.task.id: dict(p.counts) for p in agg.tasks}
    tables = {sid: len(rows) for sid, rows in agg.tables.items()}
    files = [
        {
            "file": f.file,
            "sha256": f.submission.sha256,
            "unit_code": f.unit_code or f.submission.checked.unit_code or None,
            "period": f.submission.checked.period or None,
            "verdict": f.verdict,
            "reason": f.reason,
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
    }


def write_json(document: dict[str, Any], path: str | Path) -> Path:
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    target = Path(path)
    try:
        with atomic_output(target) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MergeError(f"Không ghi được tệp trạng thái {target}: {exc.strerror or exc}") from None
    return target
