"""Every kind of broken definition is rejected with the key path of the problem."""

from __future__ import annotations

import pytest
import yaml

from consolidate.definition import loader as definitions


def _broken(plan, mutate):
    file = plan / "definition.yaml"
    raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    mutate(raw)
    file.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(definitions.DefinitionError) as info:
        definitions.load(plan)
    return info.value.problems


def _paths(problems):
    return {(p.code, p.path) for p in problems}


CASES = [
    ("missing-title", lambda r: r.pop("title"), ("definition-invalid", "(gốc)")),
    ("version-text", lambda r: r.__setitem__("version", "một"), ("definition-invalid", "version")),
    ("period-id", lambda r: r["periods"][0].__setitem__("id", "2026-6T"), ("definition-invalid", "periods[0].id")),
    ("no-due-before", lambda r: r["periods"][1].pop("due_before"), ("definition-invalid", "periods[1]")),
    ("bad-date", lambda r: r["periods"][0].__setitem__("due_before", "05/06/2026"),
     ("definition-invalid", "periods[0].due_before")),
    ("field-type", lambda r: r["sections"][0]["fields"][0].__setitem__("type", "float"),
     ("definition-invalid", "sections[0].fields[0].type")),
    ("typo-key", lambda r: r["sections"][0]["fields"][1].__setitem__("requird", True),
     ("definition-invalid", "sections[0].fields[1]")),
    ("choice-without-choices", lambda r: r["sections"][0]["fields"][5].pop("choices"),
     ("definition-invalid", "sections[0].fields[5]")),
    ("bad-aggregate", lambda r: r["sections"][0]["fields"][0].__setitem__("aggregate", "total"),
     ("definition-invalid", "sections[0].fields[0].aggregate")),
    ("rule-op", lambda r: r["rules"][0].__setitem__("op", "=<"), ("definition-invalid", "rules[0].op")),
]


@pytest.mark.parametrize("name,mutate,expected", CASES, ids=[c[0] for c in CASES])
def test_schema_rejects_with_path(mini_copy, name, mutate, expected):
    assert expected in _paths(_broken(mini_copy, mutate))


REFERENCE_CASES = [
    ("rule-unknown-field", lambda r: r["rules"][0].__setitem__("left", "don_da_xu_ly"), "rules[0].left"),
    ("rule-text-field", lambda r: r["rules"][0].__setitem__("right", "kho_khan"), "rules[0].right"),
    ("rule-syntax", lambda r: r["rules"][0].__setitem__("left", "don_giai_quyet + (1"), "rules[0].left"),
    ("rule-no-eval", lambda r: r["rules"][0].__setitem__("left", "__import__('os')"), "rules[0].left"),
    ("task-lead-unknown", lambda r: r["sections"][1]["tasks"][0].__setitem__("lead", ["SO-KHONG-CO"]),
     "sections[1].tasks[0].lead[0]"),
    ("duplicate-field", lambda r: r["sections"][0]["fields"][1].__setitem__("id", "tiep_dan_buoi"),
     "sections[0].fields[1].id"),
    ("duplicate-period", lambda r: r["periods"][1].__setitem__("id", "2026-H1"), "periods[1].id"),
    ("cell-like-id", lambda r: r["sections"][0]["fields"][0].__setitem__("id", "tc12"), "sections[0].fields[0].id"),
    ("reserved-id", lambda r: r["sections"][0]["fields"][0].__setitem__("id", "unit_code"), "sections[0].fields[0].id"),
    ("end-before-start", lambda r: r["periods"][0].__setitem__("end", "2025-01-01"), "periods[0].end"),
    ("done-status-unknown", lambda r: r["sections"][1].__setitem__("done_statuses", ["Xong"]),
     "sections[1].done_statuses[0]"),
    ("sum-of-text", lambda r: r["sections"][0]["fields"][5].__setitem__("aggregate", "sum"),
     "sections[0].fields[5].aggregate"),
    ("units-csv-missing", lambda r: r["units"].__setitem__("csv", "khong-co.csv"), "units.csv"),
    ("registry-bad-province", lambda r: r["units"].__setitem__("registry", {"province_code": 99, "group": "xa-phuong"}),
     "units.registry.province_code"),
]


@pytest.mark.parametrize("name,mutate,path", REFERENCE_CASES, ids=[c[0] for c in REFERENCE_CASES])
def test_cross_references_checked(mini_copy, name, mutate, path):
    assert ("definition-invalid", path) in _paths(_broken(mini_copy, mutate))


def test_every_problem_reported_at_once(mini_copy):
    def many(raw):
        raw.pop("title")
        raw["periods"][0]["id"] = "H1"
        raw["sections"][0]["fields"][0]["type"] = "float"

    problems = _broken(mini_copy, many)
    assert len(problems) >= 3


def test_unknown_group_of_unit(mini_copy):
    (mini_copy / "don-vi.csv").write_text("code,name,group\nSNV,Sở Nội vụ,so-khac\n", encoding="utf-8")
    with pytest.raises(definitions.DefinitionError) as info:
        definitions.load(mini_copy)
    assert any(p.path == "units" and "so-khac" in p.message for p in info.value.problems)


def test_yaml_syntax_error(mini_copy):
    (mini_copy / "definition.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(definitions.DefinitionError) as info:
        definitions.load(mini_copy)
    assert info.value.problems[0].code == "definition-unreadable"


def test_missing_file(tmp_path):
    with pytest.raises(definitions.DefinitionError) as info:
        definitions.load(tmp_path / "nowhere")
    assert info.value.problems[0].code == "definition-unreadable"
