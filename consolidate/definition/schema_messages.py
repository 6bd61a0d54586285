"""Vietnamese explanations for jsonschema validation errors, with the key path as a field."""

from __future__ import annotations

from collections import deque
from typing import Any

from jsonschema.exceptions import ValidationError

from consolidate.i18n import N_, Text, _

TYPE_NAMES = {
    "string": N_("chuỗi ký tự"),
    "integer": N_("số nguyên"),
    "number": N_("số"),
    "object": N_("mục có các khóa con"),
    "array": N_("danh sách"),
    "boolean": "true/false",
    "null": N_("để trống"),
}


def key_path(path: deque | list) -> str:
    """`sections[2].fields[0].id` style path; `(gốc)` for the document itself."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or _("(gốc)")


def explain(error: ValidationError) -> Text | str:
    """What is wrong, for the person editing the YAML (jsonschema's own English otherwise)."""
    v = error.validator
    val: Any = error.validator_value
    inst = error.instance
    if v == "required":
        missing = [k for k in val if isinstance(inst, dict) and k not in inst]
        return Text("Thiếu khóa bắt buộc: {keys}", keys=", ".join(missing))
    if v == "additionalProperties":
        extra = sorted(set(inst) - set(error.schema.get("properties", {}))) if isinstance(inst, dict) else []
        return Text("Khóa không được phép (viết sai tên?): {keys}", keys=", ".join(extra))
    if v == "type":
        want = val if isinstance(val, list) else [val]
        names = [Text(TYPE_NAMES[t]) if t in TYPE_NAMES else t for t in want]
        return Text("Giá trị {value} phải là {kinds}", value=repr(inst), kinds=_joined(names))
    return _explain_value(v, val, inst) or error.message


def _joined(names: list) -> Text | str:
    return names[0] if len(names) == 1 else Text("{first} hoặc {second}", first=names[0], second=_joined(names[1:]))


def _explain_value(v: str, val: Any, inst: Any) -> Text | None:
    value = repr(inst)
    if v == "enum":
        return Text("Giá trị {value} không hợp lệ; chọn một trong: {choices}", value=value,
                    choices=", ".join(map(str, val)))
    if v == "const":
        return Text("Giá trị phải là {expected}", expected=repr(val))
    if v == "pattern":
        return Text("Giá trị {value} sai định dạng (mẫu {pattern})", value=value, pattern=val)
    if v == "format":
        if val == "date":
            return Text("Giá trị {value} không đúng định dạng {format} (dạng YYYY-MM-DD)", value=value, format=val)
        return Text("Giá trị {value} không đúng định dạng {format}", value=value, format=val)
    if v in ("minItems", "minProperties"):
        return Text("Cần ít nhất {n} mục", n=val)
    if v == "maxItems":
        return Text("Tối đa {n} mục", n=val)
    if v == "minLength":
        return Text("Không được để trống") if val == 1 else Text("Cần ít nhất {n} ký tự", n=val)
    if v == "maxLength":
        return Text("Tối đa {n} ký tự", n=val)
    if v == "minimum":
        return Text("Giá trị {value} phải lớn hơn hoặc bằng {limit}", value=value, limit=val)
    if v == "maximum":
        return Text("Giá trị {value} phải nhỏ hơn hoặc bằng {limit}", value=value, limit=val)
    if v == "uniqueItems":
        return Text("Danh sách có mục trùng nhau")
    return None


def leaf_errors(errors) -> list[ValidationError]:
    """Flatten if/then and allOf wrappers so each reported error is the concrete one."""
    out: list[ValidationError] = []
    for error in errors:
        if error.context:
            out.extend(leaf_errors(error.context))
        else:
            out.append(error)
    return out
