"""Date ranges and filters over events, in memory and straight from Parquet.

One set of semantics, two engines. A query range is ``[start, end]``, both days
inclusive (an EDTF value such as ``"2024-01"`` stands for its whole span). An event
*overlaps* the range when its ``[earliest, latest]`` meets it (it may have happened
there) and lies *within* it when it is wholly inside (it certainly happened there). A
null bound of an event (an open or unknown end) is unbounded: such an event overlaps
every range on its known side and is never within a closed range.

- In memory, :class:`IntervalIndex` answers a range in O(log n + k): the events are
  kept sorted by their first day in classes of similar span (the longest-span trick,
  applied per power-of-two class so one long event does not slow every query), with
  open-ended events in lists of their own.
- On Parquet, :func:`events_between` turns the range and the scalar filters into a
  ``pyarrow.dataset`` expression, keeps only the row groups whose statistics can match
  (see :func:`scan_plan`), and applies the list-column filters (actors, tags, citing
  sources) to the rows read.

:class:`EventFilter` holds the non-date filters (event type, actor with its
descendants through ``parent``, role, country, verification status, tag, citing
source), checks their values, and applies them to records and to Arrow tables alike.
"""

from __future__ import annotations

import bisect
import datetime
import enum
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from koreaevents import vocab
from koreaevents.edtf import EdtfError, parse_edtf
from koreaevents.io import long_spans
from koreaevents.issues import DataError, Issue
from koreaevents.suggest import did_you_mean

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as pads

    from koreaevents.records import Event

__all__ = [
    "FILTER_NAMES",
    "MODES",
    "EventFilter",
    "FilterValue",
    "IntervalIndex",
    "ScanPlan",
    "date_range",
    "descendants",
    "event_in_range",
    "events_between",
    "precision_expression",
    "range_bound",
    "range_expression",
    "scan_plan",
]

MODES = ("overlaps", "within")

FILTER_NAMES = (
    "event_type",
    "actor",
    "role",
    "country",
    "status",
    "tag",
    "source",
    "precision",
)
"""The keyword filters that both :meth:`Dataset.events_between` and
:func:`events_between` accept, each taking one value or several."""

FilterValue = str | Iterable[str] | None
"""One filter value, several (any of them matches), or None for no filter."""

Matcher = Callable[[datetime.date | None, datetime.date | None, datetime.date, datetime.date], bool]

_COUNTRY_RE = re.compile(r"^[A-Z]{3}$")


# --- the range ------------------------------------------------------------------------


def range_bound(value: datetime.date | str | None, *, end: bool, name: str) -> datetime.date:
    """One bound of a query range: a date, an ISO day, or an EDTF value's first/last day.

    An omitted bound (``None``, ``""`` or ``".."``) or an EDTF value open on that side
    leaves the range open there: the earliest or latest day a date can name. A
    qualified value (``2020~``, ``2020?``) is refused with a ``ValueError``: its
    qualifier would be silently ignored.
    """
    if value is None:
        return datetime.date.max if end else datetime.date.min
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a date or an ISO date string, not {value!r:.60}")
    if value.strip() in ("", ".."):
        return datetime.date.max if end else datetime.date.min
    try:
        bounds = parse_edtf(value.strip())
    except EdtfError as exc:
        # the parser's reason helps with a near-date ("2024-02-30"), not with prose
        why = f" ({exc.reason})" if exc.reason and value.strip()[:1].isdigit() else ""
        raise ValueError(
            f"{name} {value!r:.60} is not a date{why}: use YYYY-MM-DD (or YYYY-MM, YYYY), "
            "or .. for an open end"
        ) from None
    if any(mark in value for mark in "?~%"):  # parse_edtf took them: only as qualifiers
        plain = "".join(char for char in value.strip() if char not in "?~%")
        raise ValueError(
            f"{name} {value!r:.60} carries an EDTF qualifier (? ~ %), which a range bound "
            f"cannot honour (it would be ignored): give the date without it, {plain!r:.60}, "
            "or widen the range yourself"
        )
    day = bounds.latest if end else bounds.earliest
    if day is None:
        return datetime.date.max if end else datetime.date.min
    return day


def date_range(
    start: datetime.date | str | None = None, end: datetime.date | str | None = None
) -> tuple[datetime.date, datetime.date]:
    """``(first day, last day)`` of a query range, an omitted bound left open;
    ``ValueError`` if start is after end."""
    low = range_bound(start, end=False, name="start")
    high = range_bound(end, end=True, name="end")
    if low > high:
        raise ValueError(f"start {low} is after end {high}")
    return low, high


def _overlaps(
    earliest: datetime.date | None,
    latest: datetime.date | None,
    low: datetime.date,
    high: datetime.date,
) -> bool:
    return (earliest is None or earliest <= high) and (latest is None or latest >= low)


def _within(
    earliest: datetime.date | None,
    latest: datetime.date | None,
    low: datetime.date,
    high: datetime.date,
) -> bool:
    return earliest is not None and latest is not None and low <= earliest and latest <= high


def _check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r:.60}")
    return mode


def event_in_range(mode: str) -> Matcher:
    """The test for a query mode: ``overlaps`` (may have happened in the range) or
    ``within`` (certainly happened in it)."""
    return _overlaps if _check_mode(mode) == "overlaps" else _within


# --- the in-memory index -------------------------------------------------------------


@attrs.define(slots=True)
class _SpanClass:
    """Closed intervals whose span (latest - earliest, in days) lies in one class."""

    max_span: int
    min_span: int
    earliest: list[int] = attrs.Factory(list)
    latest: list[int] = attrs.Factory(list)
    positions: list[int] = attrs.Factory(list)


