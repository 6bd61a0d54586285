"""Load a report definition: YAML → schema check → cross-reference check → model.

Every problem is collected before anything is raised, so a specialist fixing a definition
sees the whole list at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from consolidate import resources
from consolidate.definition import provenance
from consolidate.definition.model import (
    DEFAULT_DONE_STATUSES,
    DEFAULT_TASK_STATUSES,
    Collector,
    Definition,
    Field,
    Group,
    Period,
    Recipient,
    Rule,
    Section,
    Task,
)
from consolidate.definition.references import DefinitionProblem, check_references, nfc
from consolidate.definition.schema_messages import explain, key_path, leaf_errors
from consolidate.definition.units import load_units
from consolidate.i18n import N_, Text, _
from consolidate.problems import ConsolidateError, Problem, ProblemList

DEFINITION_FILE = "definition.yaml"
SHEET_NAME_BAD = re.compile(r"[\\/?*\[\]:]")


@dataclass
class DefinitionUnreadable(Problem):
    code = "definition-unreadable"
    template = N_("Không đọc được tệp định nghĩa {file}: {note}")


class DefinitionError(ConsolidateError):
    """Raised with every problem of a definition that cannot be used."""

    code = "definition-invalid"

    def __init__(self, problems: ProblemList):
        super().__init__(problems=problems)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join([_("Định nghĩa báo cáo không dùng được:")] + [f"  - {p.message}" for p in self.problems])


def resolve_path(path: str | Path) -> Path:
    """A plan folder or its YAML file."""
    p = Path(path)
    if p.is_dir():
        p = p / DEFINITION_FILE
    return p


def load(path: str | Path) -> Definition:
    """Load and check a definition; raise DefinitionError listing every problem."""
    file = resolve_path(path)
    return _load_cached(str(file.resolve()) if file.exists() else str(file), _mtime(file))


def _mtime(file: Path) -> float:
    try:
        return file.stat().st_mtime
    except OSError:
        return 0.0


@lru_cache(maxsize=16)
def _load_cached(file_name: str, _mtime_key: float) -> Definition:
    file = Path(file_name)
    digest = hashlib.sha256()
    raw = read_yaml(file, digest)
    problems = check_document(raw, file)
    if problems.errors:
        raise DefinitionError(problems)
    definition = build(raw, file)
    # What the definition is made of, for caches of results derived from it (the merge's
    # validation cache): the YAML bytes that were parsed (hashed from the same read, so an
    # edit racing the load cannot pair new content with an old hash) and the units as
    # loaded, which covers every CSV the units come from and the official registry's data.
    digest.update(b"\0units\0" + repr(definition.units).encode("utf-8", "surrogatepass"))
    definition.content_hash = digest.hexdigest()
    return definition


def read_yaml(file: Path, digest: Any = None) -> dict:
    """The YAML document of a definition file; `digest` (a hashlib object), when given, is
    fed the exact bytes that were parsed."""
    try:
        data = file.read_bytes()
        if digest is not None:
            digest.update(data)
        # what Path.read_text(encoding="utf-8-sig") gives: BOM dropped, universal newlines
        text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        raise DefinitionError(ProblemList([DefinitionUnreadable(file=str(file), note=Text("không tìm thấy tệp"))])) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(ProblemList([DefinitionUnreadable(file=str(file), note=str(exc))])) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = str(getattr(exc, "problem", exc))
        if mark:
            note = Text("dòng {line}, cột {column}: lỗi cú pháp YAML ({problem})", line=mark.line + 1,
                        column=mark.column + 1, problem=problem)
        else:
            note = Text("lỗi cú pháp YAML ({problem})", problem=problem)
        raise DefinitionError(ProblemList([DefinitionUnreadable(file=str(file), note=note)])) from None
    if not isinstance(raw, dict):
        raise DefinitionError(
            ProblemList([DefinitionUnreadable(file=str(file), note=Text("tệp phải là một mục YAML có các khóa (id, title, …)"))])
        )
    return _plain(raw)


def _plain(value: Any) -> Any:
    """YAML turns 2026-06-05 into a date; the schema works on ISO strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads(resources.schema_path("report-definition").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def check_document(raw: dict, file: Path) -> ProblemList:
    problems = ProblemList()
    seen: set[tuple[str, str]] = set()
    for error in leaf_errors(_validator().iter_errors(raw)):
        path = key_path(error.absolute_path)
        note = explain(error)
        if (path, note) in seen:
            continue
        seen.add((path, note))
        problems.append(DefinitionProblem(file=str(file), path=path, note=note))
    if not problems:
        problems.extend(check_references(raw, file))
    return problems


def build(raw: dict, file: Path) -> Definition:
    groups = tuple(Group(g["id"], g["label"], parent=g.get("parent", "")) for g in raw.get("groups", []))
    periods = tuple(
        Period(
            id=p["id"],
            label=p["label"],
            start=dt.date.fromisoformat(p["start"]),
            end=dt.date.fromisoformat(p["end"]),
            due_before=dt.date.fromisoformat(p["due_before"]),
        )
        for p in raw["periods"]
    )
    sections = tuple(_section(s) for s in raw["sections"])
    rules = tuple(
        Rule(
            id=r["id"],
            left=str(r["left"]),
            op=r["op"],
            right=str(r["right"]),
            severity=r.get("severity", "error"),
            message=r["message"],
        )
        for r in raw.get("rules", [])
    )
    collector = raw["collector"]
    return Definition(
        id=raw["id"],
        version=raw["version"],
        title=raw["title"],
        short_title=raw.get("short_title", ""),
        issuer=raw["issuer"],
        collector=Collector(
            name=collector["name"],
            email=collector.get("email", ""),
            phone=collector.get("phone", ""),
            address=collector.get("address", ""),
            sender=collector.get("sender", ""),
        ),
        plan_reference=raw.get("plan_reference", ""),
        copy_to=tuple(
            Recipient(c) if isinstance(c, str) else Recipient(c["name"], c.get("email", ""))
            for c in raw.get("copy_to", [])
        ),
        provenance=provenance.build(raw),
        report_template=raw.get("report_template", ""),
        province_name=raw.get("province", {}).get("name", ""),
        default=bool(raw.get("default", False)),
        periods=periods,
        groups=groups,
        units=tuple(load_units(raw["units"], file.parent)),
        sections=sections,
        rules=rules,
        warn_only=frozenset(raw.get("acceptance", {}).get("warn", ())),
        path=file,
    )


def _field(f: dict) -> Field:
    return Field(
        id=f["id"],
        label=f["label"],
        type=f["type"],
        unit=f.get("unit", ""),
        required=bool(f.get("required", False)),
        min=f.get("min"),
        max=f.get("max"),
        max_length=f.get("max_length"),
        choices=tuple(f.get("choices", ())),
        aggregate=f.get("aggregate", "sum" if f["type"] in ("integer", "number") else "none"),
        help=f.get("help", ""),
        heading=f.get("heading", ""),
        weight=f.get("weight", ""),
    )


def _section(s: dict) -> Section:
    sheet = nfc(s.get("sheet") or s["title"])[:31]
    sheet = SHEET_NAME_BAD.sub(" ", sheet).strip().strip("'")
    common = dict(id=s["id"], type=s["type"], title=s["title"], sheet=sheet, help=s.get("help", ""))
    if s["type"] == "tasks":
        return Section(
            **common,
            tasks=tuple(
                Task(
                    id=t["id"],
                    title=t["title"],
                    lead=tuple(t.get("lead", ())),
                    lead_text=t.get("lead_text", ""),
                    coordinating=tuple(t.get("coordinating", ())),
                    coordinating_text=t.get("coordinating_text", ""),
                    timing=t.get("timing", ""),
                    due_before=dt.date.fromisoformat(t["due_before"]) if t.get("due_before") else None,
                    periods=tuple(t.get("periods", ())),
                )
                for t in s["tasks"]
            ),
            statuses=tuple(s.get("statuses", DEFAULT_TASK_STATUSES)),
            done_statuses=tuple(s.get("done_statuses", DEFAULT_DONE_STATUSES)),
            result_max_length=s.get("result_max_length", 2000),
        )
    if s["type"] == "table":
        return Section(**common, fields=tuple(_field(c) for c in s["columns"]), rows=s.get("rows", 20))
    return Section(**common, fields=tuple(_field(f) for f in s["fields"]))


def shipped(root: Path | None = None) -> list[Path]:
    """Definition files shipped in templates/, one folder per plan."""
    base = root or resources.templates_dir()
    return sorted(p for p in base.glob(f"*/{DEFINITION_FILE}"))


def default_definition() -> Path:
    """The plan marked `default: true`; the first shipped one otherwise."""
    files = shipped()
    for file in files:
        head = file.read_text(encoding="utf-8")[:4000]
        if re.search(r"^default:\s*true\s*$", head, re.M):
            return file
    if not files:
        raise DefinitionError(ProblemList([DefinitionUnreadable(file="templates/", note=Text("không có định nghĩa nào"))]))
    return files[0]
