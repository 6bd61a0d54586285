"""The JSON Schema a return's typed document must satisfy, derived from the definition, and
its validator: jsonschema with the `properties` keyword memoised per leaf value (the same
counts and choices recur in every return), plus a shortcut that skips jsonschema for a
document provably without errors (any error at all goes through jsonschema itself, so the
errors, their order and messages are always jsonschema's).
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, validators

from consolidate.definition.layout import layout_for
from consolidate.definition.model import YES_NO, Definition, Field

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


# --------------------------------------------------------------------------- derived schema


def _field_schema(f: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": f.label}
    if f.type in ("integer", "number"):
        schema["type"] = f.type
        if f.min is not None:
            schema["minimum"] = f.min
        if f.max is not None:
            schema["maximum"] = f.max
    elif f.type == "date":
        schema.update(type="string", format="date")
    elif f.type == "choice":
        schema["enum"] = list(f.choices)
    elif f.type == "yesno":
        schema["enum"] = list(YES_NO)
    else:
        schema.update(type="string", minLength=1)
        if f.max_length:
            schema["maxLength"] = f.max_length
    return schema


def return_schema(definition: Definition) -> dict[str, Any]:
    """JSON Schema (2020-12) of the typed document extracted from one return.

    The document is flat, keyed like the template's defined names: one key per field of
    `fields`/`text` sections, per unit-information input (`preparer`, `report_date`, …) and
    per task column (`<task>_status`, `<task>_result`); one array of row objects per `table`
    section, keyed by the section id. Blank cells are absent; dates are ISO strings.
    Cached per loaded definition.
    """
    return definition.memo("validation.return_schema", lambda: _return_schema(definition))


def _return_schema(definition: Definition) -> dict[str, Any]:
    layout = layout_for(definition)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec in layout.cells.values():
        if spec.locked or spec.field is None:
            continue
        properties[spec.name] = _field_schema(spec.field)
        if spec.field.required and not spec.task_id:
            required.append(spec.name)
    for section in definition.sections_of("table"):
        properties[section.id] = {
            "title": section.title,
            "type": "array",
            "items": {
                "type": "object",
                "properties": {c.id: _field_schema(c) for c in section.fields},
                "required": [c.id for c in section.fields if c.required],
                "additionalProperties": False,
            },
        }
    schema = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"urn:consolidate:return:{definition.id}:v{definition.version}",
        "title": definition.title,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    return schema


def schema_validator(definition: Definition) -> Draft202012Validator:
    """The validator of return_schema, with its leaf errors memoised (see below)."""
    return _validator_and_memo(definition)[0]


def schema_memo(definition: Definition) -> _LeafMemo:
    """The leaf-error memo of schema_validator, whose `clean` tells a document without errors."""
    return _validator_and_memo(definition)[1]


def _validator_and_memo(definition: Definition) -> tuple[Draft202012Validator, _LeafMemo]:
    def make() -> tuple[Draft202012Validator, _LeafMemo]:
        memo = _LeafMemo()
        cls = validators.extend(Draft202012Validator, {"properties": _memo_properties(memo)})
        validator = cls(return_schema(definition), format_checker=Draft202012Validator.FORMAT_CHECKER)
        memo.shape = _object_shape(validator.schema, memo)
        return validator, memo

    return definition.memo("validation.schema_validator", make)


# Most of the schema's cost was jsonschema descending into ~75 leaf properties per return
# (a new validator object and resolver for each), while the values repeat from file to file
# (0, "Có", "Hoàn thành", ...). So the `properties` keyword below is jsonschema's own, except
# that the errors of a leaf subschema (no nested properties/items) for a given value are
# computed once by jsonschema and then reused. Everything else (type of the document and of
# table rows, required, additionalProperties, items) is still jsonschema's work on the real
# document, and the reused errors are copies, so paths and order are exactly as before.

_LEAF_MEMO_MAX = 100_000


def memo_key(value: Any) -> tuple | None:
    """A key under which results computed for `value` hold for any equal value, or None.

    Only types whose equal values are indistinguishable: str, int, bool (the type is part of
    the key: True == 1) and floats other than zero (0.0 == -0.0 but they print apart) and NaN
    (never equal to itself)."""
    cls = value.__class__
    if cls is str or cls is int or cls is bool:
        return (cls, value)
    if cls is float and value == value and value != 0.0:
        return (cls, value)
    return None


class _LeafMemo(dict):
    """(id of a leaf subschema, *memo_key(value)) -> that value's errors against it. One per
    validator, whose schema keeps every subschema (and so every id) alive."""

    def __init__(self) -> None:
        super().__init__()
        self.leaf: dict[int, bool] = {}  # id of a subschema -> no subschema inside it
        # id of a `properties` value -> [(name, subschema, id of the subschema if a leaf)]
        self.plans: dict[int, list[tuple[str, Any, int | None]]] = {}
        self.shape: tuple | None = None  # of the whole schema (_object_shape)

    def store(self, key: tuple, errors: tuple) -> tuple:
        if len(self) >= _LEAF_MEMO_MAX:  # free-text answers are all different: stay bounded
            self.clear()
        self[key] = errors
        return errors

    def is_leaf(self, subschema: Any) -> bool:
        found = self.leaf.get(id(subschema))
        if found is None:
            found = self.leaf[id(subschema)] = isinstance(subschema, dict) and not any(k in subschema for k in _NESTING)
        return found

    def clean(self, validator, instance: Any, shape: tuple | None) -> bool:
        """True only if `validator.iter_errors(instance)` yields no error at all, for an
        instance of the schema `shape` was made from (see _object_shape): an object, each
        leaf value without errors (the errors jsonschema gives it, from the memo or worked
        out here as the `properties` keyword would), every required property present and no
        other; arrays are lists of such objects. False: not known, ask jsonschema."""
        if shape is None or instance.__class__ is not dict:
            return False
        plan, required, names = shape
        for prop in instance:
            if prop not in names:
                return False  # additionalProperties
        for prop in required:
            if prop not in instance:
                return False
        for prop, subschema, leaf, rows in plan:
            if prop not in instance:
                continue
            value = instance[prop]
            if leaf is None:
                if value.__class__ is not list:
                    return False
                for row in value:
                    if not self.clean(validator, row, rows):
                        return False
                continue
            cls = value.__class__
            if cls is str or cls is int or cls is bool or (cls is float and value == value and value != 0.0):
                key = (leaf, cls, value)
                errors = self.get(key)
                if errors is None:
                    errors = self.store(key, tuple(validator.descend(value, subschema, path=prop, schema_path=prop)))
            else:
                errors = tuple(validator.descend(value, subschema, path=prop, schema_path=prop))
            if errors:
                return False
        return True

    def plan(self, properties: dict) -> list[tuple[str, Any, int | None]]:
        found = self.plans.get(id(properties))
        if found is None:
            found = self.plans[id(properties)] = [
                (prop, subschema, id(subschema) if self.is_leaf(subschema) else None)
                for prop, subschema in properties.items()
            ]
        return found


# Keywords of the derived schema's object and array levels that the no-error test below
# (_LeafMemo.clean) evaluates itself; any other keyword there and the test is never used.
_OBJECT_KEYWORDS = frozenset({"$schema", "$id", "title", "description", "type", "properties", "required",
                              "additionalProperties"})
_ARRAY_KEYWORDS = frozenset({"title", "description", "type", "items"})
# What _field_schema writes: keywords whose errors depend on the value alone.
_LEAF_KEYWORDS = frozenset({"title", "description", "type", "minimum", "maximum", "format", "enum", "minLength",
                            "maxLength"})


def _object_shape(schema: Any, memo: _LeafMemo) -> tuple | None:
    """An object schema as (properties plan, required, property names), where every
    property is a leaf or an array of such objects: (name, subschema, id if a leaf, shape of
    the array's items or None). None for any other schema."""
    if (not isinstance(schema, dict) or not set(schema) <= _OBJECT_KEYWORDS or schema.get("type") != "object"
            or schema.get("additionalProperties") is not False):
        return None
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    if not isinstance(properties, dict) or not isinstance(required, list):
        return None
    plan = []
    for prop, subschema in properties.items():
        if isinstance(subschema, dict) and set(subschema) <= _LEAF_KEYWORDS:
            if not memo.is_leaf(subschema):
                return None
            plan.append((prop, subschema, id(subschema), None))
            continue
        if not (isinstance(subschema, dict) and set(subschema) <= _ARRAY_KEYWORDS and subschema.get("type") == "array"):
            return None
        rows = _object_shape(subschema.get("items"), memo)
        if rows is None:
            return None
        plan.append((prop, subschema, None, rows))
    return plan, tuple(required), frozenset(properties)


_NESTING = ("properties", "items", "prefixItems", "$ref", "$dynamicRef", "allOf", "anyOf", "oneOf", "not", "if")


def _memo_properties(memo: _LeafMemo):
    get = memo.get

    def properties(validator, properties, instance, schema):
        # jsonschema's `properties` keyword (jsonschema/_keywords.py), memoised per leaf value
        if not validator.is_type(instance, "object"):
            return
        for prop, subschema, leaf in memo.plan(properties):
            if prop not in instance:
                continue
            value = instance[prop]
            cls = value.__class__
            # memo_key(value), inline
            if leaf is None or not (cls is str or cls is int or cls is bool or (
                    cls is float and value == value and value != 0.0)):
                yield from validator.descend(value, subschema, path=prop, schema_path=prop)
                continue
            key = (leaf, cls, value)
            errors = get(key)
            if errors is None:
                errors = memo.store(key, tuple(validator.descend(value, subschema, path=prop, schema_path=prop)))
            for error in errors:
                yield error.create_from(error)  # callers prepend to path/schema_path: never the memo's

    return properties


# --------------------------------------------------------------------------- checking