class IntervalIndex:
    """Day intervals, some open-ended, answering range queries in O(log n + k).

    Built from ``(earliest, latest)`` pairs in the order of the records they belong to
    (the dataset's ``(earliest, id)`` order); queries return the positions of the
    matching pairs in that order. Closed intervals are grouped by span class (span 0,
    1, 2–3, 4–7, …): within a class every interval that meets ``[low, high]`` starts
    in ``[low - max_span, high]``, a slice found by bisection, so each class scans
    only the intervals near the range. Intervals with an open end are kept sorted by
    their known bound, and answer with a prefix or a suffix.
    """

    __slots__ = ("_classes", "_open_end", "_open_start", "_size", "_unbounded")

    def __init__(self, bounds: Iterable[tuple[datetime.date | None, datetime.date | None]]) -> None:
        classes: dict[int, _SpanClass] = {}
        open_end: tuple[list[int], list[int]] = ([], [])  # (earliest, position), sorted
        open_start: list[tuple[int, int]] = []  # (latest, position)
        unbounded: list[int] = []
        size = 0
        for position, (earliest, latest) in enumerate(bounds):
            size += 1
            if earliest is None and latest is None:
                unbounded.append(position)
            elif latest is None:
                assert earliest is not None
                day = earliest.toordinal()
                # the input is in earliest order; keep the list sorted regardless
                at = bisect.bisect_right(open_end[0], day)
                open_end[0].insert(at, day)
                open_end[1].insert(at, position)
            elif earliest is None:
                open_start.append((latest.toordinal(), position))
            else:
                first, last = earliest.toordinal(), latest.toordinal()
                span = last - first
                key = span.bit_length()
                bucket = classes.get(key)
                if bucket is None:
                    bucket = classes[key] = _SpanClass(
                        max_span=(1 << key) - 1, min_span=0 if key == 0 else 1 << (key - 1)
                    )
                if bucket.earliest and first < bucket.earliest[-1]:
                    at = bisect.bisect_right(bucket.earliest, first)
                    bucket.earliest.insert(at, first)
                    bucket.latest.insert(at, last)
                    bucket.positions.insert(at, position)
                else:
                    bucket.earliest.append(first)
                    bucket.latest.append(last)
                    bucket.positions.append(position)
        open_start.sort()
        self._classes = tuple(classes[key] for key in sorted(classes))
        self._open_end = open_end
        self._open_start = ([day for day, _ in open_start], [pos for _, pos in open_start])
        self._unbounded = unbounded
        self._size = size

    def __len__(self) -> int:
        return self._size

    def query(self, low: datetime.date, high: datetime.date, mode: str = "overlaps") -> list[int]:
        """Positions, ascending, of the intervals that overlap or lie within [low, high]."""
        if _check_mode(mode) == "overlaps":
            return self.overlapping(low, high)
        return self.within(low, high)

    def _slices(self, lo: int, hi: int, mode: str) -> list[tuple[_SpanClass, int, int]]:
        """For each span class, the slice of its intervals (by start) that may match."""
        found = []
        for bucket in self._classes:
            starts = bucket.earliest
            if mode == "overlaps":
                first = bisect.bisect_left(starts, lo - bucket.max_span)
                last = bisect.bisect_right(starts, hi, lo=first)
            else:
                if hi - lo < bucket.min_span:
                    break  # classes come by span: the rest are all too long
                first = bisect.bisect_left(starts, lo)
                last = bisect.bisect_right(starts, hi - bucket.min_span, lo=first)
            found.append((bucket, first, last))
        return found

    def examined(self, low: datetime.date, high: datetime.date, mode: str = "overlaps") -> int:
        """How many intervals a query looks at: those of the slices it scans, and the
        open-ended ones it returns. A full scan looks at all ``len(self)``."""
        lo, hi = low.toordinal(), high.toordinal()
        count = sum(last - first for _bucket, first, last in self._slices(lo, hi, mode))
        if _check_mode(mode) == "overlaps":
            count += len(self._unbounded)
            count += bisect.bisect_right(self._open_end[0], hi)
            count += len(self._open_start[0]) - bisect.bisect_left(self._open_start[0], lo)
        return count

    def overlapping(self, low: datetime.date, high: datetime.date) -> list[int]:
        """Positions, ascending, of the intervals that meet [low, high]."""
        lo, hi = low.toordinal(), high.toordinal()
        found: list[int] = list(self._unbounded)
        for bucket, first, last in self._slices(lo, hi, "overlaps"):
            if bucket.max_span == 0:  # one-day intervals: every start in range matches
                found.extend(bucket.positions[first:last])
            else:
                ends = bucket.latest
                positions = bucket.positions
                found.extend(positions[i] for i in range(first, last) if ends[i] >= lo)
        starts, positions = self._open_end
        found.extend(positions[: bisect.bisect_right(starts, hi)])
        ends, positions = self._open_start
        found.extend(positions[bisect.bisect_left(ends, lo) :])
        found.sort()  # concatenated sorted runs: timsort merges them in linear time
        return found

    def within(self, low: datetime.date, high: datetime.date) -> list[int]:
        """Positions, ascending, of the closed intervals wholly inside [low, high]."""
        lo, hi = low.toordinal(), high.toordinal()
        found: list[int] = []
        for bucket, first, last in self._slices(lo, hi, "within"):
            if bucket.max_span == 0:
                found.extend(bucket.positions[first:last])
            else:
                ends = bucket.latest
                positions = bucket.positions
                found.extend(positions[i] for i in range(first, last) if ends[i] <= hi)
        found.sort()
        return found


# --- the other filters ---------------------------------------------------------------


def descendants(roots: Iterable[str], parents: Mapping[str, str | None]) -> frozenset[str]:
    """The given actor ids and every actor below them through ``parent`` links."""
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found: set[str] = set()
    todo = list(roots)
    while todo:
        actor = todo.pop()
        if actor not in found:  # the set also guards against a cycle of parents
            found.add(actor)
            todo.extend(children.get(actor, ()))
    return frozenset(found)


def _values(name: str, value: FilterValue) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        items = [value]
    else:
        try:
            items = list(value)
        except TypeError:
            raise ValueError(
                f"{name} must be a string or a list of strings, not {value!r:.60}"
            ) from None
    if not items:
        raise ValueError(f"{name}: give at least one value (or None for no filter)")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{name} values must be non-empty strings, not {item!r:.60}")
    return frozenset(item.strip() for item in items)


