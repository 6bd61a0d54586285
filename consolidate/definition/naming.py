"""File names a person recognises, and Vietnamese date formatting."""

from __future__ import annotations

import re
import unicodedata

from consolidate.definition.model import Period, Unit


def ascii_slug(text: str, limit: int = 60) -> str:
    """'Phường Xuân Hương - Đà Lạt' → 'Phuong-Xuan-Huong-Da-Lat'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    return text[:limit].rstrip("-")


def template_file_name(period: Period, unit: Unit | None) -> str:
    if unit is None:
        return f"{period.id}_BIEU-MAU-TRONG.xlsx"
    return f"{period.id}_{ascii_slug(unit.code, 20)}_{ascii_slug(unit.name)}.xlsx"


