"""Table-driven tests of the value parsers: what users type, what we make of it."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from consolidate.validation import values as V

OK = None  # no problem

INTEGER_CASES = [
    # raw, expected value, expected problem
    (12, 12, OK),
    (3.0, 3, OK),
    (2.9999999999999996, 3, OK),  # spreadsheet noise
    (3.5, None, V.NOT_INTEGER),
    ("12", 12, OK),
    ("  12  ", 12, OK),
    ("1.234", 1234, OK),  # dot groups thousands in a count
    ("1.234.567", 1234567, OK),
    ("1,234", None, V.AMBIGUOUS_NUMBER),  # decimal comma or English thousands?
    ("1,234,567", 1234567, OK),
    ("1 234", 1234, OK),
    ("1\u00a0234", 1234, OK),  # NBSP
    ("1\u202f234", 1234, OK),  # narrow NBSP
    ("1\u2009234", 1234, OK),  # thin space
    ("12 34", None, V.NOT_NUMBER),  # not a thousands grouping
    ("12,5", None, V.NOT_INTEGER),
    ("3,0", 3, OK),
    ("1.5", None, V.NOT_INTEGER),
    ("1.2345", None, V.NOT_INTEGER),
    ("-5", -5, OK),
    ("\u22125", -5, OK),  # Unicode minus sign
    ("+5", 5, OK),
    ("12 buổi", 12, V.UNIT_REMOVED),  # the field's own unit
    ("12 BUỔI", 12, V.UNIT_REMOVED),
    ("12 người", None, V.NOT_NUMBER),  # another unit: not guessed
    ("khoảng 12", None, V.NOT_NUMBER),
    ("nan", None, V.NOT_NUMBER),
    ("inf", None, V.NOT_NUMBER),
    ("-inf", None, V.NOT_NUMBER),
    ("1e3", None, V.NOT_NUMBER),
    ("1_000", None, V.NOT_NUMBER),
    ("\u0663", None, V.NOT_NUMBER),  # Arabic-Indic three
    ("\uff11\uff12", None, V.NOT_NUMBER),  # full-width 12
    ("12.", None, V.NOT_NUMBER),
    ("", None, OK),
    ("   ", None, OK),
    ("\u00a0", None, OK),
    (None, None, OK),
    (True, None, V.NOT_NUMBER),
    (False, None, V.NOT_NUMBER),
    (float("nan"), None, V.NOT_NUMBER),
    (float("inf"), None, V.NOT_NUMBER),
    (dt.datetime(2026, 5, 12), None, V.NOT_NUMBER),  # Excel turned "12/5" into a date
    ("không", None, V.NOT_NUMBER),
]


@pytest.mark.parametrize(("raw", "value", "problem"), INTEGER_CASES, ids=[repr(c[0]) for c in INTEGER_CASES])
def test_parse_integer(raw, value, problem):
    parsed = V.parse_integer(raw, unit="buổi")
    assert (parsed.value, parsed.problem) == (value, problem)
    if value is not None:
        assert isinstance(parsed.value, int) and not isinstance(parsed.value, bool)


NUMBER_CASES = [
    (92.5, 92.5, OK),
    (7, 7, OK),
    ("12,5", 12.5, OK),  # Vietnamese decimal comma
    ("0,75", 0.75, OK),
    (",5", 0.5, OK),
    ("1.5", 1.5, OK),  # a single dot not followed by three digits is a decimal point
    ("12.50", 12.5, OK),
    ("0.125", 0.125, OK),  # a leading 0 is no thousands group
    ("1.234", None, V.AMBIGUOUS_NUMBER),  # 1.234 or 1234?
    ("1,234", None, V.AMBIGUOUS_NUMBER),
    ("1.234,5", 1234.5, OK),
    ("1.234.567,25", 1234567.25, OK),
    ("1,234.5", 1234.5, OK),  # English, unambiguous with both marks
    ("1 234,75", 1234.75, OK),
    ("1.234.567", 1234567, OK),
    ("85%", 85, V.UNIT_REMOVED),
    ("85 %", 85, V.UNIT_REMOVED),
    ("85,5%", 85.5, V.UNIT_REMOVED),
    ("-0,5", -0.5, OK),
    ("1,2,3", None, V.NOT_NUMBER),
    ("1.2.3", None, V.NOT_NUMBER),
    ("1,234.5.6", None, V.NOT_NUMBER),
    ("1e-3", None, V.NOT_NUMBER),
    ("NaN", None, V.NOT_NUMBER),
    ("Infinity", None, V.NOT_NUMBER),
    ("0x10", None, V.NOT_NUMBER),
    ("12 buổi", None, V.NOT_NUMBER),  # not this field's unit
]


@pytest.mark.parametrize(("raw", "unit", "problem"), [
    (0.85, "%", V.PERCENT_AS_FRACTION),  # "85%" typed into a number cell: Excel keeps 0.85
    (-0.5, "%", V.PERCENT_AS_FRACTION),
    (0.0, "%", OK),
    (1.0, "%", OK),
    (85.0, "%", OK),
    ("0,85", "%", OK),  # typed as text: the user wrote what they meant
    (0.85, "", OK),  # not a % field
    (0.85, "ha", OK),
])
def test_fraction_in_a_percent_field(raw, unit, problem):
    parsed = V.parse_number(raw, unit=unit)
    assert parsed.problem == problem
    assert parsed.value == pytest.approx(raw if not isinstance(raw, str) else 0.85)  # kept, never rescaled


@pytest.mark.parametrize(("raw", "value", "problem"), NUMBER_CASES, ids=[repr(c[0]) for c in NUMBER_CASES])
def test_parse_number(raw, value, problem):
    parsed = V.parse_number(raw, unit="%")
    assert parsed.problem == problem
    if value is None:
        assert parsed.value is None
    else:
        assert parsed.value == pytest.approx(value)


D = dt.date
DATE_CASES = [
    (dt.datetime(2026, 6, 5, 14, 30), D(2026, 6, 5), OK),
    (D(2026, 6, 5), D(2026, 6, 5), OK),
    (46178, D(2026, 6, 5), OK),  # Excel serial (1900 system)
    (46178.75, D(2026, 6, 5), OK),  # serial with a time
    ("46178", D(2026, 6, 5), OK),
    (5, None, V.NOT_DATE),  # a count, not a plausible serial
    (2026, None, V.NOT_DATE),
    (20260605, None, V.NOT_DATE),
    ("05/6/2026", D(2026, 6, 5), OK),  # day first, not 6 May
    ("5/6/2026", D(2026, 6, 5), OK),
    ("05/06/2026", D(2026, 6, 5), OK),
    ("5-6-2026", D(2026, 6, 5), OK),
    ("05.06.2026", D(2026, 6, 5), OK),
    ("05 / 06 / 2026", D(2026, 6, 5), OK),
    ("25/12/2025", D(2025, 12, 25), OK),
    ("2026-06-05", D(2026, 6, 5), OK),
    ("2026-06-05T08:00:00", D(2026, 6, 5), OK),
    ("2026/06/05", D(2026, 6, 5), OK),
    ("05/06/2026 08:30", D(2026, 6, 5), OK),
    ("ngày 5 tháng 6 năm 2026", D(2026, 6, 5), OK),
    ("Ngày 05 tháng 06 năm 2026", D(2026, 6, 5), OK),
    ("Đà Lạt, ngày 5 tháng 6 năm 2026", D(2026, 6, 5), OK),
    (unicodedata.normalize("NFD", "ngày 5 tháng 6 năm 2026"), D(2026, 6, 5), OK),
    ("06/05/26", D(2026, 5, 6), V.TWO_DIGIT_YEAR),  # day first, 20xx, with a warning
    ("31/02/2026", None, V.IMPOSSIBLE_DATE),
    ("29/02/2026", None, V.IMPOSSIBLE_DATE),
    ("29/02/2028", D(2028, 2, 29), OK),
    ("13/13/2026", None, V.IMPOSSIBLE_DATE),
    ("2026-02-30", None, V.IMPOSSIBLE_DATE),
    ("hôm qua", None, V.NOT_DATE),
    ("June 5, 2026", None, V.NOT_DATE),
    ("5/6", None, V.NOT_DATE),
    (True, None, V.NOT_DATE),
    ("", None, OK),
    (None, None, OK),
]


@pytest.mark.parametrize(("raw", "value", "problem"), DATE_CASES, ids=[repr(c[0]) for c in DATE_CASES])
def test_parse_date(raw, value, problem):
    parsed = V.parse_date(raw)
    assert (parsed.value, parsed.problem) == (value, problem)


LINH_VUC = ("Kinh tế", "Văn hóa - xã hội", "Quốc phòng - an ninh", "Xây dựng hệ thống chính trị")
CHOICE_CASES = [
    ("Kinh tế", "Kinh tế", OK),
    ("  kinh   TẾ ", "Kinh tế", OK),
    (unicodedata.normalize("NFD", "Kinh tế"), "Kinh tế", OK),
    ("Văn hoá - xã hội", "Văn hóa - xã hội", OK),  # old-style tone placement
    ("Văn hóa – xã hội", "Văn hóa - xã hội", OK),  # en dash
    ("Văn hóa-xã hội", "Văn hóa - xã hội", OK),
    ("kinh te", "Kinh tế", V.CHOICE_APPROXIMATE),  # typed without diacritics
    ("Quoc phong - an ninh", "Quốc phòng - an ninh", V.CHOICE_APPROXIMATE),
    ("Kinh doanh", None, V.NOT_IN_CHOICES),
    ("", None, OK),
]


@pytest.mark.parametrize(("raw", "value", "problem"), CHOICE_CASES, ids=[repr(c[0]) for c in CHOICE_CASES])
def test_match_choice(raw, value, problem):
    parsed = V.match_choice(raw, LINH_VUC)
    assert (parsed.value, parsed.problem) == (value, problem)


def test_match_choice_without_diacritics_is_refused_when_two_choices_collide():
    parsed = V.match_choice("kha", ("Khá", "Kha"[:2] + "à"))
    assert parsed.problem == V.NOT_IN_CHOICES


YESNO_CASES = [
    ("Có", "Có"), ("có", "Có"), ("CÓ", "Có"), ("co", "Có"), ("c", "Có"), ("x", "Có"), ("X", "Có"),
    ("yes", "Có"), ("True", "Có"), ("1", "Có"), (1, "Có"), (1.0, "Có"), (True, "Có"),
    ("Không", "Không"), ("khong", "Không"), ("k", "Không"), ("no", "Không"), ("false", "Không"),
    ("0", "Không"), (0, "Không"), (False, "Không"),
    (unicodedata.normalize("NFD", "Không"), "Không"),
]


@pytest.mark.parametrize(("raw", "value"), YESNO_CASES, ids=[repr(c[0]) for c in YESNO_CASES])
def test_parse_yesno(raw, value):
    assert V.parse_yesno(raw) == V.Parsed(value)


@pytest.mark.parametrize("raw", ["có lẽ", "2", 2, "maybe"])
def test_parse_yesno_rejects(raw):
    assert V.parse_yesno(raw).problem == V.NOT_YES_NO


def test_text_is_nfc_stripped_and_control_characters_removed_with_a_warning():
    assert V.parse_text("  " + unicodedata.normalize("NFD", "Khó khăn") + " \n").value == "Khó khăn"
    assert V.parse_text("dòng 1\r\ndòng 2\tcột").value == "dòng 1\ndòng 2\tcột"
    parsed = V.parse_text("a\x07b\x00")
    assert (parsed.value, parsed.problem) == ("ab", V.CONTROL_CHARACTERS)
    assert V.parse_text("   ").blank
    assert V.parse_text(2633000001).value == "2633000001"
    assert V.parse_text(12.0).value == "12"
    assert V.parse_text(dt.datetime(2026, 6, 5)).value == "05/06/2026"


def test_parsed_flags():
    assert V.Parsed().blank and V.Parsed().ok
    assert V.parse_integer("x").rejected
    assert V.parse_integer("12 buổi", "buổi").warning


@pytest.mark.parametrize("raw", [1e308, 1.7976931348623157e308, -2e15, 10**20, "1.000.000.000.000.000.000", "9" * 30])
def test_numbers_beyond_any_plausible_value_are_rejected(raw):
    for parse in (V.parse_integer, V.parse_number):
        parsed = parse(raw)
        assert parsed.rejected and parsed.problem == V.TOO_LARGE


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinity_are_not_numbers(raw):
    assert V.parse_number(raw).problem == V.NOT_NUMBER and V.parse_integer(raw).rejected


def test_limit_itself_is_a_number():
    assert V.parse_integer(1e15).value == 10**15


@pytest.mark.parametrize("raw", [dt.date(1899, 12, 29), dt.date(1899, 12, 30), dt.datetime(1899, 12, 31)])
def test_date_before_1900_is_a_blank_or_nan_serial_not_a_date(raw):
    assert V.parse_date(raw).problem == V.NOT_DATE
