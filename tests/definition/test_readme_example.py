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
