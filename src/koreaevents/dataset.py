"""The Dataset container: the record tuples, lookup by id, integrity, navigation."""

from __future__ import annotations

import datetime
import enum
import types
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from koreaevents.issues import DataError
from koreaevents.query import EventFilter, FilterValue, IntervalIndex, date_range, event_in_range
from koreaevents.query import descendants as descendants_of
from koreaevents.records import RECORD_TYPES, Actor, Analysis, Event, Record, Retired, Source
from koreaevents.references import ReferenceIndex

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = ["TIMELINE_PERIODS", "Dataset", "event_sort_key", "vocabulary_columns"]

STEMS = tuple(cls.STEM for cls in RECORD_TYPES.values())
"""Every file stem, in reading order: ``events``, ``sources``, ``analyses``, ``actors``,
``retired``."""


def event_sort_key(event: Event) -> tuple[bool, datetime.date, str]:
    """Events sort by (earliest day, id); an open start sorts first, before any day
    (as in Parquet, where it is a null placed first), 0001-01-01 included."""
    earliest = event.date.earliest
    return (earliest is not None, earliest or datetime.date.min, event.id)


class Dataset:
    """A consistent set of events, sources, analyses and actors, and the retired ids.

    ``events`` are ordered by ``(date.earliest, id)``, the others by id. ``retired``
    holds the tombstones of records that earlier versions removed: they are not
    records (``records()``, ``len`` and ``in`` leave them out), but :meth:`get` of a
    retired id says what became of it. Building a dataset checks that ids are unique,
    that no retired id is in use and that every reference resolves; a
    :class:`~koreaevents.DataError` lists every problem at once.
    """

    __slots__ = (
        "_by_id",
        "_cache",
        "_retired_by_id",
        "actors",
        "analyses",
        "events",
        "metadata",
        "retired",
        "sources",
    )

    events: tuple[Event, ...]
    sources: tuple[Source, ...]
    analyses: tuple[Analysis, ...]
    actors: tuple[Actor, ...]
    retired: tuple[Retired, ...]
    metadata: dict[str, Any]

    def __init__(
        self,
        events: Iterable[Event] = (),
        sources: Iterable[Source] = (),
        analyses: Iterable[Analysis] = (),
        actors: Iterable[Actor] = (),
        retired: Iterable[Retired] = (),
        *,
        metadata: dict[str, Any] | None = None,
        check: bool = True,
    ) -> None:
        self.events = tuple(sorted(events, key=event_sort_key))
        self.sources = tuple(sorted(sources, key=lambda record: record.id))
        self.analyses = tuple(sorted(analyses, key=lambda record: record.id))
        self.actors = tuple(sorted(actors, key=lambda record: record.id))
        self.retired = tuple(sorted(retired, key=lambda record: record.id))
        self.metadata = dict(metadata or {})
        self._by_id: dict[str, Record] = {}
        self._cache: _Links | None = None
        for record in self.records():
            self._by_id.setdefault(record.id, record)
        self._retired_by_id = {entry.id: entry for entry in self.retired}
        if check:
            index = ReferenceIndex()
            for record in self.records():
                index.add(record.TYPE, record)
            for entry in self.retired:
                index.add(entry.TYPE, entry)
            issues = index.issues()
            if issues:
                raise DataError(issues, "the dataset is inconsistent")

    # --- access -------------------------------------------------------------------

    def records(self) -> Iterator[Event | Source | Analysis | Actor]:
        """Every record: events, sources, analyses, then actors (not the retired ids)."""
        yield from self.events
        yield from self.sources
        yield from self.analyses
        yield from self.actors

    def stem(self, stem: str) -> tuple[Record, ...]:
        """The records of one file stem (``events``, ``sources``, ``analyses``, ``actors``,
        ``retired``)."""
        if stem not in STEMS:
            raise KeyError(f"unknown stem {stem!r}: expected one of {', '.join(STEMS)}")
        records: tuple[Record, ...] = getattr(self, stem)
        return records

    def get(self, record_id: str) -> Record:
        """The record with this id, of any type; ``KeyError`` if there is none.

        For a retired id the ``KeyError`` says so: in which version it was retired,
        why, and which record replaces it.
        """
        try:
            return self._by_id[record_id]
        except KeyError:
            entry = self._retired_by_id.get(record_id)
            if entry is not None:
                raise KeyError(retired_message(entry)) from None
            raise KeyError(f"no record with id {record_id!r}") from None

    def retired_ids(self) -> frozenset[str]:
        """The ids that earlier versions removed: never to be used again."""
        return frozenset(self._retired_by_id)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)

    def __repr__(self) -> str:
        return (
            f"<Dataset {self.name} {self.version or ''}: {len(self.events)} events, "
            f"{len(self.sources)} sources, {len(self.analyses)} analyses, "
            f"{len(self.actors)} actors>"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return all(getattr(self, stem) == getattr(other, stem) for stem in STEMS)

    __hash__ = None  # type: ignore[assignment]

    @property
    def name(self) -> str:
        """The dataset's name, from its datapackage.json."""
        return str(self.metadata.get("name", "koreaevents"))

    @property
    def version(self) -> str | None:
        """The dataset's SemVer version, from its datapackage.json."""
        version = self.metadata.get("version")
        return None if version is None else str(version)

    # --- queries ------------------------------------------------------------------

    def _links(self) -> _Links:
        """The lookup tables for queries and navigation, built on first use so that
        building a dataset stays cheap."""
        links = self._cache
        if links is None:
            links = self._cache = _Links(self)
        return links

    def events_between(
        self,
        start: datetime.date | str | None = None,
        end: datetime.date | str | None = None,
        *,
        mode: str = "overlaps",
        event_type: FilterValue = None,
        actor: FilterValue = None,
        role: FilterValue = None,
        country: FilterValue = None,
        status: FilterValue = None,
        tag: FilterValue = None,
        source: FilterValue = None,
        precision: FilterValue = None,
    ) -> tuple[Event, ...]:
        """Events in a date range, both bounds inclusive, ordered by (earliest, id).

        ``mode="overlaps"`` (the default) keeps events that may have happened in the
        range (their [earliest, latest] meets it); ``mode="within"`` keeps those that
        certainly did (it lies wholly inside). Dates are ``datetime.date`` or ISO
        strings; an EDTF value stands for its whole span (``"2024-01"``: that month).
        Either bound may be omitted (``None``) or given as ``".."`` for an open range.
        An open bound of an event counts as unbounded.

        Filters take one value or a list of values (any of which matches); all given
        filters must match: ``event_type``; ``actor`` (an actor id, which also finds
        the actors below it through ``parent``: ``"prk"`` finds ``prk-kim-jong-un``);
        ``role`` (of that actor, when both are given); ``country`` (ISO alpha-3 of the
        location); ``status`` (verification); ``tag``; ``source`` (a citing source);
        ``precision`` (of the date: ``day``, ``month``, ``year`` or ``interval``, see
        :attr:`EventDate.precision <koreaevents.EventDate.precision>`).
        The range lookup uses an index: O(log n + k) for k events found.

        Raises ``ValueError`` for a bad date, a start after the end, an unknown mode
        or an unknown filter value (an event type, role, status, actor id, source id
        or tag that does not exist).
        """
        low, high = date_range(start, end)
        event_in_range(mode)  # a bad mode fails before the index is built
        links = self._links()
        event_filter = EventFilter.build(
            event_type=event_type,
            actor=actor,
            role=role,
            country=country,
            status=status,
            tag=tag,
            source=source,
            precision=precision,
            actor_parents=links.parents,
            source_ids=links.source_ids,
            known_tags=links.tags if tag is not None else None,
        )
        events = self.events
        found = (events[position] for position in links.index.query(low, high, mode))
        if event_filter.empty:
            return tuple(found)
        return tuple(event for event in found if event_filter.matches(event))

    # --- navigation ---------------------------------------------------------------

    def _event(self, event: Event | str) -> Event:
        record = self.get(event) if isinstance(event, str) else event
        if not isinstance(record, Event):
            raise KeyError(f"{getattr(record, 'id', record)!r} is not an event")
        return record

    def sources_for(self, event: Event | str) -> tuple[Source, ...]:
        """The sources an event cites, in the order it cites them (each once).

        ``event`` is an event or its id; ``KeyError`` if there is no such event.
        """
        record = self._event(event)
        ids = dict.fromkeys(citation.source for citation in record.citations)
        return tuple(
            source for source in (self._by_id.get(i) for i in ids) if isinstance(source, Source)
        )

    def analyses_about(self, event: Event | str) -> tuple[Analysis, ...]:
        """The analyses (theories, assessments, forecasts) about an event, by id."""
        record = self._event(event)
        return self._links().analyses_about.get(record.id, ())

    def events_by(
        self,
        actor: Actor | str,
        *,
        role: FilterValue = None,
        descendants: bool = True,
    ) -> tuple[Event, ...]:
        """The events an actor takes part in, ordered by (earliest, id).

        With ``descendants`` (the default) the actors below it through ``parent``
        count too (``"prk"`` finds the events of ``prk-kim-jong-un``); ``role``
        keeps only the events where one of those actors has that role. ``KeyError``
        for an actor that is not in the dataset.
        """
        actor_id = actor if isinstance(actor, str) else actor.id
        links = self._links()
        if actor_id not in links.parents and actor_id not in links.by_actor:
            raise KeyError(f"no actor with id {actor_id!r}")
        ids = descendants_of([actor_id], links.parents) if descendants else frozenset([actor_id])
        positions = sorted({p for i in ids for p in links.by_actor.get(i, ())})
        events = tuple(self.events[p] for p in positions)
        if role is None:
            return events
        check = EventFilter.build(actor=sorted(ids), role=role)
        return tuple(event for event in events if check.matches(event))

    def timeline(
        self, by: str = "month", events: Iterable[Event] | None = None
    ) -> dict[str, tuple[Event, ...]]:
        """Events grouped by the month (``"2024-01"``) or ISO week (``"2024-W03"``) of
        their first day, in time order.

        ``events`` defaults to every event of the dataset; pass a query's result to
        group it (``ds.timeline("week", ds.events_between(...))``). Events whose start
        is unknown come first, under ``".."``. Periods without events are left out.
        """
        if by not in TIMELINE_PERIODS:
            raise ValueError(f"by must be one of {', '.join(TIMELINE_PERIODS)}, not {by!r:.60}")
        chosen = self.events if events is None else sorted(events, key=event_sort_key)
        groups: dict[str, list[Event]] = {}
        for event in chosen:
            day = event.date.earliest
            if day is None:
                label = ".."
            elif by == "month":
                label = f"{day:%Y-%m}"
            else:
                year, week, _ = day.isocalendar()
                label = f"{year:04d}-W{week:02d}"
            groups.setdefault(label, []).append(event)
        return {label: tuple(items) for label, items in groups.items()}

    # --- tables -------------------------------------------------------------------

    def to_arrow(self, stem: str) -> pa.Table:
        """One stem's records as a ``pyarrow.Table`` in the Parquet layout (the columns of
        the Parquet files, without hive partition columns; the dataset name and version
        in the schema metadata)."""
        from koreaevents.arrow import records_to_table

        return records_to_table(
            stem, self.stem(stem), dataset_name=self.name, dataset_version=self.version
        )

    def to_pandas(self, stem: str, *, dtype_backend: str = "numpy_nullable") -> pd.DataFrame:
        """One stem's records as a ``pandas.DataFrame`` in the Parquet layout (needs
        pandas, the ``pandas`` extra).

        With ``dtype_backend="numpy_nullable"`` (the default), dates are
        ``datetime64[ms]`` columns (``NaT`` for an open end), vocabulary fields
        (``event_type``, ``date_precision``, ...) categoricals holding every term of their
        vocabulary, text the ``string`` dtype, optional integers and booleans nullable
        (``Int8``, ``boolean``), and list columns plain Python ``list`` objects (of
        strings, or of dicts for lists of objects such as ``actors``), so that
        ``df.to_csv`` and ``json`` write them as lists. With ``dtype_backend="pyarrow"``
        every column is an ``ArrowDtype``, exactly what
        ``pd.read_parquet(path, dtype_backend="pyarrow")`` gives for the release's file.
        docs/parquet.md shows the two side by side.

        Raises:
            MissingExtraError: If pandas is not installed.
            ValueError: For another ``dtype_backend``.
        """
        from koreaevents.extras import require

        if dtype_backend not in ("numpy_nullable", "pyarrow"):
            raise ValueError(
                f"dtype_backend must be 'numpy_nullable' or 'pyarrow', not {dtype_backend!r:.60}"
            )
        pandas: Any = require("pandas", "Dataset.to_pandas")
        import pyarrow as pa

        table = self.to_arrow(stem)
        if dtype_backend == "pyarrow":
            arrow_backed: pd.DataFrame = table.to_pandas(types_mapper=pandas.ArrowDtype)
            return arrow_backed
        mapping = {
            pa.string(): pandas.StringDtype(),
            pa.large_string(): pandas.StringDtype(),
            pa.int8(): pandas.Int8Dtype(),
            pa.int16(): pandas.Int16Dtype(),
            pa.int32(): pandas.Int32Dtype(),
            pa.int64(): pandas.Int64Dtype(),
            pa.bool_(): pandas.BooleanDtype(),
        }
        frame: pd.DataFrame = table.to_pandas(date_as_object=False, types_mapper=mapping.get)
        for field in table.schema:
            if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
                # pyarrow gives numpy arrays; Python lists print, compare and serialise
                # as lists everywhere
                frame[field.name] = pandas.Series(
                    table[field.name].to_pylist(), index=frame.index, dtype=object
                )
        for column, terms in vocabulary_columns(stem).items():
            if column in frame.columns:
                frame[column] = frame[column].astype(pandas.CategoricalDtype(list(terms)))
        return frame

    def to_polars(self, stem: str) -> pl.DataFrame:
        """One stem's records as a ``polars.DataFrame``: dates as ``Date``, vocabulary
        fields as ``Enum`` of every term, lists as ``List`` (needs polars, the
        ``polars`` extra; :class:`~koreaevents.extras.MissingExtraError` without it)."""
        from koreaevents.extras import require

        polars: Any = require("polars", "Dataset.to_polars")
        frame = polars.from_arrow(self.to_arrow(stem))
        assert isinstance(frame, polars.DataFrame)
        casts = [
            polars.col(column).cast(polars.String).cast(polars.Enum(list(terms)))
            for column, terms in vocabulary_columns(stem).items()
            if column in frame.columns
        ]
        result: pl.DataFrame = frame.with_columns(casts) if casts else frame
        return result


TIMELINE_PERIODS = ("week", "month")


def vocabulary_columns(stem: str) -> dict[str, tuple[str, ...]]:
    """Columns of a stem's table that hold a text vocabulary, with its terms.

    Derived from the table's columns (see :func:`koreaevents.arrow.columns`): a
    top-level field, a field of a nested part flattened one level with ``_``
    (``verification_status``), or a column derived from an EDTF value
    (``date_precision``).
    """
    if stem not in STEMS:
        raise KeyError(f"unknown stem {stem!r}: expected one of {', '.join(STEMS)}")
    from koreaevents.arrow import columns

    found: dict[str, tuple[str, ...]] = {}
    for column in columns(stem):
        inner = _optional_type(column.type)
        if isinstance(inner, type) and issubclass(inner, enum.StrEnum):
            found[column.name] = tuple(term.value for term in inner)
    return found


def retired_message(entry: Retired) -> str:
    """What became of a retired id, in words."""
    message = f"id {entry.id!r} was retired in version {entry.retired_in}: {entry.reason}"
    if entry.replaced_by is not None:
        message += f"; it is replaced by {entry.replaced_by!r}"
    return message


def _optional_type(tp: Any) -> Any:
    """``X`` for ``X | None``; anything else unchanged."""
    if get_origin(tp) in (Union, types.UnionType):
        args = [arg for arg in get_args(tp) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


class _Links:
    """Lookup tables for queries and navigation, built once per dataset on first use."""

    __slots__ = (
        "_by_actor",
        "_index",
        "_owner",
        "_tags",
        "analyses_about",
        "parents",
        "source_ids",
    )

    def __init__(self, dataset: Dataset) -> None:
        self._owner = dataset
        self._index: IntervalIndex | None = None
        self._by_actor: dict[str, list[int]] | None = None
        self._tags: frozenset[str] | None = None
        self.parents: dict[str, str | None] = {a.id: a.parent for a in dataset.actors}
        self.source_ids = frozenset(s.id for s in dataset.sources)
        about: dict[str, list[Analysis]] = {}
        for analysis in dataset.analyses:
            for event_id in analysis.about:
                about.setdefault(event_id, []).append(analysis)
        self.analyses_about = {key: tuple(items) for key, items in about.items()}

    @property
    def by_actor(self) -> dict[str, list[int]]:
        """Positions of the events each actor id takes part in (built on first use)."""
        if self._by_actor is None:
            by_actor: dict[str, list[int]] = {}
            for position, event in enumerate(self._owner.events):
                for part in event.actors:
                    positions = by_actor.setdefault(part.actor, [])
                    if not positions or positions[-1] != position:
                        positions.append(position)
            self._by_actor = by_actor
        return self._by_actor

    @property
    def tags(self) -> frozenset[str]:
        """Every tag the events carry (collected on first use)."""
        if self._tags is None:
            self._tags = frozenset(tag for event in self._owner.events for tag in event.tags)
        return self._tags

    @property
    def index(self) -> IntervalIndex:
        """The date index of the events (built on the first range query)."""
        if self._index is None:
            self._index = IntervalIndex(
                (event.date.earliest, event.date.latest) for event in self._owner.events
            )
        return self._index
