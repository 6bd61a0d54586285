"""What a template says about itself: the Nghị định 30/2020 header, the signature block, and
the lines about deadline, data window, copies and the unit's role in each task.

Every sentence here states either what the plan says or, marked as such, what the collector
decided (the definition's `provenance`): a template goes out in the province's name.
"""

from __future__ import annotations

from consolidate.definition.model import Definition, Period, Task, Unit
from consolidate.i18n import _
from consolidate.vntime import date_text

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK_PARENT = "TÊN CƠ QUAN CHỦ QUẢN"
BLANK_NAME = "TÊN CƠ QUAN, ĐƠN VỊ"
PEOPLES_COMMITTEE = "ỦY BAN NHÂN DÂN"
# How unit lists abbreviate "Ủy ban nhân dân" before a place name ("UBND huyện Kbang").
_COMMITTEE_PREFIXES = ("ubnd ", "ủy ban nhân dân ", "uỷ ban nhân dân ")

ROLE_LEAD = "Chủ trì"
ROLE_COORDINATE = "Phối hợp"
ROLE_ALL = "Thực hiện"
ROLE_NONE = "Không được giao"


def header_lines(definition: Definition, unit: Unit | None) -> tuple[str, str]:
    """(parent body, unit's own name), upper case, as Nghị định 30/2020 sets them top left:
    "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG" over "SỞ NỘI VỤ"; "ỦY BAN NHÂN DÂN" over "XÃ ĐAM RÔNG 4".
    The parent is "" when the plan's groups name none."""
    if unit is None:
        parents = {g.parent for g in definition.groups}
        parent = parents.pop() if len(parents) == 1 else BLANK_PARENT
        return parent.upper(), BLANK_NAME
    parent = definition.parent_of(unit).upper()
    name = unit.name
    if parent.endswith(PEOPLES_COMMITTEE):
        lowered = name.casefold()
        for prefix in _COMMITTEE_PREFIXES:
            if lowered.startswith(prefix):
                name = name[len(prefix):]
                break
    return parent, name.upper()


def _who(definition: Definition) -> str:
    return definition.collector.sender or definition.collector.name


def due_text(definition: Definition, period: Period) -> str:
    """"Hạn gửi: trước ngày 05/06/2026." when the plan sets it; otherwise whose decision it is."""
    due = date_text(period.due_before)
    mark = definition.source_of(f"periods.{period.id}.due_before")
    if mark is None or mark.from_plan:
        return _("Hạn gửi: trước ngày {due}.").format(due=due)
    by = _who(definition) + (_(", theo {document}").format(document=mark.ref) if mark.ref else "")
    return _("Hạn gửi (do {by} đặt): trước ngày {due}.").format(by=by, due=due)


def due_label_suffix(definition: Definition, period: Period) -> str:
    mark = definition.source_of(f"periods.{period.id}.due_before")
    if mark is None or mark.from_plan:
        return ""
    return _(" — do {who} đặt").format(who=_who(definition))


def window_text(definition: Definition, period: Period) -> str:
    """The data window ("Số liệu tính từ 15/12/2025 đến 14/06/2026"), with the document it
    follows when the plan does not set it."""
    text = _("Số liệu tính từ ngày {start} đến ngày {end}").format(start=date_text(period.start), end=date_text(period.end))
    mark = definition.source_of(f"periods.{period.id}.end")
    if mark is not None and not mark.from_plan and mark.ref:
        text += _(" (theo {document})").format(document=mark.ref)
    return text + "."


def window_short(period: Period) -> str:
    return _("số liệu từ {start} đến {end}").format(start=date_text(period.start), end=date_text(period.end))


def copy_text(definition: Definition) -> str:
    """"Đồng gửi: Ban Tuyên giáo và Dân vận Tỉnh ủy." when the plan asks for copies."""
    if not definition.copy_to:
        return ""
    names = "; ".join(c.name + (f" ({c.email})" if c.email else "") for c in definition.copy_to)
    return _("Đồng gửi: {names}.").format(names=names)


def role(task: Task, unit: Unit | None) -> str:
    """The unit's part in a task: it leads, it co-ordinates, everyone does it, or none."""
    if unit is None:
        return ""
    mine = (unit.code, unit.group, "all")
    if any(r in mine for r in task.lead):
        return _(ROLE_LEAD)
    if any(r in mine for r in task.coordinating):
        return _(ROLE_COORDINATE)
    if not task.lead and not task.coordinating:
        return _(ROLE_ALL)
    return _(ROLE_NONE)


def timing_text(definition: Definition, task: Task, period: Period) -> str:
    text = task.timing or (_("Trước {due}").format(due=date_text(task.due_before)) if task.due_before else "")
    if not task.reported_in(period.id):
        later = [p.label for p in definition.periods if p.id in task.periods]
        note = _("(không đánh giá trong kỳ này; báo cáo ở kỳ {periods})").format(periods=", ".join(later))
        text = f"{text}\n{note}" if text else note
    return text
