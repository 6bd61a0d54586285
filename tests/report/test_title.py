"""The report's trích yếu names the period being reported, wherever the plan's title puts
its year, or after the title when it names none."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from consolidate.report.context import _summary_title


@pytest.mark.parametrize(("title", "label", "expected"), [
    ("Báo cáo kết quả thực hiện dân chủ ở cơ sở năm 2026 trên địa bàn xã Bình Chương", "6 tháng đầu năm 2026",
     "Kết quả thực hiện dân chủ ở cơ sở 6 tháng đầu năm 2026 trên địa bàn xã Bình Chương"),
    ("Báo cáo tình hình, kết quả thực hiện công tác dân vận chính quyền năm 2026", "Quý I/2026",
     "Tình hình, kết quả thực hiện công tác dân vận chính quyền quý I/2026"),
    ("Báo cáo kết quả công tác dân vận chính quyền năm 2026", "Năm 2026", "Kết quả công tác dân vận chính quyền năm 2026"),
    ("Báo cáo kết quả công tác dân vận chính quyền", "6 tháng đầu năm 2026",
     "Kết quả công tác dân vận chính quyền 6 tháng đầu năm 2026"),
    ("Báo cáo kết quả 6 tháng đầu năm 2026", "6 tháng đầu năm 2026", "Kết quả 6 tháng đầu năm 2026"),
])
def test_title_names_the_period(title, label, expected):
    assert _summary_title(SimpleNamespace(title=title), label) == expected
