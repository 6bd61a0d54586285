"""What the reading and validation stages hand to merge and feedback.

Reading (consolidate.reading) turns a file into a RawReturn: the `_meta` values and the raw
value of every named cell and table row, with its sheet and address. Validation
(consolidate.validate) turns a RawReturn into a CheckedReturn: typed values and every problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from consolidate.problems import ProblemList


@dataclass
class RawCell:
    """A cell as the reader found it. `value` is what the reader returned (str, int, float,
    bool, date, datetime or None); `error` holds an Excel error literal such as '#REF!';
    `formula_without_value` marks a formula whose cached value is missing."""

    sheet: str
    address: str
    value: Any = None
    error: str | None = None
    formula_without_value: bool = False


@dataclass
class RawReturn:
    file: str  # path as given (relative to the returns folder in a merge)
    format: str = ""  # xlsx | xlsm | xls | ods | "" when unreadable
    sha256: str = ""
    size: int = 0
    meta: dict[str, str] = field(default_factory=dict)
    cells: dict[str, RawCell] = field(default_factory=dict)  # defined name -> cell
    tables: dict[str, list[dict[str, RawCell]]] = field(default_factory=dict)  # section id -> rows
    located_by: str = "names"  # names | layout
    problems: ProblemList = field(default_factory=ProblemList)

    @property
    def readable(self) -> bool:
        return bool(self.format) and not any(p.severity == "error" and p.code.startswith("file-") for p in self.problems)


@dataclass
class CheckedReturn:
    raw: RawReturn
    unit_code: str = ""
    period: str = ""
    report_id: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # field id -> typed value or None
    info: dict[str, Any] = field(default_factory=dict)  # preparer, report_date, ...
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)  # task id -> {status, result}
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # section id -> typed rows
    problems: ProblemList = field(default_factory=ProblemList)
    # Why this file is not a return of this report/period at all (wrong report, other period,
    # unknown unit): the merge lists it as ignored rather than counting it as invalid.
    foreign_reason: str = ""

    @property
    def file(self) -> str:
        return self.raw.file

    @property
    def errors(self) -> int:
        return len(self.problems.errors)

    @property
    def warnings(self) -> int:
        return len(self.problems.warnings)

    @property
    def valid(self) -> bool:
        return self.problems.valid
