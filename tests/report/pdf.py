"""Read a PDF back as a person sees it: LibreOffice converts, poppler's pdftotext gives every
word with its box, pdffonts the fonts. Sizes are measured, not read: LibreOffice's word box
is 1.3 × the font size for Times New Roman and its metric twin Liberation Serif (a 14 pt body
line measures 18.2 pt), so size = height / 1.3."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

from tests.conftest import soffice

BOX_PER_PT = 1.3
MM = 72 / 25.4
_NS = "{http://www.w3.org/1999/xhtml}"


def to_pdf(path: Path, outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation=file://{outdir}/lo-profile", "--convert-to", "pdf",
         "--outdir", str(outdir), str(path)],
        capture_output=True, timeout=300, check=False,
    )
    target = outdir / (path.stem + ".pdf")
    assert result.returncode == 0 and target.exists(), result.stderr
    return target


@dataclass
class Line:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    page_width: float
    page_height: float

    @property
    def size(self) -> float:
        """The font size the line was printed at, in points."""
        return (self.y1 - self.y0) / BOX_PER_PT


def lines(pdf: Path) -> list[Line]:
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    root = ElementTree.fromstring(xml)
    out = []
    for n, page in enumerate(root.iter(f"{_NS}page"), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        for line in page.iter(f"{_NS}line"):
            words = list(line.iter(f"{_NS}word"))
            if not words:
                continue
            text = words[0].text or ""
            for prev, word in zip(words, words[1:], strict=False):
                # a Vietnamese letter with two marks can come out as a word of its own
                gap = float(word.get("xMin")) - float(prev.get("xMax"))
                text += ("" if gap < 1.0 else " ") + (word.text or "")
            box = [float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            out.append(Line(n, text, *box, width, height))
    return out


def fonts(pdf: Path) -> set[str]:
    text = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout
    return {row.split()[0].split("+")[-1] for row in text.splitlines()[2:] if row.strip()}


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    return int(next(r for r in info.splitlines() if r.startswith("Pages:")).split()[1])
