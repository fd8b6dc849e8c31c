"""Arrow schemas and tables for the four record types, derived from the record classes.

Like :mod:`koreaevents.schema` for JSON Schema, this module walks ``attrs.fields`` of
the classes in :mod:`koreaevents.records`; there is no hand-kept column list.

The layout (what the Parquet files hold):

* A top-level nested object is flattened one level with ``_``: ``date.earliest``
  becomes ``date_earliest`` (``date32``), ``location.lat`` becomes ``location_lat``
  (``float64``). An optional object (``weapon``) that is absent has every one of its
  columns null.
* Lists stay lists: ``tags`` is ``list<string>``, ``actors`` is
  ``list<struct<actor, role>>``, ``verification_discrepancies`` is
  ``list<struct<field, claimed, corrected, citations: list<string>, claimed_in>>``.
  An absent optional list is stored as an empty list, never null.
* Vocabularies are plain ``string`` columns (``credibility``, an integer scale, is
  ``int8``), not Arrow dictionary types. Parquet dictionary-encodes repeated strings on
  disk anyway, so files are as small; a plain string reads as a string in every
  reader, whereas a dictionary type becomes a pandas ``Categorical``, an R ``factor``,
  a polars ``Categorical`` with its global string cache, and is not kept by Spark —
  each surprising in its own way.
* Each field's description (and, for vocabularies, the allowed terms) is in the Arrow
  field metadata (``b"description"``, ``b"enum"``); the schema metadata names the
  record type, the JSON Schema ``$id`` and the dataset name and version. Nothing
  depends on the time or the machine, so the same records give the same bytes.
"""

from __future__ import annotations

import datetime
import enum
import functools
import json
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Union, get_args, get_origin

import attrs
import pyarrow as pa

from koreaevents import vocab
from koreaevents.convert import RecordError, structure_record, unstructure
from koreaevents.edtf import EdtfError, edtf_qualities, is_valid_edtf, parse_edtf
from koreaevents.issues import DataError, Issue
from koreaevents.records import (
    RECORD_TYPES,
    FieldSpec,
    Record,
    RecordType,
    derived_qualities,
    spec,
)
from koreaevents.references import ANY_RECORD, REFERENCE_FIELDS
from koreaevents.schema import schema_id

__all__ = [
    "STEM_TYPES",
    "Column",
    "RowBuffer",
    "add_derived",
    "arrow_schema",
    "columns",
    "derive_array",
    "derive_value",
    "derived_columns",
    "derived_issues",
    "flatten_record",
    "record_class",
    "records_to_table",
    "stored_columns",
    "table_schema",
    "table_to_records",
    "unflatten_row",
]

STEM_TYPES: dict[str, str] = {cls.STEM: cls.TYPE for cls in RECORD_TYPES.values()}
"""File stem -> record type name (``events`` -> ``event``)."""

META_RECORD_TYPE = b"koreaevents:record_type"
META_SCHEMA_ID = b"koreaevents:schema_id"
META_DATASET_NAME = b"koreaevents:dataset_name"
META_DATASET_VERSION = b"koreaevents:dataset_version"

_LIST_ITEM = "element"  # the name Parquet's compliant nested lists give list items


def record_class(stem: str) -> RecordType:
    """The record class of a file stem; ``KeyError`` for an unknown stem."""
    if stem not in STEM_TYPES:
        raise KeyError(f"unknown stem {stem!r}: expected one of {', '.join(STEM_TYPES)}")
    return RECORD_TYPES[STEM_TYPES[stem]]


# --- types --------------------------------------------------------------------------


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    """``X | None`` -> ``(X, True)``; anything else -> ``(tp, False)``."""
    if get_origin(tp) in (Union, types.UnionType):
        members = [arg for arg in get_args(tp) if arg is not type(None)]
        if len(members) != 1:
            raise TypeError(f"unsupported union {tp!r}")
        return members[0], True
    return tp, False


def _is_list(tp: Any) -> bool:
    return get_origin(tp) is tuple


