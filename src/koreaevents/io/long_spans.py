"""The long-span index of an events Parquet file: its rows that a range query would
otherwise have to dig out of early row groups.

Rows are sorted by their first day, so row-group statistics rule out most groups of a
range query, except for events that *end* long after they start: an open end, or an
interval spanning years. Such rows overlap every later range, and pyarrow can only
decode a row group whole, so one of them in each group would make a query decode
every group before its range.

The file therefore carries, in its footer, a copy of those rows. For each row group
``g`` the writer picks a day ``from[g]``: the rows of ``g`` that end on or after it,
or never, are copied into the index. Every other row of ``g`` ends before
``from[g]``, so a query whose range starts on or after that day finds all its
matches in ``g`` among the copies, and skips decoding ``g``. The day is the one
after the group's last first day, so that only rows outliving the group are copied,
or later when that would copy more than one row in :data:`MAX_SHARE` of the group;
a group with more open ends than that, or whose day would fall after 9999-12-31,
gets no day and is always read.

Three footer entries (key-value metadata, ignored by other readers) hold it:

- ``koreaevents:long_spans_from``: a JSON list of ``from[g]``, an ISO day or null
  (this group is always read), one per row group;
- ``koreaevents:long_spans``: the copied rows as a Parquet file (same columns, plus
  ``__group``), base64-encoded: footer values must be text for some readers;
- ``koreaevents:long_spans_check``: the fingerprint of the row groups the index was
  made for, one JSON list per group: rows, smallest and largest id, and smallest,
  largest and null count of ``date_earliest`` and ``date_latest``.

Other tools carry footer entries over when they rewrite a file (pyarrow's readers
put them into the schema metadata, which ``write_table`` writes again), so an index
may sit in a file whose rows are no longer those it was made for. It is used only
when the fingerprint equals that of the file's own row-group statistics, when it is
well formed (a day per row group, copies that read and have no group with more
copies than rows) and when its copies are no larger than the file could make them;
otherwise the groups are decoded.

Entries can also be written by hand so that they fit the file's statistics and still
lie (copies emptied, a day moved earlier, a copy invented). Before a query uses an
index, :func:`trusted` therefore reads the ids and dates of the groups it covers (three
narrow columns, once per file and process while the file is unchanged) and uses the
index only when its copies are exactly the rows that outlive their group's day.
``koreaevents validate`` checks the copies cell by cell (:func:`mismatches`).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import os
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CHECK_KEY",
    "FROM_KEY",
    "GROUP_COLUMN",
    "KEY_PREFIX",
    "MAX_SHARE",
    "ROWS_KEY",
    "LongSpans",
    "build",
    "fingerprint",
    "mismatches",
    "read",
    "trusted",
    "without_index",
]

KEY_PREFIX: Final = b"koreaevents:long_spans"
FROM_KEY: Final = b"koreaevents:long_spans_from"
ROWS_KEY: Final = b"koreaevents:long_spans"
CHECK_KEY: Final = b"koreaevents:long_spans_check"
GROUP_COLUMN: Final = "__group"
MAX_SHARE: Final = 128
"""At most one row in this many of a row group is copied into the index."""

_OPEN_START: Final = -(2**31)
_OPEN_END: Final = 2**31 - 1
_EPOCH: Final = datetime.date(1970, 1, 1)
_LAST_DAY: Final = (datetime.date.max - _EPOCH).days


def build(
    table: pa.Table, order: pa.Array | None, group_size: int, *, options: Mapping[str, Any]
) -> dict[bytes, bytes]:
    """The footer entries of the long-span index of an events file, or ``{}`` when none
    is worth writing.

    ``order`` gives the file's rows of ``table`` in file order (all, as they are, when
    None), ``group_size`` its rows per row group, ``options`` the Parquet writer
    options of the copies (those of the file, for the same deterministic bytes).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rows = table.num_rows if order is None else len(order)
    groups = -(-rows // group_size)
    if groups < 2:  # the one group is read whatever the range
        return {}
    budget = group_size // MAX_SHARE

    def days(name: str, missing: int) -> Any:
        column = table[name] if order is None else table[name].take(order)
        return pc.fill_null(column.cast(pa.int32()), missing).to_numpy()

    earliest = days("date_earliest", _OPEN_START)
    latest = days("date_latest", _OPEN_END)
    limits: list[int | None] = []
    for group in range(groups):
        ends = latest[group * group_size : (group + 1) * group_size]
        starts = earliest[group * group_size : (group + 1) * group_size]
        limits.append(_limit(starts, ends, budget))
    group_of_row = np.arange(rows) // group_size
    limit_of_row = np.array([_OPEN_END if d is None else d for d in limits], dtype=np.int64)
    # a group without a limit is always read: none of its rows is copied
    copied = (latest >= limit_of_row[group_of_row]) & (limit_of_row[group_of_row] != _OPEN_END)
    if not copied.any():
        return {}
    positions = np.flatnonzero(copied)
    picked = pa.array(positions) if order is None else order.take(pa.array(positions))
    copies = table.take(picked).append_column(
        GROUP_COLUMN, pa.array(group_of_row[positions], type=pa.int32())
    )
    sink = pa.BufferOutputStream()
    pq.write_table(copies.combine_chunks(), sink, **options)
    listed = [
        None if d is None else (_EPOCH + datetime.timedelta(days=d)).isoformat() for d in limits
    ]
    ids = table["id"] if order is None else table["id"].take(order)
    prints = []
    for group in range(groups):
        part = slice(group * group_size, (group + 1) * group_size)
        names = ids.slice(part.start, group_size)
        bounds = pc.min_max(names)
        prints.append(
            [
                len(names),
                bounds["min"].as_py(),
                bounds["max"].as_py(),
                *_day_print(earliest[part], _OPEN_START),
                *_day_print(latest[part], _OPEN_END),
            ]
        )
    return {
        FROM_KEY: json.dumps(listed).encode(),
        ROWS_KEY: base64.b64encode(sink.getvalue().to_pybytes()),
        CHECK_KEY: json.dumps(prints, ensure_ascii=False, separators=(",", ":")).encode(),
    }


def _day_print(days: Any, missing: int) -> list[Any]:
    """[smallest day, largest day, nulls] of a group's days (ISO text, None if all null)."""
    known = days[days != missing]
    nulls = len(days) - len(known)
    if not len(known):
        return [None, None, nulls]
    return [_iso(int(known.min())), _iso(int(known.max())), nulls]


def _iso(day: int) -> str:
    return (_EPOCH + datetime.timedelta(days=day)).isoformat()


def fingerprint(metadata: Any) -> list[list[Any]] | None:
    """The fingerprint of a file's row groups (a ``pyarrow`` ``FileMetaData``), from
    their statistics, in the form :func:`build` stores; None when a statistic that
    it needs is missing (such a file's index cannot be trusted)."""
    groups = metadata.num_row_groups
    if not groups:
        return []
    first = metadata.row_group(0)
    paths = [first.column(i).path_in_schema for i in range(first.num_columns)]
    try:
        where = [paths.index(name) for name in ("id", "date_earliest", "date_latest")]
    except ValueError:
        return None
    prints = []
    for group in range(groups):
        row_group = metadata.row_group(group)
        entry: list[Any] = [row_group.num_rows]
        for position, index in enumerate(where):
            stats = row_group.column(index).statistics
            if stats is None or not stats.has_null_count:
                return None
            if not stats.has_min_max:
                if stats.null_count != row_group.num_rows:
                    return None
                low, high = None, None
            else:
                low, high = stats.min, stats.max
            if position == 0:  # the ids: never null
                if not isinstance(low, str) or not isinstance(high, str) or stats.null_count:
                    return None
                entry += [low, high]
            else:
                if low is not None and not (
                    type(low) is datetime.date and type(high) is datetime.date
                ):
                    return None  # not a date32 column
                entry += [
                    None if low is None else low.isoformat(),
                    None if high is None else high.isoformat(),
                    stats.null_count,
                ]
        prints.append(entry)
    return prints


def without_index(metadata: Mapping[bytes, bytes] | None) -> dict[bytes, bytes] | None:
    """Schema metadata without the long-span entries: a table given to users must not
    carry an index into files they write from it."""
    if metadata is None:
        return None
    return {key: value for key, value in metadata.items() if not key.startswith(KEY_PREFIX)}


def _limit(starts: Any, ends: Any, budget: int) -> int | None:
    """The first day (days since 1970) from which a group's rows are copied: after
    the group's last start, so that only rows outliving the group are copied, and
    late enough to copy at most ``budget`` rows. None (the group is then always read)
    when the group's open ends alone exceed the budget, when no start is known and
    the budget holds every row, or when that day would be after 9999-12-31."""
    import numpy as np

    open_ends = int((ends == _OPEN_END).sum())
    if open_ends > budget:
        return None
    closed = np.sort(ends[ends != _OPEN_END])[::-1]
    spare = budget - open_ends
    candidates = []
    if spare < len(closed):
        candidates.append(int(closed[spare]) + 1)  # ends later than the spare-th latest
    known = starts[starts != _OPEN_START]
    if len(known):
        candidates.append(int(known.max()) + 1)
    day = max(candidates) if candidates else None
    return None if day is None or day > _LAST_DAY else day


@attrs.frozen
class LongSpans:
    """The long-span index of one file: ``starts[g]`` is the day from which a range
    finds all of group ``g``'s matches among the copies (None: read the group)."""

    starts: tuple[datetime.date | None, ...]
    group_rows: tuple[int, ...]
    entries: Mapping[bytes, bytes] = attrs.field(repr=False)
    file_bytes: int = 0
    """The uncompressed size of the file's row groups: the copies, a share of its
    rows, decode to no more (a compression bomb in the footer decodes to far more)."""

    def _fits(self, metadata: Any) -> bool:
        """Whether the copies' own metadata promises a size the file could have made:
        checked before anything of them is decoded."""
        rows = self.group_rows
        if metadata.num_rows > max(rows, default=0) * len(rows):
            return False
        declared = 0
        for group in range(metadata.num_row_groups):
            row_group = metadata.row_group(group)
            for index in range(row_group.num_columns):
                column = row_group.column(index)
                declared += max(column.total_uncompressed_size, column.total_compressed_size)
        return declared <= 2 * self.file_bytes + (1 << 20)

    def skippable(self, groups: Sequence[int], low: datetime.date) -> tuple[int, ...]:
        """Which of these groups a range starting on ``low`` need not decode."""
        return tuple(g for g in groups if (day := self.starts[g]) is not None and day <= low)

    def rows(self, groups: Sequence[int], columns: Sequence[str]) -> pa.Table | None:
        """The copied rows of these groups, with these columns (None when unreadable)."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        try:
            data = base64.b64decode(self.entries[ROWS_KEY], validate=True)
            source = pq.ParquetFile(pa.BufferReader(data))
            if not self._fits(source.metadata):
                return None
            table = source.read(columns=[*columns, GROUP_COLUMN])
        # pyarrow reports damaged pages and metadata as OSError
        except (KeyError, binascii.Error, pa.ArrowException, ValueError, OSError):
            return None
        owners = table[GROUP_COLUMN]
        if owners.type != pa.int32() or owners.null_count:
            return None
        # no group can have more copies than rows (which also rules out unknown groups)
        for item in pc.value_counts(owners).to_pylist():
            group, count = item["values"], item["counts"]
            if not 0 <= group < len(self.group_rows) or count > self.group_rows[group]:
                return None
        keep = pc.is_in(owners, pa.array(list(groups), type=pa.int32()))
        return table.filter(keep).drop_columns([GROUP_COLUMN])


def read(metadata: Any) -> LongSpans | None:
    """The long-span index in a file's footer (a ``pyarrow`` ``FileMetaData``), or
    None when there is none or its list of days does not fit the file."""
    entries = metadata.metadata or {}
    if FROM_KEY not in entries or ROWS_KEY not in entries:
        return None
    groups = metadata.num_row_groups
    text = entries[FROM_KEY]
    if len(text) > 16 * groups + 2:  # '"YYYY-MM-DD", ' a group: anything longer is not ours
        return None
    try:
        listed = json.loads(text)
        if not isinstance(listed, list) or len(listed) != groups:
            return None
        starts = tuple(None if d is None else datetime.date.fromisoformat(d) for d in listed)
    except (ValueError, TypeError, RecursionError):
        return None
    stored = entries.get(CHECK_KEY)
    if stored is None or len(stored) > 64 * groups + 4096 * groups:
        return None
    try:
        if json.loads(stored) != fingerprint(metadata):
            return None  # made for other rows: the file was rewritten
    except (ValueError, TypeError, RecursionError):
        return None
    rows = tuple(metadata.row_group(group).num_rows for group in range(groups))
    size = sum(metadata.row_group(group).total_byte_size for group in range(groups))
    return LongSpans(starts, rows, entries, size)


_VERIFIED: dict[tuple[Any, ...], bool] = {}
_VERIFIED_LOCK = threading.Lock()
_KEY_COLUMNS: Final = ("id", "date_earliest", "date_latest")


def trusted(path: str | os.PathLike[str], metadata: Any) -> LongSpans | None:
    """The long-span index of the file at ``path`` (its ``FileMetaData`` given), or
    None when it has none or it cannot be trusted: it must pass :func:`read` and its
    copies must be, by id and dates, exactly the rows of each group that outlive the
    group's day. The answer is kept per process for the file as it is on disk (device,
    inode, size, modification and change times): a changed file is checked again."""
    spans = read(metadata)
    if spans is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    from koreaevents.io.release import on_disk

    key = on_disk(path, info)
    with _VERIFIED_LOCK:
        known = _VERIFIED.get(key)
    if known is None:
        known = _copies_are_the_outliving_rows(path, spans) and _copies_fit_statistics(
            metadata, spans
        )
        with _VERIFIED_LOCK:
            if len(_VERIFIED) > 4096:  # a long-lived process querying many files
                _VERIFIED.clear()
            _VERIFIED[key] = known
    return spans if known else None


def _copies_are_the_outliving_rows(path: str | os.PathLike[str], spans: LongSpans) -> bool:
    """Whether the copies' ids and dates are exactly those of the rows that outlive
    their group's day, group by group (reads three columns of the indexed groups)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    days_of = {group: day for group, day in enumerate(spans.starts) if day is not None}
    groups = list(days_of)
    copies = spans.rows(groups, list(_KEY_COLUMNS))
    if copies is None:
        return False
    try:
        owners = _owners(spans, list(_KEY_COLUMNS))
        with pq.ParquetFile(path) as handle:
            rows = handle.read_row_groups(groups, columns=list(_KEY_COLUMNS))
    except (pa.ArrowException, OSError, ValueError, KeyError, binascii.Error):
        return False
    if len(owners) != copies.num_rows:
        # rows() kept only the indexed groups' copies: a copy of an unindexed group is
        # a lie too (such a group has no day, so nothing of it may be copied)
        return False
    counts = [spans.group_rows[group] for group in groups]
    group_of_row = np.repeat(np.array(groups, dtype=np.int32), counts)
    days = np.array([(days_of[group] - _EPOCH).days for group in groups], dtype=np.int32)
    day_of_row = np.repeat(days, counts)
    latest = pc.fill_null(rows["date_latest"].cast(pa.int32()), _OPEN_END).to_numpy()
    outliving = latest >= day_of_row
    expected = pa.table(
        {
            GROUP_COLUMN: pa.array(group_of_row[outliving], type=pa.int32()),
            **{name: rows[name].filter(pa.array(outliving)) for name in _KEY_COLUMNS},
        }
    )
    got = copies.append_column(GROUP_COLUMN, owners.cast(pa.int32()))
    got = got.select(expected.column_names)
    if got.num_rows != expected.num_rows:
        return False
    order = [(GROUP_COLUMN, "ascending"), ("id", "ascending")]
    try:
        got = got.cast(expected.schema)
    except (pa.ArrowException, ValueError, TypeError):
        return False
    return bool(got.sort_by(order).equals(expected.sort_by(order)))


