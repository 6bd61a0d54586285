"""Writing workbooks safely: text stays text, the structure can be locked, files appear whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import xlsxwriter
from xlsxwriter.packager import Packager

from consolidate.xlsx.parallel import ParallelPackager

SAFE_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class SafeWorkbook(xlsxwriter.Workbook):
    """xlsxwriter workbook with text-only defaults and optional structure protection.

    xlsxwriter has no public call for `<workbookProtection lockStructure>`; the element must
    follow `<workbookPr>`, so it is emitted right there.

    With ``parallel`` (the default) big workbooks assemble their worksheet XML on two cores
    when closed (`ParallelPackager`); the file is byte-identical either way, and small ones
    stay on the serial path.
    """

    def __init__(self, filename, options=None, lock_structure: bool = False, parallel: bool = True):
        merged = dict(SAFE_OPTIONS)
        merged.update(options or {})
        super().__init__(filename, merged)
        self.lock_structure = lock_structure
        self.parallel = parallel

    def _get_packager(self) -> Packager:
        return ParallelPackager() if self.parallel else Packager()

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        if self.lock_structure:
            self._xml_empty_tag("workbookProtection", [("lockStructure", 1)])


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def needs_quote_prefix(text: str) -> bool:
    """Text that Excel would turn into a formula when the cell is edited."""
    return bool(text) and text.startswith(FORMULA_TRIGGERS)


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target folder; replace the target only on success.

    Killing the process mid-write leaves the previous file intact (FACTS.md: 10 of 10).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); outputs go to shared folders, so give them the
    # permissions any new file gets here (the umask decides)
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def wrapped_height(texts: list[tuple[str, int]]) -> float:
    """Wrapped text does not grow a row in every spreadsheet: size it from the longest cell."""
    lines = 1
    for text, width in texts:
        per_line = max(1, int(width * 1.1))
        lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in (text or "").split("\n")))
    return 16.0 * min(lines, 25) + 2
