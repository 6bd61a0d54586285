"""The files of a returns folder: listing, hashing, and the checked returns the register
already holds for their contents (the validation cache)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from consolidate.merge.register import Register
from consolidate.validation.returns import CheckedReturn

SKIP_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


@dataclass
class SourceFile:
    name: str  # relative, '/' separators, NFC
    path: Path
    sha256: str = ""
    size: int = 0
    mtime: dt.datetime | None = None

    def stat_mtime(self) -> None:
        try:
            self.mtime = dt.datetime.fromtimestamp(self.path.stat().st_mtime, dt.timezone.utc)
        except OSError:
            self.mtime = None


def list_files(returns_dir: Path, skip: list[Path] | None = None) -> list[SourceFile]:
    """Every candidate file under the folder, sorted by relative name. Skipped silently:
    Excel/LibreOffice lock files (`~$…`, `.~lock…`), hidden files and folders (the register's
    `.consolidate` among them), system junk, and the paths in ``skip`` (the outputs).
    Links to folders are not followed (as os.walk does by default)."""
    from consolidate.reading import is_owner_file

    root = returns_dir.resolve()
    skipped = {p.resolve() for p in (skip or [])}
    out: list[SourceFile] = []

    def walk(folder: Path) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            path = folder / name
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
            except OSError:
                continue
            # below the resolved root, only a link's path differs from its resolved one
            real = path.resolve() if is_link else path
            if real in skipped:
                continue
            if is_dir:
                if not is_link:
                    walk(path)
                continue
            if name.casefold() in SKIP_NAMES or is_owner_file(path):
                continue
            out.append(SourceFile(display_name(path.relative_to(root).as_posix()), path))

    walk(root)
    out.sort(key=lambda f: f.name)
    return out


def display_name(relative: str) -> str:
    """The relative name as NFC text. A name that is not valid UTF-8 (os.listdir gives it
    back with surrogates, which no file, database or JSON writer takes) is shown with its
    undecodable bytes escaped: `b\\xe1o-c\\xe1o.xlsx`."""
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        relative = os.fsencode(relative).decode("utf-8", "backslashreplace")
    return unicodedata.normalize("NFC", relative)


def hash_file(item: SourceFile) -> None:
    """Set the file's sha256, size and mtime, hashing in blocks (flat memory whatever the
    size); a FIFO, socket or device is never opened (it keeps no hash and goes to the
    reader, which names what it is)."""
    from consolidate.reading.fileio import sha256_of

    try:
        item.sha256, item.size = sha256_of(item.path)
        stat = item.path.stat()
    except OSError:
        return
    item.mtime = dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc)


def cached_returns(files: list[SourceFile], register: Register, key: str) -> dict[int, CheckedReturn]:
    """The checked returns the register kept for these files' contents under `key`, by
    index in `files`. Hashes every file here first (read + sha256: far cheaper than reading
    the workbook); a file that cannot be read now, or whose payload is unusable, is a miss
    and goes to the readers, exactly as without a cache."""
    from consolidate.validation.cache import decode

    for item in files:
        hash_file(item)
    payloads = register.checked([f.sha256 for f in files if f.sha256], key)
    out: dict[int, CheckedReturn] = {}
    for index, item in enumerate(files):
        payload = payloads.get(item.sha256) if item.sha256 else None
        if payload is None:
            continue
        ret = decode(payload, item.name)
        if ret is not None and ret.raw.sha256 == item.sha256:
            out[index] = ret
    return out


def archive_new(archive_dir: str, path: str, sha256: str, name: str) -> None:
    """Archive the file's bytes under `sha256` if they still are the bytes that were read
    (a regular file within the reading size limit only)."""
    from consolidate.merge.register import archive_bytes
    from consolidate.reading.fileio import read_limited

    try:
        data = read_limited(path)  # over the size limit: listed as file-too-large, not archived
    except OSError:
        return
    if data is not None and hashlib.sha256(data).hexdigest() == sha256:
        archive_bytes(Path(archive_dir), sha256, name, data, sync=False)
