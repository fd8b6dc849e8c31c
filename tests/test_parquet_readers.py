"""The built release in the readers analysts use: pandas, polars, DuckDB, pyarrow, Spark.

Each reader must see typed date columns and answer a date-range query ("overlaps":
the event's [earliest, latest] meets the range, an open bound unbounded) exactly as
``Dataset.events_between`` does, on both layouts.
"""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pytest

import koreaevents as ke
from koreaevents.io.parquet import arrow_dataset

LOW, HIGH = datetime.date(2024, 1, 14), datetime.date(2024, 1, 24)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled dataset built with ``koreaevents build``, both layouts side by side."""
    from koreaevents import cli

    root = tmp_path_factory.mktemp("release")
    assert cli.main(["build", "--out", str(root / "plain")]) == 0
    assert cli.main(["build", "--out", str(root / "parted"), "--partition-by", "year"]) == 0
    return root


@pytest.fixture(scope="module")
def expected() -> list[str]:
    ids = [event.id for event in ke.load().events_between(LOW, HIGH)]
    assert 3 < len(ids) < len(ke.load().events)  # the query selects, not everything
    return ids


def test_pandas_reads_typed_dates(release: Path, expected: list[str]) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_parquet(release / "plain" / "events.parquet")
    # pyarrow's date32 becomes Python dates in an object column by default...
    assert frame["date_earliest"].dtype == object
    assert all(isinstance(d, datetime.date) for d in frame["date_earliest"].dropna())
    assert frame["location_lat"].dtype == "float64"
    # ...and a real date dtype with the pyarrow backend (what docs/parquet.md advises).
    typed = pd.read_parquet(release / "plain" / "events.parquet", dtype_backend="pyarrow")
    assert str(typed["date_earliest"].dtype) == "date32[day][pyarrow]"
    overlaps = (typed["date_earliest"].isna() | (typed["date_earliest"] <= HIGH)) & (
        typed["date_latest"].isna() | (typed["date_latest"] >= LOW)
    )
    found = typed[overlaps.fillna(False).astype(bool)].sort_values(["date_earliest", "id"])
    assert found["id"].tolist() == expected


def test_polars_reads_typed_dates(release: Path, expected: list[str]) -> None:
    pl = pytest.importorskip("polars")
    frame = pl.read_parquet(release / "plain" / "events.parquet")
    assert frame.schema["date_earliest"] == pl.Date
    assert frame.schema["date_latest"] == pl.Date
    assert frame.schema["tags"] == pl.List(pl.String)
    assert frame.schema["actors"] == pl.List(pl.Struct({"actor": pl.String, "role": pl.String}))
    overlaps = (pl.col("date_earliest").is_null() | (pl.col("date_earliest") <= HIGH)) & (
        pl.col("date_latest").is_null() | (pl.col("date_latest") >= LOW)
    )
    for source in (
        release / "plain" / "events.parquet",
        release / "parted" / "events" / "**" / "*.parquet",
    ):
        found = (
            pl.scan_parquet(source, hive_partitioning=True)
            .filter(overlaps)
            .sort(["date_earliest", "id"], nulls_last=False)
            .collect()
        )
        assert found["id"].to_list() == expected


def test_duckdb_reads_typed_dates(release: Path, expected: list[str]) -> None:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    plain = str(release / "plain" / "events.parquet")
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{plain}')").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["date_earliest"] == "DATE" and types["date_latest"] == "DATE"
    assert types["tags"] == "VARCHAR[]"
    query = """
        SELECT id FROM read_parquet(?, hive_partitioning = true)
        WHERE (date_earliest IS NULL OR date_earliest <= ?)
          AND (date_latest IS NULL OR date_latest >= ?)
        ORDER BY date_earliest NULLS FIRST, id
    """
    parted = str(release / "parted" / "events" / "**" / "*.parquet")
    for source in (plain, parted):
        found = [row[0] for row in con.execute(query, [source, HIGH, LOW]).fetchall()]
        assert found == expected


def test_pyarrow_dataset_prunes_on_dates(release: Path, expected: list[str]) -> None:
    field = pads.field
    overlaps = (field("date_earliest").is_null() | (field("date_earliest") <= HIGH)) & (
        field("date_latest").is_null() | (field("date_latest") >= LOW)
    )
    for layout in ("plain", "parted"):
        dataset = arrow_dataset(release / layout, "events")
        assert "year" not in dataset.schema.names
        table = dataset.to_table(filter=overlaps)
        order = table.sort_by([("date_earliest", "ascending"), ("id", "ascending")])
        assert order["id"].to_pylist() == expected
        assert table.schema.field("date_earliest").type == pa.date32()


def test_the_release_reads_back_whole(release: Path) -> None:
    bundled = ke.load()
    assert ke.load(release / "plain") == bundled
    assert ke.load(release / "parted") == bundled


@pytest.mark.spark
def test_spark_reads_typed_dates(
    release: Path, expected: list[str], request: pytest.FixtureRequest
) -> None:
    """Runs with ``-m spark`` (or KOREAEVENTS_SPARK=1): starting a JVM takes ~25 s."""
    wanted = "spark" in str(request.config.getoption("markexpr", "") or "")
    if not wanted and os.environ.get("KOREAEVENTS_SPARK") != "1":
        pytest.skip("Spark test is opt-in: run pytest -m spark (needs Java and PySpark)")
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="PySpark is not installed")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java, and there is no java on PATH")
    spark = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("koreaevents-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        for source in (release / "plain" / "events.parquet", release / "parted" / "events"):
            frame = spark.read.parquet(str(source))
            types = dict(frame.dtypes)
            assert types["date_earliest"] == "date" and types["date_latest"] == "date"
            frame.createOrReplaceTempView("events")
            rows = spark.sql(
                f"""
                SELECT id FROM events
                WHERE (date_earliest IS NULL OR date_earliest <= DATE '{HIGH}')
                  AND (date_latest IS NULL OR date_latest >= DATE '{LOW}')
                ORDER BY date_earliest ASC NULLS FIRST, id
                """
            ).collect()
            assert [row["id"] for row in rows] == expected
    finally:
        spark.stop()


def test_open_start_partition_reads_in_every_reader(tmp_path: Path) -> None:
    """An event with an open start goes to the year of its last day: no partition is
    null, so pandas (which cannot unify a null-only partition's dictionary), pyarrow,
    polars and DuckDB all read the folder, with the year as an integer."""
    import attrs

    duckdb = pytest.importorskip("duckdb")
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    ds = ke.load()
    last = max(e.date.latest for e in ds.events if e.date.latest is not None)
    open_start = attrs.evolve(
        ds.events[0],
        id="evt-open-start",
        date=ke.EventDate.from_edtf(f"../{last.isoformat()}"),
        related=(),
    )
    ds = ke.Dataset((*ds.events, open_start), ds.sources, ds.analyses, ds.actors)
    ke.write_parquet(ds, tmp_path / "r", partition_by="year")
    events = tmp_path / "r" / "events"
    expected = sorted(
        e.id for e in ds.events if (e.date.earliest or e.date.latest).year == last.year
    )  # type: ignore[union-attr]
    frame = pd.read_parquet(events)
    assert len(frame) == len(ds.events)
    assert sorted(frame.loc[frame["year"] == last.year, "id"]) == expected
    assert not frame["year"].isna().any()
    typed = pd.read_parquet(events, dtype_backend="pyarrow")
    assert len(typed) == len(ds.events)
    pattern = str(events / "**" / "*.parquet")
    rows = duckdb.sql(
        f"SELECT id FROM read_parquet('{pattern}', hive_partitioning = true) "
        f"WHERE year = {last.year} ORDER BY id"
    ).fetchall()
    assert [row[0] for row in rows] == expected
    found = pl.scan_parquet(pattern, hive_partitioning=True).filter(pl.col("year") == last.year)
    assert sorted(found.collect()["id"].to_list()) == expected
    table = pads.dataset(events, partitioning="hive").to_table()
    assert table.num_rows == len(ds.events)
    # In both layouts the library reads it back, without the partition column.
    assert ke.load(tmp_path / "r") == ds
    assert ke.events_between(tmp_path / "r").num_rows == len(ds.events)
