"""consolidate: templates, validation, merge and feedback for periodic plan reports."""

__version__ = "0.1.0"
