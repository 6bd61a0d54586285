"""No silent wrong figures: notices about the folder, and the data-quality checks."""

from __future__ import annotations

import datetime as dt
import json
import statistics

from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.vntime import VN_TZ
from tests.review.conftest import AS_OF, COMMUNES, Inbox, clean_figures, set_mtimes

EVERYONE = ["SNV", "STC", *COMMUNES]


def full(plan, tmp_path, period="2026-H1", plants=None):
    box = Inbox(plan, tmp_path, period)
    for code in EVERYONE:
        box.add(code, received="01/06/2026 09:00" if period == "2026-H1" else "20/11/2026 09:00",
                set_=(plants or {}).get(code))
    return box


def flags(result):
    return {(q["unit"], q["field"], q["check"]) for q in result.status["quality"]}


def test_clean_period_flags_nothing(plan, tmp_path):
    result = full(plan, tmp_path).merge(tmp_path)
    assert result.status["quality"] == [] and result.status["notices"] == []
    assert result.status["comparison"] is None


def test_planted_thousandfold_and_peer_outlier(plan, tmp_path):
    half = full(plan, tmp_path)
    half.merge(tmp_path)
    index = {code: i for i, code in enumerate(u.code for u in plan.units)}
    x04 = clean_figures(index["X04"], "2026-Y")
    year = full(plan, tmp_path, "2026-Y", plants={
        # "5.000" typed for 5 thousandfold: ×1000 the unit's own half-year figure
        "X04": {"don_tiep_nhan": clean_figures(index["X04"])["don_tiep_nhan"] * 1000},
        # far above its peers, and not a power of ten of its past
        "X07": {"tiep_dan_buoi": 400},
        # a cumulative count lower in the year than in the half-year
        "X09": {"don_giai_quyet": 3},
    })
    result = year.merge(tmp_path)
    assert flags(result) == {
        ("X04", "don_tiep_nhan", "jump"),
        ("X04", "don_tiep_nhan", "peer-outlier"),
        ("X07", "tiep_dan_buoi", "peer-outlier"),
        ("X09", "don_giai_quyet", "cumulative-decrease"),
        ("X09", "don_giai_quyet", "peer-outlier"),
    }
    jump = next(q for q in result.status["quality"] if q["check"] == "jump")
    previous = clean_figures(index["X04"])["don_tiep_nhan"]
    assert (jump["value"], jump["reference"], jump["score"]) == (previous * 1000, previous, 1000)
    assert x04["don_tiep_nhan"] != jump["value"]  # the plant, not the clean figure
    drop = next(q for q in result.status["quality"] if q["check"] == "cumulative-decrease")
    assert (drop["value"], drop["reference"]) == (3, clean_figures(index["X09"])["don_giai_quyet"])
    outlier = next(q for q in result.status["quality"] if q["unit"] == "X07")
    communes = [result.status["units"][c]["values"]["tiep_dan_buoi"] for c in COMMUNES]
    assert outlier["score"] > 3.5 and outlier["reference"] == statistics.median(communes)
    # nothing changed: the figures are the units' own
    assert result.status["units"]["X04"]["values"]["don_tiep_nhan"] == previous * 1000
    import openpyxl

    sheet = openpyxl.load_workbook(result.summary_path)["Kiểm tra số liệu"]
    listed = {(r[1], r[4]) for r in sheet.iter_rows(values_only=True) if r[1] in ("X04", "X07", "X09")}
    assert ("X04", "Gấp 10/100/1000 lần kỳ trước") in listed and ("X07", "Khác xa các đơn vị cùng nhóm") in listed


