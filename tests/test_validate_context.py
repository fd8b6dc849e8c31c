"""A file or record folder of a dataset is validated against the rest of it: what a
contributor runs on the one file they added gives the dataset's answer for it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import koreaevents as ke
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
