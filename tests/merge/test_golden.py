"""Golden cases: returned files built with the template writer, merged end to end; the
status JSON must match tests/merge/golden/<case>/expected.json (regenerate with
UPDATE_GOLDEN=1 after checking the difference by hand)."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest

from consolidate import resources
from consolidate.merge.run import run_merge
from consolidate.vntime import parse_as_of
from tests.merge.helpers import GOLDEN, build_returns, load_case, normalise_status

CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "case.yaml").exists())


def schema():
    return json.loads(resources.schema_path("merge-status").read_text(encoding="utf-8"))


def merge_case(name, tmp_path, workers=0):
    case = load_case(name)
    returns = build_returns(case, tmp_path / "returns" / case["period"])
    receipts = case["folder"] / "receipts.csv"
    result = run_merge(
        case["definition_path"], case["period"], returns, tmp_path / "tong-hop.xlsx",
        receipts=receipts if receipts.exists() else None,
        as_of=parse_as_of(case["as_of"]), json_path=tmp_path / "status.json", workers=workers,
    )
    return case, result


@pytest.mark.parametrize("name", CASES)
def test_golden_status(name, tmp_path):
    case, result = merge_case(name, tmp_path)
    document = json.loads((tmp_path / "status.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(document)
    assert document == result.status
    expected_file = case["folder"] / "expected.json"
    got = normalise_status(document)
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(json.dumps(got, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert got == expected


def test_golden_with_worker_processes(tmp_path):
    """The same result through the isolated reader (worker processes)."""
    case, result = merge_case("mini-after-deadline", tmp_path, workers=2)
    expected = json.loads((case["folder"] / "expected.json").read_text(encoding="utf-8"))
    assert normalise_status(result.status) == expected
