"""JSON-ready dicts ↔ records, with cattrs.

Structuring is strict (no silent ``5 → "5"``, no unknown keys) and its failures become
one readable line per bad value with the JSON Pointer to it. Unstructuring gives the
canonical JSON form: keys in field order, absent optional fields and empty lists left
out, dates as ISO strings.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Iterator
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from koreaevents import vocab
from koreaevents.records import RECORD_TYPES, DateBoundsError, Record

__all__ = [
    "RecordError",
    "converter",
    "structure",
    "structure_record",
    "unstructure",
]

T = TypeVar("T")


class RecordError(ValueError):
    """A dict that does not make a valid record.

    ``problems`` lists ``(pointer, code, message)``: the JSON Pointer to the bad value,
    an issue code (``schema`` or ``date-bounds``) and what is wrong.
    """

    def __init__(
        self, type_name: str, record_id: str | None, problems: list[tuple[str, str, str]]
    ) -> None:
        self.type_name = type_name
        self.record_id = record_id
        self.problems = problems
        what = f"{type_name} {record_id!r}" if record_id else f"a {type_name} record"
        lines = [f"{pointer or '/'}: {message}" for pointer, _code, message in problems]
        super().__init__(f"{what} is invalid: " + "; ".join(lines))


def _strict(kind: type[Any], name: str) -> Any:
    def hook(value: Any, _type: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, kind):
            raise TypeError(f"expected {name}, got {type(value).__name__} {value!r:.60}")
        return value

    return hook


def _structure_float(value: Any, _type: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {type(value).__name__} {value!r:.60}")
    return float(value)


def _structure_date(value: Any, _type: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO date string, got {type(value).__name__}")
    return datetime.date.fromisoformat(value)


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    try:
        return cls(value)
    except ValueError:
        terms = ", ".join(repr(member.value) for member in cls)
        raise ValueError(f"{value!r:.60} is not one of {terms}") from None


def _describe(exc: BaseException) -> tuple[str, str, str | None]:
    """``(code, message, field)`` for one leaf error of structuring a record.

    ``field`` names the attribute when the error comes from an attrs validator (whose
    exception carries the attribute: ``matches_re``, ``in_``, ``instance_of``), so that
    the pointer can end in it; the message then says what is wrong in words, with the
    pattern or the allowed values, never the validator's repr.
    """
    if isinstance(exc, DateBoundsError):
        return "date-bounds", str(exc), None
    if isinstance(exc, KeyError):
        return "schema", "required field missing", None
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return "schema", f"unknown field(s): {', '.join(sorted(exc.extra_fields))}", None
    args = exc.args
    if len(args) >= 2 and isinstance(args[1], attrs.Attribute):
        field = args[1].name
        value = args[3] if len(args) >= 4 else None
        shown = f"{value!r:.80}"
        if len(args) >= 3 and isinstance(args[2], re.Pattern):
            return "schema", f"{shown} does not match the pattern {args[2].pattern}", field
        if len(args) >= 3 and isinstance(args[2], type):
            wanted = args[2].__name__
            return "schema", f"expected {wanted}, got {type(value).__name__} {shown}", field
        if len(args) >= 3 and isinstance(args[2], (tuple, list, set, frozenset)):
            terms = ", ".join(repr(term) for term in args[2])
            return "schema", f"{shown} is not one of {terms}", field
        return "schema", str(args[0]), field
    return "schema", str(exc) or type(exc).__name__, None


def _leaf_errors(
    exc: BaseException, pointer: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], BaseException]]:
    """Every leaf error under a cattrs validation error, with the path to its value
    (from cattrs' notes: a field name for a class, an index or key for a container)."""
    if isinstance(exc, (cattrs.ClassValidationError, cattrs.IterableValidationError)):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            part = note.name if isinstance(note, AttributeValidationNote) else note.index
            yield from _leaf_errors(inner, (*pointer, str(part)))
        for inner in without:
            yield from _leaf_errors(inner, pointer)
    else:
        yield pointer, exc


def _problem(pointer: tuple[str, ...], exc: BaseException) -> tuple[str, str, str]:
    code, message, field = _describe(exc)
    parts = (*pointer, field) if field is not None else pointer
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts), code, message


def _in_field_order(cls: type[Any], conv: cattrs.Converter) -> Any:
    """Unstructure omitting defaults, keys in field order (cattrs puts omittable
    fields last, which would scatter a record's keys)."""
    unstructure_fn = make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True)
    order = [field.name for field in attrs.fields(cls)]

    def unstructure_in_order(obj: Any) -> dict[str, Any]:
        raw = unstructure_fn(obj)
        return {key: raw[key] for key in order if key in raw}

    return unstructure_in_order


def _unstructure_date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "an integer"))
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(datetime.date, _structure_date)
    conv.register_unstructure_hook(datetime.date, _unstructure_date)
    # Each vocabulary by its own class: singledispatch would otherwise hand the StrEnum
    # and IntEnum vocabularies to the str and int hooks and skip the term check.
    for vocabulary in vocab.TERMS:
        conv.register_structure_hook(vocabulary, _structure_enum)
    conv.register_structure_hook_factory(
        attrs.has,
        lambda cls: make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True),
    )
    conv.register_unstructure_hook_factory(attrs.has, lambda cls: _in_field_order(cls, conv))
    return conv


converter: cattrs.Converter = _make_converter()
"""The converter between JSON-ready values and records."""


def structure(data: Any, cls: type[T]) -> T:
    """Build a record (or any record part) of class ``cls`` from JSON-ready data.

    Raises :class:`RecordError` listing every bad value with its JSON Pointer.
    """
    type_name = getattr(cls, "TYPE", cls.__name__)
    record_id = data.get("id") if isinstance(data, dict) else None
    record_id = record_id if isinstance(record_id, str) else None
    if not isinstance(data, dict):
        raise RecordError(
            type_name, None, [("", "schema", f"expected a JSON object, got {type(data).__name__}")]
        )
    try:
        return converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        problems = [_problem(pointer, leaf) for pointer, leaf in _leaf_errors(exc)]
        raise RecordError(type_name, record_id, problems) from None
    except DateBoundsError as exc:
        raise RecordError(type_name, record_id, [("/date", "date-bounds", str(exc))]) from None
    except (ValueError, TypeError) as exc:
        # Raised by a record's own checks (attrs validators, probability bands).
        raise RecordError(type_name, record_id, [_problem((), exc)]) from None


def structure_record(type_name: str, data: Any) -> Record:
    """Build a record of the named type (``event``, ``source``, ``analysis``, ``actor``)."""
    record: Record = structure(data, RECORD_TYPES[type_name])
    return record


def unstructure(record: Any) -> Any:
    """The canonical JSON-ready form of a record (or a list of records)."""
    return converter.unstructure(record)
