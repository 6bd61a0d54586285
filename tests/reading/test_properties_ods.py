"""Property-based test of the reading stage over LibreOffice's .ods of a real return (issue
15): float, date, percentage and text cells of the fields sheet rewritten in content.xml. No
other value moves, and the edited one reads as written or is reported on its cell."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consolidate.reading import read_file
from consolidate.validation import check_return
from tests.reading import make_corpus as mc
from tests.reading import mutation as mt
from tests.reading.test_reading import same

ODS_VALUES = st.one_of(
    st.tuples(st.just("float"), st.sampled_from(["nan", "inf", "-inf", "1e308", "1e400", "-1e16", "0.5", "-3",
                                                 "abc", "", "1,5"])),
    st.tuples(st.just("float"), mt.NUMBERS.map(mt.number_text)),
    st.tuples(st.just("date"), st.sampled_from(["garbage", "0000-00-00", "99999-01-01", "2026-13-45", "1899-12-30",
                                                "-2026-01-01", "2026-06-12T25:00:00", "", "2026-06-12"])),
    st.tuples(st.just("percentage"), st.sampled_from(["0.5", "nan", "1e308"])),
    st.tuples(st.just("string"), mt.TEXTS),
)
_ODS_INPUT = re.compile(r'<table:table-cell[^>]*table:content-validation-name="[^"]*"[^>]*>.*?</table:table-cell>',
                        re.S)


class OdsBase:
    """LibreOffice's .ods of a good return: content.xml, the spans of the input cells of
    the fields sheet, and what the file reads as."""

    def __init__(self, definition, path):
        self.definition = definition
        self.path = path
        with zipfile.ZipFile(path) as z:
            self.content = z.read("content.xml").decode()
        start = self.content.index(f'<table:table table:name="{mc.FIELDS_SHEET}"')
        end = self.content.index("</table:table>", start)
        self.inputs = [m.span() for m in _ODS_INPUT.finditer(self.content, start, end)]
        self.good = read_file(path, definition)


@pytest.fixture(scope="module")
def ods_base(mini_def, libreoffice_return):
    return OdsBase(mini_def, libreoffice_return[0]["ods"])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("mutant") / "mutant.ods"


def _ods_cell(kind: str, text: str) -> str:
    if kind == "string":
        return f'<table:table-cell office:value-type="string"><text:p>{escape(text)}</text:p></table:table-cell>'
    attr = "office:date-value" if kind == "date" else "office:value"
    return (f'<table:table-cell office:value-type="{kind}" {attr}="{escape(text)}"><text:p>{escape(text)}</text:p>'
            "</table:table-cell>")


def _ods_as_written(kind: str, text: str, value) -> bool:
    if value == (text or None):
        return True
    try:
        if kind == "date":
            written = dt.datetime.fromisoformat(text)
            return value in (written, written.date())
        x = float(text)
    except ValueError:
        return False
    return isinstance(value, float) and (value == x or (math.isnan(x) and math.isnan(value)))


@mt.SETTINGS
@given(data=st.data())
def test_ods_cell_values(ods_base, scratch, data):
    lo, hi = data.draw(st.sampled_from(ods_base.inputs), label="input cell")
    kind, text = data.draw(ODS_VALUES, label="value")
    mutant = (ods_base.content[:lo] + _ods_cell(kind, text) + ods_base.content[hi:]).encode()
    path = mc.rewrite(ods_base.path, scratch, lambda n, d: mutant if n == "content.xml" else d)
    ret = read_file(path, ods_base.definition)
    checked = check_return(ret, ods_base.definition, as_of=dt.date(2026, 6, 10))
    mt.check_numbers(ods_base.definition, checked)
    if mt.refused(ret):
        return
    changed = [n for n, cell in ods_base.good.cells.items() if not same(cell.value, ret.cells[n].value)]
    assert len(changed) <= 1, changed  # one cell was edited: no other value moved
    for name in changed:
        cell = ret.cells[name]
        if not _ods_as_written(kind, text, cell.value):
            assert mt.located(checked.problems, cell.sheet, cell.address, name), (name, kind, text, cell)
