"""ke.diff and `koreaevents diff`: added, removed and changed records, the bump, the check."""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import koreaevents as ke
from koreaevents.changes import (
    bump_version,
    compare_versions,
    diff,
    json_changes,
    unordered_pointers,
)
from koreaevents.cli import main
from koreaevents.convert import unstructure
from koreaevents.dataset import Dataset
from koreaevents.records import RECORD_TYPES, Actor, Retired, spec
from tests.strategies import datasets, events

ROOT = Path(__file__).resolve().parent.parent
RELEASED = ROOT / "tests" / "data" / "released"
BUNDLED = ROOT / "datasets" / "koreaevents"


def _meta(version: str) -> dict[str, Any]:
    return {"name": "test-data", "version": version}


def _copy(ds: Dataset, version: str, **stems: Any) -> Dataset:
    parts = {stem: getattr(ds, stem) for stem in ("events", "sources", "analyses", "actors")}
    parts["retired"] = ds.retired
    parts.update(stems)
    return Dataset(**parts, metadata=_meta(version), check=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _subsets(ids: Any) -> st.SearchStrategy[set[str]]:
    pool = sorted(ids)
    return st.sets(st.sampled_from(pool)) if pool else st.just(set())


# --- properties ------------------------------------------------------------------------


@settings(max_examples=10)
@given(datasets(with_retired=True))
def test_a_dataset_against_itself_differs_in_nothing(ds: Dataset) -> None:
    result = diff(ds, ds)
    assert not result
    assert (result.added, result.removed, result.changed) == ((), (), ())
    assert result.suggested_bump is None


@settings(max_examples=8)
@given(datasets(with_retired=True))
def test_json_and_parquet_forms_of_the_same_data_differ_in_nothing(ds: Dataset) -> None:
    ds = _copy(ds, "1.0.0")
    with tempfile.TemporaryDirectory() as tmp:
        as_json = ke.write_json(ds, Path(tmp) / "json", layout="files")
        as_parquet = Path(tmp) / "parquet"
        ke.write_parquet(ds, as_parquet)
        for old, new in ((as_json, as_parquet), (as_parquet, as_json), (ds, as_parquet)):
            result = diff(old, new)
            assert result.to_dict()["added"] == []
            assert not result, result.to_text()


@settings(max_examples=20)
@given(datasets(with_retired=True), st.data())
def test_the_diff_finds_exactly_the_mutations(ds: Dataset, data: st.DataObject) -> None:
    events = list(ds.events)
    retitled = data.draw(_subsets(e.id for e in events), label="retitled")
    reordered = [e.id for e in events if len(set(e.tags)) > 1]
    removed_sources = data.draw(_subsets(s.id for s in ds.sources), label="removed sources")
    tombstoned = data.draw(_subsets(removed_sources), label="tombstoned")
    new_actor = Actor(id="zz-new-actor-for-diff", name="New", kind="state")

    new_events = []
    for event in events:
        if event.id in retitled:
            event = attrs.evolve(event, title=event.title + " (corrected)")
        if event.id in reordered:
            event = attrs.evolve(event, tags=tuple(reversed(event.tags)))
        new_events.append(event)
    stones = tuple(ds.retired) + tuple(
        Retired(id=i, retired_in="2.0.0", reason="a duplicate") for i in sorted(tombstoned)
    )
    new = _copy(
        ds,
        "2.0.0",
        events=new_events,
        sources=[s for s in ds.sources if s.id not in removed_sources],
        actors=(*ds.actors, new_actor),
        retired=stones,
    )
    result = diff(_copy(ds, "1.0.0"), new)

    assert {(r.type, r.id) for r in result.removed} == {("source", i) for i in removed_sources}
    assert {(r.type, r.id) for r in result.added} == {("actor", new_actor.id)} | {
        ("retired", i) for i in tombstoned
    }
    assert {(c.type, c.id) for c in result.changed} == {("event", i) for i in retitled}
    for change in result.changed:
        assert [(c.pointer, c.new) for c in change.changes] == [
            ("/title", ds.get(change.id).title + " (corrected)")  # type: ignore[union-attr]
        ]
    for ref in result.removed:
        assert (ref.tombstone is not None) == (ref.id in tombstoned)
    expected = "major" if removed_sources - tombstoned else "minor"
    assert result.suggested_bump == expected


def _json(record: Any) -> Any:
    return orjson.loads(orjson.dumps(unstructure(record)))


def _apply(record: Any, pointer: str, value: Any) -> None:
    """Set (or, for None, remove) the value at a JSON Pointer inside ``record``."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    node = record
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    last = tokens[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value


@settings(max_examples=20)
@given(datasets(), st.data())
def test_applying_the_changes_to_the_old_record_gives_the_new_one(
    ds: Dataset, data: st.DataObject
) -> None:
    replaced = [
        attrs.evolve(data.draw(events, label=f"new {event.id}"), id=event.id) for event in ds.events
    ]
    new = _copy(ds, "2.0.0", events=replaced)
    with tempfile.TemporaryDirectory() as tmp:
        ke.write_parquet(new, Path(tmp) / "new")
        result = diff(_copy(ds, "1.0.0"), Path(tmp) / "new")
    assert not result.added and not result.removed
    by_id = {e.id: e for e in replaced}
    changed = {c.id: c for c in result.changed}
    for event in ds.events:
        before, after = _json(event), _json(by_id[event.id])
        for change in changed[event.id].changes if event.id in changed else ():
            _apply(before, change.pointer, change.new)
        assert json_changes("event", before, after) == []
        assert (event.id in changed) == (json_changes("event", _json(event), after) != [])


# --- the bump ---------------------------------------------------------------------------


def _bundled_pair() -> tuple[Dataset, Dataset]:
    ds = ke.load(BUNDLED)
    return _copy(ds, "1.0.0"), ds


def test_only_changed_values_call_for_a_patch() -> None:
    old, ds = _bundled_pair()
    first = ds.events[0]
    new = _copy(ds, "1.0.1", events=[attrs.evolve(first, title="Retitled"), *ds.events[1:]])
    result = diff(old, new)
    assert result.suggested_bump == "patch"
    (change,) = result.changed
    assert (change.type, change.id) == ("event", first.id)
    assert [(c.pointer, c.old, c.new) for c in change.changes] == [
        ("/title", first.title, "Retitled")
    ]


def test_a_removal_without_a_tombstone_calls_for_major_with_one_for_minor() -> None:
    old, ds = _bundled_pair()
    gone, kept = ds.events[-1], ds.events[0]
    bare = _copy(ds, "2.0.0", events=ds.events[:-1])
    assert diff(old, bare).suggested_bump == "major"
    stone = Retired(id=gone.id, retired_in="1.1.0", reason="merged", replaced_by=kept.id)
    marked = _copy(ds, "1.1.0", events=ds.events[:-1], retired=(stone,))
    result = diff(old, marked)
    assert result.suggested_bump == "minor"
    assert [r.to_dict() for r in result.added] == [{"type": "retired", "id": gone.id}]
    (removed,) = result.removed
    assert removed.tombstone == stone
    markdown = result.to_markdown()
    assert "### Removed" in markdown and "### Added" not in markdown
    line = next(x for x in markdown.splitlines() if gone.id in x)
    assert "retired in 1.1.0" in line and f"replaced by `{kept.id}`" in line


def test_slices_of_rows_give_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    import koreaevents.changes

    old, ds = _bundled_pair()
    events = list(ds.events)
    events[1] = attrs.evolve(events[1], title="Retitled")
    events[-2] = attrs.evolve(events[-2], tags=("x-new",))
    for new in (
        _copy(ds, "1.0.1", events=events),  # the same ids in the same order
        _copy(ds, "2.0.0", events=events[:1] + events[2:]),  # ids to match
    ):
        whole = diff(old, new)
        monkeypatch.setattr(koreaevents.changes, "_SLICE_ROWS", 3)
        assert diff(old, new).to_dict() == whole.to_dict()
        monkeypatch.undo()
        assert whole.changed


def test_a_tombstone_is_found_in_a_partitioned_release(tmp_path: Path) -> None:
    old, ds = _bundled_pair()
    gone = ds.events[-1]
    stone = Retired(id=gone.id, retired_in="1.1.0", reason="out of scope")
    new = _copy(ds, "1.1.0", events=ds.events[:-1], retired=(stone,))
    ke.write_parquet(new, tmp_path / "new", partition_by="year")
    ke.write_parquet(old, tmp_path / "old")
    for before in (old, tmp_path / "old"):
        result = diff(before, tmp_path / "new")
        assert [r.to_dict() for r in result.removed] == [{"type": "event", "id": gone.id}]
        assert result.removed[0].tombstone == stone
        assert result.removed[0].title == gone.title
        assert result.suggested_bump == "minor"
        assert "retired in 1.1.0: out of scope" in result.to_markdown()
    assert not diff(tmp_path / "new", new)


def test_a_new_major_version_of_a_schema_calls_for_major(tmp_path: Path) -> None:
    old, _ds = _bundled_pair()
    before = _write(old, tmp_path / "before")
    after = _write(_copy(old, "1.0.1"), tmp_path / "after")
    descriptor = json.loads((after / "datapackage.json").read_text("utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "events":
            assert "/v1/" in resource["jsonSchema"]
            resource["jsonSchema"] = resource["jsonSchema"].replace("/v1/", "/v2/")
    (after / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    result = diff(before, after)
    assert result and result.suggested_bump == "major"
    assert "the event schema" in result.to_markdown()
    release = tmp_path / "release"
    ke.write_parquet(old, release)
    assert diff(release, before).suggested_bump is None  # the same $id, read from the files


def test_reordered_tags_are_no_change_but_reordered_citations_are() -> None:
    old, ds = _bundled_pair()
    tagged = next(e for e in ds.events if len(e.tags) > 1)
    cited = next(e for e in ds.events if len(e.citations) > 1 and e.id != tagged.id)
    events = [
        attrs.evolve(e, tags=tuple(reversed(e.tags)))
        if e.id == tagged.id
        else attrs.evolve(e, citations=tuple(reversed(e.citations)))
        if e.id == cited.id
        else e
        for e in ds.events
    ]
    result = diff(old, _copy(ds, "1.0.1", events=events))
    assert [c.id for c in result.changed] == [cited.id]
    assert {c.pointer.split("/")[1] for c in result.changed[0].changes} == {"citations"}


def test_unordered_lists_come_from_the_field_specs() -> None:
    for name, cls in RECORD_TYPES.items():
        declared = {f"/{field.name}" for field in attrs.fields(cls) if not spec(field).ordered}
        assert declared <= unordered_pointers(name)
    assert "/tags" in unordered_pointers("event")
    assert "/citations" not in unordered_pointers("event")
    assert "/verification/discrepancies/*/citations" in unordered_pointers("event")


def test_pointers_escape_slash_and_tilde() -> None:
    changes = json_changes("event", {"a/b": {"~c": 1}}, {"a/b": {"~c": 2}})
    assert [c.pointer for c in changes] == ["/a~1b/~0c"]


@pytest.mark.parametrize(
    ("version", "bump", "expected"),
    [
        ("0.1.0", "patch", "0.1.1"),
        ("0.1.3", "minor", "0.2.0"),
        ("0.9.3", "major", "1.0.0"),
        ("1.2.3", None, "1.2.3"),
        ("1.0.0-rc.1", "patch", "1.0.0"),
        ("1.0.0-rc.1", "major", "1.0.0"),
    ],
)
def test_bump_version(version: str, bump: Any, expected: str) -> None:
    assert bump_version(version, bump) == expected


def test_compare_versions_follows_semver_precedence() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0", "1.10.0"]
    for a, b in itertools.pairwise(ordered):
        assert compare_versions(a, b) == -1 and compare_versions(b, a) == 1
    assert compare_versions("1.0.0+build.5", "1.0.0") == 0
    with pytest.raises(ValueError, match="semantic version"):
        compare_versions("1.0", "1.0.0")


# --- reports ----------------------------------------------------------------------------


def test_json_has_the_contract_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", str(RELEASED / "0.1.0"), str(BUNDLED), "--format", "json")
    doc = json.loads(out)
    assert list(doc) == ["old", "new", "added", "removed", "changed", "suggested_bump"]
    assert set(doc["old"]) == set(doc["new"]) == {"name", "version"}
    assert doc["old"]["version"] == "0.1.0"
    for item in doc["added"] + doc["removed"]:
        assert set(item) == {"type", "id"}
    for item in doc["changed"]:
        assert set(item) == {"type", "id", "changes"}
        for change in item["changes"]:
            assert set(change) == {"pointer", "old", "new"}
            assert change["pointer"].startswith("/")
    assert doc["suggested_bump"] in {"major", "minor", "patch", None}
    assert code == (1 if doc["added"] or doc["removed"] or doc["changed"] else 0)


def test_markdown_is_a_keep_a_changelog_section() -> None:
    old, ds = _bundled_pair()
    first, last = ds.events[0], ds.events[-1]
    new = _copy(
        ds,
        "2.0.0",
        events=[attrs.evolve(first, title="A *new* title"), *ds.events[1:-1]],
        actors=(*ds.actors, Actor(id="zz-added", name="Added actor", kind="group")),
    )
    markdown = diff(old, new).to_markdown()
    lines = markdown.splitlines()
    assert lines[0] == "## [2.0.0]"
    assert [x for x in lines if x.startswith("### ")] == ["### Added", "### Changed", "### Removed"]
    assert "- actor `zz-added`: Added actor" in lines
    changed = next(x for x in lines if first.id in x)
    assert "A \\*new\\* title" in changed and "`/title`" in changed
    removed = next(x for x in lines if last.id in x)
    assert "without a tombstone" in removed
    assert diff(old, old).to_markdown().splitlines()[2] == "No changes to the data."


# --- the command line --------------------------------------------------------------------


def _write(ds: Dataset, folder: Path) -> Path:
    return ke.write_json(ds, folder, layout="jsonl")


def test_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old, ds = _bundled_pair()
    a = _write(old, tmp_path / "a")
    b = _write(_copy(ds, "1.0.1", events=ds.events[:-1]), tmp_path / "b")
    assert run(capsys, "diff", str(a), str(a))[0] == 0
    code, out, err = run(capsys, "diff", str(a), str(b))
    assert code == 1 and "suggested bump: major" in out and err == ""
    code, out, err = run(capsys, "diff", str(a), str(tmp_path / "missing"))
    assert code == 2 and out == "" and "no dataset at" in err and len(err.splitlines()) == 1
    code, _, err = run(capsys, "diff", str(a))
    assert code == 2 and "Traceback" not in err
    code, _, err = run(capsys, "diff", str(a), str(b), "--format", "yaml")
    assert code == 2


def test_a_broken_dataset_is_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old, _ds = _bundled_pair()
    good = _write(old, tmp_path / "good")
    broken = _write(old, tmp_path / "broken")
    with open(broken / "events.jsonl", "a", encoding="utf-8") as out:
        out.write("{not json\n")
    code, out, err = run(capsys, "diff", str(good), str(broken))
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert err.startswith("koreaevents: cannot read new")

    release = tmp_path / "release"
    ke.write_parquet(old, release)
    with open(release / "events.parquet", "r+b") as fh:  # tampered: hash no longer matches
        fh.seek(100)
        fh.write(b"\0\0\0\0")
    code, out, err = run(capsys, "diff", str(release), str(good))
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_check_version(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old, ds = _bundled_pair()
    a = _write(old, tmp_path / "a")
    added = (*ds.actors, Actor(id="zz-added", name="Added", kind="group"))
    low = _write(_copy(ds, "1.0.1", actors=added), tmp_path / "low")
    ok = _write(_copy(ds, "1.1.0", actors=added), tmp_path / "ok")
    code, _, err = run(capsys, "diff", str(a), str(low), "--check-version")
    assert code == 1 and "needs at least 1.1.0" in err and "minor" in err
    code, _, err = run(capsys, "diff", str(a), str(ok), "--check-version")
    assert code == 0 and "enough" in err
    # nothing differs: the same version is enough, an older one is not
    older = _write(_copy(ds, "0.9.0"), tmp_path / "older")
    assert run(capsys, "diff", str(a), str(a), "--check-version")[0] == 0
    assert run(capsys, "diff", str(a), str(older), "--check-version")[0] == 1
    unversioned = _write(Dataset(ds.events, ds.sources, ds.analyses, ds.actors), tmp_path / "u")
    meta = json.loads((unversioned / "datapackage.json").read_text("utf-8"))
    meta.pop("version", None)
    (unversioned / "datapackage.json").write_text(json.dumps(meta), "utf-8")
    code, _, err = run(capsys, "diff", str(a), str(unversioned), "--check-version")
    assert code == 2 and "no version" in err


# --- the release check -------------------------------------------------------------------


def _last_release() -> Path:
    versions = [p for p in RELEASED.iterdir() if (p / "datapackage.json").is_file()]
    return max(versions, key=lambda p: tuple(int(x) for x in p.name.split(".")))


def test_the_bundled_dataset_carries_a_sufficient_version_bump(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CI guard: a change to the bundled data must raise its version as the changes call
    for (against the last release kept under tests/data/released/)."""
    code, out, err = run(capsys, "diff", str(_last_release()), str(BUNDLED), "--check-version")
    assert code == 0, f"{err}\n{out}"
