"""Hostile releases: whatever was done to a release, load, query and validate refuse
it alike, name the file and the problem, never hang and never show a traceback.

Each case is a finding of the hostile review of the release path (issue 10) that
once gave a traceback, a hang, or an answer from one reader and a refusal from
another.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import threading
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import koreaevents as ke
from koreaevents.cli import main


def _within(seconds: float, func: Callable[[], object]) -> object:
    """``func()``, or a failure if it blocks (a reader must never hang)."""
    result: list[object] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(func())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the reader blocked"
    if errors:
        raise errors[0]
    return result[0]


def _rehash(root: Path) -> None:
    package = json.loads((root / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        path = root / resource["path"]
        if path.is_file():
            data = path.read_bytes()
            resource["bytes"] = len(data)
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    (root / "datapackage.json").write_text(json.dumps(package), "utf-8")


def _retype(kind: Callable[[pa.ChunkedArray], pa.ChunkedArray]) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        path = root / "events.parquet"
        table = pq.read_table(path)
        position = table.schema.get_field_index("date_earliest")
        table = table.set_column(position, "date_earliest", kind(table["date_earliest"]))
        pq.write_table(table, path)
        _rehash(root)

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
            _rehash(root)

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
        _within(30, lambda: ke.load(root))
    with pytest.raises(ke.DataError) as queried:
        _within(30, lambda: ke.events_between(root, "2024-01", "2024-02"))
    report = _within(30, lambda: ke.validate(root))
    assert isinstance(report, ke.ValidationReport)
    assert not report.ok
    for messages in (
        [i.message for i in loaded.value.issues],
        [i.message for i in queried.value.issues],
        [i.message for i in report.errors],
    ):
        assert any(expected in message for message in messages), (damage, messages)
    for argv in (["query", "--dataset", str(root), "--count"], ["validate", str(root)]):
        code, text = _within(30, lambda argv=argv: _cli(*argv))  # type: ignore[misc]
        assert code in (1, 2), (argv, text)
        assert "Traceback" not in text and expected in text, (argv, text)