def _unknown(
    name: str,
    values: Iterable[str],
    known: Collection[str],
    nearest: int = 1,
    *,
    always_list: bool = False,
) -> ValueError:
    missing = sorted(set(values) - set(known))
    hints = []
    guessed = True
    for value in missing:
        hint = did_you_mean(value, known, n=nearest)
        hints.append(f"{value!r}{hint}")
        guessed = guessed and bool(hint)
    message = f"unknown {name} {', '.join(hints)}"
    # no near miss (or a closed vocabulary): show what there is, once
    if (always_list or not guessed) and 0 < len(known) <= 40:
        message += f"; known: {', '.join(sorted(known))}"
    return ValueError(message)


def _vocab(name: str, value: FilterValue, terms_of: type[enum.StrEnum]) -> frozenset[str] | None:
    values = _values(name, value)
    if values is not None:
        terms = {term.value for term in terms_of}
        if not values <= terms:
            raise _unknown(name, values, terms, always_list=True)
    return values


@attrs.frozen(kw_only=True)
class EventFilter:
    """The non-date filters of a query, checked and normalised; None means no filter.

    Several values of one filter match any of them; different filters must all match.
    ``actors`` already holds the descendants of the actors asked for, and a ``role``
    applies to the same actor entry as ``actors`` when both are given.
    """

    event_types: frozenset[str] | None = None
    actors: frozenset[str] | None = None
    roles: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    sources: frozenset[str] | None = None
    precisions: frozenset[str] | None = None

    @classmethod
    def build(
        cls,
        *,
        event_type: FilterValue = None,
        actor: FilterValue = None,
        role: FilterValue = None,
        country: FilterValue = None,
        status: FilterValue = None,
        tag: FilterValue = None,
        source: FilterValue = None,
        precision: FilterValue = None,
        actor_parents: Mapping[str, str | None] | None = None,
        source_ids: Collection[str] | None = None,
        known_tags: Collection[str] | None = None,
    ) -> EventFilter:
        """Check the filter values and expand the actors to their descendants.

        ``actor_parents`` maps every known actor id to its parent: an actor not in it
        is a ``ValueError`` (most likely a typo); when it is None or empty, actors are
        matched exactly. ``source_ids``, when given and not empty, likewise checks
        ``source``; ``known_tags`` (the tags the events carry), ``tag``.
        """
        actors = _values("actor", actor)
        if actors is not None and actor_parents:
            if not actors <= actor_parents.keys():
                raise _unknown("actor", actors, actor_parents.keys())
            actors = descendants(actors, actor_parents)
        sources = _values("source", source)
        if sources is not None and source_ids and not sources <= set(source_ids):
            raise _unknown("source", sources, source_ids)
        tags = _values("tag", tag)
        if tags is not None and known_tags and not tags <= set(known_tags):
            raise _unknown("tag", tags, known_tags, nearest=3)
        countries = _values("country", country)
        if countries is not None:
            countries = frozenset(code.upper() for code in countries)
            bad = sorted(code for code in countries if not _COUNTRY_RE.match(code))
            if bad:
                raise ValueError(
                    f"country must be an ISO 3166-1 alpha-3 code such as PRK, not {bad[0]!r:.60}"
                )
        return cls(
            event_types=_vocab("event type", event_type, vocab.EventType),
            actors=actors,
            roles=_vocab("role", role, vocab.Role),
            countries=countries,
            statuses=_vocab("verification status", status, vocab.VerificationStatus),
            tags=tags,
            sources=sources,
            precisions=_vocab("date precision", precision, vocab.DatePrecision),
        )

    @property
    def empty(self) -> bool:
        """Whether no filter is set (every event passes)."""
        return all(getattr(self, field.name) is None for field in attrs.fields(type(self)))

    def matches(self, event: Event) -> bool:
        """Whether a record passes every filter."""
        if self.event_types is not None and event.event_type not in self.event_types:
            return False
        if self.statuses is not None and event.verification.status not in self.statuses:
            return False
        if self.countries is not None and event.location.country not in self.countries:
            return False
        if self.actors is not None or self.roles is not None:
            actors, roles = self.actors, self.roles
            if not any(
                (actors is None or part.actor in actors) and (roles is None or part.role in roles)
                for part in event.actors
            ):
                return False
        if self.tags is not None and self.tags.isdisjoint(event.tags):
            return False
        if self.precisions is not None and event.date.precision not in self.precisions:
            return False
        return self.sources is None or any(c.source in self.sources for c in event.citations)

    # --- Arrow ---

    def _scalar_filters(self) -> list[tuple[str, frozenset[str]]]:
        return [
            (column, values)
            for column, values in (
                ("event_type", self.event_types),
                ("verification_status", self.statuses),
                ("location_country", self.countries),
            )
            if values is not None
        ]

    def scalar_columns(self) -> tuple[str, ...]:
        """The columns that :meth:`expression` tests."""
        found = tuple(column for column, _values in self._scalar_filters())
        return found + (("date_edtf",) if self.precisions is not None else ())

    def expression(self) -> pc.Expression | None:
        """The scalar filters as a ``pyarrow`` expression, for predicate pushdown.

        The date precision is read from ``date_edtf`` itself, as :attr:`EventDate.precision
        <koreaevents.EventDate.precision>` reads it, not from the derived ``date_precision``
        column, which another tool may have left stale or dropped.
        """
        import pyarrow.compute as pc

        parts = [pc.field(column).isin(sorted(values)) for column, values in self._scalar_filters()]
        if self.precisions is not None:
            parts.append(precision_expression(self.precisions))
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part
        return combined

    def list_columns(self) -> tuple[str, ...]:
        """The list columns that :meth:`list_mask` reads."""
        needed = []
        if self.actors is not None or self.roles is not None:
            needed.append("actors")
        if self.tags is not None:
            needed.append("tags")
        if self.sources is not None:
            needed.append("citations")
        return tuple(needed)

    def list_mask(self, table: pa.Table) -> pa.ChunkedArray | None:
        """Which rows pass the list-column filters (actors, roles, tags, citing sources)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        mask: pa.Array | None = None
        # one chunk per column, so that list items and their rows line up
        if self.actors is not None or self.roles is not None:
            column = table["actors"].combine_chunks()
            items = pc.list_flatten(column)
            conditions = []
            if self.actors is not None:
                conditions.append(pc.is_in(pc.struct_field(items, "actor"), _set(self.actors)))
            if self.roles is not None:
                conditions.append(pc.is_in(pc.struct_field(items, "role"), _set(self.roles)))
            hit = conditions[0] if len(conditions) == 1 else pc.and_(*conditions)
            mask = _rows_with(column, hit, table.num_rows)
        if self.tags is not None:
            column = table["tags"].combine_chunks()
            hit = pc.is_in(pc.list_flatten(column), _set(self.tags))
            mask = _and(mask, _rows_with(column, hit, table.num_rows))
        if self.sources is not None:
            column = table["citations"].combine_chunks()
            hit = pc.is_in(pc.struct_field(pc.list_flatten(column), "source"), _set(self.sources))
            mask = _and(mask, _rows_with(column, hit, table.num_rows))
        return None if mask is None else pa.chunked_array([mask])


# The form of an accepted EDTF value of each precision (the value is known valid: only
# its shape is read). A single date ends in at most one qualifier; an interval has "/".
_PRECISION_PATTERNS = {
    "day": r"[0-9]{4}-[0-9]{2}-[0-9]{2}[?~%]?",
    "month": r"[0-9]{4}-[0-9]{2}[?~%]?",
    "year": r"[0-9]{4}[?~%]?",
    "interval": r"[^/]*/[^/]*",
}


def precision_expression(precisions: Collection[str]) -> pc.Expression:
    """A ``pyarrow`` expression keeping the rows whose ``date_edtf`` has one of these
    precisions (``day``, ``month``, ``year``, ``interval``)."""
    import pyarrow.compute as pc

    unknown = sorted(set(precisions) - set(_PRECISION_PATTERNS))
    if unknown:
        raise ValueError(
            f"unknown date precision {unknown[0]!r}: use {', '.join(_PRECISION_PATTERNS)}"
        )
    pattern = "|".join(_PRECISION_PATTERNS[name] for name in sorted(precisions))
    expression: pc.Expression = pc.match_substring_regex(pc.field("date_edtf"), f"^(?:{pattern})$")
    return expression


def _set(values: frozenset[str]) -> pa.Array:
    import pyarrow as pa

    return pa.array(sorted(values), pa.string())


def _rows_with(column: pa.Array, hit: Any, rows: int) -> pa.Array:
    """Rows of a list column with at least one item where ``hit`` (over the flattened
    items) is true."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    parents = pc.list_parent_indices(column)
    # a null comparison (a null item) counts as no match
    chosen = pc.filter(parents, pc.fill_null(hit, False))
    keep = np.zeros(rows, dtype=bool)
    keep[chosen.to_numpy()] = True
    return pa.array(keep)


