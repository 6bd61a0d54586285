"""`consolidate report`: thin click layer over consolidate.report.run_report.

Exit codes: 0 done, 1 the command could not do its job (definition or report template
unreadable, output not writable), 2 usage error (a --compare-with file that is not a
status JSON of this plan).
"""

from __future__ import annotations

import click

from consolidate.cli.options import Command, ProgressBar, cycle_options, returns_dir_argument
from consolidate.i18n import _


@click.command("report", cls=Command)
@returns_dir_argument
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False),
              help="Tệp báo cáo .docx sẽ ghi (dự thảo để chuyên viên hoàn thiện, trình ký).")
@cycle_options
def report_command(returns_dir, definition_path, period, out, compare_with, receipts, as_of, register_path,
                   workers, lang):
    """Dự thảo báo cáo tổng hợp (.docx, thể thức Nghị định 30/2020/NĐ-CP) từ các báo cáo trong RETURNS_DIR."""
    from consolidate.cli.common import load_definition, resolve_period
    from consolidate.report import run_report

    d = load_definition(definition_path)
    p = resolve_period(d, period)
    bar = ProgressBar(_("Đang đọc các tệp"))
    try:
        result = run_report(d, p, returns_dir, out, compare_with=compare_with, receipts=receipts, as_of=as_of,
                            register_path=register_path, workers=workers, progress=bar)
    finally:
        bar.close()
    counts = result.merge.counts
    click.echo(_("Đã ghi dự thảo báo cáo {path} (mẫu: {template}).").format(path=result.path, template=result.template))
    click.echo(_("Phải nộp {expected}, đúng hạn {on_time}, muộn {late}, có lỗi {invalid}, chưa nộp {missing}. "
                 "Chỗ đánh dấu vàng (…) là phần chuyên viên cần viết.").format(**counts))
