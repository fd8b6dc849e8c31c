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

Two footer entries (key-value metadata, ignored by other readers) hold it:

- ``koreaevents:long_spans_from``: a JSON list of ``from[g]``, an ISO day or null
  (this group is always read), one per row group;
- ``koreaevents:long_spans``: the copied rows as a Parquet file (same columns, plus
  ``__group``), base64-encoded: footer values must be text for some readers.

The copies do not change the rows, their order or what any other tool reads; queries
by :func:`koreaevents.events_between` use them when present and well formed (a day per
row group, copies that read and have no group with more copies than rows), and
decode the groups otherwise.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["FROM_KEY", "GROUP_COLUMN", "MAX_SHARE", "ROWS_KEY", "LongSpans", "build", "read"]

FROM_KEY: Final = b"koreaevents:long_spans_from"
ROWS_KEY: Final = b"koreaevents:long_spans"
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
    return {
        FROM_KEY: json.dumps(listed).encode(),
        ROWS_KEY: base64.b64encode(sink.getvalue().to_pybytes()),
    }


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
            table = pq.read_table(pa.BufferReader(data), columns=[*columns, GROUP_COLUMN])
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
    rows = tuple(metadata.row_group(group).num_rows for group in range(groups))
    return LongSpans(starts, rows, entries)