def _and(mask: pa.Array | None, other: pa.Array) -> pa.Array:
    import pyarrow.compute as pc

    return other if mask is None else pc.and_(mask, other)


# --- Parquet -------------------------------------------------------------------------


def range_expression(low: datetime.date, high: datetime.date, mode: str) -> pc.Expression:
    """The date range as a ``pyarrow`` expression on ``date_earliest``/``date_latest``,
    with null bounds read as unbounded (so ``within`` never keeps them)."""
    import pyarrow.compute as pc

    earliest, latest = pc.field("date_earliest"), pc.field("date_latest")
    if _check_mode(mode) == "overlaps":
        return (earliest.is_null() | (earliest <= high)) & (latest.is_null() | (latest >= low))
    # earliest <= high and latest >= low follow from the two bounds (earliest <= latest)
    # but let row-group statistics skip groups on both sides even when one column
    # holds nulls, which pyarrow cannot prune on
    return (earliest >= low) & (earliest <= high) & (latest >= low) & (latest <= high)


@attrs.frozen
class _RowTest:
    """The test a row of a row group must pass: the range, then the filters."""

    low: datetime.date
    high: datetime.date
    mode: str
    event_filter: EventFilter

    def keep(self, table: pa.Table) -> pa.Table:
        """The rows of ``table`` (which holds the columns the test reads) that pass."""
        import pyarrow as pa
        import pyarrow.compute as pc

        # the range by compute kernels: an Acero filter costs more to start than to
        # run on one row group
        earliest, latest = table["date_earliest"], table["date_latest"]
        low, high = pa.scalar(self.low, pa.date32()), pa.scalar(self.high, pa.date32())
        if self.mode == "overlaps":
            starts = pc.or_kleene(pc.is_null(earliest), pc.less_equal(earliest, high))
            ends = pc.or_kleene(pc.is_null(latest), pc.greater_equal(latest, low))
            in_range = pc.and_kleene(starts, ends)
        else:
            inside = [
                pc.greater_equal(earliest, low),
                pc.less_equal(earliest, high),
                pc.greater_equal(latest, low),
                pc.less_equal(latest, high),
            ]
            in_range = pc.and_(pc.and_(inside[0], inside[1]), pc.and_(inside[2], inside[3]))
        table = table.filter(pc.fill_null(in_range, False))
        scalar = self.event_filter.expression()
        if scalar is not None:
            table = table.filter(scalar)
        mask = self.event_filter.list_mask(table)
        return table if mask is None else table.filter(mask)


@attrs.frozen
class ScanPlan:
    """What a Parquet query reads: the row groups that may hold matches, file by file.

    ``parts`` pairs each file's fragment with the ids of its row groups that the
    column statistics (and hive partition values) cannot rule out and that the query
    decodes; ``indexed`` with those whose matches are all in the file's long-span
    index (see :mod:`koreaevents.io.long_spans`), read from there instead.
    """

    parts: tuple[tuple[pads.ParquetFileFragment, tuple[int, ...]], ...]
    filter: pc.Expression
    schema: pa.Schema
    columns: tuple[str, ...]
    total_row_groups: int
    indexed: tuple[tuple[pads.ParquetFileFragment, tuple[int, ...]], ...] = ()

    @property
    def row_groups(self) -> int:
        """How many row groups the query decodes."""
        return sum(len(groups) for _fragment, groups in self.parts)


