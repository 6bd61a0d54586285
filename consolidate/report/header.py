"""Ô 2 of the decree's layout: the issuing body under its direct parent, and the place name.

Derived from the definition (the collector is who writes the report): "Sở Nội vụ tỉnh Lâm
Đồng" -> "UBND TỈNH LÂM ĐỒNG" / "SỞ NỘI VỤ"; "Phòng Văn hóa - Xã hội, UBND xã Bình Chương"
-> "UBND XÃ BÌNH CHƯƠNG" / "PHÒNG VĂN HÓA - XÃ HỘI"; a collector "… (qua Sở Nội vụ)" is
written by that Sở. A province whose bodies read otherwise types them into its template.
"""

from __future__ import annotations

import re

from consolidate.definition.model import Definition

_VIA = re.compile(r"\(\s*qua\s+([^)]+)\)", re.I)
_PAREN = re.compile(r"\s*\([^)]*\)")
_LEVEL = re.compile(r"\b(tỉnh|thành phố|xã|phường|đặc khu)\s+(.+)$", re.I)


def _short(name: str) -> str:
    return re.sub(r"ủy ban nhân dân|uỷ ban nhân dân", "UBND", name, flags=re.I).strip()


def _upper(name: str) -> str:
    return _short(name).upper().replace("UBND", "UBND")


def masthead(d: Definition) -> dict[str, str]:
    name = d.collector.name.strip()
    via = _VIA.search(name)
    province = d.province_name.strip()
    if via:
        body = via.group(1).strip()
        parent = f"Ủy ban nhân dân tỉnh {province}" if province else d.issuer
    elif ", " in name:
        body, parent = (part.strip() for part in name.split(", ", 1))
    else:
        body, parent = name, d.issuer
    body = _PAREN.sub("", body).strip()
    suffix = f" tỉnh {province}" if province else ""
    if suffix and body.casefold().endswith(suffix.casefold()):
        body = body[: -len(suffix)].strip()
        if parent == d.issuer and not d.issuer.casefold().startswith(("ủy ban", "uỷ ban", "ubnd")):
            parent = f"Ủy ban nhân dân tỉnh {province}"
    level = _LEVEL.search(parent)
    place = province
    if level and level.group(1).casefold() in ("xã", "phường", "đặc khu"):
        place = level.group(2).strip()
    return {"parent": _upper(parent), "body": _upper(body), "body_name": _short(body) if via or ", " in name
            else _short(name), "place": place}
