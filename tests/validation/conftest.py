"""Build RawReturn objects for the mini definition directly, without the reader."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from consolidate.definition.layout import cell_address, layout_for
from consolidate.validation.returns import RawCell, RawReturn

AS_OF = dt.date(2026, 6, 10)

GOOD_VALUES: dict[str, Any] = {
    "unit_code": "SNV",
    "unit_name": "Sở Nội vụ",
    "period_label": "6 tháng đầu năm 2026",
    "due_date": "05/06/2026",
    "preparer": "Nguyễn Văn A",
    "preparer_position": "Chuyên viên",
    "preparer_phone": "0263 3000 001",
    "report_date": dt.datetime(2026, 6, 1),
    "tiep_dan_buoi": 12,
    "don_tiep_nhan": 30,
    "don_giai_quyet": 28,
    "ty_le_hai_long": 92.5,
    "co_quy_che": "Có",
    "muc_do": "Tốt",
    "ngay_hoi_nghi": dt.datetime(2026, 5, 20),
    "nv01_status": "Hoàn thành",
    "nv01_result": "Đã ban hành kế hoạch",
    "nv02_status": "Đang triển khai",
    "nv02_result": "",
    "kho_khan": "Không có",
    "de_xuat": None,
}
GOOD_ROWS = [
    {"ten_mo_hinh": "Dân vận khéo trong cải cách hành chính", "linh_vuc": "Kinh tế", "so_ho_huong_loi": 120,
     "ngay_cong_nhan": dt.datetime(2026, 3, 1)},
]


def make_raw(definition, overrides: dict[str, Any] | None = None, *, rows=None, meta=None,
             file: str = "snv.xlsx", drop: tuple[str, ...] = ()) -> RawReturn:
    """A return of unit SNV for 2026-H1; `overrides` maps a cell name to a value or a RawCell."""
    layout = layout_for(definition)
    values = {**GOOD_VALUES, **(overrides or {})}
    cells: dict[str, RawCell] = {}
    for name, spec in layout.cells.items():
        if name in drop:
            continue
        value = values.get(name)
        cells[name] = value if isinstance(value, RawCell) else RawCell(spec.sheet, spec.address, value)
    table = layout.tables["mo_hinh"]
    raw_rows = []
    for i, row in enumerate(GOOD_ROWS if rows is None else rows):
        raw_row = {}
        for j, col in enumerate(table.section.fields):
            value = row.get(col.id)
            address = cell_address(table.header_row + 1 + i, table.first_col + j)
            raw_row[col.id] = value if isinstance(value, RawCell) else RawCell(table.sheet, address, value)
        raw_rows.append(raw_row)
    default_meta = {
        "report_id": definition.id,
        "definition_version": str(definition.version),
        "period": "2026-H1",
        "unit_code": "SNV",
        "fingerprint": layout.fingerprint,
    }
    return RawReturn(
        file=file, format="xlsx", meta=default_meta if meta is None else meta,
        cells=cells, tables={"mo_hinh": raw_rows},
    )


@pytest.fixture
def raw_of(mini):
    def build(overrides=None, **kwargs):
        return make_raw(mini, overrides, **kwargs)

    return build