def _events_location(path: str | os.PathLike[str]) -> tuple[list[Path], Path]:
    """(events files, release folder) for a release, its events.parquet, its events/
    folder or a partition folder. In a release, the files are those its
    datapackage.json lists at or under the path, every listed file hash-checked."""
    from koreaevents.io.parquet import parquet_files_under, stem_files
    from koreaevents.io.release import listed_within

    target = Path(path)
    if not os.path.lexists(target):
        from koreaevents.io.atomic import missing_output_hint

        raise FileNotFoundError(f"no Parquet dataset at {target}{missing_output_hint(target)}")
    within = listed_within(target, "events")
    if within is not None:
        return within
    if not target.is_dir():
        return [target], target.parent
    if stem_files(target, "events"):
        return stem_files(target, "events"), target
    inside = parquet_files_under(target)
    if inside:
        return inside, target.parent  # the events folder itself
    raise FileNotFoundError(f"no events Parquet (events.parquet or events/) in {target}")


def _stem_columns(release: Path, stem: str, columns: list[str]) -> pa.Table | None:
    """Some columns of the files of another stem of a release; None when it has none."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from koreaevents.io.parquet import parquet_problem, stem_files
    from koreaevents.io.release import regular_file_problem, verified_files

    files = verified_files(release, stem)
    tables = []
    for file in stem_files(release, stem) if files is None else files:
        problem = regular_file_problem(file)
        if problem is not None:
            raise DataError([Issue("io", f"{file.name} {problem}", path=str(file))])
        try:
            tables.append(pq.read_table(file, columns=columns).select(columns))
        except (pa.ArrowException, OSError, ValueError, KeyError) as exc:
            message = f"cannot read {file.name}: {parquet_problem(exc)}"
            raise DataError([Issue("io", message, path=str(file))], message) from None
    if not tables:
        return None
    return pa.concat_tables(tables, promote_options="permissive")


def _read_parents(release: Path) -> dict[str, str | None]:
    table = _stem_columns(release, "actors", ["id", "parent"])
    if table is None:
        return {}
    return dict(zip(table["id"].to_pylist(), table["parent"].to_pylist(), strict=True))


def _read_source_ids(release: Path) -> list[str]:
    table = _stem_columns(release, "sources", ["id"])
    if table is None:
        raise DataError(
            [
                Issue(
                    "io",
                    f"the release {release} is partial: it has no sources file "
                    "(sources.parquet), so the source filter cannot be applied",
                    path=str(release),
                )
            ]
        )
    ids: list[str] = table["id"].to_pylist()
    return ids


def _filter_for(release: Path, filters: Mapping[str, FilterValue]) -> EventFilter:
    unknown = set(filters) - set(FILTER_NAMES)
    if unknown:
        raise TypeError(f"unknown filter(s) {', '.join(sorted(unknown))}")
    return EventFilter.build(
        **filters,
        actor_parents=_read_parents(release) if filters.get("actor") is not None else None,
        source_ids=_read_source_ids(release) if filters.get("source") is not None else None,
        known_tags=_read_tags(release) if filters.get("tag") is not None else None,
    )


def _read_tags(release: Path) -> set[str]:
    """Every tag the events of a release carry."""
    import pyarrow.compute as pc

    files, _release = _events_location(release)
    tags: set[str] = set()
    for file in files:
        table = _stem_file_column(file, "tags")
        if table is not None:
            tags.update(value for value in pc.unique(pc.list_flatten(table)).to_pylist() if value)
    return tags


def _stem_file_column(file: Path, column: str) -> pa.ChunkedArray | None:
    """One column of one Parquet file (None when the file lacks it)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from koreaevents.io.parquet import parquet_problem
    from koreaevents.io.release import regular_file_problem

    problem = regular_file_problem(file)
    if problem is not None:
        raise DataError([Issue("io", f"{file.name} {problem}", path=str(file))])
    try:
        if column not in pq.read_schema(file).names:
            return None
        return pq.read_table(file, columns=[column])[column]
    except (pa.ArrowException, OSError, ValueError, KeyError) as exc:
        message = f"cannot read {file.name}: {parquet_problem(exc)}"
        raise DataError([Issue("io", message, path=str(file))], message) from None


def scan_plan(
    path: str | os.PathLike[str],
    start: datetime.date | str | None = None,
    end: datetime.date | str | None = None,
    *,
    mode: str = "overlaps",
    columns: Sequence[str] | None = None,
    event_filter: EventFilter | None = None,
) -> ScanPlan:
    """The row groups of a Parquet release's events that a query must read.

    Each file's row groups are tested against their column statistics; only those
    that may hold a match are kept. :func:`events_between` reads exactly these.
    """
    low, high = date_range(start, end)
    files, _release = _events_location(path)
    fragments, schema = _fragments(files, _release)
    if columns is None:
        wanted = tuple(schema.names)
    else:
        wanted = tuple(columns)
        unknown = [name for name in wanted if name not in schema.names]
        if unknown:
            raise ValueError(
                f"unknown column(s) {', '.join(map(repr, unknown))}: the events have "
                f"{', '.join(schema.names)}"
            )
    expression = range_expression(low, high, mode)
    scalar = (event_filter or EventFilter()).expression()
    if scalar is not None:
        expression = expression & scalar
    parts = []
    indexed = []
    total = 0
    for fragment in fragments:
        fragment.ensure_complete_metadata()
        metadata = fragment.metadata
        total += metadata.num_row_groups
        candidates: Iterable[int] = range(metadata.num_row_groups)
        if scalar is not None:
            # pyarrow tests the filters against the statistics (it gives up on a
            # column holding any null, so the dates are tested below, nulls read as
            # the open bounds they are)
            candidates = [group.id for group in fragment.subset(filter=scalar).row_groups]
        dates = _DateStatistics(metadata)
        groups = tuple(group for group in candidates if dates.may_match(group, low, high, mode))
        spans = long_spans.trusted(fragment.path, metadata)
        skipped = () if spans is None else spans.skippable(groups, low)
        if skipped:
            indexed.append((fragment, skipped))
            groups = tuple(group for group in groups if group not in skipped)
        if groups:
            parts.append((fragment, groups))
    return ScanPlan(tuple(parts), expression, schema, wanted, total, tuple(indexed))


