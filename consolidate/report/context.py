"""The data a report template is rendered with: every figure taken from the merge's own
decision and aggregates (and, for the change column, from an earlier status JSON), every
text from the definition or from the units' returns. Nothing is made up: what only the
specialist knows stays a highlighted "…" in the template.

Everything here is a plain str, int, bool, list or dict, already formatted in Vietnamese,
so the template needs no logic beyond loops and tests, and `consolidate check` can render a
template against a specimen of the same shape (see SPECIMEN).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from consolidate.definition.model import Definition, Field
from consolidate.i18n import language, number, percent
from consolidate.merge.aggregate import Aggregates, FieldTotal, summarised_fields
from consolidate.merge.submissions import (
    INVALID,
    LATE,
    MISSING,
    NOT_YET_DUE,
    ON_TIME,
    Decision,
    UnitStatus,
    rates,
)
from consolidate.report.header import masthead
from consolidate.vntime import date_text, datetime_text

# XML 1.0 refuses these; a cell from a return may hold them (Excel keeps \x0b for Alt+Enter)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NUMERAL = re.compile(r"^\s*(?:[IVXLC]+|\d+)[.)]\s*")
CONCERN_WORDS = ("khó khăn", "vướng mắc", "đề xuất", "kiến nghị", "hạn chế")


def clean(value: Any) -> str:
    """Text as text: NFC, no characters XML cannot carry. Escaping is docxtpl's (autoescape)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return _NOT_XML.sub(" ", text.replace("\x0b", "\n")).strip()


def _untitled(title: str) -> str:
    """"II. Tiến độ …" -> "Tiến độ …": the report numbers its own parts."""
    return _NUMERAL.sub("", title).strip()


def _value(value: Any, fld: Field) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (int, float)):
        integer = isinstance(value, int) or float(value).is_integer() and fld.type == "integer"
        return number(value, 0 if integer else 2)
    return clean(value)


def _summary_title(d: Definition, period_label: str) -> str:
    """The trích yếu: the plan's title without "Báo cáo", for this period. A plan's title
    names its year ("… năm 2026 trên địa bàn xã Bình Chương"); the report names the period
    in its place ("… 6 tháng đầu năm 2026 trên địa bàn …"), or after the title when the
    title names no year of this period."""
    title = re.sub(r"^\s*báo cáo\s+", "", d.title, flags=re.I).strip()
    period = period_label[:1].lower() + period_label[1:]
    years = [m for m in re.finditer(r"\bnăm\s+(\d{4})\b", title, flags=re.I) if m.group(1) in period_label]
    if period.casefold() not in title.casefold():  # else the title is already this period's
        if years:
            title = title[: years[-1].start()] + period + title[years[-1].end():]
        else:
            title = f"{title} {period}"
    return title[:1].upper() + title[1:]


def _unit_line(u: UnitStatus) -> str:
    name = clean(u.unit.name)
    if u.status == LATE and u.days_late:
        return f"{name} (muộn {u.days_late} ngày)"
    return name


def _by_group(d: Definition, units: list[UnitStatus]) -> list[dict[str, Any]]:
    order = [g.id for g in d.groups]
    groups: dict[str, list[UnitStatus]] = {}
    for u in units:
        groups.setdefault(u.unit.group, []).append(u)
    keys = sorted(groups, key=lambda g: (order.index(g) if g in order else len(order), g))
    return [{"label": clean(d.group_label(g)), "count": len(groups[g]),
             "units": "; ".join(_unit_line(u) for u in groups[g])} for g in keys]


def _reporting(d: Definition, decision: Decision) -> tuple[dict[str, Any], dict[str, list]]:
    counts = decision.counts()
    completeness, timeliness = rates(counts)
    missing = [u for u in decision.units if u.status == MISSING]
    not_due = sum(1 for u in missing if u.missing_state == NOT_YET_DUE)
    note = ""
    if not_due:
        note = f" ({not_due} đơn vị chưa đến hạn)" if not_due < len(missing) else " (chưa đến hạn)"
    rep = {
        "expected": number(counts["expected"], 0), "used": number(counts[ON_TIME] + counts[LATE], 0),
        "on_time": number(counts[ON_TIME], 0), "late": number(counts[LATE], 0),
        "invalid": number(counts[INVALID], 0), "missing": number(counts[MISSING], 0),
        "completeness": percent(completeness), "timeliness": percent(timeliness), "missing_note": note,
    }
    lists = {
        f"{key}_groups": _by_group(d, [u for u in decision.units if u.status == key])
        for key in (LATE, INVALID, MISSING)
    }
    return rep, lists


