"""Ids and the references between records: duplicate ids and dangling references.

The reference fields are declared once, as paths, and walked the same way over JSON
dicts (when validating files) and over records (when building a :class:`Dataset`).
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs

from koreaevents.issues import Issue
from koreaevents.suggest import did_you_mean

__all__ = [
    "ANY_RECORD",
    "REFERENCE_FIELDS",
    "RETIRED",
    "Located",
    "ReferenceIndex",
    "iter_references",
    "named_after",
    "retired_id_issue",
]

ANY_RECORD = "record"
"""Reference target: a record of any type, but not a retired id."""
RETIRED = "retired"
"""The type of the tombstones: their ids are no records, and no reference may use them."""

# type -> [(path to the referring value, type the id must belong to)]; "*" steps into
# every item of a list.
REFERENCE_FIELDS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "event": (
        (("actors", "*", "actor"), "actor"),
        (("citations", "*", "source"), "source"),
        (("verification", "discrepancies", "*", "citations", "*"), "source"),
        (("verification", "discrepancies", "*", "claimed_in"), "source"),
        (("related", "*"), "event"),
    ),
    "source": ((("originator",), "actor"),),
    "analysis": (
        (("about", "*"), "event"),
        (("citations", "*", "source"), "source"),
    ),
    "actor": ((("parent",), "actor"),),
    "retired": ((("replaced_by",), ANY_RECORD),),
}


def _step(value: Any, key: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(key)
    return getattr(value, key, None)


def iter_references(type_name: str, record: Any) -> Iterator[tuple[str, str, str]]:
    """Yield ``(pointer, target type, id)`` for every reference a record makes.

    ``record`` may be a JSON dict or a record object; values of the wrong shape are
    skipped (the schema check reports them).
    """
    for path, target in REFERENCE_FIELDS.get(type_name, ()):
        stack: list[tuple[Any, str, int]] = [(record, "", 0)]
        while stack:
            value, pointer, depth = stack.pop()
            if depth == len(path):
                if isinstance(value, str):
                    yield pointer, target, value
                continue
            key = path[depth]
            if key == "*":
                if isinstance(value, (list, tuple)):
                    for index in range(len(value) - 1, -1, -1):
                        stack.append((value[index], f"{pointer}/{index}", depth + 1))
            else:
                child = _step(value, key)
                if child is not None:
                    stack.append((child, f"{pointer}/{key}", depth + 1))


@attrs.frozen
class Located:
    """Where a record came from, for messages."""

    path: str | None = None
    line: int | None = None


_NO_LINE = -1  # line unknown, in the int arrays below


# Reference extraction from JSON dicts is the hot loop of validation (several references
# per record, millions of records), so each record type's REFERENCE_FIELDS are compiled
# once into one straight-line Python function: nested loops with the keys as literals,
# settling a reference at once when its id is already known with the right type and
# appending it to the open references otherwise. Record objects go through
# iter_references instead.
_TYPE_CODES: tuple[str, ...] = tuple(REFERENCE_FIELDS)
_TYPE_CODE: dict[str, int] = {name: code for code, name in enumerate(_TYPE_CODES)}
_UNKNOWN_TYPE = 255
_ANY_CODE = 254  # the target code of ANY_RECORD
_RETIRED_CODE = _TYPE_CODE[RETIRED]
_LIVE_TYPES = frozenset(name for name in REFERENCE_FIELDS if name != RETIRED)


def _target_code(target: str) -> int:
    return _ANY_CODE if target == ANY_RECORD else _TYPE_CODE[target]


def _resolves(target: str, actual: str | None) -> bool:
    """Whether a record of type ``actual`` (None: no record) is what ``target`` asks."""
    if target == ANY_RECORD:
        return actual in _LIVE_TYPES
    return actual == target


_SMALL = 16  # list indexes whose pointers are built once, not per reference

# make(ids_get, rec_type, ref_rec, ref_pointer, ref_id, ref_target, intern) ->
# extract(record, record number): binds one index's storage into a type's extractor.
_Extractor = Callable[[Any, int], None]
_Factory = Callable[..., _Extractor]


def _extractor_source(fields: tuple[tuple[tuple[str, ...], str], ...]) -> str:
    """Python source of ``make(...)`` for one record type's reference fields."""
    head = ["def make(ids_get, rec_type, ref_rec, ref_pointer, ref_id, ref_target, intern):"]
    body = ["    def extract(rec, number):"]
    for index, (path, target) in enumerate(fields):
        code = _target_code(target)
        indent = "        "
        value = "rec"
        parts: list[str] = []  # literal pointer pieces, None for a list index
        loops = 0
        for depth, key in enumerate(path):
            child = f"v{depth}"
            if key == "*":
                body.append(f"{indent}if {value}.__class__ is list:")
                body.append(f"{indent}    for i{loops}, {child} in enumerate({value}):")
                parts.append(f"{{i{loops}}}")
                loops += 1
                indent += "        "
            else:
                body.append(f"{indent}if {value}.__class__ is dict:")
                body.append(f"{indent}    {child} = {value}.get({key!r})")
                parts.append(key.replace("~", "~0").replace("/", "~1"))
                indent += "    "
            value = child
        template = "".join("/" + part for part in parts)
        if loops == 0:
            pointer = repr(template)
        elif loops == 1:
            table = tuple(template.replace("{i0}", str(i)) for i in range(_SMALL))
            head.append(f"    P{index} = {table!r}")
            pointer = f"(P{index}[i0] if i0 < {_SMALL} else f{template!r})"
        else:
            pointer = f"intern(p := f{template!r}, p)"
        body.append(f"{indent}if {value}.__class__ is str:")
        body.append(f"{indent}    found = ids_get({value})")
        if code == _ANY_CODE:
            unresolved = f"found is None or rec_type[found] >= {_RETIRED_CODE}"
        else:
            unresolved = f"found is None or rec_type[found] != {code}"
        body.append(f"{indent}    if {unresolved}:")
        body.append(f"{indent}        ref_rec(number)")
        body.append(f"{indent}        ref_pointer({pointer})")
        body.append(f"{indent}        ref_id(intern({value}, {value}))")
        body.append(f"{indent}        ref_target({code})")
    body.append("        return None")
    body.append("    return extract")
    return "\n".join(head + body) + "\n"


