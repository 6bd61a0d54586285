"""The outcome of validating many returns: counts, flat rows and the `--json` document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from consolidate.definition.model import Definition
from consolidate.i18n import get_language, language, render
from consolidate.problems import Problem, ProblemList
from consolidate.validation.checker import check_return
from consolidate.validation.returns import CheckedReturn

PROBLEM_KEYS = ("code", "severity", "message", "file", "sheet", "cell", "field", "value")


def problem_dict(problem: Problem, lang: str | None = None) -> dict[str, Any]:
    """The JSON form of a problem; its message in `lang` (default: the language in force)."""
    data = problem.to_dict()
    out = {key: data.get(key) for key in PROBLEM_KEYS}
    with language(lang or get_language()):
        out["message"] = problem.message
    related = problem.params.get("related_cells")
    if related:
        out["related_cells"] = list(related)
    return out


@dataclass
class ValidationReport:
    """The outcome of validating many returns, in the style of a frictionless Report."""

    returns: list[CheckedReturn] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return all(r.valid for r in self.returns)

    @property
    def problems(self) -> ProblemList:
        return ProblemList(p for r in self.returns for p in r.problems)

    @property
    def errors(self) -> list[Problem]:
        return self.problems.errors

    @property
    def warnings(self) -> list[Problem]:
        return self.problems.warnings

    @property
    def counts(self) -> dict[str, int]:
        return {
            "files": len(self.returns),
            "valid": sum(1 for r in self.returns if r.valid),
            "invalid": sum(1 for r in self.returns if not r.valid),
            "foreign": sum(1 for r in self.returns if r.foreign_reason),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    def flatten(self, spec: tuple[str, ...] = ("file", "code", "severity", "sheet", "cell", "field", "message")) -> list[list]:
        rows = []
        for problem in self.problems:
            data = problem_dict(problem)
            rows.append([data.get(key) for key in spec])
        return rows

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        lang = lang or get_language()
        with language(lang):
            return self._to_dict(lang)

    def _to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "files": [
                {
                    "file": r.file,
                    "format": r.raw.format,
                    "unit_code": r.unit_code,
                    "period": r.period,
                    "valid": r.valid,
                    "foreign_reason": render(r.foreign_reason),
                    "errors": r.errors,
                    "warnings": r.warnings,
                    "problems": [problem_dict(p, lang) for p in r.problems],
                }
                for r in self.returns
            ],
            "counts": self.counts,
        }


def validate_returns(
    raws, definition: Definition, period: str | None = None, *, as_of: dt.date | None = None
) -> ValidationReport:
    return ValidationReport([check_return(raw, definition, period, as_of=as_of) for raw in raws])
