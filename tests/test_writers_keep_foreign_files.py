"""Writers never delete what they did not write (CONTRACT, "Added in 0.2")."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import koreaevents as ke
from koreaevents.cli import main


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: file bytes, or where a link points."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


WRITERS: dict[str, Callable[[ke.Dataset, Path], object]] = {
    "write_parquet": lambda ds, out: ke.write_parquet(ds, out),
    "write_json": lambda ds, out: ke.write_json(ds, out, layout="files"),
}


def frictionless_package(root: Path) -> Path:
    """Someone's own Data Package: a CSV it lists, and a folder of raw files."""
    root.mkdir()
    (root / "responses.csv").write_text("id,answer\n1,yes\n")
    (root / "raw").mkdir()
    (root / "raw" / "interview-1.txt").write_text("notes")
    package = {"name": "survey", "resources": [{"name": "responses", "path": "responses.csv"}]}
    (root / "datapackage.json").write_text(json.dumps(package))
    return root


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_foreign_data_package_is_refused_and_untouched(
    bundled: ke.Dataset, tmp_path: Path, writer: str
) -> None:
    out = frictionless_package(tmp_path / "out")
    before = tree(out)
    with pytest.raises(FileExistsError, match=r"responses\.csv"):
        WRITERS[writer](bundled, out)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary left


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_users_note_beside_an_earlier_output_is_refused(
    bundled: ke.Dataset, tmp_path: Path, writer: str
) -> None:
    out = tmp_path / "out"
    WRITERS[writer](bundled, out)
    WRITERS[writer](bundled, out)  # only what koreaevents wrote: replaced
    (out / "NOTES.md").write_text("my notes")
    before = tree(out)
    with pytest.raises(FileExistsError, match=r"NOTES\.md"):
        WRITERS[writer](bundled, out)
    assert tree(out) == before


def test_build_says_what_is_in_the_way_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = frictionless_package(tmp_path / "out")
    before = tree(out)
    assert main(["build", "--out", str(out)]) == 2
    assert "responses.csv" in capsys.readouterr().err
    assert tree(out) == before


def test_an_out_that_is_a_link_stays_a_link(bundled: ke.Dataset, tmp_path: Path) -> None:
    real = tmp_path / "real"
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    real.mkdir()
    ke.write_parquet(bundled, link)
    ke.write_parquet(bundled, link)  # and again, over its own output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert ke.load(link) == bundled
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]  # nothing left over


def test_a_new_unlisted_record_file_is_dataset_content(bundled: ke.Dataset, tmp_path: Path) -> None:
    # the contributor's path: add a record file by hand, then write the folder again
    out = ke.write_json(bundled, tmp_path / "d", layout="files")
    event = json.loads((out / "events" / f"{bundled.events[0].id}.json").read_text())
    event["id"] = "evt-2099-01-01-a-new-record"
    (out / "events" / "evt-2099-01-01-a-new-record.json").write_text(json.dumps(event))
    ke.write_json(ke.load(out), out, layout="files")
    listed = json.loads((out / "datapackage.json").read_text())["resources"][0]["path"]
    assert "events/evt-2099-01-01-a-new-record.json" in listed


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_crashed_writers_leftovers_are_cleared_by_the_next(
    bundled: ke.Dataset, tmp_path: Path, writer: str
) -> None:
    """A crash between the two renames left the old output moved aside and the new
    one in a temporary folder; the next write clears both, and a live writer's
    folders and other hidden folders are left alone."""
    out = tmp_path / "out"
    WRITERS[writer](bundled, out)
    dead, alive = _dead_pid(), os.getpid()
    os.replace(out, tmp_path / f".out.old-{dead}")  # moved aside, never replaced
    (tmp_path / f".out.{dead}.x1y2z3ab.tmp").mkdir()
    (tmp_path / f".out.{dead}.x1y2z3ab.tmp" / "events.parquet").write_bytes(b"half")
    (tmp_path / f".out.{alive}.livewrite.tmp").mkdir()
    (tmp_path / ".out.notes").mkdir()
    WRITERS[writer](bundled, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f".out.{alive}.livewrite.tmp",
        ".out.notes",
        "out",
    ]
    assert len(ke.load(out).events) == len(bundled.events)


