"""A release gives one answer whoever reads it: indexes stored in a file are checked
against that file, only the files datapackage.json lists are read, and writers never
replace what koreaevents did not write."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import koreaevents as ke
from koreaevents.io import long_spans
from tests.query_support import event, oracle
from tests.test_long_spans import _release


def _open_ended(count: int, seed: int) -> ke.Dataset:
    rng = random.Random(seed)
    values = []
    for _ in range(count):
        day = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(10 * 365))
        form = rng.random()
        if form < 0.05:
            values.append(f"{day}/..")
        elif form < 0.2:
            values.append(f"{day}/{day + datetime.timedelta(days=rng.randrange(1, 400))}")
        else:
            values.append(day.isoformat())
    return ke.Dataset([event(n, value) for n, value in enumerate(values)], check=False)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[ke.Dataset, Path]:
    ds = _open_ended(2000, 5)
    return ds, _release(ds, tmp_path_factory.mktemp("indexed"))


READS = {
    "read": lambda f: f.read(),
    "read_row_group": lambda f: pa.concat_tables(
        [f.read_row_group(g) for g in range(f.num_row_groups)]
    ),
    "iter_batches": lambda f: pa.Table.from_batches(list(f.iter_batches(batch_size=37))),
}


@pytest.mark.parametrize("how", sorted(READS))
def test_a_file_rewritten_by_pyarrow_gives_the_right_answer(
    indexed: tuple[ke.Dataset, Path], tmp_path: Path, how: str
) -> None:
    """Rows dropped, the rest written again with the same row groups: the index that
    pyarrow carries over no longer fits the file and must not be used."""
    ds, root = indexed
    table = READS[how](pq.ParquetFile(root / "events.parquet"))
    rng = random.Random(how)
    dropped = set(rng.sample(range(table.num_rows), 60))
    kept = table.filter(pa.array([row not in dropped for row in range(table.num_rows)]))
    path = tmp_path / "events.parquet"
    pq.write_table(kept, path, row_group_size=100)
    # as many row groups as before: only the rows in them moved
    assert pq.ParquetFile(path).num_row_groups == 20
    assert long_spans.ROWS_KEY in pq.ParquetFile(path).metadata.metadata
    kept_ids = set(kept["id"].to_pylist())
    events = [e for e in ds.events if e.id in kept_ids]
    for _ in range(30):
        low = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(11 * 365))
        high = low + datetime.timedelta(days=rng.choice([0, 6, 30, 364]))
        for mode in ("overlaps", "within"):
            found = ke.events_between(path, low, high, mode=mode)["id"].to_pylist()
            assert found == oracle(events, low, high, mode)


def test_tables_the_library_returns_carry_no_index(indexed: tuple[ke.Dataset, Path]) -> None:
    _ds, root = indexed
    for table in (
        ke.events_between(root, "2021-03-01", "2021-03-03"),
        ke.events_between(root, "2016", "2019"),
        ke.events_between(root, "1900", "2100"),
    ):
        metadata = table.schema.metadata or {}
        assert not any(key.startswith(b"koreaevents:long_spans") for key in metadata)


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/etc/passwd", "is absolute"),
        ("http://example.com/events.jsonl", "is a URL"),
        ("../outside.jsonl", "leaves the dataset folder"),
    ],
)
def test_a_json_dataset_listing_a_path_outside_is_refused_by_every_reader(
    tmp_path: Path, path: str, why: str
) -> None:
    """load read its own files whatever the descriptor listed, and validate passed a
    URL: both now refuse any path that leaves the dataset, with the same issue."""
    import json

    from koreaevents.cli import main

    root = tmp_path / "data"
    ke.write_json(ke.load(), root)
    package = json.loads((root / "datapackage.json").read_text("utf-8"))
    package["resources"][0]["path"] = path
    (root / "datapackage.json").write_text(json.dumps(package), "utf-8")
    with pytest.raises(ke.DataError) as caught:
        ke.load(root)
    (issue,) = caught.value.issues
    assert why in issue.message and issue.pointer == "/resources/0/path"
    report = ke.validate(root)
    assert issue.message in [i.message for i in report.errors]
    assert main(["query", "--dataset", str(root), "--count"]) == 1


def test_a_partial_dataset_is_named_as_such_by_load_query_and_build(tmp_path: Path) -> None:
    """Validate accepts a dataset without sources; the readers that need them say the
    dataset is partial and what it lacks, in one issue, instead of one dangling
    reference per citation."""
    from koreaevents.cli import main

    full = tmp_path / "full"
    ke.write_json(ke.load(), full)
    part = tmp_path / "part"
    part.mkdir()
    for name in ("events.jsonl", "actors.jsonl", "analyses.jsonl"):
        (part / name).write_bytes((full / name).read_bytes())
    assert ke.validate(part).ok
    from koreaevents.io.parquet import build

    for attempt in (lambda: ke.load(part), lambda: build(part, tmp_path / "rel")):
        with pytest.raises(ke.DataError) as caught:
            attempt()
        (issue,) = caught.value.issues
        assert issue.code == "dangling-reference"
        assert "the dataset is partial: it has no sources (sources.jsonl" in issue.message
    assert main(["query", "--dataset", str(part), "--count"]) == 1
    assert not (tmp_path / "rel").exists()


def test_the_events_folder_of_a_partitioned_release_reads_alike(tmp_path: Path) -> None:
    """query --dataset release/events found no events (read as JSON), while export
    read it as Parquet: load, query and the CLI now read it as the release's events."""
    from koreaevents.cli import main

    bundled = ke.load()
    release = tmp_path / "release"
    ke.write_parquet(bundled, release, partition_by="year")
    folder = release / "events"
    assert [e.id for e in ke.load(folder).events] == [e.id for e in bundled.events]
    assert ke.events_between(folder)["id"].to_pylist() == [e.id for e in bundled.events]
    assert main(["query", "--dataset", str(folder), "--count"]) == 0


