"""Datasets as Parquet: deterministic, hashed releases, and loading them back.

A built dataset (a *release*) holds, for each stem, ``<stem>.parquet`` — or, with
``partition_by="year"``, a folder ``events/year=YYYY/part-0.parquet`` of hive-partitioned
files, ``YYYY`` the year of the event's first day or, for an event whose start is open,
of its last day (an accepted EDTF value always has one of them), so that no partition is
null: pandas cannot read a hive column holding a null-only partition (pyarrow refuses
to unify its dictionaries) — and a Frictionless Data
Package v2 ``datapackage.json`` listing every file with its size, ``sha256:`` hash and
Table Schema.

The same records always give the same bytes: rows are sorted (events by
``(date_earliest, id)`` with an open start first, the others by id), every file is
written with the same options (zstd at a fixed level, fixed row-group size, statistics
and page index on), the schema metadata holds no time or host name, and no pandas
metadata is written since the tables are built from Arrow.

Two roads lead to a release. :func:`write_parquet` writes a :class:`Dataset` already
in memory. :func:`build` reads JSON/JSONL straight to Arrow in batches: each record is
checked as ``koreaevents validate`` checks it (JSON Schema and EDTF dates, the rules
``ke.load`` applies), kept only as column values, and turned into an Arrow
table every ``batch_size`` records; ids and references are then checked, and rows
sorted, on the Arrow columns. A million events never exist as Python objects at once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from koreaevents.dataset import STEMS, Dataset
from koreaevents.io.atomic import atomic_write_bytes, replace_dataset_directory
from koreaevents.io.json_io import (
    checked_records,
    datapackage_metadata,
    dumps_pretty,
    partial_dataset_issue,
    read_datapackage,
)
from koreaevents.io.paths import bundled_dataset_dir, holds_json_records, is_parquet_dataset
from koreaevents.io.reading import STEMS as STEM_TYPES
from koreaevents.issues import DataError, Issue
from koreaevents.records import OPTIONAL_STEMS, RECORD_TYPES, Retired
from koreaevents.references import (
    ANY_RECORD,
    REFERENCE_FIELDS,
    RETIRED,
    iter_references,
    named_after,
    retired_id_issue,
)

# pyarrow, the Arrow layout and the record checks are imported where they are used:
# `import koreaevents` (and so every command) should not pay for them.
if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as pads
    import pyarrow.parquet as pq

__all__ = [
    "BATCH_SIZE",
    "COMPRESSION",
    "COMPRESSION_LEVEL",
    "HIVE_NULL",
    "PARQUET_MEDIATYPE",
    "PARTITION_KEYS",
    "ROW_GROUP_SIZE",
    "BuildSummary",
    "arrow_dataset",
    "build",
    "load_parquet",
    "parquet_files_under",
    "partition_years",
    "sort_indices",
    "sort_table",
    "stem_files",
    "write_parquet",
]

ROW_GROUP_SIZE: Final = 65_536
"""Rows per row group: small enough that date statistics prune most groups of a large
sorted file, large enough for efficient scans."""

COMPRESSION: Final = "zstd"
COMPRESSION_LEVEL: Final = 6
BATCH_SIZE: Final = 50_000
"""Records turned into one Arrow table at a time by :func:`build`."""

PARTITION_KEYS: Final = ("year",)
"""What ``partition_by`` accepts: ``year`` partitions events by the year of date_earliest
(of date_latest when the start is open)."""

HIVE_NULL: Final = "__HIVE_DEFAULT_PARTITION__"
"""The partition folder value that Hive, Spark, pyarrow, polars and DuckDB read as null.
Releases before 0.2 put the events with an open start there; they still load, but
:func:`write_parquet` no longer writes it (pandas cannot read a null-only partition)."""

PARQUET_MEDIATYPE: Final = "application/vnd.apache.parquet"

_LOCATION_COLUMNS: Final = ("__file", "__line")
RETIRED_STEM: Final = Retired.STEM


# --- sorting and writing ------------------------------------------------------------


def _sort_keys(stem: str) -> list[tuple[str, str]]:
    if stem == "events":
        return [("date_earliest", "ascending"), ("id", "ascending")]
    return [("id", "ascending")]


def sort_indices(stem: str, table: pa.Table) -> pa.Array:
    """The row order of a release: events by ``(date_earliest, id)``, an open start
    first; other stems by id."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = _sort_keys(stem)
    try:
        return pc.sort_indices(table, sort_keys=[(name, order, "at_start") for name, order in keys])
    except (TypeError, ValueError, pa.ArrowException):  # pyarrow < 25: one placement
        return pc.sort_indices(table, sort_keys=keys, null_placement="at_start")


