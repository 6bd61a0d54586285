"""Merge: every file of a returns folder to one provincial summary and status JSON.

The public names load `consolidate.merge.run` on first use (PEP 562): a command that needs
only the register (`intake`) then skips importing the summary writer and its libraries."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consolidate.merge.run import MergeError, MergeOptions, MergeResult, run_merge

__all__ = ["MergeError", "MergeOptions", "MergeResult", "run_merge"]


def __getattr__(name: str):
    if name in __all__:
        from consolidate.merge import run

        return getattr(run, name)
    raise AttributeError(f"module 'consolidate.merge' has no attribute {name!r}")
