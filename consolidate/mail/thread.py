"""Which earlier mail a new message to a unit answers (In-Reply-To, References).

The one join with intake: :meth:`Register.messages_for_unit` gives the messages a unit sent
for a period (oldest first). A reminder replies to the newest of them; with none, to the
newest message `send` delivered to that unit for the period (the template it was sent), so
the unit's mail client shows the reminder in the same conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from consolidate.mail.outbox import SENT, Outbox


@dataclass(frozen=True)
class Thread:
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)


def _bracketed(message_id: str) -> str:
    text = (message_id or "").strip()
    if not text or " " in text:
        return ""
    return text if text.startswith("<") else f"<{text}>"


def unit_messages(register, period: str, unit_code: str) -> list[str]:
    """Message-IDs intake took from this unit for the period, oldest first."""
    return [m for m in (_bracketed(row.get("message_id", "")) for row in register.messages_for_unit(period, unit_code))
            if m]


def threads(register_path: str | Path, period: str, unit_codes: list[str]) -> dict[str, Thread]:
    """The thread of each unit that has one; an absent register means no threads (and is
    not created)."""
    path = Path(register_path)
    if not path.is_file():
        return {}
    from consolidate.merge.register import Register

    out: dict[str, Thread] = {}
    with Register(path) as register, Outbox(path, create=False) as outbox:
        for code in unit_codes:
            theirs = unit_messages(register, period, code)
            ours = list(dict.fromkeys(r["message_id"] for r in outbox.rows(period, code) if r["outcome"] == SENT))
            chain = list(dict.fromkeys([*ours, *theirs]))
            parent = theirs[-1] if theirs else (ours[-1] if ours else "")
            if parent:
                out[code] = Thread(parent, chain)
    return out


__all__ = ["Thread", "threads", "unit_messages"]
