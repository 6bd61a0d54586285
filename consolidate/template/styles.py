"""Cell formats and data-validation rules of the templates (Nghị định 30/2020 look)."""

from __future__ import annotations

import datetime as dt

from consolidate.definition.model import Field

FONT = "Times New Roman"
INPUT_FILL = "#FFF2CC"
LOCKED_FILL = "#E7E6E6"
HEADER_FILL = "#D9E1F2"
DATE_FORMAT = "dd/mm/yyyy"
TITLE_MAX = 32  # Excel's limit for input/error titles
MESSAGE_MAX = 255  # and for their messages
SHORT_TEXT = 255  # max_length up to which a text input is formatted as Text


class Styles:
    def __init__(self, workbook):
        def fmt(**props):
            base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
            base.update(props)
            return workbook.add_format(base)

        border = {"border": 1}
        self.header_parent = fmt(align="center", text_wrap=True, font_size=12)
        self.header_left = fmt(bold=True, align="center", text_wrap=True, font_size=12)
        unlocked_plain = {"locked": False, "bg_color": INPUT_FILL}
        self.doc_number = fmt(align="center", **unlocked_plain)
        self.doc_date = fmt(italic=True, align="center", **unlocked_plain)
        self.recipients_head = fmt(bold=True, italic=True, font_size=11, valign="top")
        self.recipients = fmt(text_wrap=True, font_size=10, valign="top")
        self.signer_title = fmt(bold=True, align="center")
        self.signer_note = fmt(italic=True, align="center", font_size=11)
        self.signer_name = fmt(bold=True, align="center", **unlocked_plain)
        self.role_lead = fmt(bold=True, align="center", text_wrap=True, border=1)
        self.header_right = fmt(bold=True, align="center", font_size=12)
        self.motto = fmt(bold=True, align="center", underline=True, font_size=13)
        self.title = fmt(bold=True, align="center", text_wrap=True, font_size=14)
        self.subtitle = fmt(italic=True, align="center", text_wrap=True)
        self.note = fmt(italic=True, text_wrap=True, font_size=11)
        self.note_cell = fmt(italic=True, text_wrap=True, font_size=11, **border)
        self.bold = fmt(bold=True, valign="top")
        self.bold_wrap = fmt(bold=True, text_wrap=True, valign="top")
        self.wrap = fmt(text_wrap=True, valign="top")
        self.th = fmt(bold=True, align="center", text_wrap=True, bg_color=HEADER_FILL, **border)
        self.group = fmt(bold=True, italic=True, text_wrap=True, bg_color="#F2F2F2", **border)
        self.label = fmt(text_wrap=True, **border)
        self.center = fmt(align="center", text_wrap=True, **border)
        self.locked_fill = fmt(bg_color=LOCKED_FILL, text_wrap=True, **border)
        unlocked = {"locked": False, "bg_color": INPUT_FILL, **border}
        self.input = fmt(**unlocked)
        self.input_text = fmt(text_wrap=True, valign="top", **unlocked)
        # Short text (phone numbers, codes, names) formatted as Text, so that Excel keeps
        # "0912 ..." as typed instead of turning it into the number 912...; long answers keep
        # General, as Excel shows "####" for a Text cell past 255 characters in some views.
        self.input_short_text = fmt(text_wrap=True, valign="top", num_format="@", **unlocked)
        self.input_quoted = fmt(text_wrap=True, valign="top", quote_prefix=True, **unlocked)
        self.input_int = fmt(num_format="#,##0", **unlocked)
        self.input_number = fmt(num_format="#,##0.##", **unlocked)
        self.input_date = fmt(num_format=DATE_FORMAT, align="center", **unlocked)

    def input_for(self, field: Field):
        if field.type == "text" and field.max_length is not None and field.max_length <= SHORT_TEXT:
            return self.input_short_text
        return {
            "integer": self.input_int,
            "number": self.input_number,
            "date": self.input_date,
            "text": self.input_text,
        }.get(field.type, self.input)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _range_text(field: Field) -> str:
    if field.min is not None and field.max is not None:
        return f"từ {_num(field.min)} đến {_num(field.max)}"
    if field.min is not None:
        return f"không nhỏ hơn {_num(field.min)}"
    if field.max is not None:
        return f"không lớn hơn {_num(field.max)}"
    return ""


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def validation_for(field: Field, list_source, with_help: bool = True) -> dict | None:
    """The Excel data validation of an input cell, with Vietnamese prompt and alert; the
    field's help joins the prompt unless it is printed beside the cell (`with_help=False`)."""
    unit = f" ({field.unit})" if field.unit else ""
    required = " Bắt buộc nhập." if field.required else ""
    title = _clip(field.label, TITLE_MAX)
    rule: dict
    if field.type in ("integer", "number"):
        kind = "integer" if field.type == "integer" else "decimal"
        low = field.min if field.min is not None else -999_999_999_999
        high = field.max if field.max is not None else 999_999_999_999
        if field.type == "integer":
            low, high = int(low), int(high)
        rule = {"validate": kind, "criteria": "between", "minimum": low, "maximum": high}
        what = "số nguyên" if field.type == "integer" else "số (dùng dấu phẩy cho phần thập phân)"
        prompt = f"Nhập {what}{unit} {_range_text(field)}.".replace("  ", " ")
        alert = f"Giá trị phải là {what} {_range_text(field)}.".replace("  ", " ")
    elif field.type == "date":
        rule = {"validate": "date", "criteria": "between",
                "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2100, 12, 31)}
        prompt = "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/06/2026."
        alert = "Giá trị phải là một ngày (ngày/tháng/năm)."
    elif field.type in ("choice", "yesno") and list_source:
        rule = {"validate": "list", "source": list_source}
        prompt = "Bấm mũi tên bên phải ô để chọn một giá trị."
        alert = "Chỉ chọn một giá trị trong danh sách."
    elif field.type == "text" and field.max_length:
        rule = {"validate": "length", "criteria": "<=", "value": field.max_length}
        prompt = f"Nhập nội dung, tối đa {field.max_length} ký tự."
        alert = f"Nội dung dài quá {field.max_length} ký tự; hãy rút gọn."
    else:
        return None
    if field.help and with_help:
        prompt = f"{field.help} {prompt}"
    rule.update({
        "ignore_blank": True,
        "input_title": title,
        "input_message": _clip(prompt + required, MESSAGE_MAX),
        "error_title": _clip("Giá trị không hợp lệ", TITLE_MAX),
        "error_message": _clip(alert, MESSAGE_MAX),
        "error_type": "stop",
    })
    return rule
