"""The merge's validation cache: a CheckedReturn as JSON text, kept in the register.

A specialist re-runs the merge many times a day while files arrive; reading and checking a
content that was already checked, under the same definition, period, "today" and code,
gives the same CheckedReturn, so the merge keeps it in the register (table `checked`) and
reads only contents it has not checked before.

The payload is JSON, never pickle: the register sits beside an inbox of untrusted files and
loading it must never run anything. Every value type JSON cannot hold exactly (dates,
tuples, …) is tagged; a result holding anything else is simply not cached. Anything odd in
a stored payload (damaged, tampered, unknown problem code) makes it a miss: the file is then
read again, which is always correct.

The key (:func:`cache_key`) holds everything a CheckedReturn depends on besides the bytes:
the definition's content hash, the period, the local date validation uses as "today", and a
fingerprint of the code (and of the libraries and Python) that read and check a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from consolidate.definition.model import Definition
from consolidate.i18n import Figure, Number, Text
from consolidate.problems import Problem, ProblemList
from consolidate.reading.problems import is_memory_note
from consolidate.validation.returns import CheckedReturn, RawReturn

FORMAT = 2  # of the payload; part of the key, so a new format never reads an old one

# Modules whose code decides what a CheckedReturn holds (reading, validation, the model and
# problem classes) and this module, which decides how it is stored.
_SOURCES = (
    "reading/*.py", "validation/*.py", "definition/*.py", "validate.py", "values.py", "rules.py", "layout.py", "model.py", "definition.py",
    "units.py", "problems.py", "return_problems.py", "returns.py", "checked_cache.py",
)
# Libraries whose behaviour shows in a result: the workbook reader, the schema checks (their
# messages become notes), the XML parser guards, YAML and the official unit registry.
_LIBRARIES = ("python-calamine", "jsonschema", "defusedxml", "PyYAML", "vietnam-provinces")

# Outcomes that depend on this run rather than on the bytes: a reader killed (crash, memory
# limit: the budget depends on the run, see reading.isolate) or stopped (timeout), a file
# that could not be opened. Never cached, so the next
# merge tries again exactly as an uncached one would.
_TRANSIENT = frozenset({"file-reader-crashed", "file-read-timeout", "file-unreadable"})

_PROBLEM_FIELDS = ("note", "sheet", "cell", "field_id", "value", "path", "params")


class _Unencodable(Exception):
    """A result this module cannot store exactly; it is then not cached."""


# --------------------------------------------------------------------------- key


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of the sources of reading and validation, the library versions and Python's:
    a new release, a local edit or an upgraded reader never meets results of the old one.
    Computed once per process (about 20 small files)."""
    digest = hashlib.sha256(f"format {FORMAT}\0{sys.version}\0".encode())
    package = Path(__file__).resolve().parent
    for pattern in _SOURCES:
        for path in sorted(package.glob(pattern)):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    for name in _LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()


def cache_key(definition: Definition, period_id: str, as_of: dt.date) -> str | None:
    """The key of results checked under these settings; None when the definition has no
    content hash (built in code, not loaded): nothing says what it is made of, so no cache."""
    if not definition.content_hash:
        return None
    parts = [FORMAT, code_fingerprint(), definition.content_hash, definition.id, definition.version,
             period_id, as_of.isoformat()]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=True).encode()).hexdigest()


def cache_scope(definition: Definition, period_id: str) -> str:
    """Results of one report and period: a new key (next day, new definition) replaces the
    older ones of the same scope, so the table does not grow with every day's re-runs."""
    return f"{definition.id}\0{period_id}"


# --------------------------------------------------------------------------- values


_PLAIN = frozenset({str, bool, int, float, type(None)})  # JSON holds these exactly