@functools.cache
def _factory(type_name: str, targets: frozenset[str]) -> _Factory:
    """The extractor factory of a type, for references to ``targets`` only."""
    fields = tuple(field for field in REFERENCE_FIELDS[type_name] if field[1] in targets)
    namespace: dict[str, Any] = {}
    exec(_extractor_source(fields), namespace)  # trusted: source we generate ourselves
    factory: _Factory = namespace["make"]
    return factory


class ReferenceIndex:
    """Collects ids and references, then reports duplicates and dangling references.

    Feed it every record with :meth:`add` (or :meth:`add_at`), then call :meth:`issues`.
    Memory stays small and never holds the records themselves: per record a few bytes
    of location in typed arrays, one dict entry per id, and only the references that
    did not resolve when they were added (a reference to an id already seen, of the
    right type, is settled at once). Repeated strings (actor ids, pointers, paths) are
    stored once.
    """

    def __init__(self, targets: Iterable[str] | None = None) -> None:
        """Create an empty index.

        ``targets``: the record types whose references are collected (default: all);
        references to other types are skipped as they are read, for speed and memory,
        which gives the same issues as ``issues(present_types=targets)``.
        """
        chosen = frozenset(REFERENCE_FIELDS if targets is None else targets)
        # a reference to any record can be checked only when every type is there
        self._targets = chosen | {ANY_RECORD} if chosen >= _LIVE_TYPES else chosen
        self._ids: dict[str, int] = {}  # id -> record number
        self._paths: list[str | None] = []
        self._path_numbers: dict[str | None, int] = {}
        self._strings: dict[str, str] = {}
        # Per record number: path number, line, type code, id.
        self._rec_path = array("I")
        self._rec_line = array("q")
        self._rec_type = bytearray()
        self._rec_id: list[str | None] = []
        # References still open: referring record, pointer, id, target type code.
        self._ref_rec = array("I")
        self._ref_pointer: list[str] = []
        self._ref_id: list[str] = []
        self._ref_target = bytearray()
        self._duplicates: list[Issue] = []
        self._retired_in: dict[str, str] = {}  # retired id -> the version, for messages
        self._last_path: str | None = None
        self._extractors: dict[str, _Extractor] = {
            name: factory(
                self._ids.get,
                self._rec_type,
                self._ref_rec.append,
                self._ref_pointer.append,
                self._ref_id.append,
                self._ref_target.append,
                self._strings.setdefault,
            )
            for name, factory in (
                (name, _factory(name, self._targets)) for name in REFERENCE_FIELDS
            )
        }
        self._last_path_number = self._path_numbers[None] = 0
        self._paths.append(None)

    def __len__(self) -> int:
        """How many records were added."""
        return len(self._rec_id)

    def add(self, type_name: str, record: Any, where: Located | None = None) -> None:
        """Register a record's id and the references it makes.

        ``record`` may be a JSON dict or a record object.
        """
        where = where or Located()
        if type(record) is dict:
            self.add_at(type_name, record, where.path, where.line)
            return
        if type_name == RETIRED:
            self._note_retired(_step(record, "id"), _step(record, "retired_in"))
        number = self._new_record(type_name, _step(record, "id"), where.path, where.line)
        for pointer, target, ref in iter_references(type_name, record):
            if target in self._targets:
                self._reference(number, pointer, target, ref)

    def add_at(self, type_name: str, record: Any, path: str | None, line: int | None) -> None:
        """Like :meth:`add` for a JSON value, without building a :class:`Located`."""
        if record.__class__ is not dict:
            self._new_record(type_name, None, path, line)
            return
        if type_name == RETIRED:
            self._note_retired(record.get("id"), record.get("retired_in"))
        number = self._new_record(type_name, record.get("id"), path, line)
        extract = self._extractors.get(type_name)
        if extract is not None:
            extract(record, number)

    def _note_retired(self, record_id: Any, version: Any) -> None:
        if isinstance(record_id, str):
            self._retired_in[record_id] = version if isinstance(version, str) else "?"

    def _new_record(
        self, type_name: str, record_id: Any, path: str | None, line: int | None
    ) -> int:
        number = len(self._rec_id)
        if path is not self._last_path:
            path_number = self._path_numbers.get(path)
            if path_number is None:
                path_number = self._path_numbers[path] = len(self._paths)
                self._paths.append(path)
            self._last_path, self._last_path_number = path, path_number
        self._rec_path.append(self._last_path_number)
        self._rec_line.append(_NO_LINE if line is None else line)
        self._rec_type.append(_TYPE_CODE.get(type_name, _UNKNOWN_TYPE))
        rid = record_id if record_id.__class__ is str else None
        self._rec_id.append(rid)
        if rid is not None:
            first = self._ids.setdefault(rid, number)
            if first != number:
                kinds = {self._rec_type[first], self._rec_type[number]}
                if _RETIRED_CODE in kinds and len(kinds) == 2:
                    live = first if self._rec_type[number] == _RETIRED_CODE else number
                    self._duplicates.append(self._retired_in_use(rid, live))
                else:
                    self._duplicates.append(self._duplicate(rid, first, number))
        return number

    def _duplicate(self, rid: str, first: int, second: int) -> Issue:
        """The issue of a reused id, on the record that is the copy: the later one,
        unless only the earlier one sits in a one-record file not named after it (a
        copied file read first must not make the original the duplicate)."""
        blamed, other = second, first
        if named_after(self._located(second).path, rid) and not named_after(
            self._located(first).path, rid
        ):
            blamed, other = first, second
        where = self._located(blamed)
        return Issue(
            "duplicate-id",
            f"id {rid!r} is also used by the {self._type_name(other)} at "
            f"{_where(self._located(other))}: give this record an id of its own",
            path=where.path,
            line=where.line,
            record_id=rid,
            pointer="/id",
        )

    def _retired_in_use(self, rid: str, live: int) -> Issue:
        """The issue of a record whose id is also retired."""
        where = self._located(live)
        return retired_id_issue(rid, self._retired_in.get(rid, "?"), where.path, where.line)

    def _reference(self, number: int, pointer: str, target: str, ref: str) -> None:
        found = self._ids.get(ref)
        if found is None or not _resolves(target, self._type_name(found)):
            self._keep(number, pointer, ref, _target_code(target))

    def _keep(self, number: int, pointer: str, ref: str, code: int) -> None:
        strings = self._strings
        self._ref_rec.append(number)
        self._ref_pointer.append(strings.setdefault(pointer, pointer))
        self._ref_id.append(strings.setdefault(ref, ref))
        self._ref_target.append(code)

    def _type_name(self, number: int) -> str:
        code = self._rec_type[number]
        return _TYPE_CODES[code] if code < len(_TYPE_CODES) else "record"

    def _located(self, number: int) -> Located:
        line = self._rec_line[number]
        return Located(self._paths[self._rec_path[number]], None if line == _NO_LINE else line)

    def type_of(self, record_id: str) -> str | None:
        """The type of the record with this id, if one was added."""
        found = self._ids.get(record_id)
        return None if found is None else self._type_name(found)

    def _ids_of(self, target: str, cache: dict[str, list[str]]) -> list[str]:
        """The ids of the records a reference to ``target`` may name (built once per
        call of :meth:`issues`, on its first dangling reference to that type)."""
        found = cache.get(target)
        if found is None:
            found = cache[target] = [
                rid
                for rid, number in self._ids.items()
                if _resolves(target, self._type_name(number))
            ]
        return found

    def issues(self, present_types: Iterable[str] | None = None) -> list[Issue]:
        """Duplicate ids and references that resolve nowhere (or to the wrong type).

        References to a type not in ``present_types`` are not checked (``None``: all
        types are present).
        """
        checked = None if present_types is None else set(present_types)
        if checked is not None and checked >= _LIVE_TYPES:
            checked.add(ANY_RECORD)
        found = list(self._duplicates)
        by_type: dict[str, list[str]] = {}
        suggested = 0
        for index, number in enumerate(self._ref_rec):
            code = self._ref_target[index]
            target = ANY_RECORD if code == _ANY_CODE else _TYPE_CODES[code]
            if checked is not None and target not in checked:
                continue
            ref = self._ref_id[index]
            actual = self.type_of(ref)
            if _resolves(target, actual):
                continue
            pointer = self._ref_pointer[index]
            field = pointer.lstrip("/")
            if actual == RETIRED:
                message = (
                    f"{field} refers to {ref!r}, which was retired in version "
                    f"{self._retired_in.get(ref, '?')}: refer to the record that replaces it"
                )
            elif actual is None:
                message = (
                    f"{field} refers to {target} {ref!r}, which does not exist: add that "
                    f"{target} or correct the id"
                )
                if suggested < _MAX_SUGGESTED:
                    suggested += 1
                    message += did_you_mean(ref, self._ids_of(target, by_type))
            else:
                message = (
                    f"{field} refers to {ref!r}, which is a {actual}, not a {target}: "
                    f"use the id of a {target}"
                )
            where = self._located(number)
            found.append(
                Issue(
                    "dangling-reference",
                    message,
                    path=where.path,
                    line=where.line,
                    record_id=self._rec_id[number],
                    pointer=pointer,
                )
            )
        return found


_MAX_SUGGESTED = 200  # dangling references that get a did-you-mean (each compares ids)


def retired_id_issue(rid: str, version: str, path: str | None, line: int | None) -> Issue:
    """The ``retired-id`` issue of a record that uses an id retired in ``version``."""
    return Issue(
        "retired-id",
        f"id {rid!r} was retired in version {version} and may not be used again: give "
        "this record a new id (or delete the tombstone if this very record is restored)",
        path=path,
        line=line,
        record_id=rid,
        pointer="/id",
    )


def named_after(path: str | None, record_id: str) -> bool:
    """Whether ``path`` is a one-record ``.json`` file named after ``record_id``."""
    if path is None:
        return False
    name = path.replace("\\", "/").rpartition("/")[2]
    return name == f"{record_id}.json"


def _where(where: Located) -> str:
    if where.path is None:
        return "another record"
    return where.path if where.line is None else f"{where.path}:{where.line}"