def _status_rows(d: Definition, decision: Decision) -> list[dict[str, Any]]:
    order = [g.id for g in d.groups]
    grouped: dict[str, list[UnitStatus]] = {}
    for u in decision.units:
        grouped.setdefault(u.unit.group, []).append(u)
    keys = sorted(grouped, key=lambda g: (order.index(g) if g in order else len(order), g))
    rows = []
    n = 0
    for key in keys:
        units = []
        for u in grouped[key]:
            n += 1
            note = []
            if u.status == LATE and u.days_late:
                note.append(f"muộn {u.days_late} ngày")
            if u.errors:
                note.append(f"{u.errors} lỗi")
            units.append({"no": str(n), "name": clean(u.unit.name), "status": clean(u.label),
                          "received": datetime_text(u.received_at), "note": "; ".join(note)})
        rows.append({"label": clean(d.group_label(key)), "count": len(units), "units": units})
    return rows


def _change(now: Any, before: Any) -> str:
    if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
        return "-"
    diff = now - before
    if before:
        return f"{'+' if diff >= 0 else ''}{number(diff, 0 if float(diff).is_integer() else 2)} " \
               f"({'+' if diff >= 0 else ''}{percent(diff / before)})"
    return f"{'+' if diff >= 0 else ''}{number(diff, 0 if float(diff).is_integer() else 2)}"


def _indicator_row(i: int, t: FieldTotal, previous: dict[str, Any] | None) -> dict[str, Any]:
    f = t.field
    label = (f"{clean(f.heading)}: " if f.heading else "") + clean(f.label)
    row = {"no": str(i), "label": label, "unit": clean(f.unit), "value": _value(t.value, f),
           "units": number(t.units_reporting, 0), "previous": "-", "change": "-"}
    if previous is not None:
        before = (previous.get("fields") or {}).get(f.id, {}).get("value")
        row["previous"] = _value(before, f)
        row["change"] = _change(t.value, before)
    return row


