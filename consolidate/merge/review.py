"""`consolidate review`: record one decision of the specialist on one unit.

Accept and reject are made on the unit's current submission, which the merge itself works
out (run without a summary): its content hash goes into the decision, so a newer
submission is judged afresh. Exempt, extend and clear need no submission.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from consolidate.definition.model import Definition, Period
from consolidate.i18n import _
from consolidate.merge.decisions import ACTIONS, BY_CONTENT, EXTEND, Ruling, current_user
from consolidate.merge.errors import MergeError
from consolidate.merge.register import Register, default_path
from consolidate.merge.submissions import UnitStatus
from consolidate.vntime import now


class ReviewError(MergeError):
    """The decision cannot be made (the unit has nothing to accept or reject, …)."""

    code = "review-failed"


class ReviewUsageError(ReviewError):
    """The arguments do not name a decision that makes sense (unknown unit, no date)."""

    code = "review-usage"
    usage = True


@dataclass
class ReviewResult:
    ruling: Ruling
    status: UnitStatus | None  # the unit as the merge saw it before the decision
    register_path: Path
    file: str | None  # the file the decision was made on (accept/reject)


def record_decision(definition: Definition, period: Period, returns_dir: str | Path, unit_code: str, action: str,
                    note: str, extend_to: dt.date | None = None, register_path: str | Path | None = None,
                    **merge_options) -> ReviewResult:
    """Append the decision to the register and return it; `merge_options` go to the merge
    that finds the unit's current submission (receipts, as_of, workers)."""
    from consolidate.merge.run import run_merge

    if action not in ACTIONS:
        raise ReviewUsageError(_("Quyết định '{action}' không có (có: {known})").format(action=action, known=", ".join(ACTIONS)))
    unit = definition.unit(unit_code)
    if unit is None:
        raise ReviewUsageError(_("Mã đơn vị '{code}' không có trong danh sách đơn vị của kế hoạch").format(code=unit_code))
    if not unit.owes(period.id):
        raise ReviewUsageError(_("Đơn vị {code} ({name}) không phải nộp báo cáo kỳ {period}").format(
            code=unit.code, name=unit.name, period=period.id))
    if (action == EXTEND) != (extend_to is not None):
        raise ReviewUsageError(_("Gia hạn cần --extend-to NGÀY") if extend_to is None else _("Chỉ gia hạn mới có ngày"))
    if extend_to is not None and extend_to < period.start:
        raise ReviewUsageError(_("Ngày gia hạn {day} trước ngày bắt đầu kỳ {start}").format(
            day=extend_to.strftime("%d/%m/%Y"), start=period.start.strftime("%d/%m/%Y")))
    reg_path = Path(register_path) if register_path else default_path(returns_dir)

    status, sha256, file = None, "", None
    if action in BY_CONTENT:
        result = run_merge(definition, period, returns_dir, None, register_path=reg_path, **merge_options)
        status = result.decision.unit(unit.code)
        if status is None or status.used is None:
            raise ReviewError(_(
                "Đơn vị {code} ({name}) chưa có bản nộp đọc được trong {folder}: không có gì để "
                "chấp nhận hay không chấp nhận. Nếu đơn vị không phải nộp kỳ này, dùng --exempt; nếu cho nộp "
                "muộn, dùng --extend-to.").format(code=unit.code, name=unit.name, folder=returns_dir))
        sha256, file = status.used.sha256, status.used.file
    ruling = Ruling(action=action, unit_code=unit.code, note=note.strip(), made_at=now(), user=current_user(),
                    sha256=sha256, extend_to=extend_to)
    with Register(reg_path) as register:
        register.add_ruling(definition.id, period.id, ruling)
    return ReviewResult(ruling, status, reg_path, file)
