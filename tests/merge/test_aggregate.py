"""Roll-up rules over accepted returns only, per group; tasks, tables and text."""

from __future__ import annotations

from consolidate.definition.model import Field
from consolidate.merge.aggregate import aggregate, roll_up, summarised_fields
from consolidate.merge.submissions import decide
from tests.merge.helpers import checked, sub, vn


def field(aggregate, type_="integer"):
    return Field(id="x", label="x", type=type_, aggregate=aggregate)


def test_roll_up_rules():
    values = [3, None, 5, "", 1]
    assert roll_up(field("sum"), values) == (9, 3)
    assert roll_up(field("mean"), values) == (3, 3)
    assert roll_up(field("min"), values) == (1, 3)
    assert roll_up(field("max"), values) == (5, 3)
    assert roll_up(field("count"), values) == (3, 3)
    assert roll_up(field("none"), values) == (None, 3)
    assert roll_up(field("sum"), [None, None]) == (None, 0)
    assert roll_up(field("mean", "number"), [1.0, 2.0, 2.0]) == (1.6666666667, 3)
    assert roll_up(field("sum", "number"), [0.1, 0.2]) == (0.3, 2)
    assert roll_up(field("count", "yesno"), ["Có", "Không", None, "có"]) == (2, 3)


def test_summarised_fields(mini):
    ids = [f.id for f in summarised_fields(mini)]
    assert ids == ["tiep_dan_buoi", "don_tiep_nhan", "don_giai_quyet", "ty_le_hai_long", "co_quy_che"]


def _decision(mini):
    tasks_snv = {"nv01": {"status": "Hoàn thành", "result": "Đã ban hành kế hoạch"},
                 "nv02": {"status": "Không thuộc phạm vi", "result": None}}
    tasks_stc = {"nv01": {"status": "Đang triển khai", "result": "x"}, "nv02": {"status": None, "result": None}}
    tasks_xa = {"nv01": {"status": "Hoàn thành", "result": "y"}, "nv02": {"status": "Hoàn thành", "result": "z"}}
    subs = [
        sub(checked("snv.xlsx", "SNV", values={"tiep_dan_buoi": 4, "don_tiep_nhan": 10, "ty_le_hai_long": 90.0,
                                               "co_quy_che": "Có", "kho_khan": "Thiếu kinh phí"},
                    tasks=tasks_snv, tables={"mo_hinh": [{"ten_mo_hinh": "A", "so_ho_huong_loi": 5},
                                                         {"ten_mo_hinh": None, "so_ho_huong_loi": None}]}),
            vn(2026, 6, 1)),
        sub(checked("stc.xlsx", "STC", values={"tiep_dan_buoi": 2, "don_tiep_nhan": None, "ty_le_hai_long": 80.0,
                                               "co_quy_che": "Không"}, tasks=tasks_stc), vn(2026, 6, 8)),
        sub(checked("xa.xlsx", "24781", values={"tiep_dan_buoi": 7, "don_tiep_nhan": 20, "co_quy_che": "Có",
                                                "de_xuat": "Tập huấn"},
                    tasks=tasks_xa, tables={"mo_hinh": [{"ten_mo_hinh": "B", "so_ho_huong_loi": 9}]}),
            vn(2026, 6, 2)),
        # invalid: never counted
        sub(checked("bad.xlsx", "SNV", values={"tiep_dan_buoi": 1000}, errors=1), vn(2026, 5, 1)),
    ]
    return decide(mini, mini.period("2026-H1"), subs, vn(2026, 6, 10))


def test_province_and_group_totals(mini):
    agg = aggregate(mini, _decision(mini))
    t = agg.field_total("tiep_dan_buoi")
    assert (t.value, t.units_reporting) == (13, 3)
    assert t.by_group == {"so-nganh": (6, 2), "xa-phuong": (7, 1)}
    t = agg.field_total("don_tiep_nhan")
    assert (t.value, t.units_reporting) == (30, 2)
    t = agg.field_total("ty_le_hai_long")
    assert (t.value, t.units_reporting) == (85, 2)
    assert t.by_group["xa-phuong"] == (None, 0)
    t = agg.field_total("co_quy_che")
    assert (t.value, t.units_reporting) == (2, 3)
    assert [u.code for u in agg.units] == ["SNV", "STC", "24781"]  # definition order


def test_invalid_returns_are_not_counted(mini):
    decision = _decision(mini)
    assert decision.unit("SNV").used.file == "snv.xlsx"
    agg = aggregate(mini, decision)
    assert agg.field_total("tiep_dan_buoi").value == 13


def test_tasks(mini):
    agg = aggregate(mini, _decision(mini))
    nv01 = agg.task("nv01")
    assert nv01.counts == {"Chưa triển khai": 0, "Đang triển khai": 1, "Hoàn thành": 2, "Không thuộc phạm vi": 0}
    assert nv01.done == 2 and nv01.share_done == 2 / 3 and nv01.blank == 0
    assert [(lead.code, lead.status, lead.result) for lead in nv01.leads] == [("SNV", "Hoàn thành", "Đã ban hành kế hoạch")]
    nv02 = agg.task("nv02")
    assert nv02.blank == 1 and nv02.counts["Không thuộc phạm vi"] == 1
    assert nv02.share_done == 1.0  # 1 done out of 1 applicable
    assert nv02.leads == [] and nv02.lead_groups == ["UBND xã, phường, đặc khu"]
    assert nv02.by_unit["24781"]["status"] == "Hoàn thành"


def test_tables_and_text(mini):
    agg = aggregate(mini, _decision(mini))
    rows = agg.tables["mo_hinh"]
    assert [(r.unit.code, r.values["ten_mo_hinh"]) for r in rows] == [("SNV", "A"), ("24781", "B")]
    answers = agg.texts["y_kien"]
    assert [(a.unit.code, a.values) for a in answers] == [
        ("SNV", {"kho_khan": "Thiếu kinh phí", "de_xuat": None}),
        ("24781", {"kho_khan": None, "de_xuat": "Tập huấn"}),
    ]
