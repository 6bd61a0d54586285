"""Returns that come in by mail: messages from an IMAP mailbox or saved messages (.eml
folder, Maildir, mbox) -> spreadsheets in the returns folder, each message in the register
with its sender, subject, Message-ID and the time the mail server received it (which a
later merge uses as the receipt time, source ``email``).

`last_message(register, unit_code, period)` is what a reminder threads itself onto.
"""

from consolidate.intake.run import (
    IntakeResult,
    Taken,
    file_name,
    password_from_env,
    run_intake,
    unit_addresses,
)
from consolidate.intake.sources import IntakeError, SourceUnknown, open_source
from consolidate.merge.register import Register


def last_message(register: Register, unit_code: str, period: str) -> dict | None:
    """The newest message intake took from this unit for the period (a dict of the register's
    `messages` row: message_id, sender, subject, received_at, files …), or None."""
    found = register.messages_for_unit(period, unit_code)
    return found[-1] if found else None


__all__ = ["IntakeError", "IntakeResult", "SourceUnknown", "Taken", "file_name", "last_message", "open_source",
           "password_from_env", "run_intake", "unit_addresses"]
