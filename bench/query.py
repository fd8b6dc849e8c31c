"""Benchmark the range queries on synthetic events (1M by default).

In memory: ``Dataset.events_between`` (indexed) against a full scan of the events
with the same test. On Parquet: ``ke.events_between`` against DuckDB's
``read_parquet`` with the same predicate and order, on the same release; the two
must return the same ids for every range, which this script checks.

    PYTHONPATH=src python bench/query.py [--events 1000000] [--queries 30] [--seed 1]

Prints the timings (medians) and the ratios. Synthetic events mix every date
precision: days (some qualified), months, years, short and long intervals, and a few
open or unknown ends, spread over 30 years.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

import koreaevents as ke
from koreaevents import vocab
from koreaevents.query import event_in_range

START = datetime.date(1995, 1, 1)
YEARS = 30


def synthetic_edtf(rng: random.Random) -> str:
    """One EDTF value: mostly days, then months, intervals, years, open ends."""
    day = START + datetime.timedelta(days=rng.randrange(YEARS * 365))
    form = rng.random()
    if form < 0.55:
        return day.isoformat() + rng.choice(["", "", "", "~", "?"])
    if form < 0.70:
        return f"{day:%Y-%m}"
    if form < 0.85:
        return f"{day}/{day + datetime.timedelta(days=rng.randrange(1, 15))}"
    if form < 0.93:
        return f"{day:%Y-%m}/{day + datetime.timedelta(days=rng.randrange(30, 400)):%Y-%m}"
    if form < 0.995:
        return f"{day:%Y}"
    return rng.choice([f"{day}/..", f"../{day}", f"{day}/"])


def synthetic_dataset(count: int, seed: int) -> ke.Dataset:
    """``count`` events citing a few actors and sources, each a valid record."""
    rng = random.Random(seed)
    actors = [
        ke.Actor(id="prk", name="North Korea", kind="state"),
        ke.Actor(id="prk-kpa", name="Korean People's Army", kind="military", parent="prk"),
        ke.Actor(id="kor", name="South Korea", kind="state"),
        ke.Actor(id="usa", name="United States", kind="state"),
    ]
    sources = [
        ke.Source(
            id=f"src-wire-{n}",
            kind="wire_report",
            title=f"Report {n}",
            publisher="Wire",
            published="2024",
            reliability="B",
        )
        for n in range(8)
    ]
    parts = {
        "actors": [
            (ke.ActorRole(actor=a.id, role=r),) for a in actors for r in ("initiator", "target")
        ],
        "location": [
            ke.Location(name="East Sea", precision="sea"),
            ke.Location(name="Pyongyang", country="PRK", precision="district"),
            ke.Location(name="Seoul", country="KOR", precision="district"),
        ],
        "citations": [(ke.Citation(source=s.id),) for s in sources],
        "verification": [ke.Verification(status=s) for s in vocab.VerificationStatus],
    }
    dates: dict[str, ke.EventDate] = {}
    types = list(vocab.EventType)
    events = []
    # the parts are valid and shared, so the per-event validators add nothing but time
    attrs.validators.set_disabled(True)
    try:
        for number in range(count):
            edtf = synthetic_edtf(rng)
            date = dates.get(edtf)
            if date is None:
                date = dates[edtf] = ke.EventDate.from_edtf(edtf)
            events.append(
                ke.Event(
                    id=f"evt-synthetic-{number:07d}",
                    title=f"Synthetic event {number}",
                    event_type=rng.choice(types),
                    date=date,
                    actors=rng.choice(parts["actors"]),
                    location=rng.choice(parts["location"]),
                    citations=rng.choice(parts["citations"]),
                    verification=rng.choice(parts["verification"]),
                    tags=("synthetic",) if number % 10 == 0 else (),
                )
            )
    finally:
        attrs.validators.set_disabled(False)
    return ke.Dataset(events, sources, (), actors, metadata={"name": "synthetic"})


def random_ranges(rng: random.Random, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """Ranges of a day, a week, a month and a year, anywhere in the span."""
    found = []
    for number in range(count):
        start = START + datetime.timedelta(days=rng.randrange(YEARS * 365))
        length = (0, 6, 30, 364)[number % 4]
        found.append((start, start + datetime.timedelta(days=length)))
    return found


def median_time(call: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def full_scan(
    ds: ke.Dataset, low: datetime.date, high: datetime.date, mode: str
) -> tuple[ke.Event, ...]:
    """The query without an index: every event tested (what events_between did before)."""
    check = event_in_range(mode)
    return tuple(e for e in ds.events if check(e.date.earliest, e.date.latest, low, high))


def _length(low: datetime.date, high: datetime.date) -> str:
    days = (high - low).days + 1
    return {1: "day", 7: "week", 31: "month", 365: "year"}.get(days, f"{days} days")


def bench_memory(
    ds: ke.Dataset, ranges: list[tuple[datetime.date, datetime.date]]
) -> tuple[float, dict[str, tuple[float, float, float]]]:
    """Index build time, and by range length: (indexed, full scan, events found), each
    a mean over the ranges of that length and both modes."""
    began = time.perf_counter()
    ds.events_between(START, START)  # builds the index
    build = time.perf_counter() - began
    sums: dict[str, list[float]] = {}
    for low, high in ranges:
        for mode in ("overlaps", "within"):
            fast = ds.events_between(low, high, mode=mode)
            slow = full_scan(ds, low, high, mode)
            if fast != slow:
                raise AssertionError(f"index and scan disagree on {low}..{high} {mode}")
            indexed = median_time(lambda: ds.events_between(low, high, mode=mode), 5)  # noqa: B023
            scanned = median_time(lambda: full_scan(ds, low, high, mode), 1)  # noqa: B023
            row = sums.setdefault(_length(low, high), [0.0, 0.0, 0.0, 0.0])
            row[0] += indexed
            row[1] += scanned
            row[2] += len(fast)
            row[3] += 1
    return build, {key: (a / n, b / n, c / n) for key, (a, b, c, n) in sums.items()}


def duckdb_query(path: Path, low: datetime.date, high: datetime.date, mode: str) -> Any:
    """The same query in DuckDB: same predicate, same order, an Arrow table out."""
    import duckdb

    if mode == "overlaps":
        where = (
            "(date_earliest is null or date_earliest <= $high) "
            "and (date_latest is null or date_latest >= $low)"
        )
    else:
        where = "date_earliest >= $low and date_latest <= $high"
    relation = duckdb.sql(
        f"select * from read_parquet($path) where {where} "
        "order by date_earliest asc nulls first, id",
        params={"path": str(path), "low": low, "high": high},
    )
    return relation.to_arrow_table()


def bench_parquet(
    root: Path, ranges: list[tuple[datetime.date, datetime.date]]
) -> dict[tuple[str, str], tuple[float, float, float]]:
    """By range length and mode: (``ke.events_between``, DuckDB, rows found), means
    over the ranges of that length; checks that both return the same ids in the same
    order."""
    path = root / "events.parquet"
    sums: dict[tuple[str, str], list[float]] = {}
    for low, high in ranges:
        for mode in ("overlaps", "within"):
            table = ke.events_between(root, low, high, mode=mode)
            other = duckdb_query(path, low, high, mode)
            if table["id"].to_pylist() != other["id"].to_pylist():
                raise AssertionError(f"library and DuckDB disagree on {low}..{high} {mode}")
            ours = median_time(lambda: ke.events_between(root, low, high, mode=mode), 3)  # noqa: B023
            theirs = median_time(lambda: duckdb_query(path, low, high, mode), 3)  # noqa: B023
            row = sums.setdefault((_length(low, high), mode), [0.0, 0.0, 0.0, 0.0])
            row[0] += ours
            row[1] += theirs
            row[2] += table.num_rows
            row[3] += 1
    return {key: (a / n, b / n, c / n) for key, (a, b, c, n) in sums.items()}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=20, help="random ranges per size")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    ranges = random_ranges(rng, args.queries)
    out = sys.stdout

    began = time.perf_counter()
    ds = synthetic_dataset(args.events, args.seed)
    out.write(f"{len(ds.events):,} synthetic events built in {time.perf_counter() - began:.1f} s\n")

    sizes = sorted({min(100_000, args.events), args.events})
    for size in sizes:
        step = len(ds.events) // size
        # every step-th event: a smaller dataset over the same years
        subset = ds if step == 1 else ke.Dataset(ds.events[::step][:size], check=False)
        build, figures = bench_memory(subset, ranges)
        out.write(f"\nin memory, {size:,} events (index built in {build:.2f} s):\n")
        out.write(
            f"  {'range':<6} {'found':>9} {'indexed':>11} {'full scan':>11} {'speed-up':>9}\n"
        )
        for key, (indexed, scanned, found) in figures.items():
            out.write(
                f"  {key:<6} {found:>9,.0f} {indexed * 1e3:>8.3f} ms {scanned * 1e3:>8.1f} ms "
                f"{scanned / indexed:>8,.0f}x\n"
            )

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "release"
        began = time.perf_counter()
        ke.write_parquet(ds, root)
        out.write(f"\nrelease written in {time.perf_counter() - began:.1f} s\n")
        figures = bench_parquet(root, ranges)
        out.write(f"parquet, {len(ds.events):,} events: ke.events_between against DuckDB\n")
        out.write(
            f"  {'range':<6} {'mode':<9} {'rows':>9} {'library':>11} {'DuckDB':>11} "
            f"{'lib/duck':>9}\n"
        )
        totals: dict[str, list[float]] = {}
        for (length, mode), (ours, theirs, rows) in figures.items():
            for key in (mode, "all"):
                total = totals.setdefault(key, [0.0, 0.0])
                total[0] += ours
                total[1] += theirs
            out.write(
                f"  {length:<6} {mode:<9} {rows:>9,.0f} {ours * 1e3:>8.1f} ms "
                f"{theirs * 1e3:>8.1f} ms {ours / theirs:>9.2f}\n"
            )
        for key, (ours, theirs) in totals.items():
            label = "all queries" if key == "all" else f"all {key}"
            out.write(f"  {label}: library/DuckDB = {ours / theirs:.2f}\n")
        out.write("library and DuckDB returned the same ids for every range\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
