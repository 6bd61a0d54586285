"""Render a report template (.docx with docxtpl/Jinja placeholders) with a context.

Text only: the context holds plain strings (consolidate.report.context), docxtpl escapes
them (autoescape), and the Jinja environment is sandboxed and strict, so a value from a
return can never become a field, a link, markup or a macro, and a placeholder the context
lacks is an error naming it instead of an empty gap.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from consolidate import resources
from consolidate.definition.model import Definition
from consolidate.i18n import _
from consolidate.problems import ConsolidateError

TEMPLATE_FILE = "bao-cao.docx"
SHARED_DIR = "_shared"


class ReportError(ConsolidateError):
    """The report could not be written."""

    code = "report-not-written"


class ReportTemplateError(ReportError):
    """The report template is unreadable or has a placeholder the report cannot fill."""

    code = "report-template-invalid"


def template_path(d: Definition) -> Path:
    """The definition's `report_template`, else bao-cao.docx beside it, else the shared one."""
    here = d.path.parent if d.path else None
    chosen = d.report_template
    if chosen and here is not None:
        return (here / chosen).resolve()
    if here is not None and (here / TEMPLATE_FILE).is_file():
        return here / TEMPLATE_FILE
    return resources.templates_dir() / SHARED_DIR / TEMPLATE_FILE


def _environment() -> jinja2.Environment:
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


def _open(path: Path):
    from docxtpl import DocxTemplate

    if not path.is_file():
        raise ReportTemplateError(_("Không tìm thấy mẫu báo cáo {path}").format(path=path))
    if not zipfile.is_zipfile(path):
        raise ReportTemplateError(_("Mẫu báo cáo {path} không phải tệp .docx").format(path=path))
    try:
        tpl = DocxTemplate(str(path))
        tpl.init_docx()
    except Exception as exc:  # python-docx's errors for a broken package are of many kinds
        raise ReportTemplateError(_("Không mở được mẫu báo cáo {path}: {error}").format(path=path, error=exc)) from None
    return tpl


_UNDEFINED = (
    re.compile(r"'([^']+)' is undefined"),
    re.compile(r"has no attribute '([^']+)'"),
    re.compile(r"no element '?([^']+)'?"),
)


def _placeholder(exc: jinja2.UndefinedError) -> str:
    for pattern in _UNDEFINED:
        found = pattern.search(str(exc.message or ""))
        if found:
            return found.group(1)
    return str(exc.message)


def _render(tpl, context: dict[str, Any], path: Path) -> None:
    try:
        tpl.render(context, jinja_env=_environment(), autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise ReportTemplateError(
            _("Mẫu báo cáo {path}: chỗ điền viết sai ({error})").format(path=path, error=exc.message)
        ) from None
    except jinja2.UndefinedError as exc:
        raise ReportTemplateError(
            _("Mẫu báo cáo {path}: chỗ điền '{name}' không có trong dữ liệu của báo cáo").format(
                path=path, name=_placeholder(exc))
        ) from None
    except jinja2.TemplateError as exc:
        raise ReportTemplateError(_("Mẫu báo cáo {path}: {error}").format(path=path, error=exc)) from None


def render(path: Path, context: dict[str, Any]) -> bytes:
    """The rendered .docx as bytes (the caller writes it atomically)."""
    tpl = _open(path)
    _render(tpl, context, path)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def check(path: Path, specimen: dict[str, Any]) -> list[str]:
    """Every placeholder of the template against a specimen context whose every list has
    one item: the names it uses at the top level that the context lacks, then a full render
    (which raises ReportTemplateError naming the first attribute that does not exist)."""
    tpl = _open(path)
    env = _environment()
    try:
        source = tpl.patch_xml(tpl.get_xml())
        names = meta.find_undeclared_variables(env.parse(source))
    except jinja2.TemplateSyntaxError as exc:
        raise ReportTemplateError(
            _("Mẫu báo cáo {path}: chỗ điền viết sai ({error})").format(path=path, error=exc.message)
        ) from None
    unknown = sorted(n for n in names if n not in specimen)
    if unknown:
        raise ReportTemplateError(
            _("Mẫu báo cáo {path}: chỗ điền '{name}' không có trong dữ liệu của báo cáo").format(
                path=path, name=unknown[0])
        )
    _render(tpl, copy.deepcopy(specimen), path)
    return sorted(names)