def test_an_output_moved_aside_by_a_crash_is_put_back_before_anything_else(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    from koreaevents.io.atomic import clear_leftovers

    out = tmp_path / "out"
    ke.write_parquet(bundled, out)
    before = tree(out)
    os.replace(out, tmp_path / f".out.old-{_dead_pid()}")
    clear_leftovers(out)
    assert tree(out) == before


# --- files an earlier output does not list (hostile review F7, F8) --------------------


def _partitioned_release(dataset: ke.Dataset, out: Path) -> str:
    """Write a year-partitioned release; return the name of one of its year folders."""
    ke.write_parquet(dataset, out, partition_by="year")
    return sorted(p.name for p in (out / "events").iterdir() if p.name.startswith("year="))[0]


@pytest.mark.parametrize(
    "extra",
    ["events/{year}/my-model-output.parquet", "events/.scratch.parquet", "actors/mine.parquet"],
)
def test_an_unlisted_parquet_file_in_a_release_is_refused(
    bundled: ke.Dataset, tmp_path: Path, extra: str
) -> None:
    out = tmp_path / "out"
    year = _partitioned_release(bundled, out)
    relative = extra.format(year=year)
    # a real Parquet file, named like one of ours, that the release does not list
    (out / relative).parent.mkdir(parents=True, exist_ok=True)
    (out / relative).write_bytes((out / "sources.parquet").read_bytes())
    before = tree(out)
    with pytest.raises(FileExistsError, match=re.escape(relative)):
        ke.write_parquet(bundled, out, partition_by="year")
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # the new output was discarded


def test_build_over_a_release_with_an_unlisted_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["build", "--out", str(out), "--partition-by", "year"]) == 0
    year = sorted(p.name for p in (out / "events").iterdir())[0]
    mine = out / "events" / year / "my-model-output.parquet"
    mine.write_bytes((out / "sources.parquet").read_bytes())
    capsys.readouterr()
    before = tree(out)
    assert main(["build", "--out", str(out), "--partition-by", "year"]) == 2
    assert "my-model-output.parquet" in capsys.readouterr().err
    assert tree(out) == before


