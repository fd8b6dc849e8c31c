"""Parquet releases: lossless, deterministic, hashed, atomic, and clear about bad files."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import koreaevents as ke
from koreaevents import cli
from koreaevents.arrow import arrow_schema
from koreaevents.io import parquet as kp
from koreaevents.io.parquet import HIVE_NULL, build, load_parquet, stem_files
from tests import strategies

STEMS = ("events", "sources", "analyses", "actors")


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _package(root: Path) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    return value


# --- round trips --------------------------------------------------------------------


@settings(max_examples=30)
@given(strategies.datasets(), st.sampled_from([None, "year"]))
def test_datasets_round_trip_through_parquet(
    tmp_path_factory: pytest.TempPathFactory, ds: ke.Dataset, partition_by: str | None
) -> None:
    out = tmp_path_factory.mktemp("pq") / "release"
    ke.write_parquet(ds, out, partition_by=partition_by)
    again = ke.load(out)
    assert again == ds
    assert again.events == ds.events  # same order: (earliest, id), open start first
    for stem in STEMS:
        files = stem_files(out, stem)
        on_disk = pa.concat_tables([pq.read_table(f) for f in files])
        assert kp.sort_table(stem, on_disk).equals(ds.to_arrow(stem))
    # Written again from what was read: the same bytes.
    out2 = tmp_path_factory.mktemp("pq") / "release"
    ke.write_parquet(again, out2, partition_by=partition_by)
    assert _tree(out) == _tree(out2)


def test_to_arrow_is_exactly_the_parquet_file(bundled: ke.Dataset, tmp_path: Path) -> None:
    ke.write_parquet(bundled, tmp_path / "r")
    for stem in STEMS:
        on_disk = pq.read_table(tmp_path / "r" / f"{stem}.parquet")
        assert on_disk.equals(bundled.to_arrow(stem), check_metadata=True)
        assert bundled.version
        assert on_disk.schema.metadata[b"koreaevents:dataset_version"] == bundled.version.encode()


def test_empty_and_null_are_kept_apart(bundled: ke.Dataset, tmp_path: Path) -> None:
    """Canonical JSON omits empty lists and absent optionals; Parquet stores [] and null."""
    ke.write_parquet(bundled, tmp_path / "r")
    table = pq.read_table(tmp_path / "r" / "events.parquet")
    plain = [e for e in bundled.events if not e.location.alt_names and e.weapon is None]
    assert plain
    rows = {row["id"]: row for row in table.to_pylist()}
    assert rows[plain[0].id]["location_alt_names"] == []
    assert table["location_alt_names"].null_count == 0
    assert rows[plain[0].id]["weapon_name"] is None
    assert rows[plain[0].id]["weapon_category"] is None
    assert ke.load(tmp_path / "r").get(plain[0].id) == plain[0]


# --- determinism and file options ---------------------------------------------------


def test_building_twice_gives_identical_bytes(tmp_path: Path) -> None:
    assert cli.main(["build", "--out", str(tmp_path / "a")]) == 0
    assert cli.main(["build", "--out", str(tmp_path / "b")]) == 0
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert sorted(_tree(tmp_path / "a")) == [
        "actors.parquet",
        "analyses.parquet",
        "datapackage.json",
        "events.parquet",
        "sources.parquet",
    ]


def test_the_streaming_build_equals_write_parquet(bundled: ke.Dataset, tmp_path: Path) -> None:
    """JSONL read in tiny batches gives the same bytes as the Dataset road."""
    ke.write_json(bundled, tmp_path / "jsonl", layout="jsonl")
    build(tmp_path / "jsonl", tmp_path / "built", batch_size=3)
    ke.write_parquet(bundled, tmp_path / "written")
    assert _tree(tmp_path / "built") == _tree(tmp_path / "written")
    # Without a datapackage.json both roads state the same default name and version.
    (tmp_path / "jsonl" / "datapackage.json").unlink()
    build(tmp_path / "jsonl", tmp_path / "bare")
    ke.write_parquet(ke.load(tmp_path / "jsonl"), tmp_path / "bare-written")
    assert _tree(tmp_path / "bare") == _tree(tmp_path / "bare-written")
    assert _package(tmp_path / "bare")["version"] == "0.0.0"


def test_files_are_zstd_sorted_with_date_statistics(
    bundled: ke.Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kp, "ROW_GROUP_SIZE", 5)  # several row groups from a small dataset
    ke.write_parquet(bundled, tmp_path / "r")
    meta = pq.ParquetFile(tmp_path / "r" / "events.parquet").metadata
    assert meta.num_row_groups == -(-len(bundled.events) // 5)
    assert meta.created_by.startswith("parquet-cpp-arrow")
    assert b"pandas" not in meta.metadata
    names = arrow_schema("events").names
    spans = []
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        assert group.num_rows <= 5
        column = group.column(names.index("date_earliest"))
        assert column.compression == "ZSTD"
        assert column.statistics is not None and column.statistics.has_min_max
        assert group.column(names.index("date_latest")).statistics.has_min_max
        spans.append((column.statistics.min, column.statistics.max))
    # Sorted by date: row groups do not overlap, so a date filter skips most of them.
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    sorting = meta.row_group(0).sorting_columns
    assert [names[c.column_index] for c in sorting] == ["date_earliest", "id"]


def test_hive_partitions_by_year(bundled: ke.Dataset, tmp_path: Path) -> None:
    first = bundled.events[0]
    assert first.date.latest is not None
    # an open start goes to the year of its last day: no partition is null
    open_start = attrs.evolve(
        first,
        id="evt-open-start",
        date=ke.EventDate.from_edtf(f"../{first.date.latest.isoformat()}"),
        related=(),
    )
    ds = ke.Dataset(
        (*bundled.events, open_start),
        bundled.sources,
        bundled.analyses,
        bundled.actors,
        metadata=bundled.metadata,
    )
    ke.write_parquet(ds, tmp_path / "r", partition_by="year")
    years = sorted({(e.date.earliest or e.date.latest).year for e in ds.events})  # type: ignore[union-attr]
    parts = sorted(str(p.relative_to(tmp_path / "r")) for p in stem_files(tmp_path / "r", "events"))
    assert parts == [f"events/year={year}/part-0.parquet" for year in years]
    assert HIVE_NULL not in "".join(parts)
    assert (tmp_path / "r" / "sources.parquet").is_file()
    home = tmp_path / "r" / "events" / f"year={first.date.latest.year}" / "part-0.parquet"
    ids = pq.read_table(home)["id"].to_pylist()
    assert ids[0] == "evt-open-start"  # release order in the file: an open start first
    again = ke.load(tmp_path / "r")
    assert again == ds
    assert "year" not in again.to_arrow("events").column_names
    package = _package(tmp_path / "r")
    event_resources = [r for r in package["resources"] if r["name"].startswith("events")]
    assert {r["path"] for r in event_resources} == set(parts)  # one resource per file
    assert sorted(r["name"] for r in event_resources) == [f"events-year-{y}" for y in years]
    # The partitioned release rebuilt from itself unpartitioned equals the plain one.
    build(tmp_path / "r", tmp_path / "flat")
    ke.write_parquet(ds, tmp_path / "plain")
    assert _tree(tmp_path / "flat") == _tree(tmp_path / "plain")


# --- datapackage.json ---------------------------------------------------------------


def _check_hashes(root: Path) -> None:
    package = _package(root)
    listed = set()
    for resource in package["resources"]:
        data = (root / resource["path"]).read_bytes()
        # no "bytes": Frictionless cannot count a Parquet file's bytes and would call
        # any stated size wrong; the hash identifies the file
        assert "bytes" not in resource
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["format"] == "parquet"
        assert resource["mediatype"] == "application/vnd.apache.parquet"
        listed.add(resource["path"])
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*.parquet")}
    assert listed == on_disk  # one resource per file, none left out


def test_datapackage_hashes_match_the_files(bundled: ke.Dataset, tmp_path: Path) -> None:
    ke.write_parquet(bundled, tmp_path / "plain")
    ke.write_parquet(bundled, tmp_path / "parted", partition_by="year")
    _check_hashes(tmp_path / "plain")
    _check_hashes(tmp_path / "parted")
    package = _package(tmp_path / "plain")
    assert package["name"] == bundled.name and package["version"] == bundled.version
    assert package["licenses"][0]["name"] == "CC-BY-4.0"


def test_datapackage_is_valid_against_the_data_package_v2_profile(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    from koreaevents.validation.checks import compile_offline
    from koreaevents.validation.datapackage import profile

    validator = compile_offline(profile())
    for partition_by in (None, "year"):
        out = tmp_path / str(partition_by)
        ke.write_parquet(bundled, out, partition_by=partition_by)
        package = _package(out)
        errors = [str(e) for e in validator.iter_errors(package)]
        assert errors == []
        _check_table_schemas(package)


_TABLE_SCHEMA_TYPES = {
    "string", "number", "integer", "boolean", "object", "array", "list",
    "date", "time", "datetime", "year", "yearmonth", "duration", "geopoint",
    "geojson", "any",
}  # fmt: skip


def _check_table_schemas(package: dict[str, Any]) -> None:
    """The Table Schema v2 rules the package profile leaves to the schema profile."""
    names = {r["name"] for r in package["resources"]}
    for resource in package["resources"]:
        schema = resource["schema"]
        fields = {f["name"]: f for f in schema["fields"]}
        assert len(fields) == len(schema["fields"])
        for field in schema["fields"]:
            assert field["type"] in _TABLE_SCHEMA_TYPES
            assert isinstance(field["description"], str) and field["description"]
            for key in field.get("constraints", {}):
                assert key in {"required", "unique", "enum", "pattern", "minLength",
                               "maxLength", "minimum", "maximum"}  # fmt: skip
        assert all(key in fields for key in schema["primaryKey"])
        for fk in schema.get("foreignKeys", []):
            assert all(key in fields for key in fk["fields"])
            target = fk["reference"].get("resource", resource["name"])
            assert target in names
            assert len(fk["reference"]["fields"]) == len(fk["fields"])


# --- atomic output and errors -------------------------------------------------------


def _bad_jsonl(tmp_path: Path, bundled: ke.Dataset) -> Path:
    src = tmp_path / "src"
    ke.write_json(bundled, src, layout="jsonl")
    lines = (src / "events.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[2])
    record["location"]["lat"] = 123.0
    lines[2] = json.dumps(record)
    record = json.loads(lines[4])
    record["actors"][0]["actor"] = "nobody-at-all"
    lines[4] = json.dumps(record)
    lines.append(lines[0])  # a duplicate id
    (src / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src


def test_invalid_source_writes_nothing_and_lists_every_problem(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    src = _bad_jsonl(tmp_path, bundled)
    with pytest.raises(ke.DataError) as caught:
        build(src, tmp_path / "out", batch_size=4)
    by_code = {issue.code: issue for issue in caught.value.issues}
    assert set(by_code) == {"schema", "dangling-reference", "duplicate-id"}
    assert by_code["schema"].line == 3 and by_code["schema"].pointer == "/location/lat"
    dangling = by_code["dangling-reference"]
    assert (dangling.line, dangling.pointer) == (5, "/actors/0/actor")
    assert "nobody-at-all" in dangling.message
    assert by_code["duplicate-id"].line == len(bundled.events) + 1
    assert by_code["duplicate-id"].path == str(src / "events.jsonl")
    assert not (tmp_path / "out").exists()


def test_cli_build_exit_codes(bundled: ke.Dataset, tmp_path: Path, capsys: Any) -> None:
    src = _bad_jsonl(tmp_path, bundled)
    assert cli.main(["build", str(src), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "dangling-reference" in err and "nobody-at-all" in err and "Traceback" not in err
    assert cli.main(["build", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "no dataset" in capsys.readouterr().err
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine", encoding="utf-8")
    assert cli.main(["build", "--out", str(occupied)]) == 2
    assert (occupied / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert cli.main(["build"]) == 2  # --out is required
    one_file = tmp_path / "one.jsonl"
    one_file.write_text("", encoding="utf-8")
    assert cli.main(["build", str(one_file), "--out", str(tmp_path / "o")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert cli.main(["build", "--out", str(tmp_path / "x"), "--partition-by", "month"]) == 2


def test_build_refuses_to_write_over_its_source(bundled: ke.Dataset, tmp_path: Path) -> None:
    ke.write_json(bundled, tmp_path / "src", layout="jsonl")
    with pytest.raises(ValueError, match="outside the source"):
        build(tmp_path / "src", tmp_path / "src")
    assert (tmp_path / "src" / "events.jsonl").is_file()


def test_rebuilding_replaces_a_release(bundled: ke.Dataset, tmp_path: Path) -> None:
    ke.write_parquet(bundled, tmp_path / "r", partition_by="year")
    ke.write_parquet(bundled, tmp_path / "r")
    assert not (tmp_path / "r" / "events").exists()
    assert ke.load(tmp_path / "r") == bundled


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip"])
def test_damaged_parquet_gives_a_clear_error(
    bundled: ke.Dataset, tmp_path: Path, capsys: Any, damage: str
) -> None:
    ke.write_parquet(bundled, tmp_path / "r")
    target = tmp_path / "r" / "events.parquet"
    data = target.read_bytes()
    if damage == "truncate":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        target.write_bytes(b"not parquet at all\n")
    else:  # one byte changed inside the data: only the hash can tell
        middle = len(data) // 2
        target.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    with pytest.raises(ke.DataError) as caught:
        ke.load(tmp_path / "r")
    codes = {issue.code for issue in caught.value.issues}
    assert "datapackage" in codes  # the hash no longer matches
    assert all(issue.path and "events.parquet" in issue.path for issue in caught.value.issues)
    if damage != "flip":
        assert "io" in codes
        assert "Parquet" in str(caught.value)
    assert cli.main(["build", str(tmp_path / "r"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "events.parquet" in err and "Traceback" not in err


def test_foreign_parquet_is_reported_by_column(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    pq.write_table(pa.table({"id": ["evt-a"], "when": ["2024"]}), tmp_path / "r" / "events.parquet")
    with pytest.raises(ke.DataError) as caught:
        load_parquet(tmp_path / "r")
    messages = [issue.message for issue in caught.value.issues]
    assert "column 'title' is missing" in messages
    assert "unexpected column 'when'" in messages


def test_build_summary_counts(tmp_path: Path, bundled: ke.Dataset) -> None:
    summary = build(None, tmp_path / "r")
    assert summary.counts == {stem: len(bundled.stem(stem)) for stem in STEMS}
    assert summary.files == 4
    assert summary.bytes == sum(p.stat().st_size for p in (tmp_path / "r").glob("*.parquet"))


def test_events_span_every_year_partition(bundled: ke.Dataset, tmp_path: Path) -> None:
    ke.write_parquet(bundled, tmp_path / "r", partition_by="year")
    years = {(e.date.earliest or e.date.latest).year for e in bundled.events}  # type: ignore[union-attr]
    folders = {p.parent.name for p in stem_files(tmp_path / "r", "events")}
    assert folders == {f"year={y}" for y in years}
    for path in stem_files(tmp_path / "r", "events"):
        year = int(path.parent.name.split("=")[1])
        table = pq.read_table(path)
        for earliest, latest in zip(
            table["date_earliest"].to_pylist(), table["date_latest"].to_pylist(), strict=True
        ):
            assert (earliest or latest).year == year


@settings(max_examples=15)
@given(strategies.datasets(), st.sampled_from(["jsonl", "json", "files"]), st.integers(1, 4))
def test_building_from_json_equals_writing_the_dataset(
    tmp_path_factory: pytest.TempPathFactory, ds: ke.Dataset, layout: str, batch_size: int
) -> None:
    """Both roads to a release give the same bytes, whatever the JSON layout or batch size."""
    root = tmp_path_factory.mktemp("roads")
    ke.write_json(ds, root / "src", layout=layout)  # type: ignore[arg-type]
    summary = build(root / "src", root / "built", batch_size=batch_size)
    assert summary.counts == {stem: len(ds.stem(stem)) for stem in STEMS}
    ke.write_parquet(ke.load(root / "src"), root / "written")
    assert _tree(root / "built") == _tree(root / "written")


def test_load_reads_one_parquet_file_of_a_release(tmp_path: Path) -> None:
    """As for one JSON file: that record type only, its references to others unchecked."""
    ds = ke.load()
    ke.write_parquet(ds, tmp_path / "rel")
    events_only = ke.load(tmp_path / "rel" / "events.parquet")
    assert events_only.events == ds.events and events_only.sources == ()
    ke.write_parquet(ds, tmp_path / "part", partition_by="year")
    one = next((tmp_path / "part" / "events").rglob("*.parquet"))
    assert {e.id for e in ke.load(one).events} <= {e.id for e in ds.events}
    stray = tmp_path / "stray.parquet"
    stray.write_bytes((tmp_path / "rel" / "actors.parquet").read_bytes())
    with pytest.raises(ke.DataError, match="cannot tell which record type"):
        ke.load(stray)


def test_build_refuses_a_folder_without_records(tmp_path: Path) -> None:
    from koreaevents.cli import main

    (tmp_path / "src").mkdir()
    assert main(["build", str(tmp_path / "src"), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_build_reads_what_load_reads(tmp_path: Path) -> None:
    """One reader for both: a stray file is validate's to flag, bad records stop both."""
    ke.write_json(ke.load(), tmp_path / "src", layout="jsonl")
    (tmp_path / "src" / "notes.txt").write_text("my notes")
    ke.load(tmp_path / "src")
    from koreaevents.io.parquet import build

    summary = build(tmp_path / "src", tmp_path / "out")
    assert summary.counts["events"] == len(ke.load().events)
    events = tmp_path / "src" / "events.jsonl"
    events.write_text(events.read_text().replace('"missile_launch"', '"missile_lunch"', 1))
    with pytest.raises(ke.DataError) as loading:
        ke.load(tmp_path / "src")
    with pytest.raises(ke.DataError) as building:
        build(tmp_path / "src", tmp_path / "out2")
    assert [(i.code, i.line, i.pointer) for i in building.value.issues] == [
        (i.code, i.line, i.pointer) for i in loading.value.issues
    ]
