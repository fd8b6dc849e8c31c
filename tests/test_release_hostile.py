"""Hostile releases: whatever was done to a release, load, query and validate refuse
it alike, name the file and the problem, never hang and never show a traceback.

Each case is a finding of the hostile review of the release path (issue 10) that
once gave a traceback, a hang, or an answer from one reader and a refusal from
another.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import koreaevents as ke
from koreaevents.cli import main
from tests.query_support import rehash as rehash_descriptor
from tests.test_reading import run_with_timeout


def _retype(kind: Callable[[pa.ChunkedArray], pa.ChunkedArray]) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        path = root / "events.parquet"
        table = pq.read_table(path)
        position = table.schema.get_field_index("date_earliest")
        table = table.set_column(position, "date_earliest", kind(table["date_earliest"]))
        pq.write_table(table, path)
        rehash_descriptor(root)

    return damage


def _set_hash(value: object) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        package = json.loads((root / "datapackage.json").read_text("utf-8"))
        for resource in package["resources"]:
            if resource["path"] == "events.parquet":
                resource["hash"] = value
        (root / "datapackage.json").write_text(json.dumps(package), "utf-8")

    return damage


def _replace_events(make: Callable[[Path], None], rehash: bool = False) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        path = root / "events.parquet"
        os.unlink(path)
        make(path)
        if rehash:
            rehash_descriptor(root)

    return damage


def _descriptor(make: Callable[[Path], None]) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        path = root / "datapackage.json"
        os.unlink(path)
        make(path)

    return damage


def _truncate(path: Path, original: bytes) -> None:
    path.write_bytes(original[: len(original) // 2])


DAMAGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "date-as-timestamp": (
        _retype(lambda c: c.cast(pa.timestamp("ms"))),
        "column 'date_earliest' of events.parquet has type timestamp[ms]",
    ),
    "date-as-string": (
        _retype(lambda c: pc.strftime(c.cast(pa.timestamp("s")), "%Y-%m-%d")),
        "column 'date_earliest' of events.parquet has type string",
    ),
    "date-as-int32": (
        _retype(lambda c: c.cast(pa.int32())),
        "column 'date_earliest' of events.parquet has type int32",
    ),
    "hash-shake": (_set_hash("shake_128:abcd"), "'shake_128' hash, which cannot be checked"),
    "hash-unknown": (_set_hash("whirlpool:abcd"), "'whirlpool' hash, which cannot be checked"),
    "hash-not-text": (_set_hash(["sha256:abcd"]), "events.parquet has no hash"),
    "hash-wrong": (_set_hash("sha256:" + "0" * 64), "does not match its sha256 hash"),
    "events-fifo": (_replace_events(lambda p: os.mkfifo(p)), "is not a regular file"),
    "events-urandom": (
        _replace_events(lambda p: os.symlink("/dev/urandom", p)),
        "leads out of the dataset folder through a symbolic link",
    ),
    "events-folder": (_replace_events(lambda p: p.mkdir()), "is a folder, not a file"),
    "events-loop": (
        _replace_events(lambda p: os.symlink(p.name, p)),
        "events.parquet",
    ),
    "events-empty-hashed": (
        _replace_events(lambda p: p.write_bytes(b""), rehash=True),
        "events.parquet: not a Parquet file",
    ),
    "events-not-parquet-hashed": (
        _replace_events(lambda p: p.write_bytes(b"id,date\n1,2024-01-01\n"), rehash=True),
        "events.parquet: not a Parquet file",
    ),
    "descriptor-folder": (_descriptor(lambda p: p.mkdir()), "datapackage.json is a folder"),
    "descriptor-fifo": (_descriptor(lambda p: os.mkfifo(p)), "datapackage.json is not a regular"),
    "descriptor-loop": (
        _descriptor(lambda p: os.symlink(p.name, p)),
        "datapackage.json is a loop of symbolic links",
    ),
    "descriptor-not-json": (
        _descriptor(lambda p: p.write_text("{not json", "utf-8")),
        "datapackage.json is not valid JSON",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built") / "release"
    ke.write_parquet(ke.load(), root)
    return root


def _cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and links need a POSIX system")
@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_every_reader_refuses_a_damaged_release_alike(
    built: Path, tmp_path: Path, damage: str
) -> None:
    root = tmp_path / "release"
    shutil.copytree(built, root, symlinks=True)
    make, expected = DAMAGES[damage]
    if damage == "events-not-parquet-hashed":
        make = _replace_events(
            lambda p: _truncate(p, (built / "events.parquet").read_bytes()), True
        )
    make(root)

    with pytest.raises(ke.DataError) as loaded:
        run_with_timeout(lambda: ke.load(root), 30)
    with pytest.raises(ke.DataError) as queried:
        run_with_timeout(lambda: ke.events_between(root, "2024-01", "2024-02"), 30)
    report = run_with_timeout(lambda: ke.validate(root), 30)
    assert isinstance(report, ke.ValidationReport)
    assert not report.ok
    for messages in (
        [i.message for i in loaded.value.issues],
        [i.message for i in queried.value.issues],
        [i.message for i in report.errors],
    ):
        assert any(expected in message for message in messages), (damage, messages)
    for argv in (["query", "--dataset", str(root), "--count"], ["validate", str(root)]):
        code, text = run_with_timeout(lambda argv=argv: _cli(*argv), 30)  # type: ignore[misc]
        assert code in (1, 2), (argv, text)
        assert "Traceback" not in text and expected in text, (argv, text)


# --- the second hostile review --------------------------------------------------------


def _answers(root: Path) -> list[object]:
    """load's and the query's event ids, or the words of their refusal."""
    found: list[object] = []
    for read in (
        lambda: sorted(e.id for e in ke.load(root).events),
        lambda: sorted(ke.events_between(root)["id"].to_pylist()),
    ):
        try:
            found.append(read())
        except ke.DataError as exc:
            found.append(("refused", exc.issues[0].message))
    return found


@pytest.fixture(scope="module")
def partitioned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("partitioned") / "release"
    ke.write_parquet(ke.load(), root, partition_by="year")
    return root


def test_a_folder_named_like_a_partition_above_the_release_is_no_partition(
    tmp_path: Path,
) -> None:
    """A release kept under /x/title=t/ lost its title column in the query."""
    root = tmp_path / "title=t" / "release"
    ke.write_parquet(ke.load(), root)
    table = ke.events_between(root)
    assert "title" in table.column_names
    assert sorted(table["id"].to_pylist()) == sorted(e.id for e in ke.load(root).events)


def test_a_partition_folder_or_file_is_read_through_the_descriptor(
    partitioned: Path, tmp_path: Path
) -> None:
    root = tmp_path / "release"
    shutil.copytree(partitioned, root)
    folder = sorted((root / "events").iterdir())[-1]
    listed = next(folder.glob("*.parquet"))
    shutil.copyfile(listed, folder / "copy.parquet")  # unlisted: never read
    expected = sorted(e.id for e in ke.load(listed).events)
    assert sorted(ke.events_between(folder)["id"].to_pylist()) == expected
    assert sorted(e.id for e in ke.load(folder).events) == expected
    with pytest.raises(ke.DataError, match="holds no events file that"):
        ke.events_between(folder / "copy.parquet")
    with pytest.raises(ke.DataError, match="holds no events file that"):
        ke.load(folder / "copy.parquet")
    # a listed file damaged after the build is refused wherever the path points
    listed.write_bytes(listed.read_bytes()[:-100])
    for target in (listed, folder, root):
        answers = _answers(target)
        assert all(isinstance(a, tuple) and a[0] == "refused" for a in answers), answers


def test_a_listed_file_named_otherwise_is_read_by_its_resource_name(tmp_path: Path) -> None:
    root = tmp_path / "release"
    ke.write_parquet(ke.load(), root)
    (root / "data").mkdir()
    os.replace(root / "events.parquet", root / "data" / "ev.PARQUET")
    package = json.loads((root / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        if resource["name"] == "events":
            resource["path"] = "data/ev.PARQUET"
    (root / "datapackage.json").write_text(json.dumps(package), "utf-8")
    memory, parquet = _answers(root)
    assert memory == parquet == sorted(e.id for e in ke.load().events)
    # a resource of no record type is named by validate, not silently skipped
    package["resources"][0]["name"] = "mystery"
    (root / "datapackage.json").write_text(json.dumps(package), "utf-8")
    report = ke.validate(root)
    assert any("holds no record type" in i.message for i in report.errors), report.issues


def test_a_file_listed_twice_is_refused_by_every_reader(tmp_path: Path) -> None:
    root = tmp_path / "release"
    ke.write_parquet(ke.load(), root)
    package = json.loads((root / "datapackage.json").read_text("utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    package["resources"].append({**events, "name": "events-again", "path": "./events.parquet"})
    (root / "datapackage.json").write_text(json.dumps(package), "utf-8")
    for answer in _answers(root):
        assert isinstance(answer, tuple) and "read twice" in str(answer[1]), answer
    assert not ke.validate(root).ok


def test_a_changed_sources_file_is_refused_by_the_query_too(tmp_path: Path) -> None:
    root = tmp_path / "release"
    ke.write_parquet(ke.load(), root)
    table = pq.read_table(root / "sources.parquet")
    pq.write_table(table.slice(1), root / "sources.parquet")
    memory, parquet = _answers(root)
    assert memory == parquet and isinstance(memory, tuple), (memory, parquet)


def test_partitions_rewritten_by_pandas_are_read_alike(partitioned: Path, tmp_path: Path) -> None:
    """pandas drops `not null`: the query's concatenation of partitions raised a raw
    ArrowInvalid while load read them."""
    import pandas as pd

    root = tmp_path / "release"
    shutil.copytree(partitioned, root)
    part = sorted((root / "events").rglob("*.parquet"))[0]
    pd.read_parquet(part).to_parquet(part, index=False)
    rehash_descriptor(root)
    memory, parquet = _answers(root)
    assert memory == parquet, (memory, parquet)


@pytest.mark.parametrize("column", ["id", "date_latest", "title"])
def test_a_missing_column_is_refused_alike_with_its_name(tmp_path: Path, column: str) -> None:
    root = tmp_path / "release"
    ke.write_parquet(ke.load(), root)
    table = pq.read_table(root / "events.parquet")
    pq.write_table(table.drop_columns([column]), root / "events.parquet")
    rehash_descriptor(root)
    for answer in _answers(root):
        assert answer == ("refused", f"column {column!r} is missing"), answer


@pytest.mark.parametrize("relative", ["events/part-0.PARQUET", "events/part-0", "data/ev"])
def test_a_listed_events_file_of_any_name_is_read_by_every_reader(
    tmp_path: Path, relative: str
) -> None:
    """events/…/part-0.PARQUET and events/…/part-0 were listed, left out by load and
    query, and counted by a scan of the listed files."""
    root = tmp_path / "release"
    ke.write_parquet(ke.load(), root)
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    os.replace(root / "events.parquet", root / relative)
    package = json.loads((root / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        if resource["name"] == "events":
            resource["path"] = relative
    (root / "datapackage.json").write_text(json.dumps(package), "utf-8")
    memory, parquet = _answers(root)
    assert memory == parquet == sorted(e.id for e in ke.load().events)
    assert ke.validate(root).ok
