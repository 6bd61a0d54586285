"""Every reading worker is kept under a memory budget it cannot exceed: a small file that the
reader would expand past it is `file-too-large` on its sheet, and the batch goes on."""

from __future__ import annotations

import pytest

from consolidate.reading import isolate, read_many
from consolidate.reading.biff import sheet_sizes, workbook_stream
from consolidate.reading.isolate import MiB, plan_workers
from tests.reading import lo_macro, make_heavy
from tests.reading import make_corpus as mc


def codes(ret):
    return [p.code for p in ret.problems]


def test_files_past_the_budget_are_too_large_on_their_sheet_and_the_next_file_is_read(mini_def, base_return, tmp_path):
    path, _ = base_return
    # 100,000 cells, each a copy of one 1,000-letter text: ≈ 200 MB once the reader builds
    # the grid, from a file of a few hundred kB (and the .ods from under 1 kB)
    xlsx = make_heavy.xlsx_shared_string_grid(path, tmp_path / "nang.xlsx", 2_000, 50, 1000)
    ods = make_heavy.ods_long_strings(tmp_path / "nang.ods", 2_000, 50, 1000)
    assert xlsx.stat().st_size < 1_000_000 and ods.stat().st_size < 1_000
    files = [path, xlsx, path, ods, path]
    # one worker: the files after a heavy one are read by the worker that replaced it (or
    # by the same one, when the reader failed in Python)
    rets = read_many(files, mini_def, workers=1, memory_limit=64 * MiB)
    assert [codes(r) for r in rets] == [[], ["file-too-large"], [], ["file-too-large"], []]
    assert [rets[i].problems[0].sheet for i in (1, 3)] == [mc.FIELDS_SHEET, mc.FIELDS_SHEET]
    assert rets[1].sha256 and rets[1].size == xlsx.stat().st_size
    assert rets[0].cells == rets[2].cells == rets[4].cells and rets[0].cells


def test_the_same_files_read_without_a_budget(mini_def, base_return, tmp_path):
    """What the budget stopped is a real read, not a broken file: with room it is read."""
    path, _ = base_return
    xlsx = make_heavy.xlsx_shared_string_grid(path, tmp_path / "nang.xlsx", 200, 50, 1000)
    [ret] = read_many([xlsx], mini_def, workers=1, memory_limit=None)
    assert "file-too-large" not in codes(ret) and "file-reader-crashed" not in codes(ret)


def test_the_row_repeated_a_million_times_is_counted_before_the_reader_runs(mini_def, tmp_path):
    ods = make_heavy.ods_repeated_row(tmp_path / "lap.ods")
    [ret] = read_many([ods], mini_def, workers=1)
    assert [(p.code, p.sheet) for p in ret.problems] == [("file-too-large", mc.FIELDS_SHEET)]


def test_workers_and_budgets_fit_the_tree_under_one_gigabyte():
    own = isolate._resident()
    for files in (10, 3321):
        kept = files * isolate.RESULT_MEMORY  # what this process keeps of the results
        for asked in (1, 2, 4, 8, 64):
            count, budget = plan_workers(asked, files=files)
            assert 1 <= count <= asked
            assert own + kept + count * (own + budget) <= isolate.TREE_MEMORY
            if count < asked:  # fewer workers only to keep each one's budget useful
                assert budget >= isolate.READER_MEMORY_MIN
    assert plan_workers(3, None) == (3, None) and plan_workers(3, 10 * MiB) == (3, 10 * MiB)


def test_memory_error_in_python_is_too_large_on_the_sheet_being_built(mini_def, base_return, monkeypatch):
    """The reader can also run out in Python (building the grid's lists): a MemoryError is
    the same problem, on the sheet it was building."""
    from consolidate.reading import guard, read_file

    def exhausted(end, sheet):
        if sheet == mc.FIELDS_SHEET:
            raise MemoryError

    monkeypatch.setattr(guard, "check_extent", exhausted)
    ret = read_file(base_return[0], mini_def)
    assert [(p.code, p.sheet) for p in ret.problems] == [("file-too-large", mc.FIELDS_SHEET)]
    assert not ret.cells and ret.sha256


