"""The summary workbook as a whole: one Writer holding the shared state, sheets written
by the modules beside it, the file written atomically with fixed document properties so two
runs on the same inputs are byte-identical."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from consolidate.i18n import Text, in_vietnamese
from consolidate.merge.aggregate import summarised_fields
from consolidate.merge.summary import (
    dashboard,
    files,
    indicators,
    problems,
    review,
    sections,
    status,
    tasks,
)
from consolidate.merge.summary.common import (
    Styles,
    SummaryData,
    SummaryWriteError,
    sheet_names,
)
from consolidate.vntime import datetime_text
from consolidate.xlsx.safe import SafeWorkbook, atomic_output


class Writer:
    def __init__(self, workbook: SafeWorkbook, data: SummaryData):
        self.workbook = workbook
        self.data = data
        self.d = data.definition
        self.decision = data.decision
        self.agg = data.aggregates
        self.style = Styles(workbook)
        self._quoted: dict[int, Any] = {}
        self.sheets: list = []  # in workbook order, for the print set-up at the end
        self.value_styles: dict[tuple, Any] = {}  # (kind, props) -> format, see Sheet.value

    def value_style(self, kind: str, props: tuple) -> Any:
        """The format of a typed value: kind is a number format, "wrap" (long text) or
        "plain"; the same self.style() call as Sheet.value always made, memoised."""
        found = self.value_styles.get((kind, props))
        if found is None:
            extra = dict(props)
            if kind == "plain":
                found = self.style(**extra)
            elif kind == "wrap":
                found = self.style(text_wrap=True, **extra)
            else:
                found = self.style(num_format=kind, **extra)
            self.value_styles[(kind, props)] = found
        return found

    def quoted(self, fmt: Any) -> Any:
        """The same look with quote_prefix, so edited text stays text."""
        if fmt is None:
            return self.style(quote_prefix=True)
        for key, value in self.style.cache.items():
            if value is fmt:
                props = dict(key)
                props["quote_prefix"] = True
                return self.style(**props)
        return self.style(quote_prefix=True)

    # ------------------------------------------------------------------ helpers
    def groups(self) -> list[tuple[str, str]]:
        """(group id, label) of the groups with expected units, definition order first."""
        present = [u.unit.group for u in self.decision.units]
        ordered = [g.id for g in self.d.groups if g.id in present]
        for gid in present:
            if gid not in ordered:
                ordered.append(gid)
        return [(gid, self.d.group_label(gid)) for gid in ordered]

    def heading(self) -> list[str]:
        period = self.decision.period
        return [
            f"Kỳ báo cáo: {period.label} ({period.id}); hạn gửi: trước ngày {period.due_before:%d/%m/%Y}; "
            f"số liệu tính đến {datetime_text(self.decision.as_of)}",
        ]

    # ------------------------------------------------------------------ sheets
    def write_all(self) -> None:
        dashboard.overview(self)
        status.status(self)
        if summarised_fields(self.d):
            indicators.indicators(self)
        if any(s.type == "fields" for s in self.d.sections):
            indicators.matrix(self)
        if self.d.sections_of("tasks"):
            tasks.tasks(self)
            tasks.tasks_by_unit(self)
        names = sheet_names(self.d)
        for section in self.d.sections:
            if section.type == "table":
                sections.table(self, section, names[section.id])
            elif section.type == "text":
                sections.text_section(self, section, names[section.id])
        review.decisions(self)
        review.quality(self)
        problems.problems(self)
        files.files(self)
        title = f"{self.d.short_title or self.d.title} - {self.decision.period.label}"
        for number, sheet in enumerate(self.sheets, start=1):
            sheet.finish_print(number, title)


@in_vietnamese
def write_summary(data: SummaryData, path: str | Path) -> Path:
    """Write the summary atomically; the previous file survives any failure."""
    target = Path(path)
    created = data.decision.as_of.astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    try:
        with atomic_output(target) as tmp:
            workbook = SafeWorkbook(str(tmp))
            workbook.set_properties(
                {
                    "title": f"Tổng hợp {data.definition.short_title or data.definition.title} - {data.decision.period.label}",
                    "subject": data.definition.title,
                    "author": data.definition.collector.name,
                    "company": data.definition.issuer,
                    "comments": f"consolidate merge: {data.definition.id} v{data.definition.version}, {data.decision.period.id}",
                    "created": created,
                }
            )
            try:
                Writer(workbook, data).write_all()
            finally:
                workbook.close()
    except SummaryWriteError:
        raise
    except OSError as exc:
        raise SummaryWriteError(Text("Không ghi được tệp tổng hợp {path}: {reason}",
                                     path=str(target), reason=str(exc.strerror or exc))) from None
    except Exception as exc:  # xlsxwriter's own exceptions (FileCreateError, …)
        raise SummaryWriteError(Text("Không ghi được tệp tổng hợp {path}: {reason}", path=str(target), reason=str(exc))) from exc
    return target
