"""The committed sample inbox (sample_inputs/2026-H1, made by sample_inputs/make_samples.py)
merged end to end; the status JSON must match golden/sample-inputs-2026-H1.json
(regenerate with UPDATE_GOLDEN=1 after checking the difference by hand)."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest

from consolidate import resources
from consolidate.merge.run import run_merge
from consolidate.vntime import parse_as_of
from tests.merge.helpers import GOLDEN, ROOT, normalise_status

SAMPLES = ROOT / "sample_inputs" / "2026-H1"
PLAN = ROOT / "templates" / "lam-dong-2026"
EXPECTED = GOLDEN / "sample-inputs-2026-H1.json"

pytestmark = pytest.mark.skipif(not (SAMPLES / "receipts.csv").exists(), reason="sample inputs not generated")


def test_sample_inbox(tmp_path):
    before = sorted(p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*"))
    run_merge(PLAN, "2026-H1", SAMPLES, tmp_path / "tong-hop.xlsx", receipts=SAMPLES / "receipts.csv",
                       as_of=parse_as_of("2026-06-12T17:00"), json_path=tmp_path / "status.json",
                       register_path=tmp_path / "register" / "register.sqlite")
    assert sorted(p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*")) == before  # nothing written there
    document = json.loads((tmp_path / "status.json").read_text(encoding="utf-8"))
    schema = json.loads(resources.schema_path("merge-status").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    got = normalise_status(document)
    if os.environ.get("UPDATE_GOLDEN"):
        EXPECTED.write_text(json.dumps(got, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert got == json.loads(EXPECTED.read_text(encoding="utf-8"))

    # What the samples are made to show.
    units = document["units"]
    counts = document["counts"]
    assert counts["on_time"] > counts["expected"] * 0.75
    # the "no preparer" return (issue 12: contact fields only warn) is accepted with warnings;
    # the other planted errors keep their units invalid
    assert counts["late"] >= 10 and counts["invalid"] >= 3 and counts["missing"] >= 8
    assert units["22924"]["status"] == "on_time" and units["22924"]["errors"] == 0 and units["22924"]["warnings"] >= 1
    verdicts = {f["verdict"] for f in document["files"]}
    assert verdicts == {"accepted", "superseded", "rejected", "ignored"}
    # the unit whose corrected file came after the deadline (which unit: the seeded shuffle's)
    fixed_late = next(f["unit_code"] for f in document["files"] if "(lan 2 - da sua)" in f["file"])
    assert units[fixed_late]["status"] == "late" and units[fixed_late]["submissions"] == 2
    libreoffice = next(f for f in document["files"] if f["file"].endswith("-LibreOffice.xlsx"))
    assert libreoffice["verdict"] == "accepted"
    assert any(f["file"].endswith(".pdf") and f["verdict"] == "rejected" for f in document["files"])
    assert any(f["reason"].startswith("Trùng nội dung") for f in document["files"])
