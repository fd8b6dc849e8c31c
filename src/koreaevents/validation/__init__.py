"""Validate contributed data: every problem located, coded and explained.

>>> import koreaevents as ke
>>> from koreaevents.io.paths import bundled_dataset_dir
>>> ke.validate(bundled_dataset_dir()).ok
True

:func:`validate` reads files, record folders and dataset directories with the raw
readers of :mod:`koreaevents.io.reading` (streamed: a JSON Lines file is read a line
at a time and no record is kept after it is checked), checks each record against the
JSON Schema of its type and its EDTF dates (:mod:`koreaevents.validation.checks`),
collects ids and references in a lean :class:`~koreaevents.references.ReferenceIndex`
(duplicate ids within and across files, references that resolve nowhere), and checks
each dataset directory's ``datapackage.json`` (:mod:`koreaevents.validation.datapackage`).
The result is a :class:`ValidationReport`; :mod:`koreaevents.validation.reporters`
turns it into text, JSON or GitHub annotations.

Nothing is fetched over the network: the schemas are self-contained and the
validators are built with a retriever that refuses every remote ``$ref``.
"""

from __future__ import annotations

import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import attrs

from koreaevents.io.paths import is_parquet_dataset
from koreaevents.io.reading import STEMS, RawRecord, gc_paused, read_path, stem_of
from koreaevents.issues import DataError, Issue, Severity
from koreaevents.references import ReferenceIndex
from koreaevents.validation.checks import RecordChecker
from koreaevents.validation.datapackage import DATAPACKAGE, check_datapackage

__all__ = ["RECORD_TYPE_NAMES", "ValidationReport", "validate"]

RECORD_TYPE_NAMES: Final[dict[str, str]] = {
    **{type_name: stem for stem, type_name in STEMS.items()},
    **{stem: stem for stem in STEMS},
}
"""Accepted values of ``record_type`` (a type or a stem) -> the file stem."""

PathArg = str | os.PathLike[str]

# Reader issue codes whose messages say what is wrong but not what to do.
_ADD_HINT: Final = frozenset({"duplicate-key", "empty-file", "many-records"})
_MAX_MESSAGE: Final = 2000


