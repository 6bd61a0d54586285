"""A reminder to a unit whose earlier message intake saw is a reply to it."""

from __future__ import annotations

import datetime as dt
import email.policy
from email.parser import BytesParser

from consolidate.definition import loader as definitions
from consolidate.feedback.run import run_feedback
from consolidate.merge.register import MailRow, Register
from tests.feedback.conftest import AS_OF, build_folder


def test_reminder_replies_to_the_units_last_message(plan, tmp_path):
    d = definitions.load(plan)
    returns, receipts = build_folder(d, tmp_path / "in")
    register = tmp_path / "so.sqlite"
    with Register(register) as book:
        for when, mid in ((dt.datetime(2026, 6, 2, 9, tzinfo=dt.timezone.utc), "first.snv@example.gov.vn"),
                          (dt.datetime(2026, 6, 3, 3, tzinfo=dt.timezone.utc), "second.snv@example.gov.vn")):
            book.record_mail([(MailRow(key=f"msgid:{mid}", message_id=mid, sender="snv@example.gov.vn", sender_name="",
                                     subject="Báo cáo", received_at=when, received_source="received", origin="x.eml",
                                     report_id=d.id, period="2026-H1", unit_code="SNV", outcome="returns"),
                               [])], when)
    result = run_feedback(d, "2026-H1", returns, tmp_path / "out", receipts=receipts, as_of=AS_OF,
                          register_path=register, eml=True, workers=1)
    drafts = {p.name.split("_", 1)[0]: BytesParser(policy=email.policy.default).parsebytes(p.read_bytes())
              for p in result.drafts}
    assert drafts["SNV"]["In-Reply-To"] == "<second.snv@example.gov.vn>"
    assert drafts["SNV"]["References"] == "<first.snv@example.gov.vn> <second.snv@example.gov.vn>"
    assert drafts["STC"]["In-Reply-To"] is None  # nothing from STC yet, nothing sent to it
