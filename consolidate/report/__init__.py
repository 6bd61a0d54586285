"""Report: the draft of the collector's own report (.docx, Nghị định 30/2020 layout) from
the merge's decisions, rendered from a report template beside the definitions."""

from consolidate.report.context import build_context, specimen
from consolidate.report.render import ReportError, ReportTemplateError, check, render, template_path
from consolidate.report.run import ReportResult, read_previous, run_report


def check_template(definition) -> list[str]:
    """Validate the definition's report template: every placeholder exists in the context."""
    return check(template_path(definition), specimen(definition))


__all__ = ["ReportError", "ReportResult", "ReportTemplateError", "build_context", "check", "check_template",
           "read_previous", "render", "run_report", "specimen", "template_path"]
