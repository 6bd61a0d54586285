"""The merge's reading workers: started by spawn when threads run in the parent, and the
--workers option of every command that offers it."""

from __future__ import annotations

import contextlib
import threading

import pytest
from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.merge.run import run_merge
from consolidate.reading import isolate, read_file, read_many
from consolidate.validation import check_return
from tests.merge.test_register import AS_OF, write
from tests.reading import make_corpus, make_heavy

MINI = str(make_corpus.MINI)


@contextlib.contextmanager
def live_thread():
    """A thread alive in the parent (a progress bar's, a library's): fork is then unsafe."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_spawned_workers_read_what_the_parent_reads(mini, tmp_path):
    files = [write(mini, tmp_path, code, seed) for seed, code in enumerate(("SNV", "STC", "24781"))]
    # the parent has validated before: the definition's memo holds the jsonschema validator,
    # a class made at run time that pickle cannot send to a spawned worker
    check_return(read_file(files[0], mini), mini, "2026-H1")
    with live_thread():
        assert isolate._context().get_start_method() == "spawn"
        spawned = read_many(files, mini, workers=2)
    here = read_many(files, mini, workers=0)
    assert [r.problems for r in spawned] == [[]] * 3
    assert [r.cells for r in spawned] == [r.cells for r in here]
    assert [r.sha256 for r in spawned] == [r.sha256 for r in here]


def test_merge_finishes_with_a_thread_running(mini, tmp_path):
    returns = tmp_path / "in"
    returns.mkdir()
    for seed, code in enumerate(("SNV", "STC")):
        write(mini, returns, code, seed)
    check_return(read_file(returns / "SNV.xlsx", mini), mini, "2026-H1")
    with live_thread():
        result = run_merge(mini, "2026-H1", returns, tmp_path / "out.xlsx", as_of=AS_OF, workers=2,
                           register_path=tmp_path / "reg" / "r.sqlite")
    assert [f["verdict"] for f in result.status["files"]] == ["accepted", "accepted"]
    assert {code: unit["errors"] for code, unit in result.status["units"].items() if unit["file"]} == {"SNV": 0, "STC": 0}


@pytest.mark.parametrize("command", ["merge", "feedback", "report", "review"])
def test_workers_0_is_refused_by_every_command(command, tmp_path):
    """Reading in the command's own process would let one aborting reader end the run."""
    returns = tmp_path / "in"
    returns.mkdir()
    args = [command, "-d", MINI, "-p", "2026-H1", "--workers", "0", str(returns)]
    if command in ("merge", "feedback", "report"):
        args[-1:-1] = ["--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "--workers" in result.output


def test_merge_with_one_worker(mini, tmp_path):
    returns = tmp_path / "in"
    returns.mkdir()
    write(mini, returns, "SNV", 1)
    result = CliRunner().invoke(cli, ["merge", "-d", MINI, "-p", "2026-H1", "--out", str(tmp_path / "o.xlsx"),
                                      "--as-of", "2026-06-10T08:00", "--workers", "1", str(returns)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o.xlsx").exists()


def _refuse_workers(monkeypatch, after: int):
    """The system gives `after` worker processes, then refuses (EAGAIN, as a fork at a
    process or memory limit does)."""
    import errno

    real = isolate._Pool._new_worker
    started = []

    def start(self):
        if len(started) >= after:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        started.append(1)
        return real(self)

    monkeypatch.setattr(isolate._Pool, "_new_worker", start)


def test_the_batch_goes_on_with_the_workers_the_system_gives(mini, tmp_path, monkeypatch):
    files = [write(mini, tmp_path, code, seed) for seed, code in enumerate(("SNV", "STC", "24781", "SNV"))]
    _refuse_workers(monkeypatch, after=1)
    rets = read_many(files, mini, workers=2)
    assert [r.problems for r in rets] == [[]] * 4 and all(r.cells for r in rets)


def test_no_worker_at_all_is_one_clear_error_not_a_traceback(mini, tmp_path, monkeypatch):
    returns = tmp_path / "in"
    returns.mkdir()
    write(mini, returns, "SNV", 1)
    _refuse_workers(monkeypatch, after=0)
    with pytest.raises(isolate.ReadersUnavailable):
        read_many([returns / "SNV.xlsx"], mini, workers=2)
    result = CliRunner().invoke(cli, ["merge", "-d", MINI, "-p", "2026-H1", "--out", str(tmp_path / "o.xlsx"),
                                      "--as-of", "2026-06-10T08:00", str(returns)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Resource temporarily unavailable" in result.output


def test_spawned_workers_keep_the_memory_budget_and_name_the_sheet(mini, tmp_path):
    from consolidate.reading.isolate import MiB

    good = write(mini, tmp_path, "SNV", 1)
    heavy = make_heavy.ods_long_strings(tmp_path / "nang.ods", 2_000, 50, 1000)
    with live_thread():
        rets = read_many([heavy, good], mini, workers=1, memory_limit=64 * MiB)
    assert [(p.code, p.sheet) for p in rets[0].problems] == [("file-too-large", make_corpus.FIELDS_SHEET)]
    assert rets[1].problems == [] and rets[1].cells
