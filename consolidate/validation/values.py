"""Parse values the way Vietnamese users actually type them into a template.

A user's string is never handed to ``float()``/``int()`` directly: ``float`` accepts
``'nan'``, ``'1e3'``, ``'1_000'`` and ``'٣'``, and reads ``'1.234'`` as 1.234 where a
Vietnamese user meant 1234. Every parser here returns a :class:`Parsed`:

- ``value`` is the typed value (``None`` when blank or unusable);
- ``problem`` is a problem code (see :mod:`consolidate.return_problems`) or ``None``;
- ``note`` explains the problem: a :class:`~consolidate.i18n.Text`, shown in either language.

Invariant: ``problem`` set and ``value is None`` → an error (the value is rejected);
``problem`` set and ``value`` not ``None`` → a warning (the value was accepted as shown).

Decisions on ambiguous input (also in the module tests):

Numbers
    - Spaces, NBSP, narrow NBSP, thin and figure spaces inside a number are thousands
      separators: ``1 234`` → 1234 (groups must be of 3 digits).
    - Both ``.`` and ``,`` present: the last one is the decimal mark, the other groups
      thousands (``1.234.567,5`` and ``1,234,567.5`` are both 1234567.5).
    - Several dots (``1.234.567``) or several commas (``1,234,567``) with valid 3-digit
      groups: thousands separators.
    - A single dot followed by exactly three digits (``1.234``): in an integer field the
      dot groups thousands (1234, the Vietnamese convention); in a ``number`` field it is
      ambiguous (1.234 or 1234?) → error ``value-ambiguous-number``. Any other single dot
      (``1.5``, ``0.125``, ``12.50``) is a decimal point.
    - A single comma followed by exactly three digits (``1,234``) is ambiguous in every
      field (Vietnamese decimal comma or English thousands) → ``value-ambiguous-number``.
      Any other single comma (``12,5``) is a decimal comma.
    - A trailing ``%`` or the field's own unit (``85%`` in a % field, ``12 buổi`` in a
      field measured in buổi) is accepted with the warning ``number-unit-removed``; any
      other trailing or leading text is an error.
    - A spreadsheet number strictly between -1 and 1 in a % field is kept as it is, with
      the warning ``value-percent-as-fraction``: Excel stores a typed ``85%`` as 0.85.
    - Rejected: ``nan``, ``inf``, exponents (``1e3``), ``1_000``, digits other than 0-9
      (``٣``, full-width), a trailing separator (``12.``), booleans, dates.
    - Whole floats in integer fields are integers (3.0 → 3; spreadsheet noise within
      1e-9 is rounded away); a real fraction in an integer field is ``value-not-integer``.
Dates
    - Real ``date``/``datetime`` values; Excel serial numbers of the 1900 system between
      1970-01-01 and 2099-12-31 (anything else is not taken for a date).
    - Text is day-first (the Vietnamese convention, no warning even when both readings are
      possible): ``05/6/2026``, ``5-6-2026``, ``05.06.2026``; ISO ``2026-06-05`` and
      ``2026/06/05``; ``ngày 5 tháng 6 năm 2026`` (optionally after a place name:
      ``Đà Lạt, ngày 5 tháng 6 năm 2026``). A trailing time ``08:30`` is ignored.
    - Two-digit years (``06/05/26``) are read as 20xx, day-first, with the warning
      ``date-two-digit-year``.
    - Impossible dates (``31/02/2026``) → ``value-impossible-date``.
Choices
    - Matched ignoring case, surrounding and repeated spaces, Unicode normalisation
      (NFC/NFD), dash variants (``-``, ``–``, ``—``) and old/new tone-mark placement
      (``hoá``/``hóa``); the canonical choice text is returned, no warning.
    - Typed without any diacritics (``Trung binh``) and matching exactly one choice:
      accepted with the warning ``choice-approximate``.
Yes/no
    - Có: ``có``, ``co``, ``c``, ``x``, ``yes``, ``y``, ``true``, ``1``, ``✓``, True, 1.
      Không: ``không``, ``khong``, ``k``, ``no``, ``n``, ``false``, ``0``, False, 0.
      The value is the canonical text ``"Có"`` / ``"Không"`` (the field's options).
Text
    - NFC, stripped, ``\\r\\n`` → ``\\n``. Other control characters (not ``\\n``/``\\t``) are
      removed with the warning ``text-control-characters``. Numbers become their plain text
      (``2633000001``), dates ``dd/mm/yyyy``. Length is checked by the derived schema.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from consolidate.i18n import Figure, Text
from consolidate.validation.parsed import (  # noqa: F401  (the public face of value parsing)
    AMBIGUOUS_NUMBER,
    BLANK,
    CHOICE_APPROXIMATE,
    CONTROL_CHARACTERS,
    EXCEL_EPOCH,
    IMPOSSIBLE_DATE,
    MAX_MAGNITUDE,
    NOT_DATE,
    NOT_IN_CHOICES,
    NOT_INTEGER,
    NOT_NUMBER,
    NOT_YES_NO,
    PERCENT_AS_FRACTION,
    SERIAL_MAX,
    SERIAL_MIN,
    SPACES,
    TOO_LARGE,
    TWO_DIGIT_YEAR,
    UNIT_REMOVED,
    ZERO_WIDTH,
    Parsed,
    _fail,
    clean,
    is_blank,
)
from consolidate.validation.words import (  # noqa: F401
    _as_text,
    _bare_key,
    _choice_key,
    match_choice,
    parse_text,
    parse_yesno,
)

# --------------------------------------------------------------------------- numbers

MINUS = "\u2212\u2013-"  # minus sign, en dash (autocorrect); hyphen-minus last inside [...]
NUMBER_TEXT = re.compile(
    rf"^(?P<sign>[+{MINUS}])?\s?(?P<body>[0-9][0-9., ]*|[.,][0-9]+)\s?(?P<suffix>[^\s0-9.,].*)?$"
)
GROUPED = re.compile(r"^[0-9]{1,3}(?:(?P<sep>[., ])[0-9]{3})(?:(?P=sep)[0-9]{3})*$")


def parse_integer(raw: Any, unit: str = "") -> Parsed:
    """A count: whole numbers only. ``unit`` is the field's unit of measure (``buổi``)."""
    return _parse_numeric(raw, integer=True, unit=unit)


