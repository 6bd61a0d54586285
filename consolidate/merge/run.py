"""`consolidate merge`: one folder of returned files -> the provincial summary.

list files -> hash (+ archive new contents) -> read (worker processes) -> validate ->
receipt times -> decide who submitted what -> aggregate -> summary workbook + status JSON ->
record everything in the register (one transaction). The register's lock is held from the
start to the end, so two merges on the same register never interleave.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import os
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from consolidate.definition.loader import load as load_definition
from consolidate.definition.model import Definition, Period
from consolidate.merge import side_job
from consolidate.merge.aggregate import Aggregates, aggregate
from consolidate.merge.receipts import (
    Receipt,
    ReceiptBook,
    aware,
    first_receipt,
    iso,
    read_book,
    resolve,
)
from consolidate.merge.receipts import now as utc_now
from consolidate.merge.register import Outcome, Register, Seen, default_path
from consolidate.merge.submissions import IGNORED, Decision, Submission, decide, local_date, rates
from consolidate.merge.summary import SummaryData, write_summary
from consolidate.problems import ConsolidateError, Problem
from consolidate.validation import cache as checked_cache
from consolidate.validation.returns import CheckedReturn, RawReturn
from consolidate.xlsx.safe import atomic_output

SKIP_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


class MergeError(ConsolidateError):
    """The merge cannot do its job (folder missing, output not writable, …)."""

    code = "merge-failed"


@dataclass
class MergeResult:
    definition: Definition
    period: Period
    decision: Decision
    aggregates: Aggregates
    status: dict[str, Any]
    summary_path: Path | None
    json_path: Path | None
    register_path: Path
    receipt_problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return self.status["counts"]

    @property
    def rates(self) -> tuple[float | None, float | None]:
        return rates(self.counts)


@dataclass
class _File:
    name: str  # relative, '/' separators, NFC
    path: Path
    sha256: str = ""
    size: int = 0
    mtime: dt.datetime | None = None


def list_files(returns_dir: Path, skip: list[Path] | None = None) -> list[_File]:
    """Every candidate file under the folder, sorted by relative name. Skipped silently:
    Excel/LibreOffice lock files (`~$…`, `.~lock…`), hidden files and folders (the register's
    `.consolidate` among them), system junk, and the paths in ``skip`` (the outputs).
    Links to folders are not followed (as os.walk does by default)."""
    from consolidate.reading import is_owner_file

    root = returns_dir.resolve()
    skipped = {p.resolve() for p in (skip or [])}
    out: list[_File] = []

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
            relative = unicodedata.normalize("NFC", path.relative_to(root).as_posix())
            out.append(_File(relative, path))

    walk(root)
    out.sort(key=lambda f: f.name)
    return out


def _hash(item: _File) -> bytes | None:
    try:
        data = item.path.read_bytes()
        stat = item.path.stat()
    except OSError:
        return None
    item.sha256 = hashlib.sha256(data).hexdigest()
    item.size = len(data)
    item.mtime = dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc)
    return data


def status_document(definition: Definition, decision: Decision, agg: Aggregates) -> dict[str, Any]:
    """The `--json` document; its shape is fixed by schemas/merge-status.schema.json."""
    period = decision.period
    units: dict[str, Any] = {}
    for u in decision.units:
        units[u.unit.code] = {
            "name": u.unit.name,
            "group": u.unit.group,
            "status": u.status,
            "missing_state": u.missing_state,
            "received_at": iso(u.received_at),
            "received_at_source": u.received_source,
            "file": u.used.file if u.used else None,
            "submissions": len(u.submissions),
            "errors": u.errors,
            "warnings": u.warnings,
            "days_late": u.days_late,
        }
    fields = {
        t.field.id: {"aggregate": t.field.aggregate, "value": t.value, "units_reporting": t.units_reporting}
        for t in agg.fields
    }
    tasks = {p.task.id: dict(p.counts) for p in agg.tasks}
    tables = {sid: len(rows) for sid, rows in agg.tables.items()}
    files = [
        {
            "file": f.file,
            "sha256": f.submission.sha256,
            "unit_code": f.unit_code or f.submission.checked.unit_code or None,
            "period": f.submission.checked.period or None,
            "verdict": f.verdict,
            "reason": f.reason,
        }
        for f in decision.files
    ]
    return {
        "report_id": definition.id,
        "definition_version": definition.version,
        "period": period.id,
        "due_before": period.due_before.isoformat(),
        "as_of": iso(decision.as_of),
        "counts": decision.counts(),
        "units": units,
        "fields": fields,
        "tasks": tasks,
        "tables": tables,
        "files": files,
    }


def write_json(document: dict[str, Any], path: str | Path) -> Path:
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    target = Path(path)
    try:
        with atomic_output(target) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MergeError(f"Không ghi được tệp trạng thái {target}: {exc.strerror or exc}") from None
    return target


def _cached(files: list[_File], register: Register, key: str) -> dict[int, CheckedReturn]:
    """The checked returns the register kept for these files' contents under `key`, by
    index in `files`. Hashes every file here first (read + sha256: far cheaper than reading
    the workbook); a file that cannot be read now, or whose payload is unusable, is a miss
    and goes to the readers, exactly as without a cache."""
    from consolidate.validation.cache import decode

    for item in files:
        _hash(item)
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


def _read_and_check(
    files: list[_File], definition: Definition, period: Period, as_of: dt.datetime, workers: int | None,
    register: Register, keep_raw: bool, progress: Callable[[int, int], None] | None = None,
    total: int | None = None, done: int = 0, encode: bool = False, side: bool = False,
) -> tuple[list[CheckedReturn], dict[str, str]]:
    """Read and check `files` in worker processes; unless `side` (a side job will do it),
    also archive them and, with `encode`, make the validation-cache payload of each result
    (sha256 -> JSON). `total`/`done`: the progress of the whole merge when some files came
    from the cache."""
    from consolidate.reading import read_many

    after = partial(_check_and_archive, definition=definition, period_id=period.id, as_of=local_date(as_of),
                    archive_dir=None if side else str(register.dir), keep_raw=keep_raw,
                    encode=encode and not side)
    total = len(files) if total is None else total

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total)

    results: list[tuple[CheckedReturn, str | None]] = read_many(
        [f.path for f in files], definition, workers=workers, display_names=[f.name for f in files], after=after,
        progress=step,
    )
    checked = [ret for ret, _ in results]
    payloads = {ret.raw.sha256: payload for ret, payload in results if payload is not None}
    for item, ret in zip(files, checked, strict=True):
        item.sha256, item.size = ret.raw.sha256, ret.raw.size
        try:
            item.mtime = dt.datetime.fromtimestamp(item.path.stat().st_mtime, dt.timezone.utc)
        except OSError:
            item.mtime = None
    return checked, payloads


def _archive_new(archive_dir: str, path: str, sha256: str, name: str) -> None:
    """Archive the file's bytes under `sha256` if they still are the bytes that were read."""
    from consolidate.merge.register import archive_bytes

    try:
        data = Path(path).read_bytes()
    except OSError:
        return
    if hashlib.sha256(data).hexdigest() == sha256:
        archive_bytes(Path(archive_dir), sha256, name, data, sync=False)


