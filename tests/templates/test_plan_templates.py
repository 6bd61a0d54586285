"""What each shipped plan's template tells a unit (issue 14): the Nghị định 30/2020 header,
the data window, whose deadline it is, the copies, and which tasks the unit leads and which
it co-ordinates."""

from __future__ import annotations

import openpyxl
import pytest

from consolidate.definition import loader as definitions
from consolidate.definition.layout import INFO_SHEET, INSTRUCTIONS_SHEET, TASK_STATUS_COL
from consolidate.definition.sample_values import filled_values
from consolidate.reading import read_file
from consolidate.template.writer import write_template
from consolidate.validation.checker import check_return

PLANS = definitions.resources.templates_dir()
SHIPPED = definitions.shipped()
IDS = [p.parent.name for p in SHIPPED]


def texts(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def template(d, unit, period, tmp_path, values=None):
    path = write_template(d, unit, period, tmp_path / f"{unit.code if unit else 'blank'}.xlsx", values=values)
    return path, openpyxl.load_workbook(path)


@pytest.mark.parametrize("path", SHIPPED, ids=IDS)
def test_every_plan_states_window_header_and_roles(path, tmp_path):
    d = definitions.load(path)
    period = d.periods[-1]
    # a unit that co-ordinates (and does not lead) at least one task, if the plan has one
    tasks = [t for s in d.sections_of("tasks") for t in s.tasks]

    def supports(u, t):
        mine = {u.code, u.group, "all"}
        return bool(mine & set(t.coordinating)) and not mine & set(t.lead)

    unit = next((u for u in d.expected_units(period.id) if any(supports(u, t) for t in tasks)),
                d.expected_units(period.id)[0])
    _, wb = template(d, unit, period, tmp_path)
    window = f"{period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}"
    assert any(window in t for t in texts(wb[INSTRUCTIONS_SHEET]))
    assert any(window in t for t in texts(wb[INFO_SHEET]))
    chi_tieu = wb[d.sections_of("fields")[0].sheet]
    assert f"{period.start:%d/%m/%Y} đến {period.end:%d/%m/%Y}" in chi_tieu["A2"].value
    info = wb[INFO_SHEET]
    parent = d.parent_of(unit)
    if parent:
        assert info["A1"].value == parent.upper() and info["A2"].value
        assert info["A2"].value in unit.name.upper()
    assert info["A3"].value.startswith("Số:") and info["A3"].protection.locked is False
    assert "ngày" in info["C3"].value and info["C3"].protection.locked is False
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in texts(info)
    for section in d.sections_of("tasks"):
        ws = wb[section.sheet]
        assert ws.cell(row=4, column=TASK_STATUS_COL).value == "Vai trò của đơn vị"
        assert ws.cell(row=4, column=4).value == "Đơn vị phối hợp"
    roles = {wb[s.sheet].cell(row=5 + i, column=TASK_STATUS_COL).value
             for s in d.sections_of("tasks") for i in range(len(s.tasks))}
    if any(supports(unit, t) for t in tasks):
        assert "Phối hợp" in roles
    guide = " ".join(texts(wb[INSTRUCTIONS_SHEET]))
    assert "Di chuột" not in guide and "Bấm chọn một ô" in guide


def test_lam_dong_commune_and_department_headers_and_roles(tmp_path):
    d = definitions.load(PLANS / "lam-dong-2026")
    period = d.period("2026-H1")
    _, wb = template(d, d.unit("24853"), period, tmp_path)
    info = wb[INFO_SHEET]
    assert (info["A1"].value, info["A2"].value) == ("ỦY BAN NHÂN DÂN", "XÃ ĐAM RÔNG 4")
    _, snv = template(d, d.unit("SNV"), period, tmp_path)
    assert (snv[INFO_SHEET]["A1"].value, snv[INFO_SHEET]["A2"].value) == ("ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "SỞ NỘI VỤ")
    tasks = d.sections_of("tasks")[0].tasks
    commune = d.unit("24853")
    for i, task in enumerate(tasks):
        role = wb["Nhiệm vụ"].cell(row=5 + i, column=TASK_STATUS_COL).value
        if "xa-phuong" in task.lead:
            assert role == "Chủ trì", task.id
        elif "xa-phuong" in task.coordinating or commune.code in task.coordinating:
            assert role == "Phối hợp", task.id
    guide = texts(wb[INSTRUCTIONS_SHEET])
    assert any("Hạn gửi: trước ngày 05/06/2026." in t for t in guide)  # the plan's own deadline
    assert not any("Đồng gửi" in t for t in guide)  # Lâm Đồng asks for no copies


def test_nghe_an_deadline_is_the_collectors_and_copy_is_said(tmp_path):
    d = definitions.load(PLANS / "nghe-an-2026")
    period = d.period("2026-H1")
    _, wb = template(d, d.expected_units(period.id)[0], period, tmp_path)
    guide = texts(wb[INSTRUCTIONS_SHEET])
    assert any("Hạn gửi (do Sở Nội vụ tỉnh Nghệ An đặt): trước ngày 20/06/2026." in t for t in guide)
    assert not any("Hạn gửi: trước" in t for t in guide)
    assert any(t.startswith("Đồng gửi: Ban Tuyên giáo và Dân vận Tỉnh ủy") for t in guide)
    assert any("do Sở Nội vụ tỉnh Nghệ An đặt" in t for t in texts(wb[INFO_SHEET]))
    quarter = wb["Nhiệm vụ theo quý"]
    later = [quarter.cell(row=5 + i, column=5).value for i, t in enumerate(d.sections_of("tasks")[1].tasks)
             if t.periods]
    assert later and all("báo cáo ở kỳ Năm 2026" in v for v in later)


def test_gia_lai_copy_and_van_phong_without_gia_lai(tmp_path):
    gl = definitions.load(PLANS / "gia-lai-2025")
    _, wb = template(gl, gl.units[0], gl.periods[0], tmp_path)
    assert any(t.startswith("Đồng gửi: Ban Dân vận Tỉnh ủy") for t in texts(wb[INSTRUCTIONS_SHEET]))
    vp = definitions.load(PLANS / "van-phong-ubnd-2026")
    _, wb = template(vp, vp.unit("KT"), vp.periods[0], tmp_path)
    shown = [t for name in wb.sheetnames if name != "_meta" for t in texts(wb[name])]
    assert not [t for t in shown if "Gia Lai" in t]
    assert (wb[INFO_SHEET]["A1"].value, wb[INFO_SHEET]["A2"].value) == ("VĂN PHÒNG UBND TỈNH", "PHÒNG KINH TẾ")
    assert any("Hạn gửi (do Phòng Hành chính - Tổ chức đặt)" in t for t in shown)


def test_nghe_an_six_month_return_with_quarters_one_and_two_validates(tmp_path):
    d = definitions.load(PLANS / "nghe-an-2026")
    period = d.period("2026-H1")
    unit = next(u for u in d.units if u.group == "xa-phuong")
    later = {t.id for s in d.sections_of("tasks") for t in s.tasks if not t.reported_in(period.id)}
    assert {"quy3_chuong_trinh_nam", "quy4_bai_bao_dan_van", "quy4_tong_ket"} <= later
    values = filled_values(d, unit, period, seed="h1")
    for task_id in later:
        values.pop(f"{task_id}_status", None)
        values.pop(f"{task_id}_result", None)
    path, _ = template(d, unit, period, tmp_path, values=values)
    checked = check_return(read_file(path, d), d, period.id, as_of=period.due_before)
    assert checked.errors == 0 and "task-status-missing" not in {p.code for p in checked.problems}
    # the annual report does ask for them
    year = d.period("2026-Y")
    values = filled_values(d, unit, year, seed="y")
    values.pop("quy4_tong_ket_status")
    path = write_template(d, unit, year, tmp_path / "y.xlsx", values=values)
    checked = check_return(read_file(path, d), d, year.id, as_of=year.due_before)
    assert [p.field_id for p in checked.problems if p.code == "task-status-missing"] == ["quy4_tong_ket_status"]
