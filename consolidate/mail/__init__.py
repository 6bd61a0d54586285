"""Mail: drafts (.eml) that decode exactly, sent through SMTP and recorded in the register."""

from consolidate.mail.headers import POLICY, address, header_text

__all__ = ["POLICY", "address", "header_text"]