@pytest.mark.parametrize(
    ("layout", "extra", "content"),
    [
        ("files", "events/evt-2099-01-01-not-in-the-dataset.json", None),
        ("files", "sources/my-notes.json", b'{"note": 1}\n'),
        ("json", "events.jsonl", b'{"note": 1}\n'),
    ],
)
def test_write_json_refuses_an_unlisted_file_it_would_not_write(
    bundled: ke.Dataset, tmp_path: Path, layout: str, extra: str, content: bytes | None
) -> None:
    out = ke.write_json(bundled, tmp_path / "out", layout=layout)  # type: ignore[arg-type]
    if content is None:  # a contributor's record that the dataset written lacks
        event = json.loads((out / "events" / f"{bundled.events[0].id}.json").read_text())
        event["id"] = Path(extra).stem
        content = json.dumps(event).encode()
    (out / extra).write_bytes(content)
    before = tree(out)
    with pytest.raises(FileExistsError, match=re.escape(extra)):
        ke.write_json(bundled, out, layout=layout)  # type: ignore[arg-type]
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_an_unlisted_folder_the_new_output_lacks_is_refused(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    out = ke.write_json(bundled, tmp_path / "out", layout="files")
    (out / "events" / "year=2019").mkdir()
    (out / "events" / "year=2019" / "x.parquet").write_bytes(b"PAR1")
    before = tree(out)
    with pytest.raises(FileExistsError, match=r"year=2019"):
        ke.write_json(bundled, out, layout="files")
    assert tree(out) == before


# --- an output that is a symbolic link loop (F15) --------------------------------------


def test_an_out_that_is_a_link_loop_is_named_as_such(
    bundled: ke.Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "out"
    link.symlink_to("out")
    with pytest.raises(FileExistsError, match="symbolic link loop") as caught:
        ke.write_parquet(bundled, link)
    assert "changed while" not in str(caught.value)
    assert main(["build", "--out", str(link)]) == 2
    err = capsys.readouterr().err
    assert "symbolic link loop" in err and "changed while" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and link.is_symlink()


# --- readers name an output an interrupted write moved aside (F16) ----------------------


def test_readers_name_the_output_an_interrupted_write_moved_aside(
    bundled: ke.Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    ke.write_parquet(bundled, out)
    aside = tmp_path / f".out.old-{_dead_pid()}"
    os.replace(out, aside)  # the crash came between the two renames
    with pytest.raises(FileNotFoundError, match=re.escape(str(aside))):
        ke.load(out)
    with pytest.raises(FileNotFoundError, match=re.escape(str(aside))):
        ke.events_between(out, None, None)
    for args in (["query", "--dataset", str(out), "--count"], ["validate", str(out)]):
        assert main(args) == 2
        err = "".join(capsys.readouterr())
        assert str(aside) in err and "interrupted write" in err
    ke.load(aside)  # nothing was lost: it is the previous output


def test_no_moved_aside_output_no_hint(tmp_path: Path) -> None:
    (tmp_path / ".out.notes").mkdir()
    with pytest.raises(FileNotFoundError) as caught:
        ke.load(tmp_path / "out")
    assert "interrupted" not in str(caught.value)


# --- fmt rewrites record files in place and removes nothing -----------------------------


def test_fmt_removes_nothing(bundled: ke.Dataset, tmp_path: Path) -> None:
    out = ke.write_json(bundled, tmp_path / "out", layout="files")
    first = out / "events" / f"{bundled.events[0].id}.json"
    first.write_text(json.dumps(json.loads(first.read_text())))  # not canonical
    (out / "events" / ".scratch.json").write_text("{}")
    (out / "events" / "notes.txt").write_text("mine")
    (out / "NOTES.md").write_text("mine")
    (tmp_path / "elsewhere.json").write_text(first.read_text())
    (out / "events" / "evt-2099-01-01-a-link.json").symlink_to(tmp_path / "elsewhere.json")
    before = tree(out)
    main(["fmt", str(out)])
    after = tree(out)
    assert set(after) == set(before)  # nothing removed, nothing left behind
    for name in (".scratch.json", "notes.txt", "evt-2099-01-01-a-link.json"):
        assert after[f"events/{name}"] == before[f"events/{name}"]
    assert after["NOTES.md"] == before["NOTES.md"]
    assert after[f"events/{first.name}"] != before[f"events/{first.name}"]


def test_a_file_that_appears_during_the_write_is_checked_before_the_swap(
    bundled: ke.Dataset, tmp_path: Path
) -> None:
    from koreaevents.io.atomic import replace_dataset_directory

    out = tmp_path / "out"
    ke.write_parquet(bundled, out)
    with (
        pytest.raises(FileExistsError, match=r"mine\.parquet"),
        replace_dataset_directory(out, kind="parquet") as tmp,
    ):
        for path in out.iterdir():
            (tmp / path.name).write_bytes(path.read_bytes())
        (out / "actors").mkdir()  # someone's file, added while the write ran
        (out / "actors" / "mine.parquet").write_bytes(b"PAR1")
    assert (out / "actors" / "mine.parquet").read_bytes() == b"PAR1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_out_inside_a_link_loop_is_named_as_such(bundled: ke.Dataset, tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(FileExistsError, match="symbolic link loop"):
        ke.write_json(bundled, tmp_path / "loop" / "out")


@pytest.mark.parametrize("kind", ["link", "folder", "descriptor-link"])
def test_a_listed_path_that_is_not_a_file_is_refused(
    bundled: ke.Dataset, tmp_path: Path, kind: str
) -> None:
    out = tmp_path / "out"
    ke.write_parquet(bundled, out)
    name = "datapackage.json" if kind == "descriptor-link" else "sources.parquet"
    kept = tmp_path / "kept"
    kept.mkdir()
    (out / name).rename(kept / name)
    if kind == "folder":
        (out / name).mkdir()
        (out / name / "mine.txt").write_text("mine")
    else:
        (out / name).symlink_to(kept / name)
    before = tree(out)
    with pytest.raises(FileExistsError, match=re.escape(name)):
        ke.write_parquet(bundled, out)
    assert tree(out) == before
