"""``datapackage.json``: the Data Package v2 profile and this project's own rules.

The descriptor is read with the same raw reader as the records (so bad JSON, bad
encoding and keys given twice are reported the same way), checked offline against the
Data Package v2 profile shipped in this package (``datapackage-profile.json``: the
structural rules of https://datapackage.org/profiles/2.0/datapackage.json for the
package and its resources), and then against what CONTRACT.md asks of a koreaevents
descriptor: a ``name``, a SemVer ``version``, ``licenses``, and local resource paths
that exist.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Final

from koreaevents.io.reading import RawRecord, read_file
from koreaevents.io.release import path_problem, resource_path_issues
from koreaevents.issues import Issue
from koreaevents.validation.checks import compile_offline

__all__ = ["DATAPACKAGE", "PROFILE_FILE", "SEMVER", "check_datapackage", "profile"]

DATAPACKAGE: Final = "datapackage.json"
PROFILE_FILE: Final = "datapackage-profile.json"

SEMVER: Final = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
"""The regular expression of semver.org for a version number."""

_NAME: Final = re.compile(r"^[a-z0-9._-]+$")


@functools.cache
def profile() -> dict[str, Any]:
    """The Data Package v2 profile this package checks descriptors against."""
    text = resources.files("koreaevents.validation").joinpath(PROFILE_FILE).read_text("utf-8")
    value: dict[str, Any] = json.loads(text)
    return value


@functools.cache
def _validator() -> Any:
    return compile_offline(profile())


def check_datapackage(path: Path, *, verify_hashes: bool = False) -> Iterator[Issue]:
    """Every issue of one ``datapackage.json`` file. Never raises.

    ``verify_hashes``: also check each single-file resource's ``bytes`` and ``hash``
    against the file (for built releases, whose files must not change after the
    build; a JSON dataset's hashes go stale with every edit and are not checked).
    """
    path = Path(path)
    display = str(path)
    raw: RawRecord | None = None
    for item in read_file(path):
        if isinstance(item, Issue):
            if item.code == "empty-file":
                yield Issue(
                    "datapackage",
                    "datapackage.json is empty: it must hold a JSON object",
                    path=display,
                )
            else:
                yield item
        elif raw is None:
            raw = item
    if raw is None:
        return
    data = raw.data
    if not isinstance(data, dict):
        yield _issue(raw, "", "datapackage.json must hold a JSON object (a descriptor)")
        return
    try:
        errors = list(_validator().iter_errors(data))
    except Exception as exc:  # pragma: no cover - a value jsonschema-rs cannot take
        errors = []
        yield _issue(raw, "", f"datapackage.json cannot be checked: {exc}")
    for error in errors:
        pointer = "".join(
            "/" + str(part).replace("~", "~0").replace("/", "~1") for part in error.instance_path
        )
        message = str(error.message)
        if len(message) > 300:
            message = message[:299] + "…"
        yield _issue(
            raw,
            pointer,
            f"does not fit the Data Package v2 profile: {message}",
        )
    yield from _own_rules(raw, data, path.parent, verify_hashes)


def _own_rules(
    raw: RawRecord, data: dict[str, Any], root: Path, verify_hashes: bool
) -> Iterator[Issue]:
    name = data.get("name")
    if name is None:
        yield _issue(raw, "/name", 'name is missing: add a lowercase name, e.g. "koreaevents"')
    elif not isinstance(name, str) or not _NAME.match(name):
        yield _issue(
            raw,
            "/name",
            "name must be lowercase letters, digits, '.', '_' or '-' (e.g. \"koreaevents\")",
        )
    version = data.get("version")
    if version is None:
        yield _issue(raw, "/version", 'version is missing: add a SemVer version, e.g. "1.0.0"')
    elif not isinstance(version, str) or not SEMVER.match(version):
        shown = repr(version)[:60]
        yield _issue(
            raw,
            "/version",
            f'version {shown} is not a SemVer version: use MAJOR.MINOR.PATCH, e.g. "1.0.0"',
        )
    if "licenses" not in data:
        yield _issue(
            raw,
            "/licenses",
            'licenses is missing: add e.g. [{"name": "CC-BY-4.0", "path": '
            '"https://creativecommons.org/licenses/by/4.0/"}]',
        )
    resources_ = data.get("resources")
    if not isinstance(resources_, list):
        return
    for issue in resource_path_issues(root, data):
        yield _issue(raw, issue.pointer or "", issue.message)
    if not verify_hashes:  # a JSON dataset: its record files should all be listed
        yield from _unlisted(raw, resources_, root)
    for index, resource in enumerate(resources_):
        if not isinstance(resource, dict):
            continue
        size = resource.get("bytes")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
            # JSON Schema calls 1e30 an integer; a reader gets a float, and no size check
            yield _issue(
                raw,
                f"/resources/{index}/bytes",
                f"bytes {json.dumps(size)[:40]} is not a whole number of bytes written as an "
                "integer (e.g. 1024): the file's size cannot be checked; build the release "
                "again, or write the size as an integer",
            )
        paths = resource.get("path")
        items = [(f"/resources/{index}/path", paths)] if isinstance(paths, str) else []
        if isinstance(paths, list):
            items = [(f"/resources/{index}/path/{i}", p) for i, p in enumerate(paths)]
        for pointer, value in items:
            if not isinstance(value, str) or not value:
                continue
            if path_problem(root, value) is not None:
                continue  # named by resource_path_issues, with load's own words
            try:
                exists = os.path.lexists(root / value)
            except (OSError, ValueError):
                exists = False
            if not exists:
                yield _issue(
                    raw,
                    pointer,
                    f"resource file {value!r} does not exist: add it or remove it from "
                    "datapackage.json",
                )
            elif verify_hashes and isinstance(paths, str):
                yield from _check_integrity(raw, resource, index, root / value)


def _unlisted(raw: RawRecord, resources: list[Any], root: Path) -> Iterator[Issue]:
    """A ``not-listed`` warning for each record file of the dataset that no resource
    names (a file added by hand after the descriptor was written), for the stems whose
    files the descriptor lists at all."""
    from koreaevents.io.reading import STEMS

    listed: set[str] = set()
    for resource in resources:
        paths = resource.get("path") if isinstance(resource, dict) else None
        # a path that is neither a string nor a list is named by the profile check
        values = [paths] if isinstance(paths, str) else paths if isinstance(paths, list) else []
        for value in values:
            if isinstance(value, str):
                listed.add(value)
    present: list[str] = []
    for stem in STEMS:
        for name in (f"{stem}.jsonl", f"{stem}.json"):
            if (root / name).is_file():
                present.append(name)
        folder = root / stem
        if folder.is_dir():
            present.extend(
                f"{stem}/{child.name}"
                for child in sorted(folder.iterdir())
                if child.suffix == ".json" and child.is_file() and not child.name.startswith(".")
            )
    # only where the descriptor lists a stem's files does a missing one stand out
    stems = {value.split("/")[0].split(".")[0] for value in listed}
    for name in present:
        if name not in listed and name.split("/")[0].split(".")[0] in stems:
            yield Issue(
                "not-listed",
                f"{name} is not listed in datapackage.json: add it to the {name.split('/')[0]} "
                "resource's path, or run `koreaevents fmt` on the dataset, which lists every "
                "record file",
                path=str(root / DATAPACKAGE),
                line=1,
                pointer="/resources",
            )


def _check_integrity(
    raw: RawRecord, resource: dict[str, Any], index: int, file: Path
) -> Iterator[Issue]:
    """``bytes`` and ``hash`` of one resource against its file."""
    size = resource.get("bytes")
    expected = resource.get("hash")
    try:
        actual_size = os.stat(file).st_size
        if isinstance(size, int) and size != actual_size:
            yield _issue(
                raw,
                f"/resources/{index}/bytes",
                f"{file.name} has {actual_size} bytes but datapackage.json says {size}: the "
                "file changed after it was built; build the release again",
            )
            return
        if not isinstance(expected, str) or not expected:
            return
        algorithm, _, digest = expected.rpartition(":")
        algorithm = algorithm.lower() or "md5"
        if algorithm not in hashlib.algorithms_guaranteed:
            return
        hasher = hashlib.new(algorithm)
        with open(file, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(chunk)
    except OSError as exc:
        yield _issue(raw, f"/resources/{index}/path", f"cannot read {file.name}: {exc.strerror}")
        return
    if hasher.hexdigest() != digest.lower():
        yield _issue(
            raw,
            f"/resources/{index}/hash",
            f"{file.name} has {algorithm} {hasher.hexdigest()} but datapackage.json says "
            f"{digest}: the file changed after it was built; build the release again",
        )


def _issue(raw: RawRecord, pointer: str, message: str) -> Issue:
    return Issue(
        "datapackage",
        message,
        path=raw.path,
        line=raw.line_of(pointer) or raw.line,
        pointer=pointer,
    )