def test_comparison_with_previous_period(plan, tmp_path):
    half = full(plan, tmp_path)
    first = half.merge(tmp_path)
    previous_json = tmp_path / "status-2026-H1.json"
    year = full(plan, tmp_path, "2026-Y")
    result = year.merge(tmp_path, compare_with=previous_json)
    comparison = result.status["comparison"]
    assert (comparison["period"], comparison["source"]) == ("2026-H1", "file")
    for fid in ("tiep_dan_buoi", "don_tiep_nhan", "don_giai_quyet"):
        before = first.status["fields"][fid]["value"]
        now = result.status["fields"][fid]["value"]
        assert comparison["fields"][fid] == {"value": now, "previous": before, "change": now - before}
        assert now - before == 5 * len(EVERYONE)  # each unit added 5
    assert comparison["units"]["X03"]["don_tiep_nhan"]["change"] == 5
    from_register = year.merge(tmp_path)  # no --compare-with: the register's half-year
    assert from_register.status["comparison"]["source"] == "register"
    assert from_register.status["comparison"]["fields"] == comparison["fields"]


def test_wrong_period_notice(plan, tmp_path):
    box = full(plan, tmp_path)
    runner = CliRunner()
    status = tmp_path / "q.json"
    out = runner.invoke(cli, ["merge", "--definition", str(plan.path.parent), "--period", "2026-Y", "--register",
                              str(box.register), "--as-of", AS_OF.isoformat(), "--json", str(status),
                              "-o", str(tmp_path / "t.xlsx"), str(box.dir)])
    assert out.exit_code == 0, out.output
    notice = next(n for n in json.loads(status.read_text(encoding="utf-8"))["notices"] if n["code"] == "wrong-period")
    assert notice["count"] == len(EVERYONE)
    assert "6 tháng đầu năm 2026" in notice["message"] and notice["message"] in out.output


def test_copied_folder_notice(plan, tmp_path):
    box = Inbox(plan, tmp_path)
    paths = [box.add(code, received=None) for code in EVERYONE]
    set_mtimes(paths, dt.datetime(2026, 6, 8, 9, 0, tzinfo=VN_TZ), dt.timedelta(seconds=3))
    result = box.merge(tmp_path)
    codes = {n["code"]: n["count"] for n in result.status["notices"]}
    assert codes == {"receipt-from-mtime": len(EVERYONE), "folder-copied": len(EVERYONE)}


def test_file_dates_spread_out_are_not_a_copy(plan, tmp_path):
    box = Inbox(plan, tmp_path)
    paths = [box.add(code, received=None) for code in EVERYONE]
    set_mtimes(paths, dt.datetime(2026, 5, 20, 9, 0, tzinfo=VN_TZ), dt.timedelta(hours=7))
    result = box.merge(tmp_path)
    assert {n["code"] for n in result.status["notices"]} == {"receipt-from-mtime"}


def test_weighted_mean_and_answers(plan, tmp_path):
    result = full(plan, tmp_path).merge(tmp_path)
    values = result.status["units"]
    rows = [(v["values"]["ty_le_hai_long"], v["values"]["so_ho_khao_sat"]) for v in values.values()]
    expected = sum(r * w for r, w in rows) / sum(w for _r, w in rows)
    entry = result.status["fields"]["ty_le_hai_long"]
    assert entry["weight"] == "so_ho_khao_sat" and abs(entry["value"] - expected) < 1e-9
    assert "trọng số" in entry["method"]
    answers = result.status["answers"]["co_quy_che"]
    assert sum(answers["counts"].values()) + answers["blank"] == len(EVERYONE)
    assert sum(answers["by_group"]["xa-phuong"].values()) <= len(COMMUNES)


def test_rare_counts_are_not_outliers(plan):
    """Most units report 0 (MAD 0): a 1 is not flagged, a thousandfold figure is."""
    from consolidate.merge.aggregate import Aggregates
    from consolidate.merge.quality import peer_outliers

    communes = [u for u in plan.units if u.group == "xa-phuong"]
    values = {u.code: {"tiep_dan_buoi": 0} for u in communes}
    values[communes[0].code]["tiep_dan_buoi"] = 1
    values[communes[1].code]["tiep_dan_buoi"] = 5000
    agg = Aggregates(fields=[], tasks=[], tables={}, texts={}, units=communes, values=values)
    assert [(f.unit, f.field) for f in peer_outliers(plan, agg)] == [(communes[1].code, "tiep_dan_buoi")]
