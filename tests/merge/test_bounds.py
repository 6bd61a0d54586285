"""What the merge keeps of each file stays bounded, whatever the file holds."""

from __future__ import annotations

from consolidate.merge.run import MAX_ERRORS_KEPT, run_merge
from tests.merge.test_register import AS_OF, write
from tests.reading import make_heavy


def test_a_return_with_thousands_of_errors_keeps_the_first_and_says_how_many_more(mini, tmp_path):
    returns = tmp_path / "in"
    returns.mkdir()
    good = write(mini, tmp_path, "SNV", 1)
    sheet = next(s.sheet for s in mini.sections if s.id == "mo_hinh")
    # 500 rows of text in every column of the table: 1,500 errors (name, number and date)
    make_heavy.xlsx_long_table(good, returns / "SNV.xlsx", 500, sheet)
    result = run_merge(mini, "2026-H1", returns, tmp_path / "out.xlsx", as_of=AS_OF, workers=1,
                       register_path=tmp_path / "reg" / "r.sqlite")
    unit = result.status["units"]["SNV"]
    assert unit["status"] == "invalid" and unit["errors"] == MAX_ERRORS_KEPT + 1
    [used] = [s.checked for s in result.decision.units[0].submissions]
    assert [p.code for p in used.problems].count("problems-omitted") == 1
    omitted = next(p for p in used.problems if p.code == "problems-omitted")
    assert int(omitted.value) == 1500 - MAX_ERRORS_KEPT and used.problems[-1] is omitted