def _is_optional(field: attrs.Attribute[Any]) -> bool:
    """Whether a record may leave the field out (it has a default)."""
    return field.default is not attrs.NOTHING


def _field_metadata(fs: FieldSpec, tp: Any) -> dict[bytes, bytes]:
    meta = {b"description": fs.description.encode("utf-8")}
    inner = get_args(tp)[0] if _is_list(tp) else tp
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        meta[b"enum"] = json.dumps([member.value for member in inner]).encode("utf-8")
    return meta


def _arrow_type(tp: Any) -> pa.DataType:
    tp, _optional = _strip_optional(tp)
    if _is_list(tp):
        item = get_args(tp)[0]
        return pa.list_(pa.field(_LIST_ITEM, _arrow_type(item), nullable=False))
    if isinstance(tp, type) and issubclass(tp, enum.IntEnum):
        return pa.int8()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return pa.string()
    if attrs.has(tp):
        return pa.struct([_struct_child(field) for field in attrs.fields(tp)])
    if tp is str:
        return pa.string()
    if tp is bool:
        return pa.bool_()
    if tp is int:
        return pa.int64()
    if tp is float:
        return pa.float64()
    if tp is datetime.date:
        return pa.date32()
    raise TypeError(f"no Arrow type for {tp!r}")


def _struct_child(field: attrs.Attribute[Any]) -> pa.Field:
    fs = spec(field)
    nullable = (_is_optional(field) and not _is_list(field.type)) or fs.nullable
    return pa.field(
        field.name,
        _arrow_type(field.type),
        nullable=nullable,
        metadata=_field_metadata(fs, field.type),
    )


# --- columns ------------------------------------------------------------------------


@attrs.frozen
class Column:
    """One column of a record type's table.

    ``path`` is where the value sits in the JSON record (``("date", "earliest")`` for
    ``date_earliest``); ``parent_optional`` says the column belongs to an optional
    object (such as ``weapon``) flattened into the table.
    """

    name: str
    path: tuple[str, ...]
    field: pa.Field
    spec: FieldSpec
    type: Any
    optional: bool
    parent_optional: bool = False
    derived: str | None = None
    """For a column derived from an EDTF field (see :func:`derived_columns`), what it
    holds (``earliest``, ``latest``, ``precision``, ``approximate``, ``uncertain``);
    ``path`` is then the EDTF field's path. None for a column that stores a field."""

    @property
    def is_list(self) -> bool:
        """Whether the column holds lists."""
        return _is_list(_strip_optional(self.type)[0])


def _column(
    name: str,
    path: tuple[str, ...],
    field: attrs.Attribute[Any],
    *,
    parent_optional: bool = False,
) -> Column:
    fs = spec(field)
    optional = _is_optional(field)
    is_list = _is_list(field.type)
    nullable = parent_optional or fs.nullable or (optional and not is_list)
    arrow_field = pa.field(
        name,
        _arrow_type(field.type),
        nullable=nullable,
        metadata=_field_metadata(fs, field.type),
    )
    return Column(name, path, arrow_field, fs, field.type, optional, parent_optional)


# What each derived quality is: its type and how its description reads.
_QUALITY_TYPES: dict[str, Any] = {
    "earliest": datetime.date | None,
    "latest": datetime.date | None,
    "precision": vocab.DatePrecision,
    "approximate": bool,
    "uncertain": bool,
}
_QUALITY_TEXT = {
    "earliest": "First day that {source} allows (the strict bound); null for an open or "
    "unknown start{absent}.",
    "latest": "Last day that {source} allows (the strict bound); null for an open or "
    "unknown end{absent}.",
    "precision": "What {source} names: day, month, year, or interval (any A/B, also with an "
    "open or unknown end){absent}.",
    "approximate": "Whether {source}, or either end of its interval, carries ~ or %{absent}.",
    "uncertain": "Whether {source}, or either end of its interval, carries ? or %{absent}.",
}


