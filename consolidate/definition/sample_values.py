"""Plausible filled-in values for any definition: the sample inputs, the benchmark and the
tests build their returns from these, so none of them is tied to one plan's fields."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from consolidate.definition.model import Definition, Field, Period, Unit
from consolidate.definition.rules import Missing, evaluate, field_refs, holds, parse

TEXT_SNIPPETS = (
    "Đã quán triệt, triển khai kịp thời đến cán bộ, công chức.",
    "Tổ chức hội nghị đối thoại với Nhân dân về công tác giải phóng mặt bằng.",
    "Duy trì tiếp công dân định kỳ; giải quyết dứt điểm các kiến nghị.",
    "Phối hợp với Ủy ban Mặt trận Tổ quốc cùng cấp tuyên truyền, vận động Nhân dân.",
    "Kinh phí hạn chế; một số thôn, tổ dân phố chưa có nhà văn hóa.",
    "Đề nghị tỉnh tổ chức tập huấn nghiệp vụ công tác dân vận cho công chức cấp xã.",
)
MODEL_NAMES = (
    "Dân vận khéo trong xây dựng nông thôn mới",
    "Tổ tự quản vệ sinh môi trường khu dân cư",
    "Chính quyền thân thiện, vì Nhân dân phục vụ",
    "Hiến đất mở đường giao thông nông thôn",
    "Camera an ninh - Mắt thần khu phố",
)


def _number(field: Field, rng: random.Random) -> float | int:
    low = field.min if field.min is not None else 0
    high = field.max if field.max is not None else max(low + 10, 60)
    if field.type == "integer":
        return rng.randint(int(low), int(high))
    return round(rng.uniform(low, high), 1)


def value_for(field: Field, period: Period, rng: random.Random) -> Any:
    if field.numeric:
        return _number(field, rng)
    if field.type in ("choice", "yesno"):
        return rng.choice(field.options)
    if field.type == "date":
        span = max(1, (period.end - period.start).days)
        return period.start + dt.timedelta(days=rng.randint(0, span))
    text = rng.choice(TEXT_SNIPPETS)
    return text[: field.max_length] if field.max_length else text


def _repair(definition: Definition, values: dict[str, Any], rng: random.Random) -> None:
    """Nudge single-field sides of failing rules until every rule holds (a few passes)."""
    for _ in range(4):
        changed = False
        for rule in definition.rules:
            if rule.severity != "error" and rng.random() < 0.5:
                continue
            numeric = {k: v for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
            if holds(rule.left, rule.op, rule.right, numeric) is not False:
                continue
            left, right = field_refs(rule.left), field_refs(rule.right)
            if parse(rule.left)[0] == "id" and not set(left) & set(right):
                target, other, flip = left[0], rule.right, False
            elif parse(rule.right)[0] == "id":
                target, other, flip = right[0], rule.left, True
            else:
                continue
            try:
                bound = evaluate(parse(other), numeric)
            except Missing:
                continue
            wants_less = (rule.op in ("<=", "<")) != flip
            bound = max(0.0, bound)
            new = bound * rng.uniform(0.5, 1.0) if wants_less else bound * rng.uniform(1.0, 1.5) + 1
            if rule.op in ("<", ">") or (rule.op in ("<=",) and not flip and bound == 0):
                new = new - 1 if wants_less else new + 1
            if rule.op == "==":
                new = bound
            field = definition.field(target)
            values[target] = max(int(field.min or 0), int(round(new))) if field and field.type == "integer" else round(new, 1)
            changed = True
        if not changed:
            return


def filled_values(definition: Definition, unit: Unit, period: Period, seed: int | str = 0,
                  table_rows: tuple[int, int] = (0, 4)) -> dict[str, Any]:
    """A complete, valid return's values: {defined name: value, table id: [rows]}."""
    rng = random.Random(f"{definition.id}|{unit.code}|{period.id}|{seed}")
    values: dict[str, Any] = {}
    for field in definition.value_fields:
        if field.required or rng.random() < 0.85:
            values[field.id] = value_for(field, period, rng)
    _repair(definition, values, rng)
    for section in definition.sections_of("tasks"):
        for task in section.tasks:
            values[f"{task.id}_status"] = rng.choice(section.statuses[:3] if len(section.statuses) > 3 else section.statuses)
            values[f"{task.id}_result"] = rng.choice(TEXT_SNIPPETS)
    for section in definition.sections_of("table"):
        rows = []
        for i in range(rng.randint(*table_rows)):
            row = {}
            for col in section.fields:
                if col.type == "text":
                    row[col.id] = f"{rng.choice(MODEL_NAMES)} ({unit.name}, {i + 1})"[: col.max_length or 300]
                elif col.required or rng.random() < 0.9:
                    row[col.id] = value_for(col, period, rng)
            rows.append(row)
        values[section.id] = rows
    values["preparer"] = rng.choice(("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung"))
    values["preparer_position"] = rng.choice(("Chuyên viên", "Phó Trưởng phòng", "Công chức Văn phòng - Thống kê"))
    values["preparer_phone"] = f"09{rng.randint(10_000_000, 99_999_999)}"
    values["report_date"] = period.due_before - dt.timedelta(days=rng.randint(1, 10))
    return values
