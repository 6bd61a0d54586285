"""Validation: what was read from a return, checked against its definition, down to the cell."""

from consolidate.validation.checker import check_return
from consolidate.validation.report import ValidationReport, problem_dict, validate_returns
from consolidate.validation.returns import CheckedReturn, RawCell, RawReturn

__all__ = ["CheckedReturn", "RawCell", "RawReturn", "ValidationReport", "check_return",
           "problem_dict", "validate_returns"]