def sort_table(stem: str, table: pa.Table) -> pa.Table:
    """The table's rows in release order (see :func:`sort_indices`)."""
    return table.take(sort_indices(stem, table))


def _sorting_columns(stem: str, schema: pa.Schema) -> list[pq.SortingColumn]:
    import pyarrow.parquet as pq

    return [
        pq.SortingColumn(schema.get_field_index(name), descending=False, nulls_first=True)
        for name, _order in _sort_keys(stem)
    ]


def _repeating_columns(table: pa.Table) -> list[str]:
    """The leaf columns (Parquet paths) to dictionary-encode: those whose values repeat.

    Vocabularies, references and dates repeat, and a dictionary stores each value once;
    ids and titles do not, and a dictionary of them only overflows into plain text
    after its first megabyte, making the file bigger and slower to read.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def leaves(path: str, values: Any) -> Iterator[tuple[str, Any]]:
        kind = values.type
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            yield from leaves(f"{path}.list.element", pc.list_flatten(values))
        elif pa.types.is_struct(kind):
            for index, field in enumerate(kind):
                yield from leaves(f"{path}.{field.name}", pc.struct_field(values, [index]))
        else:
            yield path, values

    found = []
    for name in table.column_names:
        for path, values in leaves(name, table[name]):
            present = len(values) - values.null_count
            if present and 2 * pc.count_distinct(values).as_py() <= present:
                found.append(path)
    return found


def _write_file(
    path: Path,
    stem: str,
    table: pa.Table,
    order: pa.Array | None = None,
    *,
    dictionary: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Write one Parquet file with the release options; returns bytes and hash.

    ``order`` picks and orders the rows (all, as they are, when None). Rows are
    gathered one row group at a time, so a sorted copy of the whole table is never
    made. ``dictionary`` names the leaf columns to dictionary-encode (by default those
    whose values repeat in ``table``). An events file also gets its long-span index
    (see :mod:`koreaevents.io.long_spans`).
    """
    import pyarrow.parquet as pq

    from koreaevents.io import long_spans

    options: dict[str, Any] = {
        "version": "2.6",
        "compression": COMPRESSION,
        "compression_level": COMPRESSION_LEVEL,
        "use_dictionary": list(_repeating_columns(table) if dictionary is None else dictionary),
        "write_statistics": True,
        "write_page_index": True,
        "store_schema": True,
        "sorting_columns": _sorting_columns(stem, table.schema),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(path, table.schema, **options) as writer:
        # One row group at a time, each made contiguous first: the bytes then depend
        # on the rows only, not on how the batches happened to be chunked.
        rows = table.num_rows if order is None else len(order)
        for offset in range(0, rows, ROW_GROUP_SIZE):
            if order is None:
                group = table.slice(offset, ROW_GROUP_SIZE)
            else:
                group = table.take(order.slice(offset, ROW_GROUP_SIZE))
            writer.write_table(group.combine_chunks(), row_group_size=ROW_GROUP_SIZE)
        if stem == "events":
            index = long_spans.build(table, order, ROW_GROUP_SIZE, options=options)
            if index:
                writer.add_key_value_metadata(index)
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return {"bytes": size, "hash": f"sha256:{digest.hexdigest()}"}


def partition_years(table: pa.Table) -> pa.Array:
    """The ``year`` partition value of each row of an events table: the year of
    ``date_earliest``, or of ``date_latest`` when the start is open (never null for
    valid records, whose EDTF value always has a known side)."""
    import pyarrow.compute as pc

    earliest = pc.year(table["date_earliest"])
    return pc.coalesce(earliest, pc.year(table["date_latest"])).combine_chunks()


def _year_slices(table: pa.Table, order: pa.Array) -> Iterator[tuple[str, pa.Array]]:
    """``(partition value, row order)`` of an events table, one per partition year (see
    :func:`partition_years`), in year order, each keeping the release order of its rows."""
    import numpy as np
    import pyarrow as pa

    positions = order.to_numpy()
    years = partition_years(table).take(order)
    if years.null_count:  # records that passed the checks always have a year
        raise ValueError("an event has neither an earliest nor a latest day")
    values = years.to_numpy()
    by_year = np.argsort(values, kind="stable")  # stable: rows stay in release order
    found, starts = np.unique(values[by_year], return_index=True)
    ends = [*starts[1:], len(values)]
    for year, start, end in zip(found, starts, ends, strict=True):
        yield str(int(year)), pa.array(positions[by_year[start:end]], pa.int64())


def _resource(
    name: str, relative: str, stem: str, written: dict[str, Any], rows: int
) -> dict[str, Any]:
    from koreaevents.arrow import table_schema

    return {
        "name": name,
        "type": "table",
        "path": relative,
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
        # No "bytes": frictionless-py reads a Parquet file through pyarrow, not its own
        # byte stream, so it cannot count them and reports every stated size as wrong.
        # The sha256 hash identifies the file (koreaevents validate checks it).
        "hash": written["hash"],
        "description": f"{rows} {stem} record(s) in the koreaevents Parquet layout.",
        "schema": table_schema(stem),
    }


def _write_release(
    tables: dict[str, pa.Table],
    metadata: dict[str, Any],
    out: Path,
    partition_by: str | None,
) -> Path:
    """Write the tables, in release order, and their datapackage.json into ``out``,
    atomically."""
    if partition_by is not None and partition_by not in PARTITION_KEYS:
        raise ValueError(
            f"partition_by must be one of {', '.join(PARTITION_KEYS)} or None, not {partition_by!r}"
        )
    descriptor = dict(metadata)
    with replace_dataset_directory(out, kind="parquet") as tmp:
        resources: list[dict[str, Any]] = []
        for stem in STEMS:
            table = tables[stem]
            if stem in OPTIONAL_STEMS and table.num_rows == 0:
                continue
            order = sort_indices(stem, table)
            if partition_by == "year" and stem == "events":
                # one choice of encodings for all the year files
                dictionary = _repeating_columns(table)
                for value, part in _year_slices(table, order):
                    relative = f"{stem}/year={value}/part-0.parquet"
                    written = _write_file(tmp / relative, stem, table, part, dictionary=dictionary)
                    resources.append(
                        _resource(f"{stem}-year-{value}", relative, stem, written, len(part))
                    )
                if not (tmp / stem).exists():  # no events: keep the layout recognisable
                    (tmp / stem).mkdir()
            else:
                relative = f"{stem}.parquet"
                written = _write_file(tmp / relative, stem, table, order)
                resources.append(_resource(stem, relative, stem, written, table.num_rows))
        descriptor["resources"] = resources
        atomic_write_bytes(tmp / "datapackage.json", dumps_pretty(descriptor))
    return out


def write_parquet(
    ds: Dataset, directory: str | os.PathLike[str], *, partition_by: str | None = None
) -> Path:
    """Write a dataset as a Parquet release with its ``datapackage.json``.

    One ``<stem>.parquet`` per stem, or with ``partition_by="year"`` the events in
    hive-partitioned folders ``events/year=YYYY/part-0.parquet`` (the year of the first
    day, or of the last day for an event whose start is open). The folder is written
    whole into a temporary sibling and swapped into place; an existing folder is
    replaced only if it is empty or holds a dataset and nothing koreaevents did not
    write: a file its ``datapackage.json`` does not list raises
    :class:`FileExistsError` naming it (and nothing is written) unless this write
    writes the same path. The same dataset always gives the same bytes. Returns the
    folder.
    """
    from koreaevents.arrow import records_to_table

    out = Path(directory)
    metadata = datapackage_metadata(ds)
    # The version datapackage.json states (a default when the dataset has none), so
    # that a release read back and written again gives the same bytes.
    tables = {
        stem: records_to_table(
            stem, ds.stem(stem), dataset_name=ds.name, dataset_version=str(metadata["version"])
        )
        for stem in STEMS
    }
    return _write_release(tables, metadata, out, partition_by)


# --- reading ------------------------------------------------------------------------


def stem_files(directory: str | os.PathLike[str], stem: str) -> list[Path]:
    """The Parquet files of one stem in a release, those its ``datapackage.json``
    lists (a path that leaves the release raises :class:`~koreaevents.DataError`).

    A folder without a descriptor is read as a release would be laid out:
    ``<stem>.parquet``, or the ``*.parquet`` files under the folder ``<stem>/``
    (hive-partitioned), in path order; symbolic links, hidden files and anything but
    regular files are left out.
    """
    from koreaevents.io.release import descriptor_of, listed_files

    root = Path(directory)
    descriptor = descriptor_of(root)
    if descriptor is not None:
        return [item.path for item in listed_files(root, descriptor) if item.stem == stem]
    single = root / f"{stem}.parquet"
    if single.is_file() and not single.is_symlink():
        return [single]
    return parquet_files_under(root / stem)


def parquet_files_under(folder: Path) -> list[Path]:
    """The ``*.parquet`` regular files under a folder (hive-partitioned), in path
    order, without symbolic links and hidden files; none when ``folder`` is a link."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for parent, folders, names in os.walk(folder):  # never follows symbolic links
        folders[:] = [name for name in folders if not name.startswith((".", "_"))]
        for name in names:
            path = Path(parent) / name
            if (
                name.endswith(".parquet")
                and not name.startswith((".", "_"))
                and not path.is_symlink()
                and path.is_file()
            ):
                found.append(path)
    return sorted(found)


def arrow_dataset(directory: str | os.PathLike[str], stem: str) -> pads.Dataset:
    """A ``pyarrow.dataset.Dataset`` over one stem of a release, either layout.

    Its schema is :func:`~koreaevents.arrow.arrow_schema` (no partition column), so
    filters on ``date_earliest``/``date_latest`` use the files' statistics to skip row
    groups.
    """
    import pyarrow.dataset as pads

    from koreaevents.arrow import arrow_schema

    files = [str(path) for path in stem_files(directory, stem)]
    return pads.dataset(files, schema=arrow_schema(stem), format="parquet")


def _read_parquet_file(path: Path, stem: str) -> pa.Table:
    """One file's table, conformed to the stem's schema; DataError if it cannot be."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from koreaevents.arrow import arrow_schema, derived_columns
    from koreaevents.io.release import regular_file_problem

    problem = regular_file_problem(path)
    if problem is not None:
        message = f"{path.name} {problem}"
        raise DataError([Issue("io", message, path=str(path))], f"{path} {problem}")
    try:
        table = pq.ParquetFile(path).read()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataError(
            [Issue("io", f"cannot read {path.name}: {parquet_problem(exc)}", path=str(path))],
            f"cannot read {path}: {parquet_problem(exc)}",
        ) from None
    expected = arrow_schema(stem)
    problems: list[Issue] = []
    # a copy of a hive partition key inside the file (what DuckDB and polars write
    # when they rewrite a partition) is the folder's value again: the query drops it too
    parts = path.parent.parts
    inner = parts[len(parts) - parts[::-1].index(stem) :] if stem in parts else ()
    keys = {part.split("=", 1)[0] for part in inner if "=" in part}
    table = table.drop_columns([name for name in table.column_names if name in keys])
    have = set(table.column_names)
    # a release written before a derived column existed lacks it: nothing is lost
    derived = {column.name for column in derived_columns(stem)}
    expected = pa.schema(
        [field for field in expected if field.name in have or field.name not in derived],
        metadata=expected.metadata,
    )
    for name in expected.names:
        if name not in have:
            problems.append(
                Issue("schema", f"column {name!r} is missing", path=str(path), pointer=None)
            )
    for name in table.column_names:
        if name not in expected.names:
            problems.append(Issue("schema", f"unexpected column {name!r}", path=str(path)))
    arrays = []
    for field in expected:
        if field.name not in have:
            continue
        column = table[field.name]
        if pa.types.is_date32(field.type) and not column.type.equals(field.type):
            problems.append(date_type_issue(path, field.name, column.type))
            continue
        if not column.type.equals(field.type):
            try:
                column = column.cast(field.type)
            except (pa.ArrowException, ValueError, TypeError):
                problems.append(
                    Issue(
                        "schema",
                        f"column {field.name!r} has type {column.type}, expected {field.type}",
                        path=str(path),
                    )
                )
                continue
        arrays.append(column)
    if problems:
        raise DataError(problems, f"cannot read {path}: {len(problems)} problem(s)")
    return pa.Table.from_arrays(arrays, schema=expected)


def parquet_problem(exc: BaseException) -> str:
    """What is wrong with a Parquet file that pyarrow could not read, in words."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "magic bytes" in text or "size is 0 bytes" in text or "too small" in text:
        return "not a Parquet file (empty, truncated, or another format)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return f"not a readable Parquet file, or damaged ({text})"


def date_type_issue(path: Path, name: str, kind: pa.DataType) -> Issue:
    """The issue of a date column that is not ``date32``: loading and querying refuse
    it alike (a timestamp or text would compare differently from a day)."""
    return Issue(
        "schema",
        f"column {name!r} of {path.name} has type {kind}, expected date32[day]: write the "
        "days as dates (e.g. pyarrow's pa.date32(), or .dt.date in pandas)",
        path=str(path),
    )


def load_parquet(directory: str | os.PathLike[str]) -> Dataset:
    """Load a Parquet release (either layout) into a :class:`Dataset`.

    Files are checked against the hashes in ``datapackage.json``, their columns
    against the Arrow schema, and every row as a JSON record is checked; a damaged,
    truncated or foreign file gives a :class:`~koreaevents.DataError` naming it.
    Hive partition columns are not part of the records.
    """
    from koreaevents.arrow import table_to_records
    from koreaevents.io.release import (
        descriptor_of,
        hash_issues,
        listed_files,
        regular_file_problem,
    )

    root = Path(directory)
    descriptor = descriptor_of(root)
    metadata = {} if descriptor is None else dict(descriptor)
    problems: list[Issue] = []
    if descriptor is not None:
        problems.extend(hash_issues(root, descriptor, listed_files(root, descriptor)))
    by_stem: dict[str, list[Any]] = {stem: [] for stem in STEMS}
    for stem in STEMS:
        for path in stem_files(root, stem):
            if regular_file_problem(path) is not None:
                continue  # named among the problems above; never opened
            try:
                table = _read_parquet_file(path, stem)
                by_stem[stem].extend(table_to_records(stem, table, path=str(path)))
            except DataError as exc:
                problems.extend(exc.issues)
    if problems:
        raise DataError(problems, f"cannot load {root}: {len(problems)} problem(s)")
    metadata.pop("resources", None)
    return Dataset(**by_stem, metadata=metadata)  # type: ignore[arg-type]


def load_parquet_folder(folder: str | os.PathLike[str]) -> Dataset:
    """Load the ``<stem>/`` folder of a partitioned release (such as ``events/``) into
    a :class:`Dataset` holding that one record type: the files the release's
    ``datapackage.json`` lists for it, checked against their hashes, as a query of
    that folder reads them (without a descriptor: the Parquet files under it). As for
    one file, references to the other record types are not checked."""
    from koreaevents.arrow import table_to_records
    from koreaevents.io.release import listed_within

    target = Path(folder)
    stem = next(
        (name for name in (target.name, *(p.name for p in target.parents)) if name in STEMS),
        "events",
    )
    within = listed_within(target, stem)
    files = within[0] if within is not None else parquet_files_under(target)
    records: list[Any] = []
    for path in files:
        records.extend(table_to_records(stem, _read_parquet_file(path, stem), path=str(path)))
    return Dataset(**{stem: records}, check=False)  # type: ignore[arg-type]


def load_parquet_file(path: str | os.PathLike[str]) -> Dataset:
    """Load one Parquet file of a release, such as ``events.parquet`` or a partition
    file under ``events/``, into a :class:`Dataset` holding that one record type.

    As for one JSON file, references to the record types the file does not hold are
    not checked.
    """
    from koreaevents.arrow import table_to_records

    file = Path(path)
    stem = next(
        (name for name in (file.stem, *(parent.name for parent in file.parents)) if name in STEMS),
        None,
    )
    if stem is None:
        raise DataError(
            [
                Issue(
                    "unknown-file",
                    f"cannot tell which record type {file} holds: name it "
                    "after a stem (events.parquet, ...) or keep it in a folder named so",
                    path=str(file),
                )
            ]
        )
    from koreaevents.io.release import listed_within

    listed_within(file, stem)  # a file of a release: listed, and every hash holds
    table = _read_parquet_file(file, stem)
    records = table_to_records(stem, table, path=str(file))
    return Dataset(**{stem: records}, check=False)  # type: ignore[arg-type]


# --- the streaming build ------------------------------------------------------------


@attrs.frozen
class BuildSummary:
    """What :func:`build` wrote: the release folder and the records of each stem."""

    out: Path
    counts: dict[str, int]
    files: int
    bytes: int


class _StemCollector:
    """The Arrow batches of one stem, with where each row came from."""

    def __init__(self, stem: str, schema: pa.Schema) -> None:
        from koreaevents.arrow import RowBuffer

        self.stem = stem
        self.buffer = RowBuffer(stem, schema)
        self.files: list[int] = []
        self.lines: list[int] = []
        self.tables: list[pa.Table] = []

    def add(self, data: Any, file_index: int, line: int, batch_size: int) -> None:
        self.buffer.append(data)
        self.files.append(file_index)
        self.lines.append(line)
        if len(self.buffer) >= batch_size:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if not len(self.buffer):
            return
        try:
            table = self.buffer.to_table()
        except (pa.ArrowException, ValueError, TypeError) as exc:
            # Records that passed the checks but that Arrow cannot hold: never expected,
            # but say where rather than fail with a traceback.
            raise DataError(
                [
                    Issue(
                        "schema",
                        f"cannot convert the {self.stem} records to Arrow: {exc}",
                        line=self.lines[0] if self.lines else None,
                    )
                ]
            ) from None
        table = table.append_column(_LOCATION_COLUMNS[0], pa.array(self.files, pa.int32()))
        table = table.append_column(_LOCATION_COLUMNS[1], pa.array(self.lines, pa.int32()))
        self.files, self.lines = [], []
        self.tables.append(table)

    def table(self) -> pa.Table:
        import pyarrow as pa

        self.flush()
        if self.tables:
            return pa.concat_tables(self.tables)
        schema = self.buffer.schema
        for name in _LOCATION_COLUMNS:
            schema = schema.append(pa.field(name, pa.int32()))
        return schema.empty_table()


def build(
    source: str | os.PathLike[str] | None,
    out: str | os.PathLike[str],
    *,
    partition_by: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> BuildSummary:
    """Build a Parquet release from a dataset folder.

    JSON, JSON Lines and one-record-file folders are read record by record and turned
    into Arrow tables every ``batch_size`` records; every record is checked as
    ``koreaevents validate`` checks it, then ids and references on the Arrow columns.
    Nothing is written unless all is valid: problems are raised together as a
    :class:`~koreaevents.DataError`. A Parquet release as ``source`` is loaded and
    written again (e.g. to partition it). ``source=None`` builds the bundled dataset.
    """
    from koreaevents.arrow import arrow_schema
    from koreaevents.validation.checks import RecordChecker

    src = bundled_dataset_dir() if source is None else Path(source)
    target = Path(out)
    if not src.exists():
        from koreaevents.io.atomic import missing_output_hint

        raise FileNotFoundError(f"no dataset at {src}{missing_output_hint(src)}")
    if not src.is_dir():
        # A release holds all four record types and loads as a whole; one file alone
        # would make one whose references cannot resolve.
        raise ValueError(f"{src} is not a folder: build takes a dataset folder or a release")
    if not is_parquet_dataset(src) and not holds_json_records(src):
        raise FileNotFoundError(
            f"no dataset in {src}: expected events.jsonl, events.json or a folder events/ "
            "(and the same for sources, analyses, actors)"
        )
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if partition_by is not None and partition_by not in PARTITION_KEYS:
        raise ValueError(
            f"partition_by must be one of {', '.join(PARTITION_KEYS)} or None, not {partition_by!r}"
        )
    _check_not_inside(src, target)
    if is_parquet_dataset(src):
        ds = load_parquet(src)
        write_parquet(ds, target, partition_by=partition_by)
        return _summary(target, {stem: len(ds.stem(stem)) for stem in STEMS})
    package = read_datapackage(src)
    package.pop("resources", None)
    metadata = datapackage_metadata(Dataset(metadata=package, check=False))
    # The name and version datapackage.json states, as write_parquet writes them.
    name, version = str(metadata["name"]), str(metadata["version"])
    collectors = {
        stem: _StemCollector(stem, arrow_schema(stem, dataset_name=name, dataset_version=version))
        for stem in STEMS
    }
    files: list[str] = []
    file_index: dict[str, int] = {}
    problems: list[Issue] = []
    invalid_ids: dict[str, list[str]] = {type_name: [] for type_name in STEM_TYPES.values()}
    checker = RecordChecker()
    # The checks of `koreaevents validate` (JSON Schema, compiled once, and the EDTF
    # dates): the same rules as ke.load, a dozen times faster than building records.
    present: set[str] = set()
    for type_name, item, passed in checked_records(src, checker, problems):
        present.add(type_name)
        if not passed:
            record_id = item.data.get("id") if isinstance(item.data, dict) else None
            if isinstance(record_id, str):
                invalid_ids[type_name].append(record_id)
            continue
        index = file_index.setdefault(item.path, len(files))
        if index == len(files):
            files.append(item.path)
        collectors[RECORD_TYPES[type_name].STEM].add(item.data, index, item.line, batch_size)
    tables = {stem: collector.table() for stem, collector in collectors.items()}
    del collectors
    partial = src.is_dir() and bool(set(STEM_TYPES.values()) - present - {RETIRED})
    problems.extend(
        _integrity_issues(tables, files, invalid_ids, (src, present) if partial else None)
    )
    if problems:
        raise DataError(problems, f"cannot build from {src}: {len(problems)} problem(s)")
    # Dropping columns copies nothing; the rows are put in order as they are written.
    tables = {stem: table.drop_columns(list(_LOCATION_COLUMNS)) for stem, table in tables.items()}
    _write_release(tables, metadata, target, partition_by)
    return _summary(target, {stem: table.num_rows for stem, table in tables.items()})


def _check_not_inside(src: Path, target: Path) -> None:
    # realpath, unlike Path.resolve, does not raise on a link loop: the writer names it
    source, out = Path(os.path.realpath(src)), Path(os.path.realpath(target))
    if out == source or source.is_relative_to(out) or out.is_relative_to(source):
        raise ValueError(
            f"the output folder {target} must lie outside the source {src} (and not "
            "contain it): the build replaces its output folder whole"
        )


def _size(root: Path, relative: object) -> int:
    """The size of a file the build just wrote (0 for a path that is not one)."""
    try:
        return os.stat(root / relative).st_size if isinstance(relative, str) else 0
    except OSError:
        return 0


def _summary(out: Path, counts: dict[str, int]) -> BuildSummary:
    descriptor = read_datapackage(out)
    resources = descriptor.get("resources", [])
    return BuildSummary(
        out=out,
        counts={
            stem: count
            for stem, count in counts.items()
            if count or stem not in OPTIONAL_STEMS  # as for the files: none written
        },
        files=len(resources),
        bytes=sum(_size(out, resource.get("path")) for resource in resources),
    )


# --- ids and references on Arrow columns --------------------------------------------


def _reference_values(
    stem: str, table: pa.Table, ref_path: tuple[str, ...]
) -> tuple[pa.Array, pa.Array]:
    """The referenced ids at ``ref_path`` and, for each, the row it comes from."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from koreaevents.arrow import stored_columns

    names = {column.path: column.name for column in stored_columns(stem)}
    head = ref_path[:2] if ref_path[:2] in names else ref_path[:1]
    values: Any = table[names[head]].combine_chunks()
    rows: Any = pa.array(range(table.num_rows), pa.int64())
    for step in ref_path[len(head) :]:
        if step == "*":
            parents = pc.list_parent_indices(values)
            values = pc.list_flatten(values)
            rows = rows.take(parents)
        else:
            values = pc.struct_field(values, step)
    return values, rows


def _where(files: Sequence[str], table: pa.Table, row: int) -> tuple[str, int]:
    return files[table["__file"][row].as_py()], table["__line"][row].as_py()


def _duplicate_issues(tables: dict[str, pa.Table], files: Sequence[str]) -> list[Issue]:
    import pyarrow as pa
    import pyarrow.compute as pc

    all_ids = pa.chunked_array(
        [chunk for table in tables.values() for chunk in table["id"].chunks], pa.string()
    )
    if len(all_ids) == 0:
        return []
    counts = pc.value_counts(all_ids)
    duplicated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    if len(duplicated) == 0:
        return []
    first: dict[str, tuple[str, str, int]] = {}
    problems: list[Issue] = []
    retired = tables.get(RETIRED_STEM)

    def retired_in(record_id: str) -> str:
        assert retired is not None
        row = pc.index(retired["id"], record_id).as_py()
        return str(retired["retired_in"][row].as_py())

    for stem, table in tables.items():  # reading order: stems, then rows
        rows = pc.indices_nonzero(pc.is_in(table["id"], value_set=duplicated)).to_pylist()
        for row in rows:
            record_id = table["id"][row].as_py()
            path, line = _where(files, table, row)
            if record_id not in first:
                first[record_id] = (STEM_TYPES[stem], path, line)
                continue
            first_type, first_path, first_line = first[record_id]
            if RETIRED in (first_type, STEM_TYPES[stem]) and first_type != STEM_TYPES[stem]:
                if first_type != RETIRED:
                    path, line = first_path, first_line
                problems.append(retired_id_issue(record_id, retired_in(record_id), path, line))
                continue
            other_type, other_path, other_line = first_type, first_path, first_line
            # as validate does: blame the copy, not a file named after the id
            if named_after(path, record_id) and not named_after(first_path, record_id):
                other_type, other_path, other_line = STEM_TYPES[stem], path, line
                path, line = first_path, first_line
            problems.append(
                Issue(
                    "duplicate-id",
                    f"id {record_id!r} is also used by the {other_type} at "
                    f"{other_path}:{other_line}: give this record an id of its own",
                    path=path,
                    line=line,
                    record_id=record_id,
                    pointer="/id",
                )
            )
    return problems


def _pattern_of(pointer: str) -> tuple[str, ...]:
    return tuple("*" if part.isdigit() else part for part in pointer.lstrip("/").split("/"))


def _integrity_issues(
    tables: dict[str, pa.Table],
    files: Sequence[str],
    invalid_ids: dict[str, list[str]],
    partial: tuple[Path, set[str]] | None = None,
) -> list[Issue]:
    """Duplicate ids and dangling references, found on the Arrow columns. For a
    ``partial`` dataset (its folder, and the record types it has files of),
    references into the types it lacks are summed up in one issue that says so."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from koreaevents.arrow import unflatten_row

    problems = _duplicate_issues(tables, files)
    ids_by_type: dict[str, pa.Array] = {}
    for stem, table in tables.items():
        type_name = STEM_TYPES[stem]
        chunks = [*table["id"].chunks, pa.array(invalid_ids[type_name], pa.string())]
        ids_by_type[type_name] = pa.chunked_array(chunks, pa.string()).combine_chunks()
    ids_by_type[ANY_RECORD] = pa.concat_arrays(
        [ids for type_name, ids in ids_by_type.items() if type_name != RETIRED]
    )
    absent = set(STEM_TYPES.values()) - partial[1] - {RETIRED} if partial else set()
    into_absent: list[tuple[str, int, str]] = []
    for stem, table in tables.items():
        type_name = STEM_TYPES[stem]
        for ref_path, target in REFERENCE_FIELDS.get(type_name, ()):
            values, rows = _reference_values(stem, table, ref_path)
            if len(values) == 0:
                continue
            found = pc.is_in(values, value_set=ids_by_type[target])
            bad = pc.and_(pc.is_valid(values), pc.invert(found))
            if not pc.any(bad).as_py():
                continue
            if target in absent:
                for row in rows.filter(bad).to_pylist():
                    path, line = _where(files, table, row)
                    into_absent.append((path, line, "/" + "/".join(ref_path)))
                continue
            bad_values = set(pc.unique(values.filter(bad)).to_pylist())
            actual = {
                ref: other
                for other, ids in ids_by_type.items()
                if other not in (target, ANY_RECORD)
                for ref in bad_values
                if pc.any(pc.equal(ids, ref)).as_py()
            }
            for row in sorted(set(rows.filter(bad).to_pylist())):
                record = unflatten_row(stem, table.slice(row, 1).to_pylist()[0])
                path, line = _where(files, table, row)
                for pointer, ref_target, ref in iter_references(type_name, record):
                    if ref_target != target or ref not in bad_values:
                        continue
                    if _pattern_of(pointer) != ref_path:
                        continue
                    field = pointer.lstrip("/")
                    if actual.get(ref) == RETIRED:
                        message = (
                            f"{field} refers to {ref!r}, which was retired: refer to the "
                            "record that replaces it"
                        )
                    elif ref in actual:
                        message = (
                            f"{field} refers to {ref!r}, which is a {actual[ref]}, not a "
                            f"{target}: use the id of a {target}"
                        )
                    else:
                        message = (
                            f"{field} refers to {target} {ref!r}, which does not exist: add "
                            f"that {target} or correct the id"
                        )
                    problems.append(
                        Issue(
                            "dangling-reference",
                            message,
                            path=path,
                            line=line,
                            record_id=record["id"],
                            pointer=pointer,
                        )
                    )
    if into_absent and partial is not None:
        path, line, where = min(into_absent)
        folder, present = partial
        problems.append(
            partial_dataset_issue(folder, present, len(into_absent), f"{path}:{line} {where}")
        )
    return problems
