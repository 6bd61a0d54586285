"""`consolidate merge`: one folder of returned files -> the provincial summary.

list files -> hash (+ archive new contents) -> read (worker processes) -> validate ->
receipt times -> decide who submitted what -> aggregate -> summary workbook + status JSON ->
record everything in the register (one transaction). The register's lock is held from the
start to the end, so two merges on the same register never interleave.

The listing and the cache lookup are in merge.files, the status JSON in merge.status; this
module runs the phases in order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from consolidate.definition.loader import load as load_definition
from consolidate.definition.model import Definition, Period
from consolidate.i18n import _
from consolidate.merge import mail, quality, side_job
from consolidate.merge.aggregate import Aggregates, aggregate
from consolidate.merge.decisions import in_force
from consolidate.merge.errors import MergeError
from consolidate.merge.files import SourceFile, archive_new, cached_returns, list_files
from consolidate.merge.notices import notices
from consolidate.merge.quality import Findings, Previous, previous_period, read_previous
from consolidate.merge.receipts import (
    Receipt,
    ReceiptBook,
    first_receipt,
    read_book,
    resolve,
)
from consolidate.merge.register import Known, Outcome, Register, Seen, default_path
from consolidate.merge.status import status_document, write_json
from consolidate.merge.submissions import IGNORED, Decision, Submission, decide, rates
from consolidate.merge.summary import SummaryData, write_summary
from consolidate.problems import ERROR, Problem, ProblemList
from consolidate.validation import cache as checked_cache
from consolidate.validation.problems import ProblemsOmitted
from consolidate.validation.returns import CheckedReturn, RawReturn
from consolidate.vntime import aware, local_date
from consolidate.vntime import now as utc_now

# Errors kept of one return (see _keep_first_errors): a unit fixes the first ones and
# validates again; a thousand rows of "not a number" say nothing more.
MAX_ERRORS_KEPT = 200

__all__ = [
    "MergeError", "MergeInputs", "MergeOptions", "MergeResult", "list_files", "resolve_inputs", "run_merge",
    "status_document", "write_json",
]


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
    findings: Findings = field(default_factory=Findings)

    @property
    def counts(self) -> dict[str, int]:
        return self.status["counts"]

    @property
    def rates(self) -> tuple[float | None, float | None]:
        return rates(self.counts)


@dataclass
class MergeOptions:
    """Everything of a merge but its definition, period, folder and summary path.
    `keep_raw` keeps every raw cell of each return (feedback rebuilds annotated copies from
    them; the merge itself needs only the checked values). `progress(done, total)` follows
    the reading of the files."""

    receipts: str | Path | None = None
    as_of: dt.datetime | None = None
    json_path: str | Path | None = None
    register_path: str | Path | None = None
    workers: int | None = None
    keep_raw: bool = False
    progress: Callable[[int, int], None] | None = None
    compare_with: str | Path | None = None  # a status JSON of an earlier period


@dataclass
class MergeInputs:
    """The checked, resolved inputs of one merge."""

    definition: Definition
    period: Period
    as_of: dt.datetime
    folder: Path
    out_path: Path | None
    register_path: Path
    options: MergeOptions

    @classmethod
    def prepare(cls, definition: Definition | str | Path, period: Period | str, returns_dir: str | Path,
                out: str | Path | None, options: MergeOptions) -> MergeInputs:
        definition, period, as_of = resolve_inputs(definition, period, options.as_of)
        folder = Path(returns_dir)
        if not folder.is_dir():
            raise MergeError(_("Không tìm thấy thư mục báo cáo {folder}").format(folder=folder))
        out_path = Path(out) if out is not None else None
        if out_path is not None and out_path.exists() and out_path.is_dir():
            raise MergeError(_("{path} là một thư mục; --out cần tên tệp .xlsx").format(path=out_path))
        reg_path = Path(options.register_path) if options.register_path else default_path(folder)
        return cls(definition, period, as_of, folder, out_path, reg_path, options)

    def outputs(self, register: Register) -> list[Path]:
        """What the listing must skip: the merge's own outputs, inputs and register."""
        reg = self.register_path
        skip = [p for p in (self.out_path, reg, register.lock_path, reg.parent / "archive") if p is not None]
        skip += [reg.with_name(reg.name + suffix) for suffix in ("-journal", "-wal", "-shm")]
        skip += [Path(p) for p in (self.options.json_path, self.options.receipts, self.options.compare_with) if p]
        return skip


