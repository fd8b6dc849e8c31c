"""``koreaevents fmt``: record files rewritten in the canonical form of ``write_json``.

For each record file of a dataset (``<stem>.jsonl``, ``<stem>.json``, or the
one-record files of a folder ``<stem>/``), :func:`format_paths` fills missing date
bounds from their EDTF value, puts each record in canonical form (the form
:func:`~koreaevents.convert.unstructure` gives: keys in field order, absent optional
fields and empty lists left out), sorts the records of a file by id, and serialises
them with :func:`~koreaevents.io.json_io.encode_records`, the serialiser of
``write_json``, for the file's own layout. The dataset's ``datapackage.json`` is then
rewritten to list every record file, as ``write_json`` lists them.

A record that does not make a valid record yet (a placeholder not filled in, a value
of the wrong type) keeps every value it has: only its keys are put in field order and
its missing date bounds filled, so that formatting never loses what a contributor
typed. A file that cannot be read as records at all (bad JSON, bad encoding, a key
given twice) is left byte for byte and reported. Each file is written atomically, and
only when its bytes change; nothing else in the dataset folder is touched.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
import orjson

from koreaevents.convert import RecordError, structure_record, unstructure
from koreaevents.edtf import EdtfError, parse_edtf
from koreaevents.io.atomic import atomic_write_bytes
from koreaevents.io.json_io import Layout, descriptor_fields, dumps_pretty, encode_records
from koreaevents.io.json_io import stem_resource as _stem_resource
from koreaevents.io.reading import STEMS, RawRecord, read_file, stem_of
from koreaevents.issues import Issue
from koreaevents.records import RECORD_TYPES, EventDate

__all__ = [
    "FormatReport",
    "FormatUsageError",
    "IdInUse",
    "add_record",
    "canonical_record",
    "format_paths",
]

DATAPACKAGE = "datapackage.json"
_IGNORED_PREFIXES = ("README", "LICENSE", "CHANGELOG")


class FormatUsageError(ValueError):
    """A path that is no dataset or record file, or a dataset fmt must not rewrite
    (a foreign ``datapackage.json``, a Parquet release): nothing was written."""


@attrs.frozen
class FormatReport:
    """What :func:`format_paths` did (or, with ``check``, would do).

    Attributes:
        changed: The files rewritten (with ``check``: that would be), in order.
        unchanged: The files already canonical.
        problems: Files that could not be read as records (left byte for byte), each
            with the issue that says why.
        checked: Whether this was a dry run (nothing written).
    """

    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    problems: tuple[Issue, ...] = ()
    checked: bool = False

    @property
    def ok(self) -> bool:
        """Every file was readable and, with ``check``, already canonical."""
        return not self.problems and not (self.checked and self.changed)


# --- one record -------------------------------------------------------------------------


def _fill_bounds(cls: type[Any], data: Any) -> Any:
    """``data`` with the missing bounds of every EDTF date in it filled in (a copy
    where something changes; unparsable values left as they are)."""
    if type(data) is not dict:
        return data
    if cls is EventDate:
        edtf = data.get("edtf")
        missing = [name for name in ("earliest", "latest") if name not in data]
        if not missing or type(edtf) is not str:
            return data
        try:
            bounds = parse_edtf(edtf)
        except EdtfError:
            return data
        filled = dict(data)
        for name in missing:
            value = getattr(bounds, name)
            filled[name] = None if value is None else value.isoformat()
        return filled
    out = data
    for field in attrs.fields(cls):
        inner = _attrs_class(field.type)
        if inner is None or field.name not in data:
            continue
        value = data[field.name]
        if type(value) is list:
            new = [_fill_bounds(inner, item) for item in value]
            changed = any(a is not b for a, b in zip(new, value, strict=True))
        else:
            new = _fill_bounds(inner, value)
            changed = new is not value
        if changed:
            if out is data:
                out = dict(data)
            out[field.name] = new
    return out


def _attrs_class(tp: Any) -> type[Any] | None:
    if isinstance(tp, type) and attrs.has(tp):
        return tp
    for arg in getattr(tp, "__args__", ()):
        found = _attrs_class(arg)
        if found is not None:
            return found
    return None


def _in_field_order(cls: type[Any], data: Any) -> Any:
    """``data`` with its keys in the field order of ``cls`` (unknown keys after, as
    they were), recursively; no value changed or dropped."""
    if type(data) is not dict:
        return data
    fields = {field.name: field for field in attrs.fields(cls)}
    out: dict[str, Any] = {}
    for name, field in fields.items():
        if name in data:
            inner = _attrs_class(field.type)
            value = data[name]
            if inner is not None and type(value) is list:
                value = [_in_field_order(inner, item) for item in value]
            elif inner is not None:
                value = _in_field_order(inner, value)
            out[name] = value
    for key, value in data.items():
        if key not in out:
            out[key] = value
    return out


def canonical_record(type_name: str, data: Any) -> Any:
    """The canonical JSON form of one record as read from a file.

    Missing date bounds are filled from their EDTF value. A valid record becomes
    exactly what ``write_json`` writes for it (so it loads equal); one that is not
    valid yet keeps all its values, its keys put in field order.
    """
    cls = RECORD_TYPES[type_name]
    data = _fill_bounds(cls, data)
    try:
        return unstructure(structure_record(type_name, data))
    except RecordError:
        return _in_field_order(cls, data)


def _sort_key(item: Any) -> tuple[int, str]:
    record_id = item.get("id") if type(item) is dict else None
    return (0, record_id) if isinstance(record_id, str) else (1, "")


# --- files ------------------------------------------------------------------------------


@attrs.define
class _File:
    """One record file of a dataset: where, which stem, which layout."""

    path: Path
    stem: str
    layout: Layout
    relative: str


@attrs.define
class _Dataset:
    root: Path
    selected: set[Path] | None = None  # None: every record file

    def wants(self, path: Path) -> bool:
        return self.selected is None or _key(path) in self.selected


def _key(path: Path) -> Path:
    """A path made absolute and normal, to tell whether two paths name one file."""
    return Path(os.path.normpath(os.path.abspath(path)))


def _is_ignored(name: str) -> bool:
    return name.startswith(".") or name.upper().startswith(_IGNORED_PREFIXES)


def _record_files(root: Path) -> list[_File]:
    """The record files of a dataset, stems in reading order, a folder's files by name."""
    found: list[_File] = []
    for stem in STEMS:
        for layout in ("jsonl", "json"):
            path = root / f"{stem}.{layout}"
            if path.is_file() and not path.is_symlink():
                found.append(_File(path, stem, layout, path.name))
        folder = root / stem
        if folder.is_dir() and not folder.is_symlink():
            names = sorted(
                (
                    entry.name
                    for entry in os.scandir(folder)
                    if entry.name.lower().endswith(".json")
                    and not _is_ignored(entry.name)
                    and entry.is_file(follow_symlinks=False)
                ),
                key=lambda name: name[: -len(".json")],
            )
            found.extend(_File(folder / name, stem, "files", f"{stem}/{name}") for name in names)
    return found


