"""`consolidate definitions` and `consolidate check`: the report definitions shipped, and
one definition checked (schema, references, contacts, values the plan does not state)."""

from __future__ import annotations

import json

import click

from consolidate.cli.common import load_definition
from consolidate.cli.options import Command, lang_option
from consolidate.definition import loader as definitions
from consolidate.i18n import _, ngettext


@click.command("definitions", cls=Command)
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON.")
@lang_option
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


@click.command("check", cls=Command)
@click.argument("definition_path", type=click.Path())
@lang_option
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
    from consolidate.report import check_template, template_path

    check_template(d)  # a broken report template raises, naming the placeholder
    click.echo(_("Mẫu báo cáo {path} hợp lệ: mọi chỗ điền đều có dữ liệu.").format(path=template_path(d)))
    unconfirmed = confirmations(d)
    if unconfirmed:
        click.echo(ngettext("{n} giá trị không do Kế hoạch nêu, cần xác nhận trước khi gửi:",
                            "{n} giá trị không do Kế hoạch nêu, cần xác nhận trước khi gửi:",
                            len(unconfirmed)).format(n=len(unconfirmed)))
    for problem in unconfirmed + [p for p in contacts if p.severity != "error"]:
        click.echo(_("  Cảnh báo [{code}] {message}").format(code=problem.code, message=problem.message))
