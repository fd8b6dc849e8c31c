"""One truth: every reader of a release gives the same answer, or all refuse.

For releases rewritten by other tools (pyarrow, pandas, polars, DuckDB), with stray
files beside the listed ones, and with footer entries crafted to lie, three readers
must agree on every range: the records loaded into memory
(``ke.load(r).events_between``), the Parquet query (``ke.events_between(r, ...)``),
and a brute-force scan written here from the contract's wording alone: read exactly
the files ``datapackage.json`` lists, refuse when a file's size or hash differs from
what the descriptor says, keep the rows whose dates meet the range.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import koreaevents as ke
from koreaevents.io import long_spans
from tests.query_support import event
from tests.query_support import rehash as rehash_descriptor
from tests.test_long_spans import LIES, _release, small_groups


class Refused(Exception):
    """The brute-force reader refuses the release."""


def _dataset() -> ke.Dataset:
    rng = random.Random(11)
    values = []
    for _ in range(700):
        day = datetime.date(2016, 1, 1) + datetime.timedelta(days=rng.randrange(6 * 365))
        form = rng.random()
        if form < 0.05:
            values.append(f"{day}/..")
        elif form < 0.08:
            values.append(f"../{day}")
        elif form < 0.2:
            values.append(f"{day}/{day + datetime.timedelta(days=rng.randrange(1, 700))}")
        else:
            values.append(day.isoformat())
    source = ke.Source(
        id="src-a", kind="wire_report", title="A", publisher="Wire", published="2024",
        reliability="B",
    )  # fmt: skip
    actor = ke.Actor(id="prk", name="North Korea", kind="state")
    events = [event(n, value, title=f"Event {n}") for n, value in enumerate(values)]
    return ke.Dataset(events, [source], (), [actor])


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The clean releases each example copies: one file per record type, and events
    partitioned by year; row groups of 100 rows, so that the events files carry a
    long-span index."""
    ds = _dataset()
    root = tmp_path_factory.mktemp("releases")
    single = _release(ds, root / "single")
    with small_groups(100, 10):
        ke.write_parquet(ds, root / "partitioned", partition_by="year")
    return {"single": single, "partitioned": root / "partitioned"}


# --- what other tools do to a release -----------------------------------------------


def _by_pyarrow(source: Path, target: Path, dropped: set[str]) -> None:
    table = pq.ParquetFile(source).read()  # carries the footer entries over
    keep = pa.array([name not in dropped for name in table["id"].to_pylist()])
    pq.write_table(table.filter(keep), target, row_group_size=100)


def _by_pyarrow_batches(source: Path, target: Path, dropped: set[str]) -> None:
    handle = pq.ParquetFile(source)
    table = pa.Table.from_batches(list(handle.iter_batches(batch_size=53)), handle.schema_arrow)
    keep = pa.array([name not in dropped for name in table["id"].to_pylist()])
    pq.write_table(table.filter(keep), target, row_group_size=100)


def _by_pandas(source: Path, target: Path, dropped: set[str]) -> None:
    frame = pd.read_parquet(source)
    frame = frame[~frame["id"].isin(dropped)]
    frame.to_parquet(target, index=False, row_group_size=100)


def _by_polars(source: Path, target: Path, dropped: set[str]) -> None:
    frame = pl.read_parquet(source)
    frame.filter(~pl.col("id").is_in(sorted(dropped))).write_parquet(target, row_group_size=100)


def _by_duckdb(source: Path, target: Path, dropped: set[str]) -> None:
    connection = duckdb.connect()
    connection.execute(
        "COPY (SELECT * FROM read_parquet(?) WHERE NOT list_contains(?, id)) "
        "TO '" + str(target).replace("'", "''") + "' (FORMAT parquet, ROW_GROUP_SIZE 100)",
        [str(source), sorted(dropped)],
    )
    connection.close()


REWRITERS: dict[str, Callable[[Path, Path, set[str]], None]] = {
    "pyarrow": _by_pyarrow,
    "pyarrow-batches": _by_pyarrow_batches,
    "pandas": _by_pandas,
    "polars": _by_polars,
    "duckdb": _by_duckdb,
}


def _lie(name: str) -> Callable[[Path, Path, set[str]], None]:
    def rewrite(source: Path, target: Path, _dropped: set[str]) -> None:
        handle = pq.ParquetFile(source)
        entries = dict(handle.metadata.metadata)
        if long_spans.ROWS_KEY not in entries:
            shutil.copyfile(source, target)
            return
        entries.update(LIES[name](entries))
        entries.pop(b"ARROW:schema", None)
        table = handle.read()
        with pq.ParquetWriter(target, table.schema) as writer:
            writer.write_table(table, row_group_size=100)
            writer.add_key_value_metadata(entries)

    return rewrite


