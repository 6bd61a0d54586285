"""Command line: a thin click layer over the library; errors become ClickException (exit 1)."""

from __future__ import annotations

import json
import time

import click

from . import definition as definitions
from .cli_options import definition_option, lang_option, say
from .model import Definition

LANG_OPTION = lang_option


class DefinitionFailed(click.ClickException):
    """Exit 1 with every problem of the definition listed."""

    def __init__(self, error: definitions.DefinitionError, lang: str = "vi"):
        head = "Định nghĩa báo cáo không dùng được:" if lang == "vi" else "The report definition cannot be used:"
        lines = [head] + [f"  - {p.message if lang == 'vi' else p.message_en}" for p in error.problems]
        super().__init__("\n".join(lines))


def load_definition(path: str | None, lang: str = "vi") -> Definition:
    try:
        return definitions.load(path or definitions.default_definition())
    except definitions.DefinitionError as error:
        raise DefinitionFailed(error, lang) from None


def resolve_period(definition: Definition, period: str | None, lang: str):
    if period is None:
        if len(definition.periods) == 1:
            return definition.periods[0]
        known = ", ".join(p.id for p in definition.periods)
        raise click.UsageError(say(lang, f"Cần chọn --period (có: {known})", f"--period is required (one of: {known})"))
    try:
        return definition.period(period)
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0])) from None


@click.group()
@click.version_option(package_name="consolidate")
def cli() -> None:
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
    d = load_definition(definition_path, lang)
    counts = {kind: len(d.sections_of(kind)) for kind in ("fields", "tasks", "table", "text")}
    click.echo(say(
        lang,
        f"Hợp lệ: {d.id} phiên bản {d.version}; {len(d.periods)} kỳ, {len(d.units)} đơn vị, "
        f"{len(d.value_fields)} trường, {counts['tasks']} mục nhiệm vụ, {counts['table']} bảng, {len(d.rules)} quy tắc.",
        f"Valid: {d.id} version {d.version}; {len(d.periods)} periods, {len(d.units)} units, "
        f"{len(d.value_fields)} fields, {counts['tasks']} task sections, {counts['table']} tables, {len(d.rules)} rules.",
    ))


@cli.command("templates")
@definition_option
@click.option("--period", "-p", help="Kỳ báo cáo, ví dụ 2026-H1.")
@click.option("--out", "-o", "out_dir", type=click.Path(file_okay=False), required=True, help="Thư mục ghi biểu mẫu.")
@click.option("--unit", "-u", "units", multiple=True, help="Chỉ tạo cho mã đơn vị này (lặp lại được).")
@click.option("--no-generic", is_flag=True, help="Không tạo biểu mẫu trống chung.")
@LANG_OPTION
def templates_command(definition_path, period, out_dir, units, no_generic, lang) -> None:
    """Tạo biểu mẫu Excel cho từng đơn vị phải báo cáo trong kỳ."""
    from .template_writer import write_templates

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


def _register_stage_commands() -> None:
    """Commands of the later stages live beside their library modules."""
    for module, name in (("validate_cmd", "validate_command"), ("merge_cmd", "merge_command"),
                         ("feedback_cmd", "feedback_command")):
        try:
            mod = __import__(f"consolidate.{module}", fromlist=[name])
        except ModuleNotFoundError as exc:
            if exc.name != f"consolidate.{module}":
                raise
            continue
        cli.add_command(getattr(mod, name))


_register_stage_commands()


def main() -> None:
    cli(prog_name="consolidate")


if __name__ == "__main__":
    main()


__all__ = ["cli", "main", "load_definition", "resolve_period", "say"]
