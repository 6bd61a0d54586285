"""Command line: a thin click layer over the library; errors become ClickException (exit 1)."""

from __future__ import annotations

import json
import time

import click

from consolidate.cli.common import load_definition, resolve_period
from consolidate.cli.feedback import feedback_command
from consolidate.cli.intake import intake_command
from consolidate.cli.merge import merge_command
from consolidate.cli.options import definition_option, lang_option, say
from consolidate.cli.review import review_command
from consolidate.cli.validate import validate_command
from consolidate.definition import loader as definitions
from consolidate.i18n import from_environment, set_language
from consolidate.problems import ConsolidateError

LANG_OPTION = lang_option


class ConsolidateGroup(click.Group):
    """The one edge where library errors become click errors: a ConsolidateError exits 1
    with its message (2 when it is a usage error); nothing else is caught here."""

    def main(self, *args, **kwargs):
        set_language(from_environment())  # each invocation starts from the user's choice
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConsolidateError as exc:
            if exc.usage:
                raise click.UsageError(str(exc), ctx) from None
            raise click.ClickException(str(exc)) from None


@click.group(cls=ConsolidateGroup)
@click.version_option(package_name="consolidate")
@lang_option
def cli(lang: str) -> None:
    """consolidate: biểu mẫu, kiểm tra, tổng hợp báo cáo định kỳ theo kế hoạch."""


@cli.command("definitions")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
def definitions_command(as_json: bool) -> None:
    """Liệt kê các định nghĩa báo cáo có sẵn trong templates/."""
    rows = []
    for file in definitions.shipped():
        try:
            d = definitions.load(file)
            rows.append({"path": str(file.parent), "id": d.id, "version": d.version, "title": d.title,
                         "periods": [p.id for p in d.periods], "units": len(d.units), "default": d.default})
        except definitions.DefinitionError as error:
            rows.append({"path": str(file.parent), "error": str(error)})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        if "error" in row:
            click.echo(f"{row['path']}: LỖI\n{row['error']}")
            continue
        mark = " (mặc định)" if row["default"] else ""
        click.echo(f"{row['path']}{mark}\n  {row['id']} v{row['version']}: {row['title']}\n"
                   f"  kỳ: {', '.join(row['periods'])}; đơn vị: {row['units']}")


@cli.command("check")
@click.argument("definition_path", type=click.Path())
@LANG_OPTION
def check_command(definition_path: str, lang: str) -> None:
    """Kiểm tra một định nghĩa báo cáo (thư mục hoặc tệp YAML)."""
    from consolidate.definition.provenance import confirmations
    from consolidate.definition.units import contact_problems
    from consolidate.i18n import _, ngettext

    d = load_definition(definition_path, lang)
    counts = {kind: len(d.sections_of(kind)) for kind in ("fields", "tasks", "table", "text")}
    raw = definitions.read_yaml(d.path) if d.path else {"units": {}}
    contacts = contact_problems(raw["units"], d.path.parent, list(d.units)) if d.path else []
    errors = [p for p in contacts if p.severity == "error"]
    for problem in errors:
        click.echo(_("Lỗi: {message}").format(message=problem.message), err=True)
    if errors:
        raise click.ClickException(ngettext("Danh sách liên hệ có {n} lỗi.", "Danh sách liên hệ có {n} lỗi.",
                                            len(errors)).format(n=len(errors)))
    click.echo(say(
        lang,
        f"Hợp lệ: {d.id} phiên bản {d.version}; {len(d.periods)} kỳ, {len(d.units)} đơn vị, "
        f"{len(d.value_fields)} trường, {counts['tasks']} mục nhiệm vụ, {counts['table']} bảng, {len(d.rules)} quy tắc.",
        f"Valid: {d.id} version {d.version}; {len(d.periods)} periods, {len(d.units)} units, "
        f"{len(d.value_fields)} fields, {counts['tasks']} task sections, {counts['table']} tables, {len(d.rules)} rules.",
    ))
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
@LANG_OPTION
def templates_command(definition_path, period, out_dir, units, no_generic, lang) -> None:
    """Tạo biểu mẫu Excel cho từng đơn vị phải báo cáo trong kỳ."""
    from consolidate.template.writer import write_templates

    d = load_definition(definition_path, lang)
    p = resolve_period(d, period, lang)
    unknown = [code for code in units if d.unit(code) is None]
    if unknown:
        raise click.UsageError(say(lang, f"Mã đơn vị không có trong kế hoạch: {', '.join(unknown)}",
                                   f"Unknown unit codes: {', '.join(unknown)}"))
    started = time.perf_counter()
    try:
        written = write_templates(d, p, out_dir, list(units) or None, generic=not no_generic)
    except OSError as exc:
        raise click.ClickException(say(lang, f"Không ghi được vào {out_dir}: {exc}", f"Cannot write to {out_dir}: {exc}")) from None
    elapsed = time.perf_counter() - started
    click.echo(say(
        lang,
        f"Đã tạo {len(written)} biểu mẫu {p.label} (hạn trước ngày {p.due_before:%d/%m/%Y}) trong {out_dir} ({elapsed:.1f} giây).",
        f"Wrote {len(written)} templates for {p.id} (due before {p.due_before}) to {out_dir} ({elapsed:.1f} s).",
    ))


for _command in (validate_command, merge_command, feedback_command, intake_command, review_command):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="consolidate")



__all__ = ["cli", "main", "load_definition", "resolve_period", "say"]
