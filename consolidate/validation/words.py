"""Parsers for choices, yes/no and free text (the rules are in consolidate.validation.values)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from typing import Any

from consolidate.definition.model import YES_NO
from consolidate.i18n import Text
from consolidate.validation.parsed import (
    BLANK,
    CHOICE_APPROXIMATE,
    CONTROL_CHARACTERS,
    NOT_IN_CHOICES,
    NOT_YES_NO,
    ZERO_WIDTH,
    Parsed,
    _fail,
    clean,
)

# --------------------------------------------------------------------------- choices

TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền sắc ngã hỏi nặng
DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]\s*")


@lru_cache(maxsize=4096)
def _choice_key(text: str) -> str:
    """Case, spaces, NFC/NFD, dashes and tone-mark placement (hoá = hóa) ignored.

    Cached: the same few choice labels and typed answers recur in every return."""
    text = DASHES.sub(" - ", clean(text).casefold())
    words = []
    for word in text.split(" "):
        decomposed = unicodedata.normalize("NFD", word)
        tones = sorted(c for c in decomposed if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        words.append(base + "".join(tones))
    return " ".join(words)


@lru_cache(maxsize=4096)
def _bare_key(text: str) -> str:
    """Every diacritic dropped and đ → d: how text typed without a Vietnamese keyboard looks."""
    decomposed = unicodedata.normalize("NFD", DASHES.sub(" - ", clean(text).casefold()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


def match_choice(raw: Any, choices: tuple[str, ...] | list[str]) -> Parsed:
    if raw is None:
        return BLANK
    text = _as_text(raw)
    if not clean(text):
        return BLANK
    key = _choice_key(text)
    for choice in choices:
        if _choice_key(choice) == key:
            return Parsed(choice)
    bare = _bare_key(text)
    close = [c for c in choices if _bare_key(c) == bare]
    if len(close) == 1:
        return Parsed(
            close[0],
            CHOICE_APPROXIMATE,
            Text("đã hiểu là '{choice}'; hãy chọn từ danh sách", choice=close[0]),
        )
    listed = "; ".join(choices)
    return _fail(NOT_IN_CHOICES, Text("chọn một trong: {choices}", choices=listed))


YES_WORDS = frozenset({"có", "co", "c", "x", "yes", "y", "true", "đúng", "1", "✓", "✔", "☑", "v"})
NO_WORDS = frozenset({"không", "khong", "k", "ko", "no", "n", "false", "sai", "0"})


def parse_yesno(raw: Any) -> Parsed:
    if raw is None:
        return BLANK
    if isinstance(raw, bool):
        return Parsed(YES_NO[0] if raw else YES_NO[1])
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if raw == 1:
            return Parsed(YES_NO[0])
        if raw == 0:
            return Parsed(YES_NO[1])
        return _fail(NOT_YES_NO)
    if not isinstance(raw, str):
        return _fail(NOT_YES_NO)
    text = clean(raw).casefold().rstrip(".")
    if not text:
        return BLANK
    if text in YES_WORDS:
        return Parsed(YES_NO[0])
    if text in NO_WORDS:
        return Parsed(YES_NO[1])
    return _fail(NOT_YES_NO)


# --------------------------------------------------------------------------- text

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _as_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return f"{raw:%d/%m/%Y}" if raw.time() == dt.time() else f"{raw:%d/%m/%Y %H:%M}"
    if isinstance(raw, dt.date):
        return f"{raw:%d/%m/%Y}"
    return str(raw)


def parse_text(raw: Any) -> Parsed:
    """Free text: NFC, stripped; a blank string is blank. Length is the schema's job."""
    if raw is None:
        return BLANK
    text = unicodedata.normalize("NFC", _as_text(raw)).replace("\r\n", "\n").replace("\r", "\n")
    text = ZERO_WIDTH.sub("", text)
    cleaned = CONTROL.sub("", text).strip()
    if not cleaned:
        return BLANK
    if cleaned != text.strip():
        return Parsed(
            cleaned,
            CONTROL_CHARACTERS,
            Text("đã bỏ các ký tự điều khiển không in được"),
        )
    return Parsed(cleaned)
