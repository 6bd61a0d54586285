"""Vietnamese explanations for jsonschema validation errors, with the key path as a field."""

from __future__ import annotations

from collections import deque
from typing import Any

from jsonschema.exceptions import ValidationError

TYPE_NAMES = {
    "string": "chuỗi ký tự",
    "integer": "số nguyên",
    "number": "số",
    "object": "mục có các khóa con",
    "array": "danh sách",
    "boolean": "true/false",
    "null": "để trống",
}


def key_path(path: deque | list) -> str:
    """`sections[2].fields[0].id` style path; `(gốc)` for the document itself."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(gốc)"


def explain(error: ValidationError) -> str:
    v = error.validator
    val: Any = error.validator_value
    inst = error.instance
    if v == "required":
        missing = [k for k in val if isinstance(inst, dict) and k not in inst]
        return f"Thiếu khóa bắt buộc: {', '.join(missing)}"
    if v == "additionalProperties":
        extra = sorted(set(inst) - set(error.schema.get("properties", {}))) if isinstance(inst, dict) else []
        return f"Khóa không được phép (viết sai tên?): {', '.join(extra)}"
    if v == "type":
        want = val if isinstance(val, list) else [val]
        return f"Giá trị {inst!r} phải là {' hoặc '.join(TYPE_NAMES.get(t, t) for t in want)}"
    if v == "enum":
        return f"Giá trị {inst!r} không hợp lệ; chọn một trong: {', '.join(map(str, val))}"
    if v == "const":
        return f"Giá trị phải là {val!r}"
    if v == "pattern":
        return f"Giá trị {inst!r} sai định dạng (mẫu {val})"
    if v == "format":
        hint = " (dạng YYYY-MM-DD)" if val == "date" else ""
        return f"Giá trị {inst!r} không đúng định dạng {val}{hint}"
    if v in ("minItems", "minProperties"):
        return f"Cần ít nhất {val} mục"
    if v == "maxItems":
        return f"Tối đa {val} mục"
    if v == "minLength":
        return "Không được để trống" if val == 1 else f"Cần ít nhất {val} ký tự"
    if v == "maxLength":
        return f"Tối đa {val} ký tự"
    if v == "minimum":
        return f"Giá trị {inst!r} phải lớn hơn hoặc bằng {val}"
    if v == "maximum":
        return f"Giá trị {inst!r} phải nhỏ hơn hoặc bằng {val}"
    if v == "uniqueItems":
        return "Danh sách có mục trùng nhau"
    return error.message


def leaf_errors(errors) -> list[ValidationError]:
    """Flatten if/then and allOf wrappers so each reported error is the concrete one."""
    out: list[ValidationError] = []
    for error in errors:
        if error.context:
            out.extend(leaf_errors(error.context))
        else:
            out.append(error)
    return out