def _is_dataset(folder: Path) -> bool:
    if (folder / DATAPACKAGE).is_file():
        return True
    for stem in STEMS:
        if (folder / f"{stem}.jsonl").is_file() or (folder / f"{stem}.json").is_file():
            return True
        if (folder / stem).is_dir():
            return True
    return False


def _datasets(paths: Sequence[str | os.PathLike[str]]) -> list[_Dataset]:
    """The datasets the paths stand for, each with the files chosen in it."""
    from koreaevents.io.paths import is_parquet_dataset

    found: dict[Path, _Dataset] = {}
    for given in paths:
        path = Path(given)
        if not os.path.lexists(path):
            raise FileNotFoundError(f"no such file or folder: {path}")
        if path.is_dir():
            if path.name in STEMS and _is_dataset(path.parent) and not _is_dataset(path):
                root, files = (
                    path.parent,
                    {p.path for p in _record_files(path.parent) if p.stem == path.name},
                )
            elif _is_dataset(path):
                root, files = path, None
            else:
                raise FormatUsageError(
                    f"{path} is not a dataset folder: it holds no datapackage.json and no "
                    "events.jsonl, events.json or events/ (nor the same for sources, "
                    "analyses, actors, retired)"
                )
        elif path.name == DATAPACKAGE:
            root, files = path.parent, None
        else:
            stem = stem_of(path)
            if stem is None or path.suffix.lower() not in (".json", ".jsonl"):
                raise FormatUsageError(
                    f"{path} is not a record file: fmt formats <stem>.jsonl, <stem>.json "
                    f"and <stem>/<id>.json, where <stem> is one of {', '.join(STEMS)}"
                )
            in_folder = path.parent.name == stem and path.name != f"{stem}.json"
            root = path.parent.parent if in_folder else path.parent
            files = {path}
        root = Path(os.path.normpath(root))
        if is_parquet_dataset(root):
            raise FormatUsageError(
                f"{root} is a built Parquet release: fmt formats the JSON records a "
                "release is built from"
            )
        entry = found.setdefault(_key(root), _Dataset(root, set()))
        if entry.selected is None:
            continue  # the whole dataset is formatted already
        if files is None:
            entry.selected = None
            continue
        entry.selected |= {_key(p) for p in files}
    return list(found.values())


