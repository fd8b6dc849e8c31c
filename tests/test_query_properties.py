"""Range queries against a brute-force oracle, over events of every date precision, on
both paths; agreement with DuckDB; row-group skipping; the index's speed."""

from __future__ import annotations

import datetime
import random
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

import koreaevents as ke
from koreaevents import vocab
from koreaevents.query import IntervalIndex, event_in_range, scan_plan
from tests.query_support import event, oracle, write_release
from tests.strategies import MAX_DAY, MIN_DAY, datasets, edtf_values

ONE_DAY = datetime.timedelta(days=1)


def _days_near(events: list[ke.Event]) -> list[datetime.date]:
    """The events' bounds and the days either side: where off-by-one errors live."""
    days = {d for e in events for d in (e.date.earliest, e.date.latest) if d is not None}
    near = {d + step for d in days for step in (-ONE_DAY, ONE_DAY)}
    return sorted(d for d in days | near if MIN_DAY <= d <= MAX_DAY)


@st.composite
def ranges(draw: st.DrawFn, events: list[ke.Event]) -> tuple[Any, Any]:
    """A query range: days at or next to the events' bounds, any day, or EDTF values."""
    candidates = _days_near(events)
    day = st.sampled_from(candidates) if candidates else st.dates(MIN_DAY, MAX_DAY)
    bound = st.one_of(day, day, st.dates(MIN_DAY, MAX_DAY), st.sampled_from(["2024", "2024-01"]))
    first, second = draw(bound), draw(bound)
    low = ke.query.range_bound(first, end=False, name="start")
    high = ke.query.range_bound(second, end=True, name="end")
    return (first, second) if low <= high else (second, first)


@st.composite
def dated_events(draw: st.DrawFn) -> list[ke.Event]:
    """Up to 60 events with any EDTF date: days, months, years, qualified, intervals,
    open and unknown ends."""
    values = draw(st.lists(edtf_values(), max_size=60))
    return [event(number, value) for number, value in enumerate(values)]


def _bounds(start: Any, end: Any) -> tuple[datetime.date, datetime.date]:
    return ke.query.date_range(start, end)


@given(st.data())
def test_memory_index_matches_the_oracle(data: st.DataObject) -> None:
    events = data.draw(dated_events())
    ds = ke.Dataset(events, check=False)
    start, end = data.draw(ranges(events))
    low, high = _bounds(start, end)
    for mode in ("overlaps", "within"):
        found = [e.id for e in ds.events_between(start, end, mode=mode)]
        assert found == oracle(events, low, high, mode)


@st.composite
def filters(draw: st.DrawFn, ds: ke.Dataset) -> dict[str, Any]:
    """Some filters, with values that occur in the dataset (or, for the vocabularies,
    any term)."""
    choices: dict[str, st.SearchStrategy[Any]] = {
        "event_type": st.sampled_from([t.value for t in vocab.EventType]),
        "actor": st.sampled_from([a.id for a in ds.actors]),
        "role": st.sampled_from([r.value for r in vocab.Role]),
        "status": st.sampled_from([s.value for s in vocab.VerificationStatus]),
        "source": st.sampled_from([s.id for s in ds.sources]),
        "precision": st.sampled_from([p.value for p in vocab.DatePrecision]),
    }
    countries = sorted({e.location.country for e in ds.events if e.location.country})
    if countries:
        choices["country"] = st.sampled_from(countries)
    tags = sorted({t for e in ds.events for t in e.tags})
    if tags:
        choices["tag"] = st.sampled_from(tags)
    chosen = draw(st.lists(st.sampled_from(sorted(choices)), max_size=3, unique=True))
    picked: dict[str, Any] = {}
    for name in chosen:
        values = draw(st.lists(choices[name], min_size=1, max_size=2, unique=True))
        picked[name] = values[0] if len(values) == 1 else values
    return picked


@given(st.data())
def test_memory_and_parquet_match_the_oracle_with_filters(data: st.DataObject) -> None:
    ds = data.draw(datasets(max_events=8))
    events = list(ds.events)
    start, end = data.draw(ranges(events))
    low, high = _bounds(start, end)
    chosen = data.draw(filters(ds))
    parents = {a.id: a.parent for a in ds.actors}
    with tempfile.TemporaryDirectory() as folder:
        release = write_release(ds, Path(folder) / "release")
        for mode in ("overlaps", "within"):
            expected = oracle(events, low, high, mode, parents, **chosen)
            in_memory = [e.id for e in ds.events_between(start, end, mode=mode, **chosen)]
            on_parquet = ke.events_between(release, start, end, mode=mode, **chosen)
            assert in_memory == expected
            assert on_parquet["id"].to_pylist() == expected


