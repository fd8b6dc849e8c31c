"""Datasets as JSON: load the three folder forms, write them canonically.

Canonical output: keys in field order, absent optional fields and empty lists left out,
records sorted by id, UTF-8 (no escapes), two-space indent for ``.json`` files, one
compact record a line for ``.jsonl``, a final newline. The same dataset always gives
the same bytes, so a contributor's diff shows only what changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import orjson

from koreaevents.convert import RecordError, structure_record, unstructure
from koreaevents.dataset import STEMS, Dataset
from koreaevents.io.atomic import atomic_write_bytes, replace_dataset_directory
from koreaevents.io.paths import holds_json_records
from koreaevents.io.reading import STEMS as STEM_TYPES
from koreaevents.io.reading import RawRecord, gc_paused, read_path
from koreaevents.issues import DataError, Issue
from koreaevents.records import OPTIONAL_STEMS, Record
from koreaevents.references import Located, ReferenceIndex
from koreaevents.schema import schema_id
from koreaevents.validation.checks import RecordChecker

__all__ = [
    "DATAPACKAGE_PROFILE",
    "Layout",
    "datapackage_metadata",
    "descriptor_fields",
    "dumps_pretty",
    "encode_records",
    "jsonl_table_schema",
    "load_json",
    "partial_dataset_issue",
    "read_datapackage",
    "stem_resource",
    "write_json",
]

Layout = Literal["jsonl", "json", "files"]
LAYOUTS: tuple[Layout, ...] = ("jsonl", "json", "files")
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
_DEFAULT_LICENSES = [
    {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0 International",
    }
]


def dumps_pretty(value: Any) -> bytes:
    """Canonical pretty JSON: two-space indent, UTF-8, final newline."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def read_datapackage(directory: Path) -> dict[str, Any]:
    """The ``datapackage.json`` of a dataset folder, or ``{}`` when it has none.

    Raises :class:`DataError` when the file exists but is not a JSON object.
    """
    path = directory / "datapackage.json"
    if not path.is_file():
        return {}
    try:
        value = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise DataError(
            [Issue("datapackage", f"cannot read datapackage.json: {exc}", path=str(path))]
        ) from None
    if not isinstance(value, dict):
        raise DataError(
            [
                Issue(
                    "datapackage",
                    "datapackage.json must hold a JSON object",
                    path=str(path),
                    line=1,
                )
            ]
        )
    from koreaevents.io.release import resource_path_issues

    leaving = resource_path_issues(directory, value)
    if leaving:
        raise DataError(leaving, f"cannot read {directory}: {leaving[0].message}")
    return value


def load_json(path: Path) -> Dataset:
    """Load a dataset folder (or one record file) of JSON, JSON Lines or one-record files.

    Every problem — bad JSON, schema violations, date bounds, duplicate ids, dangling
    references — is collected first and raised together as one :class:`DataError`.
    For a single file, references to record types it does not hold are not checked.
    """
    path = Path(path)
    if path.is_dir() and not _holds_records(path):
        raise FileNotFoundError(
            f"no dataset in {path}: expected events.jsonl, events.json or a folder "
            "events/ (and the same for sources, analyses, actors)"
        )
    checker = RecordChecker()
    by_stem: dict[str, list[Record]] = {stem: [] for stem in STEMS}
    problems: list[Issue] = []
    index = ReferenceIndex()
    seen_types: set[str] = set()
    present: set[str] = set()
    with gc_paused():
        for type_name, item, passed in checked_records(path, checker, problems):
            present.add(type_name)
            index.add(type_name, item.data, Located(item.path, item.line))
            record = _record_from_raw(type_name, item, problems) if passed else None
            if record is not None:
                by_stem[record.STEM].append(record)
                seen_types.add(record.TYPE)
    is_folder = path.is_dir()
    if is_folder:
        problems.extend(_partial_dataset_issues(path, index, present))
    else:
        problems.extend(index.issues(seen_types))
    metadata = read_datapackage(path) if is_folder else {}
    if problems:
        raise DataError(problems, f"cannot load {path}: {len(problems)} problem(s)")
    metadata.pop("resources", None)
    return Dataset(**by_stem, metadata=metadata, check=False)  # type: ignore[arg-type]


def _partial_dataset_issues(path: Path, index: ReferenceIndex, present: set[str]) -> list[Issue]:
    """The reference issues of a whole dataset folder. References into a record type
    that has no file at all are summed up in one issue per type, which says that the
    dataset is partial and what it lacks (``validate`` accepts a partial dataset, but
    a dataset that is loaded, queried or built must hold what its records cite)."""
    found = index.issues(None)
    kept = index.issues(present)
    within = set(kept)
    into_absent = [issue for issue in found if issue not in within]
    if not into_absent:
        return found
    first = into_absent[0]
    where = f"{first.path}:{first.line} {first.pointer}" if first.line else str(first.path)
    return [*kept, partial_dataset_issue(path, present, len(into_absent), where)]


