"""Exports: CSV, GeoJSON, PLOVER and ClaimReview, from the library and the command line.

Expected values are derived from the records and from ``Dataset.to_arrow``, never
from counts of the bundled dataset.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pyarrow as pa
import pytest
from hypothesis import given, settings

import koreaevents as ke
from koreaevents import vocab
from koreaevents.cli import main
from koreaevents.exports import EXPORT_FORMATS, LIST_SEPARATOR, table_to_csv

from .strategies import datasets

PLOVER_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "plover-event.schema.json").read_text(encoding="utf-8")
)
PLOVER_VALIDATOR = jsonschema.Draft202012Validator(
    PLOVER_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


# --- reading a CSV back ---------------------------------------------------------------


def _decode(cell: str, data_type: pa.DataType) -> Any:
    """A CSV cell back as the value ``to_arrow().to_pylist()`` holds (objects in their
    canonical JSON form)."""
    if pa.types.is_list(data_type):
        if cell == "":
            return []
        if pa.types.is_struct(data_type.value_type):
            return json.loads(cell)
        return [_decode(item, data_type.value_type) for item in cell.split(LIST_SEPARATOR)]
    if cell == "":
        return None
    if pa.types.is_date(data_type):
        return datetime.date.fromisoformat(cell)
    if pa.types.is_floating(data_type):
        return float(cell)
    if pa.types.is_integer(data_type):
        return int(cell)
    if pa.types.is_boolean(data_type):
        return {"true": True, "false": False}[cell]
    return cell


def _canonical(value: Any) -> Any:
    """An Arrow value as the export writes objects: dates ISO, absent members left out."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _expected(value: Any, data_type: pa.DataType) -> Any:
    if pa.types.is_list(data_type) and pa.types.is_struct(data_type.value_type):
        return _canonical(value)
    return value


def _separator_free(value: Any, data_type: pa.DataType) -> bool:
    """Whether a list of strings can be split back: no item holds the separator."""
    if not (pa.types.is_list(data_type) and not pa.types.is_struct(data_type.value_type)):
        return True
    return not any(LIST_SEPARATOR in str(item) for item in value or [])


def assert_csv_matches_table(data: bytes, table: pa.Table) -> None:
    """The CSV, read back with pandas (every cell as text), equals the table."""
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    assert list(frame.columns) == table.column_names
    assert len(frame) == table.num_rows
    for field in table.schema:
        cells = frame[field.name].tolist()
        values = table.column(field.name).to_pylist()
        for cell, value in zip(cells, values, strict=True):
            if _separator_free(value, field.type):
                assert _decode(cell, field.type) == _expected(value, field.type), field.name
            else:  # an item holding "; ": the cell is still the items joined
                assert cell == LIST_SEPARATOR.join(value), field.name


# --- CSV ------------------------------------------------------------------------------


@settings(max_examples=25)
@given(datasets())
def test_csv_round_trip_equals_to_arrow(ds: ke.Dataset) -> None:
    for stem in ("events", "sources", "analyses", "actors"):
        result = ke.export(ds, format="csv", record=stem)
        assert_csv_matches_table(result.data, ds.to_arrow(stem))
        assert result.count == len(ds.stem(stem))


def test_csv_of_the_bundled_events_reads_in_pandas_with_defaults() -> None:
    import pandas as pd

    ds = ke.load()
    table = ds.to_arrow("events")
    data = ke.export(ds, format="csv").data
    assert not data.startswith(b"\xef\xbb\xbf")  # no byte-order mark: R and csv read "id"
    frame = pd.read_csv(io.BytesIO(data))
    assert list(frame.columns) == table.column_names
    assert frame["id"].tolist() == table.column("id").to_pylist()
    assert_csv_matches_table(data, table)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [row["id"] for row in rows] == [event.id for event in ds.events]
    first = ds.events[0]
    assert rows[0]["tags"] == LIST_SEPARATOR.join(first.tags)
    assert json.loads(rows[0]["actors"]) == [
        {"actor": role.actor, "role": role.role.value} for role in first.actors
    ]


