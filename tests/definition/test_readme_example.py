"""The definition example in README.md is a definition the tool accepts."""

from __future__ import annotations

import re

from consolidate.definition import loader as definitions
from tests.conftest import ROOT


def test_readme_example_loads(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    plan = tmp_path / "ten-moi-2027"
    plan.mkdir()
    (plan / "definition.yaml").write_text(example, encoding="utf-8")
    (plan / "don-vi.csv").write_text("code,name,group\nSNV,Sở Nội vụ,so-nganh\n", encoding="utf-8")
    d = definitions.load(plan)
    assert d.id == "ten-moi-2027"
    assert [s.type for s in d.sections] == ["fields", "tasks", "table", "text"]
    assert len(d.expected_units("2027-H1")) == 125


def test_readme_provenance_example_fits_the_first(tmp_path):
    """The second example (copy_to, parents, registry names, task periods, provenance) is
    accepted on top of the first."""
    import yaml

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first, second = (yaml.safe_load(m) for m in re.findall(r"```yaml\n(.*?)```", text, re.S)[:2])
    first["copy_to"], first["groups"], first["provenance"] = second["copy_to"], second["groups"], second["provenance"]
    first["units"]["registry"]["names"] = second["units"]["registry"]["names"]
    first["periods"].append({"id": "2027-Y", "label": "Năm 2027", "start": "2026-12-15", "end": "2027-12-14",
                             "due_before": "2027-11-30"})
    first["sections"][1]["tasks"].append(second["sections"][0]["tasks"][0])
    plan = tmp_path / "ten-moi-2027"
    plan.mkdir()
    (plan / "definition.yaml").write_text(yaml.safe_dump(first, allow_unicode=True), encoding="utf-8")
    (plan / "don-vi.csv").write_text("code,name,group\nSNV,Sở Nội vụ,so-nganh\n", encoding="utf-8")
    d = definitions.load(plan)
    assert d.unit("24718").name == "Xã Đắk Song"
    assert d.copy_to[0].email == "bdv@example.gov.vn"
    assert [m.path for m in d.unconfirmed()] == ["periods.*.end", "units.csv"]
