"""`consolidate validate`: check returned files against a report definition.

Exit 0 when every file is acceptable (warnings allowed), 1 when any file has an error (or
the definition cannot be used), 2 on a usage error.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from consolidate import vntime
from consolidate.cli.common import load_definition
from consolidate.cli.options import AsOf, Command, definition_option, lang_option
from consolidate.i18n import _, ngettext, render
from consolidate.problems import Problem
from consolidate.validation import ValidationReport, validate_returns
from consolidate.validation.returns import CheckedReturn


def collect_files(paths: tuple[str, ...]) -> list[tuple[Path, str]]:
    """Files as given, each with the name it is shown by; folders searched recursively as
    merge lists a returns folder: every file but lock files, hidden files and system junk,
    so a Word document or a scan a unit sent instead of its return is reported
    (file-not-spreadsheet), never skipped unseen. A name that is not valid UTF-8 is read by
    its real path and shown with its bytes escaped (as merge shows it). Each file is
    listed once, in a stable order."""
    from consolidate.merge.files import display_name, list_files
    from consolidate.reading import is_owner_file

    found: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend((item.path, display_name(str(path / item.name))) for item in list_files(path))
        elif not is_owner_file(path):
            found.append((path, display_name(str(path))))
    seen: set[Path] = set()
    unique = []
    for real, shown in found:
        key = real.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((real, shown))
    return unique


def read_returns(files: list[tuple[Path, str]], definition):
    from consolidate.reading import read_many

    return read_many([real for real, _ in files], definition, display_names=[shown for _, shown in files])


def _location(problem: Problem) -> str:
    if problem.sheet and problem.cell:
        where = f"{problem.sheet}!{problem.cell}"
    else:
        where = problem.sheet or "-"
    return where + (f" ({problem.field_id})" if problem.field_id else "")


def _verdict(checked: CheckedReturn) -> str:
    if checked.foreign_reason:
        return _("KHÔNG THUỘC BÁO CÁO NÀY")
    if not checked.valid:
        return _("CÓ LỖI")
    if checked.warnings:
        return _("ĐẠT (có cảnh báo)")
    return _("ĐẠT")


def _counts(errors: int, warnings: int) -> str:
    return (ngettext("{n} lỗi", "{n} lỗi", errors).format(n=errors) + ", "
            + ngettext("{n} cảnh báo", "{n} cảnh báo", warnings).format(n=warnings))


def print_text(report: ValidationReport, lang: str | None = None) -> None:
    for checked in report.returns:
        who = ", ".join(x for x in (checked.unit_code, checked.period) if x)
        head = f"{_verdict(checked)}: {checked.file}" + (f" [{who}]" if who else "")
        head += f" — {_counts(checked.errors, checked.warnings)}"
        if checked.foreign_reason:
            head += f" ({render(checked.foreign_reason)})"
        click.echo(head)
        for problem in checked.problems:
            click.echo(f"  [{problem.code}] {_location(problem)}: {problem.message}")
    c = report.counts
    click.echo(_("Tổng cộng {files}: {valid} đạt, {invalid} có lỗi ({foreign} không thuộc báo cáo này); {counts}.").format(
        files=ngettext("{n} tệp", "{n} tệp", c["files"]).format(n=c["files"]), valid=c["valid"],
        invalid=c["invalid"], foreign=c["foreign"], counts=_counts(c["errors"], c["warnings"])))


@click.command("validate", cls=Command)
@definition_option
@click.option("--period", "-p", default=None, help="Kỳ báo cáo đang thu (2026-H1); tệp của kỳ khác bị loại.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (schemas/validation-report.schema.json).")
@click.option("--as-of", "as_of", type=AsOf(), default=None,
              help="Coi thời điểm này là hôm nay khi kiểm tra ngày lập báo cáo (như merge: 2026-06-20, "
                   "2026-06-20T17:00 hoặc 20/06/2026 17:00; giờ Việt Nam). Mặc định: bây giờ.")
@lang_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.pass_context
def validate_command(ctx, definition_path, period, as_json, as_of, lang, paths) -> None:
    """Kiểm tra các tệp báo cáo (tệp hoặc thư mục) theo định nghĩa báo cáo."""
    definition = load_definition(definition_path)
    if period is not None and period not in {p.id for p in definition.periods}:
        known = ", ".join(p.id for p in definition.periods)
        raise click.BadParameter(_("kỳ '{period}' không có trong kế hoạch (có: {known})").format(period=period, known=known),
                                 param_hint="--period")
    files = collect_files(paths)
    if not files:
        raise click.UsageError(_("Không tìm thấy tệp bảng tính nào để kiểm tra."))
    raws = read_returns(files, definition)
    # "today" is the Vietnam date of the moment, as merge and feedback count days
    report = validate_returns(raws, definition, period, as_of=vntime.local_date(as_of or vntime.now()))
    if as_json:
        click.echo(json.dumps(report.to_dict(lang=lang), ensure_ascii=False, indent=2))
    else:
        print_text(report)
    ctx.exit(0 if report.valid else 1)
