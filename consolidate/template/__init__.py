"""Templates: one protected, prefilled Excel workbook per reporting unit."""

from consolidate.template.writer import Annotation, write_template, write_templates

__all__ = ["Annotation", "write_template", "write_templates"]
