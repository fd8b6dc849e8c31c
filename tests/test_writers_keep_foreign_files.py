"""Writers never delete what they did not write (CONTRACT, "Added in 0.2")."""

from __future__ import annotations

import json
import os
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
