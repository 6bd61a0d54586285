"""What the specialist must know about a merge's inputs before trusting its figures.

- most files of the folder belong to another period or another report (a slip in --period
  or --definition): the counts would say everyone is missing;
- receipt times came from file modification times (no receipts book, no mail time), and
  when those times cluster, as a copy of the folder makes them, the folder looks copied;
- an accept or reject of the specialist no longer applies: the unit sent a newer content.

Each is a Notice {code, count, message}: on the screen, on the Tổng quan and in the status
JSON. None of them changes a figure or the exit code.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from consolidate.definition.model import Definition
from consolidate.i18n import Lazy, Plural, Text
from consolidate.merge.submissions import IGNORED, Decision

# a copy gives every file nearly the same modification time
COPY_WINDOW = dt.timedelta(minutes=10)
COPY_SHARE = 0.8
COPY_MINIMUM = 5


@dataclass(frozen=True)
class Notice:
    code: str
    count: int
    text: Lazy  # rendered when shown: the CLI's language on screen, Vietnamese in documents

    @property
    def message(self) -> str:
        return str(self.text)

    def to_dict(self) -> dict:
        return {"code": self.code, "count": self.count, "message": self.message}


def notices(definition: Definition, decision: Decision) -> list[Notice]:
    found = [*_elsewhere(definition, decision), *_file_dates(decision)]
    stale = decision.stale
    if stale:
        codes = ", ".join(u.unit.code for u in stale)
        found.append(Notice("decision-stale", len(stale), Plural(
            "{n} đơn vị đã gửi bản mới sau quyết định của chuyên viên; quyết định cũ không còn áp dụng, "
            "bản mới được xét lại ({codes})",
            "{n} đơn vị đã gửi bản mới sau quyết định của chuyên viên; quyết định cũ không còn áp dụng, "
            "bản mới được xét lại ({codes})", len(stale), codes=codes)))
    return found


def _elsewhere(definition: Definition, decision: Decision) -> list[Notice]:
    """Most files are of another period (or report) than the one merged."""
    files = [f for f in decision.files if not f.duplicate_of]
    others: Counter[tuple[str, str]] = Counter()
    for f in files:
        checked = f.submission.checked
        if f.verdict != IGNORED:
            continue
        if checked.report_id and checked.report_id != definition.id:
            others[("report", checked.report_id)] += 1
        elif checked.period and checked.period != decision.period.id:
            others[("period", checked.period)] += 1
    if not others:
        return []
    (kind, ident), n = others.most_common(1)[0]
    if n * 2 <= len(files):
        return []
    if kind == "report":
        return [Notice("wrong-report", n, Plural(
            "{n} tệp là báo cáo khác ('{report}'): có chọn nhầm kế hoạch (--definition)?",
            "{n} tệp là báo cáo khác ('{report}'): có chọn nhầm kế hoạch (--definition)?", n, report=ident))]
    label = next((p.label for p in definition.periods if p.id == ident), ident)
    return [Notice("wrong-period", n, Plural(
        "{n} tệp là báo cáo {label}: có chọn nhầm kỳ?", "{n} tệp là báo cáo {label}: có chọn nhầm kỳ?", n, label=label))]


def _file_dates(decision: Decision) -> list[Notice]:
    dated = [u for u in decision.units if u.received_source == "mtime" and u.received_at is not None]
    if not dated:
        return []
    n = len(dated)
    found = [Notice("receipt-from-mtime", n, Plural(
        "Thời điểm nhận của {n} đơn vị lấy theo ngày sửa tệp, có thể khác ngày đơn vị gửi. Để tính đúng hạn: "
        "ghi sổ tiếp nhận CSV (file,received_at) và đưa vào bằng --receipts, hoặc nhận thư bằng "
        "'consolidate intake'.",
        "Thời điểm nhận của {n} đơn vị lấy theo ngày sửa tệp, có thể khác ngày đơn vị gửi. Để tính đúng hạn: "
        "ghi sổ tiếp nhận CSV (file,received_at) và đưa vào bằng --receipts, hoặc nhận thư bằng "
        "'consolidate intake'.", n))]
    times = sorted(u.received_at for u in dated)
    close = _most_within(times, COPY_WINDOW)
    if n >= COPY_MINIMUM and close >= COPY_SHARE * n:
        minutes = int(COPY_WINDOW.total_seconds() // 60)
        found.append(Notice("folder-copied", close, Text(
            "Thư mục trông như được sao chép: {close}/{n} tệp có ngày sửa trong vòng {minutes} phút, nên "
            "đúng hạn hay muộn tính theo ngày sửa tệp là không đáng tin. Hãy dùng sổ tiếp nhận (--receipts).",
            close=close, n=n, minutes=minutes)))
    return found


def _most_within(times: list[dt.datetime], window: dt.timedelta) -> int:
    """The largest number of the (sorted) times that fit in one window."""
    best = start = 0
    for end, moment in enumerate(times):
        while moment - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best