def _copies_fit_statistics(metadata: Any, spans: LongSpans) -> bool:
    """Whether every copy's value of each flat column lies within its group's column
    statistics (and a null only where the group has nulls). Metadata and the copies
    only: a file whose other columns were rewritten keeps rows of the same ids and
    dates, and its statistics then rarely still hold the copies' old values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    first = metadata.row_group(0)
    where = {first.column(i).path_in_schema: i for i in range(first.num_columns)}
    flat = [name for name in where if "." not in name and name != GROUP_COLUMN]
    copies = spans.rows(range(len(spans.starts)), flat)
    if copies is None:
        return False
    owners = _owners(spans, flat).to_numpy(zero_copy_only=False)
    for group in sorted(set(owners.tolist())):
        mine = copies.filter(pa.array(owners == group))
        row_group = metadata.row_group(group)
        for name in flat:
            stats = row_group.column(where[name]).statistics
            values = mine[name]
            if stats is None:
                continue
            if values.null_count and stats.has_null_count and not stats.null_count:
                return False
            if not stats.has_min_max or values.null_count == len(values):
                continue
            try:
                bounds = pc.min_max(values)
                low, high = bounds["min"].as_py(), bounds["max"].as_py()
                if low < stats.min or high > stats.max:
                    return False
            except (TypeError, pa.ArrowException):
                continue  # a type the statistics do not compare (e.g. dictionary text)
    return True


def mismatches(handle: Any) -> list[str]:
    """What is wrong with the long-span index of an open ``pyarrow.parquet.ParquetFile``
    (an empty list when it has none, or when it holds exactly the rows it should):
    an index that does not fit the file, and copies that differ from the rows of
    their group that outlive its day (missing, changed or invented)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    metadata = handle.metadata
    entries = metadata.metadata or {}
    if not any(key.startswith(KEY_PREFIX) for key in entries):
        return []
    spans = read(metadata)
    if spans is None:
        return [
            "its long-span index (footer entries koreaevents:long_spans*) does not fit the "
            "file: the file was rewritten by another tool or the entries were changed"
        ]
    columns = [name for name in handle.schema_arrow.names]
    copies = spans.rows(range(len(spans.starts)), columns)
    if copies is None:
        return ["its long-span index cannot be read: the copied rows are damaged"]
    owners = _owners(spans, columns)
    problems = []
    for group, day in enumerate(spans.starts):
        mine = copies.filter(pc.equal(owners, group)) if len(owners) else copies.slice(0, 0)
        if day is None:
            if mine.num_rows:
                problems.append(f"row group {group} has no index day but {mine.num_rows} copies")
            continue
        rows = handle.read_row_group(group, columns=columns)
        latest = rows["date_latest"]
        outliving = pc.or_kleene(
            pc.is_null(latest), pc.greater_equal(latest, pa.scalar(day, pa.date32()))
        )
        expected = rows.filter(pc.fill_null(outliving, True))
        if not expected.cast(mine.schema).equals(mine):
            problems.append(
                f"row group {group}: the index holds {mine.num_rows} copies, the group "
                f"{expected.num_rows} rows ending on or after {day.isoformat()} (or never), "
                "and they differ: a query would miss or invent events"
            )
    return problems


def _owners(spans: LongSpans, columns: Sequence[str]) -> Any:
    """The ``__group`` column of the copies, in their order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = base64.b64decode(spans.entries[ROWS_KEY], validate=True)
    return pq.read_table(pa.BufferReader(data), columns=[GROUP_COLUMN])[GROUP_COLUMN]
