"""The Dataset container: the four record tuples, lookup by id, integrity, navigation."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from koreaevents.issues import DataError
from koreaevents.records import Actor, Analysis, Event, Record, Source
from koreaevents.references import ReferenceIndex

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Dataset", "event_sort_key"]

STEMS = ("events", "sources", "analyses", "actors")


def event_sort_key(event: Event) -> tuple[datetime.date, str]:
    """Events sort by (earliest day, id); an open start sorts first."""
    return (event.date.earliest or datetime.date.min, event.id)


class Dataset:
    """A consistent set of events, sources, analyses and actors.

    ``events`` are ordered by ``(date.earliest, id)``, the others by id. Building a
    dataset checks that ids are unique and that every reference resolves; a
    :class:`~koreaevents.DataError` lists every problem at once.
    """

    __slots__ = ("_by_id", "actors", "analyses", "events", "metadata", "sources")

    events: tuple[Event, ...]
    sources: tuple[Source, ...]
    analyses: tuple[Analysis, ...]
    actors: tuple[Actor, ...]
    metadata: dict[str, Any]

    def __init__(
        self,
        events: Iterable[Event] = (),
        sources: Iterable[Source] = (),
        analyses: Iterable[Analysis] = (),
        actors: Iterable[Actor] = (),
        *,
        metadata: dict[str, Any] | None = None,
        check: bool = True,
    ) -> None:
        self.events = tuple(sorted(events, key=event_sort_key))
        self.sources = tuple(sorted(sources, key=lambda record: record.id))
        self.analyses = tuple(sorted(analyses, key=lambda record: record.id))
        self.actors = tuple(sorted(actors, key=lambda record: record.id))
        self.metadata = dict(metadata or {})
        self._by_id: dict[str, Record] = {}
        for record in self.records():
            self._by_id.setdefault(record.id, record)
        if check:
            index = ReferenceIndex()
            for record in self.records():
                index.add(record.TYPE, record)
            issues = index.issues()
            if issues:
                raise DataError(issues, "the dataset is inconsistent")

    # --- access -------------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        """Every record: events, sources, analyses, then actors."""
        yield from self.events
        yield from self.sources
        yield from self.analyses
        yield from self.actors

    def stem(self, stem: str) -> tuple[Record, ...]:
        """The records of one file stem (``events``, ``sources``, ``analyses``, ``actors``)."""
        if stem not in STEMS:
            raise KeyError(f"unknown stem {stem!r}: expected one of {', '.join(STEMS)}")
        records: tuple[Record, ...] = getattr(self, stem)
        return records

    def get(self, record_id: str) -> Record:
        """The record with this id, of any type; ``KeyError`` if there is none."""
        try:
            return self._by_id[record_id]
        except KeyError:
            raise KeyError(f"no record with id {record_id!r}") from None

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

    def events_between(
        self,
        start: datetime.date | str,
        end: datetime.date | str,
        *,
        mode: str = "overlaps",
    ) -> tuple[Event, ...]:
        """Events in a date range, both bounds inclusive, ordered by (earliest, id).

        ``mode="overlaps"`` (the default) keeps events that may have happened in the
        range (their [earliest, latest] meets it); ``mode="within"`` keeps those that
        certainly did (it lies wholly inside). Dates are ``datetime.date`` or ISO
        strings; an EDTF value stands for its whole span (``"2024-01"``: that month).
        An open bound of an event counts as unbounded.
        """
        from koreaevents.query import date_range, event_in_range

        low, high = date_range(start, end)
        check = event_in_range(mode)
        return tuple(
            event
            for event in self.events
            if check(event.date.earliest, event.date.latest, low, high)
        )

    def to_arrow(self, stem: str) -> pa.Table:
        """One stem's records as a ``pyarrow.Table`` in the Parquet layout."""
        from koreaevents.arrow import records_to_table

        return records_to_table(stem, self.stem(stem))
