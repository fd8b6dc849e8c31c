"""Hypothesis strategies for records, derived from the record classes' field specs.

Like the JSON Schemas, these are built by walking the attrs fields, so a new field or
constraint is covered without editing this file.
"""

from __future__ import annotations

import datetime
import enum
import functools
import types
from typing import Any, Union, get_args, get_origin

import attrs
from hypothesis import strategies as st

from koreaevents import vocab
from koreaevents.dataset import Dataset
from koreaevents.records import (
    Actor,
    Analysis,
    Event,
    EventDate,
    FieldSpec,
    Retired,
    Source,
    spec,
)

# Keep dates in a range where every form (year, month, day) stays valid.
MIN_DAY = datetime.date(1900, 1, 1)
MAX_DAY = datetime.date(2100, 12, 31)

text = st.text(min_size=1, max_size=40)


@st.composite
def edtf_dates(draw: st.DrawFn) -> str:
    """A single EDTF date: a year, a month or a day, maybe qualified."""
    day = draw(st.dates(MIN_DAY, MAX_DAY))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    value = {"year": f"{day:%Y}", "month": f"{day:%Y-%m}", "day": day.isoformat()}[precision]
    return value + draw(st.sampled_from(["", "", "?", "~", "%"]))


@st.composite
def edtf_values(draw: st.DrawFn) -> str:
    """Any EDTF value of the supported subset: a date or an interval, maybe open."""
    if draw(st.booleans()):
        return draw(edtf_dates())
    first, second = sorted(draw(st.lists(st.dates(MIN_DAY, MAX_DAY), min_size=2, max_size=2)))
    start = draw(st.sampled_from([first.isoformat(), f"{first:%Y-%m}", "..", ""]))
    end = draw(st.sampled_from([second.isoformat(), f"{second:%Y-%m}", "..", ""]))
    if start in ("..", "") and end in ("..", ""):
        end = second.isoformat()
    # a qualifier may follow either side that is a date
    if start not in ("..", ""):
        start += draw(st.sampled_from(["", "", "?", "~", "%"]))
    if end not in ("..", ""):
        end += draw(st.sampled_from(["", "", "?", "~", "%"]))
    return f"{start}/{end}"


event_dates = edtf_values().map(EventDate.from_edtf)


def _for_type(tp: Any, fs: FieldSpec) -> st.SearchStrategy[Any]:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in get_args(tp) if arg is not type(None)]
        return st.none() | _for_type(inner, fs)
    if origin is tuple:
        item = _for_type(get_args(tp)[0], fs)
        return st.lists(item, min_size=fs.min_items or 0, max_size=3, unique=fs.unique_items).map(
            tuple
        )
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if tp is EventDate:
        return event_dates
    if attrs.has(tp):
        return from_class(tp)
    if tp is float:
        return st.floats(fs.minimum, fs.maximum, allow_nan=False, allow_infinity=False)
    if tp is datetime.date:
        return st.dates(MIN_DAY, MAX_DAY)
    if tp is str:
        if fs.format == "edtf":
            return edtf_values()
        if fs.pattern is not None:
            strategy = st.from_regex(fs.pattern, fullmatch=True)
            if fs.not_pattern is not None:
                import re

                banned = re.compile(fs.not_pattern)
                strategy = strategy.filter(lambda value: not banned.search(value))
            if fs.max_length is not None:
                limit = fs.max_length
                strategy = strategy.filter(lambda value: len(value) <= limit)
            return strategy
        return st.text(min_size=fs.min_length or 0, max_size=min(40, fs.max_length or 40))
    raise TypeError(f"no strategy for {tp!r}")


@functools.cache
def from_class(cls: type[Any]) -> st.SearchStrategy[Any]:
    """Records (or record parts) of ``cls`` with every field drawn from its spec."""
    attrs.resolve_types(cls)
    fields = {field.name: _for_type(field.type, spec(field)) for field in attrs.fields(cls)}
    if cls is Analysis:
        # probability must lie in the likelihood's band: draw them together.
        fields["probability"] = st.none()
        return st.builds(cls, **fields).flatmap(_with_banded_probability)
    return st.builds(cls, **fields)


