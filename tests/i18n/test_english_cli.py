"""With `--lang en` (or LANGUAGE=en) the CLI prints no Vietnamese of its own: every letter
with a Vietnamese diacritic left in its output comes from the plan, the units, the returns or
the names of the workbooks' sheets and columns (which are Vietnamese documents)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.definition.layout import INFO_LABELS, INFO_SHEET, INSTRUCTIONS_SHEET
from consolidate.template.writer import write_template
from tests.conftest import MINI
from tests.validation.test_validate_cli import GOOD

VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
# what the English output may quote: the documents' own sheet and column names, and the
# status words a unit types into a return
DOCUMENT_NAMES = ("Lỗi và cảnh báo", "Kiểm tra số liệu", "Quyết định của chuyên viên", "Thư điện tử",
                  "Ghi chú, hướng dẫn", "Có", "Không", INFO_SHEET, INSTRUCTIONS_SHEET, *INFO_LABELS.values())
BAD = {**GOOD, "tiep_dan_buoi": "1,234", "don_giai_quyet": 40, "muc_do": "Xuất sắc", "preparer": None,
       "ngay_hoi_nghi": "31/02/2026"}


def plan_words(definition_dir) -> list[str]:
    """Every text a plan (its YAML and unit list) and the test's returns hold."""
    words: list[str] = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            words.append(value)

    walk(yaml.safe_load((definition_dir / "definition.yaml").read_text(encoding="utf-8")))
    for line in (definition_dir / "don-vi.csv").read_text(encoding="utf-8").splitlines():
        words.extend(line.split(","))
    walk(list(BAD.values()) + list(GOOD.values()))
    walk(list(DOCUMENT_NAMES))
    return sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)


def vietnamese_of_the_tool(output: str, definition_dir=MINI) -> list[str]:
    text = output
    for word in plan_words(definition_dir):
        text = text.replace(word, "")
    return [line for line in text.splitlines() if VIETNAMESE.search(line)]


def english(*args, env=None):
    runner = CliRunner()
    if env is None:
        return runner.invoke(cli, ["--lang", "en", *map(str, args)])
    return runner.invoke(cli, list(map(str, args)), env=env)


@pytest.fixture
def inbox(mini, tmp_path):
    period = mini.period("2026-H1")
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_template(mini, mini.unit("SNV"), period, folder / "snv.xlsx", values=GOOD)
    write_template(mini, mini.unit("STC"), period, folder / "stc.xlsx", values=BAD)
    write_template(mini, mini.unit("SNV"), mini.period("2026-Y"), folder / "snv-nam.xlsx", values=GOOD)
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    (folder / "ghi-chu.txt").write_text("xin gửi báo cáo", encoding="utf-8")
    return folder


