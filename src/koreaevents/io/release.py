"""A built release is exactly the files its ``datapackage.json`` lists.

Every reader of a release (``load``, ``events_between``/``query``, ``validate``) asks
this module which files make it up, so they all read the same files: any other file
in the folder (an editor's backup, an unlisted copy, a symbolic link, a README)
changes no answer. A listed path that leaves the dataset (absolute, ``..``, a URL, a
symbolic link pointing out) is refused with the same message by all of them, and a
listed file that is not a regular file (a FIFO, a device, a folder) is never opened,
so that no reader can hang on it.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from koreaevents.dataset import STEMS
from koreaevents.issues import DataError, Issue

__all__ = [
    "DESCRIPTOR",
    "ListedFile",
    "descriptor_of",
    "hash_issues",
    "listed_files",
    "listed_within",
    "not_listed",
    "on_disk",
    "path_problem",
    "regular_file_problem",
    "release_root",
    "resource_path_issues",
    "verified_files",
]

DESCRIPTOR: Final = "datapackage.json"
_MAX_DESCRIPTOR_BYTES: Final = 64 << 20
_SCHEME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@attrs.frozen
class ListedFile:
    """One file that a release's descriptor lists."""

    path: Path
    relative: str
    stem: str | None
    """The record type's stem it holds (None: not a record file, e.g. a README)."""
    resource: int
    """Its resource's position in ``resources``."""


def regular_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file (None when it is a regular file): a reader
    must never open a FIFO or a device, which can block forever or never end."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "is missing"
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return "is a loop of symbolic links"
        return f"cannot be opened ({exc.strerror or type(exc).__name__})"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a FIFO, socket or device): it is not read"
    return None


def descriptor_of(root: Path) -> dict[str, Any] | None:
    """The descriptor of a release folder, or None when it has no ``datapackage.json``.

    A ``datapackage.json`` that is not a regular file holding a JSON object raises a
    :class:`~koreaevents.DataError`: its hashes could not be checked.
    """
    path = root / DESCRIPTOR
    if not os.path.lexists(path):
        return None
    problem = regular_file_problem(path)
    if problem is None and os.stat(path).st_size > _MAX_DESCRIPTOR_BYTES:
        problem = f"is larger than {_MAX_DESCRIPTOR_BYTES >> 20} MiB: not a descriptor"
    if problem is None:
        try:
            value = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            problem = f"is not valid JSON ({exc})"
        except OSError as exc:
            problem = f"cannot be read ({exc.strerror or type(exc).__name__})"
        else:
            if isinstance(value, dict):
                return value
            problem = "does not hold a JSON object"
    raise DataError(
        [Issue("datapackage", f"{DESCRIPTOR} {problem}", path=str(path))],
        f"cannot read the release {root}: {DESCRIPTOR} {problem}",
    )


def path_problem(root: Path, value: object) -> str | None:
    """Why a resource path may not be read (None when it stays inside the dataset):
    a release is read from its own folder only."""
    if not isinstance(value, str) or not value:
        return "is not a path"
    if "\x00" in value:
        return "holds a NUL character"
    if _SCHEME.match(value) or "://" in value:
        return "is a URL: a dataset is read from its own folder only"
    parts = re.split(r"[/\\]", value)
    if value.startswith(("/", "\\", "~")) or os.path.isabs(value):
        return "is absolute: it must be relative to the dataset folder"
    if ".." in parts:
        return "leaves the dataset folder (..)"
    try:
        inside = (root / value).resolve().is_relative_to(root.resolve())
    except RuntimeError:  # a loop of symbolic links (Python < 3.13)
        return "is a loop of symbolic links"
    except OSError as exc:
        return f"cannot be resolved ({exc.strerror or type(exc).__name__})"
    if not inside:
        return "leads out of the dataset folder through a symbolic link"
    return None


def resource_path_issues(directory: Path, descriptor: dict[str, Any]) -> list[Issue]:
    """The resource paths of a descriptor that leave the dataset folder (absolute,
    ``..``, a URL, a symbolic link pointing out): every reader refuses them, with
    these issues, so that no answer depends on a file outside the dataset."""
    resources = descriptor.get("resources")
    found = []
    for index, resource in enumerate(resources if isinstance(resources, list) else ()):
        paths = resource.get("path") if isinstance(resource, dict) else None
        items = [(f"/resources/{index}/path", paths)] if isinstance(paths, str) else []
        if isinstance(paths, list):
            items = [(f"/resources/{index}/path/{i}", item) for i, item in enumerate(paths)]
        for pointer, item in items:
            if not isinstance(item, str):
                continue  # not a path at all: the profile check names it
            problem = path_problem(directory, item)
            if problem is not None:
                found.append(
                    Issue(
                        "datapackage",
                        f"resource path {item!r:.200} {problem}; it is not read",
                        path=str(directory / "datapackage.json"),
                        pointer=pointer,
                    )
                )
    return found


