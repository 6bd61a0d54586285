"""`consolidate feedback`: everything that goes back to the units, from the same reading,
validation, receipt times and status decisions as `consolidate merge`.

Output folder:

- ``danh-dau/``: for each unit whose newest return has errors or warnings, its return
  rebuilt from the template with every problem marked (consolidate.annotate);
- ``bieu-mau/``: the blank template of each unit that has not (usably) reported, and the
  plan's blank template when a file could not be matched to any unit;
- ``nhac-nho.xlsx``, ``nhac-nho.csv``: the reminder list (consolidate.reminders);
- ``thu-nhap/``: with ``eml=True``, one email draft per row of the list (consolidate.drafts).

The decisions come from :func:`consolidate.merge.run_merge` itself (see ``_decide``); a
feedback run therefore also records first sightings in the register, as a merge would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from consolidate.definition.model import Definition, Period, Unit
from consolidate.definition.naming import ascii_slug, template_file_name
from consolidate.feedback.annotate import (
    ANNOTATED_DIR,
    AnnotatedCopy,
    annotated_name,
    write_annotated,
)
from consolidate.feedback.drafts import DRAFTS_DIR, write_draft
from consolidate.feedback.reminders import (
    LIST_CSV,
    LIST_XLSX,
    UNREADABLE,
    Context,
    Reminder,
    compose,
    overdue_days,
    write_csv,
    write_xlsx,
)
from consolidate.i18n import _, in_vietnamese
from consolidate.mail.drafts import copy_to
from consolidate.merge.submissions import (
    IGNORED,
    INVALID,
    LATE,
    MISSING,
    NOT_YET_DUE,
    OVERDUE,
    REJECTED,
    Decision,
    FileDecision,
    UnitStatus,
)
from consolidate.problems import ConsolidateError, Problem
from consolidate.template.writer import write_template
from consolidate.xlsx.safe import atomic_output

TEMPLATES_DIR = "bieu-mau"
NOT_SPREADSHEET = "file-not-spreadsheet"
URGENCY = {OVERDUE: 0, INVALID: 1, UNREADABLE: 2, LATE: 3, NOT_YET_DUE: 4}


class FeedbackError(ConsolidateError):
    """Feedback cannot do its job (returns folder missing, output not writable, …)."""

    code = "feedback-failed"


class FeedbackUsageError(FeedbackError):
    """The arguments contradict each other (the output inside the returns folder)."""

    usage = True


@dataclass
class FeedbackResult:
    definition: Definition
    period: Period
    decision: Decision
    out_dir: Path
    annotated: list[AnnotatedCopy] = field(default_factory=list)
    templates: list[Path] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    list_xlsx: Path | None = None
    list_csv: Path | None = None
    drafts: list[Path] = field(default_factory=list)
    unreadable: list[FileDecision] = field(default_factory=list)
    not_spreadsheets: list[FileDecision] = field(default_factory=list)  # of no unit: not in the list
    receipt_problems: list[Problem] = field(default_factory=list)
    # unit code -> messages intake took from it that held no usable spreadsheet (merge status)
    mail_without_return: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def no_email(self) -> list[Reminder]:
        """Rows of the list whose unit has no email address (drafts with an empty To)."""
        return [r for r in self.reminders if r.unit is not None and not r.unit.email]


# --------------------------------------------------------------------------- decisions


def _decide(definition, period, returns_dir, receipts, as_of, register_path, workers, progress=None,
            compare_with=None):
    """The merge's own decision for the folder.

    `run_merge` without a summary or status JSON, keeping the raw cells that annotated
    copies are rebuilt from. Everything else (file listing, hashing, register, reading in
    worker processes, validation, receipt times, decisions) is the merge's, unchanged.
    """
    from consolidate.merge.run import run_merge

    result = run_merge(definition, period, returns_dir, None, receipts=receipts, as_of=as_of, json_path=None,
                       register_path=register_path, workers=workers, keep_raw=True, progress=progress,
                       compare_with=compare_with)
    mail = {code: unit.get("mail_without_return", []) for code, unit in result.status["units"].items()}
    return result.decision, list(result.receipt_problems), mail


# --------------------------------------------------------------------------- unreadable files


def match_unit(file_name: str, units: list[Unit]) -> Unit | None:
    """The unit a file name points at (`2026-H1_SNV_So-Noi-vu.xlsx`, `bao cao Sở Nội vụ.xls`):
    its code or its name as a whole word run; None unless exactly one unit matches."""
    stem = "-" + ascii_slug(Path(file_name).stem, 400).casefold() + "-"
    found = []
    for unit in units:
        code = ascii_slug(unit.code, 40).casefold()
        name = ascii_slug(unit.name, 400).casefold()
        if (code and f"-{code}-" in stem) or (name and f"-{name}-" in stem):
            found.append(unit)
    return found[0] if len(found) == 1 else None


def _reason(decision: FileDecision) -> str:
    text = decision.reason_vi.strip().rstrip(".")
    return text or "không đọc được tệp"


def _first_code(decision: FileDecision) -> str:
    return next((p.code for p in decision.submission.checked.raw.problems if p.severity == "error"), "")


def _plain_reason(decision: FileDecision) -> str:
    """Why a file could not be read, for the unit: the problem's message without the
    reader's technical note (that stays in the list's notes column)."""
    for problem in decision.submission.checked.raw.problems:
        if problem.severity == "error":
            text = dataclasses.replace(problem, note="").message_vi
            return text.strip().rstrip(":;,. ").strip()
    return _reason(decision)


# --------------------------------------------------------------------------- run


def run_feedback(
    definition: Definition | str | Path,
    period: Period | str,
    returns_dir: str | Path,
    out_dir: str | Path,
    receipts: str | Path | None = None,
    as_of: dt.datetime | None = None,
    register_path: str | Path | None = None,
    eml: bool = False,
    workers: int | None = None,
    resend_days: int = 3,
    progress=None,
    compare_with: str | Path | None = None,
) -> FeedbackResult:
    from consolidate.merge.run import resolve_inputs

    definition, period, as_of = resolve_inputs(definition, period, as_of)
    folder = Path(returns_dir)
    out = Path(out_dir)
    if folder.is_dir() and _inside(out, folder):
        raise FeedbackUsageError(_(
            "Thư mục kết quả {out} nằm trong thư mục báo cáo {folder}: các tệp đánh dấu sẽ bị đọc như bản nộp "
            "ở lần tổng hợp sau. Hãy chọn --out ở ngoài thư mục báo cáo.").format(out=out, folder=folder))
    if out.exists() and not out.is_dir():
        raise FeedbackError(_("{path} là một tệp; --out cần một thư mục").format(path=out))

    decision, receipt_problems, mail = _decide(definition, period, folder, receipts, as_of, register_path, workers,
                                               progress, compare_with)
    result = FeedbackResult(definition, period, decision, out, receipt_problems=receipt_problems,
                            mail_without_return=mail)
    ctx = Context(definition, period, as_of, resend_days)
    threads = _threads(register_path, folder, period, decision) if eml else {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        previous = _read_manifest(out)
        _build(result, ctx, eml, threads)
        _retire(out, previous, result)
    except OSError as exc:
        raise FeedbackError(_("Không ghi được vào {path}: {reason}").format(path=out, reason=exc.strerror or exc)) from None
    return result


MANIFEST = ".consolidate-feedback.json"


def _outputs(result: FeedbackResult) -> set[str]:
    paths = [*(c.path for c in result.annotated), *result.templates, *result.drafts, result.list_xlsx, result.list_csv]
    return {p.resolve().relative_to(result.out_dir.resolve()).as_posix() for p in paths if p is not None}


def _read_manifest(out: Path) -> set[str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return {str(p) for p in data.get("files", []) if isinstance(p, str)}
    except (OSError, ValueError, AttributeError):
        return set()


def _retire(out: Path, previous: set[str], result: FeedbackResult) -> None:
    """Remove what the previous run wrote and this one did not: an annotated copy of a unit
    that has since fixed its file must not be sent again. Only files listed in the previous
    run's manifest are touched; anything else in the folder is the user's."""
    current = _outputs(result)
    root = out.resolve()
    for relative in sorted(previous - current):
        target = (out / relative).resolve()
        if target.is_relative_to(root) and target.is_file():
            target.unlink()
    with atomic_output(out / MANIFEST) as tmp:
        tmp.write_text(json.dumps({"files": sorted(current)}, ensure_ascii=False, indent=1), encoding="utf-8")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _threads(register_path, folder: Path, period: Period, decision: Decision) -> dict:
    """The earlier mail of each unit (intake's, or the template sent), so that its
    reminder is a reply in the same conversation."""
    from consolidate.mail.thread import threads
    from consolidate.merge.register import default_path

    path = Path(register_path) if register_path else default_path(folder)
    return threads(path, period.id, [u.unit.code for u in decision.units])


@in_vietnamese
def _build(result: FeedbackResult, ctx: Context, eml: bool, threads: dict | None = None) -> None:
    d, period, decision, out = result.definition, result.period, result.decision, result.out_dir
    units = [u.unit for u in decision.units]

    # 1. annotated copies: every unit whose newest return has errors or warnings
    copies: dict[str, AnnotatedCopy] = {}
    for status in decision.units:
        used = status.used
        if used is None or not used.checked.raw.readable or not used.checked.problems:
            continue
        path = out / ANNOTATED_DIR / annotated_name(period, status.unit)
        copies[status.unit.code] = write_annotated(d, period, used.checked, status.unit, path, source=used.file)
    result.annotated = list(copies.values())

    # 2. what else happened to each unit's files: unreadable ones, ignored ones
    unreadable_of: dict[str, list[FileDecision]] = {}
    orphans: list[FileDecision] = []
    ignored_of: dict[str, list[FileDecision]] = {}
    for f in decision.files:
        checked = f.submission.checked
        if f.verdict == REJECTED and not checked.raw.readable:
            result.unreadable.append(f)
            unit = match_unit(f.file, units)
            if unit is None and _first_code(f) == NOT_SPREADSHEET:
                result.not_spreadsheets.append(f)  # a cover letter (công văn) in PDF, a photo, …
            elif unit is None:
                orphans.append(f)
            else:
                unreadable_of.setdefault(unit.code, []).append(f)
        elif f.verdict == IGNORED and not f.duplicate_of and checked.unit_code:
            ignored_of.setdefault(checked.unit_code, []).append(f)

    # 3. the reminder rows
    templates: dict[str, Path] = {}

    def blank_template(unit: Unit | None) -> Path:
        key = unit.code if unit else ""
        if key not in templates:
            templates[key] = write_template(d, unit, period, out / TEMPLATES_DIR / template_file_name(period, unit))
        return templates[key]

    reminders: list[Reminder] = []
    for status in decision.units:
        rem = _reminder(status, ctx, copies.get(status.unit.code), unreadable_of.get(status.unit.code, []),
                        ignored_of.get(status.unit.code, []))
        if rem is None:
            continue
        if rem.status == MISSING:
            rem.attachment = blank_template(status.unit)
            _mail_reasons(rem, result.mail_without_return.get(status.unit.code, []))
        reminders.append(rem)
    for f in orphans:
        rem = Reminder(unit=None, status=UNREADABLE, kind=UNREADABLE, file=f.file,
                       received_at=f.submission.receipt.at if f.submission.receipt else None,
                       reasons=[_plain_reason(f)], notes=[f"{f.file}: {_reason(f)}."])
        rem.attachment = blank_template(None)
        reminders.append(rem)
    order = {u.unit.code: i for i, u in enumerate(decision.units)}
    reminders.sort(key=lambda r: (URGENCY[r.kind], order.get(r.code, len(order)), r.file))
    for rem in reminders:
        rem.group_label = d.group_label(rem.unit.group) if rem.unit else ""
        if rem.attachment is not None:
            rem.attachment_name = rem.attachment.relative_to(out).as_posix()
        rem.subject, rem.message = compose(rem, ctx)
    result.reminders = reminders
    result.templates = list(templates.values())

    # 4. the list, and the drafts
    result.list_xlsx = write_xlsx(reminders, out / LIST_XLSX, ctx)
    result.list_csv = write_csv(reminders, out / LIST_CSV)
    if eml:
        c = d.collector
        cc = copy_to(d)
        result.drafts = [
            write_draft(rem, out / DRAFTS_DIR, c.name, c.email, cc=cc, thread=(threads or {}).get(rem.code),
                        report_id=d.id, period=period.id)
            for rem in reminders
        ]


def _mail_reasons(rem: Reminder, messages: list[dict]) -> None:
    """A unit that mailed something that was not the return: the reminder says what came."""
    from consolidate.vntime import date_text, parse_time

    for m in messages:
        at = parse_time(m["received_at"])
        day = f" ngày {date_text(at)}" if at else ""
        rem.reasons.append(f"Thư “{m['subject']}” đơn vị gửi{day} không kèm tệp Excel của biểu mẫu "
                           "(báo cáo dạng PDF, ảnh hoặc đường dẫn không tổng hợp được)")
        rem.notes.extend(m["notes"][:1])


def _reminder(status: UnitStatus, ctx: Context, copy: AnnotatedCopy | None,
              unreadable: list[FileDecision], ignored: list[FileDecision]) -> Reminder | None:
    if status.status not in (MISSING, LATE, INVALID):
        return None
    if status.decision == "accept":  # the specialist took the return as it is: nothing to chase
        return None
    period = ctx.period
    due = status.due_before or period.due_before  # the unit's own deadline after an extension
    rem = Reminder(unit=status.unit, status=status.status, kind=status.status, missing_state=status.missing_state,
                   errors=status.errors, warnings=status.warnings,
                   due_before=due if due != period.due_before else None)
    if status.used is not None:
        rem.file = status.used.file
        rem.received_at = status.received_at
    if status.status == MISSING:
        rem.kind = status.missing_state or OVERDUE
        rem.days_overdue = overdue_days(ctx.as_of, period, due)
        if rem.kind == NOT_YET_DUE:
            from consolidate.vntime import local_date

            rem.days_left = (due - local_date(ctx.as_of)).days
        if unreadable:  # what the unit sent cannot be opened: say so, ask for it again
            newest = unreadable[-1]
            rem.kind = UNREADABLE
            rem.file = newest.file
            rem.received_at = newest.submission.receipt.at if newest.submission.receipt else None
            rem.reasons.extend(_plain_reason(f) for f in unreadable)
            rem.notes.extend(f"{f.file}: {_reason(f)}." for f in unreadable)
        for f in ignored:
            rem.reasons.append(f"Tệp “{f.file}” đơn vị đã gửi không được tính cho kỳ này ({_reason(f)})")
            rem.notes.append(f"{f.file}: {_reason(f)}.")
    elif status.status == LATE:
        rem.days_overdue = status.days_late
        rem.attachment = copy.path if copy else None
    else:  # invalid: the unit still owes a usable report
        rem.days_overdue = overdue_days(ctx.as_of, period, due)
        rem.attachment = copy.path if copy else None
        if status.decision == "reject" and status.ruling is not None:
            rem.reasons.append(f"Báo cáo chưa được chấp nhận: {status.ruling.note}".rstrip(": "))
    return rem


__all__ = ["FeedbackError", "FeedbackUsageError", "FeedbackResult", "match_unit", "run_feedback"]
