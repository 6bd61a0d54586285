"""Expected reporting units: communes from the official registry, others from a CSV.

Communes come from `vietnam-provinces` (Quyết định 19/2025/QĐ-TTg codes), so nobody copies a
list of 124 names by hand; departments and other units live in a CSV beside the definition.
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from consolidate.definition.model import Unit

CSV_COLUMNS = ("code", "name", "group")


class UnitSourceError(ValueError):
    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


def _periods(text: str | None) -> tuple[str, ...]:
    return tuple(p for p in (text or "").replace(",", " ").split() if p)


def read_csv(path: Path, key: str) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise UnitSourceError(key, f"Không tìm thấy tệp danh sách đơn vị {path.name} cạnh tệp định nghĩa") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UnitSourceError(key, f"Không đọc được {path.name}: {exc}") from None
    return [{(k or "").strip(): _nfc(v) for k, v in row.items()} for row in rows]


def registry_units(province_code: int | list[int] | str, group: str, periods: tuple[str, ...] = ()) -> list[Unit]:
    """Communes of one province, of several, or of the whole country ("all")."""
    from vietnam_provinces import ProvinceCode, Ward

    if province_code == "all":
        wards = list(Ward.iter_all())
    else:
        wanted = province_code if isinstance(province_code, list) else [province_code]
        codes = []
        for value in wanted:
            try:
                codes.append(ProvinceCode(value))
            except ValueError:
                raise UnitSourceError("registry.province_code", f"Mã tỉnh {value} không có trong danh mục chính thức") from None
        wards = [w for w in Ward.iter_all() if w.province_code in codes]
    wards.sort(key=lambda w: int(w.code))
    return [
        Unit(code=str(int(w.code)).zfill(5), name=_nfc(w.name), group=group, periods=periods)
        for w in wards
    ]


def load_units(spec: dict, base: Path) -> list[Unit]:
    units: list[Unit] = []
    registry = spec.get("registry")
    if registry:
        found = registry_units(registry["province_code"], registry["group"], tuple(registry.get("periods", ())))
        contacts = {}
        if registry.get("contacts"):
            contacts = {r.get("code", ""): r for r in read_csv(base / registry["contacts"], "registry.contacts")}
        for unit in found:
            extra = contacts.get(unit.code, {})
            units.append(
                Unit(
                    code=unit.code,
                    name=unit.name,
                    group=unit.group,
                    email=extra.get("email", ""),
                    contact=extra.get("contact", ""),
                    phone=extra.get("phone", ""),
                    periods=unit.periods,
                )
            )
    if spec.get("csv"):
        rows = read_csv(base / spec["csv"], "csv")
        for i, row in enumerate(rows, start=2):
            missing = [c for c in CSV_COLUMNS if not row.get(c)]
            if missing:
                raise UnitSourceError("csv", f"{spec['csv']} dòng {i}: thiếu {', '.join(missing)}")
            units.append(
                Unit(
                    code=row["code"],
                    name=row["name"],
                    group=row["group"],
                    email=row.get("email", ""),
                    contact=row.get("contact", ""),
                    phone=row.get("phone", ""),
                    periods=_periods(row.get("periods")),
                )
            )
    for item in spec.get("list", []):
        units.append(
            Unit(
                code=item["code"],
                name=_nfc(item["name"]),
                group=item["group"],
                email=item.get("email", ""),
                contact=item.get("contact", ""),
                phone=item.get("phone", ""),
                periods=tuple(item.get("periods", ())),
            )
        )
    return units