def test_csv_columns_follow_the_table() -> None:
    """A column added to the table appears in the CSV, in its place, with no list kept
    anywhere else."""
    table = ke.load().to_arrow("events")
    extra = table.append_column("date_precision", pa.array(["day"] * table.num_rows))
    header = table_to_csv(extra).split(b"\r\n", 1)[0].decode()
    assert header.split(",") == extra.column_names


def test_csv_selection_matches_the_query() -> None:
    ds = ke.load()
    day = ds.events[len(ds.events) // 2].date.earliest
    assert day is not None
    wanted = ds.events_between(day, day, event_type=ds.events[len(ds.events) // 2].event_type)
    result = ke.export(
        ds,
        format="csv",
        start=day,
        end=day,
        event_type=ds.events[len(ds.events) // 2].event_type.value,
    )
    rows = list(csv.DictReader(io.StringIO(result.data.decode())))
    assert [row["id"] for row in rows] == [event.id for event in wanted]
    assert result.selected == len(wanted)


def test_csv_records_of_the_selected_events() -> None:
    ds = ke.load()
    event = next(e for e in ds.events if e.verification.discrepancies)
    chosen = [e for e in ds.events if e.date.earliest == event.date.earliest]
    day = event.date.earliest
    sources = ke.export(ds, format="csv", record="sources", start=day, end=day)
    expected_sources = {c.source for e in chosen for c in e.citations}
    for e in chosen:
        for d in e.verification.discrepancies:
            expected_sources.update(d.citations)
            expected_sources.update([d.claimed_in] if d.claimed_in else [])
    rows = list(csv.DictReader(io.StringIO(sources.data.decode())))
    assert {row["id"] for row in rows} == expected_sources
    assert [row["id"] for row in rows] == sorted(expected_sources)  # in the table's order
    actors = ke.export(ds, format="csv", record="actors", start=day, end=day)
    rows = list(csv.DictReader(io.StringIO(actors.data.decode())))
    assert {row["id"] for row in rows} == {r.actor for e in chosen for r in e.actors}
    everything = ke.export(ds, format="csv", record="actors")
    assert everything.count == len(ds.actors)


def test_csv_from_a_parquet_release_equals_csv_from_json(tmp_path: Path) -> None:
    ds = ke.load()
    ke.write_parquet(ds, tmp_path / "plain")
    ke.write_parquet(ds, tmp_path / "parted", partition_by="year")
    day = ds.events[0].date.latest
    for stem in ("events", "sources"):
        from_json = ke.export(ds, format="csv", record=stem).data
        for layout in ("plain", "parted"):
            assert ke.export(tmp_path / layout, format="csv", record=stem).data == from_json
    ranged = ke.export(ds, format="csv", end=day).data
    assert ke.export(tmp_path / "parted", format="csv", end=day).data == ranged
    assert ke.export(tmp_path / "plain", format="geojson").data == (
        ke.export(ds, format="geojson").data
    )


# --- GeoJSON --------------------------------------------------------------------------


def _check_geojson(data: bytes, ds: ke.Dataset, events: tuple[ke.Event, ...]) -> dict[str, Any]:
    collection = json.loads(data)
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946: WGS 84 only, no crs member
    placed = [e for e in events if e.location.lat is not None and e.location.lon is not None]
    assert [f["id"] for f in collection["features"]] == [e.id for e in placed]
    columns = ds.to_arrow("events").column_names
    for feature, event in zip(collection["features"], placed, strict=True):
        assert feature["type"] == "Feature"
        assert feature["geometry"] == {
            "type": "Point",
            "coordinates": [event.location.lon, event.location.lat],
        }
        properties = feature["properties"]
        assert list(properties) == columns
        for value in properties.values():  # flat: no arrays or objects
            assert not isinstance(value, list | dict)
        assert properties["date_earliest"] == (
            event.date.earliest.isoformat() if event.date.earliest else None
        )
        assert properties["tags"] == (LIST_SEPARATOR.join(event.tags) if event.tags else None)
    return collection


@settings(max_examples=20)
@given(datasets())
def test_geojson_holds_the_events_with_coordinates(ds: ke.Dataset) -> None:
    result = ke.export(ds, format="geojson")
    _check_geojson(result.data, ds, ds.events)
    missing = sum(1 for e in ds.events if e.location.lat is None or e.location.lon is None)
    assert (result.count, result.skipped, result.selected) == (
        len(ds.events) - missing,
        missing,
        len(ds.events),
    )


def test_geojson_of_the_bundled_dataset() -> None:
    ds = ke.load()
    _check_geojson(ke.export(ds, format="geojson").data, ds, ds.events)


# --- PLOVER ---------------------------------------------------------------------------


def _plover_lines(data: bytes) -> list[dict[str, Any]]:
    text = data.decode("utf-8")
    assert text == "" or text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]
    for line in lines:
        errors = sorted(PLOVER_VALIDATOR.iter_errors(line), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    return lines


def _check_plover(data: bytes, ds: ke.Dataset, events: tuple[ke.Event, ...]) -> None:
    lines = _plover_lines(data)
    dated = [e for e in events if e.date.earliest is not None]
    assert [line["id"] for line in lines] == [e.id for e in dated]
    for line, event in zip(lines, dated, strict=True):
        mapping = vocab.TERMS[vocab.EventType][event.event_type].mappings
        assert (line["event"], line["mode"]) == (mapping["plover_event"], mapping["plover_mode"])
        assert event.date.earliest is not None
        assert line["date"] == event.date.earliest.isoformat()
        if "enddate" in line:
            assert line["enddate"] >= line["date"]
            assert event.date.latest is not None
            assert line["enddate"] == event.date.latest.isoformat()
        acting = [r.actor for r in event.actors if r.role.value in ("initiator", "participant")]
        receiving = [r.actor for r in event.actors if r.role.value in ("target", "host")]
        assert [a["koreaevents_id"] for a in line["source"]] == acting
        assert line["actor"] == line["source"]
        assert [a["koreaevents_id"] for a in line.get("recipient", [])] == receiving
        assert line["event_loc"]["name"] == event.location.name
        assert line["cite_info"]["citation"] == event.citations[0].source


def test_every_codebook_event_type_maps_to_a_plover_event() -> None:
    allowed = set(PLOVER_SCHEMA["properties"]["event"]["enum"])
    for term in vocab.TERMS[vocab.EventType].values():
        assert term.mappings["plover_event"] in allowed


@settings(max_examples=20)
@given(datasets())
def test_plover_lines_are_valid_plover_events(ds: ke.Dataset) -> None:
    result = ke.export(ds, format="plover")
    _check_plover(result.data, ds, ds.events)
    assert result.skipped == sum(1 for e in ds.events if e.date.earliest is None)


def test_plover_of_the_bundled_dataset() -> None:
    ds = ke.load()
    _check_plover(ke.export(ds, format="plover").data, ds, ds.events)


def test_the_plover_schema_rejects_what_plover_forbids() -> None:
    good = {"id": "x", "date": "2024-01-24", "event": "MOBILIZE", "source": [{"code": "PRK"}]}
    assert PLOVER_VALIDATOR.is_valid(good)
    for bad in (
        {**good, "event": "LAUNCH"},
        {**good, "date": "2024-01"},
        {**good, "source": [{"code": "North Korea"}]},
        {**good, "event_loc": {"lat": 39.0}},
        {k: v for k, v in good.items() if k != "id"},
    ):
        assert not PLOVER_VALIDATOR.is_valid(bad), bad


# --- ClaimReview ----------------------------------------------------------------------


def _check_claimreview(data: bytes, ds: ke.Dataset, events: tuple[ke.Event, ...]) -> None:
    reviews = json.loads(data)
    expected = [(e, d) for e in events for d in e.verification.discrepancies]
    assert len(reviews) == len(expected)
    for review, (event, discrepancy) in zip(reviews, expected, strict=True):
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"] == discrepancy.claimed
        claim = review["itemReviewed"]
        assert claim["@type"] == "Claim"
        if discrepancy.claimed_in is not None:
            source = ds.get(discrepancy.claimed_in)
            assert isinstance(source, ke.Source)
            assert claim["appearance"]["identifier"] == source.id
            assert claim["appearance"].get("url") == source.url
            assert review.get("url") == source.url
        else:
            assert "appearance" not in claim
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating"
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert rating["alternateName"] in ("Incorrect", "Disputed")
        assert rating["ratingExplanation"] == discrepancy.corrected
        assert review["author"]["name"] == ds.name
        if "datePublished" in review:
            datetime.date.fromisoformat(review["datePublished"])
        assert review["about"]["identifier"] == event.id


@settings(max_examples=20)
@given(datasets())
def test_claimreview_has_one_review_per_discrepancy(ds: ke.Dataset) -> None:
    result = ke.export(ds, format="claimreview")
    _check_claimreview(result.data, ds, ds.events)


def test_claimreview_of_the_bundled_dataset() -> None:
    ds = ke.load()
    _check_claimreview(ke.export(ds, format="claimreview").data, ds, ds.events)


# --- bytes, files and errors ----------------------------------------------------------


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_same_input_same_bytes(fmt: str, tmp_path: Path) -> None:
    first = ke.export(format=fmt, out=tmp_path / "a").data
    assert ke.export(ke.load(), format=fmt).data == first
    assert (tmp_path / "a").read_bytes() == first


def test_export_replaces_the_file_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "events.csv"
    target.write_text("old\n")
    result = ke.export(format="csv", out=target)
    assert result.path == target
    assert target.read_bytes() == result.data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]


def test_a_failed_export_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "events.csv"
    target.write_text("old\n")
    with pytest.raises(ValueError):
        ke.export(format="csv", out=target, start="2024-13-01")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"format": "xml"}, "unknown export format"),
        ({"format": "csv", "record": "people"}, "unknown record type"),
        ({"format": "geojson", "record": "sources"}, "holds events"),
        ({"format": "csv", "colour": "red"}, "unknown filter colour"),
        ({"format": "csv", "mode": "near"}, "mode"),
        ({"format": "csv", "event_type": "picnic"}, "picnic"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ke.export(**kwargs)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_export_writes_each_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ds = ke.load()
    for fmt in ("csv", "geojson", "plover", "claimreview"):
        target = tmp_path / f"out.{fmt}"
        code, out, err = run(capsys, "export", "--format", fmt, "--out", str(target))
        assert code == 0, err
        assert str(target) in out
        assert target.read_bytes() == ke.export(ds, format=fmt).data
    missing = sum(1 for e in ds.events if e.location.lat is None or e.location.lon is None)
    code, out, err = run(capsys, "export", "--format", "geojson", "--out", str(tmp_path / "g"))
    if missing:
        assert f"{missing} of {len(ds.events)} events left out: no coordinates" in err
    else:
        assert err == ""


def test_cli_export_takes_the_query_options(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ds = ke.load()
    event = ds.events[-1]
    day = event.date.earliest
    assert day is not None
    actor = event.actors[0].actor
    wanted = ds.events_between(day, None, actor=actor)
    target = tmp_path / "some.csv"
    code, _out, err = run(
        capsys,
        "export",
        "--format",
        "csv",
        "--out",
        str(target),
        "--from",
        day.isoformat(),
        "--to",
        "..",
        "--actor",
        actor,
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [row["id"] for row in rows] == [e.id for e in wanted]


def test_cli_export_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code = main(["export", "--format", "plover", "--out", "-"])
    out, _err = capsysbinary.readouterr()
    assert code == 0
    assert out == ke.export(format="plover").data


def test_cli_export_bad_input_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cases = [
        ["--format", "csv", "--out", str(tmp_path / "x"), "--from", "2024-13"],
        ["--format", "csv", "--out", str(tmp_path)],
        ["--format", "csv", "--out", str(tmp_path / "x"), "--dataset", str(tmp_path / "no")],
        ["--format", "kml", "--out", str(tmp_path / "x")],
        ["--format", "plover", "--record", "actors", "--out", str(tmp_path / "x")],
        ["--format", "csv", "--out", str(tmp_path / "x"), "--type", "picnic"],
        ["--format", "csv"],
    ]
    for argv in cases:
        code, _out, err = run(capsys, "export", *argv)
        assert code == 2, argv
        assert "Traceback" not in err and err.strip(), argv
    assert not (tmp_path / "x").exists()


def test_cli_export_never_overwrites_the_dataset(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ds = ke.load()
    ke.write_json(ds, tmp_path / "data", layout="jsonl")
    before = {p.name: p.read_bytes() for p in (tmp_path / "data").iterdir()}
    for name in ("events.jsonl", "datapackage.json"):
        code, _out, err = run(
            capsys,
            "export",
            "--format",
            "csv",
            "--dataset",
            str(tmp_path / "data"),
            "--out",
            str(tmp_path / "data" / name),
        )
        assert code == 2 and "part of the dataset" in err
    assert {p.name: p.read_bytes() for p in (tmp_path / "data").iterdir()} == before


def test_export_of_an_empty_selection(tmp_path: Path) -> None:
    ds = ke.load()
    first = ds.events[0].date.earliest
    assert first is not None
    before = first - datetime.timedelta(days=400)
    bare = ke.Dataset(
        [e for e in ds.events if e.date.earliest is not None],
        ds.sources,
        ds.analyses,
        ds.actors,
        check=False,
    )
    for fmt in ("csv", "geojson", "plover", "claimreview"):
        result = ke.export(bare, format=fmt, end=before - datetime.timedelta(days=1))
        assert result.count == 0
    csv_text = ke.export(bare, format="csv", end=before).data.decode()
    assert csv_text.splitlines() == [",".join(ds.to_arrow("events").column_names)]
    assert json.loads(ke.export(bare, format="geojson", end=before).data)["features"] == []
    assert json.loads(ke.export(bare, format="claimreview", end=before).data) == []
    assert ke.export(bare, format="plover", end=before).data == b""


def test_events_with_changed_coordinates_follow(tmp_path: Path) -> None:
    ds = ke.load()
    event = ds.events[0]
    moved = attrs.evolve(event, location=attrs.evolve(event.location, lat=None, lon=None))
    mine = ke.Dataset([moved], ds.sources, [], ds.actors, check=False)
    result = ke.export(mine, format="geojson")
    assert (result.count, result.skipped) == (0, 1)
    placed = attrs.evolve(event, location=attrs.evolve(event.location, lat=-12.5, lon=170.25))
    mine = ke.Dataset([placed], ds.sources, [], ds.actors, check=False)
    feature = json.loads(ke.export(mine, format="geojson").data)["features"][0]
    assert feature["geometry"]["coordinates"] == [170.25, -12.5]


def test_a_hostile_output_name_cannot_forge_a_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = "out.csv\n::error file=README.md::forged\u202e"
    try:
        code, out, err = run(capsys, "export", "--format", "csv", "--out", str(tmp_path / name))
    except OSError:  # pragma: no cover - a file system that refuses such names
        pytest.skip("this file system refuses newlines in file names")
    assert code == 0, err
    assert len(out.splitlines()) == 1 and "\u202e" not in out


def test_export_from_the_events_folder_of_a_partitioned_release(tmp_path: Path) -> None:
    ds = ke.load()
    ke.write_parquet(ds, tmp_path / "parted", partition_by="year")
    day = ds.events[len(ds.events) // 2].date.latest
    folder = tmp_path / "parted" / "events"
    assert (
        ke.export(folder, format="csv", end=day).data == ke.export(ds, format="csv", end=day).data
    )
    assert ke.export(folder, format="plover").data == ke.export(ds, format="plover").data
    lone = tmp_path / "lone" / "events"
    lone.parent.mkdir()
    folder.rename(lone)
    assert ke.export(lone, format="csv").count == len(ds.events)
    with pytest.raises(ValueError, match="events only"):
        ke.export(lone, format="claimreview")
