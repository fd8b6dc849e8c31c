"""The long-span index in the footer of an events file: queries that use it give the
oracle's answer and decode few row groups; a broken index is ignored, other readers
do not see it, and it is written deterministically."""

from __future__ import annotations

import base64
import datetime
import json
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import koreaevents as ke
import koreaevents.io.parquet as kp
from koreaevents.io import long_spans
from koreaevents.query import scan_plan
from tests.query_support import event, oracle, rehash
from tests.test_query_properties import dated_events, ranges


@contextmanager
def small_groups(rows: int, share: int) -> Iterator[None]:
    """Row groups of ``rows`` rows, copying at most ``rows // share`` rows of each."""
    with (
        mock.patch.object(kp, "ROW_GROUP_SIZE", rows),
        mock.patch.object(long_spans, "MAX_SHARE", share),
    ):
        yield


def _release(ds: ke.Dataset, root: Path, rows: int = 100, share: int = 10) -> Path:
    with small_groups(rows, share):
        ke.write_parquet(ds, root)
    return root


def _footer(root: Path) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = pq.read_metadata(root / "events.parquet").metadata
    return found


@pytest.fixture(scope="module")
def open_ended(tmp_path_factory: pytest.TempPathFactory) -> tuple[ke.Dataset, Path]:
    """3,000 events over ten years, one in twenty with an open or unknown end, in row
    groups of 100: without the index, each group would hold a match for any later
    range."""
    rng = random.Random(24)
    values = []
    for _ in range(3000):
        day = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(10 * 365))
        form = rng.random()
        if form < 0.05:
            values.append(rng.choice([f"{day}/..", f"{day}/"]))
        elif form < 0.1:
            values.append(f"{day:%Y}")
        elif form < 0.2:
            values.append(f"{day}/{day + datetime.timedelta(days=rng.randrange(1, 400))}")
        else:
            values.append(day.isoformat())
    events = [event(n, value, title=f"Event {n}") for n, value in enumerate(values)]
    source = ke.Source(
        id="src-a",
        kind="wire_report",
        title="A report",
        publisher="Wire",
        published="2024",
        reliability="B",
    )
    ds = ke.Dataset(events, [source], (), [ke.Actor(id="prk", name="North Korea", kind="state")])
    return ds, _release(ds, tmp_path_factory.mktemp("open-ended"))


def test_a_narrow_query_decodes_few_groups_despite_open_ends(
    open_ended: tuple[ke.Dataset, Path],
) -> None:
    ds, root = open_ended
    plan = scan_plan(root, "2021-03-01", "2021-03-03")
    assert plan.total_row_groups == 30
    # every group before the range holds an open end that overlaps it; all but the
    # last one or two are answered from the index
    assert plan.row_groups <= 3
    assert sum(len(groups) for _fragment, groups in plan.indexed) >= 15
    for mode in ("overlaps", "within"):
        found = ke.events_between(root, "2021-03-01", "2021-03-03", mode=mode)
        expected = [e.id for e in ds.events_between("2021-03-01", "2021-03-03", mode=mode)]
        assert expected and found["id"].to_pylist() == expected
        # the copies come back with the file's columns, types and field metadata
        assert found.schema == ds.to_arrow("events").schema


def test_the_index_agrees_with_duckdb_on_random_ranges(
    open_ended: tuple[ke.Dataset, Path],
) -> None:
    _ds, root = open_ended
    rng = random.Random(3)
    for _ in range(25):
        low = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(11 * 365))
        high = low + datetime.timedelta(days=rng.choice([0, 6, 30, 364]))
        expected = [
            row[0]
            for row in duckdb.execute(
                "select id from read_parquet($path) where (date_earliest is null or "
                "date_earliest <= $high) and (date_latest is null or date_latest >= $low) "
                "order by date_earliest asc nulls first, id",
                {"path": str(root / "events.parquet"), "low": low, "high": high},
            ).fetchall()
        ]
        assert ke.events_between(root, low, high)["id"].to_pylist() == expected


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from([(2, 1), (3, 2), (4, 4)]))
def test_queries_through_the_index_match_the_oracle(
    data: st.DataObject, layout: tuple[int, int]
) -> None:
    events = data.draw(dated_events())
    ds = ke.Dataset(events, check=False)
    start, end = data.draw(ranges(events))
    low, high = ke.query.date_range(start, end)
    event_type = data.draw(st.sampled_from([None, "missile_launch", "weapons_test"]))
    chosen = {} if event_type is None else {"event_type": event_type}
    with tempfile.TemporaryDirectory() as folder:
        root = _release(ds, Path(folder) / "release", *layout)
        for mode in ("overlaps", "within"):
            found = ke.events_between(root, start, end, mode=mode, **chosen)
            assert found["id"].to_pylist() == oracle(events, low, high, mode, **chosen)