def _enc(value: Any) -> Any:
    """`value` as JSON data: plain values as they are, the others as one-key objects whose
    key is a tag ("$date", …). Exact types only: a subclass (an enum, a numpy scalar) would
    not come back as itself, so it is refused. Plain values are tested inline (not by a call
    per value): encoding runs once per file read, on the first merge's path."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _Unencodable("dict key")
            out[key] = item if type(item) in _PLAIN else _enc(item)
        if len(out) == 1 and key.startswith("$"):
            # a plain dict whose only key looks like a tag: one more "$" tells them apart
            return {"$" + key: out[key]}
        return out
    if kind is list:
        return [item if type(item) in _PLAIN else _enc(item) for item in value]
    if kind is tuple:
        return {"$tuple": [item if type(item) in _PLAIN else _enc(item) for item in value]}
    if kind is dt.datetime:
        if value.tzinfo is not None:
            raise _Unencodable("aware datetime")
        return {"$datetime": value.isoformat()}
    if kind is dt.date:
        return {"$date": value.isoformat()}
    if kind is dt.time:
        if value.tzinfo is not None:
            raise _Unencodable("aware time")
        return {"$time": value.isoformat()}
    if kind is dt.timedelta:
        return {"$timedelta": [value.days, value.seconds, value.microseconds]}
    if kind is Text:  # kept unrendered: a cached note still shows in either language
        return {"$text": [value.msgid, _enc(value.params)]}
    if kind is Figure:
        return {"$figure": value.value}
    if kind is Number:
        return {"$number": [value.value, value.decimals]}
    raise _Unencodable(kind.__name__)


_TAGS = {
    "$tuple": lambda v: tuple(_list(v)),
    "$datetime": lambda v: dt.datetime.fromisoformat(_str(v)),
    "$date": lambda v: dt.date.fromisoformat(_str(v)),
    "$time": lambda v: dt.time.fromisoformat(_str(v)),
    "$timedelta": lambda v: dt.timedelta(*(_int(x) for x in _list(v, 3))),
    "$text": lambda v: Text(_str(_list(v, 2)[0]), **_dict(v[1])),
    "$figure": lambda v: Figure(v if type(v) in (int, float) else _int(v)),
    "$number": lambda v: Number(*_numbers(_list(v, 2))),
}


def _hook(obj: dict) -> Any:
    """json.loads' object_hook (inner objects first): tags back to their values."""
    if len(obj) == 1:
        ((key, inner),) = obj.items()
        if key.startswith("$"):
            if key.startswith("$$"):
                return {key[1:]: inner}
            tag = _TAGS.get(key)
            if tag is None:
                raise ValueError(f"unknown tag {key}")
            return tag(inner)
    return obj


def _numbers(values: list) -> tuple[int | float, int]:
    value, decimals = values
    if type(value) not in (int, float):
        raise ValueError("number expected")
    return value, _int(decimals)