def partial_dataset_issue(path: Path, present: set[str], count: int, first: str) -> Issue:
    """One issue for every reference into record types that a dataset folder has no
    file of: the dataset is partial, and this says what it lacks."""
    stems = {type_name: stem for stem, type_name in STEM_TYPES.items()}
    absent = sorted(set(stems) - present - {"retired"})
    lacking = ", ".join(
        f"{stems[t]} ({stems[t]}.jsonl, {stems[t]}.json or a folder {stems[t]}/)" for t in absent
    )
    return Issue(
        "dangling-reference",
        f"the dataset is partial: it has no {lacking}, so {count} reference(s) cannot "
        f"resolve (the first: {first}); add the missing records. koreaevents validate "
        "accepts a partial dataset; loading, querying and building need the records it "
        "cites",
        path=str(path),
    )


def _holds_records(folder: Path) -> bool:
    """Whether a folder is a dataset or itself a folder of one stem's record files."""
    return folder.name in STEM_TYPES or holds_json_records(folder)


def checked_records(
    path: Path, checker: RecordChecker, problems: list[Issue]
) -> Iterator[tuple[str, RawRecord, bool]]:
    """Every raw record under ``path`` with its type and whether it passed the record
    checks of ``koreaevents validate``; their errors are added to ``problems``.

    Load and build both read through here, so that they accept exactly what validate
    accepts. A stray file beside the records is for validate to flag; it stops no one
    from loading or building the records themselves.
    """
    for item in read_path(path):
        if isinstance(item, Issue):
            if item.is_error and item.code != "unknown-file":
                problems.append(item)
            continue
        if item.stem is None or item.stem not in STEM_TYPES:
            problems.append(
                Issue(
                    "unknown-file",
                    "cannot tell which record type this is",
                    path=item.path,
                    line=item.line,
                )
            )
            continue
        type_name = STEM_TYPES[item.stem]
        errors = [issue for issue in checker.check(type_name, item) if issue.is_error]
        problems.extend(errors)
        yield type_name, item, not errors


def _record_from_raw(type_name: str, item: RawRecord, problems: list[Issue]) -> Record | None:
    """The record of a raw record that passed the checks (structuring then fails only
    where the classes know more than the schema can say)."""
    try:
        return structure_record(type_name, item.data)
    except RecordError as exc:
        for pointer, code, message in exc.problems:
            problems.append(
                Issue(
                    code,
                    message,
                    path=item.path,
                    line=item.line_of(pointer) or item.line,
                    record_id=exc.record_id,
                    pointer=pointer,
                )
            )
        return None


def _sorted_by_id(records: Iterable[Record]) -> list[Record]:
    return sorted(records, key=lambda record: record.id)


def datapackage_metadata(dataset: Dataset) -> dict[str, Any]:
    """The descriptor fields of a dataset, with defaults for what it lacks."""
    return descriptor_fields(dataset.metadata, dataset.name)


def descriptor_fields(metadata: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """The descriptor fields (all but ``resources``) in the order ``write_json`` writes
    them, with defaults for what ``metadata`` lacks; ``name`` defaults to its own."""
    if name is None:
        name = Dataset(metadata=metadata, check=False).name
    meta: dict[str, Any] = {"$schema": DATAPACKAGE_PROFILE, "name": name}
    for key, value in metadata.items():
        if key not in ("resources", "$schema"):
            meta[key] = value
    meta.setdefault("version", "0.0.0")
    meta.setdefault("licenses", _DEFAULT_LICENSES)
    return meta


def encode_records(records: list[Any], layout: Layout) -> bytes:
    """The canonical bytes of a record file: ``records`` are JSON-ready dicts (see
    :func:`~koreaevents.convert.unstructure`), in the order they are written.

    ``"jsonl"``: one compact record a line; ``"json"``: an array, two-space indent;
    ``"files"``: the one record of a one-record file, two-space indent. Every form ends
    with a newline (an empty JSON Lines file is empty).
    """
    if layout == "jsonl":
        return b"".join(orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE) for item in records)
    if layout == "json":
        return dumps_pretty(records)
    if layout == "files":
        if len(records) != 1:
            raise ValueError(f"a one-record file holds one record, not {len(records)}")
        return dumps_pretty(records[0])
    raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")


_TABLE_TYPES = {"string": "string", "integer": "integer", "number": "number",
                "boolean": "boolean", "array": "array", "object": "object"}  # fmt: skip