def _paths(resource: object) -> list[object]:
    if not isinstance(resource, dict):
        return []
    value = resource.get("path")
    return value if isinstance(value, list) else [value]


def _stem_of(relative: str, resource: object) -> str | None:
    """The record type a listed Parquet file holds: by its path (``events.parquet``,
    ``events/…``), else by its resource's name (``events`` or ``events-…``), so that a
    file named otherwise is still read rather than silently left out. A release lists
    only Parquet files: any name but a JSON one may be one."""
    if relative.lower().endswith((".json", ".jsonl")):
        return None
    head = relative.split("/", 1)
    for stem in STEMS:
        if relative == f"{stem}.parquet" or (len(head) == 2 and head[0] == stem):
            return stem
    name = resource.get("name") if isinstance(resource, dict) else None
    if isinstance(name, str):
        for stem in STEMS:
            if name == stem or name.startswith(f"{stem}-"):
                return stem
    return None


def listed_files(root: Path, descriptor: dict[str, Any]) -> list[ListedFile]:
    """The files a release's descriptor lists, in its order. A path that leaves the
    dataset, or a file listed twice (it would be read twice), raises a
    :class:`~koreaevents.DataError` naming each such path."""
    resources = descriptor.get("resources")
    found: list[ListedFile] = []
    problems: list[Issue] = []
    seen: dict[str, int] = {}
    for index, resource in enumerate(resources if isinstance(resources, list) else ()):
        for value in _paths(resource):
            problem = path_problem(root, value)
            if problem is None and isinstance(value, str):
                same = posixpath.normpath(value.replace("\\", "/"))
                if same in seen:
                    problem = (
                        f"lists the file of resource {seen[same]} again: it would be read twice"
                    )
                seen.setdefault(same, index)
            if problem is not None:
                shown = repr(value)[:200]
                problems.append(
                    Issue(
                        "datapackage",
                        f"resource path {shown} {problem}; it is not read",
                        path=str(root / DESCRIPTOR),
                        pointer=f"/resources/{index}/path",
                    )
                )
                continue
            assert isinstance(value, str)
            normal = posixpath.normpath(value)
            found.append(ListedFile(root / value, value, _stem_of(normal, resource), index))
    if problems:
        raise DataError(problems, f"cannot read the release {root}: {problems[0].message}")
    return found


def hash_issues(root: Path, descriptor: dict[str, Any], files: list[ListedFile]) -> list[Issue]:
    """Listed files that are missing, not regular files, or whose bytes differ from
    the size and hash the descriptor gives. A hash that cannot be checked (none, an
    unknown algorithm, one hash for several paths) is an issue too: the release
    cannot be shown to be the one that was built."""
    resources = descriptor.get("resources")
    problems: list[Issue] = []
    if not isinstance(resources, list):
        return problems
    where = str(root / DESCRIPTOR)
    counts: dict[int, int] = {}
    for listed in files:
        counts[listed.resource] = counts.get(listed.resource, 0) + 1
    for listed in files:
        resource = resources[listed.resource]
        pointer = f"/resources/{listed.resource}/hash"
        problem = regular_file_problem(listed.path)
        if problem is not None:
            problems.append(
                Issue("io", f"{listed.relative} {problem}", path=str(listed.path), pointer=None)
            )
            continue
        expected = resource.get("hash")
        if counts[listed.resource] > 1:
            if expected is not None:
                problems.append(
                    Issue(
                        "datapackage",
                        f"resource {listed.resource} gives one hash for several paths: it "
                        "cannot be checked; list each file as a resource of its own",
                        path=where,
                        pointer=pointer,
                    )
                )
            continue
        message = _hash_mismatch(listed, resource, expected)
        if message is not None:
            problems.append(Issue("datapackage", message, path=str(listed.path)))
    return problems


def _hash_mismatch(listed: ListedFile, resource: dict[str, Any], expected: object) -> str | None:
    name = listed.relative
    if not isinstance(expected, str) or not expected:
        return f"{name} has no hash in {DESCRIPTOR}: it cannot be checked"
    algorithm, _, digest = expected.rpartition(":")
    algorithm = algorithm.lower() or "md5"  # Frictionless: a bare hash is MD5
    if algorithm not in hashlib.algorithms_guaranteed or algorithm.startswith("shake"):
        return (
            f"{name} has a {algorithm!r} hash, which cannot be checked: use sha256, as "
            "koreaevents build writes it"
        )
    size = resource.get("bytes")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
        return (
            f"{name} has bytes {size!r:.40} in {DESCRIPTOR}, not a whole number written as an "
            "integer: its size cannot be checked; build the release again"
        )
    try:
        actual = os.stat(listed.path).st_size
        if size is not None and size != actual:
            return (
                f"{name} has {actual} bytes but {DESCRIPTOR} says {size}: the file changed "
                "after the build"
            )
        actual_digest = _digest(listed.path, algorithm)
    except OSError as exc:
        return f"cannot read {name} ({exc.strerror or type(exc).__name__})"
    if actual_digest != digest.lower():
        return (
            f"{name} does not match its {algorithm} hash in {DESCRIPTOR}: the file was "
            "changed or damaged after the build"
        )
    return None