@pytest.fixture(scope="module")
def big_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[ke.Dataset, Path]:
    """2,000 events of every date precision, written sorted in row groups of 100."""
    rng = random.Random(20240124)
    values = []
    for _ in range(2000):
        day = datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(5 * 365))
        form = rng.random()
        if form < 0.6:
            values.append(day.isoformat() + rng.choice(["", "", "~", "?"]))
        elif form < 0.75:
            values.append(f"{day:%Y-%m}")
        elif form < 0.9:
            values.append(f"{day}/{day + datetime.timedelta(days=rng.randrange(1, 20))}")
        elif form < 0.95:
            values.append(f"{day:%Y}")
        else:
            values.append(rng.choice([f"{day}/..", f"../{day}", f"{day}/"]))
    types = [t.value for t in vocab.EventType]
    events = [
        event(number, value, event_type=rng.choice(types)) for number, value in enumerate(values)
    ]
    ds = ke.Dataset(events, check=False)
    root = write_release(ds, tmp_path_factory.mktemp("big"), row_group_size=100)
    return ds, root


def _duckdb_ids(path: Path, low: datetime.date, high: datetime.date, mode: str) -> list[str]:
    if mode == "overlaps":
        where = (
            "(date_earliest is null or date_earliest <= $high) "
            "and (date_latest is null or date_latest >= $low)"
        )
    else:
        where = "date_earliest >= $low and date_latest <= $high"
    rows = duckdb.execute(
        f"select id from read_parquet($path) where {where} "
        "order by date_earliest asc nulls first, id",
        {"path": str(path), "low": low, "high": high},
    ).fetchall()
    return [row[0] for row in rows]


def test_library_and_duckdb_agree_on_random_ranges(big_release: tuple[ke.Dataset, Path]) -> None:
    ds, root = big_release
    rng = random.Random(7)
    for _ in range(20):
        first = datetime.date(2019, 6, 1) + datetime.timedelta(days=rng.randrange(6 * 365))
        last = first + datetime.timedelta(days=rng.choice([0, 1, 6, 30, 200, 2000]))
        for mode in ("overlaps", "within"):
            expected = _duckdb_ids(root / "events.parquet", first, last, mode)
            assert ke.events_between(root, first, last, mode=mode)["id"].to_pylist() == expected
            assert [e.id for e in ds.events_between(first, last, mode=mode)] == expected


def test_a_narrow_query_on_a_sorted_file_reads_few_row_groups(tmp_path: Path) -> None:
    rng = random.Random(3)
    values = []
    for _ in range(2000):
        day = datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(5 * 365))
        span = rng.choice([0, 0, 0, 2, 10])
        values.append(
            day.isoformat() if span == 0 else f"{day}/{day + datetime.timedelta(days=span)}"
        )
    ds = ke.Dataset([event(n, value) for n, value in enumerate(values)], check=False)
    root = write_release(ds, tmp_path / "sorted", row_group_size=100)
    plan = scan_plan(root, "2022-03-01", "2022-03-03")
    assert plan.total_row_groups == 20
    assert plan.row_groups <= 2
    table = ke.events_between(root, "2022-03-01", "2022-03-03")
    expected = [e.id for e in ds.events_between("2022-03-01", "2022-03-03")]
    assert expected and table["id"].to_pylist() == expected


def test_open_ends_limit_skipping_for_overlaps_but_not_within(
    big_release: tuple[ke.Dataset, Path],
) -> None:
    ds, root = big_release
    # an event with an open end may overlap any later range, so every earlier row
    # group holding one must be read; "within" never keeps those and skips them
    overlaps = scan_plan(root, "2022-03-01", "2022-03-03")
    within = scan_plan(root, "2022-03-01", "2022-03-03", mode="within")
    assert within.row_groups <= 2 < overlaps.row_groups < overlaps.total_row_groups
    table = ke.events_between(root, "2022-03-01", "2022-03-03", mode="within")
    expected = [e.id for e in ds.events_between("2022-03-01", "2022-03-03", mode="within")]
    assert expected and table["id"].to_pylist() == expected


def test_the_index_looks_at_a_hundredth_of_100k_intervals() -> None:
    # the work a query does, counted rather than timed (bench/query.py times it):
    # a full scan looks at every interval, the index at the few near the range
    rng = random.Random(1)
    origin = datetime.date(1990, 1, 1).toordinal()
    bounds: list[tuple[datetime.date | None, datetime.date | None]] = []
    for _ in range(100_000):
        first = origin + rng.randrange(12_000)
        span = rng.choice([0, 0, 0, 4, 30, 365])
        bounds.append((datetime.date.fromordinal(first), datetime.date.fromordinal(first + span)))
    for _ in range(200):
        first = datetime.date.fromordinal(origin + rng.randrange(12_000))
        bounds.append(rng.choice([(first, None), (None, first)]))
    bounds.sort(key=lambda b: b[0] or datetime.date.min)
    index = IntervalIndex(bounds)
    for low, high in [
        (datetime.date(2010, 5, 1), datetime.date(2010, 5, 7)),
        (datetime.date(1995, 2, 1), datetime.date(1995, 2, 1)),
        (datetime.date(2000, 1, 1), datetime.date(2000, 12, 31)),
    ]:
        for mode in ("overlaps", "within"):
            check = event_in_range(mode)
            found = index.query(low, high, mode)
            assert found == [i for i, (a, b) in enumerate(bounds) if check(a, b, low, high)]
            examined = index.examined(low, high, mode)
            # in proportion to the answer, not to the whole
            assert len(found) <= examined <= 2 * len(found) + 64
            if (high - low).days < 7:  # and for a narrow range, a hundredth at most
                assert examined * 100 <= len(bounds)
