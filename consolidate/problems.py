"""Problems found in definitions and returns, in the style of frictionless errors.

Each kind of problem is a small class with a stable kebab-case ``code``, a severity and a
Vietnamese message template (a msgid of the catalogue, rendered in the language in force
when the message is read); the position (file, sheet, cell, field, key path) is kept in
fields so that tools and tests never parse message text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from consolidate.i18n import Lazy, Text, _, language, render

ERROR = "error"
WARNING = "warning"


@dataclass
class Problem(Lazy):
    """One located problem. Subclasses set ``code``, ``severity`` and ``template`` (wrapped
    in ``N_``). ``note`` is the variable part: a :class:`Text` when the tool wrote it (so it
    renders in either language), a plain string when it quotes a plan, a unit or a library."""

    code: ClassVar[str] = "problem"
    severity: ClassVar[str] = ERROR
    template: ClassVar[str] = "{note}"

    note: str | Text = ""
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    field_id: str | None = None
    value: Any = None
    path: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The message in the language in force (Vietnamese unless the CLI chose English)."""
        return self._render(_(self.template))

    def __str__(self) -> str:
        return self.message

    @property
    def message_en(self) -> str:
        with language("en"):
            return self.message

    @property
    def message_vi(self) -> str:
        """For the documents a unit or the specialist reads, which are Vietnamese always."""
        with language("vi"):
            return self.message

    def _render(self, template: str) -> str:
        note = render(self.note)
        values = {
            "note": note,
            "file": self.file or "",
            "sheet": self.sheet or "",
            "cell": self.cell or "",
            "field": self.field_id or "",
            "value": _short(self.value),
            "path": self.path or "",
        }
        values.update({k: render(v) for k, v in self.params.items()})
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return f"{template} {note}".strip()

    @property
    def location(self) -> str:
        parts = [p for p in (self.file, self.sheet, self.cell) if p]
        if self.path:
            parts.append(self.path)
        return " › ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("params")
        data.pop("note")
        data["field"] = data.pop("field_id")
        data["value"] = _jsonable(self.value)
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            **{k: v for k, v in data.items() if v is not None},
        }


def _short(value: Any, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value if not isinstance(value, str) else _short(value, 200)
    return str(value)


class ProblemList(list):
    """A list of problems with the report-like helpers used by the CLI and the merge."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if p.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    def flatten(self, spec: tuple[str, ...] = ("code", "file", "sheet", "cell", "message")) -> list[list]:
        return [[p.to_dict().get(key) for key in spec] for p in self]


class ConsolidateError(Exception):
    """A command could not do its job (exit 1). Every fatal library error derives from it,
    so the CLI catches this one type at its edge. It carries a code like a Problem does; a
    subclass sets `code`, and `usage = True` makes the CLI treat it as a usage error (exit 2).
    The message is a string or a :class:`Text`, rendered when shown, in the language then in
    force; with no message, the problems it carries are listed."""

    code: ClassVar[str] = "consolidate-error"
    usage: ClassVar[bool] = False

    def __init__(self, message: str | Text = "", *, problems: list[Problem] | None = None, code: str | None = None):
        self.problems = list(problems or [])
        if code:
            self.code = code
        self.text = message
        super().__init__(message)

    def __str__(self) -> str:
        if self.text:
            return render(self.text)
        return "\n".join(f"- {p.message}" for p in self.problems)

    @property
    def message(self) -> str:
        return str(self)
