"""Click's own words (usage, option list, errors) in Vietnamese, through its catalogue."""

from __future__ import annotations

import re

from click.testing import CliRunner

from consolidate.cli.main import cli

CLICK_ENGLISH = re.compile(r"Usage:|Options:|Commands:|Show this message|Show the version|\[required\]|"
                           r"\[default|Error:|Try '|Missing (argument|option)|No such option|Invalid value|"
                           r"is not one of|does not exist|\b(FILE|PATH|TEXT|INTEGER|DIRECTORY|DATETIME|BOOLEAN)\b|\[OPTIONS\]")


def run(*args, env=None):
    return CliRunner().invoke(cli, list(map(str, args)), prog_name="consolidate", env=env)


def test_help_is_vietnamese_throughout():
    for args in ([], ["--help"], ["merge", "--help"], ["validate", "--help"], ["templates", "--help"],
                 ["feedback", "--help"], ["check", "--help"], ["definitions", "--help"], ["review", "--help"]):
        result = run(*args)
        assert result.exit_code in (0, 2), (args, result.output)
        assert CLICK_ENGLISH.findall(result.output) == [], (args, result.output)
    head = run("merge", "--help").output
    assert head.startswith("Cách dùng: consolidate merge [TÙY_CHỌN] RETURNS_DIR")
    assert "Tùy chọn:" in head and "[bắt buộc]" in head and "Hiện hướng dẫn này rồi thoát." in head
    assert "Lệnh:" in run("--help").output and "Hiện phiên bản rồi thoát." in run("--help").output


def test_usage_errors_are_vietnamese():
    for args in (["merge"], ["merge", "--bogus", "x"], ["validate", "--period"], ["bogus"],
                 ["templates", "--lang", "fr", "-o", "x"], ["validate", "/khong/co/tep.xlsx"],
                 ["feedback", "--resend-days", "0", "-o", "x", "y"]):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Lỗi:" in result.output and CLICK_ENGLISH.findall(result.output) == [], (args, result.output)


def test_english_help_uses_clicks_english():
    for env in (None, {"LANGUAGE": "en"}):
        output = run("merge", "--help", env=env).output if env else run("--lang", "en", "merge", "--help").output
        assert output.startswith("Usage: consolidate merge [OPTIONS] RETURNS_DIR")
        assert "Show this message and exit." in output and "[required]" in output and "--out FILE" in output
    assert run("--help").output.startswith("Cách dùng:")  # the next run is Vietnamese again
