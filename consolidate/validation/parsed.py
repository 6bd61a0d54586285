"""The result of parsing one typed value (see consolidate.validation.values), the problem
codes the parsers give, and the text clean-up they share."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from consolidate.i18n import Text

# Problem codes produced here (classes in consolidate.return_problems).
NOT_NUMBER = "value-not-number"
NOT_INTEGER = "value-not-integer"
AMBIGUOUS_NUMBER = "value-ambiguous-number"
UNIT_REMOVED = "number-unit-removed"
PERCENT_AS_FRACTION = "value-percent-as-fraction"
TOO_LARGE = "value-too-large"
NOT_DATE = "value-not-date"
IMPOSSIBLE_DATE = "value-impossible-date"
TWO_DIGIT_YEAR = "date-two-digit-year"
NOT_IN_CHOICES = "value-not-in-choices"
CHOICE_APPROXIMATE = "choice-approximate"
NOT_YES_NO = "value-not-yes-no"
CONTROL_CHARACTERS = "text-control-characters"

# Beyond any count or rate a plan asks for, and far inside what a float holds exactly as an
# integer (2**53 ~ 9e15): a sum of such values over every commune stays exact and finite.
MAX_MAGNITUDE = 10**15

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 once Lotus' 29/02/1900 is skipped
SERIAL_MIN = (dt.date(1970, 1, 1) - EXCEL_EPOCH).days  # 25569
SERIAL_MAX = (dt.date(2099, 12, 31) - EXCEL_EPOCH).days


@dataclass(frozen=True)
class Parsed:
    value: Any = None
    problem: str | None = None
    note: Text | str = ""

    @property
    def blank(self) -> bool:
        return self.value is None and self.problem is None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def rejected(self) -> bool:
        return self.problem is not None and self.value is None

    @property
    def warning(self) -> bool:
        return self.problem is not None and self.value is not None


BLANK = Parsed()


def _fail(code: str, note: Text | str = "") -> Parsed:
    return Parsed(None, code, note)


# --------------------------------------------------------------------------- text helpers

SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f\u200a\u2008\u2006\u2005\u2004\u2003\u2002\u3000]+")
ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def clean(text: str) -> str:
    """NFC, zero-width characters removed, every kind of space collapsed to one, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = ZERO_WIDTH.sub("", text)
    return SPACES.sub(" ", text).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and clean(value) == "")