def _derived_column(source: Column, quality: str) -> Column:
    """The column holding one quality derived from an EDTF column."""
    prefix = source.name.removesuffix("_edtf")
    name = f"{prefix}_{quality}"
    tp = _QUALITY_TYPES[quality]
    source_nullable = source.field.nullable
    absent = f"; null when {source.name} is null" if source_nullable else ""
    description = (
        _QUALITY_TEXT[quality].format(
            source=f"the EDTF value {'.'.join(source.path)}", absent=absent
        )
        + " Derived from it on writing; not stored in JSON, ignored on reading."
    )
    fs = FieldSpec(description)
    nullable = quality in ("earliest", "latest") or source_nullable
    field = pa.field(name, _arrow_type(tp), nullable=nullable, metadata=_field_metadata(fs, tp))
    return Column(
        name, source.path, field, fs, tp, source.optional, source.parent_optional, quality
    )


@functools.cache
def columns(stem: str) -> tuple[Column, ...]:
    """The columns of a stem's table, in field order, nested objects flattened one level.

    The columns derived from an EDTF field (its day bounds, or for the event date its
    precision and qualifiers, see :attr:`~koreaevents.records.FieldSpec.derived`) follow
    the field, or the object holding it: ``published``, ``published_earliest``,
    ``published_latest``; ``date_edtf``, ``date_earliest``, ``date_latest``,
    ``date_precision``, ``date_approximate``, ``date_uncertain``.
    """
    cls = record_class(stem)
    found: list[Column] = []
    for field in attrs.fields(cls):
        inner, _optional = _strip_optional(field.type)
        if attrs.has(inner) and not _is_list(inner):
            parent_optional = _is_optional(field)
            group = [
                _column(
                    f"{field.name}_{sub.name}",
                    (field.name, sub.name),
                    sub,
                    parent_optional=parent_optional,
                )
                for sub in attrs.fields(inner)
            ]
        else:
            group = [_column(field.name, (field.name,), field)]
        found.extend(group)
        for column in group:
            found.extend(
                _derived_column(column, quality) for quality in derived_qualities(column.spec)
            )
    names = [column.name for column in found]
    clashes = sorted({name for name in names if names.count(name) > 1})
    if clashes:
        raise TypeError(f"{stem}: derived columns clash with other columns: {clashes}")
    return tuple(found)


@functools.cache
def stored_columns(stem: str) -> tuple[Column, ...]:
    """The columns of a stem's table that hold the record's fields (without the
    columns derived from EDTF fields)."""
    return tuple(column for column in columns(stem) if column.derived is None)


@functools.cache
def derived_columns(stem: str) -> tuple[Column, ...]:
    """The columns of a stem's table derived from its EDTF fields, never stored in JSON:
    computed from the EDTF value on writing, ignored (and checked) on reading."""
    return tuple(column for column in columns(stem) if column.derived is not None)


def _source_name(stem: str, column: Column) -> str:
    """The name of the stored column a derived column is computed from."""
    return next(c.name for c in stored_columns(stem) if c.path == column.path)


def derive_value(quality: str, value: str | None) -> Any:
    """One quality (``earliest``, ``latest``, ``precision``, ``approximate``,
    ``uncertain``) of an EDTF value; None for a null value."""
    if value is None:
        return None
    if quality in ("earliest", "latest"):
        return getattr(parse_edtf(value), quality)
    return getattr(edtf_qualities(value), quality)


def derive_array(
    quality: str,
    values: pa.Array | pa.ChunkedArray,
    kind: pa.DataType,
    *,
    strict: bool = True,
) -> pa.Array:
    """A quality of every EDTF value of a string array (computed once per distinct value).

    An invalid EDTF value raises :class:`~koreaevents.EdtfError`, or with
    ``strict=False`` gives null.
    """
    encoded = pa.chunked_array([values]) if isinstance(values, pa.Array) else values
    encoded = encoded.combine_chunks().dictionary_encode()
    derived = []
    for value in encoded.dictionary.to_pylist():
        try:
            derived.append(derive_value(quality, value))
        except EdtfError:
            if strict:
                raise
            derived.append(None)
    return pa.array(derived, type=kind).take(encoded.indices)