def _indicators(d: Definition, agg: Aggregates, previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    totals = {t.field.id: t for t in agg.fields}
    out = []
    for section in d.sections:
        fields = [f for f in section.fields if f.id in totals and section.type == "fields"]
        if not fields:
            continue
        rows = [_indicator_row(i, totals[f.id], previous) for i, f in enumerate(fields, start=1)]
        out.append({"title": clean(_untitled(section.title)), "rows": rows})
    return out


def _indicator_groups(d: Definition, decision: Decision, agg: Aggregates) -> list[dict[str, Any]]:
    fields = [t for t in agg.fields if t.field in summarised_fields(d)]
    out = []
    present = []
    for u in decision.units:
        if u.unit.group not in present:
            present.append(u.unit.group)
    order = [g.id for g in d.groups if g.id in present] + [g for g in present if g not in {x.id for x in d.groups}]
    for gid in order:
        used = sum(1 for u in decision.accepted if u.unit.group == gid)
        rows = []
        for i, t in enumerate(fields, start=1):
            value, n = t.by_group.get(gid, (None, 0))
            f = t.field
            rows.append({"no": str(i), "label": (f"{clean(f.heading)}: " if f.heading else "") + clean(f.label),
                         "unit": clean(f.unit), "value": _value(value, f), "units": number(n, 0)})
        out.append({"no": str(len(out) + 1), "label": clean(d.group_label(gid)), "units_used": used, "rows": rows})
    return out


def _tasks(d: Definition, agg: Aggregates) -> list[dict[str, Any]]:
    out = []
    for section in d.sections_of("tasks"):
        tasks = []
        for p in (p for p in agg.tasks if p.section.id == section.id):
            counts = [f"{clean(label)} {n}" for label, n in p.counts.items() if n]
            if p.blank:
                counts.append(f"chưa chọn trạng thái {p.blank}")
            progress = "; ".join(counts) if counts else "chưa có đơn vị nào báo cáo"
            if p.share_done is not None:
                progress += f" (tỷ lệ hoàn thành {percent(p.share_done)})"
            leads = [f"{clean(lead.name)}" for lead in p.leads] + [clean(g) for g in p.lead_groups]
            reports = []
            for lead in p.leads:
                if lead.status is None and lead.result is None:
                    text = "chưa có báo cáo được sử dụng."
                else:
                    text = clean(lead.status) or "chưa chọn trạng thái"
                    text += f". {clean(lead.result)}" if lead.result else "."
                reports.append({"unit": clean(lead.name), "text": text})
            tasks.append({"no": str(len(tasks) + 1), "title": clean(p.task.title),
                          "lead": clean(p.task.lead_text) or "; ".join(leads) or "-",
                          "progress": progress, "lead_reports": reports})
        out.append({"title": clean(_untitled(section.title)), "tasks": tasks})
    return out


def _models(d: Definition, agg: Aggregates) -> list[dict[str, Any]]:
    out = []
    for section in d.sections_of("table"):
        cols = list(section.fields)
        rows = []
        for i, item in enumerate(agg.tables.get(section.id, []), start=1):
            head = next((c for c in cols if c.type == "text"), cols[0] if cols else None)
            title = _value(item.values.get(head.id), head) if head else ""
            parts = []
            for c in cols:
                if c is head:
                    continue
                value = item.values.get(c.id)
                if value is None or value == "":
                    continue
                text = _value(value, c)
                parts.append(f"{clean(c.label)}: {text}{(' ' + clean(c.unit)) if c.unit else ''}")
            rows.append({"no": str(i), "title": title or "-", "unit": clean(item.unit.name),
                         "details": (": " + "; ".join(parts)) if parts else "", "details_text": "; ".join(parts)})
        title = clean(_untitled(section.title))
        out.append({"title": title, "title_upper": title.upper(), "count": len(rows), "rows": rows,
                    "groups": _model_groups(d, agg.tables.get(section.id, []), rows)})
    return out


def _model_groups(d: Definition, items: list, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The models by the group of the unit reporting them: "Tên mô hình (Đơn vị)"."""
    grouped: dict[str, list[str]] = {}
    for item, row in zip(items, rows, strict=True):
        grouped.setdefault(item.unit.group, []).append(f"{row['title']} ({row['unit']})")
    order = [g.id for g in d.groups]
    keys = sorted(grouped, key=lambda g: (order.index(g) if g in order else len(order), g))
    return [{"label": clean(d.group_label(g)), "count": len(grouped[g]), "titles": "; ".join(grouped[g])}
            for g in keys]


def _answers(d: Definition, agg: Aggregates, concerns: bool) -> list[dict[str, Any]]:
    out = []
    for section in d.sections_of("text"):
        answers = agg.texts.get(section.id, [])
        for f in section.fields:
            if any(w in f.label.casefold() for w in CONCERN_WORDS) != concerns:
                continue
            grouped: dict[str, list[dict[str, Any]]] = {}
            for a in answers:
                lines = [line.strip() for line in clean(a.values.get(f.id)).splitlines() if line.strip()]
                if lines:
                    grouped.setdefault(a.unit.group, []).append(
                        {"unit": clean(a.unit.name), "first": lines[0], "more": lines[1:]})
            order = [g.id for g in d.groups]
            keys = sorted(grouped, key=lambda g: (order.index(g) if g in order else len(order), g))
            out.append({"label": clean(f.label),
                        "groups": [{"label": clean(d.group_label(g)), "units": grouped[g]} for g in keys]})
    return out


def build_context(d: Definition, decision: Decision, agg: Aggregates,
                  previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The context of one report. `previous`: the status JSON of an earlier merge."""
    with language("vi"):  # the report is a Vietnamese document, whatever the CLI speaks
        return _build(d, decision, agg, previous)


def _build(d, decision, agg, previous) -> dict[str, Any]:
    period = decision.period
    head = masthead(d)
    rep, lists = _reporting(d, decision)
    indicators = _indicators(d, agg, previous)
    tasks = _tasks(d, agg)
    models = _models(d, agg)
    highlights = _answers(d, agg, concerns=False)
    concerns = _answers(d, agg, concerns=True)
    for n, block in enumerate((*indicators, *tasks, *models, *highlights), start=1):
        block["number"] = str(n)
    for i, block in enumerate(concerns, start=1):
        block["number"] = str(i)
    for i, block in enumerate(models, start=3):
        block["appendix"] = str(i)
    period_label = clean(period.label)
    doc = {
        **head,
        "year": str(decision.as_of.year) if decision.as_of else str(period.end.year),
        "title": clean(_summary_title(d, period_label)),
        "period_label": period_label,
        "period_upper": period_label.upper(),
        "plan_reference": clean(d.plan_reference) or clean(d.title),
        "collector": clean(d.collector.name),
        "issuer": clean(d.issuer),
        "due": date_text(period.due_before),
        "as_of": datetime_text(decision.as_of),
    }
    recipients = [clean(d.issuer), *(clean(getattr(c, "name", c)) for c in d.copy_to)]
    return {
        "doc": doc, "rep": rep, **lists, "recipients": [r for r in recipients if r],
        "has_previous": previous is not None,
        "indicator_sections": indicators, "task_sections": tasks, "model_sections": models,
        "highlights": highlights, "concerns": concerns,
        "status_groups": _status_rows(d, decision),
        "indicator_groups": _indicator_groups(d, decision, agg),
        "appendix": {"status": "1", "indicators": "2"},
    }


# One item of every list of the context, for `consolidate check`: a template is rendered
# against the real context of a period nobody has reported yet, with each empty list given
# this item, so a placeholder inside any loop is checked. tests/report keep it in step.
_ROW = {"no": "1", "label": "…", "unit": "…", "value": "…", "units": "…", "previous": "…", "change": "…"}
_UNITS = [{"unit": "…", "first": "…", "more": ["…"]}]
SHAPES: dict[str, dict[str, Any]] = {
    "late_groups": {"label": "…", "count": 1, "units": "…"},
    "invalid_groups": {"label": "…", "count": 1, "units": "…"},
    "missing_groups": {"label": "…", "count": 1, "units": "…"},
    "indicator_sections": {"title": "…", "number": "1", "rows": [_ROW]},
    "rows": _ROW,
    "task_sections": {"title": "…", "number": "1", "tasks": []},
    "tasks": {"no": "1", "title": "…", "lead": "…", "progress": "…", "lead_reports": []},
    "lead_reports": {"unit": "…", "text": "…"},
    "model_sections": {"title": "…", "title_upper": "…", "count": 1, "number": "1", "appendix": "3", "rows": [],
                       "groups": []},
    "model_sections.groups": {"label": "…", "count": 1, "titles": "…"},
    "highlights": {"label": "…", "number": "1", "groups": []},
    "concerns": {"label": "…", "number": "1", "groups": []},
    "groups": {"label": "…", "units": _UNITS},
    "more": "…",
    "status_groups": {"label": "…", "count": 1, "units": []},
    "indicator_groups": {"no": "1", "label": "…", "units_used": 1, "rows": [_ROW]},
    "recipients": "…",
}
SHAPES["model_sections.rows"] = {"no": "1", "title": "…", "unit": "…", "details": "…", "details_text": "…"}
SHAPES["status_groups.units"] = {"no": "1", "name": "…", "status": "…", "received": "…", "note": "…"}


def _fill(value: Any, key: str = "", parent: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, k, key) for k, v in value.items()}
    if isinstance(value, list):
        if not value:
            shape = SHAPES.get(f"{parent}.{key}", SHAPES.get(key))
            value = [shape] if shape is not None else value
        return [_fill(v, key, key) for v in value]
    return value


def specimen(d: Definition) -> dict[str, Any]:
    """The context of the first period with no return at all, every empty list given one item."""
    import datetime as dt

    from consolidate.merge.aggregate import aggregate
    from consolidate.merge.submissions import decide

    period = d.periods[0]
    as_of = dt.datetime.combine(period.due_before, dt.time(12), tzinfo=dt.timezone.utc)
    decision = decide(d, period, [], as_of)
    context = build_context(d, decision, aggregate(d, decision), previous={"fields": {}})
    return _fill(context)
