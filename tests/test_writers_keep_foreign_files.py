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
