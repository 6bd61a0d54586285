"""The rule grammar: arithmetic over field ids, nothing else."""

from __future__ import annotations

import pytest

from consolidate.definition.rules import RuleSyntaxError, field_refs, holds


@pytest.mark.parametrize(
    "left,op,right,values,expected",
    [
        ("a_x", "<=", "b_x", {"a_x": 3, "b_x": 5}, True),
        ("a_x", "<=", "b_x", {"a_x": 6, "b_x": 5}, False),
        ("a_x + b_x", "==", "c_x", {"a_x": 0.1, "b_x": 0.2, "c_x": 0.3}, True),
        ("a_x * 2 - 1", ">", "b_x / 2", {"a_x": 1, "b_x": 1}, True),
        ("-(a_x)", "<", "0", {"a_x": 1}, True),
        ("a_x", ">=", "1", {"a_x": None}, None),
        ("a_x / b_x", "<=", "1", {"a_x": 1, "b_x": 0}, None),
        ("a_x", "!=", "b_x", {"a_x": 1, "b_x": 1}, False),
    ],
)
def test_holds(left, op, right, values, expected):
    assert holds(left, op, right, values) is expected


@pytest.mark.parametrize("text", ["__import__('os')", "a_x ** 2", "a_x +", "(a_x", "a_x b_x", "", "a_x; b_x"])
def test_rejects(text):
    with pytest.raises(RuleSyntaxError):
        field_refs(text)


def test_refs():
    assert field_refs("a_x + 2 * (b_y - c_z)") == ["a_x", "b_y", "c_z"]