def _foreign_descriptor(root: Path, descriptor: dict[str, Any]) -> str | None:
    """Why fmt must not rewrite this ``datapackage.json`` (None: it may)."""
    import re

    resources = descriptor.get("resources", [])
    if not isinstance(resources, list):
        return "its resources are not a list"
    stems = "|".join(re.escape(stem) for stem in STEMS)
    ours = re.compile(rf"^(?:{stems})(?:\.(?:jsonl|json)|/[^/]+\.json)$")
    for resource in resources:
        if not isinstance(resource, dict):
            return "a resource is not an object"
        paths = resource.get("path")
        listed = paths if isinstance(paths, list) else [paths]
        for item in listed:
            if not isinstance(item, str) or not ours.match(item):
                return f"it lists {item!r}, which is not a koreaevents record file"
    return None


def _read_descriptor(root: Path) -> tuple[dict[str, Any] | None, bytes | None, Issue | None]:
    path = root / DATAPACKAGE
    if not os.path.lexists(path):
        return None, None, None
    try:
        if path.is_symlink() or not path.is_file():
            raise FormatUsageError(f"{path} is not a regular file: fmt leaves it alone")
        raw = path.read_bytes()
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return None, None, Issue("datapackage", f"cannot read {DATAPACKAGE}: {exc}", path=str(path))
    if not isinstance(value, dict):
        return (
            None,
            None,
            Issue("datapackage", f"{DATAPACKAGE} must hold a JSON object", path=str(path)),
        )
    return value, raw, None


def _format_file(file: _File) -> tuple[bytes | None, bytes | None, Issue | None]:
    """(old bytes, canonical bytes, problem) of one record file; canonical is None when
    the file cannot be read as records."""
    try:
        old = file.path.read_bytes()
    except OSError as exc:
        return (
            None,
            None,
            Issue("io", f"cannot read {file.path}: {exc.strerror}", path=str(file.path)),
        )
    items: list[RawRecord] = []
    for item in read_file(file.path, stem=file.stem):
        if isinstance(item, Issue):
            if item.is_error or item.code == "many-records":
                return old, None, item
            continue
        items.append(item)
    records = [item.data for item in items]
    if file.layout == "files" and len(records) != 1:
        what = "no record" if not records else f"{len(records)} records"
        problem = Issue(
            "many-records",
            f"{file.path} holds {what}, but each file of a record folder holds one",
            path=str(file.path),
        )
        return old, None, problem
    type_name = STEMS[file.stem]
    for item in items:
        if type(item.data) is not dict:
            return (
                old,
                None,
                Issue(
                    "schema",
                    f"{file.path}: a record is a JSON object, not {type(item.data).__name__}",
                    path=str(file.path),
                    line=item.line,
                ),
            )
    canonical = [canonical_record(type_name, data) for data in records]
    if file.layout != "files":
        canonical.sort(key=_sort_key)
    return old, encode_records(canonical, file.layout), None


def _descriptor_for(
    root: Path, existing: dict[str, Any] | None, files: list[_File], data: dict[Path, bytes]
) -> bytes:
    """The ``datapackage.json`` that lists every record file, as ``write_json`` would."""
    resources = []
    for stem in STEMS:
        mine = [file for file in files if file.stem == stem]
        for layout in ("jsonl", "json"):
            single = [file for file in mine if file.layout == layout]
            if single:
                resources.append(
                    _stem_resource(stem, layout, [single[0].relative], data.get(single[0].path))
                )
        folder = [file.relative for file in mine if file.layout == "files"]
        if folder:
            resources.append(_stem_resource(stem, "files", folder, None))
    descriptor = descriptor_fields(existing or {})
    descriptor["resources"] = resources
    return dumps_pretty(descriptor)


