"""What changed between two versions of a dataset, and the version number it calls for.

:func:`diff` compares two datasets or releases — JSON dataset folders, built Parquet
releases (either layout), single record files, or :class:`~koreaevents.Dataset`
objects, in any mix — record type by record type, matching records by id:

* **added** and **removed**: the ids found on one side only. The tombstones of the
  ``retired`` file are a record type too: a new tombstone is an addition, and a record
  removed together with a new tombstone for its id is "removed with a tombstone".
* **changed**: records on both sides whose JSON forms differ, each difference as an
  RFC 6901 JSON Pointer into the record's JSON form with the old and the new value.
  Lists whose field is declared unordered in :mod:`koreaevents.records`
  (``FieldSpec.ordered``: tags, ids of related events, ...) compare as sets of values,
  so a reordered list of tags is no change.

The comparison works on columns. Both sides are read as Arrow columns in the Parquet
layout (a Parquet release one top-level field's columns at a time, straight from the
files its descriptor lists, their hashes checked; a JSON dataset is loaded and laid out
the same way), the rows are matched on their ``id`` column with an Arrow join, and
each column pair is compared with Arrow kernels, a slice of rows at a time. Only the
values of the rows that may differ are turned into JSON and compared value by value.
Besides the ids and titles, one field's columns of each side are in memory at a time
(``bench/diff.py`` measures it against merely reading both releases).

The suggested version bump follows the Data Package version recipe: ``patch`` when
only values changed, ``minor`` when records were added or removed with a tombstone,
``major`` when a record was removed without one (whoever cites its id is broken) or a
record type's schema changed incompatibly (a new major version of its JSON Schema).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
import orjson

from koreaevents.dataset import STEMS, Dataset
from koreaevents.io.reading import _escape_token as escape_pointer_token
from koreaevents.issues import DataError, Issue, printable
from koreaevents.records import RECORD_TYPES, SEMVER_PATTERN, Retired, spec

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "BUMPS",
    "Bump",
    "Change",
    "DatasetDiff",
    "RecordChange",
    "RecordRef",
    "SchemaChange",
    "bump_version",
    "compare_versions",
    "diff",
    "json_changes",
    "unordered_pointers",
]

Bump = Literal["major", "minor", "patch"]
BUMPS: Final[tuple[Bump, ...]] = ("patch", "minor", "major")
"""The version bumps, from least to most."""

DatasetLike = Dataset | str | os.PathLike[str]

_SLICE_ROWS: Final = 1 << 16
"""Matched rows compared at a time."""

_TYPE_ORDER: Final = {name: index for index, name in enumerate(RECORD_TYPES)}
_STEM_TYPE: Final = {cls.STEM: cls.TYPE for cls in RECORD_TYPES.values()}


# --- the result ------------------------------------------------------------------------


@attrs.frozen
class Change:
    """One difference inside a record: the JSON Pointer to the value (relative to the
    record, e.g. ``/location/lat``), its old and its new value (``None`` where the
    value is absent on that side)."""

    pointer: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        """``{"pointer", "old", "new"}``."""
        return {"pointer": self.pointer, "old": self.old, "new": self.new}


@attrs.frozen
class RecordRef:
    """A record on one side only: its type (``event``, ..., ``retired``) and id.

    ``title`` is the record's title (an actor's name), for reports. For a removed
    record, ``tombstone`` is the new version's ``retired`` entry for its id, when it
    has one.
    """

    type: str
    id: str
    title: str | None = attrs.field(default=None, eq=False)
    tombstone: Retired | None = attrs.field(default=None, eq=False)

    def to_dict(self) -> dict[str, Any]:
        """``{"type", "id"}``."""
        return {"type": self.type, "id": self.id}


@attrs.frozen
class RecordChange:
    """A record on both sides whose content differs: each difference a :class:`Change`."""

    type: str
    id: str
    changes: tuple[Change, ...]
    title: str | None = attrs.field(default=None, eq=False)

    def to_dict(self) -> dict[str, Any]:
        """``{"type", "id", "changes": [{"pointer", "old", "new"}]}``."""
        return {
            "type": self.type,
            "id": self.id,
            "changes": [change.to_dict() for change in self.changes],
        }


@attrs.frozen
class SchemaChange:
    """A record type whose JSON Schema changed its major version between the sides."""

    type: str
    old: str
    new: str


@attrs.frozen
class DatasetDiff:
    """The differences between two datasets: what :func:`diff` returns.

    ``added``, ``removed`` and ``changed`` are ordered by record type (events, sources,
    analyses, actors, retired) and id. ``old`` and ``new`` are the ``name`` and
    ``version`` of each side (``version`` None when its descriptor has none).
    """

    old: dict[str, str | None]
    new: dict[str, str | None]
    added: tuple[RecordRef, ...]
    removed: tuple[RecordRef, ...]
    changed: tuple[RecordChange, ...]
    schema_changes: tuple[SchemaChange, ...] = ()
    new_created: str | None = attrs.field(default=None, eq=False)

    @functools.cached_property
    def reinstated(self) -> frozenset[str]:
        """Ids whose tombstone was removed and which are in use as records again."""
        gone = {ref.id for ref in self.removed if ref.type == Retired.TYPE}
        return frozenset(r.id for r in self.added if r.type != Retired.TYPE and r.id in gone)

    def __bool__(self) -> bool:
        """True when anything differs."""
        return bool(self.added or self.removed or self.changed or self.schema_changes)

    @property
    def suggested_bump(self) -> Bump | None:
        """The version bump the differences call for (Data Package version recipe):
        ``"major"`` when a record was removed without a tombstone or a schema changed
        incompatibly, ``"minor"`` when records were added or removed with a tombstone,
        ``"patch"`` when only values changed, ``None`` when nothing differs."""
        if self.schema_changes or any(not _covered(ref, self) for ref in self.removed):
            return "major"
        if self.added or self.removed:
            return "minor"
        if self.changed:
            return "patch"
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (what ``koreaevents diff --format json`` prints)."""
        return {
            "old": dict(self.old),
            "new": dict(self.new),
            "added": [ref.to_dict() for ref in self.added],
            "removed": [ref.to_dict() for ref in self.removed],
            "changed": [change.to_dict() for change in self.changed],
            "suggested_bump": self.suggested_bump,
        }

    def to_markdown(self) -> str:
        """A Keep a Changelog section for the new version: ``### Added``, ``### Changed``
        and ``### Removed``, each record named by type, id and title; a removal with a
        tombstone says so, with its reason and its replacement."""
        return _markdown(self)

    def to_text(self) -> str:
        """A plain report, one line per added or removed record and per change."""
        return _text(self)