def jsonl_table_schema(type_name: str) -> dict[str, Any]:
    """The Table Schema (v2) of a record type's JSON Lines file, read as a table of
    its records' top-level keys, derived from the record type's JSON Schema.

    Each key is a field with its JSON type (an object stays an ``object``, a list an
    ``array``), its description and the constraints a Table Schema can state:
    ``required``, ``unique`` for the id, ``enum``, ``pattern``, ``minLength``,
    ``minimum``, ``maximum``. What lies inside objects and lists is left to the JSON
    Schema (``jsonSchema``) and ``koreaevents validate``.
    """
    from koreaevents.schema import json_schema

    schema = json_schema(type_name)
    definitions = schema.get("$defs", {})
    required = set(schema.get("required", ()))
    fields: list[dict[str, Any]] = []
    for name, prop in schema["properties"].items():
        resolved = dict(prop)
        ref = prop.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            resolved = {**definitions[ref.removeprefix("#/$defs/")], **prop}
        json_type = resolved.get("type", "object" if "properties" in resolved else "string")
        field: dict[str, Any] = {
            "name": name,
            "type": _TABLE_TYPES.get(json_type, "any"),
            "description": prop.get("description") or resolved.get("description", ""),
        }
        constraints: dict[str, Any] = {}
        if name in required:
            constraints["required"] = True
        if name == "id":
            constraints["unique"] = True
        if "enum" in resolved:
            constraints["enum"] = list(resolved["enum"])
        pattern = resolved.get("pattern") if field["type"] == "string" else None
        # a Table Schema pattern matches the whole value: only anchored ones carry over
        if isinstance(pattern, str) and pattern.startswith("^") and pattern.endswith("$"):
            constraints["pattern"] = pattern[1:-1]
        for key in ("minLength", "maxLength", "minimum", "maximum"):
            if key in resolved and field["type"] in ("string", "integer", "number"):
                constraints[key] = resolved[key]
        if field["type"] == "array" and "minItems" in resolved:
            constraints["minLength"] = resolved["minItems"]  # a list's length
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
        "fields": fields,
        "primaryKey": ["id"],
    }


def stem_resource(
    stem: str, layout: Layout, files: list[str], data: bytes | None
) -> dict[str, Any]:
    """The ``datapackage.json`` resource of one stem, as ``write_json`` writes it.

    ``files``: the paths relative to the dataset (one for ``jsonl``/``json``, each
    one-record file for ``files``); ``data``: the bytes of the single file (its size
    and hash are recorded), None for the ``files`` layout.
    """
    resource: dict[str, Any] = {"name": stem}
    if layout == "files":
        resource.update(path=files, format="json", mediatype="application/json")
    else:
        mediatype = "application/jsonl" if layout == "jsonl" else "application/json"
        resource.update(path=files[0], format=layout, mediatype=mediatype)
        if layout == "jsonl":
            # Frictionless reads JSON Lines as a table: say what its columns are, so
            # that it checks them instead of guessing their types from the first rows.
            schema = jsonl_table_schema(STEM_TYPES[stem])
            keys = [field["name"] for field in schema["fields"]]
            dialect = {
                "$schema": "https://datapackage.org/profiles/2.0/tabledialect.json",
                "itemType": "object",
                "itemKeys": keys,  # Table Dialect v2
                # frictionless-py 5 reads the keys from its own "json" control only;
                # without it, it takes the first record's keys for the columns.
                "json": {"keys": keys},
            }
            resource.update(type="table", dialect=dialect, schema=schema)
        if data is not None:
            resource.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest())
    resource["encoding"] = "utf-8"
    resource["jsonSchema"] = schema_id(STEM_TYPES[stem])
    return resource


def write_json(dataset: Dataset, directory: str | Path, layout: Layout = "jsonl") -> Path:
    """Write a dataset as JSON in one of three layouts, with a ``datapackage.json``.

    ``layout`` is ``"jsonl"`` (``<stem>.jsonl``, one record a line), ``"json"``
    (``<stem>.json``, an array) or ``"files"`` (a folder ``<stem>/`` with one
    ``<id>.json`` a record). The folder is written whole into a temporary sibling and
    swapped into place; an existing folder is replaced only if it is empty or holds a
    dataset (a ``datapackage.json``) and nothing koreaevents did not write: a file its
    ``datapackage.json`` does not list raises :class:`FileExistsError` naming it (and
    nothing is written) unless this write writes the same path. Returns the folder.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    target = Path(directory)
    with replace_dataset_directory(target, kind="json") as tmp:
        resources = []
        for stem in STEMS:
            records = _sorted_by_id(dataset.stem(stem))
            if records or stem not in OPTIONAL_STEMS:
                # A Data Package resource needs at least one path: a record type with
                # no records is written as an empty array, whatever the layout.
                form: Layout = layout if records or layout != "files" else "json"
                resources.append(_write_stem(tmp, stem, records, form))
        descriptor = datapackage_metadata(dataset)
        descriptor["resources"] = resources
        atomic_write_bytes(tmp / "datapackage.json", dumps_pretty(descriptor))
    return target


def _write_stem(root: Path, stem: str, records: list[Record], layout: Layout) -> dict[str, Any]:
    if layout == "files":
        folder = root / stem
        folder.mkdir()
        paths = []
        for record in records:
            (folder / f"{record.id}.json").write_bytes(
                encode_records([unstructure(record)], "files")
            )
            paths.append(f"{stem}/{record.id}.json")
        return stem_resource(stem, layout, paths, None)
    name = f"{stem}.{layout}"
    data = encode_records([unstructure(record) for record in records], layout)
    (root / name).write_bytes(data)
    return stem_resource(stem, layout, [name], data)
