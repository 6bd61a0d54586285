"""Feedback: annotated copies, reminders and mail drafts back to the units."""

from consolidate.feedback.run import FeedbackError, FeedbackResult, FeedbackUsageError, run_feedback

__all__ = ["FeedbackError", "FeedbackResult", "FeedbackUsageError", "run_feedback"]