def _covered(ref: RecordRef, result: DatasetDiff) -> bool:
    """Whether a removed id is still accounted for: a tombstone says what became of
    it, or (a removed tombstone) the id is back in use as a record."""
    if ref.tombstone is not None:
        return True
    return ref.type == Retired.TYPE and ref.id in result.reinstated


# --- versions --------------------------------------------------------------------------

_SEMVER = re.compile(SEMVER_PATTERN)


def _parse_version(version: str) -> tuple[int, int, int, tuple[str, ...]]:
    if not _SEMVER.match(version):
        raise ValueError(f"not a semantic version (MAJOR.MINOR.PATCH): {version!r}")
    core, _, _build = version.partition("+")
    core, _, pre = core.partition("-")
    major, minor, patch = (int(part) for part in core.split("."))
    return major, minor, patch, tuple(pre.split(".")) if pre else ()


def _pre_key(pre: tuple[str, ...]) -> tuple[Any, ...]:
    # SemVer 11: a release sorts after its pre-releases; numeric identifiers sort
    # numerically and before alphanumeric ones; a longer list wins a tie.
    if not pre:
        return (1,)
    return (0, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre))


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 as SemVer version ``a`` sorts before, with or after ``b`` (build
    metadata ignored); ``ValueError`` for a string that is not a SemVer version."""
    pa_, pb = _parse_version(a), _parse_version(b)
    ka = (pa_[:3], _pre_key(pa_[3]))
    kb = (pb[:3], _pre_key(pb[3]))
    return (ka > kb) - (ka < kb)


def bump_version(version: str, bump: Bump | None) -> str:
    """``version`` raised by ``bump`` (``None``: unchanged). A pre-release is raised to
    its release first where that suffices: ``1.0.0-rc.1`` + patch is ``1.0.0``."""
    major, minor, patch, pre = _parse_version(version)
    if bump is None:
        return version
    if bump == "major":
        if pre and minor == 0 and patch == 0:
            return f"{major}.0.0"
        return f"{major + 1}.0.0"
    if bump == "minor":
        if pre and patch == 0:
            return f"{major}.{minor}.0"
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        if pre:
            return f"{major}.{minor}.{patch}"
        return f"{major}.{minor}.{patch + 1}"
    raise ValueError(f"unknown bump {bump!r}: expected one of {', '.join(BUMPS)}")


# --- unordered lists, from the field specs ------------------------------------------------


@functools.cache
def unordered_pointers(type_name: str) -> frozenset[str]:
    """The lists of a record type whose order carries no meaning, as JSON Pointers with
    ``*`` for a list index (``/tags``, ``/verification/discrepancies/*/citations``).

    Derived from the field specs: every list field declared with ``ordered=False``.
    """
    from koreaevents.arrow import _is_list, _strip_optional

    found: set[str] = set()

    def walk(cls: type[Any], prefix: str) -> None:
        for field in attrs.fields(cls):
            pointer = f"{prefix}/{field.name}"
            inner, _optional = _strip_optional(field.type)
            if _is_list(inner):
                if not spec(field).ordered:
                    found.add(pointer)
                item = inner.__args__[0]
                if attrs.has(item):
                    walk(item, f"{pointer}/*")
            elif attrs.has(inner):
                walk(inner, pointer)

    walk(RECORD_TYPES[type_name], "")
    return frozenset(found)


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def json_changes(type_name: str, old: Any, new: Any) -> list[Change]:
    """The differences between two JSON forms of a record, as :class:`Change` items in
    field order. Objects are compared key by key, lists of the same length item by
    item (an unordered list as a set of values); anything else that differs is one
    change at its pointer."""
    unordered = unordered_pointers(type_name)
    out: list[Change] = []

    def walk(a: Any, b: Any, pointer: str, shape: str) -> None:
        if isinstance(a, list) and isinstance(b, list) and shape in unordered:
            if sorted(map(_canonical, a)) != sorted(map(_canonical, b)):
                out.append(Change(pointer, a, b))
            return
        if a == b and isinstance(a, bool) == isinstance(b, bool):  # 1 is not true
            return
        if isinstance(a, dict) and isinstance(b, dict):
            keys = list(a) + [key for key in b if key not in a]
            for key in keys:
                token = escape_pointer_token(key)
                walk(a.get(key), b.get(key), f"{pointer}/{token}", f"{shape}/{token}")
            return
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{pointer}/{index}", f"{shape}/*")
            return
        if a is None and b is None:
            return
        out.append(Change(pointer, a, b))

    walk(old, new, "", "")
    return out


# --- reading the two sides as columns --------------------------------------------------


def _first_problem(exc: DataError, what: str) -> DataError:
    errors = [issue for issue in exc.issues if issue.is_error] or list(exc.issues)
    if not errors:
        return DataError([], f"cannot read {what}")
    first = errors[0]
    where = f"{first.path}: " if first.path else ""
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return DataError(exc.issues, f"cannot read {what}: {where}{first.message}{more}")


class _Side:
    """One side of a diff: its name, version, and its columns in the Parquet layout."""

    name: str | None
    version: str | None
    created: str | None
    schema_ids: dict[str, str]

    def columns(self, stem: str, names: Sequence[str]) -> list[pa.Array]:  # pragma: no cover
        """These columns of a stem's table, whole (one contiguous array each)."""
        raise NotImplementedError

    def column(self, stem: str, name: str) -> pa.Array:
        """One column of a stem's table."""
        return self.columns(stem, [name])[0]

    def rows(self, stem: str, indices: pa.Array) -> list[dict[str, Any]]:
        """The JSON records at these row positions of a stem's table."""
        import pyarrow as pa

        from koreaevents.arrow import arrow_schema, unflatten_row

        schema = arrow_schema(stem)
        if len(indices) == 0:
            return []
        arrays = [array.take(indices) for array in self.columns(stem, schema.names)]
        table = pa.Table.from_arrays(arrays, schema=schema)
        return [unflatten_row(stem, row) for row in table.to_pylist()]


class _DatasetSide(_Side):
    def __init__(self, dataset: Dataset, descriptor: Mapping[str, Any] | None = None) -> None:
        self.dataset = dataset
        self.name = dataset.name
        self.version = dataset.version
        meta: Mapping[str, Any] = descriptor if descriptor is not None else dataset.metadata
        created = meta.get("created")
        self.created = created if isinstance(created, str) else None
        self.schema_ids = _schema_ids(meta)
        self._tables: dict[str, pa.Table] = {}

    def _table(self, stem: str) -> pa.Table:
        table = self._tables.get(stem)
        if table is None:
            from koreaevents.arrow import records_to_table

            table = self._tables[stem] = records_to_table(stem, self.dataset.stem(stem))
        return table

    def columns(self, stem: str, names: Sequence[str]) -> list[pa.Array]:
        table = self._table(stem)
        return [table.column(name).combine_chunks() for name in names]


class _ReleaseSide(_Side):
    """A built Parquet release, read a few columns at a time from the files its
    descriptor lists (their hashes checked first)."""

    def __init__(self, root: Path) -> None:
        from koreaevents.io.parquet import stem_files
        from koreaevents.io.release import descriptor_of, hash_issues, listed_files

        descriptor = descriptor_of(root)
        meta: Mapping[str, Any] = descriptor or {}
        if descriptor is not None:
            problems = hash_issues(root, descriptor, listed_files(root, descriptor))
            if any(issue.is_error for issue in problems):
                raise DataError(problems, f"cannot read {root}")
        name, version, created = meta.get("name"), meta.get("version"), meta.get("created")
        self.name = str(name) if name is not None else "koreaevents"
        self.version = str(version) if version is not None else None
        self.created = created if isinstance(created, str) else None
        self.schema_ids = _schema_ids(meta)
        self.root = root
        self.files = {stem: stem_files(root, stem) for stem in STEMS}
        self.schema_ids.update(self._file_schema_ids())
        self._to_keep: set[tuple[str, str]] = set()
        self._kept: dict[tuple[str, str], pa.Array] = {}

    def _file_schema_ids(self) -> dict[str, str]:
        """Each record type's JSON Schema ``$id`` as its Parquet files' metadata names it."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from koreaevents.arrow import META_SCHEMA_ID
        from koreaevents.io.release import regular_file_problem

        found: dict[str, str] = {}
        for stem, files in self.files.items():
            if not files or regular_file_problem(files[0]) is not None:
                continue
            try:
                metadata = pq.read_schema(files[0]).metadata or {}
            except (pa.ArrowException, OSError, ValueError):
                continue  # said when its columns are read
            value = metadata.get(META_SCHEMA_ID)
            if value is not None:
                found[_STEM_TYPE[stem]] = value.decode("utf-8", "replace")
        return found

    def keep(self, stem: str, name: str) -> None:
        """Hold this column in memory once read (the ids and titles, read again later)."""
        self._to_keep.add((stem, name))

    def columns(self, stem: str, names: Sequence[str]) -> list[pa.Array]:
        import pyarrow as pa

        from koreaevents.arrow import arrow_schema

        wanted = [name for name in names if (stem, name) not in self._kept]
        schema = arrow_schema(stem)
        chunks: dict[str, list[pa.Array]] = {name: [] for name in wanted}
        if wanted:
            for path in self.files[stem]:
                for name, column in zip(wanted, self._read(path, stem, wanted), strict=True):
                    chunks[name].extend(column.chunks)
        read = {
            name: pa.chunked_array(parts, type=schema.field(name).type).combine_chunks()
            for name, parts in chunks.items()
        }
        for name, array in read.items():
            if (stem, name) in self._to_keep:
                self._kept[(stem, name)] = array
        return [read[name] if name in read else self._kept[(stem, name)] for name in names]

    @staticmethod
    def _read(path: Path, stem: str, names: list[str]) -> list[pa.ChunkedArray]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from koreaevents.arrow import arrow_schema
        from koreaevents.io.parquet import date_type_issue, parquet_problem
        from koreaevents.io.release import regular_file_problem

        problem = regular_file_problem(path)
        if problem is not None:
            raise DataError([Issue("io", f"{path.name} {problem}", path=str(path))])
        try:
            parquet = pq.ParquetFile(path)
            have = set(parquet.schema_arrow.names)
            missing = [name for name in names if name not in have]
            if missing:
                raise DataError(
                    [
                        Issue("schema", f"column {name!r} is missing", path=str(path))
                        for name in missing
                    ]
                )
            table = parquet.read(columns=names)
        except DataError:
            raise
        except (pa.ArrowException, OSError, ValueError) as exc:
            message = f"cannot read {path.name}: {parquet_problem(exc)}"
            raise DataError([Issue("io", message, path=str(path))]) from None
        schema = arrow_schema(stem)
        out = []
        for name in names:
            column, kind = table.column(name), schema.field(name).type
            if not column.type.equals(kind):
                if pa.types.is_date32(kind):
                    raise DataError([date_type_issue(path, name, column.type)])
                try:
                    column = column.cast(kind)
                except (pa.ArrowException, ValueError, TypeError):
                    message = f"column {name!r} has type {column.type}, expected {kind}"
                    raise DataError([Issue("schema", message, path=str(path))]) from None
            out.append(column)
        return out


def _schema_ids(meta: Mapping[str, Any]) -> dict[str, str]:
    """Each record type's JSON Schema ``$id`` as the descriptor gives it (the JSON
    dataset's ``jsonSchema`` of each resource)."""
    found: dict[str, str] = {}
    resources = meta.get("resources")
    for resource in resources if isinstance(resources, list) else ():
        if not isinstance(resource, dict):
            continue
        name, schema_id = resource.get("name"), resource.get("jsonSchema")
        if isinstance(name, str) and name in _STEM_TYPE and isinstance(schema_id, str):
            found[_STEM_TYPE[name]] = schema_id
    return found


_SCHEMA_MAJOR = re.compile(r"/v(\d+)/")


def _schema_changes(old: _Side, new: _Side) -> tuple[SchemaChange, ...]:
    found = []
    for type_name in RECORD_TYPES:
        a, b = old.schema_ids.get(type_name), new.schema_ids.get(type_name)
        if a is None or b is None:
            continue
        ma, mb = _SCHEMA_MAJOR.search(a), _SCHEMA_MAJOR.search(b)
        if ma and mb and ma.group(1) != mb.group(1):
            found.append(SchemaChange(type_name, a, b))
    return tuple(found)


def _shown(value: DatasetLike) -> str:
    return "(a Dataset)" if isinstance(value, Dataset) else str(value)


def _open(value: DatasetLike, what: str) -> _Side:
    from koreaevents.io.json_io import read_datapackage
    from koreaevents.io.loading import load
    from koreaevents.io.paths import is_parquet_dataset

    if isinstance(value, Dataset):
        return _DatasetSide(value)
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{what}: expected a path or a Dataset, got {type(value).__name__}")
    path = Path(value)
    if not path.exists():
        from koreaevents.io.atomic import missing_output_hint

        raise FileNotFoundError(f"{what}: no dataset at {path}{missing_output_hint(path)}")
    try:
        if path.is_dir() and is_parquet_dataset(path):
            return _ReleaseSide(path)
        dataset = load(path)
        descriptor = None
        if path.is_dir() and (path / "datapackage.json").is_file():
            descriptor = read_datapackage(path)
        return _DatasetSide(dataset, descriptor)
    except DataError as exc:
        raise _first_problem(exc, f"{what} {path}") from None


# --- comparing columns -------------------------------------------------------------------


def _may_differ(a: pa.Array, b: pa.Array) -> pa.Array:
    """A boolean mask, row by row, of where two aligned arrays of one type differ.

    Exact for scalars; for lists and structs it compares the items position by
    position, so it may flag a row whose unordered list was merely reordered (the JSON
    comparison then finds no change). Nulls equal nulls.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    valid_a, valid_b = a.is_valid(), b.is_valid()
    both = pc.and_(valid_a, valid_b)
    null_differs = pc.not_equal(valid_a, valid_b)
    kind = a.type
    if pa.types.is_struct(kind):
        inner = pa.array([False] * len(a), pa.bool_())
        for index in range(kind.num_fields):
            inner = pc.or_(inner, _may_differ(a.field(index), b.field(index)))
        return pc.or_(null_differs, pc.and_(both, inner))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        len_a = pc.fill_null(pc.list_value_length(a), -1)
        len_b = pc.fill_null(pc.list_value_length(b), -1)
        same_length = pc.and_(both, pc.equal(len_a, len_b))
        result = pc.or_(null_differs, pc.and_(both, pc.not_equal(len_a, len_b)))
        kept_a, kept_b = a.filter(same_length), b.filter(same_length)
        items = _may_differ(kept_a.flatten(), kept_b.flatten())
        if not pc.any(items).as_py():
            return result
        parents = pc.list_parent_indices(kept_a).filter(items)
        positions = pc.indices_nonzero(same_length).take(pc.unique(parents))
        flagged = pc.is_in(pa.array(range(len(a)), pa.uint64()), value_set=positions)
        return pc.or_(result, flagged)
    equal = pc.equal(a, b)
    return pc.or_(null_differs, pc.and_(both, pc.invert(pc.fill_null(equal, True))))


def _duplicates(ids: pa.Array) -> list[str]:
    import pyarrow.compute as pc

    counts = pc.value_counts(ids)
    values, numbers = counts.field("values"), counts.field("counts")
    return sorted(str(v) for v in values.filter(pc.greater(numbers, 1)).to_pylist())


def _label_field(type_name: str) -> str | None:
    """The field that names a record for people: its ``title``, else its ``name`` (a
    tombstone: its ``reason``)."""
    names = [field.name for field in attrs.fields(RECORD_TYPES[type_name])]
    return next((name for name in ("title", "name", "reason") if name in names), None)


def _field_groups(stem: str) -> list[tuple[str, list[str]]]:
    """Each top-level field of a stem's records with the columns that hold it."""
    from koreaevents.arrow import columns

    groups: dict[str, list[str]] = {}
    for column in columns(stem):
        if column.derived is not None:
            continue  # computed from an EDTF value that is compared itself
        groups.setdefault(column.path[0], []).append(column.name)
    return list(groups.items())


def _field_values(stem: str, field: str, names: list[str], arrays: list[Any]) -> list[Any]:
    """The JSON values of one top-level field, from its columns' rows (absent: None)."""
    from koreaevents.arrow import unflatten_row

    rows = zip(*(array.to_pylist() for array in arrays), strict=True)
    return [unflatten_row(stem, dict(zip(names, row, strict=True))).get(field) for row in rows]


def _diff_stem(
    stem: str, old: _Side, new: _Side
) -> tuple[list[RecordRef], list[RecordRef], list[RecordChange]]:
    """The records of one stem added, removed and changed.

    Rows are matched on ``id``; then, one top-level field at a time (its columns read
    from both sides together), Arrow kernels find the rows whose columns may differ,
    and only those rows' values of that field are turned into JSON and compared. So a
    record's changes come field by field, in field order, and at most one field's
    columns of each side are in memory at a time (besides the ids and titles).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    type_name = _STEM_TYPE[stem]
    label = _label_field(type_name)
    old_ids, new_ids = old.column(stem, "id"), new.column(stem, "id")
    for side, ids, what in ((old, old_ids, "old"), (new, new_ids, "new")):
        repeated = _duplicates(ids)
        if repeated:
            shown = ", ".join(repr(i) for i in repeated[:5])
            raise DataError(
                [Issue("duplicate-id", f"{type_name} id(s) used more than once: {shown}")],
                f"cannot compare: the {what} dataset ({side.name}) uses {type_name} id(s) "
                f"more than once: {shown}",
            )
    added_at = pc.indices_nonzero(pc.invert(pc.is_in(new_ids, value_set=old_ids)))
    removed_at = pc.indices_nonzero(pc.invert(pc.is_in(old_ids, value_set=new_ids)))

    old_at: pa.Array | None = None
    new_at: pa.Array | None = None
    if not old_ids.equals(new_ids):
        left = pa.table({"id": old_ids, "i": pa.array(range(len(old_ids)), pa.uint64())})
        right = pa.table({"id": new_ids, "j": pa.array(range(len(new_ids)), pa.uint64())})
        joined = left.join(right, keys="id", join_type="inner").sort_by("i")
        old_at = joined.column("i").combine_chunks()
        new_at = joined.column("j").combine_chunks()

    matched = len(old_ids) if old_at is None else len(old_at)
    found: dict[int, list[Change]] = {}
    for field, names in _field_groups(stem):
        if field == "id":
            continue
        olds, news = old.columns(stem, names), new.columns(stem, names)
        # Matched rows a slice at a time: the copies that line them up stay small.
        for start in range(0, matched, _SLICE_ROWS):
            size = min(_SLICE_ROWS, matched - start)
            if old_at is None or new_at is None:
                part_a = [array.slice(start, size) for array in olds]
                part_b = [array.slice(start, size) for array in news]
            else:
                at_a, at_b = old_at.slice(start, size), new_at.slice(start, size)
                part_a = [array.take(at_a) for array in olds]
                part_b = [array.take(at_b) for array in news]
            flagged = _may_differ(part_a[0], part_b[0])
            for a, b in zip(part_a[1:], part_b[1:], strict=True):
                flagged = pc.or_(flagged, _may_differ(a, b))
            rows = pc.indices_nonzero(flagged)
            if len(rows) == 0:
                continue
            before = _field_values(stem, field, names, [array.take(rows) for array in part_a])
            after = _field_values(stem, field, names, [array.take(rows) for array in part_b])
            for row, x, y in zip(rows.to_pylist(), before, after, strict=True):
                changes = json_changes(type_name, {field: x}, {field: y})
                if changes:
                    found.setdefault(start + row, []).extend(changes)
        del olds, news

    changed: list[RecordChange] = []
    if found:
        at = pa.array(sorted(found), pa.uint64())
        old_rows_at = at if old_at is None else old_at.take(at)
        new_rows_at = at if new_at is None else new_at.take(at)
        ids = old_ids.take(old_rows_at).to_pylist()
        titles = (
            new.column(stem, label).take(new_rows_at).to_pylist() if label else [None] * len(ids)
        )
        for row, record_id, title in zip(sorted(found), ids, titles, strict=True):
            changed.append(RecordChange(type_name, record_id, tuple(found[row]), title))

    def refs(side: _Side, ids: pa.Array, at: pa.Array) -> list[RecordRef]:
        taken = ids.take(at).to_pylist()
        titles = side.column(stem, label).take(at).to_pylist() if label else [None] * len(taken)
        return [RecordRef(type_name, i, t) for i, t in zip(taken, titles, strict=True)]

    return refs(new, new_ids, added_at), refs(old, old_ids, removed_at), changed


def _tombstones(side: _Side, ids: set[str]) -> dict[str, Retired]:
    """The retired entries of ``side`` for these ids."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from koreaevents.convert import structure_record

    if not ids:
        return {}
    all_ids = side.column(Retired.STEM, "id")
    at = pc.indices_nonzero(pc.is_in(all_ids, value_set=pa.array(sorted(ids), pa.string())))
    found: dict[str, Retired] = {}
    for row in side.rows(Retired.STEM, at):
        entry = structure_record(Retired.TYPE, row)
        assert isinstance(entry, Retired)
        found[entry.id] = entry
    return found


def diff(old: DatasetLike, new: DatasetLike) -> DatasetDiff:
    """What changed from ``old`` to ``new``, and the version bump it calls for.

    Each side is a dataset folder (JSON, JSON Lines or one-record files), a built
    Parquet release (either layout), a single record file, or a
    :class:`~koreaevents.Dataset`; JSON and Parquet may be mixed, and the same records
    in either form give an empty diff. Records are matched by type and id::

        d = ke.diff("tests/data/released/0.1.0", "datasets/koreaevents")
        d.added, d.removed       # RecordRef items: .type, .id
        d.changed                # RecordChange items: .type, .id, .changes
        d.suggested_bump         # "major" | "minor" | "patch" | None
        print(d.to_markdown())   # a Keep a Changelog section

    Raises ``FileNotFoundError`` for a missing path and :class:`~koreaevents.DataError`
    (its message one line) for a side that cannot be read: invalid records, a damaged
    or tampered Parquet file, an id used twice.
    """
    old_side = _open(old, "old")
    new_side = _open(new, "new")
    added: list[RecordRef] = []
    removed: list[RecordRef] = []
    changed: list[RecordChange] = []
    for stem in STEMS:
        label = _label_field(_STEM_TYPE[stem])
        for side, what, given in ((old_side, "old", old), (new_side, "new", new)):
            if isinstance(side, _ReleaseSide):  # read again for the reports: keep them
                side.keep(stem, "id")
                if label:
                    side.keep(stem, label)
            try:
                side.column(stem, "id")
            except DataError as exc:
                raise _first_problem(exc, f"{what} {_shown(given)}") from None
        try:
            a, r, c = _diff_stem(stem, old_side, new_side)
        except DataError as exc:
            raise _first_problem(exc, "the datasets") from None
        added.extend(a)
        removed.extend(r)
        changed.extend(c)
    stones = _tombstones(new_side, {ref.id for ref in removed})
    removed = [
        attrs.evolve(ref, tombstone=stones.get(ref.id)) if ref.type != Retired.TYPE else ref
        for ref in removed
    ]

    def key(item: RecordRef | RecordChange) -> tuple[int, str]:
        return (_TYPE_ORDER[item.type], item.id)

    return DatasetDiff(
        old={"name": old_side.name, "version": old_side.version},
        new={"name": new_side.name, "version": new_side.version},
        added=tuple(sorted(added, key=key)),
        removed=tuple(sorted(removed, key=key)),
        changed=tuple(sorted(changed, key=key)),
        schema_changes=_schema_changes(old_side, new_side),
        new_created=new_side.created,
    )


# --- reports -----------------------------------------------------------------------------

_SHORT: Final = 60


def _short(value: Any) -> str:
    text = orjson.dumps(value).decode("utf-8") if value is not None else "(absent)"
    text = printable(text)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def _md(text: str) -> str:
    """Text made safe inside a Markdown list item: one line, markup characters escaped."""
    flat = printable(" ".join(str(text).split()))
    return re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", flat)


def _named(ref: RecordRef | RecordChange) -> str:
    title = f": {_md(ref.title)}" if ref.title else ""
    return f"{ref.type} `{printable(ref.id)}`{title}"


def _removed_line(ref: RecordRef) -> str:
    stone = ref.tombstone
    if stone is None:
        return f"- {_named(ref)} (removed without a tombstone)"
    said = f"retired in {printable(stone.retired_in)}: {_md(stone.reason)}"
    if stone.replaced_by:
        said += f"; replaced by `{printable(stone.replaced_by)}`"
    return f"- {_named(ref)} ({said})"


def _code(value: Any) -> str | None:
    """A short scalar as a Markdown code span; None for a long or composite value."""
    if isinstance(value, (dict, list)):
        return None
    text = "absent" if value is None else printable(orjson.dumps(value).decode("utf-8"))
    if len(text) > _SHORT // 2:
        return None
    return "`" + text.replace("`", "'") + "`"


def _change_md(change: Change) -> str:
    pointer = "`" + printable(change.pointer).replace("`", "'") + "`"
    old, new = _code(change.old), _code(change.new)
    if old is None or new is None:
        return pointer
    return f"{pointer} ({old} → {new})"


def _markdown(result: DatasetDiff) -> str:
    version = result.new.get("version") or "Unreleased"
    heading = f"## [{printable(version)}]"
    if result.new_created:
        heading += f" - {printable(result.new_created[:10])}"
    removed_ids = {ref.id for ref in result.removed}
    # A tombstone that comes with the removal of its record is said in "Removed".
    added = [
        ref for ref in result.added if not (ref.type == Retired.TYPE and ref.id in removed_ids)
    ]
    lines = [heading, ""]
    if not result:
        lines += ["No changes to the data.", ""]
    if added:
        lines.append("### Added")
        lines.append("")
        for ref in added:
            lines.append(f"- {_named(ref)}")
        lines.append("")
    if result.changed or result.schema_changes:
        lines.append("### Changed")
        lines.append("")
        for schema in result.schema_changes:
            lines.append(
                f"- the {schema.type} schema: `{printable(schema.old)}` → "
                f"`{printable(schema.new)}` (incompatible)"
            )
        for change in result.changed:
            parts = ", ".join(_change_md(c) for c in change.changes)
            lines.append(f"- {_named(change)} — {parts}")
        lines.append("")
    if result.removed:
        lines.append("### Removed")
        lines.append("")
        for ref in result.removed:
            lines.append(_removed_line(ref))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _side_name(side: Mapping[str, str | None]) -> str:
    return f"{side.get('name')} {side.get('version') or '(no version)'}"


def _text(result: DatasetDiff) -> str:
    lines = [f"{printable(_side_name(result.old))} → {printable(_side_name(result.new))}"]
    for ref in result.added:
        lines.append(f"added    {ref.type} {printable(ref.id)}")
    for ref in result.removed:
        note = ""
        if ref.tombstone is not None:
            note = f" (retired in {printable(ref.tombstone.retired_in)}"
            if ref.tombstone.replaced_by:
                note += f", replaced by {printable(ref.tombstone.replaced_by)}"
            note += ")"
        elif not _covered(ref, result):
            note = " (no tombstone)"
        lines.append(f"removed  {ref.type} {printable(ref.id)}{note}")
    for schema in result.schema_changes:
        lines.append(f"schema   {schema.type}: {printable(schema.old)} → {printable(schema.new)}")
    for change in result.changed:
        lines.append(f"changed  {change.type} {printable(change.id)}")
        for item in change.changes:
            lines.append(f"  {printable(item.pointer)}: {_short(item.old)} → {_short(item.new)}")
    counts = (
        f"{len(result.added)} added, {len(result.removed)} removed, {len(result.changed)} changed"
    )
    lines.append(f"{counts}; suggested bump: {result.suggested_bump or 'none'}")
    return "\n".join(lines) + "\n"
