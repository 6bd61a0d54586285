"""The provincial summary workbook (tổng hợp) the specialist reviews and attaches.

Written with xlsxwriter, text-only (see common.py), checked return codes, fixed document
properties so two runs on the same inputs are byte-identical, and atomically (temporary
file in the same folder, fsync, ``os.replace``), so a failure leaves the previous summary
intact. One module per sheet or pair of sheets; common.py holds what they share.
"""

from consolidate.merge.summary.common import (
    COLOURS,
    FILES,
    FIXED_SHEETS,
    FONT,
    INDICATORS,
    MATRIX,
    OVERVIEW,
    PROBLEMS,
    SEVERITY_LABELS,
    STATUS,
    TASKS,
    TASKS_BY_UNIT,
    VERDICT_COLOURS,
    Sheet,
    SummaryData,
    SummaryWriteError,
    problems_of,
    sheet_names,
)
from consolidate.merge.summary.writer import Writer, write_summary

_Writer = Writer  # the name tests and older callers patch

__all__ = [
    "COLOURS", "FILES", "FIXED_SHEETS", "FONT", "INDICATORS", "MATRIX", "OVERVIEW", "PROBLEMS",
    "SEVERITY_LABELS", "STATUS", "TASKS", "TASKS_BY_UNIT", "VERDICT_COLOURS", "Sheet", "SummaryData",
    "SummaryWriteError", "Writer", "problems_of", "sheet_names", "write_summary",
]
