"""`consolidate templates` and friends through click's CliRunner."""

from __future__ import annotations

from click.testing import CliRunner

from consolidate.cli.main import cli
from tests.conftest import MINI


def test_templates_command(tmp_path):
    result = CliRunner().invoke(cli, ["templates", "-d", str(MINI), "-p", "2026-H1", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("*.xlsx"))) == 4


def test_templates_one_unit(tmp_path):
    result = CliRunner().invoke(cli, ["templates", "-d", str(MINI), "-p", "2026-Y", "-u", "24787", "-o", str(tmp_path),
                                      "--no-generic"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.glob("*.xlsx")] == ["2026-Y_24787_Phuong-Cam-Ly-Da-Lat.xlsx"]


def test_unknown_period_is_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["templates", "-d", str(MINI), "-p", "2026-Q3", "-o", str(tmp_path)])
    assert result.exit_code == 2


def test_unknown_unit_is_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["templates", "-d", str(MINI), "-p", "2026-H1", "-u", "XYZ", "-o", str(tmp_path)])
    assert result.exit_code == 2


def test_broken_definition_exit_1(mini_copy, tmp_path):
    (mini_copy / "definition.yaml").write_text("id: x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["templates", "-d", str(mini_copy), "-p", "2026-H1", "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "title" in result.output
    assert not (tmp_path / "o").exists()


def test_check_command(mini_copy):
    assert CliRunner().invoke(cli, ["check", str(MINI)]).exit_code == 0
    (mini_copy / "definition.yaml").write_text("- not a mapping\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["check", str(mini_copy)]).exit_code == 1


def test_definitions_command():
    result = CliRunner().invoke(cli, ["definitions", "--json"])
    assert result.exit_code == 0
