"""Merge: every file of a returns folder to one provincial summary and status JSON."""

from consolidate.merge.run import MergeError, MergeOptions, MergeResult, run_merge

__all__ = ["MergeError", "MergeOptions", "MergeResult", "run_merge"]