REWRITERS.update({f"lie-{name}": _lie(name) for name in LIES})


def _stray(root: Path, kind: str, events_file: Path) -> None:
    """Something beside the listed files that no reader may read."""
    if kind == "backup":
        shutil.copyfile(events_file, events_file.with_name(events_file.name + "~"))
    elif kind == "unlisted-copy":
        folder = root / "events"
        folder.mkdir(exist_ok=True)
        shutil.copyfile(events_file, folder / "part-copy.parquet")
    elif kind == "link-out":
        outside = root.parent / f"{root.name}-outside"
        outside.mkdir(exist_ok=True)
        shutil.copyfile(events_file, outside / "part-9.parquet")
        (root / "events").mkdir(exist_ok=True)
        os.symlink(outside, root / "events" / "linked")
    elif kind == "loop":
        (root / "events").mkdir(exist_ok=True)
        os.symlink("..", root / "events" / "loop")
    elif kind == "readme":
        (root / "events").mkdir(exist_ok=True)
        (root / "events" / "README.md").write_text("notes\n", "utf-8")


# --- the three readers ----------------------------------------------------------------


def _brute_force(root: Path, low: datetime.date, high: datetime.date, mode: str) -> list[str]:
    package = json.loads((root / "datapackage.json").read_text("utf-8"))
    rows: list[tuple[bool, datetime.date | None, str]] = []
    for resource in package["resources"]:
        paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
        for relative in paths:
            data = (root / relative).read_bytes()
            digest = "sha256:" + hashlib.sha256(data).hexdigest()
            size = resource.get("bytes", len(data))  # a release may leave it out
            if len(data) != size or digest != resource.get("hash"):
                raise Refused(relative)
            if relative != "events.parquet" and not relative.startswith("events/"):
                continue
            table = pq.read_table(io.BytesIO(data), columns=["id", "date_earliest", "date_latest"])
            for name, first, last in zip(
                *(table[c].to_pylist() for c in ("id", "date_earliest", "date_latest")),
                strict=True,
            ):
                if mode == "overlaps":
                    hit = (first is None or first <= high) and (last is None or last >= low)
                else:
                    hit = first is not None and last is not None and low <= first <= last <= high
                if hit:
                    rows.append((first is not None, first, name))
    rows.sort(key=lambda row: (row[0], row[1] or datetime.date.min, row[2]))
    return [name for _known, _first, name in rows]


def _answers(root: Path, low: datetime.date, high: datetime.date, mode: str) -> list[object]:
    answers: list[object] = []
    for read in (
        lambda: [e.id for e in ke.load(root).events_between(low, high, mode=mode)],
        lambda: ke.events_between(root, low, high, mode=mode)["id"].to_pylist(),
        lambda: _brute_force(root, low, high, mode),
    ):
        try:
            answers.append(read())
        except (ke.DataError, Refused):
            answers.append("refused")
    return answers


days = st.dates(datetime.date(2015, 6, 1), datetime.date(2023, 6, 1))


@settings(
    max_examples=int(os.environ.get("ONE_TRUTH_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    layout=st.sampled_from(["single", "partitioned"]),
    rewriter=st.none() | st.sampled_from(sorted(REWRITERS)),
    dropped=st.sets(st.integers(0, 699), max_size=40),
    rehash=st.booleans(),
    strays=st.sets(st.sampled_from(["backup", "unlisted-copy", "link-out", "loop", "readme"])),
    ranges=st.lists(
        st.tuples(
            days, st.sampled_from([0, 6, 30, 365, 2000]), st.sampled_from(["overlaps", "within"])
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_every_reader_gives_the_same_answer_or_all_refuse(
    releases: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    layout: str,
    rewriter: str | None,
    dropped: set[int],
    rehash: bool,
    strays: set[str],
    ranges: list[tuple[datetime.date, int, str]],
) -> None:
    root = tmp_path_factory.mktemp("truth") / "release"
    shutil.copytree(releases[layout], root, symlinks=True)
    events_files = sorted(
        [root / "events.parquet"] if layout == "single" else (root / "events").rglob("*.parquet")
    )
    target = events_files[len(events_files) // 2]
    if rewriter is not None:
        rewritten = target.with_name("rewritten.tmp")
        REWRITERS[rewriter](target, rewritten, {f"evt-{n:07d}" for n in dropped})
        os.replace(rewritten, target)
        if rehash:
            rehash_descriptor(root)
    for kind in sorted(strays):
        _stray(root, kind, target)
    for low, length, mode in ranges:
        high = low + datetime.timedelta(days=length)
        memory, parquet, brute = _answers(root, low, high, mode)
        assert memory == parquet == brute, (rewriter, rehash, strays, low, high, mode)
