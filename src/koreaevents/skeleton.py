"""Skeleton records for ``koreaevents new``, and the placeholders they hold.

A skeleton has every field the JSON Schema of its type requires, derived from the
schema (so from the field specs in :mod:`koreaevents.records`), never from a list kept
here. A value still to fill is a **placeholder**: the JSON object ``{"TODO": "<what to
put here>"}``. It parses as JSON wherever it stands, is recognisable at a glance, and
no field of any type accepts an object where it stands (strings, vocabulary terms,
dates, numbers, ids and list items all fail), so ``validate`` and ``load`` never take
a skeleton for data: ``validate`` reports each one with the code ``placeholder`` at
its JSON Pointer, and says what to put there.

Fields that ``koreaevents fmt`` derives (an event's ``date.earliest`` and
``date.latest``, the bounds of ``date.edtf``) are left out of a skeleton; ``fmt``
fills them once the EDTF value is filled in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import attrs

from koreaevents.records import RECORD_TYPES, EventDate
from koreaevents.schema import json_schema

__all__ = [
    "PLACEHOLDER_KEY",
    "derived_fields",
    "field_schema",
    "is_placeholder",
    "placeholder",
    "placeholder_hint",
    "placeholders",
    "skeleton",
]

PLACEHOLDER_KEY: Final = "TODO"
"""The one key of a placeholder object."""


def placeholder(hint: str) -> dict[str, str]:
    """A placeholder value that says what to put in its place."""
    return {PLACEHOLDER_KEY: hint}


def is_placeholder(value: object) -> bool:
    """Whether a JSON value is a placeholder left by ``koreaevents new``."""
    return type(value) is dict and len(value) == 1 and type(value.get(PLACEHOLDER_KEY)) is str


def placeholders(data: object, pointer: str = "") -> Iterator[str]:
    """JSON Pointers of the placeholders in a JSON value, in document order."""
    stack: list[tuple[object, str]] = [(data, pointer)]
    while stack:
        value, where = stack.pop()
        if is_placeholder(value):
            yield where
        elif type(value) is dict:
            items = [(v, f"{where}/{_escape(str(k))}") for k, v in value.items()]
            stack.extend(reversed(items))
        elif type(value) is list:
            stack.extend(reversed([(v, f"{where}/{i}") for i, v in enumerate(value)]))


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A subschema with its local ``$ref`` followed (its own keywords win)."""
    seen = 0
    while isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 32:
        target: Any = schema
        for part in node["$ref"][2:].split("/"):
            target = target.get(_unescape(part), {}) if isinstance(target, dict) else {}
        merged = dict(target) if isinstance(target, dict) else {}
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        node = merged
        seen += 1
    return node


def field_schema(type_name: str, pointer: str) -> dict[str, Any]:
    """The subschema of the value at a JSON Pointer in a record of the type, with its
    references followed; ``{}`` when the schema does not define that place."""
    schema = json_schema(type_name)
    node = _resolve(schema, schema)
    for part in pointer[1:].split("/") if pointer else []:
        token = _unescape(part)
        if node.get("type") == "array" or "items" in node:
            child = node.get("items")
        else:
            child = node.get("properties", {}).get(token)
        if not isinstance(child, dict):
            return {}
        node = _resolve(schema, child)
    return node


def placeholder_hint(schema: dict[str, Any]) -> str:
    """What to put in a field, from its schema: its description, then its allowed
    terms, or its type, range and an example."""
    description = schema.get("description")
    head = description.rstrip(".") if isinstance(description, str) and description else ""
    options = schema.get("enum")
    if isinstance(options, list) and options:
        tail = "one of " + ", ".join(str(option) for option in options)
    else:
        wanted = schema.get("type")
        kinds = [wanted] if isinstance(wanted, str) else [str(k) for k in wanted or []]
        kinds = [kind for kind in kinds if kind not in ("null", "object", "string")]
        names = {"array": "a list", "integer": "a whole number", "number": "a number"}
        parts = [" or ".join(names.get(kind, f"a {kind}") for kind in kinds)] if kinds else []
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            parts.append(f"from {low} to {high}")
        examples = schema.get("examples")
        if isinstance(examples, list) and examples:
            example = examples[0]
            parts.append(f"e.g. {example!r}" if isinstance(example, str) else f"e.g. {example}")
        tail = ", ".join(part for part in parts if part)
    if head and tail:
        return f"{head}: {tail}"
    return head or tail or "a value"


def derived_fields() -> frozenset[str]:
    """Names of the fields ``fmt`` derives from a sibling EDTF value (the bounds of
    :class:`~koreaevents.records.EventDate`): a skeleton leaves them out."""
    return frozenset(field.name for field in attrs.fields(EventDate) if field.name != "edtf")


def _derives_bounds(node: dict[str, Any]) -> bool:
    properties = node.get("properties", {})
    return "edtf" in properties and derived_fields() <= set(properties)


def skeleton(type_name: str, record_id: str) -> dict[str, Any]:
    """A record of the type with every required field: the id given, placeholders for
    the rest (one item of a list that needs at least one)."""
    if type_name not in RECORD_TYPES:
        raise ValueError(
            f"unknown record type {type_name!r}: expected one of {', '.join(RECORD_TYPES)}"
        )
    schema = json_schema(type_name)

    def value(node: dict[str, Any], skip: frozenset[str] = frozenset()) -> Any:
        node = _resolve(schema, node)
        if node.get("type") == "object" or "properties" in node:
            drop = derived_fields() if _derives_bounds(node) else frozenset()
            properties = node.get("properties", {})
            return {
                name: value(properties[name])
                for name in properties  # field order, as the writers put it
                if name in node.get("required", ()) and name not in drop | skip
            }
        if node.get("type") == "array":
            items = node.get("items", {})
            return [value(items)] if int(node.get("minItems", 0)) > 0 else []
        return placeholder(placeholder_hint(node))

    record: dict[str, Any] = value(schema, frozenset({"id"}))
    return {"id": record_id, **record}
