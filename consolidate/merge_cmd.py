"""`consolidate merge`: thin click layer over consolidate.merge.run_merge.

Exit codes: 0 done (even when units are missing or invalid: that is the report), 1 the
command could not do its job (definition unreadable, output not writable, register busy),
2 usage error.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from .receipts import parse_as_of


def _say(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%".replace(".", ",")


@click.command("merge")
@click.argument("returns_dir", type=click.Path(file_okay=False, path_type=str))
@click.option("--definition", "-d", "definition_path", type=click.Path(), default=None,
              help="Thư mục kế hoạch hoặc tệp YAML; mặc định: kế hoạch mặc định.")
@click.option("--period", "-p", default=None, help="Kỳ báo cáo, ví dụ 2026-H1.")
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False),
              help="Tệp tổng hợp .xlsx sẽ ghi.")
@click.option("--receipts", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Sổ tiếp nhận CSV (file,received_at), tên tệp tính từ thư mục báo cáo.")
@click.option("--as-of", "as_of", default=None,
              help="Thời điểm chốt số liệu (ISO, ví dụ 2026-06-10T08:00; giờ Việt Nam nếu không ghi múi giờ). Mặc định: bây giờ.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Ghi thêm trạng thái dạng JSON (schemas/merge-status.schema.json).")
@click.option("--register", "register_path", type=click.Path(dir_okay=False), default=None,
              help="Sổ đăng ký tệp SQLite; mặc định .consolidate/register.sqlite cạnh thư mục báo cáo.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Số tiến trình đọc tệp (mặc định: số lõi CPU).")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Ngôn ngữ thông báo / language of messages.")
@click.option("--timings", "timings_path", type=click.Path(dir_okay=False), default=None, hidden=True,
              help="Write the per-stage seconds as JSON (for benchmarks/run.py).")
def merge_command(returns_dir, definition_path, period, out, receipts, as_of, json_path, register_path, workers, lang,
                  timings_path):
    """Tổng hợp các báo cáo đã nhận trong RETURNS_DIR thành tệp tổng hợp của tỉnh."""
    from .cli import load_definition, resolve_period
    from .merge import MergeError, run_merge
    from .receipts import ReceiptsError
    from .register import RegisterError
    from .summary_writer import SummaryWriteError

    try:
        moment = parse_as_of(as_of)
    except ValueError:
        raise click.BadParameter(
            _say(lang, f"'{as_of}' không phải thời điểm hợp lệ (ví dụ 2026-06-10T08:00 hoặc 10/06/2026 08:00)",
                 f"'{as_of}' is not a valid time (e.g. 2026-06-10T08:00)"),
            param_hint="--as-of",
        ) from None
    d = load_definition(definition_path, lang)
    p = resolve_period(d, period, lang)
    started = time.perf_counter()
    try:
        result = run_merge(d, p, returns_dir, out, receipts=receipts, as_of=moment, json_path=json_path,
                           register_path=register_path, workers=workers)
    except (MergeError, RegisterError, ReceiptsError, SummaryWriteError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        raise click.ClickException(_say(lang, "Đã dừng; tệp tổng hợp cũ (nếu có) vẫn nguyên vẹn",
                                        "Interrupted; the previous summary (if any) is intact")) from None
    elapsed = time.perf_counter() - started
    if timings_path:
        Path(timings_path).write_text(json.dumps(result.timings), encoding="utf-8")
    c = result.counts
    completeness, timeliness = result.rates
    files = len(result.decision.files)
    not_due = sum(1 for u in result.decision.units if u.status == "missing" and u.missing_state == "not_yet_due")
    if lang == "en":
        lines = [
            f"{d.id} {p.id}: {c['expected']} units expected, {c['on_time']} on time, {c['late']} late, "
            f"{c['invalid']} invalid, {c['missing']} missing ({not_due} not yet due).",
            f"Reporting rate {_percent(completeness)}, on-time rate {_percent(timeliness)}; {files} files read in {elapsed:.1f} s.",
            f"Summary: {result.summary_path}",
        ]
        if result.json_path:
            lines.append(f"Status JSON: {result.json_path}")
        if result.receipt_problems:
            lines.append(f"{len(result.receipt_problems)} problems in the receipts file (see the sheet 'Lỗi và cảnh báo').")
    else:
        lines = [
            f"{d.short_title or d.title} - {p.label}: phải nộp {c['expected']}, đúng hạn {c['on_time']}, muộn {c['late']}, "
            f"có lỗi {c['invalid']}, chưa nộp {c['missing']} ({not_due} chưa đến hạn).",
            f"Tỷ lệ nộp báo cáo {_percent(completeness)}, tỷ lệ đúng hạn {_percent(timeliness)}; "
            f"đã xử lý {files} tệp trong {elapsed:.1f} giây.",
            f"Tệp tổng hợp: {result.summary_path}",
        ]
        if result.json_path:
            lines.append(f"Trạng thái JSON: {result.json_path}")
        if result.receipt_problems:
            lines.append(f"Sổ tiếp nhận có {len(result.receipt_problems)} dòng có vấn đề (xem trang 'Lỗi và cảnh báo').")
    click.echo("\n".join(lines))