ORIGIN = datetime.date(2024, 1, 1)


@st.composite
def crowded_events(draw: st.DrawFn) -> list[ke.Event]:
    """Up to 40 events within two months: days, short and long intervals, open and
    unknown ends, so that many rows outlive their row group and ranges fall on the
    index's days."""
    found = []
    for number in range(draw(st.integers(2, 40))):
        first = ORIGIN + datetime.timedelta(days=draw(st.integers(0, 60)))
        span = draw(st.sampled_from([0, 0, 1, 2, 5, 20, 90, None, -1]))
        if span == 0:
            value = first.isoformat()
        elif span is None:
            value = f"{first}/.."
        elif span == -1:
            value = f"{first}/"
        else:
            value = f"{first}/{first + datetime.timedelta(days=span)}"
        found.append(event(number, value))
    return found


@settings(max_examples=150, deadline=None)
@given(
    crowded_events(),
    st.integers(-3, 95),
    st.integers(0, 30),
    st.sampled_from([(2, 1), (3, 2), (3, 3), (5, 2), (4, 5)]),
)
def test_crowded_ranges_through_the_index_match_the_oracle(
    events: list[ke.Event], offset: int, length: int, layout: tuple[int, int]
) -> None:
    ds = ke.Dataset(events, check=False)
    low = ORIGIN + datetime.timedelta(days=offset)
    high = low + datetime.timedelta(days=length)
    with tempfile.TemporaryDirectory() as folder:
        root = _release(ds, Path(folder) / "release", *layout)
        for mode in ("overlaps", "within"):
            found = ke.events_between(root, low, high, mode=mode)["id"].to_pylist()
            assert found == oracle(events, low, high, mode)


def _rewrite_footer(root: Path, damage: Callable[[dict[bytes, bytes]], dict[bytes, bytes]]) -> None:
    """Write the events file again with some footer entries changed by ``damage``."""
    path = root / "events.parquet"
    source = pq.ParquetFile(path)
    entries = dict(source.metadata.metadata)
    entries.update(damage(entries))
    entries.pop(b"ARROW:schema")
    table = source.read()
    with pq.ParquetWriter(path, table.schema) as writer:
        writer.write_table(table, row_group_size=100)
        writer.add_key_value_metadata(entries)


def _copies(entries: dict[bytes, bytes]) -> pa.Table:
    return pq.read_table(pa.BufferReader(base64.b64decode(entries[long_spans.ROWS_KEY])))