def _fragments(
    files: Sequence[Path], release: Path | None = None
) -> tuple[list[pads.ParquetFileFragment], pa.Schema]:
    """The fragments of the events files and their schema (without hive partition
    columns, and without the long-span index in its metadata). A file that is not a
    regular file is never opened; date columns must be ``date32``."""
    import pyarrow as pa
    import pyarrow.dataset as pads
    import pyarrow.fs as pafs

    from koreaevents.arrow import arrow_schema
    from koreaevents.io.parquet import date_type_issue, parquet_problem
    from koreaevents.io.release import regular_file_problem

    expected = arrow_schema("events")
    file_format = pads.ParquetFileFormat()
    filesystem = pafs.LocalFileSystem()
    fragments = []
    problems: list[Issue] = []
    schema: pa.Schema | None = None
    for file in files:
        problem = regular_file_problem(file)
        if problem is not None:
            problems.append(Issue("io", f"{file.name} {problem}", path=str(file)))
            continue
        try:
            # one file at a time: no dataset discovery, and each footer is read once
            fragment = file_format.make_fragment(str(file.resolve()), filesystem=filesystem)
            physical = fragment.physical_schema
        except (pa.ArrowException, OSError, ValueError) as exc:
            message = f"cannot read {file.name}: {parquet_problem(exc)}"
            problems.append(Issue("io", message, path=str(file)))
            continue
        for name in ("date_earliest", "date_latest"):
            if name in physical.names and not pa.types.is_date32(physical.field(name).type):
                problems.append(date_type_issue(file, name, physical.field(name).type))
        # hive keys are the folders inside the release only: a folder named k=v
        # above it (where the user keeps the release) is no partition
        try:
            inner = file.parent.relative_to(release).parts if release is not None else ()
        except ValueError:
            inner = ()
        keys = {part.split("=", 1)[0] for part in inner if "=" in part}
        problems.extend(_column_issues(file, _schema_without(physical, keys), expected))
        fragments.append(fragment)
        if schema is None:
            schema = _schema_without(physical, keys)
    if problems:
        raise DataError(problems, f"cannot query: {problems[0].message}")
    if schema is None:
        schema = arrow_schema("events")
    return fragments, schema.with_metadata(long_spans.without_index(schema.metadata) or {})


def _column_issues(file: Path, physical: pa.Schema, expected: pa.Schema) -> list[Issue]:
    """The columns of an events file that ``load`` would refuse, in load's words:
    missing ones (a derived column may be missing: older releases lack it),
    unexpected ones, and types that do not cast to the expected type."""
    import pyarrow as pa

    from koreaevents.arrow import derived_columns

    derived = {column.name for column in derived_columns("events")}
    found = [
        Issue("schema", f"column {name!r} is missing", path=str(file))
        for name in expected.names
        if name not in physical.names and name not in derived
    ]
    for field in physical:
        if field.name not in expected.names:
            found.append(Issue("schema", f"unexpected column {field.name!r}", path=str(file)))
            continue
        want = expected.field(field.name).type
        if field.type.equals(want) or pa.types.is_date32(want):
            continue  # date types are checked above
        try:
            pa.array([], type=field.type).cast(want)
        except (pa.ArrowException, ValueError, TypeError):
            found.append(
                Issue(
                    "schema",
                    f"column {field.name!r} has type {field.type}, expected {want}",
                    path=str(file),
                )
            )
    return found


class _DateStatistics:
    """The statistics of a file's date columns, row group by row group."""

    def __init__(self, metadata: Any) -> None:
        self.metadata = metadata
        paths = (
            [metadata.row_group(0).column(i).path_in_schema for i in range(metadata.num_columns)]
            if metadata.num_row_groups
            else []
        )
        self.earliest = paths.index("date_earliest") if "date_earliest" in paths else None
        self.latest = paths.index("date_latest") if "date_latest" in paths else None

    def _stats(self, group: int, index: int | None) -> tuple[Any, Any, int] | None:
        """(min, max, null count) of a column in a row group; None when unknown."""
        if index is None:
            return None
        stats = self.metadata.row_group(group).column(index).statistics
        if stats is None or not stats.has_null_count:
            return None
        if not stats.has_min_max:
            return (None, None, stats.null_count)
        return (stats.min, stats.max, stats.null_count)

    def may_match(self, group: int, low: datetime.date, high: datetime.date, mode: str) -> bool:
        """Whether a row group's date statistics allow a match; True when unsure."""
        earliest = self._stats(group, self.earliest)
        latest = self._stats(group, self.latest)
        if earliest is None or latest is None:
            return True
        (e_min, e_max, e_nulls), (l_min, l_max, l_nulls) = earliest, latest
        if mode == "overlaps":
            starts_in_time = e_nulls > 0 or (e_min is not None and e_min <= high)
            ends_in_time = l_nulls > 0 or (l_max is not None and l_max >= low)
            return starts_in_time and ends_in_time
        if e_min is None or l_min is None:
            return False  # all nulls: open ends are never within a closed range
        return bool(e_max >= low and e_min <= high and l_max >= low and l_min <= high)


def _schema_without(schema: pa.Schema, names: Collection[str]) -> pa.Schema:
    """A schema without some fields (the hive partition columns)."""
    for name in names:
        if name in schema.names:
            schema = schema.remove(schema.get_field_index(name))
    return schema