def _with_banded_probability(analysis: Analysis) -> st.SearchStrategy[Analysis]:
    if analysis.likelihood is None:
        return st.just(analysis)
    low, high = vocab.likelihood_band(analysis.likelihood)
    return st.one_of(st.none(), st.floats(low, high)).map(
        lambda p: attrs.evolve(analysis, probability=p)
    )


events = from_class(Event)
sources = from_class(Source)
analyses = from_class(Analysis)
actors = from_class(Actor)
retired_entries = from_class(Retired)
records = st.one_of(events, sources, analyses, actors)


def _unique_by_id(items: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for item in items:
        seen.setdefault(item.id, item)
    return list(seen.values())


@st.composite
def datasets(draw: st.DrawFn, max_events: int = 6, with_retired: bool = False) -> Dataset:
    """Consistent datasets: unique ids, every reference pointing at a real record.

    ``with_retired``: also tombstones, of ids not in use, replaced by a record or not.
    """
    actor_list = _unique_by_id(draw(st.lists(actors, min_size=1, max_size=4)))
    source_list = _unique_by_id(draw(st.lists(sources, min_size=1, max_size=4)))
    event_list = _unique_by_id(draw(st.lists(events, min_size=1, max_size=max_events)))
    analysis_list = _unique_by_id(draw(st.lists(analyses, max_size=3)))
    actor_ids = [a.id for a in actor_list]
    source_ids = [s.id for s in source_list]
    event_ids = [e.id for e in event_list]
    pick = functools.partial(_pick, draw)

    actor_list = [
        attrs.evolve(a, parent=pick(actor_ids) if a.parent is not None else None)
        for a in actor_list
    ]
    source_list = [
        attrs.evolve(s, originator=pick(actor_ids) if s.originator is not None else None)
        for s in source_list
    ]
    event_list = [_rewire_event(e, pick, actor_ids, source_ids, event_ids) for e in event_list]
    analysis_list = [
        attrs.evolve(
            a,
            about=tuple(dict.fromkeys(pick(event_ids) for _ in a.about)),
            citations=tuple(attrs.evolve(c, source=pick(source_ids)) for c in a.citations),
        )
        for a in analysis_list
    ]
    retired_list: list[Retired] = []
    if with_retired:
        live = set(actor_ids) | set(source_ids) | set(event_ids)
        live |= {a.id for a in analysis_list}
        everything = sorted(live)
        retired_list = [
            attrs.evolve(r, replaced_by=pick(everything) if r.replaced_by is not None else None)
            for r in _unique_by_id(draw(st.lists(retired_entries, max_size=3)))
            if r.id not in live
        ]
    return Dataset(event_list, source_list, analysis_list, actor_list, retired_list)


def _pick(draw: st.DrawFn, ids: list[str]) -> str:
    return draw(st.sampled_from(ids))


def _rewire_event(
    event: Event, pick: Any, actor_ids: list[str], source_ids: list[str], event_ids: list[str]
) -> Event:
    verification = attrs.evolve(
        event.verification,
        discrepancies=tuple(
            attrs.evolve(
                d,
                citations=tuple(dict.fromkeys(pick(source_ids) for _ in d.citations)),
                claimed_in=pick(source_ids) if d.claimed_in is not None else None,
            )
            for d in event.verification.discrepancies
        ),
    )
    return attrs.evolve(
        event,
        actors=tuple(attrs.evolve(a, actor=pick(actor_ids)) for a in event.actors),
        citations=tuple(attrs.evolve(c, source=pick(source_ids)) for c in event.citations),
        related=tuple(dict.fromkeys(pick(event_ids) for _ in event.related)),
        verification=verification,
    )