def add_derived(stem: str, table: pa.Table, schema: pa.Schema | None = None) -> pa.Table:
    """The table with its derived columns, computed from the EDTF columns, in place
    in ``schema`` (default: the stem's :func:`arrow_schema`)."""
    target = arrow_schema(stem) if schema is None else schema
    by_name = {column.name: column for column in derived_columns(stem)}
    arrays = []
    for field in target:
        if field.name in by_name:
            column = by_name[field.name]
            source = table[_source_name(stem, column)]
            arrays.append(derive_array(column.derived or "", source, field.type))
        else:
            arrays.append(table[field.name])
    return pa.Table.from_arrays(arrays, schema=target)


def derived_issues(stem: str, table: pa.Table, *, path: str | None = None) -> list[Issue]:
    """The rows whose derived columns (those the table has) disagree with the EDTF
    value they come from: the file was changed by another tool, or is damaged.

    Each is an issue with code ``date-bounds``, at most one per column.
    """
    import pyarrow.compute as pc

    problems: list[Issue] = []
    names = set(table.column_names)
    for column in derived_columns(stem):
        source = _source_name(stem, column)
        if column.name not in names or source not in names:
            continue
        have = table[column.name]
        values = table[source]
        expected = derive_array(column.derived or "", values, column.field.type, strict=False)
        if not have.type.equals(expected.type):
            try:
                have = have.cast(expected.type)
            except (pa.ArrowException, ValueError, TypeError):
                problems.append(
                    Issue(
                        "schema",
                        f"column {column.name!r} has type {have.type}, expected "
                        f"{column.field.type}",
                        path=path,
                    )
                )
                continue
        same = pc.fill_null(pc.equal(have, expected), False)
        both_null = pc.and_(pc.is_null(have), pc.is_null(expected))
        # an invalid EDTF value is reported by the record check, not here
        encoded = values.combine_chunks().dictionary_encode()
        known = [is_valid_edtf(value) for value in encoded.dictionary.to_pylist()]
        valid = pc.fill_null(pa.array(known, pa.bool_()).take(encoded.indices), True)
        bad = pc.and_(valid, pc.invert(pc.or_(same, both_null)))
        if pc.any(bad).as_py():
            row = pc.index(bad, True).as_py()
            record_id = table["id"][row].as_py() if "id" in names else None
            problems.append(
                Issue(
                    "date-bounds",
                    f"row {row + 1}: column {column.name!r} holds "
                    f"{_shown(have[row].as_py())}, but {source} "
                    f"{_shown(table[source][row].as_py())} gives "
                    f"{_shown(expected[row].as_py())} (the column is derived from it)",
                    path=path,
                    record_id=record_id,
                    pointer="/" + "/".join(column.path),
                )
            )
    return problems