@attrs.frozen
class ValidationReport:
    """What :func:`validate` found.

    Attributes:
        issues: Every issue found, in the order found (files in the order read, each
            file's issues by line; reference issues last).
        paths: The paths that were validated, as given.
        records: How many records were read and checked.
        files: How many distinct files the issues and records came from.
        stopped: True when ``max_errors`` was reached and validation stopped early
            (there may be more problems than :attr:`issues` shows).
        max_errors: The limit that was in force, or None.
    """

    issues: tuple[Issue, ...]
    paths: tuple[str, ...] = ()
    records: int = 0
    files: int = 0
    stopped: bool = False
    max_errors: int | None = None

    @property
    def ok(self) -> bool:
        """True when no issue is an error (warnings do not make data invalid)."""
        return not any(issue.is_error for issue in self.issues)

    @property
    def errors(self) -> tuple[Issue, ...]:
        """The issues that make the data invalid."""
        return tuple(issue for issue in self.issues if issue.is_error)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """The issues that do not make the data invalid."""
        return tuple(issue for issue in self.issues if not issue.is_error)

    @property
    def io_failed(self) -> bool:
        """True when a path could not be read at all (missing, unreadable, a loop)."""
        return any(issue.code == "io" for issue in self.issues)

    def counts(self) -> dict[str, int]:
        """Number of issues per code, sorted by code."""
        return dict(sorted(Counter(issue.code for issue in self.issues).items()))

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape (see docs/issue-codes.md), version 1."""
        return {
            "version": 1,
            "ok": self.ok,
            "paths": list(self.paths),
            "summary": {
                "records": self.records,
                "files": self.files,
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "by_code": self.counts(),
                "stopped": self.stopped,
                "max_errors": self.max_errors,
            },
            "issues": [issue.to_dict() for issue in self.issues],
        }


class _Stop(Exception):
    """max_errors was reached."""


class _Run:
    """One validation run: the shared checker, index and counters."""

    def __init__(self, record_type: str | None, max_errors: int | None) -> None:
        self.stem = None if record_type is None else RECORD_TYPE_NAMES[record_type]
        self.max_errors = max_errors
        self.checker = RecordChecker()
        self.index = ReferenceIndex()
        self.issues: list[Issue] = []
        self.error_count = 0
        self.records = 0
        self.files: set[str] = set()
        # The record types read: references to the others are not checked.
        self.present: set[str] = set()
        self.untyped: set[str] = set()
        # Files read only for their ids (the rest of a dataset a given file is in).
        self.context_paths: set[str] = set()

    def add(self, issue: Issue) -> None:
        if issue.code in _ADD_HINT and issue.kind is not None:
            # The reader says what is wrong; add what to do about it.
            hint = issue.kind.hint
            issue = attrs.evolve(issue, message=f"{issue.message}: {hint[:1].lower()}{hint[1:]}")
        if len(issue.message) > _MAX_MESSAGE:  # e.g. a 20 MB key quoted in full
            cut = issue.message[: _MAX_MESSAGE - 1] + "…"
            issue = attrs.evolve(issue, message=cut)
        self.issues.append(issue)
        if issue.path is not None:
            self.files.add(issue.path)
        if issue.severity is Severity.ERROR:
            self.error_count += 1
            if self.max_errors is not None and self.error_count >= self.max_errors:
                raise _Stop

    def add_all(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.add(issue)

    # --- paths ------------------------------------------------------------------------

    def path(self, path: Path) -> None:
        if _is_dir(path) and _is_dataset(path, self.stem):
            if is_parquet_dataset(path):
                self.parquet_release(path)
                return
            descriptor = path / DATAPACKAGE
            if os.path.lexists(descriptor):
                self.add_all(check_datapackage(descriptor))
            else:
                self.add(
                    Issue(
                        "no-datapackage",
                        f"the dataset directory {path} has no {DATAPACKAGE}",
                        path=str(path),
                    )
                )
        # A name that says what the records are wins over --type.
        named = path.name in STEMS if _is_dir(path) else stem_of(path) is not None
        self.read(read_path(path, stem=None if named else self.stem))

    def context(self, dataset: Path, given: set[str]) -> None:
        """Register the ids of the records of ``dataset`` outside the ``given`` paths
        (absolute, normalised), so that the given files' references resolve to them
        and an id they share is a duplicate. Nothing else of them is checked or
        reported: they are not what was asked about."""
        add_at = self.index.add_at
        for item in read_path(dataset):
            if isinstance(item, Issue):
                continue
            key = os.path.normpath(os.path.abspath(item.path))
            if key in given or any(key.startswith(folder + os.sep) for folder in given):
                continue
            type_name = STEMS.get(item.stem) if item.stem is not None else None
            if type_name is None:
                continue
            self.present.add(type_name)
            self.context_paths.add(item.path)
            record_id = item.data.get("id") if isinstance(item.data, dict) else None
            add_at(type_name, {"id": record_id}, item.path, item.line)

    def parquet_release(self, path: Path) -> None:
        """A built release, checked by the same reader as ``ke.load`` (so the two
        always agree), plus what only a check looks for: files the descriptor does not
        list, and a stored index that does not fit its file."""
        from koreaevents.io.parquet import load_parquet
        from koreaevents.io.release import (
            descriptor_of,
            listed_files,
            not_listed,
            regular_file_problem,
        )

        descriptor_path = path / DATAPACKAGE
        if os.path.lexists(descriptor_path) and regular_file_problem(descriptor_path) is None:
            # the profile and our own rules; sizes and hashes as load checks them below
            self.files.add(str(descriptor_path))
            self.add_all(check_datapackage(descriptor_path))
        try:
            self.records += len(load_parquet(path))
        except DataError as exc:
            self.add_all(exc.issues)
        try:
            descriptor = descriptor_of(path)
            files = [] if descriptor is None else listed_files(path, descriptor)
        except DataError:
            return  # the load above reported it
        # the files read: each listed file that is there (a missing one is an issue)
        self.files.update(
            str(listed.path) for listed in files if regular_file_problem(listed.path) is None
        )
        if descriptor is not None:
            for name in not_listed(path, files):
                self.add(
                    Issue(
                        "not-listed",
                        f"{name} is not listed in {DATAPACKAGE}: no reader of the release "
                        "reads it; remove it, or build the release again",
                        path=str(path / name),
                    )
                )
        for listed in files:
            if listed.stem is None:
                self.add(
                    Issue(
                        "datapackage",
                        f"{listed.relative} is listed but holds no record type that "
                        "koreaevents reads (name the file or its resource after one: "
                        "events, sources, analyses, actors, retired): no reader reads it",
                        path=str(path / DATAPACKAGE),
                        pointer=f"/resources/{listed.resource}/path",
                    )
                )
            if listed.stem == "events" and regular_file_problem(listed.path) is None:
                self.add_all(_index_issues(listed.path))

    def read(self, items: Iterator[RawRecord | Issue]) -> None:
        check = self.checker.check
        add_at = self.index.add_at
        present = self.present
        records = 0
        last_path: str | None = None
        type_name: str | None = None
        try:
            for item in items:
                if isinstance(item, Issue):
                    self.add(item)
                    continue
                records += 1
                if item.path is not last_path:  # a new file: resolve its type once
                    last_path = item.path
                    self.files.add(item.path)
                    stem = item.stem if item.stem is not None else self.stem
                    type_name = STEMS.get(stem) if stem is not None else None
                    if type_name is not None:
                        present.add(type_name)
                    self.file_name(item)
                if type_name is None:
                    self.unknown_type(item)
                    continue
                found = check(type_name, item)
                if found:
                    self.add_all(found)
                add_at(type_name, item.data, item.path, item.line)
        finally:
            self.records += records

    def file_name(self, item: RawRecord) -> None:
        """In a folder of one-record files, each file is named after its record's id
        (as ``write_json`` names them): a mismatch makes the record hard to find."""
        path = Path(item.path)
        if path.suffix != ".json" or path.parent.name not in STEMS:
            return
        record_id = item.data.get("id") if isinstance(item.data, dict) else None
        if not isinstance(record_id, str) or record_id == path.stem:
            return
        type_name = STEMS.get(item.stem or "")
        if type_name is None or not _valid_id(type_name, record_id):
            return  # the schema error on /id comes first: name the file after the fixed id
        target = record_id + ".json"
        if os.path.lexists(path.parent / target):
            advice = f"{target!r} holds that id too: give this record an id of its own"
        else:
            advice = f"rename it to {target!r}"
        self.add(
            Issue(
                "file-name",
                f"the file is named {path.name!r} but holds {record_id!r}: {advice}",
                path=item.path,
                line=item.line,
                record_id=record_id,
                pointer="/id",
            )
        )

    def unknown_type(self, item: RawRecord) -> None:
        if item.path in self.untyped:
            return
        self.untyped.add(item.path)
        self.add(
            Issue(
                "unknown-file",
                f"cannot tell which record type {item.path} holds: name it after a stem "
                f"({', '.join(f'{stem}.jsonl' for stem in STEMS)}, or .json), put it in a "
                "folder named after one (events/, ...), or pass --type",
                path=item.path,
            )
        )


def _valid_id(type_name: str, record_id: str) -> bool:
    """Whether ``record_id`` is a well-formed id of that record type (its field's
    pattern and length)."""
    from koreaevents.records import RECORD_TYPES, spec

    field = spec(attrs.fields_dict(RECORD_TYPES[type_name])["id"])
    if field.max_length is not None and len(record_id) > field.max_length:
        return False
    if field.pattern is not None and not re.search(field.pattern, record_id):
        return False
    return field.not_pattern is None or not re.search(field.not_pattern, record_id)


def _is_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _index_issues(path: Path) -> list[Issue]:
    """An ``index`` issue for each way the long-span index in an events file's footer
    misstates that file (queries ignore such an index, but a file that carries one is
    not what koreaevents built)."""
    import pyarrow.parquet as pq

    from koreaevents.io import long_spans

    try:
        with pq.ParquetFile(path) as handle:
            problems = long_spans.mismatches(handle)
    except Exception:  # unreadable: the load reported it, named
        return []
    return [Issue("index", f"{path.name}: {problem}", path=str(path)) for problem in problems]


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _listdir(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except (OSError, ValueError):
        return []


def _is_dataset(path: Path, stem: str | None) -> bool:
    """Whether read_path reads ``path`` as a dataset directory (not a record folder)."""
    names = _listdir(path)
    if DATAPACKAGE in names:
        return True
    stems = set(STEMS)
    if any(name in stems or name.rpartition(".")[0] in stems for name in names):
        return True
    return stem is None and path.name not in stems


def _types_given(paths: list[PathArg], stem: str | None) -> set[str]:
    """The record types the paths hold, judged by names alone.

    References to other types are never checked, so the index need not collect them.
    """
    types: set[str] = set()
    for given in paths:
        path = Path(given)
        found: str | None
        if _is_dir(path):
            if _is_dataset(path, stem):
                # A dataset directory gives the types it has files for, and only those.
                names = _listdir(path)
                types.update(
                    type_name
                    for stem_name, type_name in STEMS.items()
                    if any(n == stem_name or n.rpartition(".")[0] == stem_name for n in names)
                )
                continue
            found = path.name if path.name in STEMS else stem
        else:
            found = stem_of(path) or stem
        if found is not None and found in STEMS:
            types.add(STEMS[found])
    return types


def _dataset_of(path: Path, stem: str | None) -> Path | None:
    """The dataset directory (one with a ``datapackage.json``) that a file or record
    folder belongs to, or None."""
    if _is_dir(path):
        if _is_dataset(path, stem):
            return None
        parent = path.parent
    else:
        parent = path.parent.parent if path.parent.name in STEMS else path.parent
    return parent if _is_file(parent / DATAPACKAGE) else None


def _contexts(paths: list[Path], stem: str | None) -> dict[Path, set[str]]:
    """The datasets around the given files and record folders that are not given
    themselves, each with the given paths inside it (absolute, normalised)."""
    keys = {os.path.normpath(os.path.abspath(path)) for path in paths}
    found: dict[Path, set[str]] = {}
    for path in paths:
        dataset = _dataset_of(path, stem)
        if dataset is None:
            continue
        root = os.path.normpath(os.path.abspath(dataset))
        # a dataset given itself, or through an enclosing folder, is read whole anyway
        if any(root == key or root.startswith(key + os.sep) for key in keys):
            continue
        found.setdefault(dataset, set()).add(os.path.normpath(os.path.abspath(path)))
    return found


def _covered(path: Path, folders: list[str]) -> bool:
    """Whether ``path`` lies inside one of ``folders`` (absolute, normalised), so that
    reading it again would count its records twice."""
    key = os.path.normpath(os.path.abspath(path))
    return any(key.startswith(folder + os.sep) for folder in folders)


def _value_lines(issues: list[Issue]) -> list[Issue]:
    """Reference and duplicate-id issues point at their record's first line; in a
    ``.json`` file (often pretty-printed) move them to the line of the value itself."""
    wanted: dict[str, list[int]] = {}
    for number, issue in enumerate(issues):
        if issue.path and issue.path.endswith(".json") and issue.line and issue.pointer:
            wanted.setdefault(issue.path, []).append(number)
    if not wanted:
        return issues
    moved = list(issues)
    for path, numbers in wanted.items():
        by_line = {}
        for item in read_path(Path(path)):
            if isinstance(item, RawRecord):
                by_line[item.line] = item
        for number in numbers:
            issue = moved[number]
            record = by_line.get(issue.line) if issue.line is not None else None
            line = record.line_of(issue.pointer) if record is not None and issue.pointer else None
            if line is not None:
                moved[number] = attrs.evolve(issue, line=line)
    return moved


def _flatten(paths: tuple[Any, ...]) -> list[PathArg]:
    flat: list[PathArg] = []
    for item in paths:
        if isinstance(item, (str, os.PathLike)):
            flat.append(item)
        elif isinstance(item, Iterable):
            flat.extend(_flatten(tuple(item)))
        else:
            raise TypeError(f"a path must be a str or os.PathLike, not {type(item).__name__}")
    return flat


def validate(
    *paths: PathArg | Iterable[PathArg],
    record_type: str | None = None,
    max_errors: int | None = None,
) -> ValidationReport:
    """Validate files, record folders and dataset directories; never raises for bad data.

    Args:
        paths: One or more paths (or lists of paths): a ``.jsonl`` or ``.json`` file, a
            folder of one-record ``*.json`` files, a dataset directory, or a
            ``datapackage.json``. All are checked together: an id used in two of them
            is a duplicate, and references resolve across them.
        record_type: What a file holds when its name does not say (``event`` or
            ``events``, ...). Without it a file's type comes from its name or its
            folder's name.
        max_errors: Stop after this many errors (the report's ``stopped`` says so);
            None for no limit.

    Returns:
        A :class:`ValidationReport`: ``ok``, and every issue with its path, line,
        record id, JSON Pointer, code and message.

    Raises:
        ValueError: For a bad argument: no path, an unknown ``record_type`` or a
            ``max_errors`` below 1.

    A file or record folder inside a dataset directory (one with a
    ``datapackage.json``) is checked against the rest of that dataset: its references
    resolve to the dataset's other records, and an id used there is a duplicate; the
    other records are not themselves checked. Otherwise, when only some record types
    are given (single files, record folders, or a dataset directory without files for
    some types), references to the types not given are not checked. A
    ``datapackage.json`` stands for the dataset directory it describes.
    """
    # A datapackage.json stands for the dataset it describes.
    flat = [
        Path(p).parent if Path(p).name == DATAPACKAGE and _is_file(Path(p)) else p
        for p in _flatten(paths)
    ]
    if not flat:
        raise ValueError("validate needs at least one path")
    if record_type is not None and record_type not in RECORD_TYPE_NAMES:
        raise ValueError(
            f"unknown record type {record_type!r}: expected one of {', '.join(RECORD_TYPE_NAMES)}"
        )
    if max_errors is not None and (isinstance(max_errors, bool) or max_errors < 1):
        raise ValueError(f"max_errors must be a positive integer or None, not {max_errors!r}")
    run = _Run(record_type, max_errors)
    targets = [Path(given) for given in flat]
    contexts = _contexts(targets, run.stem)
    types = _types_given(flat, run.stem)
    for dataset in contexts:
        types |= _types_given([dataset], run.stem)
    run.index = ReferenceIndex(types)
    folders = [
        os.path.normpath(os.path.abspath(path))
        for path in targets
        if _is_dir(path) and _is_dataset(path, run.stem)
    ]
    seen: set[str] = set()
    stopped = False
    # Records die by reference counting and what is kept holds no cycles, so the cyclic
    # collector would only walk everything already imported, again and again (15-20%).
    with gc_paused():
        try:
            # a file of a dataset is checked against the rest of it: its references
            # resolve there, and an id used there is a duplicate
            for dataset, inside in contexts.items():
                run.context(dataset, inside)
            for path in targets:
                key = os.path.normpath(os.path.abspath(path))
                if key in seen or _covered(path, folders):
                    continue  # read twice, every id would be a duplicate
                seen.add(key)
                run.path(path)
            found = run.index.issues(run.present)
            found = [issue for issue in found if issue.path not in run.context_paths]
            run.add_all(_value_lines(found))
        except _Stop:
            stopped = True
    return ValidationReport(
        issues=tuple(run.issues),
        paths=tuple(str(p) for p in flat),
        records=run.records,
        files=len(run.files),
        stopped=stopped,
        max_errors=max_errors,
    )
