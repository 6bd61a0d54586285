"""The merge's fatal error (its own module: the listing, status JSON and run all raise it)."""

from consolidate.problems import ConsolidateError


class MergeError(ConsolidateError):
    """The merge cannot do its job (folder missing, output not writable, …)."""

    code = "merge-failed"