class _Clock:
    """Seconds per stage, for --timings and the benchmark."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._at = time.perf_counter()

    def lap(self, name: str) -> None:
        now_ = time.perf_counter()
        self.timings[name] = round(now_ - self._at, 3)
        self._at = now_


@dataclass
class _Reading:
    """What the reading phase leaves for the rest of the merge."""

    files: list[SourceFile]
    checked: list[CheckedReturn]  # one per file, from the cache or read now
    hits: dict[int, CheckedReturn]  # by index in files: served by the cache
    misses: list[SourceFile]
    fresh: list[CheckedReturn]  # read now, one per miss
    stored: dict[str, str]  # new validation-cache payloads (sha256 -> JSON)
    key: str | None
    known: dict[str, Known] = field(default_factory=dict)  # contents the register had seen


@dataclass
class _Concluded:
    decision: Decision
    aggregates: Aggregates
    receipt_problems: list[Problem]
    document: dict[str, Any]
    json_path: Path | None
    new_receipts: dict[str, Receipt]
    findings: Findings


def _read_and_check(
    files: list[SourceFile], definition: Definition, period: Period, as_of: dt.datetime, workers: int | None,
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
    checked = [ret for ret, _payload in results]
    payloads = {ret.raw.sha256: payload for ret, payload in results if payload is not None}
    for item, ret in zip(files, checked, strict=True):
        item.sha256, item.size = ret.raw.sha256, ret.raw.size
        item.stat_mtime()
    return checked, payloads


def _check_and_archive(raw: RawReturn, path: str, *, definition: Definition, period_id: str, as_of: dt.date,
                       archive_dir: str | None, keep_raw: bool = False,
                       encode: bool = False) -> tuple[CheckedReturn, str | None]:
    """Runs in the reading worker: validate, and (given `archive_dir`) archive the bytes
    that were hashed; with `encode`, also the result's cache payload (done here, in
    parallel, rather than one by one in the merge process after reading)."""
    from consolidate.validation.checker import check_return

    if raw.sha256 and archive_dir is not None:
        archive_new(archive_dir, path, raw.sha256, raw.file)
    checked = check_return(raw, definition, period_id, as_of=as_of)
    _keep_first_errors(checked)
    if not keep_raw:
        # typed values are all the merge uses; the raw cells would only be pickled back
        checked.raw.cells, checked.raw.tables = {}, {}
    return checked, checked_cache.encode(checked) if encode else None


def _keep_first_errors(checked: CheckedReturn, keep: int = MAX_ERRORS_KEPT) -> None:
    """A return with more errors than `keep` keeps the first ones and one problem saying how
    many more: what the merge holds of each file stays bounded (each problem also becomes a
    row of the summary's error list), and the file is invalid either way."""
    errors = 0
    kept = ProblemList()
    for problem in checked.problems:
        if problem.severity == ERROR:
            errors += 1
            if errors > keep:
                continue
        kept.append(problem)
    if errors > keep:
        kept.append(ProblemsOmitted(file=checked.file, value=str(errors - keep)))
        checked.problems = kept


def _archive_and_encode(archive_dir: str, new: list[tuple[str, str, str]], checked: list[CheckedReturn],
                        encode: bool) -> dict[str, str]:
    """The side job of a merge: archive the new contents (path, sha256, name) and return
    the cache payloads of the checked returns (what the workers do when there is no side job)."""
    for path, sha256, name in new:
        archive_new(archive_dir, path, sha256, name)
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


def _read(inputs: MergeInputs, register: Register, files: list[SourceFile], clock: _Clock,
          side_ok: bool) -> _Reading:
    """Cache lookup, then read and check the rest. A content checked before under the same
    definition, period, "today" and code is not read again. keep_raw (feedback) needs every
    raw cell, which the cache does not keep, so it reads everything (and still stores results)."""
    options = inputs.options
    key = checked_cache.cache_key(inputs.definition, inputs.period.id, local_date(inputs.as_of))
    hits: dict[int, CheckedReturn] = {}
    # The first merge of a period (or of a new day) finds nothing under its key: it skips
    # the hashing pass, which only a lookup needs.
    if key is not None and not options.keep_raw and files and register.has_checked(key):
        hits = cached_returns(files, register, key)
        if options.progress and hits:
            options.progress(len(hits), len(files))
    clock.lap("hash_lookup")

    misses = [item for index, item in enumerate(files) if index not in hits]
    fresh, stored = (
        _read_and_check(misses, inputs.definition, inputs.period, inputs.as_of, options.workers, register,
                        options.keep_raw, options.progress, total=len(files), done=len(hits),
                        encode=key is not None, side=side_ok)
        if misses else ([], {})
    )
    read = iter(fresh)
    checked = [hits[index] if index in hits else next(read) for index in range(len(files))]
    clock.lap("read_validate")
    reading = _Reading(files, checked, hits, misses, fresh, stored, key)
    reading.known = register.known([f.sha256 for f in files if f.sha256])
    return reading


def _start_side_job(register: Register, reading: _Reading, side_ok: bool) -> side_job.SideJob | None:
    """On a machine that can fork, archiving and cache payloads wait for the summary phase,
    which leaves a core idle (see side_job); the readers only read and check."""
    if not (side_ok and reading.fresh):
        return None
    new = [(str(f.path), f.sha256, f.name) for f in reading.misses if f.sha256 and f.sha256 not in reading.known]
    return side_job.SideJob(_archive_and_encode, str(register.dir), new, reading.fresh, reading.key is not None)


def _new_receipts(files: list[SourceFile], known: dict[str, Known], started: dt.datetime) -> dict[str, Receipt]:
    """First-sighting receipts of the contents new to the register (the earliest of copies)."""
    out: dict[str, Receipt] = {}
    for item in files:
        if item.sha256 and item.sha256 not in known:
            candidate = first_receipt(started, item.mtime)
            previous = out.get(item.sha256)
            if previous is None or candidate.at < previous.at:
                out[item.sha256] = candidate
    return out


def _submissions(inputs: MergeInputs, reading: _Reading, new_receipts: dict[str, Receipt],
                 started: dt.datetime) -> tuple[list[Submission], list[Problem]]:
    receipts = inputs.options.receipts
    book: ReceiptBook | None = read_book(receipts, [f.name for f in reading.files]) if receipts else None
    submissions = []
    for item, ret in zip(reading.files, reading.checked, strict=True):
        entry = reading.known.get(item.sha256)
        registered = entry.receipt if entry else new_receipts.get(item.sha256)
        first_seen = entry.first_seen if entry else started
        submissions.append(Submission(ret, resolve(item.name, book, registered, item.mtime), first_seen))
    return submissions, list(book.problems) if book else []


def _previous(inputs: MergeInputs, register: Register) -> Previous | None:
    """The earlier period to compare with: --compare-with, else the register's nearest."""
    definition, period = inputs.definition, inputs.period
    if inputs.options.compare_with:
        return read_previous(inputs.options.compare_with, definition)
    earlier = previous_period(definition, period, register.stored_periods(definition.id))
    document = register.status(definition.id, earlier) if earlier else None
    return Previous.from_status(document, "register") if document else None


def _conclude(inputs: MergeInputs, reading: _Reading, register: Register, started: dt.datetime,
              clock: _Clock) -> _Concluded:
    """Receipt times -> decide who submitted what (with the specialist's decisions) ->
    aggregate -> checks -> summary + status JSON."""
    definition, period = inputs.definition, inputs.period
    new_receipts = _new_receipts(reading.files, reading.known, started)
    submissions, receipt_problems = _submissions(inputs, reading, new_receipts, started)
    rulings = in_force(register.rulings(definition.id, period.id))
    decision = decide(definition, period, submissions, inputs.as_of, rulings)
    agg = aggregate(definition, decision)
    findings = quality.check(definition, period, agg, _previous(inputs, register))
    messages = mail.period_messages(register, definition, period.id)
    findings.notices = notices(definition, decision) + mail.mail_notices(decision, messages)
    clock.lap("decide_aggregate")

    if inputs.out_path is not None:
        write_summary(SummaryData(definition, decision, agg, receipt_problems, findings), inputs.out_path)
        clock.lap("summary")
    document = status_document(definition, decision, agg, findings)
    mail.add_to_status(document, messages)
    json_path = inputs.options.json_path
    written_json = write_json(document, json_path) if json_path else None
    clock.lap("json")
    return _Concluded(decision, agg, receipt_problems, document, written_json, new_receipts, findings)


def _archive_missing(register: Register, reading: _Reading) -> None:
    """The workers or the side job archive what was read; this covers a file they could not,
    and a content served from the cache (its archive, under this name's extension, may be
    missing). Bytes that changed since they were read are not the content the register
    records: they wait for the next merge."""
    for index, item in enumerate(reading.files):
        if (
            item.sha256 and (item.sha256 not in reading.known or index in reading.hits)
            and not register.has_archive(item.sha256, item.name)
        ):
            archive_new(str(register.dir), str(item.path), item.sha256, item.name)
    os.sync()  # one flush for every archived file instead of one fsync each


def _record(register: Register, inputs: MergeInputs, reading: _Reading, concluded: _Concluded,
            started: dt.datetime) -> None:
    seen = [Seen(item.name, item.sha256, item.size, item.path, item.mtime) for item in reading.files if item.sha256]
    outcomes = [
        Outcome(
            sha256=f.submission.sha256,
            unit_code=f.unit_code or f.submission.checked.unit_code,
            period=f.submission.checked.period,
            report_id=f.submission.checked.report_id,
            verdict=f.verdict,
            reason=f.reason_vi,
            errors=f.submission.checked.errors,
            warnings=f.submission.checked.warnings,
        )
        for f in concluded.decision.files
        if f.submission.sha256 and not (f.verdict == IGNORED and f.duplicate_of)
    ]
    definition, period = inputs.definition, inputs.period
    register.record(inputs.folder, seen, concluded.new_receipts, outcomes, definition.id, period.id, started,
                    checked=reading.stored, checked_key=reading.key or "",
                    checked_scope=checked_cache.cache_scope(definition, period.id),
                    status=json.dumps(concluded.document, ensure_ascii=False, sort_keys=True))


def run_merge(definition: Definition | str | Path, period: Period | str, returns_dir: str | Path,
              out: str | Path | None, **options: Any) -> MergeResult:
    """The whole merge; `options` are the fields of MergeOptions. `out=None` decides and
    registers without writing a summary (what feedback needs)."""
    inputs = MergeInputs.prepare(definition, period, returns_dir, out, MergeOptions(**options))
    clock = _Clock()
    side_ok = side_job.available() and not inputs.options.keep_raw
    with _collector_paused(), Register(inputs.register_path) as register:
        started = utc_now()
        files = list_files(inputs.folder, inputs.outputs(register))
        clock.lap("list")
        reading = _read(inputs, register, files, clock, side_ok)
        side = _start_side_job(register, reading, side_ok)
        try:
            concluded = _conclude(inputs, reading, register, started, clock)
            if side is not None:
                result = side.result()
                if result is None:  # no side job after all, or it failed: do its work here
                    result = _payloads(reading.fresh) if reading.key is not None else {}
                reading.stored = result
                clock.lap("side_job_wait")
        finally:
            if side is not None:
                side.cancel()
        _archive_missing(register, reading)
        clock.lap("archive_check")
        _record(register, inputs, reading, concluded, started)
        clock.lap("register")

    return MergeResult(
        definition=inputs.definition,
        period=inputs.period,
        decision=concluded.decision,
        aggregates=concluded.aggregates,
        status=concluded.document,
        summary_path=inputs.out_path,
        json_path=concluded.json_path,
        register_path=inputs.register_path,
        receipt_problems=concluded.receipt_problems,
        timings=clock.timings,
        findings=concluded.findings,
    )
