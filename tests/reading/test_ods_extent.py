"""The .ods size check before expansion (consolidate/reading/names.py, issue 15): rows and
columns of content.xml are counted as the reader would expand them, so a 32 kB file that
repeats a filled row a million times is refused with its sheet before python-calamine
builds it, while LibreOffice's own trailing runs of empty rows are not refused."""

from __future__ import annotations

import re
import zipfile

import pytest

from consolidate.definition.layout import layout_for
from consolidate.reading import extract, guard, read_file
from tests.reading import corpus_made
from tests.reading.make_corpus import FIELDS_SHEET
from tests.reading.test_reading import assert_values


class _NoReader:
    """Stands in for python-calamine: a file refused by the count never gets this far."""

    @staticmethod
    def from_filelike(_):
        raise AssertionError("the reader was asked to expand the file")


@pytest.fixture
def no_reader(monkeypatch):
    monkeypatch.setattr(extract.calamine, "CalamineWorkbook", _NoReader)


def _repeats(path, attr: str) -> list[int]:
    with zipfile.ZipFile(path) as z:
        content = z.read("content.xml").decode()
    return [int(n) for n in re.findall(rf'table:{attr}="(\d+)"', content)]


def test_libreoffice_trailing_empty_rows_are_not_refused(mini_def, libreoffice_return):
    copies, values = libreoffice_return
    ods = copies["ods"]
    # what LibreOffice writes after the last used row and column of every sheet
    assert max(_repeats(ods, "number-rows-repeated")) > guard.MAX_ROWS
    assert max(_repeats(ods, "number-columns-repeated")) > guard.MAX_COLS
    ret = read_file(ods, mini_def)
    assert ret.problems == [] and ret.format == "ods"
    assert_values(ret, values, layout_for(mini_def))


@pytest.mark.parametrize("sheet", [FIELDS_SHEET, "_meta"])
def test_filled_row_repeated_a_million_times_is_refused_with_its_sheet(mini_def, libreoffice_return, tmp_path,
                                                                        no_reader, sheet):
    path = corpus_made.ods_repeated(libreoffice_return[0]["ods"], tmp_path / "rows.ods", rows=1_048_576, sheet=sheet)
    assert path.stat().st_size < 64 * 1024
    ret = read_file(path, mini_def)
    assert [(p.code, p.sheet) for p in ret.problems] == [("file-too-large", sheet)]
    assert not ret.readable and ret.cells == {}


def test_filled_cell_repeated_across_every_column_is_refused(mini_def, libreoffice_return, tmp_path, no_reader):
    path = corpus_made.ods_repeated(libreoffice_return[0]["ods"], tmp_path / "cols.ods", cols=16_384)
    ret = read_file(path, mini_def)
    assert [(p.code, p.sheet) for p in ret.problems] == [("file-too-large", FIELDS_SHEET)]


def test_filled_cell_below_a_million_empty_rows_is_refused(mini_def, libreoffice_return, tmp_path, no_reader):
    path = corpus_made.ods_filled_far_below(libreoffice_return[0]["ods"], tmp_path / "far.ods", row=1_000_000)
    ret = read_file(path, mini_def)
    assert [(p.code, p.sheet) for p in ret.problems] == [("file-too-large", FIELDS_SHEET)]


def test_a_few_repeated_filled_rows_are_read(mini_def, libreoffice_return, tmp_path):
    """Within the limits, a repeated filled row is just rows: the file is read."""
    near = corpus_made.ods_filled_far_below(libreoffice_return[0]["ods"], tmp_path / "near.ods", row=500)
    ret = read_file(near, mini_def)
    assert ret.readable and ret.format == "ods"
    assert "file-too-large" not in [p.code for p in ret.problems]
