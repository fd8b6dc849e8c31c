"""JSON Schemas (Draft 2020-12) derived from the record classes.

The attrs classes in :mod:`koreaevents.records` are the one definition of every field;
this module turns them into self-contained JSON Schemas (every ``$ref`` internal). The
files in ``schemas/`` are these schemas written out (``python -m koreaevents.schema``),
and a test fails when they are stale.
"""

from __future__ import annotations

import datetime
import enum
import functools
import json
import types
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import attrs

from koreaevents import vocab
from koreaevents.records import RECORD_TYPES, FieldSpec, RecordType, spec

__all__ = [
    "DRAFT",
    "SCHEMA_BASE_URI",
    "dump_schema",
    "json_schema",
    "record_type_names",
    "schema_id",
    "write_schemas",
]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE_URI = "https://koreaevents.github.io/schemas/v1/"


def schema_id(type_name: str) -> str:
    """The ``$id`` of a record type's schema."""
    return f"{SCHEMA_BASE_URI}{type_name}.schema.json"


def record_type_names() -> tuple[str, ...]:
    """The record type names: ``event``, ``source``, ``analysis``, ``actor``."""
    return tuple(RECORD_TYPES)


class _Builder:
    """Collects ``$defs`` while walking the types of one record class."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def type_schema(self, tp: Any) -> dict[str, Any]:
        origin = get_origin(tp)
        if origin in (Union, types.UnionType):
            members = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(members) != 1:
                raise TypeError(f"unsupported union {tp!r}")
            return self.type_schema(members[0])
        if origin is tuple:
            item, _ellipsis = get_args(tp)
            return {"type": "array", "items": self.type_schema(item)}
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return {"$ref": f"#/$defs/{self.vocabulary(tp)}"}
        if attrs.has(tp):
            return {"$ref": f"#/$defs/{self.object_def(tp)}"}
        if tp is str:
            return {"type": "string"}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            return {"type": "integer"}
        if tp is float:
            return {"type": "number"}
        if tp is datetime.date:
            return {"type": "string", "format": "date"}
        raise TypeError(f"no JSON Schema for {tp!r}")

    def vocabulary(self, cls: type[enum.Enum]) -> str:
        name = cls.__name__
        if name not in self.defs:
            terms = vocab.TERMS[cls]
            values = [member.value for member in cls]
            self.defs[name] = {
                "type": "integer" if isinstance(values[0], int) else "string",
                "description": _doc(cls),
                "enum": values,
                # An annotation, ignored by validators: the codebook reads it.
                "x-terms": {
                    str(member.value): {
                        "description": terms[member].description,
                        **terms[member].mappings,
                    }
                    for member in cls
                },
            }
        return name

    def object_def(self, cls: type[Any]) -> str:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # reserve the name first: guards against cycles
            self.defs[name] = self.object_schema(cls)
        return name

    def object_schema(self, cls: type[Any]) -> dict[str, Any]:
        attrs.resolve_types(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            fs = spec(field)
            properties[field.name] = self.field_schema(field.type, fs)
            if field.default is attrs.NOTHING:
                required.append(field.name)
        schema: dict[str, Any] = {
            "type": "object",
            "description": _doc(cls),
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        schema.update(_cross_field_rules(cls))
        return schema

    def field_schema(self, tp: Any, fs: FieldSpec) -> dict[str, Any]:
        schema = self.type_schema(tp)
        target = schema["items"] if schema.get("type") == "array" else schema
        if fs.pattern is not None:
            target["pattern"] = fs.pattern
        if fs.not_pattern is not None:
            target["not"] = {"pattern": fs.not_pattern}
        if fs.min_length is not None:
            target["minLength"] = fs.min_length
        if fs.max_length is not None:
            target["maxLength"] = fs.max_length
        if fs.minimum is not None:
            target["minimum"] = fs.minimum
        if fs.maximum is not None:
            target["maximum"] = fs.maximum
        if fs.format is not None:
            target["format"] = fs.format
        if fs.min_items is not None:
            schema["minItems"] = fs.min_items
        if fs.unique_items:
            schema["uniqueItems"] = True
        if fs.nullable:
            if "$ref" in schema:
                schema = {"anyOf": [schema, {"type": "null"}]}
            else:
                schema["type"] = [schema["type"], "null"]
        out: dict[str, Any] = {"description": fs.description}
        out.update(schema)
        if fs.example is not None:
            out["examples"] = [fs.example]
        return out


def _doc(obj: Any) -> str:
    return (obj.__doc__ or "").strip().splitlines()[0]


def _cross_field_rules(cls: type[Any]) -> dict[str, Any]:
    """Rules that tie fields together, where JSON Schema can say them."""
    from koreaevents.records import Analysis

    if cls is not Analysis:
        return {}
    bands = []
    for term in vocab.Likelihood:
        low, high = vocab.likelihood_band(term)
        bands.append(
            {
                "if": {
                    "properties": {"likelihood": {"const": term.value}},
                    "required": ["likelihood", "probability"],
                },
                "then": {"properties": {"probability": {"minimum": low, "maximum": high}}},
            }
        )
    return {"dependentRequired": {"probability": ["likelihood"]}, "allOf": bands}


@functools.cache
def _json_schema(type_name: str) -> str:
    cls: RecordType = RECORD_TYPES[type_name]
    builder = _Builder()
    body = builder.object_schema(cls)
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": schema_id(type_name),
        "title": f"koreaevents {type_name}",
    }
    schema.update(body)
    schema["$defs"] = dict(sorted(builder.defs.items()))
    return json.dumps(schema)


def json_schema(type_name: str) -> dict[str, Any]:
    """The self-contained JSON Schema of a record type (a fresh copy each call).

    Raises ``KeyError`` for an unknown type name.
    """
    if type_name not in RECORD_TYPES:
        raise KeyError(
            f"unknown record type {type_name!r}: expected one of {', '.join(RECORD_TYPES)}"
        )
    result: dict[str, Any] = json.loads(_json_schema(type_name))
    return result


def dump_schema(type_name: str) -> str:
    """A record type's schema as the canonical text of ``schemas/<type>.schema.json``."""
    return json.dumps(json_schema(type_name), indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every record type's schema into ``directory``; returns the paths written."""
    from koreaevents.io.atomic import atomic_write_text

    written = []
    for name in RECORD_TYPES:
        path = directory / f"{name}.schema.json"
        atomic_write_text(path, dump_schema(name))
        written.append(path)
    return written