def events_between(
    path: str | os.PathLike[str],
    start: datetime.date | str | None = None,
    end: datetime.date | str | None = None,
    *,
    mode: str = "overlaps",
    columns: Sequence[str] | None = None,
    event_type: FilterValue = None,
    actor: FilterValue = None,
    role: FilterValue = None,
    country: FilterValue = None,
    status: FilterValue = None,
    tag: FilterValue = None,
    source: FilterValue = None,
    precision: FilterValue = None,
) -> pa.Table:
    """Events of a built (Parquet) release in a date range, as a ``pyarrow.Table``.

    The same answer as :meth:`Dataset.events_between` on the loaded release, without
    loading it: the range and the scalar filters are pushed down to the Parquet
    reader, so row groups that cannot match are skipped, and in the row groups read
    the other columns are decoded only where some row matches.
    ``path`` is the release folder, its ``events.parquet``, or its hive-partitioned
    ``events/`` folder.

    Rows come ordered by ``(date_earliest, id)``, a null ``date_earliest`` first;
    ``columns`` picks columns (default: every column of the files, without hive
    partition columns). Filters take one value or several: ``event_type``, ``actor``
    (with its descendants through ``parent``), ``role``, ``country``, ``status``
    (verification), ``tag``, ``source`` (a citing source) and ``precision`` (of the
    date: ``day``, ``month``, ``year`` or ``interval``, read from ``date_edtf``).
    Raises ``ValueError``
    for a bad date, a start after the end, an unknown mode, column or filter value,
    and ``FileNotFoundError`` when there are no events files.
    """
    import pyarrow as pa

    low, high = date_range(start, end)
    _check_mode(mode)
    _files, release = _events_location(path)
    filters = {
        "event_type": event_type,
        "actor": actor,
        "role": role,
        "country": country,
        "status": status,
        "tag": tag,
        "source": source,
        "precision": precision,
    }
    event_filter = _filter_for(release, {k: v for k, v in filters.items() if v is not None})
    plan = scan_plan(path, low, high, mode=mode, columns=columns, event_filter=event_filter)
    # first the columns that decide which rows match, then the rest of those rows only
    tested = {"date_earliest", "date_latest"}
    tested.update(event_filter.scalar_columns(), event_filter.list_columns())
    deciding = [name for name in plan.schema.names if name in tested]
    rest = [name for name in (*plan.columns, "id") if name not in deciding]
    rest = list(dict.fromkeys(rest))
    parts = list(plan.parts)
    found = []
    test = _RowTest(low, high, mode, event_filter)
    try:
        for fragment, groups in plan.indexed:
            copies = _indexed_matches(fragment, groups, [*deciding, *rest], test)
            if copies is None:  # an index that cannot be read: decode the groups instead
                parts.append((fragment, groups))
            elif copies.num_rows:
                found.append(copies)
        for fragment, groups in parts:
            found.extend(_read_matches(fragment, groups, deciding, rest, test))
        table = _concat(found) if found else plan.schema.empty_table().select([*deciding, *rest])
    except (pa.ArrowException, OSError) as exc:
        # e.g. a file replaced while it was read (a build into the same folder)
        from koreaevents.io.parquet import parquet_problem

        message = (
            f"cannot read the events of {path}: {parquet_problem(exc)}; if a build was "
            "writing there, query again once it is done"
        )
        raise DataError([Issue("io", message, path=str(path))], message) from None
    result: pa.Table = _sorted(table).select(list(plan.columns))
    return result


def _indexed_matches(
    fragment: pads.ParquetFileFragment,
    groups: Sequence[int],
    columns: Sequence[str],
    test: _RowTest,
) -> pa.Table | None:
    """The matching rows of some row groups, from the file's long-span index; None
    when the index cannot be read or does not have the file's columns."""
    import pyarrow as pa

    spans = long_spans.trusted(fragment.path, fragment.metadata)
    copies = None if spans is None else spans.rows(groups, columns)
    if copies is None:
        return None
    schema = fragment.physical_schema
    if any(copies.schema.field(name).type != schema.field(name).type for name in columns):
        return None
    copies = test.keep(copies)
    return pa.Table.from_arrays(copies.columns, schema=_schema_of(schema, list(columns)))


def _few_valued_columns(metadata: Any, groups: Sequence[int]) -> list[str]:
    """The text leaf columns (dotted paths) whose values repeat in these row groups.

    A column qualifies when every chunk is dictionary-encoded and the dictionary pages
    take under a third of the chunks' bytes, so that each value serves several rows
    (ids and titles fail: a release writes them without a dictionary, and other
    writers' dictionaries of them overflow into plain text). The test reads the
    file's metadata only, so it holds for files written by any tool.
    Read as dictionaries, these columns skip building a string per row of the row
    group, most of which a narrow query then drops; only the kept rows are decoded.
    """
    sizes: dict[str, list[int]] = {}
    for group in groups:
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            column = row_group.column(index)
            if column.physical_type != "BYTE_ARRAY":
                continue
            entry = sizes.setdefault(column.path_in_schema, [0, 0])
            start = column.dictionary_page_offset if column.has_dictionary_page else None
            if start is None or not 0 < start < column.data_page_offset:
                entry[0] = -1  # a chunk without a dictionary: plain text
            elif entry[0] >= 0:
                entry[0] += column.data_page_offset - start
            entry[1] += column.total_compressed_size
    return [path for path, (dictionary, total) in sizes.items() if 0 <= 3 * dictionary < total]


