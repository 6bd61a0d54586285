"""The validation memos (leaf schema errors, parsed values) give exactly what jsonschema and
consolidate.values give without them: same errors, same order, same paths, same problems."""

from __future__ import annotations

import copy
import datetime as dt

from jsonschema import Draft202012Validator

from consolidate.i18n import translate
from consolidate.validation import values as V
from consolidate.validation.checker import _Checker, check_return
from consolidate.validation.schema import memo_key, return_schema, schema_memo, schema_validator
from tests.validation.conftest import AS_OF, GOOD_ROWS, make_raw

BAD_VALUES = [
    {"tiep_dan_buoi": -3, "ty_le_hai_long": 140.5, "muc_do": "Rất tốt", "preparer": "x" * 250},
    {"don_tiep_nhan": 1.5, "co_quy_che": "có lẽ", "ngay_hoi_nghi": "31/02/2026", "report_date": None},
    {"tiep_dan_buoi": "12 buổi", "ty_le_hai_long": "1.234", "muc_do": "trung binh", "preparer": None},
    {"tiep_dan_buoi": 0, "ty_le_hai_long": -0.0, "don_giai_quyet": True, "kho_khan": "\x07 text"},
]
BAD_ROWS = [
    {"ten_mo_hinh": None, "linh_vuc": "Khác", "so_ho_huong_loi": -1, "ngay_cong_nhan": "hôm qua"},
    {"ten_mo_hinh": "y" * 400, "linh_vuc": "kinh te", "so_ho_huong_loi": 3.0},
    *GOOD_ROWS,
]


def _error_view(error):
    return (tuple(error.absolute_path), tuple(error.absolute_schema_path), error.validator,
            repr(error.validator_value), repr(error.instance), error.message)


def _docs(mini):
    docs = [
        {},
        {"tiep_dan_buoi": -1, "don_tiep_nhan": 2, "ty_le_hai_long": 101.0, "muc_do": "Khác", "preparer": ""},
        {"tiep_dan_buoi": "3", "ty_le_hai_long": 0.0, "co_quy_che": True, "report_date": "2026-02-31"},
        {"tiep_dan_buoi": 1, "ty_le_hai_long": -0.0, "extra": 1, "kho_khan": "x" * 5000},
        {"mo_hinh": [{"ten_mo_hinh": "", "so_ho_huong_loi": -2}, {"linh_vuc": "Kinh tế", "bogus": 1}, {}]},
        {"mo_hinh": "not a list", "ngay_hoi_nghi": "2026-13-01"},
    ]
    return docs + [copy.deepcopy(d) for d in docs]  # the second round comes from the memo


def test_schema_memo_gives_jsonschema_errors(mini):
    plain = Draft202012Validator(return_schema(mini), format_checker=Draft202012Validator.FORMAT_CHECKER)
    memoised = schema_validator(mini)
    for doc in _docs(mini):
        expected = [_error_view(e) for e in plain.iter_errors(doc)]
        assert [_error_view(e) for e in memoised.iter_errors(doc)] == expected
        # a reused error is a copy: what a caller does to it never reaches the memo
        for error in memoised.iter_errors(doc):
            error.path.appendleft("mutated")
        assert [_error_view(e) for e in memoised.iter_errors(doc)] == expected


def test_no_error_shortcut_only_when_jsonschema_finds_none(mini):
    """check_schema skips jsonschema for a document its memo shows to be without errors;
    that is only ever said of documents jsonschema finds nothing in."""
    plain = Draft202012Validator(return_schema(mini), format_checker=Draft202012Validator.FORMAT_CHECKER)
    validator = schema_validator(mini)
    memo = schema_memo(mini)
    assert memo.shape is not None
    good = {"tiep_dan_buoi": 3, "don_tiep_nhan": 2, "don_giai_quyet": 1, "ty_le_hai_long": 50.5, "muc_do": "Tốt",
            "co_quy_che": "Có", "preparer": "A", "report_date": "2026-06-01",
            "mo_hinh": [{"ten_mo_hinh": "x", "linh_vuc": "Kinh tế", "so_ho_huong_loi": 3}]}
    good.update({name: "x" for name in return_schema(mini)["required"] if name not in good})
    assert not list(plain.iter_errors(good))
    docs = [good, *_docs(mini)]
    for name in list(good):  # one property missing, or of another type, or out of range
        docs.append({k: v for k, v in good.items() if k != name})
        docs.append({**good, name: -1})
        docs.append({**good, name: 0.0})
        docs.append({**good, name: [{}]})
    docs.append({**good, "mo_hinh": [{"ten_mo_hinh": "x", "bogus": 1}]})
    docs.append({**good, "mo_hinh": [{"ten_mo_hinh": "x", "so_ho_huong_loi": -1}]})
    docs.append({**good, "mo_hinh": ({"ten_mo_hinh": "x"},)})
    docs.append({**good, "extra": 1})
    said_clean = 0
    for doc in docs + [copy.deepcopy(d) for d in docs]:  # the second round from the memo
        if memo.clean(validator, doc, memo.shape):
            said_clean += 1
            assert not list(plain.iter_errors(doc)), doc
    assert said_clean >= 2  # `good`, twice: the shortcut is taken


def _problems(checked):
    return [(p.code, p.severity, p.sheet, p.cell, p.field_id, repr(p.value), p.message, p.message_en)
            for p in checked.problems]


def test_memoised_checks_repeat_the_first(mini):
    for overrides in BAD_VALUES:
        first = check_return(make_raw(mini, overrides, rows=BAD_ROWS), mini, "2026-H1", as_of=AS_OF)
        again = check_return(make_raw(mini, overrides, rows=BAD_ROWS), mini, "2026-H1", as_of=AS_OF)
        assert _problems(again) == _problems(first)
        assert (again.values, again.info, again.tasks, again.tables) == (first.values, first.info, first.tasks, first.tables)


def test_memoised_parse_equals_parse(mini):
    checker = _Checker(make_raw(mini), mini, "2026-H1", AS_OF)
    fields = [f for s in mini.sections for f in s.fields]
    raws = [0, 1, -1, 12, 1.5, -0.0, 0.0, True, False, "1.234", "1,5", "12 buổi", "Có", "co", "Tốt", "trung binh",
            " Nguyễn  Văn A ", "31/02/2026", "05/6/2026", dt.date(2026, 5, 1), float("nan"), "", "x\x07"]
    for _ in range(2):  # the second round comes from the memo
        for f in fields:
            for raw in raws:
                got = checker._parse(raw, f)
                expected = V.parse(raw, f.type, unit=f.unit, choices=f.options)
                assert (repr(got.value), got.problem, got.note, translate(got.note, "en")) == (
                    repr(expected.value), expected.problem, expected.note, translate(expected.note, "en"))


def test_memo_keys_keep_values_apart():
    assert memo_key(1) != memo_key(True) != memo_key(1.0)
    assert memo_key(-0.0) is None and memo_key(0.0) is None  # equal, but they print apart
    assert memo_key(float("nan")) is None
    assert memo_key(dt.date(2026, 1, 1)) is None
    assert memo_key("a") == memo_key("a")