def parse_number(raw: Any, unit: str = "") -> Parsed:
    """A decimal number (rates, averages)."""
    return _parse_numeric(raw, integer=False, unit=unit)


def _parse_numeric(raw: Any, *, integer: bool, unit: str) -> Parsed:
    parsed = _parse_numeric_unbounded(raw, integer=integer, unit=unit)
    value = parsed.value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) <= MAX_MAGNITUDE:
        return _too_large()
    return parsed


def _too_large() -> Parsed:
    return _fail(TOO_LARGE, Text("số vượt quá giới hạn hợp lý (1 triệu tỷ); hãy kiểm tra lại"))


def _parse_numeric_unbounded(raw: Any, *, integer: bool, unit: str) -> Parsed:
    if raw is None:
        return BLANK
    if isinstance(raw, bool):
        return _fail(NOT_NUMBER, Text("ô chứa giá trị đúng/sai (TRUE/FALSE), không phải số"))
    if isinstance(raw, (dt.date, dt.datetime, dt.time)):
        return _fail(NOT_NUMBER, Text("Excel đã hiểu giá trị là ngày tháng; định dạng ô là Number rồi nhập lại số"))
    if isinstance(raw, int):
        return Parsed(raw)
    if isinstance(raw, float):
        parsed = _from_float(raw, integer)
        if unit == "%" and parsed.problem is None and 0 < abs(raw) < 1:
            # "85%" typed into a number cell: the spreadsheet keeps 0.85 (and only shows 85%)
            return Parsed(
                raw, PERCENT_AS_FRACTION,
                Text("ô lưu giá trị {value}; nếu ý là {percent}% thì nhập {percent} "
                     "(không kèm dấu %, Excel lưu 85% thành 0,85)", value=Figure(raw), percent=Figure(raw * 100)),
            )
        return parsed
    if not isinstance(raw, str):
        return _fail(NOT_NUMBER)
    text = clean(raw)
    if not text:
        return BLANK
    m = NUMBER_TEXT.match(text)
    if not m:
        return _fail(NOT_NUMBER)
    body = m["body"].strip()
    suffix = (m["suffix"] or "").strip()
    warning: Parsed | None = None
    if suffix:
        if not _is_unit(suffix, unit):
            return _fail(NOT_NUMBER)
        warning = Parsed(
            None,
            UNIT_REMOVED,
            Text("đã bỏ '{suffix}', chỉ lấy số", suffix=suffix),
        )
    number = _read_body(body, integer)
    if not isinstance(number, (int, float)):
        return number  # a Parsed failure
    if m["sign"] and m["sign"] != "+":
        number = -number
    if integer and isinstance(number, float):
        whole = _whole(number)
        if whole is None:
            return _fail(NOT_INTEGER)
        number = whole
    if warning:
        return Parsed(number, warning.problem, warning.note)
    return Parsed(number)


