"""Expected reporting units: communes from the official registry, others from a CSV.

Communes come from `vietnam-provinces` (Quyết định 19/2025/QĐ-TTg codes), so nobody copies a
list of 124 names by hand; departments and other units live in a CSV beside the definition.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from consolidate.definition.model import Unit
from consolidate.i18n import N_, Text
from consolidate.problems import WARNING, Problem

CSV_COLUMNS = ("code", "name", "group")
CONTACT_COLUMNS = ("code", "email", "contact", "phone")
# One address, or several separated by ";" or ",": enough to catch a missing @, a space or a
# stray character before mail is sent; deliverability is the mail server's to judge.
EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


@dataclass
class ContactUnknownUnit(Problem):
    code = "contact-unknown-unit"
    template = N_("{file} dòng {row}: mã đơn vị '{value}' không có trong danh sách đơn vị của kế hoạch")


@dataclass
class ContactDuplicate(Problem):
    code = "contact-duplicate"
    template = N_("{file} dòng {row}: mã đơn vị '{value}' đã có ở dòng {first}")


@dataclass
class ContactBadEmail(Problem):
    code = "contact-email-invalid"
    template = N_("{file} dòng {row}: địa chỉ thư điện tử '{value}' không đúng dạng (ví dụ: vanthu@lamdong.gov.vn)")


@dataclass
class ContactColumnsMissing(Problem):
    code = "contact-columns-missing"
    template = N_("{file}: thiếu cột {note} (cần: code,email,contact,phone)")


@dataclass
class ContactNoEmail(Problem):
    code = "contact-email-missing"
    severity = WARNING
    template = N_("{file}: {value} đơn vị chưa có địa chỉ thư điện tử (không gửi thư được cho các đơn vị này)")


class UnitSourceError(ValueError):
    """A unit source cannot be used; `key` is where in `units:`, `text` renders when shown."""

    def __init__(self, key: str, text: Text):
        self.key = key
        self.text = text
        super().__init__(text.msgid)

    def __str__(self) -> str:
        return str(self.text)


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


def _periods(text: str | None) -> tuple[str, ...]:
    return tuple(p for p in (text or "").replace(",", " ").split() if p)


def read_csv(path: Path, key: str) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise UnitSourceError(key, Text("Không tìm thấy tệp danh sách đơn vị {file} cạnh tệp định nghĩa", file=path.name)) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UnitSourceError(key, Text("Không đọc được {file}: {reason}", file=path.name, reason=str(exc))) from None
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
                raise UnitSourceError("registry.province_code", Text("Mã tỉnh {code} không có trong danh mục chính thức", code=value)) from None
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
        names = {code: _nfc(name) for code, name in (registry.get("names") or {}).items()}
        unknown = sorted(set(names) - {u.code for u in found})
        if unknown:
            raise UnitSourceError("registry.names", Text("Mã {codes} không có trong danh mục của tỉnh", codes=", ".join(unknown)))
        contacts = {}
        if registry.get("contacts"):
            contacts = {r.get("code", ""): r for r in read_csv(base / registry["contacts"], "registry.contacts")}
        for unit in found:
            extra = contacts.get(unit.code, {})
            units.append(
                Unit(
                    code=unit.code,
                    name=names.get(unit.code, unit.name),
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
                raise UnitSourceError("csv", Text("{file} dòng {row}: thiếu {columns}", file=spec["csv"], row=i,
                                                     columns=", ".join(missing)))
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


def valid_email(text: str) -> bool:
    return all(EMAIL.match(part.strip()) for part in re.split(r"[;,]", text) if part.strip())


def contact_problems(spec: dict, base: Path, units: list[Unit]) -> list[Problem]:
    """What `consolidate check` reports of the contact lists: in the registry's contacts CSV
    unknown codes, duplicates and malformed emails; malformed emails of the units CSV."""
    out: list[Problem] = []
    registry = spec.get("registry") or {}
    codes = {u.code for u in units}
    if registry.get("contacts"):
        name = registry["contacts"]
        path = base / name
        rows = read_csv(path, "registry.contacts")
        header = _header(path)
        missing = [c for c in CONTACT_COLUMNS if c not in header]
        if missing:
            out.append(ContactColumnsMissing(file=name, note=", ".join(missing)))
        first: dict[str, int] = {}
        for i, row in enumerate(rows, start=2):
            code = row.get("code", "")
            if code not in codes:
                out.append(ContactUnknownUnit(file=name, value=code, params={"row": i}))
            elif code in first:
                out.append(ContactDuplicate(file=name, value=code, params={"row": i, "first": first[code]}))
            else:
                first[code] = i
            if row.get("email") and not valid_email(row["email"]):
                out.append(ContactBadEmail(file=name, value=row["email"], params={"row": i}))
        blank = sum(1 for row in rows if not row.get("email"))
        if blank:
            out.append(ContactNoEmail(file=name, value=blank))
    if spec.get("csv"):
        for i, row in enumerate(read_csv(base / spec["csv"], "csv"), start=2):
            if row.get("email") and not valid_email(row["email"]):
                out.append(ContactBadEmail(file=spec["csv"], value=row["email"], params={"row": i}))
    return out


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [(c or "").strip() for c in next(csv.reader(handle), [])]
