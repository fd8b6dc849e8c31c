"""Atomic writes: a file or a folder appears whole, or not at all.

Data goes to a temporary sibling first, is flushed to disk, then renamed into place, so
a crash or a full disk never leaves a half-written file where a good one was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from koreaevents.io.release import ListedFile

__all__ = [
    "atomic_directory",
    "atomic_write_bytes",
    "atomic_write_text",
    "clear_leftovers",
    "missing_output_hint",
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
def atomic_directory(
    target: Path, *, before_swap: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it replaces ``target``.

    Files in an existing ``target`` that the new content does not write are left as
    they were only if the caller copies them; the swap itself is a pair of renames, so
    readers see the old folder or the new one, never a mix. ``before_swap``, if given,
    is called with the finished temporary folder just before the swap; whatever it
    raises stops the swap. On error the temporary folder is removed and ``target`` is
    untouched.
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
        if before_swap is not None:
            before_swap(tmp)
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


def missing_output_hint(target: str | os.PathLike[str]) -> str:
    """For a message about a missing dataset ``target``: where an interrupted write
    left its previous output (``.NAME.old-PID`` beside it), or ``""``."""
    target = Path(target)
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.old-\d+$")
    try:
        found = sorted(
            entry.path
            for entry in os.scandir(target.parent)
            if pattern.match(entry.name) and entry.is_dir(follow_symlinks=False)
        )
    except OSError:
        return ""
    if not found:
        return ""
    return (
        f"; an interrupted write left the previous output in {', '.join(found)}: run the "
        f"write again or move it back to {target}"
    )


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
    reverse). A file the old ``datapackage.json`` does not list may be in the way only
    when the new output writes the same path (a contributor's new record file that the
    written dataset holds); any other raises :class:`FileExistsError` naming it, after
    the new output is written and before it replaces anything: the temporary output is
    discarded and ``target`` is left as it was.
    """
    from koreaevents.io.paths import holds_json_records, is_parquet_dataset

    target = _resolved_output(Path(target))
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
            raise FileExistsError(_in_the_way(target, foreign))
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

    def check(tmp: Path) -> None:
        lost = _lost_by_replacing(target, tmp)
        if lost:
            raise FileExistsError(_in_the_way(target, lost))

    with atomic_directory(target, before_swap=check) as tmp:
        yield tmp


def _in_the_way(target: Path, what: str) -> str:
    return (
        f"{target} holds what koreaevents did not write there ({what}): replacing it "
        "would delete that; nothing was written: choose another folder, or move it away"
    )


def _resolved_output(target: Path) -> Path:
    """Where a write to ``target`` goes: through a symbolic link to what it points to
    (the link is kept). A path that leads into a link loop raises
    :class:`FileExistsError` saying so."""
    try:
        resolved: str | None = os.path.realpath(target, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            points = ""
            with contextlib.suppress(OSError):
                points = f"; it points to {os.readlink(target)!r}"
            raise FileExistsError(
                f"{target} leads into a symbolic link loop (following its links never "
                f"reaches a folder{points}): remove or fix the link, or choose another "
                "output"
            ) from None
        resolved = None  # nothing there yet
    if not target.is_symlink():
        return target
    # write where the link points and keep the link, rather than replace the link with
    # a folder of its own; a link to nothing yet: the output is made where it points
    return Path(resolved or os.path.realpath(target))


def _ours_pattern() -> re.Pattern[str]:
    """Names of the files koreaevents writes in a dataset folder: ``<stem>.parquet``,
    ``.jsonl`` or ``.json``, ``<stem>/<id>.json``, ``<stem>/<part>.parquet``,
    ``<stem>/year=…/….parquet``; never a hidden name."""
    from koreaevents.dataset import STEMS

    stems = "|".join(re.escape(stem) for stem in STEMS)
    return re.compile(
        rf"^(?:{stems})(?:\.(?:parquet|jsonl|json)|/[^/.][^/]*(?:/[^/.][^/]*)?\.(?:parquet|json))$"
    )


def _not_written_by_koreaevents(folder: Path) -> str | None:
    """What in ``folder`` koreaevents did not write (None when it holds nothing else):
    a folder may be replaced only when its ``datapackage.json`` is one of ours and
    lists files of the forms koreaevents writes. A file it does not list that could be
    one of ours passes here; :func:`_lost_by_replacing` checks it against the new
    output."""
    from koreaevents.io.release import descriptor_of, listed_files, not_listed
    from koreaevents.issues import DataError

    if not any(folder.iterdir()):
        return None
    try:
        descriptor = descriptor_of(folder)
        files = listed_files(folder, descriptor) if descriptor is not None else []
    except DataError as exc:
        return exc.issues[0].message if exc.issues else "a datapackage.json it cannot read"
    ours = _ours_pattern()
    for listed in files:
        if not ours.match(listed.relative):
            return f"datapackage.json lists {listed.relative!r}, not a koreaevents file"
    problem = _listed_not_a_file(folder, files)
    if problem is not None:
        return problem
    for name in not_listed(folder, files):
        # notes, backups, hidden files, other data: never ours to delete
        if not ours.match(name) or os.path.islink(folder / name):
            return f"{name!r}, which its datapackage.json does not list"
    return None


def _lost_by_replacing(old: Path, new: Path) -> str | None:
    """What replacing folder ``old`` by folder ``new`` would delete that koreaevents
    did not write (None when nothing): an entry the old ``datapackage.json`` does not
    list, unless ``new`` holds a file (or folder) of the same kind at the same path."""
    from koreaevents.io.release import descriptor_of, listed_files, not_listed
    from koreaevents.issues import DataError

    try:
        if not old.is_dir() or not any(old.iterdir()):
            return None
    except OSError:
        return None  # gone, or unreadable: the swap itself then fails or finds nothing
    try:
        descriptor = descriptor_of(old)
        files = listed_files(old, descriptor) if descriptor is not None else []
    except DataError as exc:
        return exc.issues[0].message if exc.issues else "a datapackage.json it cannot read"
    problem = _listed_not_a_file(old, files)
    if problem is not None:
        return problem
    unlisted = "which its datapackage.json does not list and this write does not replace"
    for name in not_listed(old, files):
        for relative in _entries(old, name):
            if not _same_kind(old / relative, new / relative):
                return f"{relative!r}, {unlisted}"
    return None


def _listed_not_a_file(folder: Path, files: list[ListedFile]) -> str | None:
    """A listed path (or ``datapackage.json``) that is a link or a folder, which
    koreaevents never writes: replacing it would delete what it holds or points to."""
    for relative in ["datapackage.json", *(listed.relative for listed in files)]:
        path = folder / relative
        if path.is_symlink() or path.is_dir():
            kind = "a symbolic link" if path.is_symlink() else "a folder"
            return f"{relative!r}, {kind} where koreaevents writes a file"
    return None


def _entries(root: Path, name: str) -> Iterator[str]:
    """``name`` and, for a real folder, everything under it (relative paths)."""
    yield name
    path = root / name
    if path.is_dir() and not path.is_symlink():
        for folder, dirs, files in os.walk(path):
            base = Path(folder).relative_to(root).as_posix()
            for entry in sorted(dirs + files):
                yield f"{base}/{entry}"


def _same_kind(old: Path, new: Path) -> bool:
    """Whether ``new`` takes the place of ``old``: both regular files, or both
    folders. A symbolic link is never taken over."""
    if old.is_symlink() or new.is_symlink():
        return False
    if old.is_dir():
        return new.is_dir()
    return old.is_file() and new.is_file()
