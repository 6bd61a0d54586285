"""A seeded batch of byte-mutants of LibreOffice's .xls, .ods and .xlsx of one return, read
the way merge reads (read_many: worker processes, so a reader that aborts costs only its
file): every file comes back with a verdict, a refused one with one problem of its own, and
validated numbers stay finite. For the zip formats every value is the one written or a
located problem (their members carry a CRC); an .xls has no checksum, so a flipped byte in
a string is simply what that file says."""

from __future__ import annotations

import datetime as dt
import random

from consolidate.definition.layout import layout_for
from consolidate.reading import read_many
from consolidate.validation import check_return
from tests.reading.mutation import check_numbers, located
from tests.reading.test_reading import same

PER_FORMAT = 50


def _mutants(copies: dict, out, rng: random.Random):
    files = []
    for fmt, path in sorted(copies.items()):
        data = path.read_bytes()
        for i in range(PER_FORMAT):
            raw = bytearray(data)
            if i % 3 == 0:
                del raw[rng.randrange(len(raw)):]
            else:
                for _ in range(rng.randint(1, 8)):
                    raw[rng.randrange(len(raw))] ^= rng.randint(1, 255)
            target = out / f"{fmt}-{i:02d}.{fmt}"
            target.write_bytes(bytes(raw))
            files.append((fmt, target))
    return files


def test_byte_mutants_through_the_worker_pool(mini_def, libreoffice_return, tmp_path):
    copies, values = libreoffice_return
    layout = layout_for(mini_def)
    files = _mutants(copies, tmp_path, random.Random(15))
    rets = read_many([p for _, p in files], mini_def, display_names=[p.name for _, p in files])
    assert [r.file for r in rets] == [p.name for _, p in files]
    refused = read = 0
    for (fmt, _), ret in zip(files, rets, strict=True):
        checked = check_return(ret, mini_def, as_of=dt.date(2026, 6, 10))
        check_numbers(mini_def, checked)
        if not ret.readable:
            refused += 1
            assert len(ret.problems) == 1 and ret.problems[0].code.startswith("file-"), ret.file
            assert ret.cells == {} and ret.tables == {}
            continue
        read += 1
        if fmt == "xls":
            continue
        problems = [*ret.problems, *checked.problems]
        for name, spec in layout.cells.items():
            cell = ret.cells.get(name)
            if name not in values or (cell is not None and same(values[name], cell.value)):
                continue
            where = (cell.sheet, cell.address) if cell is not None else (spec.sheet, spec.address)
            assert located(problems, *where, name), (ret.file, name, values[name], cell)
    assert refused and read  # both kinds of outcome were exercised
