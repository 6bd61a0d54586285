"""Every shipped plan says what its seed text says; what the plan does not state carries its
provenance, and `consolidate check` lists it for the collector to confirm (issue 14)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.definition import loader as definitions
from consolidate.merge.aggregate import summarised_fields
from consolidate.problems import ConsolidateError

PLANS = definitions.resources.templates_dir()
SHIPPED = definitions.shipped()
IDS = [p.parent.name for p in SHIPPED]
MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini"


def plan(name: str):
    return definitions.load(PLANS / name)


def run_check(path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", str(path)])
    return result.exit_code, result.output


@pytest.mark.parametrize("path", SHIPPED, ids=IDS)
def test_check_lists_every_value_not_from_the_plan(path):
    d = definitions.load(path)
    unconfirmed = d.unconfirmed()
    assert unconfirmed, "each shipped plan leaves something to the collector"
    code, out = run_check(path.parent)
    assert code == 0, out
    listed = [line for line in out.splitlines() if "[value-not-from-plan]" in line]
    assert sorted(line.split("] ", 1)[1].split(":", 1)[0] for line in listed) == sorted(m.path for m in unconfirmed)


@pytest.mark.parametrize("path", SHIPPED, ids=IDS)
def test_every_period_date_has_a_source(path):
    d = definitions.load(path)
    for period in d.periods:
        for key in ("start", "end", "due_before"):
            assert d.source_of(f"periods.{period.id}.{key}") is not None, (period.id, key)


@pytest.mark.parametrize("name,expected", [
    ("nghe-an-2026", {"periods.*.due_before": "collector", "units.csv": "inferred"}),
    ("van-phong-ubnd-2026", {"province": "inferred", "periods": "inferred", "periods.*.due_before": "collector",
                             "units.csv": "inferred"}),
    ("gia-lai-2025", {"sections.dan_van_kheo.columns": "collector"}),
    ("lam-dong-2026", {"units.csv": "inferred", "units.registry.names": "inferred"}),
])
def test_known_inferences_are_marked(name, expected):
    d = plan(name)
    got = {m.path: m.source for m in d.provenance}
    for path, source in expected.items():
        assert got.get(path) == source, path


def test_plan_deadlines_are_cited_as_the_plans():
    for name, ref in (("lam-dong-2026", "III.1"), ("gia-lai-2025", "III.5"), ("binh-chuong-2026", "IV.1")):
        d = plan(name)
        mark = d.source_of(f"periods.{d.periods[0].id}.due_before")
        assert mark.from_plan and mark.ref == ref, name


def test_van_phong_names_no_province_the_text_does_not_name():
    d = plan("van-phong-ubnd-2026")
    shown = [d.issuer, d.collector.name, d.collector.sender, d.plan_reference, d.title,
             *(g.parent for g in d.groups), *(u.name for u in d.units)]
    assert not [text for text in shown if "Gia Lai" in text]
    assert d.source_of("units.HCTC").from_plan and not d.source_of("units.csv").from_plan


def test_lam_dong_reporters_are_in_the_plans_recipients():
    d = plan("lam-dong-2026")
    names = {u.name for u in d.units}
    assert not {"Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh"} & names
    assert d.unit("CAT") is None and d.unit("BCHQS") is None


def test_lam_dong_footnote_one_is_an_indicator():
    d = plan("lam-dong-2026")
    summarised = {f.id for f in summarised_fields(d)}
    assert "nghi_quyet_hdnd" in summarised
    indicators = [f for s in d.sections_of("fields") for f in s.fields]
    assert {f.id for f in indicators} <= summarised  # every indicator reaches "Tổng hợp chỉ tiêu"


def test_gia_lai_sheet_does_not_pose_as_form_three():
    d = plan("gia-lai-2025")
    (section,) = [s for s in d.sections if s.id == "dan_van_kheo"]
    assert "mẫu 3" not in section.sheet and "mẫu số 3" not in section.title.split("(")[0]
    assert "không thay mẫu số 3" in section.title
    assert not d.source_of("sections.dan_van_kheo.columns.ten_mo_hinh").from_plan


def test_copy_to_as_the_plans_say():
    na, gl = plan("nghe-an-2026"), plan("gia-lai-2025")
    assert na.copy_to == ("Ban Tuyên giáo và Dân vận Tỉnh ủy",)
    assert gl.copy_to == ("Ban Dân vận Tỉnh ủy",)
    assert na.source_of("copy_to").ref == "III.3" and gl.source_of("copy_to").ref == "III.5"
    assert all(isinstance(c, str) and c.email == "" for c in na.copy_to + gl.copy_to)


def test_nghe_an_quarter_three_and_four_tasks_wait_for_the_annual_report():
    d = plan("nghe-an-2026")
    tasks = {t.id: t for s in d.sections_of("tasks") for t in s.tasks}
    for task_id in ("quy3_chuong_trinh_nam", "quy4_bai_bao_dan_van", "quy4_tong_ket", "nv07"):
        assert tasks[task_id].periods == ("2026-Y",)
        assert not tasks[task_id].reported_in("2026-H1") and tasks[task_id].reported_in("2026-Y")
    assert tasks["quy1_chuong_trinh"].reported_in("2026-H1") and tasks["quy2_so_ket"].reported_in("2026-H1")


def test_registry_names_follow_the_official_spelling():
    d = plan("lam-dong-2026")
    assert d.unit("24718").name == "Xã Đắk Song"
    assert d.unit("22924").name == "Phường Phú Thủy"


# -- the mechanism, on a copy of the mini plan -------------------------------------------

@pytest.fixture
def mini_copy(tmp_path):
    target = tmp_path / "plan"
    shutil.copytree(MINI, target)
    return target


def edit(folder: Path, change) -> Path:
    file = folder / "definition.yaml"
    raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(raw)
    file.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return file


def problem_paths(file: Path) -> set[str]:
    with pytest.raises(ConsolidateError) as caught:
        definitions.load(file)
    return {p.path for p in caught.value.problems}


def test_a_provenance_path_must_name_a_value(mini_copy):
    file = edit(mini_copy, lambda raw: raw.update(provenance={
        "periods.2026-H9.due_before": {"source": "collector", "note": "x"},
        "periods.*.due_before": {"source": "collector", "note": "ok"},
    }))
    assert problem_paths(file) == {"provenance.periods.2026-H9.due_before"}


@pytest.mark.parametrize("mark,path", [
    ({"source": "plan"}, "provenance.collector.name"),
    ({"source": "inferred", "ref": "x"}, "provenance.collector.name"),
    ({"source": "guess", "note": "x"}, "provenance.collector.name.source"),
])
def test_a_mark_says_its_citation_or_reason(mini_copy, mark, path):
    file = edit(mini_copy, lambda raw: raw.update(provenance={"collector.name": mark}))
    assert path in problem_paths(file)


def test_copy_to_with_email_keeps_names_as_strings(mini_copy):
    file = edit(mini_copy, lambda raw: raw.update(copy_to=[
        {"name": "Ban Dân vận Tỉnh ủy", "email": "bdv@example.gov.vn"}, "Văn phòng Tỉnh ủy"]))
    d = definitions.load(file)
    assert d.copy_to == ("Ban Dân vận Tỉnh ủy", "Văn phòng Tỉnh ủy")
    assert [c.email for c in d.copy_to] == ["bdv@example.gov.vn", ""]
    assert d.copy_to[0].name == "Ban Dân vận Tỉnh ủy"


def test_registry_name_for_an_unknown_code_is_refused(mini_copy):
    file = edit(mini_copy, lambda raw: raw["units"].setdefault("registry", {"province_code": 68, "group": "xa-phuong"})
                .update(names={"99999": "Xã Không Có"}))
    assert any(p.startswith("units.registry") for p in problem_paths(file))


def test_task_period_must_exist(mini_copy):
    def change(raw):
        tasks = next(s for s in raw["sections"] if s["type"] == "tasks")["tasks"]
        tasks[0]["periods"] = ["2027-Y"]
    file = edit(mini_copy, change)
    assert any(p.endswith(".periods[0]") for p in problem_paths(file))


# -- contacts CSV --------------------------------------------------------------------------

def test_shipped_contacts_cover_every_commune():
    code, out = run_check(PLANS / "lam-dong-2026")
    assert code == 0
    assert "contact-email-missing" in out  # blank emails are allowed, and said
    d = plan("lam-dong-2026")
    rows = (PLANS / "lam-dong-2026" / "lien-he-xa.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "code,email,contact,phone"
    assert {r.split(",")[0] for r in rows[1:]} == {u.code for u in d.units if u.group == "xa-phuong"}


def test_contacts_csv_problems_are_reported(tmp_path):
    target = tmp_path / "plan"
    shutil.copytree(PLANS / "lam-dong-2026", target)
    (target / "lien-he-xa.csv").write_text(
        "code,email,contact,phone\n"
        "24718,vanthu@damrong.gov.vn,Nguyễn Văn A,0263 000\n"
        "24718,khac@damrong.gov.vn,,\n"
        "99999,a@b.vn,,\n"
        "22924,không có thư,,\n", encoding="utf-8")
    (target / "don-vi.csv").write_text(
        (PLANS / "lam-dong-2026" / "don-vi.csv").read_text(encoding="utf-8").replace(
            "SNV,Sở Nội vụ,so-nganh,,", "SNV,Sở Nội vụ,so-nganh,snv@@lamdong,"), encoding="utf-8")
    from consolidate.definition.units import contact_problems

    d = definitions.load(target)
    raw = definitions.read_yaml(target / "definition.yaml")
    found = {(p.code, p.file, p.params.get("row")) for p in contact_problems(raw["units"], target, list(d.units))}
    assert found >= {("contact-duplicate", "lien-he-xa.csv", 3), ("contact-unknown-unit", "lien-he-xa.csv", 4),
                     ("contact-email-invalid", "lien-he-xa.csv", 5), ("contact-email-invalid", "don-vi.csv", 3)}
    code, out = run_check(target)
    assert code == 1
    assert "99999" in out
