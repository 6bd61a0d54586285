"""`consolidate merge`: thin click layer over consolidate.merge.run_merge.

Exit codes: 0 done (even when units are missing or invalid: that is the report), 1 the
command could not do its job (definition unreadable, output not writable, register busy),
2 usage error.
"""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

import click

from consolidate.cli.common import load_definition, plan_head, resolve_period
from consolidate.cli.options import Command, ProgressBar, cycle_options, returns_dir_argument
from consolidate.i18n import _, ngettext, percent, seconds


@click.command("merge", cls=Command)
@returns_dir_argument
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False),
              help="Tệp tổng hợp .xlsx sẽ ghi.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Ghi thêm trạng thái dạng JSON (schemas/merge-status.schema.json).")
@cycle_options
@click.option("--timings", "timings_path", type=click.Path(dir_okay=False), default=None, hidden=True,
              help="Write the per-stage seconds as JSON (for benchmarks/run.py).")
def merge_command(returns_dir, definition_path, period, out, receipts, as_of, json_path, register_path, workers, lang,
                  timings_path, compare_with):
    """Tổng hợp các báo cáo đã nhận trong RETURNS_DIR thành tệp tổng hợp của tỉnh."""
    from consolidate.merge.run import run_merge

    d = load_definition(definition_path)
    p = resolve_period(d, period)
    started = time.perf_counter()
    bar = ProgressBar(_("Đang đọc các tệp"))
    try:
        result = run_merge(d, p, returns_dir, out, receipts=receipts, as_of=as_of, json_path=json_path,
                           register_path=register_path, workers=workers, progress=bar,
                           compare_with=compare_with)
    except KeyboardInterrupt:
        raise click.ClickException(_("Đã dừng; tệp tổng hợp cũ (nếu có) vẫn nguyên vẹn")) from None
    finally:
        bar.close()
    elapsed = time.perf_counter() - started
    if timings_path:
        Path(timings_path).write_text(json.dumps(result.timings), encoding="utf-8")
    click.echo("\n".join(_report(d, p, result, elapsed, returns_dir, receipts)))
    # The process ends here: spare its final collection a walk over everything the merge
    # built (≈ 0.1 s at national scale); the memory goes back with the process anyway.
    gc.freeze()


def _report(d, p, result, elapsed: float, returns_dir: str, receipts) -> list[str]:
    c = result.counts
    completeness, timeliness = result.rates
    files = len(result.decision.files)
    not_due = sum(1 for u in result.decision.units if u.status == "missing" and u.missing_state == "not_yet_due")
    lines = [
        _("{head}: phải nộp {expected}, đúng hạn {on_time}, muộn {late}, có lỗi {invalid}, "
          "chưa nộp {missing} ({not_due} chưa đến hạn).").format(head=plan_head(d, p), not_due=not_due, **c),
        _("Tỷ lệ nộp báo cáo {completeness}, tỷ lệ đúng hạn {timeliness}; {files} trong {elapsed}.").format(
            completeness=percent(completeness), timeliness=percent(timeliness),
            files=ngettext("đã xử lý {n} tệp", "đã xử lý {n} tệp", files).format(n=files), elapsed=seconds(elapsed)),
        _("Tệp tổng hợp: {path}").format(path=result.summary_path),
    ]
    if result.json_path:
        lines.append(_("Trạng thái JSON: {path}").format(path=result.json_path))
    lines.extend(_findings(result))
    if result.receipt_problems:
        n = len(result.receipt_problems)
        lines.append(ngettext("Sổ tiếp nhận có {n} dòng có vấn đề (xem trang 'Lỗi và cảnh báo').",
                              "Sổ tiếp nhận có {n} dòng có vấn đề (xem trang 'Lỗi và cảnh báo').", n).format(n=n))
    if receipts is None:
        for name in _receipt_books(returns_dir, result):
            lines.append(_("Gợi ý: {name} trong thư mục báo cáo trông như sổ tiếp nhận (file,received_at); "
                           "hãy đưa vào bằng --receipts để tính đúng thời điểm nhận.").format(name=name))
    return lines


def _findings(result) -> list[str]:
    """The notices (a wrong period, file-date receipt times, …) and how many figures to check."""
    from consolidate.i18n import _, ngettext

    out = [_("Lưu ý: {message}").format(message=n.message) for n in result.findings.notices]
    flags = len(result.findings.flags)
    if flags:
        out.append(ngettext("Có {n} số liệu cần kiểm tra (trang 'Kiểm tra số liệu').",
                            "Có {n} số liệu cần kiểm tra (trang 'Kiểm tra số liệu').", flags).format(n=flags))
    decided = [u for u in [*result.decision.units, *result.decision.exempt] if u.ruling is not None]
    if decided:
        out.append(ngettext("{n} đơn vị có quyết định của chuyên viên (trang 'Quyết định của chuyên viên').",
                            "{n} đơn vị có quyết định của chuyên viên (trang 'Quyết định của chuyên viên').",
                            len(decided)).format(n=len(decided)))
    return out


def _receipt_books(returns_dir: str, result) -> list[str]:
    """CSV files of the inbox whose header is a receipts book's: the usual slip is to save the
    incoming-documents export beside the returns and forget --receipts."""
    found = []
    for f in result.decision.files:
        if not f.file.lower().endswith(".csv"):
            continue
        try:
            with open(Path(returns_dir) / f.file, encoding="utf-8-sig") as handle:
                header = handle.readline().replace(" ", "").strip().lower()
        except (OSError, UnicodeDecodeError):
            continue
        if header.startswith("file,received_at"):
            found.append(f.file)
    return found