def _is_unit(suffix: str, unit: str) -> bool:
    def key(s: str) -> str:
        return clean(s).casefold().rstrip(".")

    return suffix == "%" or (bool(unit) and key(suffix) == key(unit))


def _whole(number: float) -> int | None:
    nearest = round(number)
    if abs(number - nearest) <= 1e-9 * max(1.0, abs(number)):
        return int(nearest)
    return None


def _from_float(raw: float, integer: bool) -> Parsed:
    if math.isnan(raw) or math.isinf(raw):
        return _fail(NOT_NUMBER, Text("ô chứa giá trị không xác định (NaN) hoặc vô cực"))
    if abs(raw) > MAX_MAGNITUDE:
        return _too_large()
    if integer:
        whole = _whole(raw)
        if whole is None:
            return _fail(NOT_INTEGER)
        return Parsed(whole)
    return Parsed(raw)


def _ambiguous(body: str) -> Parsed:
    return _fail(
        AMBIGUOUS_NUMBER,
        Text("'{body}' có thể hiểu hai cách (dấu thập phân hay dấu phân cách hàng nghìn); nhập số không có "
             "dấu phân cách hàng nghìn, dùng dấu phẩy cho phần thập phân (ví dụ 1234 hoặc 1,5)", body=body),
    )


def _read_body(body: str, integer: bool) -> int | float | Parsed:
    """`body` holds only ASCII digits, '.', ',' and single spaces (checked by the regex)."""
    if body[-1] in ".,":
        return _fail(NOT_NUMBER)
    dots, commas, spaces = body.count("."), body.count(","), body.count(" ")
    int_part, frac = body, ""
    if spaces:
        # Spaces group thousands; an optional decimal part follows the last group.
        m = re.match(r"^(?P<int>[0-9 ]+?)(?:[.,](?P<frac>[0-9]+))?$", body)
        if not m or dots + commas > 1 or not GROUPED.match(m["int"]):
            return _fail(NOT_NUMBER)
        int_part, frac = m["int"].replace(" ", ""), m["frac"] or ""
    elif dots and commas:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        head, _, frac = body.rpartition(decimal)
        if decimal in head or not GROUPED.match(head):
            return _fail(NOT_NUMBER)
        int_part = head.replace(thousands, "")
    elif dots > 1 or commas > 1:
        if not GROUPED.match(body):
            return _fail(NOT_NUMBER)
        int_part = body.replace(".", "").replace(",", "")
    elif dots == 1 or commas == 1:
        sep = "." if dots else ","
        head, _, tail = body.partition(sep)
        looks_grouped = len(tail) == 3 and 1 <= len(head) <= 3 and not head.startswith("0")
        if looks_grouped and sep == ",":
            return _ambiguous(body)
        if looks_grouped and sep == "." and not integer:
            return _ambiguous(body)
        if looks_grouped:  # integer field, dot: thousands
            int_part = head + tail
        else:
            int_part, frac = head or "0", tail
    canonical = int_part + (f".{frac}" if frac else "")
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", canonical):
        return _fail(NOT_NUMBER)
    if frac and int(frac) != 0:
        if integer:
            return _fail(NOT_INTEGER)
        return float(canonical)
    return int(int_part)


