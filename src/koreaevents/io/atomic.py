"""Atomic writes: a file or a folder appears whole, or not at all.

Data goes to a temporary sibling first, is flushed to disk, then renamed into place, so
a crash or a full disk never leaves a half-written file where a good one was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

__all__ = [
    "atomic_directory",
    "atomic_write_bytes",
    "atomic_write_text",
    "clear_leftovers",
    "replace_dataset_directory",
]


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it replaces ``target``.

    Files in an existing ``target`` that the new content does not write are left as
    they were only if the caller copies them; the swap itself is a pair of renames, so
    readers see the old folder or the new one, never a mix. On error the temporary
    folder is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(target)
    # the writer's process id in the name tells a later writer whose folder it is
    tmp = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    )
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        try:
            if target.exists():
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                os.replace(target, old)
                try:
                    os.replace(tmp, target)
                except OSError:
                    os.replace(old, target)  # put the old folder back
                    raise
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except OSError as exc:
            # e.g. two writers at once: the other one's folder got there first
            raise FileExistsError(
                f"{target} changed while it was being written (another build or write at "
                f"the same time?): this run's output was not kept ({exc.strerror}); run "
                "again"
            ) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def clear_leftovers(target: Path) -> None:
    """Remove what a writer of ``target`` that died mid-way left beside it: its
    temporary folder (``.NAME.PID.XXXX.tmp``) and the previous output it had moved
    aside (``.NAME.old-PID``). Only folders of processes that no longer run are
    touched; a previous output whose replacement never arrived is put back in place
    rather than removed, so nothing is lost."""
    if os.name == "nt":  # no safe liveness probe there (os.kill would signal)
        return
    import re

    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(?:(\d+)\.\w+\.tmp|old-(\d+))$")
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in sorted(entries, key=lambda entry: entry.name):
        match = pattern.match(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        if _running(int(match[1] or match[2])):
            continue
        with contextlib.suppress(OSError):
            if match[2] is not None and not os.path.lexists(target):
                os.replace(entry.path, target)  # the crash came between the two renames
            else:
                shutil.rmtree(entry.path)


def _running(pid: int) -> bool:
    """Whether a process with this id runs (or may: when in doubt, yes)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


@contextlib.contextmanager
def replace_dataset_directory(target: Path, *, kind: Literal["json", "parquet"]) -> Iterator[Path]:
    """:func:`atomic_directory` for a dataset folder, refusing to replace anything else.

    ``target`` may be missing, empty, or a dataset of the same ``kind`` (it holds
    ``datapackage.json``); any other existing path raises :class:`FileExistsError`, so
    that a mistyped ``--out`` never wipes a folder of someone's files, and a Parquet
    build never replaces the JSON records it may have been built from (nor the
    reverse).
    """
    from koreaevents.io.paths import holds_json_records, is_parquet_dataset

    target = Path(target)
    if target.is_symlink():
        # write where the link points and keep the link, rather than replace the link
        # with a folder of its own
        target = Path(os.path.realpath(target))
    if target.exists():
        if not target.is_dir():
            raise FileExistsError(f"{target} exists and is not a folder")
        if not (target / "datapackage.json").is_file() and any(target.iterdir()):
            raise FileExistsError(
                f"{target} is a folder that holds files but no datapackage.json: "
                "choose an empty or new folder"
            )
        foreign = _not_written_by_koreaevents(target)
        if foreign:
            raise FileExistsError(
                f"{target} holds what koreaevents did not write there ({foreign}): "
                "replacing it would delete that; choose another folder, or move it away"
            )
        if kind == "parquet" and holds_json_records(target):
            raise FileExistsError(
                f"{target} holds a JSON dataset: writing Parquet there would delete its "
                "records; choose another folder"
            )
        if kind == "json" and is_parquet_dataset(target):
            raise FileExistsError(
                f"{target} holds a Parquet release: writing JSON there would delete it; "
                "choose another folder"
            )
    with atomic_directory(target) as tmp:
        yield tmp


def _not_written_by_koreaevents(folder: Path) -> str | None:
    """What in ``folder`` koreaevents did not write (None when it holds nothing else):
    a folder may be replaced only when its ``datapackage.json`` is one of ours and
    lists every file in it, each a record file or Parquet file of a record type."""
    import re

    from koreaevents.dataset import STEMS
    from koreaevents.io.release import descriptor_of, listed_files, not_listed
    from koreaevents.issues import DataError

    if not any(folder.iterdir()):
        return None
    try:
        descriptor = descriptor_of(folder)
        files = listed_files(folder, descriptor) if descriptor is not None else []
    except DataError as exc:
        return exc.issues[0].message if exc.issues else "a datapackage.json it cannot read"
    stems = "|".join(re.escape(stem) for stem in STEMS)
    # <stem>.parquet|jsonl|json, <stem>/<id>.json, <stem>/<part>.parquet, <stem>/year=…/….parquet
    ours = re.compile(
        rf"^(?:{stems})(?:\.(?:parquet|jsonl|json)|/[^/]+(?:/[^/]+)?\.(?:parquet|json))$"
    )
    for listed in files:
        if not ours.match(listed.relative):
            return f"datapackage.json lists {listed.relative!r}, not a koreaevents file"
    for name in not_listed(folder, files):
        # a record file not yet listed (a contributor's new record) is dataset content;
        # anything else (notes, backups, other data) is not ours to delete
        if not ours.match(name) or os.path.islink(folder / name):
            return f"{name!r}, which its datapackage.json does not list"
    return None
