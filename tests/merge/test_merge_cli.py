"""`consolidate merge` through click: messages and exit codes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.merge.register import Register
from tests.merge.helpers import ROOT
from tests.merge.test_register import write

MINI = str(ROOT / "tests" / "fixtures" / "mini")


def invoke(*args):
    return CliRunner().invoke(cli, ["merge", *args], catch_exceptions=False)


def test_merge_ok_even_with_missing_units(mini, tmp_path):
    returns = tmp_path / "in"
    write(mini, returns, "SNV", 1)
    out = tmp_path / "tong-hop.xlsx"
    result = invoke("-d", MINI, "-p", "2026-H1", "--out", str(out), "--as-of", "2026-06-10T08:00",
                    "--json", str(tmp_path / "s.json"), "--workers", "1", str(returns))
    assert result.exit_code == 0, result.output
    assert "phải nộp 3" in result.output and "chưa nộp 2" in result.output and str(out) in result.output
    status = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert status["counts"]["missing"] == 2 and status["as_of"] == "2026-06-10T08:00:00+07:00"


def test_english_output(mini, tmp_path):
    returns = tmp_path / "in"
    returns.mkdir()
    result = invoke("-d", MINI, "-p", "2026-H1", "--out", str(tmp_path / "o.xlsx"), "--lang", "en", str(returns))
    assert result.exit_code == 0 and "units expected" in result.output


def test_exit_1_when_the_job_cannot_be_done(mini, tmp_path):
    returns = tmp_path / "in"
    returns.mkdir()
    bad_definition = tmp_path / "khong-co.yaml"
    result = invoke("-d", str(bad_definition), "-p", "2026-H1", "--out", str(tmp_path / "o.xlsx"), str(returns))
    assert result.exit_code == 1
    blocker = tmp_path / "la-tep"
    blocker.write_text("x")
    result = invoke("-d", MINI, "-p", "2026-H1", "--out", str(blocker / "o.xlsx"), str(returns))
    assert result.exit_code == 1 and "Không ghi được" in result.output
    result = invoke("-d", MINI, "-p", "2026-H1", "--out", str(tmp_path / "o.xlsx"), str(tmp_path / "khong-co"))
    assert result.exit_code == 1 and "Không tìm thấy thư mục" in result.output
    receipts = tmp_path / "r.csv"
    receipts.write_text("a,b\n", encoding="utf-8")
    result = invoke("-d", MINI, "-p", "2026-H1", "--out", str(tmp_path / "o.xlsx"), "--receipts", str(receipts), str(returns))
    assert result.exit_code == 1 and "received_at" in result.output


def test_exit_1_when_the_register_is_busy(tmp_path):
    returns = tmp_path / "in"
    returns.mkdir()
    reg = tmp_path / "reg.sqlite"
    with Register(reg):
        result = invoke("-d", MINI, "-p", "2026-H1", "--out", str(tmp_path / "o.xlsx"), "--register", str(reg), str(returns))
    assert result.exit_code == 1 and "đang dùng sổ đăng ký" in result.output
    assert not (tmp_path / "o.xlsx").exists()


def test_usage_errors_exit_2(tmp_path):
    returns = tmp_path / "in"
    returns.mkdir()
    assert invoke("-d", MINI, "-p", "2026-H1", str(returns)).exit_code == 2  # no --out
    assert invoke("-d", MINI, "--out", str(tmp_path / "o.xlsx"), str(returns)).exit_code == 2  # two periods
    assert invoke("-d", MINI, "-p", "2030-Q9", "--out", str(tmp_path / "o.xlsx"), str(returns)).exit_code == 2
    result = invoke("-d", MINI, "-p", "2026-H1", "--as-of", "hôm qua", "--out", str(tmp_path / "o.xlsx"), str(returns))
    assert result.exit_code == 2 and "--as-of" in result.output


def test_hint_when_a_receipts_book_sits_in_the_inbox(tmp_path):
    from click.testing import CliRunner

    from consolidate.cli.main import cli
    from tests.conftest import MINI

    inbox = tmp_path / "nhan-ve"
    inbox.mkdir()
    (inbox / "so-cong-van.csv").write_text("file,received_at\nx.xlsx,01/06/2026 08:00\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["merge", "-d", str(MINI), "-p", "2026-H1", "--out", str(tmp_path / "t.xlsx"),
                                      "--register", str(tmp_path / "r.sqlite"), str(inbox)])
    assert result.exit_code == 0, result.output
    assert "so-cong-van.csv" in result.output and "--receipts" in result.output
