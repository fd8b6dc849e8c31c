"""Retired ids (tombstones): the retired file, its checks, and what a lookup says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings

import koreaevents as ke
from koreaevents import DataError
from koreaevents.dataset import Dataset
from koreaevents.io.parquet import build
from koreaevents.records import Retired
from tests.strategies import datasets


def _with_retired(ds: ke.Dataset, *entries: Retired) -> Dataset:
    return Dataset(ds.events, ds.sources, ds.analyses, ds.actors, entries, metadata=ds.metadata)


def _tombstone(bundled: ke.Dataset, **changes: str | None) -> Retired:
    fields: dict[str, str | None] = {
        "id": "evt-2024-01-05-artillery-old",
        "retired_in": "0.2.0",
        "reason": "merged into the record of the same shelling",
        "replaced_by": bundled.events[0].id,
    }
    fields.update(changes)
    return Retired(**fields)  # type: ignore[arg-type]


def test_get_of_a_retired_id_says_when_why_and_by_what(bundled: ke.Dataset) -> None:
    ds = _with_retired(bundled, _tombstone(bundled))
    with pytest.raises(KeyError) as caught:
        ds.get("evt-2024-01-05-artillery-old")
    message = str(caught.value)
    assert "retired in version 0.2.0" in message
    assert "merged into the record of the same shelling" in message
    assert bundled.events[0].id in message
    assert "evt-2024-01-05-artillery-old" not in ds
    assert ds.retired_ids() == {"evt-2024-01-05-artillery-old"}
    # the records themselves are unchanged
    assert ds.events == bundled.events and len(ds) == len(bundled)
    with pytest.raises(KeyError, match="no record with id"):
        ds.get("evt-never-was")


def test_a_retired_id_in_use_is_a_retired_id_error(bundled: ke.Dataset) -> None:
    used = bundled.events[1].id
    with pytest.raises(DataError) as caught:
        _with_retired(bundled, _tombstone(bundled, id=used))
    assert [issue.code for issue in caught.value.issues] == ["retired-id"]


def test_replaced_by_must_resolve(bundled: ke.Dataset) -> None:
    with pytest.raises(DataError) as caught:
        _with_retired(bundled, _tombstone(bundled, replaced_by="evt-nowhere"))
    (issue,) = caught.value.issues
    assert (issue.code, issue.pointer) == ("dangling-reference", "/replaced_by")


def test_replaced_by_may_not_name_another_retired_id(bundled: ke.Dataset) -> None:
    first = _tombstone(bundled, id="evt-a", replaced_by=None)
    second = _tombstone(bundled, id="evt-b", replaced_by="evt-a")
    with pytest.raises(DataError, match="retired"):
        _with_retired(bundled, first, second)


def _json_dataset(tmp_path: Path, bundled: ke.Dataset, entry: dict[str, object]) -> Path:
    folder = tmp_path / "ds"
    ke.write_json(bundled, folder, layout="jsonl")
    (folder / "retired.jsonl").write_text(json.dumps(entry) + "\n", "utf-8")
    return folder


def test_validate_load_and_build_report_a_retired_id_in_use(
    tmp_path: Path, bundled: ke.Dataset
) -> None:
    used = bundled.sources[0].id  # a source's id: a tombstone holds ids of any type
    folder = _json_dataset(
        tmp_path, bundled, {"id": used, "retired_in": "0.2.0", "reason": "duplicate"}
    )
    report = ke.validate(folder)
    codes = [(issue.code, issue.record_id, Path(issue.path or "").name) for issue in report.issues]
    assert ("retired-id", used, "sources.jsonl") in codes
    assert not any(issue.code == "schema" for issue in report.issues)
    with pytest.raises(DataError) as loaded:
        ke.load(folder)
    assert "retired-id" in {issue.code for issue in loaded.value.issues}
    with pytest.raises(DataError) as built:
        build(folder, tmp_path / "out")
    assert "retired-id" in {issue.code for issue in built.value.issues}
    assert not (tmp_path / "out").exists()


def test_validate_and_build_report_a_dangling_replacement(
    tmp_path: Path, bundled: ke.Dataset
) -> None:
    entry = {"id": "evt-gone", "retired_in": "0.2.0", "reason": "x", "replaced_by": "evt-nope"}
    folder = _json_dataset(tmp_path, bundled, entry)
    pointers = [(i.code, i.pointer) for i in ke.validate(folder).issues if i.is_error]
    assert pointers == [("dangling-reference", "/replaced_by")]
    with pytest.raises(DataError) as built:
        build(folder, tmp_path / "out")
    assert [(i.code, i.pointer) for i in built.value.issues] == [
        ("dangling-reference", "/replaced_by")
    ]


def test_a_reference_to_a_retired_id_says_it_was_retired(
    tmp_path: Path, bundled: ke.Dataset
) -> None:
    source = bundled.sources[0].id
    folder = tmp_path / "ds"
    without = Dataset(
        bundled.events,
        [s for s in bundled.sources if s.id != source],
        bundled.analyses,
        bundled.actors,
        check=False,
        metadata=bundled.metadata,
    )
    ke.write_json(without, folder, layout="jsonl")
    entry = {"id": source, "retired_in": "0.2.0", "reason": "withdrawn"}
    (folder / "retired.jsonl").write_text(json.dumps(entry) + "\n", "utf-8")
    dangling = [i for i in ke.validate(folder).issues if i.code == "dangling-reference"]
    assert dangling and all("retired in version 0.2.0" in i.message for i in dangling)


def test_the_retired_file_is_schema_checked(tmp_path: Path, bundled: ke.Dataset) -> None:
    folder = _json_dataset(tmp_path, bundled, {"id": "evt-gone", "retired_in": "2", "reason": ""})
    found = {(i.code, i.pointer) for i in ke.validate(folder).issues}
    assert ("schema", "/retired_in") in found
    assert ("schema", "/reason") in found


@pytest.mark.parametrize("layout", ["jsonl", "json", "files"])
def test_retired_entries_round_trip_json_and_parquet(
    tmp_path: Path, bundled: ke.Dataset, layout: str
) -> None:
    ds = _with_retired(
        bundled, _tombstone(bundled), _tombstone(bundled, id="ana-x", replaced_by=None)
    )
    json_dir = ke.write_json(ds, tmp_path / "j", layout=layout)  # type: ignore[arg-type]
    assert ke.load(json_dir) == ds
    listed = {
        r["name"] for r in json.loads((json_dir / "datapackage.json").read_text())["resources"]
    }
    assert "retired" in listed
    for partition in (None, "year"):
        out = tmp_path / f"p-{partition}"
        ke.write_parquet(ds, out, partition_by=partition)
        assert (out / "retired.parquet").is_file()
        assert ke.load(out).retired == ds.retired
        built = tmp_path / f"b-{partition}"
        build(json_dir, built, partition_by=partition)
        assert (built / "retired.parquet").read_bytes() == (out / "retired.parquet").read_bytes()
    assert ke.validate(json_dir).ok


def test_no_retired_file_is_written_when_none_are_retired(
    tmp_path: Path, bundled: ke.Dataset
) -> None:
    assert bundled.retired == ()
    json_dir = ke.write_json(bundled, tmp_path / "j", layout="files")
    out = ke.write_parquet(bundled, tmp_path / "p")
    for folder in (json_dir, out):
        names = {path.name for path in folder.iterdir()}
        assert not {"retired", "retired.jsonl", "retired.json", "retired.parquet"} & names
        resources = json.loads((folder / "datapackage.json").read_text())["resources"]
        assert "retired" not in {r["name"] for r in resources}
    assert "retired" not in build(None, tmp_path / "b").counts


@settings(max_examples=25)
@given(datasets(with_retired=True))
def test_datasets_with_tombstones_round_trip(
    tmp_path_factory: pytest.TempPathFactory, ds: Dataset
) -> None:
    tmp = tmp_path_factory.mktemp("rt")
    assert ke.load(ke.write_json(ds, tmp / "j")) == ds
    assert ke.load(ke.write_parquet(ds, tmp / "p")) == ds
