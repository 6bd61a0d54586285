"""`consolidate report`: the draft of the collector's own report, from the merge's decisions.

The decisions are :func:`consolidate.merge.run_merge`'s own (no summary written, like
feedback), so a report and a summary of the same folder and moment agree figure for figure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consolidate.definition.model import Definition, Period
from consolidate.i18n import _
from consolidate.merge.run import MergeResult, run_merge
from consolidate.report.context import build_context
from consolidate.report.render import ReportError, render, template_path
from consolidate.xlsx.safe import atomic_output


class PreviousStatusError(ReportError):
    """--compare-with names a file that is not a merge status JSON of this plan."""

    code = "report-previous-unreadable"
    usage = True


@dataclass
class ReportResult:
    path: Path
    template: Path
    merge: MergeResult
    context: dict[str, Any]


def read_previous(path: str | Path, d: Definition) -> dict[str, Any]:
    """An earlier merge's status JSON (`merge --json`) of the same plan."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PreviousStatusError(
            _("Không đọc được tệp trạng thái kỳ trước {path}: {error}").format(path=file, error=exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        raise PreviousStatusError(
            _("Tệp {path} không phải tệp trạng thái JSON của consolidate merge --json").format(path=file))
    if data.get("report_id") not in (None, d.id):
        raise PreviousStatusError(
            _("Tệp {path} là trạng thái của báo cáo {other}, không phải {mine}").format(
                path=file, other=data.get("report_id"), mine=d.id))
    return data


def run_report(definition: Definition | str | Path, period: Period | str, returns_dir: str | Path,
               out: str | Path, compare_with: str | Path | None = None, **options: Any) -> ReportResult:
    """Merge's decisions -> context -> the definition's report template -> `out` (atomic)."""
    merged = run_merge(definition, period, returns_dir, None, **options)
    d = merged.definition
    previous = read_previous(compare_with, d) if compare_with else None
    context = build_context(d, merged.decision, merged.aggregates, previous)
    template = template_path(d)
    data = render(template, context)
    target = Path(out)
    try:
        with atomic_output(target) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        raise ReportError(_("Không ghi được báo cáo {path}: {error}").format(
            path=target, error=exc.strerror or exc)) from None
    return ReportResult(target, template, merged, context)