def _encoded(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return base64.b64encode(sink.getvalue().to_pybytes())


def _flip_middle(entries: dict[bytes, bytes]) -> dict[bytes, bytes]:
    """Damage the bytes in the middle of the copies' Parquet file (its data pages):
    its footer still reads, its pages do not."""
    data = bytearray(base64.b64decode(entries[long_spans.ROWS_KEY]))
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    return {long_spans.ROWS_KEY: base64.b64encode(bytes(data))}


def _null_groups(entries: dict[bytes, bytes]) -> dict[bytes, bytes]:
    copies = _copies(entries)
    owners = pa.nulls(copies.num_rows, pa.int32())
    return {
        long_spans.ROWS_KEY: _encoded(copies.set_column(copies.num_columns - 1, "__group", owners))
    }


def _too_many_copies(entries: dict[bytes, bytes]) -> dict[bytes, bytes]:
    """Every copy said to come from group 0, more rows than the group holds."""
    copies = _copies(entries)
    owners = pa.array([0] * copies.num_rows, pa.int32())
    return {
        long_spans.ROWS_KEY: _encoded(copies.set_column(copies.num_columns - 1, "__group", owners))
    }


DAMAGES: dict[str, Callable[[dict[bytes, bytes]], dict[bytes, bytes]]] = {
    "rows-not-base64": lambda _: {long_spans.ROWS_KEY: b"not base64!"},
    "rows-not-parquet": lambda _: {long_spans.ROWS_KEY: base64.b64encode(b"PAR1 not Parquet")},
    "rows-damaged-pages": _flip_middle,
    "rows-null-groups": _null_groups,
    "rows-too-many": _too_many_copies,
    "days-not-json": lambda _: {long_spans.FROM_KEY: b"[not json"},
    "days-too-few": lambda _: {long_spans.FROM_KEY: json.dumps(["2015-01-01"]).encode()},
    "days-bad-day": lambda _: {long_spans.FROM_KEY: json.dumps(["2015-13-01"] * 30).encode()},
    "days-nested": lambda _: {long_spans.FROM_KEY: b"[" * 100_000 + b"]" * 100_000},
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_broken_index_is_ignored(
    open_ended: tuple[ke.Dataset, Path], tmp_path: Path, damage: str
) -> None:
    ds, _root = open_ended
    copy = tmp_path / "release"
    _release(ds, copy)
    _rewrite_footer(copy, DAMAGES[damage])
    rehash(copy)  # the file is still the release's: only its index is broken
    for low, high in [("2021-03-01", "2021-03-03"), ("2016", "2019-06")]:
        found = ke.events_between(copy, low, high)
        assert found["id"].to_pylist() == [e.id for e in ds.events_between(low, high)]


def test_events_on_the_last_day_are_written_and_found(tmp_path: Path) -> None:
    # "9999-12-31" stands for "ongoing" in some data: the day after it does not exist
    values = [f"2020-01-{1 + n % 28:02d}/9999-12-31" for n in range(150)] + ["9999-12-31"] * 50
    ds = ke.Dataset([event(n, value) for n, value in enumerate(values)], check=False)
    root = _release(ds, tmp_path / "far", rows=50, share=1)
    for low, high in [("9999-12-31", "9999-12-31"), ("2020-01-05", "2020-01-05"), ("2500", "2600")]:
        found = ke.events_between(root, low, high)["id"].to_pylist()
        assert found == [e.id for e in ds.events_between(low, high)]


def test_other_readers_see_the_rows_once_and_no_index(
    open_ended: tuple[ke.Dataset, Path],
) -> None:
    ds, root = open_ended
    path = root / "events.parquet"
    assert long_spans.ROWS_KEY in _footer(root)
    ids = sorted(e.id for e in ds.events)
    assert sorted(pq.read_table(path)["id"].to_pylist()) == ids
    assert sorted(pl.read_parquet(path)["id"].to_list()) == ids
    rows = duckdb.execute("select id from read_parquet($p) order by id", {"p": str(path)})
    assert [row[0] for row in rows.fetchall()] == ids
    # the copies live in the footer only, not in the Arrow schema other tools show
    metadata = pq.read_schema(path).metadata
    assert not any(key.startswith(b"koreaevents:long_spans") for key in metadata)
    assert pq.read_table(path).equals(ds.to_arrow("events"))
    assert ke.load(root).events == ds.events


def test_the_index_is_written_deterministically(
    open_ended: tuple[ke.Dataset, Path], tmp_path: Path
) -> None:
    ds, root = open_ended
    again = _release(ds, tmp_path / "again")
    assert (again / "events.parquet").read_bytes() == (root / "events.parquet").read_bytes()
    # and the same from a JSON source through the streaming build
    ke.write_json(ds, tmp_path / "json", layout="jsonl")
    with small_groups(100, 10):
        kp.build(tmp_path / "json", tmp_path / "built")
    assert (tmp_path / "built" / "events.parquet").read_bytes() == (
        root / "events.parquet"
    ).read_bytes()


def test_each_group_copies_at_most_its_share(open_ended: tuple[ke.Dataset, Path]) -> None:
    _ds, root = open_ended
    footer = _footer(root)
    days = json.loads(footer[long_spans.FROM_KEY])
    copies = pq.read_table(pa.BufferReader(base64.b64decode(footer[long_spans.ROWS_KEY])))
    per_group = copies["__group"].value_counts().to_pylist()
    assert max(item["counts"] for item in per_group) <= 100 // 10
    # every copy is an open end or ends on or after its group's day
    for group, latest in zip(
        copies["__group"].to_pylist(), copies["date_latest"].to_pylist(), strict=True
    ):
        assert latest is None or latest >= datetime.date.fromisoformat(days[group])


def test_small_or_closed_files_get_no_index(tmp_path: Path) -> None:
    first = datetime.date(2020, 1, 1)
    days = [first + datetime.timedelta(days=n) for n in range(500)]
    closed = [event(n, day.isoformat()) for n, day in enumerate(days)]
    root = _release(ke.Dataset(closed, check=False), tmp_path / "closed")
    assert long_spans.ROWS_KEY not in _footer(root)  # no row outlives its group
    single = _release(ke.Dataset([event(1, "2020/..")], check=False), tmp_path / "single")
    assert long_spans.ROWS_KEY not in _footer(single)


def test_columns_empty_in_some_row_groups_come_back_whole(tmp_path: Path) -> None:
    # the first groups hold no summary, tags, weapon or coordinates, the later ones
    # do: a query reading both kinds of group returns every value as written
    plain = [event(n, f"2020-01-{1 + n % 28:02d}") for n in range(150)]
    full = [
        event(
            150 + n,
            f"2020-02-{1 + n % 28:02d}",
            summary=f"Summary {n}",
            tags=("tested", f"tag-{n % 3}"),
            weapon=ke.Weapon(category="srbm", name=None if n % 2 else "KN-23"),
            location=ke.Location(
                name="Pyongyang", country="PRK", lat=39.0, lon=125.7, precision="district"
            ),
            citations=[ke.Citation(source="src-a", locator=f"para {n}")],
        )
        for n in range(150)
    ]
    ds = ke.Dataset(plain + full, check=False)
    root = _release(ds, tmp_path / "mixed", rows=50, share=10)
    expected_table = ds.to_arrow("events")
    position = {e.id: n for n, e in enumerate(ds.events)}
    for low, high in [("2020-01-10", "2020-02-10"), ("2020", "2020"), ("2020-02-03", "2020-02-03")]:
        found = ke.events_between(root, low, high)
        rows = [position[e.id] for e in ds.events_between(low, high)]
        assert found.equals(expected_table.take(rows))


def test_ids_and_titles_are_not_dictionary_encoded(open_ended: tuple[ke.Dataset, Path]) -> None:
    _ds, root = open_ended
    group = pq.read_metadata(root / "events.parquet").row_group(0)
    dictionary = {
        group.column(i).path_in_schema: group.column(i).has_dictionary_page
        for i in range(group.num_columns)
    }
    # unique values gain nothing from a dictionary; repeated ones do
    assert not dictionary["id"] and not dictionary["title"]
    assert dictionary["event_type"] and dictionary["actors.list.element.actor"]


def _emptied(entries: dict[bytes, bytes]) -> dict[bytes, bytes]:
    """Well-formed, and a lie: no copies at all, so a query would miss the long spans."""
    return {long_spans.ROWS_KEY: _encoded(_copies(entries).slice(0, 0))}


def _days_earlier(entries: dict[bytes, bytes]) -> dict[bytes, bytes]:
    """Well-formed, and a lie: every day a year earlier, so rows that end in that year
    are neither copied nor decoded."""
    days = json.loads(entries[long_spans.FROM_KEY])
    moved = [
        None
        if day is None
        else (
            datetime.date.fromisoformat(day).replace(day=1) - datetime.timedelta(days=365)
        ).isoformat()
        for day in days
    ]
    return {long_spans.FROM_KEY: json.dumps(moved).encode()}


def _invented(entries: dict[bytes, bytes]) -> dict[bytes, bytes]:
    """Well-formed, and a lie: one more copy, of an event the file does not hold."""
    copies = _copies(entries)
    extra = copies.slice(0, 1).to_pylist()[0]
    extra["id"] = "evt-invented"
    return {
        long_spans.ROWS_KEY: _encoded(
            pa.concat_tables([copies, pa.Table.from_pylist([extra], copies.schema)])
        )
    }


LIES: dict[str, Callable[[dict[bytes, bytes]], dict[bytes, bytes]]] = {
    "rows-emptied": _emptied,
    "rows-invented": _invented,
    "days-earlier": _days_earlier,
    "rows-too-many": _too_many_copies,
    "rows-null-groups": _null_groups,
}


@pytest.mark.parametrize("damage", sorted(LIES))
def test_an_index_that_lies_is_found_by_validate_and_not_used_by_queries(
    open_ended: tuple[ke.Dataset, Path], tmp_path: Path, damage: str
) -> None:
    ds, _root = open_ended
    copy = tmp_path / "release"
    _release(ds, copy)
    assert ke.validate(copy).ok
    _rewrite_footer(copy, LIES[damage])
    rehash(copy)  # as a careful forger would: the hashes hold
    assert long_spans.read(pq.read_metadata(copy / "events.parquet")) is not None or damage in (
        "rows-too-many",
        "rows-null-groups",
    )
    report = ke.validate(copy)
    assert not report.ok
    assert {i.code for i in report.errors} == {"index"}, report.issues
    assert report.errors[0].path == str(copy / "events.parquet")
    # the query checks the copies' ids and dates against the rows before it uses them
    for low, high in [("2016", "2019-06"), ("2021-03-01", "2021-03-03"), ("2020", None)]:
        found = ke.events_between(copy, low, high)
        assert found["id"].to_pylist() == [e.id for e in ds.events_between(low, high)]
        assert found["id"].to_pylist() == [e.id for e in ke.load(copy).events_between(low, high)]
    assert not scan_plan(copy, "2021-03-01", "2021-03-03").indexed


def test_a_true_index_is_checked_once_per_file_and_then_used(
    open_ended: tuple[ke.Dataset, Path],
) -> None:
    _ds, root = open_ended
    assert scan_plan(root, "2021-03-01", "2021-03-03").indexed
    with mock.patch.object(
        long_spans, "_copies_are_the_outliving_rows", side_effect=AssertionError("checked again")
    ):
        assert scan_plan(root, "2021-03-01", "2021-03-03").indexed


def test_a_compression_bomb_in_the_index_is_never_decoded(
    open_ended: tuple[ke.Dataset, Path], tmp_path: Path
) -> None:
    """Copies whose pages promise far more bytes than the file could make (here 64 MB
    of one letter, a few hundred KB once compressed) are refused from their metadata,
    before any page is decoded, and the query answers from the groups."""
    ds, _root = open_ended
    copy = tmp_path / "release"
    _release(ds, copy)

    def bomb(entries: dict[bytes, bytes]) -> dict[bytes, bytes]:
        copies = _copies(entries)
        titles = ["a" * (64 << 20), *copies["title"].to_pylist()[1:]]
        copies = copies.set_column(
            copies.schema.get_field_index("title"), "title", pa.array(titles)
        )
        sink = pa.BufferOutputStream()
        pq.write_table(copies, sink, compression="zstd", compression_level=19)
        return {long_spans.ROWS_KEY: base64.b64encode(sink.getvalue().to_pybytes())}

    _rewrite_footer(copy, bomb)
    rehash(copy)
    metadata = pq.read_metadata(copy / "events.parquet")
    assert len(metadata.metadata[long_spans.ROWS_KEY]) < (2 << 20)  # small on disk
    spans = long_spans.read(metadata)
    assert spans is not None  # it fits the file's statistics...
    assert spans.rows(range(len(spans.starts)), ["id", "title"]) is None  # ...not its size
    found = ke.events_between(copy, "2021-03-01", "2021-03-03")
    assert found["id"].to_pylist() == [e.id for e in ds.events_between("2021-03-01", "2021-03-03")]
