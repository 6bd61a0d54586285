"""A small whitelisted grammar for cross-field rules; nothing is ever `eval`ed.

    expr   := term (('+' | '-') term)*
    term   := factor (('*' | '/') factor)*
    factor := NUMBER | FIELD_ID | '(' expr ')' | '-' factor
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from functools import lru_cache

from consolidate.i18n import Text

TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z][a-z0-9_]*)|(.))")
COMPARE = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}


class RuleSyntaxError(ValueError):
    """What is wrong with a rule's expression; `text` renders in the language in force."""

    def __init__(self, text: Text):
        self.text = text
        super().__init__(text.msgid)

    def __str__(self) -> str:
        return str(self.text)


class Missing(Exception):
    """An operand is blank: the rule is skipped (DHIS2's 'skip if any value missing')."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        number, name, other = m.groups()
        if number:
            out.append(("num", number))
        elif name:
            out.append(("id", name))
        elif other and other.strip():
            if other not in "+-*/()":
                raise RuleSyntaxError(Text("ký tự không được phép '{char}'", char=other))
            out.append(("op", other))
        pos = m.end()
    return out


@lru_cache(maxsize=1024)
def parse(text: str):
    """Parse to a nested tuple tree: ('num', v) | ('id', name) | (op, left, right) | ('neg', x)."""
    tokens = _tokens(str(text))
    if not tokens:
        raise RuleSyntaxError(Text("biểu thức trống"))
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else ("end", "")

    def take():
        nonlocal pos
        tok = peek()
        pos += 1
        return tok

    def expr():
        node = term()
        while peek() in (("op", "+"), ("op", "-")):
            node = (take()[1], node, term())
        return node

    def term():
        node = factor()
        while peek() in (("op", "*"), ("op", "/")):
            node = (take()[1], node, factor())
        return node

    def factor():
        kind, value = take()
        if kind == "num":
            return ("num", float(value))
        if kind == "id":
            return ("id", value)
        if (kind, value) == ("op", "-"):
            return ("neg", factor())
        if (kind, value) == ("op", "("):
            node = expr()
            if take() != ("op", ")"):
                raise RuleSyntaxError(Text("thiếu dấu ')'"))
            return node
        raise RuleSyntaxError(Text("không mong đợi '{token}'", token=value or Text("hết biểu thức")))

    tree = expr()
    if pos != len(tokens):
        raise RuleSyntaxError(Text("thừa '{token}'", token=tokens[pos][1]))
    return tree


def field_refs(text: str) -> list[str]:
    refs: list[str] = []

    def walk(node):
        if node[0] == "id":
            refs.append(node[1])
        elif node[0] == "neg":
            walk(node[1])
        elif node[0] in "+-*/":
            walk(node[1])
            walk(node[2])

    walk(parse(text))
    return refs


def evaluate(tree, values: Mapping[str, float | None]) -> float:
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "id":
        value = values.get(tree[1])
        if value is None:
            raise Missing(tree[1])
        return float(value)
    if kind == "neg":
        return -evaluate(tree[1], values)
    left, right = evaluate(tree[1], values), evaluate(tree[2], values)
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    if kind == "*":
        return left * right
    if right == 0:
        raise Missing("/0")
    return left / right


def holds(left: str, op: str, right: str, values: Mapping[str, float | None]) -> bool | None:
    """True/False, or None when an operand is blank and the rule does not apply."""
    try:
        a = evaluate(parse(left), values)
        b = evaluate(parse(right), values)
    except Missing:
        return None
    # Counts are typed by people: compare with a tolerance so 0.1+0.2 <= 0.3 holds.
    if op in ("==", "!="):
        equal = abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
        return equal if op == "==" else not equal
    if op in ("<=", ">=") and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)):
        return True
    return COMPARE[op](a, b)
