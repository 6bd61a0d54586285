"""What the merge is measured against, each run as its own process.

    python benchmarks/baselines.py pandas DIR   # what a user would otherwise write
    python benchmarks/baselines.py unzip DIR    # the floor: only unzipping the parts
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path


def pandas_sum(folder: Path) -> float:
    """Read every sheet of every file with pandas/openpyxl and add up the indicator column."""
    import pandas as pd

    total = 0.0
    for path in sorted(folder.rglob("*.xlsx")):
        try:
            sheets = pd.read_excel(path, engine="openpyxl", sheet_name=None, header=None)
        except Exception:  # noqa: BLE001 - a broken file is skipped, as a user's script would
            continue
        for frame in sheets.values():
            if frame.shape[1] > 3:
                total += pd.to_numeric(frame.iloc[4:, 3], errors="coerce").fillna(0).sum()
    return total


def unzip_floor(folder: Path) -> int:
    """Decompress every member a reader needs: the least any xlsx reader must do."""
    size = 0
    for path in sorted(folder.rglob("*.xlsx")):
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if info.filename.endswith(".xml"):
                        size += len(archive.read(info))
        except zipfile.BadZipFile:
            continue
    return size


if __name__ == "__main__":
    kind, folder = sys.argv[1], Path(sys.argv[2])
    print(pandas_sum(folder) if kind == "pandas" else unzip_floor(folder))
