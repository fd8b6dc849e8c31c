"""JSON I/O: the three folder forms round-trip, output is canonical and atomic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import koreaevents as ke
from tests import strategies

LAYOUTS = ["jsonl", "json", "files"]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@settings(max_examples=40)
@given(strategies.datasets(), st.sampled_from(LAYOUTS))
def test_datasets_round_trip_through_every_layout(
    tmp_path_factory: pytest.TempPathFactory, ds: ke.Dataset, layout: str
) -> None:
    out = tmp_path_factory.mktemp("out") / "ds"
    ke.write_json(ds, out, layout=layout)  # type: ignore[arg-type]
    again = ke.load(out)
    assert again == ds
    assert again.events == ds.events  # same order: (earliest, id)
    # Canonical: writing what was read gives the same bytes.
    out2 = tmp_path_factory.mktemp("out") / "ds"
    ke.write_json(again, out2, layout=layout)  # type: ignore[arg-type]
    assert _tree(out) == _tree(out2)


def test_bundled_dataset_files_are_canonical(bundled: ke.Dataset, tmp_path: Path) -> None:
    """What contributors commit is what write_json writes: diffs show only changes."""
    shipped = Path(__file__).resolve().parent.parent / "datasets" / "koreaevents"
    ke.write_json(bundled, tmp_path / "out", layout="files")
    assert _tree(tmp_path / "out") == _tree(shipped)


def test_canonical_form_sorts_records_and_omits_absent_fields(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    ke.write_json(bundled, tmp_path / "d", layout="jsonl")
    lines = (tmp_path / "d" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == sorted(ids)
    for line in lines:
        record = json.loads(line)
        assert None not in record.values()
        assert [] not in record.values()
        assert next(iter(record)) == "id"
    assert (tmp_path / "d" / "events.jsonl").read_bytes().endswith(b"\n")
    package = json.loads((tmp_path / "d" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["version"] == bundled.version
    assert [r["path"] for r in package["resources"]] == [
        "events.jsonl",
        "sources.jsonl",
        "analyses.jsonl",
        "actors.jsonl",
    ]
    assert all(r["hash"].startswith("sha256:") for r in package["resources"])


def test_write_refuses_to_replace_a_folder_that_is_not_a_dataset(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        ke.write_json(bundled, precious)
    assert (precious / "notes.txt").read_text() == "keep me"


def test_a_failed_write_leaves_the_old_dataset_untouched(
    bundled: ke.Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ds"
    ke.write_json(bundled, target, layout="json")
    before = _tree(target)

    import koreaevents.io.json_io as json_io

    def explode(*args: object, **kwargs: object) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(json_io, "dumps_pretty", explode)
    with pytest.raises(OSError, match="disk full"):
        ke.write_json(bundled, target, layout="json")
    assert _tree(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]  # no temporary left behind


def test_bad_layout_is_a_clear_error(bundled: ke.Dataset, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="layout must be one of"):
        ke.write_json(bundled, tmp_path / "x", layout="xml")  # type: ignore[arg-type]


def _write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_loading_lists_every_duplicate_and_dangling_reference(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    ke.write_json(bundled, tmp_path / "d", layout="jsonl")
    events_file = tmp_path / "d" / "events.jsonl"
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    events[1]["id"] = events[0]["id"]
    events[2]["citations"][0]["source"] = "src-does-not-exist"
    events[3]["actors"][0]["actor"] = "nobody"
    _write_jsonl(events_file, events)
    with pytest.raises(ke.DataError) as caught:
        ke.load(tmp_path / "d")
    issues = caught.value.issues
    assert [i.code for i in issues if i.code == "duplicate-id"] == ["duplicate-id"]
    dup = next(i for i in issues if i.code == "duplicate-id")
    assert dup.line == 2 and dup.record_id == events[0]["id"]
    assert f"{events_file}:1" in dup.message  # names the first place too
    text = str(caught.value)
    assert "src-does-not-exist" in text and "nobody" in text
    dangling = {(i.line, i.pointer) for i in issues if i.code == "dangling-reference"}
    assert {(3, "/citations/0/source"), (4, "/actors/0/actor")} <= dangling
    # The renamed event's old id is now missing wherever it was referred to.
    assert {i.code for i in issues} == {"duplicate-id", "dangling-reference"}


def test_loading_a_single_file_skips_references_to_types_it_lacks(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    ke.write_json(bundled, tmp_path / "d", layout="jsonl")
    only_events = ke.load(tmp_path / "d" / "events.jsonl")
    assert len(only_events.events) == len(bundled.events)
    assert only_events.sources == ()


def test_loading_reports_schema_problems_with_line_and_pointer(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    ke.write_json(bundled, tmp_path / "d", layout="files")
    victim = tmp_path / "d" / "events" / f"{bundled.events[0].id}.json"
    data = json.loads(victim.read_text())
    data["location"]["lat"] = "north"
    data["date"]["latest"] = "2099-01-01"
    victim.write_text(json.dumps(data, indent=2))
    with pytest.raises(ke.DataError) as caught:
        ke.load(tmp_path / "d")
    by_pointer = {issue.pointer: issue for issue in caught.value.issues}
    assert by_pointer["/location/lat"].code == "schema"
    assert by_pointer["/location/lat"].record_id == bundled.events[0].id
    lat_line = next(
        n for n, line in enumerate(victim.read_text().splitlines(), 1) if '"lat"' in line
    )
    assert by_pointer["/location/lat"].line == lat_line
    assert by_pointer["/date/latest"].code == "date-bounds"


def test_missing_path_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ke.load(tmp_path / "nope")


def test_loading_ignores_stray_files_that_validate_would_flag(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    ke.write_json(bundled, tmp_path / "d", layout="jsonl")
    (tmp_path / "d" / "notes.txt").write_text("my notes")
    assert ke.load(tmp_path / "d") == bundled


def test_load_accepts_exactly_what_validate_accepts(bundled: ke.Dataset, tmp_path: Path) -> None:
    ke.write_json(bundled, tmp_path / "d", layout="files")
    victim = tmp_path / "d" / "events" / f"{bundled.events[0].id}.json"
    data = json.loads(victim.read_text())
    data["summary"] = None  # the schema has no null for an absent field
    victim.write_text(json.dumps(data, indent=2))
    report = ke.validate(tmp_path / "d")
    with pytest.raises(ke.DataError) as caught:
        ke.load(tmp_path / "d")
    assert [(i.code, i.pointer, i.line) for i in caught.value.issues] == [
        (i.code, i.pointer, i.line) for i in report.errors
    ]
    assert caught.value.issues[0].pointer == "/summary"


@pytest.mark.parametrize("content", [[], ["notes.txt"], ["README.md"]])
def test_a_folder_without_records_is_not_an_empty_dataset(
    tmp_path: Path, content: list[str]
) -> None:
    for name in content:
        (tmp_path / name).write_text("x")
    with pytest.raises(FileNotFoundError, match="no dataset"):
        ke.load(tmp_path)


def test_json_and_parquet_never_overwrite_each_other(bundled: ke.Dataset, tmp_path: Path) -> None:
    """A mistyped --out must not turn someone's JSON records into a release, or back."""
    ke.write_json(bundled, tmp_path / "json", layout="jsonl")
    before = _tree(tmp_path / "json")
    with pytest.raises(FileExistsError, match="holds a JSON dataset"):
        ke.write_parquet(bundled, tmp_path / "json")
    assert _tree(tmp_path / "json") == before
    ke.write_parquet(bundled, tmp_path / "release")
    with pytest.raises(FileExistsError, match="holds a Parquet release"):
        ke.write_json(bundled, tmp_path / "release")
    # Re-writing the same kind stays allowed: that is how a release is rebuilt.
    ke.write_parquet(bundled, tmp_path / "release")
    ke.write_json(bundled, tmp_path / "json", layout="files")


def test_an_empty_record_type_in_the_files_layout_is_a_valid_empty_array(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    # A resource with "path": [] breaks the Data Package profile: validate refused it.
    no_analyses = ke.Dataset(
        bundled.events, bundled.sources, [], bundled.actors, metadata=bundled.metadata
    )
    out = ke.write_json(no_analyses, tmp_path / "d", layout="files")
    assert (out / "analyses.json").read_text(encoding="utf-8").strip() == "[]"
    assert not (out / "analyses").exists()
    report = ke.validate(out)
    # as in the other layouts, the empty file is only worth a warning
    assert report.ok and [i.code for i in report.issues] == ["empty-file"], report.issues
    assert ke.load(out) == no_analyses
