"""Date precision and qualifiers, and the typed date columns derived from EDTF values.

The precision, ``approximate`` and ``uncertain`` of an event date, and the day bounds
of the other EDTF fields, are derived from the EDTF value: checked here against a
reading of the string by hand, in Python and in every table (Arrow, Parquet), and
never stored in JSON.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import attrs
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import koreaevents as ke
from koreaevents import vocab
from koreaevents.arrow import arrow_schema, columns, derived_columns, records_to_table
from koreaevents.convert import unstructure
from koreaevents.edtf import PRECISIONS, EdtfError, edtf_qualities
from koreaevents.schema import json_schema
from tests import strategies
from tests.query_support import event, oracle

# --- an independent reading of the string ---------------------------------------------


def _by_hand(value: str) -> tuple[str, bool, bool]:
    """(precision, approximate, uncertain), from the characters of the value alone."""
    sides = value.split("/")
    marks = "".join(side[-1:] for side in sides)
    if len(sides) == 2:
        precision = "interval"
    else:
        digits = sum(char.isdigit() for char in value)
        precision = {4: "year", 6: "month", 8: "day"}[digits]
    return precision, "~" in marks or "%" in marks, "?" in marks or "%" in marks


@given(strategies.edtf_values())
def test_qualities_match_a_reading_by_hand(value: str) -> None:
    qualities = edtf_qualities(value)
    assert (qualities.precision, qualities.approximate, qualities.uncertain) == _by_hand(value)
    date = ke.EventDate.from_edtf(value)
    assert (date.precision, date.approximate, date.uncertain) == _by_hand(value)
    assert date.precision in PRECISIONS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-24", ("day", False, False)),
        ("2024-01~", ("month", True, False)),
        ("2024?", ("year", False, True)),
        ("2024-01-24%", ("day", True, True)),
        ("2024-01-14/2024-01-17", ("interval", False, False)),
        ("2024-01-14~/2024-01-17", ("interval", True, False)),
        ("2024-01/2024-02?", ("interval", False, True)),
        ("2024-01-05/..", ("interval", False, False)),
        ("../2024-01-05%", ("interval", True, True)),
        ("/2024-01-05", ("interval", False, False)),
    ],
)
def test_precision_of_examples(value: str, expected: tuple[str, bool, bool]) -> None:
    date = ke.EventDate.from_edtf(value)
    assert (date.precision, date.approximate, date.uncertain) == expected


@pytest.mark.parametrize("value", ["2024-21", "202X", "2024-XX", "", "2024/2023", "../.."])
def test_values_outside_the_subset_have_no_precision(value: str) -> None:
    with pytest.raises(EdtfError):
        edtf_qualities(value)


def test_precision_terms_agree() -> None:
    assert tuple(term.value for term in vocab.DatePrecision) == PRECISIONS


# --- never in JSON --------------------------------------------------------------------


def test_json_and_schemas_do_not_gain_the_derived_values() -> None:
    date = ke.EventDate.from_edtf("2024-01~")
    assert set(unstructure(date)) == {"edtf", "earliest", "latest"}
    event_schema = json_schema("event")
    date_def = next(d for name, d in event_schema["$defs"].items() if name.lower().endswith("date"))
    assert set(date_def["properties"]) == {"edtf", "earliest", "latest"}
    assert "published_earliest" not in json_schema("source")["properties"]
    assert "as_of_earliest" not in json_schema("analysis")["properties"]
    assert ke.Event(**{**attrs.asdict(event(1, "2024-01~"), recurse=False)}) == event(1, "2024-01~")


# --- in tables ----------------------------------------------------------------------


def test_contract_columns_and_types() -> None:
    events = arrow_schema("events")
    assert events.field("date_precision").type == pa.string()
    assert events.field("date_approximate").type == pa.bool_()
    assert events.field("date_uncertain").type == pa.bool_()
    assert json.loads(events.field("date_precision").metadata[b"enum"]) == list(PRECISIONS)
    for stem, names in {
        "sources": ("published_earliest", "published_latest"),
        "analyses": ("as_of_earliest", "as_of_latest", "horizon_earliest", "horizon_latest"),
    }.items():
        schema = arrow_schema(stem)
        for name in names:
            assert schema.field(name).type == pa.date32(), name
            assert schema.field(name).nullable
    # each derived column follows the field (or the object) it comes from
    names = events.names
    assert names.index("date_precision") == names.index("date_latest") + 1
    sources = arrow_schema("sources").names
    assert sources.index("published_earliest") == sources.index("published") + 1


def _bounds(value: str | None) -> tuple[datetime.date | None, datetime.date | None]:
    if value is None:
        return None, None
    bounds = ke.parse_edtf(value)
    return bounds.earliest, bounds.latest


@settings(max_examples=30)
@given(strategies.datasets(max_events=6))
def test_table_columns_agree_with_the_records(ds: ke.Dataset) -> None:
    events = ds.to_arrow("events").to_pylist()
    for row, record in zip(events, ds.events, strict=True):
        assert row["date_precision"] == _by_hand(record.date.edtf)[0]
        assert row["date_approximate"] == _by_hand(record.date.edtf)[1]
        assert row["date_uncertain"] == _by_hand(record.date.edtf)[2]
    for row, source in zip(ds.to_arrow("sources").to_pylist(), ds.sources, strict=True):
        assert (row["published_earliest"], row["published_latest"]) == _bounds(source.published)
    for row, analysis in zip(ds.to_arrow("analyses").to_pylist(), ds.analyses, strict=True):
        assert (row["as_of_earliest"], row["as_of_latest"]) == _bounds(analysis.as_of)
        assert (row["horizon_earliest"], row["horizon_latest"]) == _bounds(analysis.horizon)


@settings(max_examples=15, deadline=None)
@given(strategies.datasets(max_events=5))
def test_parquet_round_trip_ignores_the_derived_columns(ds: ke.Dataset) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        out = ke.write_parquet(ds, Path(folder) / "r")
        again = ke.load(out)
        assert again == ds
        partitioned = ke.write_parquet(ds, Path(folder) / "p", partition_by="year")
        assert ke.load(partitioned) == ds
        assert ke.events_between(partitioned)["id"].to_pylist() == [e.id for e in ds.events]
        table = pq.read_table(out / "events.parquet")
        assert table.schema.names == arrow_schema("events").names
        assert table.column("date_precision").to_pylist() == [e.date.precision for e in ds.events]


def _rewrite(path: Path, change: object) -> None:
    table = pq.read_table(path)
    assert callable(change)
    pq.write_table(change(table), path)


def _unlisted(release: Path) -> None:
    """Drop the hashes from datapackage.json, as a tool that rewrites files would have
    to; the test then reads the files alone."""
    (release / "datapackage.json").unlink()


def test_a_stale_derived_column_is_reported_not_trusted(tmp_path: Path) -> None:
    ds = ke.Dataset(
        [event(1, "2024-01-24"), event(2, "2024-01~")],
        check=False,
    )
    release = ke.write_parquet(ds, tmp_path / "r")
    _unlisted(release)

    def stale(table: pa.Table) -> pa.Table:
        index = table.schema.get_field_index("date_precision")
        wrong = pa.array(["year"] * table.num_rows, pa.string())
        return table.set_column(index, table.schema.field(index), wrong)

    _rewrite(release / "events.parquet", stale)
    with pytest.raises(ke.DataError) as caught:
        ke.load(release / "events.parquet")
    issues = caught.value.issues
    assert [issue.code for issue in issues] == ["date-bounds"]
    assert "date_precision" in issues[0].message
    assert issues[0].pointer == "/date/edtf"
    # the query reads the precision from date_edtf, not from the stale column
    found = ke.events_between(release / "events.parquet", precision="day")
    assert found["id"].to_pylist() == ["evt-0000001"]


def test_files_without_the_derived_columns_still_load(tmp_path: Path) -> None:
    """A release written before the columns existed (or trimmed by another tool)."""
    ds = ke.Dataset([event(1, "2024-01-24"), event(2, "2024")], check=False)
    release = ke.write_parquet(ds, tmp_path / "r")
    _unlisted(release)
    _rewrite(
        release / "events.parquet",
        lambda table: table.drop_columns([c.name for c in derived_columns("events")]),
    )
    assert ke.load(release / "events.parquet").events == ds.events
    found = ke.events_between(release / "events.parquet", precision="year")
    assert found["id"].to_pylist() == ["evt-0000002"]


def test_parquet_bytes_stay_deterministic(tmp_path: Path) -> None:
    ds = ke.load()
    first = ke.write_parquet(ds, tmp_path / "a")
    second = ke.write_parquet(ds, tmp_path / "b", partition_by=None)
    for path in sorted(first.rglob("*.parquet")):
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes()
    # records_to_table and the streaming build agree column for column
    assert records_to_table("events", ds.events).equals(pq.read_table(first / "events.parquet"))


def test_codebook_lists_the_derived_columns() -> None:
    from koreaevents.codebook import render_codebook

    page = render_codebook()
    for stem in ("events", "sources", "analyses"):
        for column in columns(stem):
            if column.derived is not None:
                assert f"`{column.name}`" in page
    assert "Date precision" in page


# --- the filter ---------------------------------------------------------------------

VALUES = [
    "2024-01-24",
    "2024-01-24?",
    "2024-01",
    "2024-02~",
    "2024",
    "2024-01-14/2024-01-17",
    "2024-01-20/..",
    "../2024-01-05",
]


@pytest.fixture
def mixed() -> ke.Dataset:
    """A consistent dataset with events of every precision."""
    source = ke.Source(
        id="src-a",
        kind="news_report",
        title="A report",
        publisher="A publisher",
        published="2024-01~",
        reliability="B",
    )
    actor = ke.Actor(id="prk", name="North Korea", kind="state")
    events = [event(n, value) for n, value in enumerate(VALUES)]
    return ke.Dataset(events, [source], actors=[actor], metadata={"name": "mixed"})


@pytest.mark.parametrize("mode", ["overlaps", "within"])
@pytest.mark.parametrize(
    "precision", ["day", "month", "year", "interval", ["day", "interval"], ["month", "year"]]
)
def test_precision_filter_in_memory_and_on_parquet(
    mixed: ke.Dataset, tmp_path: Path, mode: str, precision: str | list[str]
) -> None:
    low, high = datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    expected = oracle(mixed.events, low, high, mode, precision=precision)
    assert expected  # every precision occurs in the fixture
    found = mixed.events_between("2024", "2024", mode=mode, precision=precision)
    assert [e.id for e in found] == expected
    for layout in (None, "year"):
        release = ke.write_parquet(mixed, tmp_path / f"r-{layout}", partition_by=layout)
        table = ke.events_between(release, "2024", "2024", mode=mode, precision=precision)
        assert table["id"].to_pylist() == expected


def test_unknown_precision_is_a_value_error(mixed: ke.Dataset, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown date precision 'week'"):
        mixed.events_between(precision="week")
    release = ke.write_parquet(mixed, tmp_path / "r")
    with pytest.raises(ValueError, match="unknown date precision"):
        ke.events_between(release, precision="days")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "koreaevents", *args], capture_output=True, text=True, check=False
    )


def test_query_precision_option(mixed: ke.Dataset, tmp_path: Path) -> None:
    folder = tmp_path / "json"
    ke.write_json(mixed, folder, layout="jsonl")
    release = ke.write_parquet(mixed, tmp_path / "r")
    expected = [e.id for e in mixed.events if e.date.precision in ("month", "year")]
    for dataset in (folder, release):
        done = _cli(
            "query", "--dataset", str(dataset), "--precision", "month,year", "--format", "json"
        )
        assert done.returncode == 0, done.stderr
        assert [item["id"] for item in json.loads(done.stdout)] == expected
    bad = _cli("query", "--dataset", str(folder), "--precision", "week")
    assert bad.returncode == 2
    assert "unknown date precision" in bad.stderr
    assert "Traceback" not in bad.stderr


@given(st.sampled_from(VALUES))
def test_precision_of_the_fixture_values_by_hand(value: str) -> None:
    assert ke.EventDate.from_edtf(value).precision == _by_hand(value)[0]


def test_validate_names_a_stale_bound_of_a_source(mixed: ke.Dataset, tmp_path: Path) -> None:
    release = ke.write_parquet(mixed, tmp_path / "r")
    _unlisted(release)

    def shifted(table: pa.Table) -> pa.Table:
        index = table.schema.get_field_index("published_earliest")
        wrong = pa.array([datetime.date(1999, 1, 1)] * table.num_rows, pa.date32())
        return table.set_column(index, table.schema.field(index), wrong)

    _rewrite(release / "sources.parquet", shifted)
    report = ke.validate(release)
    assert not report.ok
    codes = {(issue.code, issue.pointer) for issue in report.issues}
    assert ("date-bounds", "/published") in codes
    done = _cli("validate", str(release))
    assert done.returncode == 1
    assert "published_earliest" in done.stdout + done.stderr
