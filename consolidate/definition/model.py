"""The in-memory report definition: plain dataclasses built once from the YAML."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from consolidate.i18n import _

T = TypeVar("T")

DEFAULT_TASK_STATUSES = (
    "Chưa triển khai",
    "Đang triển khai",
    "Hoàn thành",
    "Không thuộc phạm vi",
)
DEFAULT_DONE_STATUSES = ("Hoàn thành",)
YES_NO = ("Có", "Không")
TASK_COLUMNS = ("status", "result")

# Cells of the unit-information sheet; field ids must not reuse these names.
INFO_LOCKED = ("unit_code", "unit_name", "period_label", "due_date")
INFO_INPUTS = ("preparer", "preparer_position", "preparer_phone", "report_date")
RESERVED_NAMES = frozenset(INFO_LOCKED + INFO_INPUTS)


PROVENANCE_SOURCES = ("plan", "collector", "inferred")


@dataclass(frozen=True)
class Provenance:
    """Where a value of the definition comes from: the plan (`ref` cites its section), the
    collector's own decision (`ref` names its document, if any) or an inference (`note`
    gives the reason). `path` is the key path in the definition, e.g.
    `periods.2026-H1.due_before`; `*` stands for every item of a list."""

    path: str
    source: str
    ref: str = ""
    note: str = ""

    @property
    def from_plan(self) -> bool:
        return self.source == "plan"


class Recipient(str):
    """A copy-to body: its name as a plain string (what `Definition.copy_to` always held),
    with an optional email for the Cc line of mail."""

    email: str

    def __new__(cls, name: str, email: str = ""):
        self = super().__new__(cls, name)
        self.email = email
        return self

    @property
    def name(self) -> str:
        return str(self)

    def __reduce__(self):
        return (Recipient, (str(self), self.email))


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    # The body above the unit's own name in the Nghị định 30/2020 header, e.g. "ỦY BAN NHÂN
    # DÂN TỈNH LÂM ĐỒNG" over "SỞ NỘI VỤ", or "ỦY BAN NHÂN DÂN" over "XÃ ĐAM RÔNG 4".
    parent: str = ""


@dataclass(frozen=True)
class Period:
    id: str
    label: str
    start: dt.date
    end: dt.date
    due_before: dt.date

    @property
    def last_on_time_day(self) -> dt.date:
        return self.due_before - dt.timedelta(days=1)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    group: str
    email: str = ""
    contact: str = ""
    phone: str = ""
    periods: tuple[str, ...] = ()  # empty: every period of the plan

    def owes(self, period_id: str) -> bool:
        return not self.periods or period_id in self.periods


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    type: str
    unit: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    aggregate: str = "none"
    help: str = ""
    heading: str = ""
    weight: str = ""  # aggregate mean: the field that weights each unit's value

    @property
    def numeric(self) -> bool:
        return self.type in ("integer", "number")

    @property
    def options(self) -> tuple[str, ...]:
        if self.type == "yesno":
            return YES_NO
        return self.choices


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    lead: tuple[str, ...] = ()
    lead_text: str = ""
    coordinating: tuple[str, ...] = ()
    coordinating_text: str = ""
    timing: str = ""
    due_before: dt.date | None = None
    # Periods whose returns report this task (empty: every period), e.g. a Quý IV task only
    # in the annual report.
    periods: tuple[str, ...] = ()

    def reported_in(self, period_id: str | None) -> bool:
        return not self.periods or not period_id or period_id in self.periods


@dataclass(frozen=True)
class Section:
    id: str
    type: str  # fields | tasks | table | text
    title: str
    sheet: str
    help: str = ""
    fields: tuple[Field, ...] = ()  # fields/text sections; columns of a table
    tasks: tuple[Task, ...] = ()
    statuses: tuple[str, ...] = DEFAULT_TASK_STATUSES
    done_statuses: tuple[str, ...] = DEFAULT_DONE_STATUSES
    result_max_length: int = 2000
    rows: int = 20


@dataclass(frozen=True)
class Rule:
    id: str
    left: str
    op: str
    right: str
    severity: str
    message: str


@dataclass(frozen=True)
class Collector:
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    sender: str = ""


@dataclass
class Definition:
    id: str
    version: int
    title: str
    issuer: str
    collector: Collector
    plan_reference: str
    periods: tuple[Period, ...]
    groups: tuple[Group, ...]
    units: tuple[Unit, ...]
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...]
    path: Path | None = None
    short_title: str = ""
    copy_to: tuple[Recipient, ...] = ()
    provenance: tuple[Provenance, ...] = ()
    report_template: str = ""  # relative to the definition; see consolidate.report.template_path
    province_name: str = ""
    default: bool = False
    # fields (and info cells, table columns as section.column, tasks) and rules whose
    # problems only warn: a return with no other error is accepted with warnings
    warn_only: frozenset[str] = frozenset()
    # sha256 of the definition's sources as loaded (set by consolidate.definition.load; ""
    # for a definition built in code). Not part of equality: it describes, not defines.
    content_hash: str = field(default="", compare=False, repr=False)
    # Values derived from the definition alone (layout, schema, validation plans), made on
    # first use: see memo(). Not an init field, so dataclasses.replace starts a fresh one
    # instead of carrying values derived from the original over to the copy.
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, key: Hashable, factory: Callable[[], T]) -> T:
        """The value kept under `key`, made by `factory()` the first time it is asked for.

        For what is worked out from the definition once and then asked for per return (a
        merge of 3,000 files asks for the layout 3,000 times). Keys are namespaced by the
        module that owns them ("layout", "validation.cell_plan", ...); the value must not
        depend on anything but the definition, since nothing invalidates it.
        """
        memo = self._memo
        try:
            return memo[key]
        except KeyError:
            value = memo[key] = factory()
            return value

    def __getstate__(self) -> dict:
        # A pickled definition (sent to a spawned reading worker) travels without its memo:
        # some derived values cannot be pickled (the jsonschema validator is a class made at
        # run time) and all of them are remade on first use from the definition alone.
        state = self.__dict__.copy()
        state["_memo"] = {}
        return state

    def period(self, period_id: str) -> Period:
        for period in self.periods:
            if period.id == period_id:
                return period
        known = ", ".join(p.id for p in self.periods)
        raise KeyError(_("Kỳ báo cáo '{period}' không có trong kế hoạch (có: {known})").format(period=period_id, known=known))

    def source_of(self, path: str) -> Provenance | None:
        """The provenance of a key path, or of its nearest marked parent; None: stated by the
        plan (or not marked). A `*` in a marked path matches any list item."""
        parts = path.split(".")
        for end in range(len(parts), 0, -1):
            for mark in self.provenance:
                wanted = mark.path.split(".")
                if len(wanted) == end and all(w in ("*", p) for w, p in zip(wanted, parts[:end], strict=True)):
                    return mark
        return None

    def unconfirmed(self) -> list[Provenance]:
        """Values the plan does not state: to confirm before the templates go out."""
        return [m for m in self.provenance if not m.from_plan]

    def parent_of(self, unit: Unit) -> str:
        for group in self.groups:
            if group.id == unit.group:
                return group.parent
        return ""

    def unit(self, code: str) -> Unit | None:
        return self.memo("units", lambda: {u.code: u for u in self.units}).get(code)

    def group_label(self, group_id: str) -> str:
        for group in self.groups:
            if group.id == group_id:
                return group.label
        return group_id

    def expected_units(self, period_id: str) -> list[Unit]:
        return [u for u in self.units if u.owes(period_id)]

    def sections_of(self, kind: str) -> list[Section]:
        return [s for s in self.sections if s.type == kind]

    @property
    def value_fields(self) -> list[Field]:
        """Fields of `fields` and `text` sections: one value per return."""
        return [f for s in self.sections if s.type in ("fields", "text") for f in s.fields]

    @property
    def numeric_fields(self) -> list[Field]:
        return [f for f in self.value_fields if f.numeric]

    def blocks(self, problem: Any) -> bool:
        """Whether a problem of a return blocks its acceptance: every error does, unless the
        definition's `acceptance.warn` names its rule (for a rule's failure) or its field."""
        if problem.severity != "error":
            return False
        rule = problem.params.get("rule") if problem.params else None
        if rule:
            return rule not in self.warn_only
        return not (problem.field_id and problem.field_id in self.warn_only)

    def field(self, field_id: str) -> Field | None:
        return self.memo("fields", lambda: {f.id: f for f in self.value_fields}).get(field_id)