def format_paths(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *, check: bool = False
) -> FormatReport:
    """Format record files, or every record file of dataset folders, in place.

    Args:
        paths: Dataset folders, record files inside them (``events.jsonl``,
            ``events/<id>.json``, ...), a record folder, or a ``datapackage.json``.
        check: Write nothing; report the files that would change.

    Returns:
        A :class:`FormatReport`.

    Raises:
        FileNotFoundError: A path that does not exist.
        FormatUsageError: A path that is no dataset or record file, a Parquet release,
            or a dataset whose ``datapackage.json`` lists what koreaevents did not
            write there (nothing is written then).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    datasets = _datasets(list(paths))
    if not datasets:
        raise FormatUsageError("fmt needs at least one path")
    plans = []
    for dataset in datasets:  # every refusal comes before the first write
        existing, raw, problem = _read_descriptor(dataset.root)
        if existing is not None:
            why = _foreign_descriptor(dataset.root, existing)
            if why is not None:
                raise FormatUsageError(
                    f"{dataset.root / DATAPACKAGE} is not one koreaevents wrote ({why}): "
                    "fmt would rewrite it; nothing was changed"
                )
        plans.append((dataset, existing, raw, problem))
    changed: list[str] = []
    unchanged: list[str] = []
    problems: list[Issue] = []
    for dataset, existing, raw, descriptor_problem in plans:
        files = _record_files(dataset.root)
        final: dict[Path, bytes] = {}
        known = {_key(file.path) for file in files}
        for path in sorted(dataset.selected or set()):
            if path not in known:  # a symlink, a hidden file: nothing of ours
                problems.append(
                    Issue(
                        "unknown-file",
                        f"{path} is not a record file of {dataset.root} (a link, a hidden "
                        "file or a file in the wrong place): left alone",
                        path=str(path),
                    )
                )
        for file in files:
            if not dataset.wants(file.path):
                continue
            old, new, problem = _format_file(file)
            if problem is not None:
                problems.append(problem)
                if old is not None:
                    final[file.path] = old
                continue
            assert new is not None
            final[file.path] = new
            if new == old:
                unchanged.append(str(file.path))
                continue
            changed.append(str(file.path))
            if not check:
                atomic_write_bytes(file.path, new)
        if descriptor_problem is not None:
            problems.append(descriptor_problem)
            continue
        for file in files:  # files not chosen (or left alone) are listed as they are
            if file.path not in final and file.layout != "files":
                with contextlib.suppress(OSError):
                    final[file.path] = file.path.read_bytes()
        descriptor = _descriptor_for(dataset.root, existing, files, final)
        target = dataset.root / DATAPACKAGE
        if descriptor == raw:
            unchanged.append(str(target))
            continue
        changed.append(str(target))
        if not check:
            atomic_write_bytes(target, descriptor)
    return FormatReport(tuple(changed), tuple(unchanged), tuple(problems), check)


# --- a new record -----------------------------------------------------------------------


class IdInUse(ValueError):
    """``new``: the id is taken by a record or retired: nothing was written."""


def _empty_array(path: Path) -> bool:
    """Whether ``path`` is a ``.json`` file holding an empty array (how ``write_json``
    writes a record type without records in the one-record-per-file layout)."""
    try:
        return path.is_file() and orjson.loads(path.read_bytes()) == []
    except (OSError, orjson.JSONDecodeError):
        return False


def _layout_for(root: Path, stem: str) -> Layout:
    """The layout a new record of ``stem`` goes in: that stem's own, else the first
    other stem's, else one file a record (the form the repository keeps). A stem
    kept as an empty array in a dataset of record folders gets a folder too."""
    own = root / f"{stem}.json"
    others = [candidate for candidate in STEMS if candidate != stem]
    if _empty_array(own) and any((root / other).is_dir() for other in others):
        return "files"
    for candidate in (stem, *others):
        if (root / candidate).is_dir():
            return "files"
        if (root / f"{candidate}.jsonl").is_file():
            return "jsonl"
        if (root / f"{candidate}.json").is_file():
            return "json"
    return "files"


def _ids_in_use(root: Path) -> dict[str, tuple[str, str, int]]:
    """Every id of the dataset: id -> (type, path, line)."""
    from koreaevents.io.reading import read_path

    found: dict[str, tuple[str, str, int]] = {}
    for item in read_path(root):
        if isinstance(item, Issue) or type(item.data) is not dict:
            continue
        record_id = item.data.get("id")
        if isinstance(record_id, str) and item.stem in STEMS:
            found.setdefault(record_id, (STEMS[item.stem], item.path, item.line))
            if STEMS[item.stem] == "retired":  # a tombstone wins: it says more
                version = item.data.get("retired_in")
                found[record_id] = ("retired", str(version), item.line)
    return found


def _append_to_array(old: bytes, record: dict[str, Any]) -> bytes:
    """A ``.json`` array file with one more element, the rest of its text kept."""
    try:
        value = orjson.loads(old)
    except orjson.JSONDecodeError as exc:
        raise FormatUsageError(f"cannot add a record: the file is not valid JSON ({exc})") from None
    if not isinstance(value, list):
        return encode_records([value, record], "json")
    text = old.decode("utf-8").rstrip()
    head = text[: text.rfind("]")].rstrip()
    element = "\n".join("  " + line for line in dumps_pretty(record).decode().splitlines())
    joiner = "\n" if head.endswith("[") else ",\n"
    return f"{head}{joiner}{element}\n]\n".encode()


def add_record(root: str | os.PathLike[str], type_name: str, record: dict[str, Any]) -> Path:
    """Add one record (a JSON-ready dict with an ``id``) to a JSON dataset, in the
    layout the dataset keeps that record type in, and list it in its
    ``datapackage.json`` (when it has one). Returns the file written.

    Raises :class:`IdInUse` when the id is used or retired (nothing written),
    :class:`FormatUsageError` when ``root`` is no JSON dataset.
    """
    from koreaevents.io.paths import is_parquet_dataset

    root = Path(root)
    if not root.is_dir() or not _is_dataset(root):
        raise FormatUsageError(
            f"{root} is not a dataset folder (no datapackage.json, no record files): pass "
            "--dataset DIR"
        )
    if is_parquet_dataset(root):
        raise FormatUsageError(f"{root} is a built Parquet release: add records to its JSON")
    existing, _raw, problem = _read_descriptor(root)
    if existing is not None and (why := _foreign_descriptor(root, existing)) is not None:
        raise FormatUsageError(f"{root / DATAPACKAGE} is not one koreaevents wrote ({why})")
    record_id = record["id"]
    used = _ids_in_use(root).get(record_id)
    if used is not None:
        kind, where, line = used
        if kind == "retired":
            raise IdInUse(
                f"id {record_id!r} was retired in version {where} and may not be used "
                "again: choose another id"
            )
        raise IdInUse(
            f"id {record_id!r} is already used by the {kind} at {where}:{line}: choose another id"
        )
    stem = RECORD_TYPES[type_name].STEM
    layout = _layout_for(root, stem)
    if layout == "files":
        target = root / stem / f"{record_id}.json"
        if os.path.lexists(target):
            raise IdInUse(f"{target} exists already: choose another id")
        data = encode_records([record], "files")
        empty = root / f"{stem}.json"
        if _empty_array(empty):  # the record folder takes its place (two would clash)
            atomic_write_bytes(target, data)
            empty.unlink()
    else:
        target = root / f"{stem}.{layout}"
        old = target.read_bytes() if target.is_file() else b""
        if layout == "jsonl":
            if old and not old.endswith(b"\n"):
                old += b"\n"
            data = old + encode_records([record], "jsonl")
        else:
            data = (
                _append_to_array(old, record) if old.strip() else encode_records([record], "json")
            )
    atomic_write_bytes(target, data)
    if existing is not None and problem is None:
        files = _record_files(root)
        final = {}
        for file in files:
            if file.layout != "files":
                final[file.path] = file.path.read_bytes()
        atomic_write_bytes(root / DATAPACKAGE, _descriptor_for(root, existing, files, final))
    return target
