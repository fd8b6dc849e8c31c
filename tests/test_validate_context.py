"""A file or record folder of a dataset is validated against the rest of it: what a
contributor runs on the one file they added gives the dataset's answer for it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import koreaevents as ke
from koreaevents.io.parquet import build
from koreaevents.io.paths import bundled_dataset_dir


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the bundled dataset (one record a file, with datapackage.json)."""
    return Path(shutil.copytree(bundled_dataset_dir(), tmp_path / "data"))


def _first_event(data: Path) -> tuple[Path, dict[str, object]]:
    path = sorted((data / "events").glob("*.json"))[0]
    return path, json.loads(path.read_text(encoding="utf-8"))


def _add(data: Path, record: dict[str, object]) -> Path:
    path = data / "events" / f"{record['id']}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def _codes(report: ke.ValidationReport) -> list[tuple[str, str | None, str | None]]:
    return [(i.code, Path(i.path).name if i.path else None, i.pointer) for i in report.issues]


def test_every_file_of_the_bundled_dataset_is_valid_alone() -> None:
    # each event refers to actors, sources and other events of the dataset
    for path in sorted((bundled_dataset_dir() / "events").glob("*.json")):
        report = ke.validate(path)
        assert report.ok, (path.name, _codes(report))
        assert report.records == 1


def test_a_new_file_with_a_bad_reference_is_told_where(data: Path) -> None:
    _path, record = _first_event(data)
    record = {**record, "id": "evt-2024-02-01-new-event", "related": [record["id"]]}
    record["actors"] = [{"actor": "prk-no-such-body", "role": "initiator"}]
    added = _add(data, record)
    report = ke.validate(added)
    assert _codes(report) == [("dangling-reference", added.name, "/actors/0/actor")]
    issue = report.issues[0]
    # the line of the bad value, not the record's first line
    lines = added.read_text(encoding="utf-8").splitlines()
    assert issue.line is not None and "prk-no-such-body" in lines[issue.line - 1]
    assert "does not exist" in issue.message


def test_a_new_file_reusing_an_id_is_the_duplicate(data: Path) -> None:
    original, record = _first_event(data)
    copy = data / "events" / "evt-2024-02-01-copy.json"
    copy.write_text(json.dumps(record, indent=2), encoding="utf-8")
    report = ke.validate(copy)
    duplicates = [i for i in report.issues if i.code == "duplicate-id"]
    assert [Path(i.path or "").name for i in duplicates] == [copy.name]
    assert original.name in duplicates[0].message


def test_problems_elsewhere_in_the_dataset_are_not_the_files(data: Path) -> None:
    other, record = _first_event(data)
    added = _add(data, {**record, "id": "evt-2024-02-01-fine"})
    other.write_text("{ not json", encoding="utf-8")
    assert ke.validate(added).ok
    # the dataset as a whole still reports the broken file
    assert not ke.validate(data).ok


def test_a_record_folder_resolves_against_its_dataset(data: Path) -> None:
    report = ke.validate(data / "events")
    assert report.ok, _codes(report)
    assert report.records == len(list((data / "events").glob("*.json")))


def test_a_file_and_its_dataset_together_are_read_once(data: Path) -> None:
    path, _record = _first_event(data)
    report = ke.validate(data, path)
    assert report.ok, _codes(report)
    assert report.records == ke.validate(data).records


def test_a_file_outside_any_dataset_checks_only_what_it_holds(tmp_path: Path) -> None:
    _path, record = _first_event(bundled_dataset_dir())
    loose = tmp_path / "events.json"
    loose.write_text(json.dumps([{**record, "related": []}]), encoding="utf-8")
    # no datapackage.json around it: its references to other types are not checked
    assert ke.validate(loose).ok
    # but the events it holds are all the events given: a related id must be there
    loose.write_text(json.dumps([{**record, "related": ["evt-2024-01-01-gone"]}]), "utf-8")
    assert _codes(ke.validate(loose)) == [("dangling-reference", "events.json", "/related/0")]


def test_a_copy_read_first_is_still_the_duplicate(data: Path, tmp_path: Path) -> None:
    original, record = _first_event(data)
    # named to sort before the original, so it is read first
    copy = data / "events" / "evt-2000-01-01-aaa-copy.json"
    copy.write_text(json.dumps(record, indent=2), encoding="utf-8")
    report = ke.validate(data)
    found = {(i.code, Path(i.path or "").name) for i in report.issues}
    assert ("duplicate-id", copy.name) in found
    assert ("duplicate-id", original.name) not in found
    # and the file-name warning does not advise renaming it onto the original
    (warning,) = [i for i in report.issues if i.code == "file-name"]
    assert Path(warning.path or "").name == copy.name
    assert "rename" not in warning.message and "holds that id too" in warning.message
    # build reports the same record, with the same advice
    with pytest.raises(ke.DataError) as raised:
        build(data, tmp_path / "release")
    (duplicate,) = [i for i in raised.value.issues if i.code == "duplicate-id"]
    assert Path(duplicate.path or "").name == copy.name
    assert original.name in duplicate.message and "an id of its own" in duplicate.message


def test_no_rename_advice_for_a_malformed_id(data: Path) -> None:
    _path, record = _first_event(data)
    odd = data / "events" / "odd.json"
    odd.write_text(json.dumps({**record, "id": "EVT bad id"}, indent=2), encoding="utf-8")
    codes = [(i.code, i.pointer) for i in ke.validate(odd).issues]
    assert ("schema", "/id") in codes
    assert all(code != "file-name" for code, _pointer in codes)


def test_a_record_folder_file_with_several_records_is_flagged(data: Path) -> None:
    _path, record = _first_event(data)
    pair = [{**record, "id": "evt-2024-02-01-one"}, {**record, "id": "evt-2024-02-02-two"}]
    bundle = data / "events" / "evt-2024-02-01-one.json"
    bundle.write_text(json.dumps(pair, indent=2), encoding="utf-8")
    report = ke.validate(data)
    (warning,) = [i for i in report.issues if i.code == "many-records"]
    assert Path(warning.path or "").name == bundle.name
    # the hint continues the sentence
    assert "holds 2 records, but each file of a record folder holds one: give each" in (
        warning.message
    )
    assert report.ok  # a warning: both records are read and checked


def test_a_file_missing_from_datapackage_json_is_flagged(data: Path) -> None:
    _path, record = _first_event(data)
    added = _add(data, {**record, "id": "evt-2024-02-01-unlisted"})
    report = ke.validate(data)
    assert report.ok
    (warning,) = [i for i in report.issues if i.code == "not-listed"]
    assert f"events/{added.name} is not listed" in warning.message
    # write_json lists every file it writes
    ke.write_json(ke.load(data), data, layout="files")
    assert not [i for i in ke.validate(data).issues if i.code == "not-listed"]
    # a descriptor that lists no files at all is not asked to list this one
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.pop("resources")
    (data / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    _add(data, {**record, "id": "evt-2024-02-02-also-unlisted"})
    assert not [i for i in ke.validate(data).issues if i.code == "not-listed"]