def _shown(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return repr(value)


def arrow_schema(
    stem: str, *, dataset_name: str | None = None, dataset_version: str | None = None
) -> pa.Schema:
    """The Arrow schema of a stem's table (``events``, ``sources``, ``analyses``, ``actors``).

    Field metadata holds each field's description; the schema metadata holds the
    record type, the JSON Schema ``$id`` and, when given, the dataset name and version.
    """
    cls = record_class(stem)
    metadata = {META_RECORD_TYPE: cls.TYPE.encode(), META_SCHEMA_ID: schema_id(cls.TYPE).encode()}
    if dataset_name is not None:
        metadata[META_DATASET_NAME] = dataset_name.encode("utf-8")
    if dataset_version is not None:
        metadata[META_DATASET_VERSION] = dataset_version.encode("utf-8")
    return pa.schema([column.field for column in columns(stem)], metadata=metadata)


# --- records -> rows -> tables ------------------------------------------------------


def _converter(tp: Any) -> Callable[[Any], Any] | None:
    """A function turning a JSON value of type ``tp`` into what pyarrow takes, or None
    when the JSON value already fits (only dates need work: ISO strings -> dates)."""
    inner, _optional = _strip_optional(tp)
    if inner is datetime.date:
        return _to_date
    if _is_list(inner):
        item = _converter(get_args(inner)[0])
        if item is None:
            return None
        return lambda values: None if values is None else [item(v) for v in values]
    if attrs.has(inner):
        parts = [(f.name, _converter(f.type)) for f in attrs.fields(inner)]
        needed = [(name, conv) for name, conv in parts if conv is not None]
        if not needed:
            return None

        def convert_object(value: Any) -> Any:
            if value is None:
                return None
            out = dict(value)
            for name, conv in needed:
                out[name] = conv(out.get(name))
            return out

        return convert_object
    return None


def _to_date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


Getter = Callable[[Mapping[str, Any]], Any]


def _getter(column: Column) -> Getter:
    conv = _converter(column.type)
    is_list = column.is_list
    if len(column.path) == 1:
        (key,) = column.path
        if is_list:

            def get_list(data: Mapping[str, Any]) -> Any:
                value = data.get(key)
                if value is None:
                    return []
                return value if conv is None else conv(value)

            return get_list
        if conv is None:
            return lambda data: data.get(key)
        return lambda data: conv(data.get(key))
    parent, key = column.path

    def get_nested(data: Mapping[str, Any]) -> Any:
        obj = data.get(parent)
        if obj is None:  # an absent optional object: all its columns null
            return None
        value = obj.get(key)
        if value is None and is_list:
            return []
        return value if conv is None else conv(value)

    return get_nested


def _is_date(tp: Any) -> bool:
    return _strip_optional(tp)[0] is datetime.date


def _array(values: list[Any], data_type: pa.DataType) -> pa.Array:
    if pa.types.is_date32(data_type):
        try:  # ISO strings: one cast in Arrow
            return pa.array(values, pa.string()).cast(data_type)
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # date objects
            return pa.array(values, data_type)
    return pa.array(values, type=data_type)


@functools.cache
def _getters(stem: str) -> tuple[tuple[str, Getter], ...]:
    return tuple((column.name, _getter(column)) for column in stored_columns(stem))


def flatten_record(stem: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """One JSON record (canonical or not) as a row of its stem's table, with the
    columns derived from its EDTF values (see :func:`derived_columns`)."""
    stored = {name: get(data) for name, get in _getters(stem)}
    row = {}
    for column in columns(stem):
        if column.derived is None:
            row[column.name] = stored[column.name]
        else:
            source = stored[_source_name(stem, column)]
            row[column.name] = derive_value(column.derived, source)
    return row


class RowBuffer:
    """Collects JSON records of one stem column by column, then makes Arrow tables.

    Appending keeps references to the record's values only; the records themselves
    can be dropped at once, so a batch costs its values, not its dicts.
    """

    def __init__(self, stem: str, schema: pa.Schema | None = None) -> None:
        self.stem = stem
        self.schema = schema if schema is not None else arrow_schema(stem)
        self._make_appender = _appender_factory(stem)
        self._reset()

    def _reset(self) -> None:
        self._columns: list[list[Any]] = [[] for _ in stored_columns(self.stem)]
        self.append: Callable[[Mapping[str, Any]], None] = self._make_appender(
            *(values.append for values in self._columns)
        )
        """Add one JSON record (canonical or not)."""

    def __len__(self) -> int:
        return len(self._columns[0])

    def to_table(self) -> pa.Table:
        """The rows so far as a table, with the derived columns; the buffer is emptied."""
        stored = [self.schema.field(column.name) for column in stored_columns(self.stem)]
        arrays = [
            _array(values, field.type) for values, field in zip(self._columns, stored, strict=True)
        ]
        self._reset()
        table = pa.Table.from_arrays(arrays, schema=pa.schema(stored))
        return add_derived(self.stem, table, self.schema)


@functools.cache
def _appender_factory(stem: str) -> Callable[..., Callable[[Mapping[str, Any]], None]]:
    """Compile, from the columns, a function that appends one record's values to the
    column lists: one straight-line function per stem, since the generic getters cost
    a call per column per record, which dominates a large build.

    Equivalent to appending :func:`flatten_record` (a test checks it).
    """
    cols = stored_columns(stem)
    namespace: dict[str, Any] = {}
    lines = [f"def make({', '.join(f'a{i}' for i in range(len(cols)))}):", "    def append(d):"]
    groups: dict[str, list[tuple[int, Column]]] = {}
    for index, column in enumerate(cols):
        groups.setdefault(column.path[0], []).append((index, column))
    for parent, members in groups.items():
        if len(members) == 1 and len(members[0][1].path) == 1:
            index, column = members[0]
            lines.extend(_append_lines(index, column, "d", parent, namespace, indent=8))
            continue
        lines.append(f"        o = d.get({parent!r})")
        lines.append("        if o is None:")
        lines.extend(f"            a{index}(None)" for index, _column in members)
        lines.append("        else:")
        for index, column in members:
            lines.extend(_append_lines(index, column, "o", column.path[1], namespace, indent=12))
    lines.append("    return append")
    exec(compile("\n".join(lines), f"<koreaevents appender {stem}>", "exec"), namespace)
    factory: Callable[..., Callable[[Mapping[str, Any]], None]] = namespace["make"]
    return factory


def _append_lines(
    index: int, column: Column, source: str, key: str, namespace: dict[str, Any], *, indent: int
) -> list[str]:
    pad = " " * indent
    # Dates stay ISO strings here: to_table casts whole columns in Arrow, much faster
    # than parsing each value in Python.
    conv = None if _is_date(column.type) else _converter(column.type)
    value = f"{source}.get({key!r})"
    if conv is not None:
        namespace[f"c{index}"] = conv
    if column.is_list:
        converted = "v" if conv is None else f"c{index}(v)"
        return [f"{pad}v = {value}", f"{pad}a{index}([] if v is None else {converted})"]
    return [f"{pad}a{index}({value if conv is None else f'c{index}({value})'})"]


def records_to_table(
    stem: str,
    records: Iterable[Record],
    *,
    dataset_name: str | None = None,
    dataset_version: str | None = None,
) -> pa.Table:
    """Records of one stem as a ``pyarrow.Table`` in the Parquet layout, in the given order."""
    buffer = RowBuffer(
        stem, arrow_schema(stem, dataset_name=dataset_name, dataset_version=dataset_version)
    )
    cls = record_class(stem)
    for record in records:
        if not isinstance(record, cls):
            raise TypeError(f"{stem} holds {cls.__name__} records, not {type(record).__name__}")
        buffer.append(unstructure(record))
    return buffer.to_table()


# --- tables -> rows -> records ------------------------------------------------------


def _clean(tp: Any, value: Any) -> Any:
    """A value read from Arrow, in the JSON form: dates as ISO strings, absent optional
    members left out."""
    inner, _optional = _strip_optional(tp)
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if _is_list(inner):
        item = get_args(inner)[0]
        return [_clean(item, v) for v in value]
    if attrs.has(inner) and isinstance(value, dict):
        out: dict[str, Any] = {}
        for field in attrs.fields(inner):
            member = _clean(field.type, value.get(field.name))
            if _is_optional(field) and (member is None or member == []):
                continue
            out[field.name] = member
        return out
    return value


@functools.cache
def _layout(stem: str) -> tuple[tuple[attrs.Attribute[Any], tuple[Column, ...]], ...]:
    """Each top-level field of the record with the columns that hold it."""
    cls = record_class(stem)
    by_field: dict[str, list[Column]] = {}
    for column in stored_columns(stem):
        by_field.setdefault(column.path[0], []).append(column)
    return tuple((field, tuple(by_field[field.name])) for field in attrs.fields(cls))


def unflatten_row(stem: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of a stem's table as its JSON record (canonical: absent optionals left out)."""
    out: dict[str, Any] = {}
    for field, cols in _layout(stem):
        if len(cols) == 1 and len(cols[0].path) == 1:
            value = _clean(field.type, row.get(cols[0].name))
            if _is_optional(field) and (value is None or value == []):
                continue
            out[field.name] = value
            continue
        obj: dict[str, Any] = {}
        for column in cols:
            value = _clean(column.type, row.get(column.name))
            if column.optional and (value is None or value == []):
                continue
            obj[column.path[1]] = value
        if _is_optional(field) and all(v is None or v == [] for v in obj.values()):
            continue
        out[field.name] = obj
    return out


def table_to_records(stem: str, table: pa.Table, *, path: str | None = None) -> tuple[Record, ...]:
    """The records of a table in the Parquet layout, each checked like a JSON record.

    ``table`` must have the stem's columns (see :func:`arrow_schema`); every invalid
    row is reported in one :class:`~koreaevents.DataError` (``path`` names the file).
    """
    type_name = STEM_TYPES[stem] if stem in STEM_TYPES else record_class(stem).TYPE
    records: list[Record] = []
    problems: list[Issue] = derived_issues(stem, table, path=path)
    # the derived columns are never read into records: drop them before copying rows
    derived = [c.name for c in derived_columns(stem) if c.name in table.column_names]
    if derived:
        table = table.drop_columns(derived)
    for number, row in enumerate(_iter_rows(table), start=1):
        try:
            records.append(structure_record(type_name, unflatten_row(stem, row)))
        except RecordError as exc:
            for pointer, code, message in exc.problems:
                problems.append(
                    Issue(
                        code,
                        f"row {number}: {message}",
                        path=path,
                        record_id=exc.record_id,
                        pointer=pointer,
                    )
                )
    if problems:
        where = path or f"the {stem} table"
        raise DataError(problems, f"cannot read {where}: {len(problems)} problem(s)")
    return tuple(records)


def _iter_rows(table: pa.Table, batch_rows: int = 10_000) -> Iterable[dict[str, Any]]:
    # Batches keep the Python copies small for large tables.
    for batch in table.to_batches(max_chunksize=batch_rows):
        yield from batch.to_pylist()


# --- Frictionless Table Schema --------------------------------------------------------

_TABLE_SCHEMA_TYPES: tuple[tuple[Callable[[pa.DataType], bool], str], ...] = (
    (pa.types.is_string, "string"),
    (pa.types.is_large_string, "string"),
    (pa.types.is_floating, "number"),
    (pa.types.is_integer, "integer"),
    (pa.types.is_boolean, "boolean"),
    (pa.types.is_date, "date"),
    (pa.types.is_list, "array"),
    (pa.types.is_struct, "object"),
)


def _list_note(data_type: pa.DataType, min_items: int | None) -> str:
    """What the description of a list column adds: its Parquet type, its length, and
    why its Table Schema type is ``any``."""
    least = f", with at least {min_items} item{'s' if min_items != 1 else ''}" if min_items else ""
    return (
        f" Parquet type {_type_text(data_type)}: a list, never null (empty when there are "
        f"none){least}. Its Table Schema type is any because Frictionless reads a Parquet "
        "list as a NumPy array, which the array type (JSON text) does not accept; "
        "koreaevents validate checks its items."
    )


def _type_text(data_type: pa.DataType) -> str:
    """An Arrow type as short text: ``list<struct<actor: string, role: string>>``."""
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        return f"list<{_type_text(data_type.value_type)}>"
    if pa.types.is_struct(data_type):
        inner = ", ".join(f"{f.name}: {_type_text(f.type)}" for f in data_type)
        return f"struct<{inner}>"
    return str(data_type)


def _table_schema_type(data_type: pa.DataType) -> str:
    for test, name in _TABLE_SCHEMA_TYPES:
        if test(data_type):
            return name
    raise TypeError(f"no Table Schema type for {data_type}")


def _reference_notes(stem: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Per column, a note on the ids its lists hold; and the single-valued foreign keys."""
    type_name = STEM_TYPES[stem]
    stem_of_type = {t: s for s, t in STEM_TYPES.items()}
    names = {column.path: column.name for column in stored_columns(stem)}
    notes: dict[str, str] = {}
    foreign_keys: list[dict[str, Any]] = []
    for ref_path, target in REFERENCE_FIELDS.get(type_name, ()):
        head = ref_path[:2] if ref_path[:2] in names else ref_path[:1]
        column = names[head]
        if target == ANY_RECORD:
            live = [other for other in stem_of_type.values() if other != stem]
            notes[column] = notes.get(column, "") + (
                f" References: the id of a record in {', '.join(live)} (any of them, so "
                "not expressible as a Table Schema foreign key)."
            )
            continue
        target_stem = stem_of_type[target]
        if "*" in ref_path:
            inner = "/".join(part for part in ref_path[len(head) :] if part != "*")
            what = f"{inner} of each item" if inner else "each item"
            notes.setdefault(column, "")
            notes[column] += (
                f" References: {what} is the id of a record in {target_stem} (a list, so "
                "not expressible as a Table Schema foreign key)."
            )
            continue
        reference: dict[str, Any] = {"fields": ["id"]}
        if target_stem != stem:  # a self-reference omits the resource (Table Schema v2)
            reference = {"resource": target_stem, "fields": ["id"]}
        foreign_keys.append({"fields": [column], "reference": reference})
    return notes, foreign_keys


def _whole_value_pattern(pattern: str) -> str:
    """A Table Schema pattern: it always matches the whole value, so no anchors."""
    if pattern.startswith("^") and pattern.endswith("$"):
        return pattern[1:-1]
    return pattern


NULL_AS_NAN: Final = ("", "nan")
"""The ``missingValues`` of a nullable number column in the Table Schema: Parquet stores
a null there, and readers that go through pandas (Frictionless among them) turn a null
float into NaN, whose text is ``nan``. koreaevents never writes NaN (JSON has none)."""


def table_schema(stem: str) -> dict[str, Any]:
    """The Frictionless Table Schema (v2) of a stem's Parquet layout.

    Fields carry their description and constraints (``required``, ``unique`` for the
    id, ``enum`` for vocabularies, ``pattern``, ``minLength``, ``minimum``,
    ``maximum``); ``primaryKey`` is ``id``; single-valued references are
    ``foreignKeys``, list-valued ones are described in their field's description.

    It is written so that ``frictionless validate`` (frictionless-py 5, which reads
    Parquet through pandas) accepts a release, without saying anything untrue about
    it: a list column is of type ``any``, not ``array`` (a Table Schema array is JSON
    text, and a Parquet list reaches Frictionless as a NumPy array, which its
    ``array`` type refuses), with its Parquet type, its item count and its references
    in the description; a nullable number or integer column declares ``nan`` a
    missing value (:data:`NULL_AS_NAN`), so that its range is still checked.
    """
    notes, foreign_keys = _reference_notes(stem)
    fields: list[dict[str, Any]] = []
    for column in columns(stem):
        kind = _table_schema_type(column.field.type)
        fs = column.spec
        description = fs.description + notes.get(column.name, "")
        constraints: dict[str, Any] = {}
        if not column.field.nullable:
            constraints["required"] = True
        if column.name == "id":
            constraints["unique"] = True
        inner, _optional = _strip_optional(column.type)
        if isinstance(inner, type) and issubclass(inner, enum.Enum):
            constraints["enum"] = [member.value for member in inner]
        elif kind == "string":
            if fs.pattern is not None:
                constraints["pattern"] = _whole_value_pattern(fs.pattern)
            if fs.min_length is not None:
                constraints["minLength"] = fs.min_length
        if kind in ("number", "integer"):
            if fs.minimum is not None:
                constraints["minimum"] = fs.minimum
            if fs.maximum is not None:
                constraints["maximum"] = fs.maximum
        if kind == "array":
            kind = "any"
            description += _list_note(column.field.type, fs.min_items)
        descriptor: dict[str, Any] = {"name": column.name, "type": kind, "description": description}
        if kind in ("number", "integer") and column.field.nullable:
            descriptor["missingValues"] = list(NULL_AS_NAN)
        if constraints:
            descriptor["constraints"] = constraints
        fields.append(descriptor)
    schema: dict[str, Any] = {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "fields": fields,
        "primaryKey": ["id"],
    }
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema
