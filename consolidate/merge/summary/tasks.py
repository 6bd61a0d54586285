"""Tiến độ nhiệm vụ (per task) and Tiến độ theo đơn vị (unit × task statuses)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consolidate.merge.submissions import ON_TIME
from consolidate.merge.summary.common import COLOURS, TASKS, TASKS_BY_UNIT, Sheet, formula_text

if TYPE_CHECKING:
    from consolidate.merge.summary.writer import Writer



def tasks(w: Writer) -> None:
    s = Sheet(w, TASKS)
    row = s.title([f"TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ - {w.decision.period.label}", *w.heading(),
                   "Tỷ lệ hoàn thành = số đơn vị báo cáo trạng thái hoàn thành / số đơn vị đã chọn trạng thái "
                   "(không tính 'Không thuộc phạm vi')."])
    all_statuses: list[str] = []
    for section in w.d.sections_of("tasks"):
        for label in section.statuses:
            if label not in all_statuses:
                all_statuses.append(label)
    labels = ["STT", "Mã nhiệm vụ", "Nhiệm vụ", "Đơn vị chủ trì", "Thời gian", *all_statuses,
              "Chưa chọn", "Tỷ lệ hoàn thành", "Báo cáo của đơn vị chủ trì"]
    s.header(row, labels, [5, 10, 48, 22, 14, *[11] * len(all_statuses), 9, 11, 50])
    border = w.style(border=1)
    wrap = w.style(border=1, text_wrap=True)
    for i, p in enumerate(w.agg.tasks):
        r = row + 1 + i
        s.number(r, 0, i + 1, border)
        s.text(r, 1, p.task.id, border)
        s.text(r, 2, p.task.title, wrap)
        lead_names = [f"{lead.name} ({lead.code})" for lead in p.leads] + p.lead_groups
        s.text(r, 3, p.task.lead_text or "; ".join(lead_names), wrap)
        s.text(r, 4, p.task.timing, wrap)
        for j, label in enumerate(all_statuses):
            s.number(r, 5 + j, p.counts.get(label) if label in p.counts else None, border)
        n = len(all_statuses)
        s.number(r, 5 + n, p.blank, border)
        s.number(r, 6 + n, p.share_done, w.style(border=1, num_format="0.0%"))
        reports = []
        for lead in p.leads:
            if lead.status is None and lead.result is None:
                reports.append(f"{lead.code} - {lead.name}: chưa có báo cáo được sử dụng")
            else:
                text = f"{lead.code} - {lead.name}: {lead.status or '(chưa chọn trạng thái)'}"
                if lead.result:
                    text += f". {lead.result}"
                reports.append(text)
        for label in p.lead_groups:
            reports.append(f"Chủ trì: {label} (xem trang {TASKS_BY_UNIT!r})")
        s.text(r, 7 + n, "\n".join(reports), wrap)
    last = row + len(w.agg.tasks)
    s.table_frame(row, last, len(labels) - 1, freeze_col=0)



def tasks_by_unit(w: Writer) -> None:
    """Unit × task statuses, on a sheet of its own: a printed sheet repeats one header
    row on every page, and these rows need theirs (not the per-task table's)."""
    s = Sheet(w, TASKS_BY_UNIT)
    row = s.title([f"TRẠNG THÁI THỰC HIỆN NHIỆM VỤ THEO ĐƠN VỊ - {w.decision.period.label}", *w.heading()])
    task_labels = [f"{p.task.id}. {p.task.title}" for p in w.agg.tasks]
    # short enough for a header repeated on every page; the whole titles are on TASKS
    labels = ["STT", "Mã đơn vị", "Tên đơn vị",
              *(label if len(label) <= 70 else label[:69] + "…" for label in task_labels)]
    s.header(row, labels, [5, 10, 28, *[18] * len(task_labels)])
    border = w.style(border=1)
    for i, unit in enumerate(w.agg.units):
        r = row + 1 + i
        s.number(r, 0, i + 1, border)
        s.text(r, 1, unit.code, border)
        s.text(r, 2, unit.name, border)
        for j, p in enumerate(w.agg.tasks):
            s.text(r, 3 + j, p.by_unit.get(unit.code, {}).get("status") or "", border)
    last = row + len(w.agg.units)
    s.table_frame(row, last, len(labels) - 1, freeze_col=3)
    done = sorted({d for sec in w.d.sections_of("tasks") for d in sec.done_statuses})
    if w.agg.units and w.agg.tasks:
        for label in done:
            s._check(
                s.ws.conditional_format(
                    row + 1, 3, last, 2 + len(w.agg.tasks),
                    {"type": "cell", "criteria": "==", "value": formula_text(label),
                     "format": w.workbook.add_format({"bg_color": COLOURS[ON_TIME]})},
                ),
                "định dạng có điều kiện",
            )
