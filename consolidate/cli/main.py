"""Command line: a thin click layer over the library; errors become ClickException (exit 1)."""

from __future__ import annotations

import json
import time

import click

from consolidate.cli.common import day_text, load_definition, period_name, resolve_period
from consolidate.cli.feedback import feedback_command
from consolidate.cli.intake import intake_command
from consolidate.cli.merge import merge_command
from consolidate.cli.options import Command, Localised, definition_option, lang_option
from consolidate.cli.review import review_command
from consolidate.cli.send import echo_invitations, send_command
from consolidate.cli.validate import validate_command
from consolidate.definition import loader as definitions
from consolidate.i18n import N_, _, from_environment, ngettext, seconds, session
from consolidate.problems import ConsolidateError

LANG_OPTION = lang_option


class ConsolidateGroup(Localised, click.Group):
    """The one edge where library errors become click errors: a ConsolidateError exits 1
    with its message (2 when it is a usage error); nothing else is caught here."""

    def main(self, *args, **kwargs):
        # each invocation starts from the user's choice (LANGUAGE) and leaves no trace
        with session(from_environment()):
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConsolidateError as exc:
            if exc.usage:
                raise click.UsageError(str(exc), ctx) from None
            raise click.ClickException(str(exc)) from None


ConsolidateGroup.command_class = Command


@click.group(cls=ConsolidateGroup)
@click.version_option(package_name="consolidate", help=N_("Hiện phiên bản rồi thoát."))
@lang_option
def cli(lang: str) -> None:
    """consolidate: biểu mẫu, kiểm tra, tổng hợp báo cáo định kỳ theo kế hoạch."""


@cli.command("definitions")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@LANG_OPTION
def definitions_command(as_json: bool, lang: str) -> None:
    """Liệt kê các định nghĩa báo cáo có sẵn trong templates/."""
    rows = []
    for file in definitions.shipped():
        try:
            d = definitions.load(file)
            rows.append({"path": str(file.parent), "id": d.id, "version": d.version, "title": d.title,
                         "periods": [p.id for p in d.periods], "units": len(d.units), "default": d.default})
        except definitions.DefinitionError as error:
            rows.append({"path": str(file.parent), "error": "\n".join(f"- {p.message}" for p in error.problems)})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        if "error" in row:
            click.echo(_("{path}: LỖI").format(path=row["path"]) + "\n" + row["error"])
            continue
        mark = _(" (mặc định)") if row["default"] else ""
        click.echo(f"{row['path']}{mark}\n  {row['id']} v{row['version']}: {row['title']}\n"
                   + _("  kỳ: {periods}; đơn vị: {units}").format(periods=", ".join(row["periods"]), units=row["units"]))


@cli.command("check")
@click.argument("definition_path", type=click.Path())
@LANG_OPTION
def check_command(definition_path: str, lang: str) -> None:
    """Kiểm tra một định nghĩa báo cáo (thư mục hoặc tệp YAML)."""
    from consolidate.definition.provenance import confirmations
    from consolidate.definition.units import contact_problems

    d = load_definition(definition_path)
    counts = {kind: len(d.sections_of(kind)) for kind in ("fields", "tasks", "table", "text")}
    raw = definitions.read_yaml(d.path) if d.path else {"units": {}}
    contacts = contact_problems(raw["units"], d.path.parent, list(d.units)) if d.path else []
    errors = [p for p in contacts if p.severity == "error"]
    for problem in errors:
        click.echo(_("Lỗi: {message}").format(message=problem.message), err=True)
    if errors:
        raise click.ClickException(ngettext("Danh sách liên hệ có {n} lỗi.", "Danh sách liên hệ có {n} lỗi.",
                                            len(errors)).format(n=len(errors)))
    parts = [
        ngettext("{n} kỳ", "{n} kỳ", len(d.periods)).format(n=len(d.periods)),
        ngettext("{n} đơn vị", "{n} đơn vị", len(d.units)).format(n=len(d.units)),
        ngettext("{n} trường", "{n} trường", len(d.value_fields)).format(n=len(d.value_fields)),
        ngettext("{n} mục nhiệm vụ", "{n} mục nhiệm vụ", counts["tasks"]).format(n=counts["tasks"]),
        ngettext("{n} bảng", "{n} bảng", counts["table"]).format(n=counts["table"]),
        ngettext("{n} quy tắc", "{n} quy tắc", len(d.rules)).format(n=len(d.rules)),
    ]
    click.echo(_("Hợp lệ: {id} phiên bản {version}; {counts}.").format(
        id=d.id, version=d.version, counts=", ".join(parts)))
    unconfirmed = confirmations(d)
    if unconfirmed:
        click.echo(ngettext("{n} giá trị không do Kế hoạch nêu, cần xác nhận trước khi gửi:",
                            "{n} giá trị không do Kế hoạch nêu, cần xác nhận trước khi gửi:",
                            len(unconfirmed)).format(n=len(unconfirmed)))
    for problem in unconfirmed + [p for p in contacts if p.severity != "error"]:
        click.echo(_("  Cảnh báo [{code}] {message}").format(code=problem.code, message=problem.message))


@cli.command("templates")
@definition_option
@click.option("--period", "-p", help="Kỳ báo cáo, ví dụ 2026-H1.")
@click.option("--out", "-o", "out_dir", type=click.Path(file_okay=False), required=True, help="Thư mục ghi biểu mẫu.")
@click.option("--unit", "-u", "units", multiple=True, help="Chỉ tạo cho mã đơn vị này (lặp lại được).")
@click.option("--no-generic", is_flag=True, help="Không tạo biểu mẫu trống chung.")
@click.option("--eml", "eml_dir", type=click.Path(file_okay=False), default=None,
              help="Tạo thêm vào thư mục này mỗi đơn vị một thư nháp (.eml) gửi kèm biểu mẫu của đơn vị.")
@LANG_OPTION
def templates_command(definition_path, period, out_dir, units, no_generic, eml_dir, lang) -> None:
    """Tạo biểu mẫu Excel cho từng đơn vị phải báo cáo trong kỳ."""
    from consolidate.template.writer import write_templates

    d = load_definition(definition_path)
    p = resolve_period(d, period)
    unknown = [code for code in units if d.unit(code) is None]
    if unknown:
        raise click.UsageError(_("Mã đơn vị không có trong kế hoạch: {codes}").format(codes=", ".join(unknown)))
    started = time.perf_counter()
    try:
        written = write_templates(d, p, out_dir, list(units) or None, generic=not no_generic)
    except OSError as exc:
        raise click.ClickException(_("Không ghi được vào {path}: {reason}").format(path=out_dir, reason=exc)) from None
    elapsed = time.perf_counter() - started
    click.echo(ngettext(
        "Đã tạo {n} biểu mẫu {period} (hạn trước ngày {due}) trong {out} ({elapsed}).",
        "Đã tạo {n} biểu mẫu {period} (hạn trước ngày {due}) trong {out} ({elapsed}).",
        len(written),
    ).format(n=len(written), period=period_name(p), due=day_text(p.due_before), out=out_dir, elapsed=seconds(elapsed)))
    if eml_dir:
        echo_invitations(d, p, out_dir, list(units) or None, eml_dir)


for _command in (validate_command, merge_command, feedback_command, intake_command, review_command, send_command):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="consolidate")


__all__ = ["cli", "main", "load_definition", "resolve_period"]