def _check_and_archive(raw: RawReturn, path: str, *, definition: Definition, period_id: str, as_of: dt.date,
                       archive_dir: str | None, keep_raw: bool = False,
                       encode: bool = False) -> tuple[CheckedReturn, str | None]:
    """Runs in the reading worker: validate, and (given `archive_dir`) archive the bytes
    that were hashed; with `encode`, also the result's cache payload (done here, in
    parallel, rather than one by one in the merge process after reading)."""
    from consolidate.validation.checker import check_return

    if raw.sha256 and archive_dir is not None:
        _archive_new(archive_dir, path, raw.sha256, raw.file)
    checked = check_return(raw, definition, period_id, as_of=as_of)
    if not keep_raw:
        # typed values are all the merge uses; the raw cells would only be pickled back
        checked.raw.cells, checked.raw.tables = {}, {}
    return checked, checked_cache.encode(checked) if encode else None


def _archive_and_encode(archive_dir: str, new: list[tuple[str, str, str]], checked: list[CheckedReturn],
                        encode: bool) -> dict[str, str]:
    """The side job of a merge: archive the new contents (path, sha256, name) and return
    the cache payloads of the checked returns (what the workers do when there is no side job)."""
    for path, sha256, name in new:
        _archive_new(archive_dir, path, sha256, name)
    if new:
        os.sync()  # the flush the merge makes before it commits then finds little left to do
    return _payloads(checked) if encode else {}