def broken_plan(tmp_path, change) -> str:
    target = tmp_path / "ke-hoach"
    shutil.copytree(MINI, target)
    data = yaml.safe_load((target / "definition.yaml").read_text(encoding="utf-8"))
    change(data)
    (target / "definition.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(target)


def test_check_on_a_broken_plan_is_english(tmp_path):
    def unknown_field(data):
        data["rules"][0]["left"] = "khong_co"
        data["periods"].append(dict(data["periods"][0]))
        data["sections"][0]["fields"][0]["id"] = "a1"
    plan = broken_plan(tmp_path, unknown_field)
    result = english("check", plan)
    assert result.exit_code == 1
    assert "rules[0].left" in result.output and "does not exist" in result.output
    assert vietnamese_of_the_tool(result.output, Path(plan)) == []

    def schema_errors(data):
        data["bogus_key"] = 1
        data["version"] = "một"
    plan = broken_plan(tmp_path / "2", schema_errors)
    result = english("check", plan)
    assert result.exit_code == 1 and "bogus_key" in result.output
    assert vietnamese_of_the_tool(result.output, Path(plan)) == []
    result = english("check", tmp_path / "khong-co")
    assert result.exit_code == 1 and vietnamese_of_the_tool(result.output) == []


def test_bad_period_and_usage_errors_are_english(inbox, tmp_path):
    for args in (["templates", "-d", MINI, "-p", "2030-Q9", "-o", tmp_path / "t"],
                 ["merge", "-d", MINI, "-p", "2030-Q9", "-o", tmp_path / "o.xlsx", inbox],
                 ["validate", "-d", MINI, "-p", "2030-Q9", inbox],
                 ["feedback", "-d", MINI, "-p", "2030-Q9", "-o", tmp_path / "f", inbox],
                 ["merge", "-d", MINI, "-o", tmp_path / "o.xlsx", inbox],
                 ["merge", "-d", MINI, "-p", "2026-H1", "--as-of", "hôm qua", "-o", tmp_path / "o.xlsx", inbox],
                 ["templates", "-d", MINI, "-p", "2026-H1", "-o", tmp_path / "t", "-u", "KHONG"],
                 ["merge"], ["validate", "--bogus"]):
        result = english(*args)
        assert result.exit_code == 2, (args, result.output)
        assert vietnamese_of_the_tool(result.output.replace("hôm qua", "")) == [], (args, result.output)


def test_merge_on_a_missing_folder_and_files_is_english(inbox, tmp_path):
    result = english("merge", "-d", MINI, "-p", "2026-H1", "-o", tmp_path / "o.xlsx", tmp_path / "khong-co")
    assert result.exit_code == 1 and "not found" in result.output
    assert vietnamese_of_the_tool(result.output) == []
    result = english("merge", "-d", MINI, "-p", "2026-H1", "--as-of", "2026-06-20T17:00", "-o", tmp_path / "o.xlsx",
                     "--json", tmp_path / "s.json", "--workers", "1", inbox)
    assert result.exit_code == 0, result.output
    assert vietnamese_of_the_tool(result.output) == []
    status = (tmp_path / "s.json").read_text(encoding="utf-8")
    assert "không phải bảng tính" in status  # the status JSON, a document, stays Vietnamese


def test_validate_is_english(inbox):
    for env in (None, {"LANGUAGE": "en"}):
        result = english("validate", "-d", MINI, "-p", "2026-H1", "--as-of", "2026-06-10", inbox, env=env)
        assert result.exit_code == 1
        # 5 files: the three returns and the PDF and text file a folder holds (listed as merge lists them)
        assert "ERRORS" in result.output and "5 files:" in result.output and "— 1 error, 0 warnings" in result.output
        assert vietnamese_of_the_tool(result.output) == [], result.output
    result = english("validate", "-d", MINI, "--json", "--as-of", "2026-06-10", inbox / "stc.xlsx")
    assert vietnamese_of_the_tool(result.output) == []


def test_templates_feedback_and_definitions_are_english(inbox, tmp_path):
    result = english("templates", "-d", MINI, "-p", "2026-H1", "-o", tmp_path / "t")
    assert result.exit_code == 0 and "Wrote 4 templates" in result.output
    assert vietnamese_of_the_tool(result.output) == []
    result = english("feedback", "-d", MINI, "-p", "2026-H1", "--as-of", "2026-06-20T17:00", "--workers", "1",
                     "--eml", "-o", tmp_path / "f", inbox)
    assert result.exit_code == 0, result.output
    assert vietnamese_of_the_tool(result.output) == [], result.output
    result = english("feedback", "-d", MINI, "-p", "2026-H1", "-o", inbox / "f", inbox)
    assert result.exit_code == 2 and vietnamese_of_the_tool(result.output) == []
    result = english("definitions", env={"LANGUAGE": "en"})
    assert result.exit_code == 0 and "periods:" in result.output
    assert CliRunner().invoke(cli, ["definitions", "--lang", "en"]).exit_code == 0


def test_english_leaves_the_next_run_vietnamese(tmp_path):
    english("check", MINI)
    result = CliRunner().invoke(cli, ["check", str(MINI)])
    assert result.exit_code == 0 and "Hợp lệ" in result.output


def test_english_help_has_no_vietnamese():
    commands = [[], *[[name] for name in cli.commands]]
    for args in commands:
        for env, lang in ((None, ["--lang", "en"]), ({"LANGUAGE": "en"}, [])):
            result = CliRunner().invoke(cli, [*lang, *args, "--help"], env=env)
            assert result.exit_code == 0, (args, result.output)
            assert [line for line in result.output.splitlines() if VIETNAMESE.search(line)] == [], (args, result.output)
