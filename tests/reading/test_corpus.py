"""The reading corpus (issue 15): every file of tests/corpus/public (from public test corpora)
and every file the project makes (tests/reading/corpus_made.py) goes through read_file and
through `consolidate validate` and `consolidate merge` on one folder. No exception, every
file listed, each file's codes as tests/corpus/expected.yaml says, the merge's summary,
status JSON and register written."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import python_calamine
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from consolidate.cli.main import cli
from consolidate.definition.layout import layout_for
from consolidate.reading import read_file
from consolidate.validation import validate_returns
from tests.reading import corpus_made
from tests.reading.make_corpus import MINI
from tests.reading.test_reading import assert_values

MANIFEST = yaml.safe_load((corpus_made.CORPUS / "expected.yaml").read_text(encoding="utf-8"))
EXPECTED = {f"public/{k}": v for k, v in MANIFEST["public"].items()} | {
    f"made/{k}": v for k, v in MANIFEST["made"].items()}
WARNINGS = {"names-missing", "file-macros-ignored"}
AS_OF = "2026-06-10T08:00"
SCHEMAS = corpus_made.ROOT / "schemas"


def _valid_against(document: dict, schema: str) -> None:
    Draft202012Validator(json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))).validate(document)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, libreoffice_return):
    """The returns folder (public/..., made/...) and the values written into made returns."""
    from consolidate.definition import loader as definitions

    root = tmp_path_factory.mktemp("corpus") / "nhan-ve"
    shutil.copytree(corpus_made.CORPUS / "public", root / "public")
    made = corpus_made.build(definitions.load(MINI), root / "made", libreoffice_return)
    shutil.rmtree(root / "made-work")
    values = {f"made/{name}": v for name, (_, v) in made.items() if v is not None}
    return root, values


def test_manifest_lists_exactly_the_corpus(corpus):
    root, _ = corpus
    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert found == set(EXPECTED)
    assert sum(p.stat().st_size for p in (corpus_made.CORPUS / "public").rglob("*")) < 3 * 1024 * 1024


def _codes(problems) -> list[str]:
    return sorted({p.code for p in problems})


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_reads_as_the_manifest_says(corpus, mini_def, name):
    root, values = corpus
    expected = EXPECTED[name]
    ret = read_file(root / name, mini_def, display_name=name)
    assert ret.file == name
    checked = validate_returns([ret], mini_def, None).returns[0]
    if "rejected" in expected:
        assert not ret.readable and [p.code for p in ret.problems] == [expected["rejected"]]
        assert ret.cells == {} and ret.tables == {}
        assert [p.file for p in ret.problems] == [name]
    else:
        assert ret.readable and ret.format == expected["format"]
        assert _codes(checked.problems) == sorted(expected["codes"])
    if name in values and not expected.get("codes"):
        assert_values(ret, values[name], layout_for(mini_def))


def _validate_json(root: Path) -> dict:
    result = CliRunner().invoke(cli, ["validate", "-d", str(MINI), "-p", "2026-H1", "--as-of", AS_OF, "--json",
                                      str(root)], catch_exceptions=False)
    assert result.exit_code == 1, result.output  # the corpus holds files with errors
    report = json.loads(result.output)
    _valid_against(report, "validation-report.schema.json")
    return report


def test_validate_lists_every_file_with_its_codes(corpus):
    root, _ = corpus
    report = _validate_json(root)
    files = {Path(f["file"]).relative_to(root).as_posix(): f for f in report["files"]}
    assert len(report["files"]) == len(files) == len(EXPECTED) == report["counts"]["files"]
    assert set(files) == set(EXPECTED)
    for name, expected in EXPECTED.items():
        got = files[name]
        codes = sorted({p["code"] for p in got["problems"]})
        if "rejected" in expected:
            assert (codes, got["valid"]) == ([expected["rejected"]], False), name
        else:
            assert (got["format"], codes) == (expected["format"], sorted(expected["codes"])), name
            assert got["valid"] == (set(codes) <= WARNINGS), name


def test_merge_finishes_and_lists_every_file(corpus, tmp_path):
    root, _ = corpus
    out, status, register = tmp_path / "tong-hop.xlsx", tmp_path / "trang-thai.json", tmp_path / "so.sqlite"
    result = CliRunner().invoke(cli, ["merge", "-d", str(MINI), "-p", "2026-H1", "--as-of", AS_OF, "--register",
                                      str(register), "--out", str(out), "--json", str(status), str(root)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and register.stat().st_size > 0
    data = json.loads(status.read_text(encoding="utf-8"))
    _valid_against(data, "merge-status.schema.json")
    files = {f["file"]: f for f in data["files"]}
    assert len(data["files"]) == len(files) and set(files) == set(EXPECTED)
    for name, expected in EXPECTED.items():
        verdict = files[name]["verdict"]
        if "rejected" in expected:
            assert verdict == "rejected", name
        elif "meta-missing" in expected["codes"]:
            assert verdict == "ignored", name  # a workbook, but not a return of this report
        elif set(expected["codes"]) - WARNINGS:
            assert verdict in ("rejected", "superseded"), name  # never summed
        else:
            assert verdict in ("accepted", "superseded"), name
        assert files[name]["reason"] or verdict == "accepted", name
    _summary_numbers_read_back(out)


def _summary_numbers_read_back(path: Path) -> None:
    """Every number the summary holds is finite and sane: none of the corpus's 1e308s or
    infinities reached a sum."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    numbers = 0
    for sheet in book.sheet_names:
        for row in book.get_sheet_by_name(sheet).to_python():
            for value in row:
                if isinstance(value, float) and not isinstance(value, bool):
                    numbers += 1
                    assert math.isfinite(value) and abs(value) < 1e15, (sheet, value)
    assert numbers > 0
