"""A merge finishes and lists every file whatever the returns folder holds (issue 15)."""

from __future__ import annotations

import json
import os
import socket

from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.reading import guard
from tests.reading import make_corpus


def test_hostile_folder_costs_each_file_alone(mini, tmp_path):
    returns = tmp_path / "nhan-ve"
    returns.mkdir()
    make_corpus.good(mini, returns / "a.xlsx", seed=1, unit_index=0, tiep_dan_buoi=1e308)
    make_corpus.good(mini, returns / "b.xlsx", seed=2, unit_index=1, tiep_dan_buoi=1e308)
    make_corpus.good(mini, returns / "c.xlsx", seed=3, unit_index=2)
    os.mkfifo(returns / "pipe.xlsx")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(returns / "sock.xlsx"))
    (returns / os.fsdecode(b"b\xe1o-c\xe1o.xlsx")).write_bytes((returns / "c.xlsx").read_bytes()[:100])
    with open(returns / "big.xlsx", "wb") as handle:
        handle.truncate(guard.MAX_FILE_BYTES + 1)  # sparse: no disk, and never read whole
    out, status = tmp_path / "tong-hop.xlsx", tmp_path / "trang-thai.json"
    register = tmp_path / "so.sqlite"
    result = CliRunner().invoke(cli, ["merge", "-d", str(make_corpus.MINI), "-p", "2026-H1", "--as-of",
                                      "2026-06-10T08:00", "--register", str(register), "--out", str(out),
                                      "--json", str(status), str(returns)], catch_exceptions=False)
    sock.close()
    assert result.exit_code == 0, result.output
    assert out.exists()
    data = json.loads(status.read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    assert "b\\\\xe1o-c\\\\xe1o.xlsx" in text
    units = data["units"]
    assert {units[u]["status"] for u in units if units[u].get("file") in ("a.xlsx", "b.xlsx")} == {"invalid"}
    assert all(abs(v) < 1e15 for v in _numbers(data["fields"]))
    files = {f["file"]: f for f in data["files"]}
    for name in ("pipe.xlsx", "sock.xlsx", "big.xlsx", "b\\xe1o-c\\xe1o.xlsx"):
        assert files[name]["verdict"] == "rejected", name
    assert "FIFO" in files["pipe.xlsx"]["reason"] and "socket" in files["sock.xlsx"]["reason"]
    archived = [p.stat().st_size for p in (tmp_path / "archive").rglob("*") if p.is_file()] if (
        tmp_path / "archive").exists() else []
    assert all(size <= guard.MAX_FILE_BYTES for size in archived)


def _numbers(tree):
    if isinstance(tree, dict):
        for v in tree.values():
            yield from _numbers(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from _numbers(v)
    elif isinstance(tree, (int, float)) and not isinstance(tree, bool):
        yield tree


def test_validate_reads_a_file_whose_name_is_not_utf8(mini, tmp_path):
    """validate opens such a file by its real name and shows the bytes escaped, as merge
    does (it used to look for the escaped name and report the file as missing)."""
    returns = tmp_path / "nhan-ve"
    returns.mkdir()
    make_corpus.good(mini, returns / os.fsdecode(b"b\xe1o-c\xe1o.xlsx"), seed=1)
    result = CliRunner().invoke(cli, ["validate", "-d", str(make_corpus.MINI), "-p", "2026-H1", "--as-of",
                                      "2026-06-10T08:00", "--json", str(returns)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    [checked] = report["files"]
    assert checked["file"].endswith("b\\xe1o-c\\xe1o.xlsx")
    assert (checked["valid"], checked["errors"], checked["format"]) == (True, 0, "xlsx")