def _read_matches(
    fragment: pads.ParquetFileFragment,
    groups: Sequence[int],
    deciding: Sequence[str],
    rest: Sequence[str],
    test: _RowTest,
) -> list[pa.Table]:
    """The matching rows of some row groups of one file, a table per group with any.

    The deciding columns are read and tested first; the other columns only of the
    groups with a match, and text that repeats as dictionaries, decoded for the kept
    rows only. Rows are sorted by their first day, so the matches often end early in
    a group: such a group is decoded only up to its last match.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = fragment.physical_schema
    metadata = fragment.metadata

    def reader(dictionaries: list[str]) -> Any:
        return pq.ParquetFile(
            fragment.path,
            filesystem=fragment.filesystem,
            metadata=metadata,
            read_dictionary=dictionaries,
        )

    encoded = reader(_few_valued_columns(metadata, groups))
    plain: list[Any] = []  # a reader without dictionaries, made when first needed

    def read(group: int, columns: Sequence[str], rows: Any = None) -> pa.Table:
        # a dictionary that changes inside a chunk (a writer's fallback to plain
        # text) cannot be read into a nested column as one array: read it as text
        try:
            return _read_rows(encoded, group, columns, rows)
        except pa.ArrowNotImplementedError:
            if not plain:
                plain.append(reader([]))
            return _read_rows(plain[0], group, columns, rows)

    matches: dict[int, tuple[pa.Table, Any]] = {}
    for group in groups:
        keys = read(group, deciding)
        keys = keys.append_column("__row", pa.array(np.arange(keys.num_rows, dtype=np.int64)))
        keys = test.keep(keys)
        if keys.num_rows:
            # ascending positions: filters keep the order
            matches[group] = (keys.drop_columns(["__row"]), keys["__row"].to_numpy())
    tables = []
    for group, (table, rows) in matches.items():
        if rest:
            empty = _empty_columns(metadata, group, schema, rest)
            extra = read(group, [name for name in rest if name not in empty], rows)
            for name in rest:
                if name in empty:
                    field = schema.field(name)
                    table = table.append_column(field, _empty_column(field.type, len(rows)))
                else:
                    table = table.append_column(extra.schema.field(name), extra[name])
        # columns read as dictionaries go back to the file's types, now on few rows
        types = [schema.field(name).type for name in table.column_names]
        decoded = [
            column if column.type == kind else column.cast(kind)
            for column, kind in zip(table.columns, types, strict=True)
        ]
        tables.append(pa.Table.from_arrays(decoded, schema=_schema_of(schema, table.column_names)))
    return tables


def _empty_columns(metadata: Any, group: int, schema: pa.Schema, names: Sequence[str]) -> set[str]:
    """The columns of a row group that hold nothing, by its statistics: a nullable
    column all null, or a list column that cannot be null whose every row is an empty
    list (a value every item must have is absent from every row).

    Such columns are built rather than decoded: pyarrow spends about as long on an
    empty column chunk as on a small full one, and unused optional fields are common.
    """
    import pyarrow as pa

    row_group = metadata.row_group(group)
    absent = set()
    for index in range(row_group.num_columns):
        column = row_group.column(index)
        stats = column.statistics
        if stats is not None and stats.has_null_count and stats.null_count == column.num_values:
            absent.add(column.path_in_schema)
    found = set()
    for name in names:
        field = schema.field(name)
        if pa.types.is_list(field.type):
            item = field.type.value_field
            if not field.nullable and any(
                leaf in absent for leaf in _required_leaves(f"{name}.list.element", item)
            ):
                found.add(name)
        elif field.nullable and not pa.types.is_nested(field.type) and name in absent:
            found.add(name)
    return found


def _required_leaves(path: str, field: pa.Field) -> list[str]:
    """The Parquet paths of the leaf values that every ``field`` value holds."""
    import pyarrow as pa

    if field.nullable or pa.types.is_list(field.type):
        return []
    if pa.types.is_struct(field.type):
        return [
            leaf for child in field.type for leaf in _required_leaves(f"{path}.{child.name}", child)
        ]
    return [path]


def _empty_column(kind: pa.DataType, rows: int) -> pa.Array:
    """``rows`` nulls, or empty lists for a list type."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_list(kind):
        offsets = pa.array(np.zeros(rows + 1, dtype=np.int32))
        return pa.ListArray.from_arrays(offsets, pa.array([], type=kind.value_type), type=kind)
    return pa.nulls(rows, type=kind)


_BATCH_ROWS = 8192


def _read_rows(handle: Any, group: int, columns: Sequence[str], rows: Any = None) -> pa.Table:
    """Some rows (ascending positions, a numpy array; None for all) of some columns
    of a row group.

    Rows are sorted by their first day, so the matches of a range tend to end well
    before the end of a row group: when the last is in the first half, decoding stops
    at the batch that holds it, and each batch gives up its rows on its own (a take
    across batches would first copy them all into one). Otherwise the group is read
    whole, its columns decoded in parallel.
    """
    import numpy as np
    import pyarrow as pa

    columns = list(columns)
    size = handle.metadata.row_group(group).num_rows
    if rows is None or rows[-1] >= size // 2:
        table = handle.read_row_group(group, columns=columns)
        return table if rows is None else table.take(pa.array(rows))
    pieces = []
    first = 0
    last = int(rows[-1])
    for batch in handle.iter_batches(batch_size=_BATCH_ROWS, row_groups=[group], columns=columns):
        end = first + batch.num_rows
        lo, hi = np.searchsorted(rows, [first, end])
        if hi > lo:
            pieces.append(batch.take(pa.array(rows[lo:hi] - first)))
        first = end
        if first > last:
            break
    return pa.Table.from_batches(pieces)


def _schema_of(schema: pa.Schema, names: Sequence[str]) -> pa.Schema:
    """The file's fields (types and metadata) for these columns, in this order."""
    import pyarrow as pa

    fields = [schema.field(name) for name in names]
    return pa.schema(fields, metadata=long_spans.without_index(schema.metadata))


def _concat(tables: Sequence[pa.Table]) -> pa.Table:
    """Tables of the same columns, one after the other."""
    import pyarrow as pa

    if len(tables) == 1:
        return tables[0]
    first = tables[0].schema
    # files written by other tools may differ in nullability or string width
    return pa.concat_tables([t if t.schema.equals(first) else t.cast(first) for t in tables])


def _sorted(table: pa.Table) -> pa.Table:
    """Rows by (date_earliest, id), a null date first.

    Rows read from one sorted file in order are in that order already: they are then
    returned as they are, not copied.
    """
    import numpy as np

    from koreaevents.io.parquet import sort_indices

    order = sort_indices("events", table)
    if np.array_equal(order.to_numpy(), np.arange(len(order))):
        return table
    return table.take(order)