def _str(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("text expected")
    return value


def _note(value: Any) -> str | Text:
    return value if type(value) is Text else _str(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("integer expected")
    return value


def _list(value: Any, length: int | None = None) -> list:
    if type(value) is not list or (length is not None and len(value) != length):
        raise ValueError("list expected")
    return value


def _dict(value: Any) -> dict:
    if type(value) is not dict:
        raise ValueError("object expected")
    return value


# --------------------------------------------------------------------------- problems


def _problem_classes() -> dict[tuple[str, str], type[Problem] | None]:
    """(code, severity) -> class, over every Problem subclass. A code alone is not enough
    (rule-failed is an error or a warning, two classes); a pair that two classes share maps
    to None, and problems of those classes are not cached."""
    from consolidate.reading import problems as reading_problems  # noqa: F401
    from consolidate.validation import problems as return_problems  # noqa: F401  (defines the classes walked below)

    out: dict[tuple[str, str], type[Problem] | None] = {}
    stack = list(Problem.__subclasses__())
    seen: set[type] = set()
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        stack.extend(cls.__subclasses__())
        key = (cls.code, cls.severity)
        out[key] = None if key in out and out[key] is not cls else cls
    return out


_classes: dict[tuple[str, str], type[Problem] | None] = {}


def _class_of(code: str, severity: str) -> type[Problem] | None:
    global _classes
    if (code, severity) not in _classes:
        # built on first use, and again for a pair not seen yet (a class defined later)
        _classes = _problem_classes()
    return _classes.get((code, severity))


def _enc_problem(problem: Problem, file: str) -> list:
    if _class_of(problem.code, problem.severity) is not type(problem):
        raise _Unencodable(f"problem class {type(problem).__name__}")
    if problem.code in _TRANSIENT or (problem.code == "file-too-large" and is_memory_note(problem.note)):
        raise _Unencodable("transient outcome")
    fields = {name: _enc(getattr(problem, name)) for name in _PROBLEM_FIELDS}
    if problem.file != file:  # the usual case (the file's own name) is left out and renamed
        fields["file"] = problem.file
    return [problem.code, problem.severity, fields]


def _dec_problem(item: Any, file: str) -> Problem:
    code, severity, fields = _list(item, 3)
    cls = _class_of(_str(code), _str(severity))
    if cls is None:
        raise ValueError(f"unknown problem {code}/{severity}")
    fields = _dict(fields)
    if set(fields) - {*_PROBLEM_FIELDS, "file"}:
        raise ValueError("unknown problem field")
    params = fields.get("params", {})
    return cls(
        note=_note(fields.get("note", "")),
        file=_opt_str(fields["file"]) if "file" in fields else file,
        sheet=_opt_str(fields.get("sheet")),
        cell=_opt_str(fields.get("cell")),
        field_id=_opt_str(fields.get("field_id")),
        value=fields.get("value"),
        path=_opt_str(fields.get("path")),
        params=_dict(params),
    )


# --------------------------------------------------------------------------- returns


def encode(checked: CheckedReturn) -> str | None:
    """JSON text of a checked return, or None when it cannot be stored exactly or should not
    be (a transient outcome). The file name is left out: the same content may arrive under
    another name, and :func:`decode` puts the current one back. Raw cells and tables are
    left out too: a merge drops them (only feedback keeps them, and it bypasses the cache)."""
    raw = checked.raw
    file = raw.file
    if not raw.sha256:
        return None
    try:
        problems = [_enc_problem(p, file) for p in checked.problems]
        # validation starts its list with the reader's problems, the same objects: kept as a
        # count, so the decoded return shares them the same way
        shared = len(raw.problems)
        if shared <= len(checked.problems) and all(
            a is b for a, b in zip(raw.problems, checked.problems[:shared], strict=True)
        ):
            raw_problems: Any = shared
        else:
            raw_problems = [_enc_problem(p, file) for p in raw.problems]
        document = {
            "raw": {
                "format": raw.format, "sha256": raw.sha256, "size": raw.size, "meta": _enc(raw.meta),
                "located_by": raw.located_by, "problems": raw_problems,
            },
            "unit_code": checked.unit_code,
            "period": checked.period,
            "report_id": checked.report_id,
            "values": _enc(checked.values),
            "info": _enc(checked.info),
            "tasks": _enc(checked.tasks),
            "tables": _enc(checked.tables),
            "problems": problems,
            "foreign_reason": _enc(checked.foreign_reason),
        }
        # Vietnamese text stays as it is (half the size of \u escapes); text that is not
        # valid UTF-8 (a lone surrogate from a damaged cell) could not be stored so, and is
        # kept as escapes instead. inf/nan pass (json reads them back).
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(document, ensure_ascii=True, separators=(",", ":"))
        return text
    except (_Unencodable, ValueError, TypeError, RecursionError):
        return None


def decode(payload: Any, file: str) -> CheckedReturn | None:
    """The checked return stored by :func:`encode`, named `file`; None for anything that is
    not exactly such a payload (then the file is read again)."""
    try:
        document = _dict(json.loads(_str(payload), object_hook=_hook))
        raw_doc = _dict(document["raw"])
        problems = ProblemList(_dec_problem(p, file) for p in _list(document["problems"]))
        shared = raw_doc["problems"]
        if type(shared) is int:
            if not 0 <= shared <= len(problems):
                raise ValueError("shared problems")
            raw_problems = ProblemList(problems[:shared])
        else:
            raw_problems = ProblemList(_dec_problem(p, file) for p in _list(shared))
        meta = _dict(raw_doc["meta"])
        raw = RawReturn(
            file=file,
            format=_str(raw_doc["format"]),
            sha256=_str(raw_doc["sha256"]),
            size=_int(raw_doc["size"]),
            meta=meta,
            located_by=_str(raw_doc["located_by"]),
            problems=raw_problems,
        )
        values, info, tasks, tables = (_dict(document[k]) for k in ("values", "info", "tasks", "tables"))
        return CheckedReturn(
            raw=raw,
            unit_code=_str(document["unit_code"]),
            period=_str(document["period"]),
            report_id=_str(document["report_id"]),
            values=values,
            info=info,
            tasks=tasks,
            tables=tables,
            problems=problems,
            foreign_reason=_note(document["foreign_reason"]),
        )
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