def test_memory_error_inside_the_readers_own_error_handling_is_still_too_large(mini_def, base_return, monkeypatch):
    """Opening the workbook turns the reader's exceptions into file-corrupt; running out of
    memory there is not a corrupt file."""
    import python_calamine

    from consolidate.reading import read_file

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", exhausted)
    ret = read_file(base_return[0], mini_def)
    assert [p.code for p in ret.problems] == ["file-too-large"]


@pytest.mark.skipif(lo_macro.SOFFICE is None, reason="LibreOffice not installed")
def test_an_xls_past_the_budget_is_too_large_on_its_largest_sheet(mini_def, base_return, tmp_path):
    """python-calamine builds every sheet of an .xls when it opens it: the sheet reported is
    the one that takes most of the workbook stream."""
    src = make_heavy.ods(tmp_path / "src.ods", {
        "Ghi chú": make_heavy.ods_row(make_heavy.ods_cell("nhỏ")),
        mc.FIELDS_SHEET: make_heavy.ods_row(make_heavy.ods_cell("đ" * 1000, 50), 2_000),
    })
    xls = tmp_path / "nang.xls"
    lo_macro.run([lo_macro.Job(src, [xls])], tmp_path)
    sizes = sheet_sizes(workbook_stream(xls.read_bytes())[0])
    assert max(sizes, key=sizes.get) == mc.FIELDS_SHEET and set(sizes) == {"Ghi chú", mc.FIELDS_SHEET}
    rets = read_many([xls, base_return[0]], mini_def, workers=1, memory_limit=64 * MiB)
    assert [(p.code, p.sheet) for p in rets[0].problems] == [("file-too-large", mc.FIELDS_SHEET)]
    assert codes(rets[1]) == []


def test_a_table_longer_than_any_report_is_too_large_on_its_sheet(mini_def, base_return, tmp_path):
    """What the merge keeps of a file stays bounded: 50,000 rows of a 760 kB file made
    150,000 problems and took the merge process to 3 GB."""
    from consolidate.reading import read_file
    from consolidate.reading.locate import MAX_TABLE_ROWS

    sheet = next(s.sheet for s in mini_def.sections if s.id == "mo_hinh")
    longest = make_heavy.xlsx_long_table(base_return[0], tmp_path / "dai.xlsx", MAX_TABLE_ROWS, sheet)
    ret = read_file(longest, mini_def)
    assert len(ret.tables["mo_hinh"]) == MAX_TABLE_ROWS and "file-too-large" not in codes(ret)
    longer = make_heavy.xlsx_long_table(base_return[0], tmp_path / "dai-hon.xlsx", MAX_TABLE_ROWS + 1, sheet)
    ret = read_file(longer, mini_def)
    assert [(p.code, p.sheet) for p in ret.problems] == [("file-too-large", sheet)] and not ret.tables


def test_a_reader_out_of_memory_is_never_cached(mini_def):
    """The budget depends on the run (the merge's size, the number of files): the next merge
    reads the file again. A file too large by its own size is cached like any result."""
    from consolidate.reading.problems import FileTooLarge, memory_note
    from consolidate.validation import cache as checked_cache
    from consolidate.validation import check_return
    from consolidate.validation.returns import RawReturn

    def checked(note):
        raw = RawReturn(file="a.xlsx", sha256="0" * 64, size=10)
        raw.problems.append(FileTooLarge(note=note, file="a.xlsx", sheet=mc.FIELDS_SHEET))
        return check_return(raw, mini_def, "2026-H1")

    assert checked_cache.encode(checked(memory_note(mc.FIELDS_SHEET, 64 * MiB))) is None
    assert checked_cache.encode(checked(memory_note(None))) is None
    assert checked_cache.encode(checked("1048576 dòng x 1 cột")) is not None