# --------------------------------------------------------------------------- dates

TIME_TAIL = r"(?:[ t][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
ISO_DATE = re.compile(rf"^(?P<y>[0-9]{{4}})[-/.](?P<m>[0-9]{{1,2}})[-/.](?P<d>[0-9]{{1,2}}){TIME_TAIL}$")
DMY_DATE = re.compile(
    rf"^(?P<d>[0-9]{{1,2}}) ?[-/.] ?(?P<m>[0-9]{{1,2}}) ?[-/.] ?(?P<y>[0-9]{{4}}|[0-9]{{2}}){TIME_TAIL}$"
)
VN_DATE = re.compile(
    r"(?:^|[ ,])(?:ngày )?(?P<d>[0-9]{1,2}) ?,? tháng (?P<m>[0-9]{1,2}) ?,? năm (?P<y>[0-9]{4})\.?$"
)


def parse_date(raw: Any) -> Parsed:
    if raw is None:
        return BLANK
    if isinstance(raw, bool):
        return _fail(NOT_DATE, Text("ô chứa giá trị đúng/sai (TRUE/FALSE)"))
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        if raw < dt.date(1900, 1, 1):
            # serial 0 or below (NaN, a blank or a negative number in a date cell): Excel
            # shows 00/01/1900, readers give 30/12/1899 or 29/12/1899: no real date
            return _fail(NOT_DATE, Text("số này không phải là một ngày hợp lý"))
        return Parsed(raw)
    if isinstance(raw, (int, float)):
        return _from_serial(raw)
    if not isinstance(raw, str):
        return _fail(NOT_DATE)
    text = clean(raw).casefold()
    if not text:
        return BLANK
    two_digit = False
    m = ISO_DATE.match(text) or DMY_DATE.match(text) or VN_DATE.search(text)
    if not m:
        if re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?", text):
            return _from_serial(float(text.replace(",", ".")))
        return _fail(NOT_DATE)
    day, month, year = int(m["d"]), int(m["m"]), int(m["y"])
    if len(m["y"]) == 2:
        two_digit = True
        year += 2000
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return _fail(
            IMPOSSIBLE_DATE,
            Text("không có ngày {day}/{month}/{year}", day=day, month=month, year=year),
        )
    if two_digit:
        return Parsed(
            value,
            TWO_DIGIT_YEAR,
            Text("năm chỉ có hai chữ số; đã hiểu là {date}", date=value.strftime("%d/%m/%Y")),
        )
    return Parsed(value)


def _from_serial(raw: float) -> Parsed:
    if math.isnan(raw) or math.isinf(raw) or not SERIAL_MIN <= raw < SERIAL_MAX + 1:
        return _fail(
            NOT_DATE,
            Text("số này không phải là một ngày hợp lý"),
        )
    return Parsed(EXCEL_EPOCH + dt.timedelta(days=int(raw)))


def parse(raw: Any, field_type: str, *, unit: str = "", choices: tuple[str, ...] = ()) -> Parsed:
    """Dispatch on a definition field type."""
    if field_type == "integer":
        return parse_integer(raw, unit)
    if field_type == "number":
        return parse_number(raw, unit)
    if field_type == "date":
        return parse_date(raw)
    if field_type == "choice":
        return match_choice(raw, choices)
    if field_type == "yesno":
        return parse_yesno(raw)
    return parse_text(raw)
