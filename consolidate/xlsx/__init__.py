"""Writing workbooks safely: text stays text, outputs appear atomically."""

from consolidate.xlsx.safe import SafeWorkbook, atomic_output, needs_quote_prefix, wrapped_height

__all__ = ["SafeWorkbook", "atomic_output", "needs_quote_prefix", "wrapped_height"]