def on_disk(path: str | os.PathLike[str], info: os.stat_result) -> tuple[Any, ...]:
    """A file as it is on disk: its path, device, inode, size, modification and change
    times. Whatever is kept per process about a file's bytes (its digest, a checked
    index) is keyed by this, so that a file written since is checked anew."""
    return (
        os.fspath(path),
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    )


_DIGESTS: dict[tuple[Any, ...], str] = {}
_DIGESTS_LOCK = threading.Lock()


def _digest(path: Path, algorithm: str) -> str:
    """The hex digest of a file. Kept per process for the file as it is on disk
    (device, inode, size, modification and change times), so that a query after a
    load, or the next query, does not hash the same unchanged bytes again; a file
    written since (even in the same second, or to the same size) is hashed anew."""
    with open(path, "rb") as handle:
        key = (algorithm, *on_disk(path, os.fstat(handle.fileno())))
        with _DIGESTS_LOCK:
            known = _DIGESTS.get(key)
        if known is not None:
            return known
        hasher = hashlib.new(algorithm)
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    found = hasher.hexdigest()
    with _DIGESTS_LOCK:
        if len(_DIGESTS) > 4096:
            _DIGESTS.clear()
        _DIGESTS[key] = found
    return found


def verified_files(root: Path, stem: str) -> list[Path] | None:
    """The files of one record type that a release's descriptor lists, after every
    listed file was checked against the size and hash the descriptor gives, as
    ``load`` checks them: every reader answers from the same bytes or refuses with the
    same issues (a :class:`~koreaevents.DataError`). None when the folder has no
    descriptor."""
    descriptor = descriptor_of(root)
    if descriptor is None:
        return None
    listed = listed_files(root, descriptor)
    problems = hash_issues(root, descriptor, listed)
    if problems:
        raise DataError(problems, f"cannot read the release {root}: {problems[0].message}")
    return [item.path for item in listed if item.stem == stem]


def release_root(path: Path) -> Path | None:
    """The release a path lies in: the path itself when it is a folder holding a
    ``datapackage.json``, else the nearest of its parents (up to three levels, as deep
    as ``events/year=2024/part-0.parquet``) that holds one; None when there is none."""
    candidates = [path] if path.is_dir() else []
    candidates += list(path.parents)[:3]
    for folder in candidates:
        if os.path.lexists(folder / DESCRIPTOR):
            return folder
    return None


def listed_within(path: Path, stem: str) -> tuple[list[Path], Path] | None:
    """``(files, release)``: the hash-checked files of ``stem`` that the release around
    ``path`` lists at or under ``path`` (the release folder itself, its
    ``events.parquet``, its ``events/`` folder or a partition folder). None when
    ``path`` lies in no release. A path in a release that holds none of its listed
    files is a :class:`~koreaevents.DataError`: files the descriptor does not list are
    not read."""
    root = release_root(path)
    if root is None:
        return None
    files = verified_files(root, stem) or []
    if path == root:
        return files, root
    target = Path(os.path.abspath(path))
    inside = [
        file
        for file in files
        if Path(os.path.abspath(file)) == target or target in Path(os.path.abspath(file)).parents
    ]
    if not inside:
        message = (
            f"{path} holds no {stem} file that {root / DESCRIPTOR} lists: a release is read "
            "through its descriptor, and unlisted files are not read"
        )
        raise DataError([Issue("datapackage", message, path=str(path))], message)
    return inside, root


def not_listed(root: Path, files: list[ListedFile]) -> Iterator[str]:
    """The entries of a release folder that its descriptor does not list (relative
    paths, ``/``-separated): files, symbolic links and folders that lead to no listed
    file. Symbolic links are named, never followed."""
    listed = {item.relative for item in files} | {DESCRIPTOR}
    ancestors = {"/".join(item.relative.split("/")[:n]) for item in files for n in range(1, 8)}
    ancestors |= set(STEMS)  # a release with no events keeps an empty events/ folder

    def walk(folder: Path, prefix: str) -> Iterator[str]:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            relative = prefix + entry.name
            if relative in listed:
                continue
            if entry.is_dir(follow_symlinks=False) and relative in ancestors:
                yield from walk(Path(entry.path), relative + "/")
            else:
                yield relative

    yield from walk(root, "")