def _payloads(checked: list[CheckedReturn]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ret in checked:
        payload = checked_cache.encode(ret)
        if payload is not None:
            out[ret.raw.sha256] = payload
    return out


@contextlib.contextmanager
def _collector_paused():
    """No cyclic garbage collection while the merge runs. It builds hundreds of thousands of
    long-lived objects (checked returns, summary cells) and almost no cycles: every full
    collection walked all of them to free a few dozen objects (≈ 0.3 s at national scale).
    Whatever cycles there are go at the next collection after the merge."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def resolve_inputs(
    definition: Definition | str | Path, period: Period | str, as_of: dt.datetime | None
) -> tuple[Definition, Period, dt.datetime]:
    """What merge and feedback accept (a loaded definition or its path, a period or its id, a
    naive or aware time or none) as the objects they work with; "now" when as_of is None."""
    if not isinstance(definition, Definition):
        definition = load_definition(definition)
    if not isinstance(period, Period):
        period = definition.period(period)
    return definition, period, aware(as_of) if as_of is not None else utc_now()


def _conclude(definition: Definition, period: Period, files: list[_File], checked: list[CheckedReturn],
              known: dict, receipts: str | Path | None, started: dt.datetime, as_of: dt.datetime,
              out_path: Path | None, json_path: str | Path | None, lap: Callable[[str], None]):
    """Receipt times -> decide who submitted what -> aggregate -> summary + status JSON."""
    book: ReceiptBook | None = read_book(receipts, [f.name for f in files]) if receipts else None
    new_receipts: dict[str, Receipt] = {}
    for item in files:
        if item.sha256 and item.sha256 not in known:
            candidate = first_receipt(started, item.mtime)
            previous = new_receipts.get(item.sha256)
            if previous is None or candidate.at < previous.at:
                new_receipts[item.sha256] = candidate
    submissions = []
    for item, ret in zip(files, checked, strict=True):
        entry = known.get(item.sha256)
        registered = entry.receipt if entry else new_receipts.get(item.sha256)
        first_seen = entry.first_seen if entry else started
        submissions.append(Submission(ret, resolve(item.name, book, registered, item.mtime), first_seen))
    decision = decide(definition, period, submissions, as_of)
    agg = aggregate(definition, decision)
    lap("decide_aggregate")

    receipt_problems = list(book.problems) if book else []
    if out_path is not None:
        write_summary(SummaryData(definition, decision, agg, receipt_problems), out_path)
        lap("summary")
    document = status_document(definition, decision, agg)
    written_json = write_json(document, json_path) if json_path else None
    lap("json")

    return decision, agg, receipt_problems, document, written_json, new_receipts


def run_merge(
    definition: Definition | str | Path,
    period: Period | str,
    returns_dir: str | Path,
    out: str | Path | None,
    receipts: str | Path | None = None,
    as_of: dt.datetime | None = None,
    json_path: str | Path | None = None,
    register_path: str | Path | None = None,
    workers: int | None = None,
    keep_raw: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> MergeResult:
    """The whole merge. `out=None` decides and registers without writing a summary (what
    feedback needs); `keep_raw` keeps every raw cell of each return (feedback rebuilds
    annotated copies from them; the merge itself needs only the checked values).
    `progress(done, total)` follows the reading of the files."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now_ = time.perf_counter()
        timings[name] = round(now_ - clock, 3)
        clock = now_

    definition, period, as_of = resolve_inputs(definition, period, as_of)
    folder = Path(returns_dir)
    if not folder.is_dir():
        raise MergeError(f"Không tìm thấy thư mục báo cáo {folder}")
    out_path = Path(out) if out is not None else None
    if out_path is not None and out_path.exists() and out_path.is_dir():
        raise MergeError(f"{out_path} là một thư mục; --out cần tên tệp .xlsx")
    reg_path = Path(register_path) if register_path else default_path(folder)

    with _collector_paused(), Register(reg_path) as register:
        started = utc_now()
        skip = [p for p in (out_path, reg_path, register.lock_path, reg_path.parent / "archive") if p is not None]
        skip += [reg_path.with_name(reg_path.name + suffix) for suffix in ("-journal", "-wal", "-shm")]
        skip += [Path(p) for p in (json_path, receipts) if p]
        files = list_files(folder, skip)
        lap("list")

        # Validation cache: a content checked before under the same definition, period,
        # "today" and code is not read again. keep_raw (feedback) needs every raw cell,
        # which the cache does not keep, so it reads everything (and still stores results).
        key = checked_cache.cache_key(definition, period.id, local_date(as_of))
        hits: dict[int, CheckedReturn] = {}
        # The first merge of a period (or of a new day) finds nothing under its key: it
        # skips the hashing pass, which only a lookup needs.
        if key is not None and not keep_raw and files and register.has_checked(key):
            hits = _cached(files, register, key)
            if progress and hits:
                progress(len(hits), len(files))
        lap("hash_lookup")

        misses = [item for index, item in enumerate(files) if index not in hits]
        # On a machine that can fork, archiving and cache payloads wait for the summary
        # phase, which leaves a core idle (see side_job); the readers only read and check.
        side_ok = side_job.available() and not keep_raw
        encode = key is not None
        read, stored = (
            _read_and_check(misses, definition, period, as_of, workers, register, keep_raw, progress,
                            total=len(files), done=len(hits), encode=encode, side=side_ok)
            if misses else ([], {})
        )
        fresh = iter(read)
        checked = [hits[index] if index in hits else next(fresh) for index in range(len(files))]
        lap("read_validate")

        known = register.known([f.sha256 for f in files if f.sha256])
        side = None
        if side_ok and read:
            new = [(str(f.path), f.sha256, f.name) for f in misses if f.sha256 and f.sha256 not in known]
            side = side_job.SideJob(_archive_and_encode, str(register.dir), new, read, encode)
        try:
            decision, agg, receipt_problems, document, written_json, new_receipts = _conclude(
                definition, period, files, checked, known, receipts, started, as_of, out_path, json_path, lap
            )
            if side is not None:
                result = side.result()
                if result is None:  # no side job after all, or it failed: do its work here
                    result = _payloads(read) if encode else {}
                stored = result
                lap("side_job_wait")
        finally:
            if side is not None:
                side.cancel()

        for index, item in enumerate(files):
            # the workers or the side job archive what was read; this covers a file they could
            # not, and a content served from the cache (its archive, under this name's
            # extension, may be missing). Bytes that changed since they were read are not the
            # content the register records: they wait for the next merge.
            if (
                item.sha256 and (item.sha256 not in known or index in hits)
                and not register.has_archive(item.sha256, item.name)
            ):
                _archive_new(str(register.dir), str(item.path), item.sha256, item.name)
        os.sync()  # one flush for every archived file instead of one fsync each
        lap("archive_check")

        seen = [
            Seen(item.name, item.sha256, item.size, item.path, item.mtime) for item in files if item.sha256
        ]
        outcomes = [
            Outcome(
                sha256=f.submission.sha256,
                unit_code=f.unit_code or f.submission.checked.unit_code,
                period=f.submission.checked.period,
                report_id=f.submission.checked.report_id,
                verdict=f.verdict,
                reason=f.reason,
                errors=f.submission.checked.errors,
                warnings=f.submission.checked.warnings,
            )
            for f in decision.files
            if f.submission.sha256 and not (f.verdict == IGNORED and f.duplicate_of)
        ]
        register.record(folder, seen, new_receipts, outcomes, definition.id, period.id, started,
                        checked=stored, checked_key=key or "",
                        checked_scope=checked_cache.cache_scope(definition, period.id))
        lap("register")

    return MergeResult(
        definition=definition,
        period=period,
        decision=decision,
        aggregates=agg,
        status=document,
        summary_path=out_path,
        json_path=written_json,
        register_path=reg_path,
        receipt_problems=receipt_problems,
        timings=timings,
    )