def test_a_release_without_derived_columns_loads_and_diffs_alike(tmp_path: Path) -> None:
    """Releases built before the derived date columns (date_precision, ...) load;
    diff read them too instead of refusing a missing column."""
    import hashlib
    import json

    bundled = ke.load()
    new, old = tmp_path / "new", tmp_path / "old"
    ke.write_parquet(bundled, new)
    ke.write_parquet(bundled, old)
    table = pq.read_table(old / "events.parquet")
    derived = ["date_precision", "date_approximate", "date_uncertain"]
    pq.write_table(table.drop_columns(derived), old / "events.parquet")
    package = json.loads((old / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        data = (old / resource["path"]).read_bytes()
        resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        resource.pop("bytes", None)
    (old / "datapackage.json").write_text(json.dumps(package), "utf-8")
    assert len(ke.load(old).events) == len(bundled.events)
    changes = ke.diff(old, new)
    assert not changes.added and not changes.removed and not changes.changed


@pytest.mark.parametrize("column", ["event_type", "title"])
def test_an_index_is_not_used_after_other_columns_were_rewritten(
    tmp_path: Path, column: str
) -> None:
    """The hostile review's F1: a pyarrow rewrite that keeps ids, dates and row groups
    but changes another column kept the index, and the query returned the old values.
    The copies are now held against the group's column statistics too."""
    import hashlib
    import json

    ds = _open_ended(2000, 9)
    root = _release(ds, tmp_path / "release")
    path = root / "events.parquet"
    table = pq.ParquetFile(path).read()  # carries the index over
    new = {"event_type": "artillery_fire", "title": "Changed"}[column]
    values = pa.array([new] * table.num_rows).cast(table.schema.field(column).type)
    table = table.set_column(table.schema.get_field_index(column), column, values)
    pq.write_table(table, path, row_group_size=100)
    package = json.loads((root / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        data = (root / resource["path"]).read_bytes()
        resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        resource.pop("bytes", None)
    (root / "datapackage.json").write_text(json.dumps(package), "utf-8")
    assert long_spans.read(pq.read_metadata(path)) is not None  # the fingerprint holds
    found = ke.events_between(root, "2021-03-01", "2021-03-03")
    assert set(found[column].to_pylist()) <= {new}
    day = datetime.date(2021, 3, 1)
    expected = oracle(ds.events, day, day + datetime.timedelta(days=2), "overlaps")
    assert found["id"].to_pylist() == expected
